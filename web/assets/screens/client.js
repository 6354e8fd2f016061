// The client page: profile, information release and security, enrollments, services,
// documents and case notes, each record with the words saying why the user sees it, and the
// work the user may do here (record a service; update the address where they may edit; an
// agency administrator's client record request).

import { h, show, field, table, facts, date, announce, select, today, rerender } from '../dom.js';
import { gql } from '../api.js';
import { why, canEdit } from '../access.js';
import { listedName } from './find.js';
import * as work from './client-work.js';

const ACCESS = 'access { level rule via }';
const RECORD = `id organizationId restriction ${ACCESS}`;

const ELEMENTS = 'file elements { item code words flag number date text }';

const CLIENT = `query ClientPage($id: ID!) {
  client(id: $id) {
    id idOnly identifiersErased restriction organizationId ${ACCESS}
    firstName middleName lastName nameSuffix ssn dob
    raceEthnicityWords sexWords veteranStatusWords
    hudElements { ${ELEMENTS} }
    address { line1 line2 city state zip }
    mouAssignments { id mouId window { start end } }
    releaseExceptions { id grantingOrganizationId accessingOrganizationId window { start end } }
    enrollments { ${RECORD} programId entryDate exitDate hudElements { ${ELEMENTS} } }
    services { ${RECORD} enrollmentId date recordTypeWords typeProvidedWords description }
    documents { ${RECORD} name documentType date }
    caseNotes { ${RECORD} date text }
    assessments { ${RECORD} date kind }
    checkIns { ${RECORD} facilityId date checkedOutAt checkOutDate }
    households { id headClientId members { clientId relationshipToHoH joined left } }
  }
  programs { id name projectTypeWords organizationId }
  destinations: hudList(number: "3.12.1") { code words fy2026 }
  relationships: hudList(number: "3.15.1") { code words }
}`;

const ASSESSMENTS = {
  GENERAL: 'General', HEALTH: 'Health', SUBSTANCE_USE: 'Substance use', LEGAL: 'Legal',
  DOMESTIC_VIOLENCE: 'Domestic violence', INCOME_BENEFITS: 'Income and benefits',
  DISABILITIES: 'Disabilities', EMPLOYMENT_EDUCATION: 'Employment and education',
};

const CLIENT_RESTRICTIONS = {
  RESTRICT_TO_ORGANIZATION: 'Only the agency that entered it',
  SHARE_WITH_MOU: 'Agencies the client is shared with through an MOU or a release',
  SHARE_GLOBALLY: 'Every participating agency',
};

const RECORD_RESTRICTIONS = {
  UNRESTRICTED: "Shared as the client is",
  RESTRICT_TO_ORGANIZATION: 'Only the agency that entered it',
  RESTRICT_TO_USER: 'Only the person who entered it',
};

function editBadge(access) {
  return canEdit(access)
    ? h('span', { class: 'badge edit' }, 'You may edit')
    : h('span', { class: 'badge readonly' }, 'Cannot Edit Data');
}

function whyCell(record, client, world) {
  return why(record.access, record.organizationId, client, world);
}

/** A record the user may edit can be voided ("entered in error"), saying why. */
function voidCell(record, reload) {
  if (!canEdit(record.access)) return h('span', { class: 'badge readonly' }, 'Cannot Edit Data');
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  return h('details', { class: 'void' }, h('summary', {}, 'Void…'),
    h('form', { onsubmit: async (event) => {
      event.preventDefault();
      try {
        await gql('mutation($r: ID!, $why: String!) { voidRecord(recordId: $r, reason: $why) { position } }', { r: record.id, why: reason.value });
        announce('Record voided.');
        reload();
      } catch (e) {
        announce(e.field ? `Not voided: ${e.message} (${e.field})` : `Not voided: ${e.message}`, 'error');
      }
    } }, field('Why it was entered in error', reason), h('button', { type: 'submit' }, 'Void record')));
}

