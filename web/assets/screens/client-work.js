// The work a case manager does on a client's page besides recording a service: enroll and
// exit, add a case note or a document, correct a profile they may edit, add a household
// member, correct a service. Each form says exactly what was refused (the field and why), and
// the record restriction offered first is the CoC's default for that kind of record.

import { h, field, today, announce, select, folded } from '../dom.js';
import { gql } from '../api.js';

/** The restrictions of a record, the CoC's default (the API's, when none is sent) first. */
function restrictionSelect(defaultWords) {
  return select('restriction', [
    ['', defaultWords],
    ['UNRESTRICTED', 'Shared as the client is'],
    ['RESTRICT_TO_ORGANIZATION', 'Only my agency'],
    ['RESTRICT_TO_USER', 'Only me'],
  ], '');
}

/** A form that runs `mutation` with `vars()` and reloads the page, or says what was refused. */
function work(legend, fields, button, run, done, reload) {
  return folded(legend, h('form', { class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await run();
      announce(done);
      reload();
    } catch (e) {
      announce(e.field ? `Not saved: ${e.message} (${e.field})` : `Not saved: ${e.message}`, 'error');
    }
  } }, h('fieldset', {}, h('legend', {}, legend.replace(/…$/, '')), fields, h('button', { type: 'submit', class: 'primary' }, button))));
}

/** Enroll the client in one of the user's agency's programs. */
export function enrollForm(client, programs, world, reload) {
  const mine = programs.filter((p) => p.organizationId === world.me.organization.id);
  if (!mine.length) return null;
  const program = select('programId', mine.map((p) => [p.id, `${p.name} (${p.projectTypeWords})`]), mine[0].id);
  const entry = h('input', { name: 'entryDate', type: 'date', value: today(), required: true });
  const restriction = restrictionSelect("The CoC's default for enrollments");
  return work('Enroll in a program…', [field('Program', program), field('Project start', entry), field('Who may see it', restriction)], 'Enroll',
    () => {
      const input = { clientId: client.id, programId: program.value, entryDate: entry.value };
      if (restriction.value) input.restriction = restriction.value;
      return gql('mutation($i: EnrollClientInput!) { enrollClient(input: $i) { id } }', { i: input });
    }, 'Enrolled.', reload);
}

/** Exit an active enrollment the user may edit, with HUD's destinations. */
export function exitForm(enrollment, destinations, reload) {
  const date = h('input', { name: 'exitDate', type: 'date', value: today(), required: true });
  const destination = select('destination', [['', 'Not asked yet'], ...destinations], '');
  return work('Exit…', [field('Project exit', date), field('Destination', destination)], 'Exit',
    () => {
      const input = { enrollmentId: enrollment.id, exitDate: date.value };
      if (destination.value) input.destination = Number(destination.value);
      return gql('mutation($i: ExitEnrollmentInput!) { exitEnrollment(input: $i) { position } }', { i: input });
    }, 'Exited.', reload);
}

/** Add a case note (restricted to the agency by default, as the seeds keep them). */
export function caseNoteForm(client, reload) {
  const text = h('textarea', { name: 'text', rows: 3, required: true });
  const restriction = restrictionSelect("The CoC's default for case notes (only my agency)");
  return work('Add a case note…', [field('Note', text), field('Who may see it', restriction)], 'Add note',
    () => gql('mutation($c: ID!, $t: String!, $r: TransactionRestrictionName) { addCaseNote(clientId: $c, text: $t, restriction: $r) { id } }',
      { c: client.id, t: text.value, r: restriction.value || null }), 'Case note added.', reload);
}

/** Record a document uploaded for the client (its name and type). */
export function documentForm(client, reload) {
  const name = h('input', { name: 'name', autocomplete: 'off', required: true });
  const type = h('input', { name: 'documentType', autocomplete: 'off', required: true });
  const restriction = restrictionSelect("The CoC's default for documents");
  return work('Add a document…', [field('Document name', name), field('Type of document', type, 'For example: Lease, ID, Income verification'), field('Who may see it', restriction)], 'Add document',
    () => {
      const input = { clientId: client.id, name: name.value, documentType: type.value };
      if (restriction.value) input.restriction = restriction.value;
      return gql('mutation($i: AddDocumentInput!) { addDocument(input: $i) { id } }', { i: input });
    }, 'Document added.', reload);
}

