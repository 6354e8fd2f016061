// Client record requests: an agency administrator submits one by HMIS id and follows it; the
// help desk works the queue, overdue first, and produces, denies or delivers each request.

import { h, show, field, table, date, moment, announce, select, folded } from '../dom.js';
import { gql } from '../api.js';

const STATUS = {
  SUBMITTED: 'Submitted',
  IN_PROGRESS: 'In progress',
  FULFILLED: 'Produced',
  DELIVERED: 'Delivered',
  DENIED: 'Denied',
};

const QUEUE = `query($overdue: Boolean!) { clientRecordRequests(overdue: $overdue) {
  id clientId organizationId deliveryMethod submittedAt dueDate status overdue denialReason
  revisionRequests { section description } } }`;

function failed(prefix, e) {
  announce(e.field ? `${prefix}: ${e.message} (${e.field})` : `${prefix}: ${e.message}`, 'error');
}

async function step(mutation, id, reload, done) {
  try {
    await gql(`mutation($r: ID!) { ${mutation}(requestId: $r) { request { id status } } }`, { r: id });
    announce(done);
    reload();
  } catch (e) {
    failed('Not done', e);
  }
}

/** Saves the dashboard page as a file the help desk sends on (it names the client). */
async function download(id) {
  try {
    const data = await gql('query SaveDashboard($r: ID!) { clientRecordDashboard(requestId: $r) { html } }', { r: id });
    const blob = new Blob([data.clientRecordDashboard.html], { type: 'text/html' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `client-record-${id}.html` });
    document.body.append(link);
    link.click();
    link.remove();
    announce('Dashboard saved. Print it or send it encrypted; it is confidential.');
  } catch (e) {
    failed('Not produced', e);
  }
}

function actions(r, world, reload) {
  if (world.me.role !== 'HELP_DESK') {
    if (r.status !== 'FULFILLED' && r.status !== 'DELIVERED') return '';
    return h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => download(r.id) }, 'Save dashboard'), revisionForm(r, reload));
  }
  const out = [];
  if (r.status === 'SUBMITTED') out.push(h('button', { type: 'button', onclick: () => step('startClientRecordRequest', r.id, reload, 'Request started.') }, 'Start'));
  if (r.status === 'IN_PROGRESS') {
    out.push(h('button', { type: 'button', class: 'primary', onclick: () => step('fulfillClientRecordRequest', r.id, reload, 'Dashboard produced.') }, 'Produce dashboard'));
  }
  if (r.status === 'SUBMITTED' || r.status === 'IN_PROGRESS') {
    const reason = h('input', { name: 'reason', autocomplete: 'off' });
    out.push(folded('Deny…', h('form', { class: 'deny', onsubmit: async (event) => {
      event.preventDefault();
      try {
        await gql('mutation($r: ID!, $why: String!) { denyClientRecordRequest(requestId: $r, reason: $why) { request { status } } }', { r: r.id, why: reason.value });
        announce('Request denied.');
        reload();
      } catch (e) {
        failed('Not denied', e);
      }
    } }, field('Reason for denial', reason), h('button', { type: 'submit' }, 'Deny'))));
  }
  if (r.status === 'FULFILLED') {
    out.push(h('button', { type: 'button', onclick: () => download(r.id) }, 'Save dashboard'));
    out.push(deliveryForm(r, reload));
  }
  return h('div', { class: 'actions' }, out);
}

/** The help desk records how the dashboard was handed over (a reason when not as agreed). */
function deliveryForm(r, reload) {
  const method = select('method', [['IN_PERSON_PICKUP', 'In-person pickup'], ['ENCRYPTED_EMAIL', 'Encrypted email']], r.deliveryMethod);
  const reason = h('input', { name: 'reason', autocomplete: 'off' });
  return folded('Record delivery…', h('form', { class: 'deny', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const vars = { r: r.id, m: method.value, at: new Date().toISOString() };
      if (reason.value.trim()) vars.why = reason.value.trim();
      await gql('mutation($r: ID!, $m: DeliveryMethodName!, $at: String!, $why: String) { recordRecordRequestDelivery(requestId: $r, method: $m, at: $at, reason: $why) { request { status } } }', vars);
      announce('Delivery recorded.');
      reload();
    } catch (e) {
      failed('Not recorded', e);
    }
  } }, field('Delivered by', method), field('Why not as agreed', reason, 'Only when another method was used'), h('button', { type: 'submit' }, 'Record delivery')));
}