/** The owner's controls of who may see the client: restriction, MOU assignment, releases. */
function securityForms(client, world, reload) {
  const act = async (mutation, vars, done) => {
    try {
      await gql(mutation, vars);
      announce(done);
      reload();
    } catch (e) {
      announce(e.field ? `Not changed: ${e.message} (${e.field})` : `Not changed: ${e.message}`, 'error');
    }
  };
  const restriction = select('restriction', Object.entries(CLIENT_RESTRICTIONS), client.restriction);
  const mou = select('mouId', [...world.mous.values()].map((m) => [m.id, `${m.number} ${m.title}`]), [...world.mous.keys()][0]);
  const mouStart = h('input', { name: 'start', type: 'date', value: today() });
  const others = [...world.organizations].filter(([id]) => id !== world.me.organization.id);
  const releaseTo = select('accessingOrganizationId', others, others[0]?.[0]);
  const releaseStart = h('input', { name: 'releaseStart', type: 'date', value: today() });
  const releaseEnd = h('input', { name: 'releaseEnd', type: 'date' });
  return h('div', { class: 'security-forms' },
    h('form', { class: 'inline-form', onsubmit: (event) => { event.preventDefault(); act('mutation($c: ID!, $r: ClientRestrictionName!) { setClientRestriction(clientId: $c, restriction: $r) { position } }', { c: client.id, r: restriction.value }, 'Restriction changed.'); } },
      h('fieldset', {}, h('legend', {}, 'Change who may see this client'), field('Who may see this client', restriction), h('button', { type: 'submit' }, 'Save restriction'))),
    h('form', { class: 'inline-form', onsubmit: (event) => { event.preventDefault(); act('mutation($c: ID!, $m: ID!, $s: String) { assignMou(clientId: $c, mouId: $m, start: $s) { position } }', { c: client.id, m: mou.value, s: mouStart.value || null }, 'Assigned to the MOU.'); } },
      h('fieldset', {}, h('legend', {}, 'Assign to an MOU'), field('MOU', mou), field('From', mouStart), h('button', { type: 'submit' }, 'Assign'))),
    h('form', { class: 'inline-form', onsubmit: (event) => { event.preventDefault(); act('mutation($c: ID!, $o: ID!, $s: String, $e: String) { grantReleaseException(clientId: $c, accessingOrganizationId: $o, start: $s, end: $e) { position } }', { c: client.id, o: releaseTo.value, s: releaseStart.value || null, e: releaseEnd.value || null }, 'Release of information recorded.'); } },
      h('fieldset', {}, h('legend', {}, 'Release to another agency'), field('Agency', releaseTo), field('From', releaseStart), field('To', releaseEnd, 'Leave empty for no end'), h('button', { type: 'submit' }, 'Grant release'))));
}

function address(a) {
  if (!a) return 'Not given';
  return [a.line1, a.line2, a.city, a.state, a.zip].filter(Boolean).join(', ');
}

function addressForm(client, reload) {
  const a = client.address || {};
  const inputs = Object.fromEntries(['line1', 'line2', 'city', 'state', 'zip'].map((k) => [k, h('input', { name: k, value: a[k] || '', autocomplete: 'off' })]));
  return h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const address = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value.trim()]));
      await gql('mutation($c: ID!, $a: AddressInput) { updateClientAddress(clientId: $c, address: $a) { position } }', { c: client.id, a: address });
      announce('Address updated.');
      reload();
    } catch (e) {
      announce(e.field ? `${e.message} (${e.field})` : e.message, 'error');
    }
  } },
  h('fieldset', {}, h('legend', {}, 'Update address'),
    field('Street', inputs.line1), field('Line 2', inputs.line2), field('City', inputs.city),
    field('State', inputs.state, 'Two letters'), field('ZIP code', inputs.zip),
    h('button', { type: 'submit' }, 'Save address')));
}