/** Correct the profile's name and date of birth, where the user may edit the client. */
export function profileForm(client, reload) {
  const first = h('input', { name: 'firstName', value: client.firstName || '', autocomplete: 'off' });
  const last = h('input', { name: 'lastName', value: client.lastName || '', autocomplete: 'off' });
  const dob = h('input', { name: 'dob', type: 'date', value: client.dob || '' });
  return work('Correct the profile…', [field('First name', first), field('Last name', last), field('Date of birth', dob)], 'Save profile',
    () => {
      const input = { firstName: first.value.trim(), lastName: last.value.trim() };
      if (dob.value) input.dob = dob.value;
      return gql('mutation($c: ID!, $i: UpdateIntakeInput!) { updateClientIntake(clientId: $c, input: $i) { position } }', { c: client.id, i: input });
    }, 'Profile saved.', reload);
}

/** Correct a service the user may edit, saying why. */
export function correctServiceForm(service, reload) {
  const date = h('input', { name: 'date', type: 'date', value: service.date });
  const description = h('input', { name: 'description', value: service.description || '', autocomplete: 'off' });
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  return work('Correct…', [field('Date provided', date), field('Description', description), field('Why it is corrected', reason)], 'Save correction',
    () => gql('mutation($i: CorrectServiceInput!) { correctService(input: $i) { position } }',
      { i: { serviceId: service.id, date: date.value, description: description.value, reason: reason.value } }), 'Service corrected.', reload);
}

/** Add a member to a household the user can see (a shared client's too). */
export function householdMemberForm(household, relationships, reload) {
  const id = h('input', { name: 'clientId', autocomplete: 'off', required: true });
  const relation = select('relationshipToHoH', relationships.filter(([code]) => code !== '1'), relationships.find(([code]) => code === '2')?.[0]);
  return work('Add a household member…', [field('HMIS ID', id), field('Relationship to head of household', relation)], 'Add member',
    () => gql('mutation($h: ID!, $c: ID!, $r: Int!) { addHouseholdMember(householdId: $h, clientId: $c, relationshipToHoH: $r) { position } }',
      { h: household.id, c: id.value.trim(), r: Number(relation.value) }), 'Member added.', reload);
}

/** Correct a case note's text or date, saying why (the earlier text stays in its history). */
export function correctCaseNoteForm(note, reload) {
  const date = h('input', { name: 'date', type: 'date', value: note.date });
  const text = h('textarea', { name: 'text', rows: 3 });
  text.value = note.text || '';
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  return work('Correct…', [field('Date', date), field('Note', text), field('Why it is corrected', reason)], 'Save correction',
    () => gql('mutation($i: CorrectCaseNoteInput!) { correctCaseNote(input: $i) { position } }',
      { i: { noteId: note.id, date: date.value, text: text.value, reason: reason.value } }), 'Case note corrected.', reload);
}

/** Correct a document's name or date, saying why. */
export function correctDocumentForm(doc, reload) {
  const date = h('input', { name: 'date', type: 'date', value: doc.date });
  const name = h('input', { name: 'name', value: doc.name || '', autocomplete: 'off' });
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  return work('Correct…', [field('Document name', name), field('Date', date), field('Why it is corrected', reason)], 'Save correction',
    () => gql('mutation($i: CorrectDocumentInput!) { correctDocument(input: $i) { position } }',
      { i: { documentId: doc.id, date: date.value, name: name.value, reason: reason.value } }), 'Document corrected.', reload);
}

/** Correct an enrollment's project start, saying why. */
export function correctEnrollmentForm(enrollment, reload) {
  const entry = h('input', { name: 'entryDate', type: 'date', value: enrollment.entryDate });
  const reason = h('input', { name: 'reason', autocomplete: 'off', required: true });
  return work('Correct…', [field('Project start', entry), field('Why it is corrected', reason)], 'Save correction',
    () => gql('mutation($i: CorrectEnrollmentInput!) { correctEnrollment(input: $i) { position } }',
      { i: { enrollmentId: enrollment.id, entryDate: entry.value, reason: reason.value } }), 'Enrollment corrected.', reload);
}
