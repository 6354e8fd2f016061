// The CoC's MOUs: who shares with whom, and since when.

import { h, show, table, date } from '../dom.js';

const DIRECTIONS = {
  GRANTS: "shares its clients' records",
  RECEIVES: 'sees shared records',
  BOTH: 'shares and sees records',
};

/** The MOUs screen. */
export function render(world) {
  show('MOUs', table('Memoranda of understanding', [
    ['MOU', (m) => `${m.number} ${m.title}`, { sort: true }],
    ['Agencies in it', (m) => h('ul', { class: 'changes' }, m.participants.map((p) =>
      h('li', {}, `${world.organizations.get(p.organizationId) || p.organizationId} (${DIRECTIONS[p.direction] || p.direction})`)))],
    ['From', (m) => date(m.window.start)],
    ['To', (m) => m.window.end ? date(m.window.end) : 'Open'],
  ], [...world.mous.values()], 'No MOUs.'));
}
