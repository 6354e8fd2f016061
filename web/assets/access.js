// "Why can I see this?": every client and record the API answers carries its access (level,
// rule, and the MOU, release or request it went through). This says it in words, naming the
// agency that shared it and since when. It only ever explains what the API already showed:
// a client the viewer may not see never reaches the page, so nothing here can hint at one.

import { date } from './dom.js';

const ROLES = {
  CASE_MANAGER: 'Case manager',
  AGENCY_ADMIN: 'Agency administrator',
  SYSTEM_ADMIN: 'System administrator',
  HELP_DESK: 'Help desk',
  AUDITOR: 'Auditor',
};

const RULES = {
  OWN_ORGANIZATION: 'Own agency', OWN_USER: 'Own record', GLOBAL_SHARE: 'Shared with all agencies',
  MOU: 'MOU', RELEASE_EXCEPTION: 'Release exception', SYSTEM_ADMINISTRATOR: 'System administrator',
  HELP_DESK: 'Help desk', AUDITOR: 'Auditor', OPEN_INTAKE: 'Open intake',
  OPEN_ENROLLMENT_SUMMARY: 'Open enrollment summary', CLIENT_RECORD_REQUEST: 'Client record request',
};

/** A sharing rule as people name it. */
export function ruleName(rule) {
  return RULES[rule] || rule;
}

/** A role as people name it. */
export function roleName(role) {
  return ROLES[role] || role;
}

/**
 * The sentence for `access` of a record owned by `ownerId`; `client` (when the record is a
 * client's or belongs to one) supplies the MOU assignment and release windows; `world` holds
 * the organizations and MOUs by id and who is signed in.
 */
export function why(access, ownerId, client, world) {
  if (!access) return 'You see this client by HMIS id only: its profile is not shared with you.';
  const owner = world.organizations.get(ownerId) || 'another agency';
  const mine = world.me.organization.id;
  switch (access.rule) {
    case 'OWN_ORGANIZATION':
      return ownerId === mine || !ownerId
        ? `Entered by your agency, ${world.me.organization.name}.`
        : `Your agency, ${world.me.organization.name}, created this client; ${owner} entered this record.`;
    case 'OWN_USER':
      return 'You recorded it, and it is restricted to you.';
    case 'GLOBAL_SHARE':
      return `Shared with all agencies by ${owner}.`;
    case 'MOU': {
      const mou = world.mous.get(access.via);
      const number = mou ? `MOU ${mou.number}` : 'an MOU';
      const assignment = client?.mouAssignments?.find((a) => a.mouId === access.via);
      const since = assignment ? `, from ${date(assignment.window.start)}` : mou ? `, from ${date(mou.window.start)}` : '';
      return `Shared with you through ${number} by ${owner}${since}.`;
    }
    case 'RELEASE_EXCEPTION': {
      const release = client?.releaseExceptions?.find((r) => r.id === access.via);
      const since = release ? `, from ${date(release.window.start)}${release.window.end ? ` to ${date(release.window.end)}` : ''}` : '';
      return `${owner} released it to your agency with the client's consent${since}.`;
    }
    case 'SYSTEM_ADMINISTRATOR':
      return 'You administer the HMIS: you see every client, and every read is recorded.';
    case 'HELP_DESK':
      return 'You are on the HMIS help desk, working a client record request.';
    case 'AUDITOR':
      return 'You are an HMIS auditor: you read records to audit them, and every read is recorded.';
    case 'OPEN_INTAKE':
      return "The CoC's open-intake policy shares every client's profile with every agency.";
    case 'OPEN_ENROLLMENT_SUMMARY':
      return "The CoC's open-intake policy shares a summary of every enrollment.";
    case 'CLIENT_RECORD_REQUEST':
      return 'An open client record request lets you see it.';
    default:
      return access.rule;
  }
}

/** "You may edit this." or "Cannot Edit Data", as ClientTrack's users know it. */
export function canEdit(access) {
  return access?.level === 'EDIT';
}
