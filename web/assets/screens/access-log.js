// The access log, for auditors: every response that showed a client's data, who it showed it
// to, what, and the rule that allowed it; filtered by client, organization and dates.

import { h, show, field, table, moment, announce, select } from '../dom.js';
import { gql } from '../api.js';
import { roleName, ruleName } from '../access.js';
import { kindName } from './audit.js';


const LOG = `query AccessLog($f: AccessLogFilter!, $after: String) { accessLog(filter: $f, first: 50, after: $after) {
  entries { at user { username } organizationId role operation clientId denied deliberate
    records { kind fields rule via } }
  hasNextPage endCursor } }`;

/** The access log screen, for one client when `clientId` is given. */
export async function render(world, clientId = '') {
  const client = h('input', { name: 'clientId', autocomplete: 'off', value: clientId });
  const org = select('organizationId', [['', 'Any agency'], ...[...world.organizations].map(([id, name]) => [id, name])], '');
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const deliberate = h('input', { type: 'checkbox', id: 'deliberate-only' });
  const out = h('div');
  const load = async (after) => {
    const filter = { deliberateOnly: deliberate.checked };
    if (client.value.trim()) filter.clientId = client.value.trim();
    if (org.value) filter.organizationId = org.value;
    if (from.value) filter.from = from.value;
    if (to.value) filter.to = to.value;
    try {
      const page = (await gql(LOG, { f: filter, after })).accessLog;
      out.replaceChildren(table('Disclosures, newest first', [
        ['When', (e) => moment(e.at)],
        ['Who', (e) => `${e.user?.username || ''} (${roleName(e.role)})`],
        ['Agency', (e) => world.organizations.get(e.organizationId) || e.organizationId],
        ['Client', (e) => h('a', { href: `#/audit/${encodeURIComponent(e.clientId)}` }, e.clientId)],
        ['What', (e) => e.denied ? 'Refused' : [...new Set(e.records.map((r) => kindName(r.kind)))].join(', ')],
        ['Rule', (e) => [...new Set(e.records.map((r) => ruleName(r.rule)))].join(', ')],
        ['How', (e) => `${e.operation === 'anonymous' ? 'API request' : e.operation}${e.deliberate ? ' (opened)' : ' (listed)'}`],
      ], page.entries, 'No disclosures match.'),
      ...(page.hasNextPage ? [h('button', { type: 'button', onclick: () => load(page.endCursor) }, 'Older')] : []));
    } catch (e) {
      announce(e.field ? `${e.message} (${e.field})` : e.message, 'error');
    }
  };
  const form = h('form', { class: 'search', onsubmit: (event) => { event.preventDefault(); load(null); } },
    field('HMIS ID', client), field('Agency', org), field('From', from), field('To', to),
    h('div', { class: 'field checkbox' }, deliberate, h('label', { for: 'deliberate-only' }, 'Opened clients only')),
    h('button', { type: 'submit', class: 'primary' }, 'Show'));
  await load(null);
  show('Access Log', form, out);
}
