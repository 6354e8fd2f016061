// The duplicate queue, for system administrators: pairs of clients that may be one person,
// with the evidence, merged (and unmerged) or dismissed, each saying why. A merge never widens
// what anyone sees: every record keeps its owner and the sharing it was recorded under.

import { h, show, field, table, date, announce, folded, rerender } from '../dom.js';
import { gql } from '../api.js';

const QUEUE = `{ duplicateCandidates(first: 50) { total
  candidates { firstId secondId score evidence { description } }
  flags { id clientId note } } }`;

function failed(prefix, e) {
  announce(e.field ? `${prefix}: ${e.message} (${e.field})` : `${prefix}: ${e.message}`, 'error');
}

/** The pair's clients by id: name and date of birth, so the administrator compares people. */
async function people(candidates) {
  const ids = [...new Set(candidates.flatMap((p) => [p.firstId, p.secondId]))];
  if (!ids.length) return new Map();
  const fields = ids.map((_, i) => `c${i}: client(id: $id${i}) { id firstName lastName dob }`).join(' ');
  const params = ids.map((_, i) => `$id${i}: ID!`).join(', ');
  const data = await gql(`query DuplicatePair(${params}) { ${fields} }`, Object.fromEntries(ids.map((id, i) => [`id${i}`, id])));
  return new Map(Object.values(data).filter(Boolean).map((c) => [c.id, c]));
}

function link(id, known) {
  const c = known.get(id);
  const name = c ? `${[c.lastName, c.firstName].filter(Boolean).join(', ')}${c.dob ? ` (born ${date(c.dob)})` : ''}` : id;
  return [h('a', { href: `#/client/${encodeURIComponent(id)}` }, name), h('br'), h('span', { class: 'hint' }, id)];
}

function mergeForm(pair, reload) {
  const keepFirst = h('input', { type: 'radio', name: `keep-${pair.firstId}-${pair.secondId}`, value: 'first', checked: true, id: `k1-${pair.firstId}-${pair.secondId}` });
  const keepSecond = h('input', { type: 'radio', name: `keep-${pair.firstId}-${pair.secondId}`, value: 'second', id: `k2-${pair.firstId}-${pair.secondId}` });
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  const merge = h('form', { class: 'deny', onsubmit: async (event) => {
    event.preventDefault();
    const [survivor, duplicate] = keepFirst.checked ? [pair.firstId, pair.secondId] : [pair.secondId, pair.firstId];
    try {
      const data = await gql('mutation($s: ID!, $d: ID!, $why: String!) { mergeClients(survivorId: $s, duplicateId: $d, reason: $why) { mergeId } }', { s: survivor, d: duplicate, why: reason.value });
      announce(`Merged ${duplicate} into ${survivor}.`);
      undo.set(data.mergeClients.mergeId, `${duplicate} into ${survivor}`);
      reload();
    } catch (e) {
      failed('Not merged', e);
    }
  } },
  h('fieldset', { class: 'group' }, h('legend', {}, 'Keep'),
    h('div', { class: 'field checkbox' }, keepFirst, h('label', { for: keepFirst.id }, pair.firstId)),
    h('div', { class: 'field checkbox' }, keepSecond, h('label', { for: keepSecond.id }, pair.secondId))),
  field('Why they are one person', reason), h('button', { type: 'submit', class: 'primary' }, 'Merge'));
  const why = h('input', { name: 'dismissReason', autocomplete: 'off', required: true });
  const dismiss = h('form', { class: 'deny', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await gql('mutation($a: ID!, $b: ID!, $why: String!) { dismissDuplicatePair(firstId: $a, secondId: $b, reason: $why) { position } }', { a: pair.firstId, b: pair.secondId, why: why.value });
      announce('Pair dismissed: they are two people.');
      reload();
    } catch (e) {
      failed('Not dismissed', e);
    }
  } }, field('Why they are two people', why), h('button', { type: 'submit' }, 'Not the same person'));
  return h('div', { class: 'actions' }, folded('Merge…', merge), folded('Dismiss…', dismiss));
}

/** Merges made on this page, by id, so a mistaken one is undone at once. */
const undo = new Map();

function undoList(reload) {
  if (!undo.size) return null;
  return h('section', { 'aria-labelledby': 'undo-heading' }, h('h2', { id: 'undo-heading' }, 'Merged here'),
    h('ul', {}, [...undo].map(([id, what]) => {
      const reason = h('input', { name: 'unmergeReason', autocomplete: 'off', required: true });
      return h('li', {}, `${what} `, folded('Unmerge…', h('form', { class: 'deny', onsubmit: async (event) => {
        event.preventDefault();
        try {
          await gql('mutation($m: ID!, $why: String!) { unmergeClients(mergeId: $m, reason: $why) { position } }', { m: id, why: reason.value });
          undo.delete(id);
          announce('Unmerged: both clients are back as they were.');
          reload();
        } catch (e) {
          failed('Not unmerged', e);
        }
      } }, field('Why the merge was wrong', reason), h('button', { type: 'submit' }, 'Unmerge'))));
    })));
}

/** The duplicate queue screen. */
export async function render() {
  const data = (await gql(QUEUE)).duplicateCandidates;
  const known = await people([...data.candidates, ...data.flags.map((f) => ({ firstId: f.clientId, secondId: f.clientId }))]);
  const reload = rerender;
  show('Duplicate Queue',
    h('p', {}, `${data.total} pair${data.total === 1 ? '' : 's'} that may be one person, likeliest first.`),
    undoList(reload),
    table('Possible duplicates', [
      ['Client', (p) => link(p.firstId, known)],
      ['And client', (p) => link(p.secondId, known)],
      ['Likeness', (p) => `${p.score}%`],
      ['Evidence', (p) => h('ul', { class: 'changes' }, p.evidence.map((e) => h('li', {}, e.description)))],
      ['Decide', (p) => mergeForm(p, reload)],
    ], data.candidates, 'No possible duplicates.'),
    table('Flagged by agencies', [
      ['Client', (f) => link(f.clientId, known)],
      ['Their note', (f) => f.note],
    ], data.flags, 'Nothing flagged.'));
}
