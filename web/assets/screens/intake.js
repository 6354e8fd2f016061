// Add New Client, as steps: search first (the duplicate check before anything is saved), then
// identity, demographics and sharing, each in HUD's words; saved with one intake. A client the
// user may not see is never offered as a match, so the check cannot reveal one.

import { h, show, field, table, date, announce, announceOnNextScreen, select } from '../dom.js';
import { gql } from '../api.js';
import { why } from '../access.js';
import { listedName } from './find.js';

const LISTS = `nameQuality: hudList(number: "3.01.5") { code words fy2026 }
  ssnQuality: hudList(number: "3.02.2") { code words fy2026 }
  dobQuality: hudList(number: "3.03.2") { code words fy2026 }
  race: hudList(number: "3.04.1") { code words fy2026 }
  sex: hudList(number: "3.06.1") { code words fy2026 }
  veteran: hudList(number: "1.8") { code words fy2026 }`;

const RESTRICTIONS = [
  ['', "The CoC's default for new clients"],
  ['SHARE_WITH_MOU', 'Agencies the client is shared with through an MOU or a release'],
  ['RESTRICT_TO_ORGANIZATION', 'Only my agency'],
  ['SHARE_GLOBALLY', 'Every participating agency'],
];

function current(list) {
  return list.filter((v) => v.fy2026).map((v) => [v.code, v.words]);
}