/** The agency administrator writes down the revision the client asked for, by section. */
function revisionForm(r, reload) {
  const section = select('section', ['Client Profile', 'Release of Information', 'Enrollment History', 'Client Documentation'].map((s) => [s, s]), 'Client Profile');
  const description = h('input', { name: 'description', autocomplete: 'off' });
  return folded('Ask for a revision…', h('form', { class: 'deny', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await gql('mutation($r: ID!, $s: String!, $d: String!) { requestRecordRevision(requestId: $r, section: $s, description: $d) { request { id } } }', { r: r.id, s: section.value, d: description.value });
      announce('Revision request recorded.');
      reload();
    } catch (e) {
      failed('Not recorded', e);
    }
  } }, field('Section', section), field('What the client asks to correct', description), h('button', { type: 'submit' }, 'Ask for revision')));
}

/** The help desk's search by name: only with the call it answers, which is recorded. */
function nameSearch() {
  const name = h('input', { name: 'name', autocomplete: 'off' });
  const reason = h('input', { name: 'reason', autocomplete: 'off' });
  const out = h('div');
  const form = h('form', { class: 'search', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const data = await gql('query HelpDeskNameSearch($s: ClientSearch!, $why: String!) { helpDeskFindClients(search: $s, reason: $why) { edges { node { id firstName lastName dob } } } }', { s: { name: name.value.trim() }, why: reason.value.trim() });
      out.replaceChildren(table('Clients found', [
        ['Name', (c) => [c.lastName, c.firstName].filter(Boolean).join(', ')],
        ['Date of birth', (c) => date(c.dob)],
        ['HMIS ID', (c) => c.id],
      ], data.helpDeskFindClients.edges.map((e) => e.node), 'No client matches.'));
    } catch (e) {
      out.replaceChildren();
      failed('Not searched', e);
    }
  } }, field('Name', name), field('Reason for the search', reason, 'The call this answers, at least 10 characters; it is recorded with the search'),
  h('button', { type: 'submit' }, 'Search by name'));
  return h('section', { 'aria-labelledby': 'name-search-heading' }, h('h2', { id: 'name-search-heading' }, 'Find a private client by name'),
    h('p', {}, "When an agency cannot find a client's record, it may be marked private. Search by name only to answer that call."), form, out);
}

function submitForm(reload) {
  const id = h('input', { name: 'clientId', autocomplete: 'off', required: true });
  const method = select('deliveryMethod', [['IN_PERSON_PICKUP', 'In-person pickup'], ['ENCRYPTED_EMAIL', 'Encrypted email']], 'IN_PERSON_PICKUP');
  return h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await gql('mutation($c: ID!, $m: DeliveryMethodName!) { submitClientRecordRequest(clientId: $c, deliveryMethod: $m) { request { id } } }', { c: id.value.trim(), m: method.value });
      announce('Client record request submitted.');
      reload();
    } catch (e) {
      failed('Not submitted', e);
    }
  } }, h('fieldset', {}, h('legend', {}, 'Submit a client record request'),
    field('HMIS ID', id, 'The HMIS ID only: never the name or other identifying data'), field('Delivery', method),
    h('button', { type: 'submit', class: 'primary' }, 'Submit')));
}

/** The record request queue. */
export async function render(world) {
  const overdueOnly = h('input', { type: 'checkbox', name: 'overdue' });
  const out = h('div');
  const load = async () => {
    const data = await gql(QUEUE, { overdue: overdueOnly.checked });
    out.replaceChildren(table(world.me.role === 'HELP_DESK' ? 'Requests, overdue first' : "Your agency's requests", [
      ['HMIS ID', (r) => r.clientId],
      ['Agency', (r) => world.organizations.get(r.organizationId) || r.organizationId],
      ['Submitted', (r) => moment(r.submittedAt)],
      ['Due', (r) => [date(r.dueDate), r.overdue ? h('span', { class: 'badge overdue' }, 'Overdue') : null]],
      ['Status', (r) => [STATUS[r.status] || r.status, r.denialReason ? `: ${r.denialReason}` : '',
        r.revisionRequests.length ? h('ul', { class: 'changes' }, r.revisionRequests.map((v) => h('li', {}, `Revision asked (${v.section}): ${v.description || ''}`))) : null]],
      ['Delivery', (r) => r.deliveryMethod === 'ENCRYPTED_EMAIL' ? 'Encrypted email' : 'In-person pickup'],
      ['Work', (r) => actions(r, world, load)],
    ], data.clientRecordRequests, 'No requests.'));
  };
  overdueOnly.addEventListener('change', load);
  await load();
  show('Client Record Requests',
    h('p', {}, 'Due dates are five business days after the request.'),
    world.me.role === 'AGENCY_ADMIN' ? submitForm(load) : null,
    world.me.role === 'HELP_DESK' ? nameSearch() : null,
    h('div', { class: 'field checkbox' }, overdueOnly, h('label', { for: (overdueOnly.id = 'overdue-only') }, 'Overdue only')),
    out);
}
