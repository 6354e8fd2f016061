// Find Client: by name parts, date of birth or HMIS id, as ClientTrack's Find Client does; the
// results say, for each client, why the user may see them. A client the user may not see is
// simply not among the results.

import { h, show, field, table, date, announce } from '../dom.js';
import { gql } from '../api.js';
import { why } from '../access.js';

const CLIENT_FIELDS = `id idOnly firstName middleName lastName dob organizationId
  access { level rule via } mouAssignments { mouId window { start end } }
  releaseExceptions { id window { start end } }`;

const PAGE = 20;

/** A client's name as listed ("Lopez, Maria"); an id-only client by its id. */
export function listedName(c) {
  if (c.idOnly || (!c.firstName && !c.lastName)) return `HMIS ID ${c.id}`;
  return [c.lastName, [c.firstName, c.middleName].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

function results(caption, connection, world, more) {
  const rows = connection.edges.map((e) => e.node);
  const list = table(caption, [
    ['Name', (c) => h('a', { href: `#/client/${encodeURIComponent(c.id)}` }, listedName(c)), { sort: true, key: listedName }],
    ['Date of birth', (c) => date(c.dob), { sort: true, key: (c) => c.dob || '' }],
    ['HMIS ID', (c) => c.id],
    ['Why you can see them', (c) => why(c.access, c.organizationId, c, world)],
  ], rows, 'No client matches.');
  const pager = connection.pageInfo.hasNextPage
    ? h('button', { type: 'button', onclick: () => more(connection.pageInfo.endCursor) }, 'Next page')
    : null;
  return h('section', { 'aria-label': caption }, list, pager);
}

/** The Find Client screen. */
export function render(world) {
  const name = h('input', { name: 'name', autocomplete: 'off' });
  const dob = h('input', { name: 'dob', type: 'date' });
  const ssn = h('input', { name: 'ssnLast4', autocomplete: 'off', inputmode: 'numeric', maxlength: 4, size: 6 });
  const id = h('input', { name: 'clientId', autocomplete: 'off' });
  const out = h('div', { id: 'results' });
  const search = async (after) => {
    const input = {};
    if (name.value.trim()) input.name = name.value.trim();
    if (dob.value) input.dob = dob.value;
    if (ssn.value.trim()) input.ssnLast4 = ssn.value.trim();
    if (id.value.trim()) input.clientId = id.value.trim();
    if (!Object.keys(input).length) {
      announce('Enter a name, a date of birth, the last four of the SSN or an HMIS ID to search.', 'error');
      return;
    }
    try {
      const data = await gql(`query FindClient($s: ClientSearch!, $after: String) {
        findClients(search: $s, first: ${PAGE}, after: $after) {
          edges { node { ${CLIENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`, { s: input, after });
      const found = data.findClients;
      out.replaceChildren(results('Clients found', found, world, search));
      announce(found.edges.length ? `${found.edges.length} client${found.edges.length === 1 ? '' : 's'} found.` : 'No client matches.');
    } catch (e) {
      out.replaceChildren();
      announce(e.field ? `${e.message} (${e.field})` : e.message, 'error');
    }
  };
  const form = h('form', { class: 'search', onsubmit: (event) => { event.preventDefault(); search(null); } },
    field('Name', name, 'First, last, or both, as entered'),
    field('Date of birth', dob),
    field('SSN last four', ssn),
    field('HMIS ID', id),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  show('Find Client', form, out);
}

/** The user's caseload: the clients they are case manager for. */
export async function caseload(world) {
  const out = h('div');
  const load = async (after) => {
    const data = await gql(`query Caseload($after: String) { caseload(first: ${PAGE}, after: $after) {
      edges { node { ${CLIENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`, { after });
    out.replaceChildren(results('Your clients', data.caseload, world, load));
  };
  await load(null);
  show('Caseload', out);
}