async function serviceForm(client, reload) {
  const types = (await gql('{ hudList(number: "1.4") { code words } }')).hudList;
  const dateInput = h('input', { name: 'date', type: 'date', value: today(), required: true });
  const recordType = select('recordType', types.map((t) => [t.code, t.words]), '144');
  const provided = h('select', { name: 'typeProvided' });
  const enrollment = select('enrollment', [['', 'None'], ...client.enrollments.filter((e) => !e.exitDate).map((e) => [e.id, e.programName])], '');
  const description = h('input', { name: 'description', autocomplete: 'off' });
  const fillProvided = async () => {
    const options = (await gql('query($t: Int!) { hudServiceTypes(recordType: $t) { code words } }', { t: Number(recordType.value) })).hudServiceTypes;
    provided.replaceChildren(...options.map((o) => h('option', { value: o.code }, o.words)));
  };
  recordType.addEventListener('change', fillProvided);
  await fillProvided();
  return h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const input = {
        clientId: client.id,
        date: dateInput.value,
        recordType: Number(recordType.value),
        typeProvided: Number(provided.value),
        description: description.value,
      };
      if (enrollment.value) input.enrollmentId = enrollment.value;
      await gql('mutation($i: RecordServiceInput!) { recordService(input: $i) { id position } }', { i: input });
      announce('Service recorded.');
      reload();
    } catch (e) {
      announce(e.field ? `Not recorded: ${e.message} (${e.field})` : `Not recorded: ${e.message}`, 'error');
    }
  } },
  h('fieldset', {}, h('legend', {}, 'Record a service'),
    field('Date provided', dateInput), field('Kind of service', recordType), field('Service provided', provided),
    field('Under enrollment', enrollment), field('Description', description),
    h('button', { type: 'submit', class: 'primary' }, 'Record service')));
}

function recordRequestForm(client) {
  const method = select('deliveryMethod', [['IN_PERSON_PICKUP', 'In-person pickup'], ['ENCRYPTED_EMAIL', 'Encrypted email']], 'IN_PERSON_PICKUP');
  return h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      const data = await gql('mutation($c: ID!, $m: DeliveryMethodName!) { submitClientRecordRequest(clientId: $c, deliveryMethod: $m) { request { id dueDate } } }', { c: client.id, m: method.value });
      announce(`Client record request submitted; the help desk's due date is ${date(data.submitClientRecordRequest.request.dueDate)}.`);
    } catch (e) {
      announce(e.field ? `Not submitted: ${e.message} (${e.field})` : `Not submitted: ${e.message}`, 'error');
    }
  } },
  h('fieldset', {}, h('legend', {}, 'Client record request'),
    h('p', {}, 'The client asked to see their record. The help desk produces the dashboard within five business days.'),
    field('Delivery', method),
    h('button', { type: 'submit' }, 'Submit record request')));
}

