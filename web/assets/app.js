// The dashboard's shell: sign-in, the navigation each role needs, and the screens, routed by
// the URL's fragment (#/find, #/client/ID, ...) so the server serves one page.

import { h, announce, show, takeAnnouncement } from './dom.js';
import { gql, session, signOut, ApiError } from './api.js';
import { roleName } from './access.js';
import * as signin from './screens/signin.js';
import * as find from './screens/find.js';
import * as client from './screens/client.js';
import * as requests from './screens/requests.js';
import * as accessLog from './screens/access-log.js';
import * as beds from './screens/beds.js';
import * as audit from './screens/audit.js';
import * as intake from './screens/intake.js';
import * as duplicates from './screens/duplicates.js';
import * as mous from './screens/mous.js';

/** Who is signed in, and the organizations and MOUs every screen names. */
async function loadWorld() {
  const data = await gql(`{
    me { userId role organization { id name } }
    organizations { id name }
    mous { id number title window { start end } participants { organizationId direction } }
  }`);
  return {
    me: data.me,
    organizations: new Map(data.organizations.map((o) => [o.id, o.name])),
    mous: new Map(data.mous.map((m) => [m.id, m])),
  };
}

/** The screens each role works in, in the order the navigation lists them. */
function screensFor(role) {
  const all = [
    ['#/find', 'Find Client', ['CASE_MANAGER', 'AGENCY_ADMIN', 'SYSTEM_ADMIN', 'HELP_DESK', 'AUDITOR']],
    ['#/intake', 'Add New Client', ['CASE_MANAGER', 'AGENCY_ADMIN']],
    ['#/caseload', 'Caseload', ['CASE_MANAGER', 'AGENCY_ADMIN']],
    ['#/beds', 'Beds', ['CASE_MANAGER', 'AGENCY_ADMIN']],
    ['#/requests', 'Record Requests', ['AGENCY_ADMIN', 'HELP_DESK']],
    ['#/access-log', 'Access Log', ['AUDITOR', 'SYSTEM_ADMIN']],
    ['#/duplicates', 'Duplicates', ['SYSTEM_ADMIN']],
    ['#/mous', 'MOUs', ['SYSTEM_ADMIN', 'AUDITOR', 'AGENCY_ADMIN']],
  ];
  return all.filter(([, , roles]) => roles.includes(role));
}

function header(world) {
  const current = session();
  const nav = h('nav', { 'aria-label': 'Main' }, h('ul', {}, screensFor(world.me.role).map(([href, label]) =>
    h('li', {}, h('a', { href, 'aria-current': location.hash.startsWith(href) ? 'page' : false }, label)))));
  const who = [current?.username, roleName(world.me.role), world.me.organization.name].filter(Boolean).join(' · ');
  document.getElementById('top').replaceChildren(
    h('a', { class: 'brand', href: '#/find' }, 'caseledger'),
    nav,
    h('p', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Signed in as '), who, ' ',
      h('button', { type: 'button', onclick: () => { signOut(); location.hash = ''; boot(); } }, 'Sign out')),
  );
}

let world = null;

// Screens render one after another, and only the latest asked for: a screen still loading
// when the user moves on never lands over the one they moved to.
let wanted = 0;
let rendering = Promise.resolve();

function route() {
  const ticket = ++wanted;
  rendering = rendering.then(() => (ticket === wanted ? routeNow() : undefined));
  return rendering;
}

async function routeNow() {
  if (!world) return;
  header(world);
  const [, screen, id] = location.hash.split('/');
  announce(...takeAnnouncement());
  try {
    switch (screen) {
      case 'client': return await client.render(decodeURIComponent(id || ''), world);
      case 'caseload': return await find.caseload(world);
      case 'requests': return await requests.render(world);
      case 'access-log': return await accessLog.render(world, decodeURIComponent(id || ''));
      case 'intake': return await intake.render(world);
      case 'duplicates': return await duplicates.render(world);
      case 'mous': return mous.render(world);
      case 'audit': return await audit.render(decodeURIComponent(id || ''), world);
      case 'beds': return await beds.render(world);
      default: return find.render(world);
    }
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
      signOut();
      world = null;
      announce('Your sign-in has ended; please sign in again.', 'error');
      return boot();
    }
    show('Something went wrong', h('p', {}, e.message));
  }
}

async function boot() {
  const options = await (await fetch('/app/sign-in.json')).json();
  await signin.finishProvider(options);
  if (!session()) {
    world = null;
    document.getElementById('top').replaceChildren(h('span', { class: 'brand' }, 'caseledger'));
    signin.render(options, boot);
    return;
  }
  try {
    world = await loadWorld();
  } catch (e) {
    signOut();
    announce(`Could not sign in: ${e.message}`, 'error');
    signin.render(options, boot);
    return;
  }
  if (!location.hash) history.replaceState(null, '', '#/find');
  await route();
}

// The skip link moves focus to the main region; following its `#main` would be taken for a
// screen by the fragment router.
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});

window.addEventListener('hashchange', route);
boot();
