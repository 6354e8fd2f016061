// One client, as an auditor answers for it: who could see it on a date and by which rule, who
// did see it (the access review), and its history of changes.

import { h, show, field, table, date, moment, today, announce } from '../dom.js';
import { gql } from '../api.js';
import { roleName, ruleName } from '../access.js';

const KINDS = {
  INTAKE: 'Profile', ENROLLMENT: 'Enrollment', EXIT: 'Exit', SERVICE: 'Service', ASSESSMENT: 'Assessment',
  CASE_NOTE: 'Case note', DOCUMENT: 'Document', CHECK_IN: 'Shelter stay', RESERVATION: 'Bed reservation',
  BAR_LIST_ENTRY: 'Bar list entry', HOUSEHOLD_MEMBERSHIP: 'Household', MOU_ASSIGNMENT: 'MOU assignment',
  RELEASE_EXCEPTION: 'Release exception', ACCESS_LOG: 'Access log', HISTORY: 'History', RECORD_REQUEST: 'Record request',
};

/** A kind of record as people name it. */
export function kindName(kind) {
  return KINDS[kind] || kind;
}

function rule(r, world) {
  const mou = r.rule === 'MOU' && world.mous.get(r.via);
  return mou ? `MOU ${mou.number}` : ruleName(r.rule);
}

/** The client audit screen. */
export async function render(id, world) {
  const on = h('input', { name: 'date', type: 'date', value: today() });
  const visibility = h('div');
  const loadVisibility = async () => {
    try {
      const rows = (await gql('query CouldSee($c: ID!, $d: String!) { visibilityAsOf(clientId: $c, date: $d) { organizationId user { username } role kind recordId level rule via } }', { c: id, d: on.value })).visibilityAsOf;
      visibility.replaceChildren(table(`Who could see this client on ${date(on.value)}`, [
        ['Agency', (r) => world.organizations.get(r.organizationId) || r.organizationId, { sort: true }],
        ['Who', (r) => r.user ? `${r.user.username} (${roleName(r.role)})` : 'Everyone at the agency'],
        ['Record', (r) => kindName(r.kind), { sort: true }],
        ['May', (r) => r.level === 'EDIT' ? 'Read and edit' : 'Read'],
        ['Because of', (r) => rule(r, world)],
      ], rows, 'Nobody could.'));
    } catch (e) {
      announce(e.field ? `${e.message} (${e.field})` : e.message, 'error');
    }
  };
  on.addEventListener('change', loadVisibility);
  const data = await gql(`query ClientAudit($c: ID!) {
    accessSummary(clientId: $c) { user { username } organizationId role first last shown deliberate denied }
    clientHistory(clientId: $c) { at user { username } organizationId role event recordKind changes { field before after } }
  }`, { c: id });
  await loadVisibility();
  show(`Client audit: ${id}`,
    h('p', {}, h('a', { href: `#/access-log/${encodeURIComponent(id)}` }, 'Every disclosure of this client in the access log')),
    h('section', { 'aria-labelledby': 'could-heading' }, h('h2', { id: 'could-heading' }, 'Who could see it, and why'),
      field('On the date', on), visibility),
    h('section', { 'aria-labelledby': 'review-heading' }, h('h2', { id: 'review-heading' }, 'Access review'),
      table('Who saw it', [
        ['Who', (r) => `${r.user?.username || ''} (${roleName(r.role)})`, { sort: true }],
        ['Agency', (r) => world.organizations.get(r.organizationId) || r.organizationId, { sort: true }],
        ['First', (r) => moment(r.first)],
        ['Last', (r) => moment(r.last), { sort: true, key: (r) => r.last }],
        ['Shown', (r) => r.shown],
        ['Opened', (r) => r.deliberate],
        ['Refused', (r) => r.denied],
      ], data.accessSummary, 'Nobody has seen it.')),
    h('section', { 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, 'History'),
      table('Changes, oldest first', [
        ['When', (e) => moment(e.at)],
        ['Who', (e) => `${e.user?.username || ''} (${roleName(e.role)})`],
        ['Agency', (e) => world.organizations.get(e.organizationId) || e.organizationId],
        ['What', (e) => [e.event, e.recordKind ? ` (${kindName(e.recordKind)})` : '']],
        ['Changes', (e) => e.changes.length
          ? h('ul', { class: 'changes' }, e.changes.map((c) => h('li', {}, `${c.field}: ${c.before ?? '—'} → ${c.after ?? '—'}`)))
          : ''],
      ], data.clientHistory, 'No history.')));
}