/** The client page. */
export async function render(id, world) {
  const data = await gql(CLIENT, { id });
  const client = data.client;
  if (!client) {
    // The same words whether the id was never used or names a client hidden from the user.
    show('Client not found', h('p', {}, `No client with HMIS ID ${id} is available to you.`), h('p', {}, h('a', { href: '#/find' }, 'Find Client')));
    return;
  }
  const programs = new Map(data.programs.map((p) => [p.id, p]));
  for (const e of client.enrollments) {
    e.programName = programs.get(e.programId)?.name || e.programId;
  }
  const reload = rerender;
  const isWorker = ['CASE_MANAGER', 'AGENCY_ADMIN'].includes(world.me.role);
  const destinations = data.destinations.filter((d) => d.fy2026).map((d) => [d.code, d.words]);
  const org = (id) => world.organizations.get(id) || id;
  const sections = [];
  sections.push(h('section', { class: 'why', 'aria-labelledby': 'why-heading' },
    h('h2', { id: 'why-heading' }, 'Why can I see this client?'),
    h('p', {}, why(client.access, client.organizationId, client, world)), editBadge(client.access)));

  if (!client.idOnly) {
    sections.push(h('section', { 'aria-labelledby': 'profile-heading' },
      h('h2', { id: 'profile-heading' }, 'Profile'),
      client.identifiersErased ? h('p', { class: 'none' }, "This client's identifiers were erased.") : null,
      facts([
        ['Name', [client.firstName, client.middleName, client.lastName, client.nameSuffix].filter(Boolean).join(' ')],
        ['Date of birth', date(client.dob) || 'Not given'],
        ['Social Security number', client.ssn || 'Not given'],
        ['Race and ethnicity', (client.raceEthnicityWords || []).join('; ') || 'Not given'],
        ['Sex', client.sexWords || 'Not given'],
        ['Veteran status', client.veteranStatusWords || ''],
        ['Address', address(client.address)],
        ['Entered by', org(client.organizationId)],
      ]),
      // Any agency that can see a client may update the address (DESIGN: address and
      // household members), even where the rest of the profile is "Cannot Edit Data".
      isWorker ? addressForm(client, reload) : null,
      canEdit(client.access) ? work.profileForm(client, reload) : null));
  }

  sections.push(h('section', { 'aria-labelledby': 'release-heading' },
    h('h2', { id: 'release-heading' }, 'Information Release and Security'),
    facts([['Who may see this client', CLIENT_RESTRICTIONS[client.restriction] || 'Not shown to you']]),
    table('MOU assignments', [
      ['MOU', (a) => { const m = world.mous.get(a.mouId); return m ? `${m.number} ${m.title}` : a.mouId; }],
      ['From', (a) => date(a.window.start)],
      ['To', (a) => a.window.end ? date(a.window.end) : 'Open'],
    ], client.mouAssignments),
    table('Release exceptions', [
      ['Shared by', (r) => org(r.grantingOrganizationId)],
      ['Shared with', (r) => org(r.accessingOrganizationId)],
      ['From', (r) => date(r.window.start)],
      ['To', (r) => r.window.end ? date(r.window.end) : 'Open'],
    ], client.releaseExceptions),
    canEdit(client.access) && ['CASE_MANAGER', 'AGENCY_ADMIN'].includes(world.me.role) ? securityForms(client, world, reload) : null));

  if (client.households.length) {
    const relationships = new Map(data.relationships.map((r) => [Number(r.code), r.words]));
    sections.push(h('section', { 'aria-labelledby': 'household-heading' },
      h('h2', { id: 'household-heading' }, 'Household'),
      client.households.map((hh) => table('Household members', [
        ['HMIS ID', (m) => m.clientId === client.id ? `${m.clientId} (this client)` : h('a', { href: `#/client/${encodeURIComponent(m.clientId)}` }, m.clientId)],
        ['Relationship to head of household', (m) => relationships.get(m.relationshipToHoH) || String(m.relationshipToHoH)],
        ['Joined', (m) => date(m.joined)],
        ['Left', (m) => m.left ? date(m.left) : ''],
      ], hh.members)),
      isWorker ? client.households.map((hh) => work.householdMemberForm(hh, [...relationships].map(([c, w]) => [String(c), w]), reload)) : null));
  }

  sections.push(h('section', { 'aria-labelledby': 'enrollments-heading' },
    h('h2', { id: 'enrollments-heading' }, 'Enrollments'),
    table('Enrollments and exits', [
      ['Program', (e) => e.programName, { sort: true }],
      ['Kind of program', (e) => programs.get(e.programId)?.projectTypeWords || ''],
      ['Agency', (e) => org(e.organizationId)],
      ['Entered', (e) => date(e.entryDate), { sort: true, key: (e) => e.entryDate }],
      ['Exited', (e) => e.exitDate ? date(e.exitDate) : 'Active'],
      ['Why you see it', (e) => whyCell(e, client, world)],
      ['Edit', (e) => canEdit(e.access)
        ? [e.exitDate ? null : work.exitForm(e, destinations, reload), work.correctEnrollmentForm(e, reload), voidCell(e, reload)]
        : voidCell(e, reload)],
    ], client.enrollments),
    isWorker ? work.enrollForm(client, data.programs, world, reload) : null));

  const services = h('section', { 'aria-labelledby': 'services-heading' },
    h('h2', { id: 'services-heading' }, 'Services'),
    table('Services provided', [
      ['Date', (s) => date(s.date), { sort: true, key: (s) => s.date }],
      ['Service', (s) => [s.recordTypeWords, s.typeProvidedWords].filter(Boolean).join(': ')],
      ['Agency', (s) => org(s.organizationId)],
      ['Description', (s) => s.description || ''],
      ['Why you see it', (s) => whyCell(s, client, world)],
      ['Edit', (s) => canEdit(s.access) ? [work.correctServiceForm(s, reload), voidCell(s, reload)] : voidCell(s, reload)],
    ], client.services));
  if (['CASE_MANAGER', 'AGENCY_ADMIN'].includes(world.me.role)) {
    services.append(await serviceForm(client, reload));
  }
  sections.push(services);

  sections.push(h('section', { 'aria-labelledby': 'assessments-heading' },
    h('h2', { id: 'assessments-heading' }, 'Assessments'),
    table('Assessments', [
      ['Date', (a) => date(a.date), { sort: true, key: (a) => a.date }],
      ['Kind', (a) => ASSESSMENTS[a.kind] || a.kind],
      ['Agency', (a) => org(a.organizationId)],
      ['Who may see it', (a) => RECORD_RESTRICTIONS[a.restriction] || ''],
      ['Why you see it', (a) => whyCell(a, client, world)],
    ], client.assessments)));

  sections.push(h('section', { 'aria-labelledby': 'stays-heading' },
    h('h2', { id: 'stays-heading' }, 'Shelter stays'),
    table('Check-ins', [
      ['Night of', (c) => date(c.date)],
      ['Agency', (c) => org(c.organizationId)],
      ['Checked out', (c) => c.checkedOutAt ? date(c.checkOutDate) : canEdit(c.access)
        ? h('button', { type: 'button', onclick: async () => {
          try {
            await gql('mutation($c: ID!, $s: ID!) { checkOut(clientId: $c, checkInId: $s) { id } }', { c: client.id, s: c.id });
            announce('Checked out.');
            reload();
          } catch (e) {
            announce(`Not checked out: ${e.message}`, 'error');
          }
        } }, 'Check out')
        : 'Staying'],
      ['Why you see it', (c) => whyCell(c, client, world)],
    ], client.checkIns)));

  sections.push(h('section', { 'aria-labelledby': 'documents-heading' },
    h('h2', { id: 'documents-heading' }, 'Documents'),
    table('Documents', [
      ['Document', (d) => d.name || '[erased]'],
      ['Type', (d) => d.documentType],
      ['Date', (d) => date(d.date)],
      ['Agency', (d) => org(d.organizationId)],
      ['Who may see it', (d) => RECORD_RESTRICTIONS[d.restriction] || ''],
      ['Why you see it', (d) => whyCell(d, client, world)],
      ['Edit', (d) => canEdit(d.access) ? [work.correctDocumentForm(d, reload), voidCell(d, reload)] : voidCell(d, reload)],
    ], client.documents),
    isWorker ? work.documentForm(client, reload) : null));

  sections.push(h('section', { 'aria-labelledby': 'notes-heading' },
    h('h2', { id: 'notes-heading' }, 'Case notes'),
    table('Case notes', [
      ['Date', (n) => date(n.date)],
      ['Note', (n) => n.text || '[erased]'],
      ['Agency', (n) => org(n.organizationId)],
      ['Why you see it', (n) => whyCell(n, client, world)],
      ['Edit', (n) => canEdit(n.access) ? [work.correctCaseNoteForm(n, reload), voidCell(n, reload)] : voidCell(n, reload)],
    ], client.caseNotes),
    isWorker ? work.caseNoteForm(client, reload) : null));

  const elements = [
    ...client.hudElements.flatMap((row) => row.elements.map((e) => ({ ...e, of: 'Client' }))),
    ...client.enrollments.flatMap((en) => en.hudElements.flatMap((row) => row.elements.map((e) => ({ ...e, of: `${en.programName} (${row.file})` })))),
  ];
  sections.push(h('section', { 'aria-labelledby': 'elements-heading' },
    h('h2', { id: 'elements-heading' }, 'HUD data elements'),
    table('Other HUD data elements', [
      ['Of', (e) => e.of],
      ['Element', (e) => e.item],
      ['Value', (e) => e.words ?? (e.code ?? (e.flag === null || e.flag === undefined ? null : e.flag ? 'Yes' : 'No') ?? (e.date ? date(e.date) : null) ?? e.number ?? e.text ?? '')],
    ], elements)));

  if (world.me.role === 'AGENCY_ADMIN') sections.push(recordRequestForm(client));
  show(listedName(client), h('p', { class: 'subtitle' }, `HMIS ID ${client.id}`), sections);
}