/** The Add New Client screen. */
export async function render(world) {
  const lists = await gql(`{ ${LISTS} }`);
  const first = h('input', { name: 'firstName', autocomplete: 'off', required: true });
  const middle = h('input', { name: 'middleName', autocomplete: 'off' });
  const last = h('input', { name: 'lastName', autocomplete: 'off', required: true });
  const suffix = h('input', { name: 'nameSuffix', autocomplete: 'off' });
  const dob = h('input', { name: 'dob', type: 'date' });
  const ssn = h('input', { name: 'ssn', autocomplete: 'off', inputmode: 'numeric' });
  const nameQuality = select('nameDataQuality', current(lists.nameQuality), '1');
  const ssnQuality = select('ssnDataQuality', current(lists.ssnQuality), '1');
  const dobQuality = select('dobDataQuality', current(lists.dobQuality), '1');
  const race = current(lists.race).map(([code, words]) => {
    const box = h('input', { type: 'checkbox', name: 'raceEthnicity', value: code, id: `race-${code}` });
    return h('div', { class: 'field checkbox' }, box, h('label', { for: box.id }, words));
  });
  const sex = select('sex', [['', 'Not asked yet'], ...current(lists.sex)], '');
  const veteran = select('veteranStatus', current(lists.veteran), '99');
  const restriction = select('restriction', RESTRICTIONS, '');
  const matches = h('div', { id: 'matches' });

  const steps = [
    h('fieldset', { class: 'step' }, h('legend', {}, 'Step 1 of 4: Search first'),
      h('p', {}, 'Look for the client before adding them: most clients already have a record.'),
      field('First name', first), field('Last name', last), field('Date of birth', dob, 'If known'), matches),
    h('fieldset', { class: 'step' }, h('legend', {}, 'Step 2 of 4: Identity'),
      field('Middle name', middle), field('Suffix', suffix), field('Name data quality', nameQuality),
      field('Social Security number', ssn, 'Nine digits; an x for each digit not known; empty if not given'),
      field('SSN data quality', ssnQuality), field('Date of birth data quality', dobQuality)),
    h('fieldset', { class: 'step' }, h('legend', {}, 'Step 3 of 4: Demographics'),
      h('fieldset', { class: 'group' }, h('legend', {}, 'Race and ethnicity (all that apply)'), race),
      field('Sex', sex), field('Veteran status', veteran)),
    h('fieldset', { class: 'step' }, h('legend', {}, 'Step 4 of 4: Sharing'),
      field('Who may see this client', restriction, 'The client decides; ask them'),
      h('p', {}, 'Case notes, health and domestic violence records stay restricted to your agency whatever is chosen here.')),
  ];
  let at = 0;
  const back = h('button', { type: 'button', onclick: () => go(at - 1) }, 'Back');
  const next = h('button', { type: 'button', class: 'primary', onclick: () => advance() }, 'Check for existing clients');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save client');
  const go = (step) => {
    at = step;
    steps.forEach((s, i) => { s.hidden = i !== at; });
    back.hidden = at === 0;
    next.hidden = at === steps.length - 1;
    save.hidden = at !== steps.length - 1;
    next.textContent = at === 0 ? 'Check for existing clients' : 'Next';
    steps[at].querySelector('input, select')?.focus();
  };

  const advance = async () => {
    if (at > 0) return go(at + 1);
    if (!first.value.trim() || !last.value.trim()) {
      announce('Enter the first and last name to search.', 'error');
      return;
    }
    if (matches.dataset.checked === `${first.value}|${last.value}|${dob.value}`) return go(1);
    const search = (s) => gql(`query IntakeSearchFirst($s: ClientSearch!) { findClients(search: $s, first: 20) { edges { node {
      id idOnly firstName middleName lastName dob organizationId access { level rule via }
      mouAssignments { mouId window { start end } } releaseExceptions { id window { start end } } } } } }`, { s });
    try {
      const found = new Map();
      for (const s of [{ name: `${first.value.trim()} ${last.value.trim()}` }, { name: last.value.trim(), ...(dob.value ? { dob: dob.value } : {}) }]) {
        for (const e of (await search(s)).findClients.edges) found.set(e.node.id, e.node);
      }
      matches.dataset.checked = `${first.value}|${last.value}|${dob.value}`;
      const rows = [...found.values()];
      matches.replaceChildren(
        table('Possible matches', [
          ['Name', (c) => h('a', { href: `#/client/${encodeURIComponent(c.id)}` }, listedName(c))],
          ['Date of birth', (c) => date(c.dob)],
          ['HMIS ID', (c) => c.id],
          ['Why you can see them', (c) => why(c.access, c.organizationId, c, world)],
        ], rows, 'No existing client matches.'),
        h('p', {}, rows.length ? 'If one of these is the client, open their record instead. Otherwise continue.' : 'Continue to add the client.'));
      next.textContent = 'None of these: continue';
      announce(rows.length ? `${rows.length} possible match${rows.length === 1 ? '' : 'es'}.` : 'No existing client matches.');
    } catch (e) {
      announce(e.message, 'error');
    }
  };

  // A changed name or date of birth needs a new search before the client is added.
  for (const input of [first, last, dob]) {
    input.addEventListener('input', () => {
      if (matches.dataset.checked && matches.dataset.checked !== `${first.value}|${last.value}|${dob.value}`) {
        delete matches.dataset.checked;
        matches.replaceChildren();
        next.textContent = 'Check for existing clients';
      }
    });
  }

  const form = h('form', { class: 'intake', onsubmit: async (event) => {
    event.preventDefault();
    const input = {
      firstName: first.value.trim(), middleName: middle.value.trim(), lastName: last.value.trim(), nameSuffix: suffix.value.trim(),
      nameDataQuality: Number(nameQuality.value), ssn: ssn.value.trim(), ssnDataQuality: Number(ssn.value.trim() ? ssnQuality.value : 99),
      dob: dob.value || null, dobDataQuality: Number(dob.value ? dobQuality.value : 99),
      raceEthnicity: [...form.querySelectorAll('input[name="raceEthnicity"]:checked')].map((b) => Number(b.value)),
      veteranStatus: Number(veteran.value),
    };
    if (!input.raceEthnicity.length) input.raceNone = 99;
    if (sex.value) input.sex = Number(sex.value);
    if (restriction.value) input.restriction = restriction.value;
    try {
      const data = await gql('mutation($i: IntakeClientInput!) { intakeClient(input: $i) { client { id } possibleDuplicates { id } } }', { i: input });
      const saved = data.intakeClient;
      announceOnNextScreen(saved.possibleDuplicates.length
        ? `Client saved. ${saved.possibleDuplicates.length} possible duplicate${saved.possibleDuplicates.length === 1 ? ' was' : 's were'} flagged for the HMIS team to review.`
        : 'Client saved.');
      location.hash = `#/client/${encodeURIComponent(saved.client.id)}`;
    } catch (e) {
      const step = { firstName: 0, lastName: 0, dob: 0, middleName: 1, nameSuffix: 1, ssn: 1, ssnDataQuality: 1, raceEthnicity: 2, sex: 2, veteranStatus: 2 }[e.field];
      if (step !== undefined) go(step);
      announce(e.field ? `Not saved: ${e.message} (${e.field})` : `Not saved: ${e.message}`, 'error');
    }
  } }, steps, h('div', { class: 'step-actions' }, back, next, save));
  show('Add New Client', form);
  go(0);
}
