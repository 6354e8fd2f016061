// The client page: profile, information release and security, enrollments, services,
// documents and case notes, each record with the words saying why the user sees it, and the
// work the user may do here (record a service; update the address where they may edit; an
// agency administrator's client record request).

import { h, show, field, table, facts, date, announce, select, today } from '../dom.js';
import { gql } from '../api.js';
import { why, canEdit } from '../access.js';
import { listedName } from './find.js';

const ACCESS = 'access { level rule via }';
const RECORD = `id organizationId restriction ${ACCESS}`;

const CLIENT = `query($id: ID!) {
  client(id: $id) {
    id idOnly identifiersErased restriction organizationId ${ACCESS}
    firstName middleName lastName nameSuffix ssn dob
    raceEthnicityWords sexWords veteranStatusWords
    address { line1 line2 city state zip }
    mouAssignments { id mouId window { start end } }
    releaseExceptions { id grantingOrganizationId accessingOrganizationId window { start end } }
    enrollments { ${RECORD} programId entryDate exitDate }
    services { ${RECORD} enrollmentId date recordTypeWords typeProvidedWords description }
    documents { ${RECORD} name documentType date }
    caseNotes { ${RECORD} date text }
  }
  programs { id name projectTypeWords }
}`;

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
  const reload = () => render(id, world);
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
      canEdit(client.access) ? addressForm(client, reload) : null));
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
    ], client.releaseExceptions)));

  sections.push(h('section', { 'aria-labelledby': 'enrollments-heading' },
    h('h2', { id: 'enrollments-heading' }, 'Enrollments'),
    table('Enrollments and exits', [
      ['Program', (e) => e.programName, { sort: true }],
      ['Kind of program', (e) => programs.get(e.programId)?.projectTypeWords || ''],
      ['Agency', (e) => org(e.organizationId)],
      ['Entered', (e) => date(e.entryDate), { sort: true, key: (e) => e.entryDate }],
      ['Exited', (e) => e.exitDate ? date(e.exitDate) : 'Active'],
      ['Why you see it', (e) => whyCell(e, client, world)],
    ], client.enrollments)));

  const services = h('section', { 'aria-labelledby': 'services-heading' },
    h('h2', { id: 'services-heading' }, 'Services'),
    table('Services provided', [
      ['Date', (s) => date(s.date), { sort: true, key: (s) => s.date }],
      ['Service', (s) => [s.recordTypeWords, s.typeProvidedWords].filter(Boolean).join(': ')],
      ['Agency', (s) => org(s.organizationId)],
      ['Description', (s) => s.description || ''],
      ['Why you see it', (s) => whyCell(s, client, world)],
    ], client.services));
  if (['CASE_MANAGER', 'AGENCY_ADMIN'].includes(world.me.role)) {
    services.append(await serviceForm(client, reload));
  }
  sections.push(services);

  sections.push(h('section', { 'aria-labelledby': 'documents-heading' },
    h('h2', { id: 'documents-heading' }, 'Documents'),
    table('Documents', [
      ['Document', (d) => d.name || '[erased]'],
      ['Type', (d) => d.documentType],
      ['Date', (d) => date(d.date)],
      ['Agency', (d) => org(d.organizationId)],
      ['Who may see it', (d) => RECORD_RESTRICTIONS[d.restriction] || ''],
      ['Why you see it', (d) => whyCell(d, client, world)],
    ], client.documents)));

  sections.push(h('section', { 'aria-labelledby': 'notes-heading' },
    h('h2', { id: 'notes-heading' }, 'Case notes'),
    table('Case notes', [
      ['Date', (n) => date(n.date)],
      ['Note', (n) => n.text || '[erased]'],
      ['Agency', (n) => org(n.organizationId)],
      ['Why you see it', (n) => whyCell(n, client, world)],
    ], client.caseNotes)));

  if (world.me.role === 'AGENCY_ADMIN') sections.push(recordRequestForm(client));
  show(listedName(client), h('p', { class: 'subtitle' }, `HMIS ID ${client.id}`), sections);
}
