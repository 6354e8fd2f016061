// Bed availability for a night and check-in: the shelter's beds, who holds each, and a
// check-in form; the bar list stops a check-in, and the refusal says so.

import { h, show, field, table, today, announce, select } from '../dom.js';
import { gql } from '../api.js';

const STATUS = { FREE: 'Free', RESERVED: 'Reserved', OCCUPIED: 'Occupied' };

/** The beds screen. */
export async function render(world) {
  const night = h('input', { name: 'date', type: 'date', value: today() });
  const out = h('div');
  const facilities = (await gql('{ facilities { id name organizationId rooms { id name beds { id label } } } }')).facilities;
  const beds = new Map();
  for (const f of facilities) for (const r of f.rooms) for (const b of r.beds) beds.set(b.id, { facility: f, room: r, bed: b });
  const load = async () => {
    const nights = (await gql('query($d: String!) { bedAvailability(date: $d) { facilityId roomId bedId status clientId } }', { d: night.value })).bedAvailability;
    out.replaceChildren(table(`Beds on the night of ${night.value}`, [
      ['Shelter', (n) => beds.get(n.bedId)?.facility.name || n.facilityId],
      ['Room', (n) => beds.get(n.bedId)?.room.name || n.roomId],
      ['Bed', (n) => beds.get(n.bedId)?.bed.label || n.bedId],
      ['Status', (n) => STATUS[n.status] || n.status],
      ['Client', (n) => n.clientId ? h('a', { href: `#/client/${encodeURIComponent(n.clientId)}` }, n.clientId) : ''],
    ], nights, 'No beds.'), checkInForm(nights, beds, load));
  };
  night.addEventListener('change', load);
  await load();
  show('Beds', field('Night of', night), out);
}

function checkInForm(nights, beds, reload) {
  const free = nights.filter((n) => n.status === 'FREE');
  const client = h('input', { name: 'clientId', autocomplete: 'off', required: true });
  const bed = select('bedId', free.map((n) => {
    const b = beds.get(n.bedId);
    return [n.bedId, b ? `${b.facility.name}, ${b.room.name}, ${b.bed.label}` : n.bedId];
  }), free[0]?.bedId);
  return h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await gql('mutation($i: CheckInInput!) { checkIn(input: $i) { id } }', { i: { clientId: client.value.trim(), bedId: bed.value } });
      announce('Checked in.');
      reload();
    } catch (e) {
      announce(e.field ? `Not checked in: ${e.message} (${e.field})` : `Not checked in: ${e.message}`, 'error');
    }
  } }, h('fieldset', {}, h('legend', {}, 'Check in'),
    field('HMIS ID', client), field('Bed', bed),
    h('button', { type: 'submit', class: 'primary' }, 'Check in')));
}
