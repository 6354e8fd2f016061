//! Scenario tests of the reference sharing evaluator, written from the seeds:
//! `seeds/hprp-sharing-mou-0001.txt` (the Stanislaus County HPRP MOU 0001),
//! `seeds/hmis-data-sharing-policy.txt` (the `open-intake` policy) and the "ClientTrack
//! Security" chapter of `seeds/clienttrack-user-guide.txt`, against DESIGN.md's normative
//! sharing rules and the conventions documented in `core/src/sharing/reference.rs`.
//!
//! Each scenario builds a history with `caseledger_core::testkit` and checks a table of
//! (viewer, record, date) → (access level, reason) rows; a failure lists every failing row
//! with its line number.

#[path = "sharing_scenarios/table.rs"]
mod table;

use caseledger_core::hud::ProjectType;
use caseledger_core::sharing::PolicyRule;
use caseledger_core::sharing::{RecordRef, Visibility, visibility};
use caseledger_core::testkit::{AsRecordRef, HistoryBuilder, POLICY_DEFAULT, date, window};
use caseledger_core::{
    AccessReason as R, AssessmentKind, ClientId, ClientRestriction, EnrollmentId, MouDirection,
    MouId, OrganizationId, ProgramId, Role, SharingPolicy, TransactionRestriction, UserId,
};
use table::{NONE, Table, edit, read};

const UNRESTRICTED: TransactionRestriction = TransactionRestriction::Unrestricted;
const TX_RESTRICT_TO_ORG: TransactionRestriction = TransactionRestriction::RestrictToOrganization;
const RESTRICT_TO_USER: TransactionRestriction = TransactionRestriction::RestrictToUser;

const SHARE_WITH_MOU: ClientRestriction = ClientRestriction::ShareWithMou;
const SHARE_GLOBALLY: ClientRestriction = ClientRestriction::ShareGlobally;
const RESTRICT_TO_ORG: ClientRestriction = ClientRestriction::RestrictToOrganization;

/// The Stanislaus County HPRP deployment of the MOU 0001 seed: four agencies that share both
/// ways, two governments that only receive, an agency outside the MOU, and the CoC lead's
/// staff. MOU 0001 is active from 2011-06-01 through 2012-09-30 (the end of HPRP funding).
struct Hprp {
    h: HistoryBuilder,
    /// Children's Crisis Center.
    ccc: OrganizationId,
    /// Community Housing and Shelter Services.
    chss: OrganizationId,
    /// Modesto Gospel Mission: not part of MOU 0001.
    mission: OrganizationId,
    /// A CCC case manager.
    ccc_cm: UserId,
    /// Another CCC case manager.
    ccc_colleague: UserId,
    /// CCC's agency administrator.
    ccc_admin: UserId,
    chss_cm: UserId,
    scap_cm: UserId,
    we_care_cm: UserId,
    city_cm: UserId,
    county_cm: UserId,
    mission_cm: UserId,
    /// System administrator of the CoC lead.
    sysadmin: UserId,
    /// Help desk of the CoC lead.
    help_desk: UserId,
    /// Auditor of the CoC lead.
    auditor: UserId,
    mou_0001: MouId,
    ccc_hprp: ProgramId,
    chss_hprp: ProgramId,
    scap_hprp: ProgramId,
    we_care_hprp: ProgramId,
    city_hprp: ProgramId,
    mission_shelter: ProgramId,
}

fn hprp() -> Hprp {
    let mut h = HistoryBuilder::new(
        SharingPolicy::clienttrack("America/Los_Angeles"),
        date("2011-01-01"),
    );
    let lead = h.coc_lead("Stanislaus CoC HMIS Lead");
    let ccc = h.organization("Children's Crisis Center");
    let chss = h.organization("Community Housing and Shelter Services");
    let scap = h.organization("Stanislaus Community Assistance Project");
    let we_care = h.organization("We Care");
    let city = h.organization("City of Modesto");
    let county = h.organization("Stanislaus County");
    let mission = h.organization("Modesto Gospel Mission");
    let mou_0001 = h.mou(
        "0001",
        &[
            (ccc, MouDirection::Both),
            (chss, MouDirection::Both),
            (scap, MouDirection::Both),
            (we_care, MouDirection::Both),
            (city, MouDirection::Receives),
            (county, MouDirection::Receives),
        ],
        window("2011-06-01", Some("2012-09-30")),
    );
    let rrh = ProjectType::RapidReHousing;
    let prevention = ProjectType::HomelessnessPrevention;
    Hprp {
        ccc_cm: h.user(ccc, Role::CaseManager),
        ccc_colleague: h.user(ccc, Role::CaseManager),
        ccc_admin: h.user(ccc, Role::AgencyAdmin),
        chss_cm: h.user(chss, Role::CaseManager),
        scap_cm: h.user(scap, Role::CaseManager),
        we_care_cm: h.user(we_care, Role::CaseManager),
        city_cm: h.user(city, Role::CaseManager),
        county_cm: h.user(county, Role::CaseManager),
        mission_cm: h.user(mission, Role::CaseManager),
        sysadmin: h.user(lead, Role::SystemAdmin),
        help_desk: h.user(lead, Role::HelpDesk),
        auditor: h.user(lead, Role::Auditor),
        ccc_hprp: h.program(ccc, "CCC HPRP Rapid Re-Housing", rrh),
        chss_hprp: h.program(chss, "CHSS HPRP Rapid Re-Housing", rrh),
        scap_hprp: h.program(scap, "SCAP HPRP Homelessness Prevention", prevention),
        we_care_hprp: h.program(we_care, "We Care HPRP Rapid Re-Housing", rrh),
        city_hprp: h.program(city, "City of Modesto HPRP Prevention", prevention),
        mission_shelter: h.program(
            mission,
            "Modesto Gospel Mission Emergency Shelter",
            ProjectType::EmergencyShelterNightByNight,
        ),
        ccc,
        chss,
        mission,
        mou_0001,
        h,
    }
}

/// MOU 0001: the four agencies and the two receivers see a client shared to the MOU and its
/// unrestricted transactions; the outsider sees nothing; a receiver's client is not shared
/// out; windows are inclusive at both ends.
#[test]
fn hprp_mou_0001() {
    let Hprp {
        mut h,
        ccc,
        ccc_cm,
        chss_cm,
        scap_cm,
        we_care_cm,
        city_cm,
        county_cm,
        mission_cm,
        mou_0001: mou,
        ccc_hprp,
        we_care_hprp,
        city_hprp,
        ..
    } = hprp();

    // CCC takes Maria's intake, shares it to MOU 0001 from 06/15/2011 (the seed's screen).
    let maria = h.intake_named(ccc_cm, "Maria", "Delgado", SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, maria, mou, window("2011-06-15", None));
    h.on(date("2011-06-20"));
    let ccc_enrollment = h.enroll(ccc_cm, maria, ccc_hprp, date("2011-06-20"), UNRESTRICTED);
    let ccc_service = h.service(ccc_cm, maria, Some(ccc_enrollment), UNRESTRICTED);
    let ccc_note = h.case_note(
        ccc_cm,
        maria,
        "Landlord agreed to a payment plan.",
        POLICY_DEFAULT,
    );
    let ccc_health = h.assessment(ccc_cm, maria, AssessmentKind::Health, POLICY_DEFAULT);
    let ccc_income = h.assessment(
        ccc_cm,
        maria,
        AssessmentKind::IncomeBenefits,
        POLICY_DEFAULT,
    );
    let ccc_bar = h.bar(
        ccc_cm,
        maria,
        window("2011-06-20", Some("2011-07-20")),
        POLICY_DEFAULT,
    );
    let shelter = h.facility(ccc, "CCC Family Shelter");
    let bed = h.bed(shelter, "F-3");
    let ccc_reservation = h.reserve(ccc_cm, maria, bed, POLICY_DEFAULT);
    // We Care (grants) and the City (only receives) record enrollments of their own for Maria.
    let we_care_enrollment = h.enroll(
        we_care_cm,
        maria,
        we_care_hprp,
        date("2011-06-22"),
        UNRESTRICTED,
    );
    let city_enrollment = h.enroll(city_cm, maria, city_hprp, date("2011-06-22"), UNRESTRICTED);

    // The City of Modesto (a receiver) takes Robert's intake and shares it to MOU 0001.
    let robert = h.intake_named(city_cm, "Robert", "Castillo", SHARE_WITH_MOU);
    h.assign_mou(city_cm, robert, mou, window("2011-06-15", None));
    let robert_enrollment = h.enroll(city_cm, robert, city_hprp, date("2011-06-22"), UNRESTRICTED);

    // SCAP assigns Lupe before the MOU begins (2011-06-01), through the end of 2011.
    let lupe = h.intake_named(scap_cm, "Lupe", "Ramirez", SHARE_WITH_MOU);
    h.assign_mou(scap_cm, lupe, mou, window("2011-05-01", Some("2011-12-31")));

    let via_mou = read(R::Mou(mou));
    let mut t = Table::new("HPRP MOU 0001", &h);
    let d = "2011-07-01";
    // The creator edits; the three other agencies and both receivers read.
    t.row(ccc_cm, maria, d, edit(R::OwnOrganization)).row(
        ccc_cm,
        ccc_enrollment,
        d,
        edit(R::OwnOrganization),
    );
    for viewer in [chss_cm, scap_cm, we_care_cm, city_cm, county_cm] {
        t.row(viewer, maria, d, via_mou)
            .row(viewer, ccc_enrollment, d, via_mou)
            .row(viewer, ccc_service, d, via_mou)
            .row(viewer, ccc_income, d, via_mou)
            .row(viewer, ccc_bar, d, via_mou)
            .row(viewer, ccc_reservation, d, via_mou)
            // Case notes and health assessments default to the organization.
            .row(viewer, ccc_note, d, NONE)
            .row(viewer, ccc_health, d, NONE);
    }
    // The outsider sees nothing.
    t.row(mission_cm, maria, d, NONE)
        .row(mission_cm, ccc_enrollment, d, NONE)
        .row(mission_cm, ccc_service, d, NONE);
    // We Care grants: its enrollment reaches every receiver, the creator included.
    t.row(we_care_cm, we_care_enrollment, d, edit(R::OwnOrganization))
        .row(ccc_cm, we_care_enrollment, d, via_mou)
        .row(chss_cm, we_care_enrollment, d, via_mou)
        .row(county_cm, we_care_enrollment, d, via_mou)
        .row(mission_cm, we_care_enrollment, d, NONE);
    // The City only receives: its enrollment is shared with nobody, not even the creator.
    t.row(city_cm, city_enrollment, d, edit(R::OwnOrganization))
        .row(ccc_cm, city_enrollment, d, NONE)
        .row(chss_cm, city_enrollment, d, NONE)
        .row(county_cm, city_enrollment, d, NONE);
    // A client created by the City is not visible to the agencies (the City does not grant).
    t.row(city_cm, robert, d, edit(R::OwnOrganization)).row(
        city_cm,
        robert_enrollment,
        d,
        edit(R::OwnOrganization),
    );
    for viewer in [ccc_cm, chss_cm, scap_cm, we_care_cm, county_cm, mission_cm] {
        t.row(viewer, robert, d, NONE)
            .row(viewer, robert_enrollment, d, NONE);
    }
    // Before the assignment begins: nothing; its first day (inclusive): visible.
    t.row(chss_cm, maria, "2011-06-14", NONE)
        .row(chss_cm, ccc_enrollment, "2011-06-14", NONE)
        .row(city_cm, maria, "2011-06-14", NONE)
        .row(ccc_cm, maria, "2011-06-14", edit(R::OwnOrganization))
        .row(chss_cm, maria, "2011-06-15", via_mou)
        .row(city_cm, ccc_enrollment, "2011-06-15", via_mou);
    // The MOU's last day (inclusive), then nothing; the creator keeps editing.
    t.row(chss_cm, maria, "2012-09-30", via_mou)
        .row(county_cm, ccc_enrollment, "2012-09-30", via_mou)
        .row(chss_cm, maria, "2012-10-01", NONE)
        .row(county_cm, ccc_enrollment, "2012-10-01", NONE)
        .row(
            ccc_cm,
            ccc_enrollment,
            "2012-10-01",
            edit(R::OwnOrganization),
        );
    // Assigned before the MOU begins: shared from the MOU's first day; the assignment's last
    // day is inclusive.
    t.row(chss_cm, lupe, "2011-05-31", NONE)
        .row(chss_cm, lupe, "2011-06-01", via_mou)
        .row(we_care_cm, lupe, "2011-12-31", via_mou)
        .row(we_care_cm, lupe, "2012-01-01", NONE)
        .row(scap_cm, lupe, "2012-01-01", edit(R::OwnOrganization));
    t.check();
}

/// An MOU is as its last description says (module docs): an amendment that drops We Care
/// and turns the County into a granting participant applies on every date.
#[test]
fn mou_amendment_replaces_participants() {
    let Hprp {
        mut h,
        ccc,
        chss,
        ccc_cm,
        chss_cm,
        we_care_cm,
        county_cm,
        mou_0001: mou,
        ccc_hprp,
        ..
    } = hprp();
    let county = h.organization_of(county_cm);
    let maria = h.intake(ccc_cm, SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, maria, mou, window("2011-06-15", None));
    let enrollment = h.enroll(ccc_cm, maria, ccc_hprp, date("2011-06-20"), UNRESTRICTED);

    let mut t = Table::new("MOU 0001 before its amendment", &h);
    t.row(we_care_cm, maria, "2011-07-01", read(R::Mou(mou)))
        .row(we_care_cm, enrollment, "2011-07-01", read(R::Mou(mou)));
    t.check();

    h.change_mou(
        mou,
        &[
            (ccc, MouDirection::Both),
            (chss, MouDirection::Both),
            (county, MouDirection::Both),
        ],
        window("2011-06-01", Some("2013-06-30")),
    );
    let mut t = Table::new("MOU 0001 after its amendment", &h);
    t.row(we_care_cm, maria, "2011-07-01", NONE)
        .row(we_care_cm, enrollment, "2011-07-01", NONE)
        .row(chss_cm, enrollment, "2011-07-01", read(R::Mou(mou)))
        .row(county_cm, enrollment, "2011-07-01", read(R::Mou(mou)))
        // The amended window runs longer.
        .row(chss_cm, maria, "2013-06-30", read(R::Mou(mou)))
        .row(chss_cm, maria, "2013-07-01", NONE);
    t.check();
}

/// A globally shared client: every agency finds and reads the intake, but transactions are
/// never shared merely because the intake is global; case notes stay private even where a
/// path exists; when several paths exist the MOU is named before release exceptions.
#[test]
fn global_client_with_private_transactions() {
    let Hprp {
        mut h,
        chss,
        mission,
        ccc_cm,
        chss_cm,
        mission_cm,
        city_cm,
        mou_0001: mou,
        ccc_hprp,
        mission_shelter,
        ..
    } = hprp();
    let james = h.intake_named(ccc_cm, "James", "Whitfield", SHARE_GLOBALLY);
    h.on(date("2011-07-01"));
    let enrollment = h.enroll(ccc_cm, james, ccc_hprp, date("2011-07-01"), UNRESTRICTED);
    let note = h.case_note(ccc_cm, james, "Discussed relapse triggers.", POLICY_DEFAULT);
    let shared_note = h.case_note(ccc_cm, james, "Housing search update.", UNRESTRICTED);
    // The Mission may record transactions for a globally shared client.
    let mission_stay = h.enroll(
        mission_cm,
        james,
        mission_shelter,
        date("2011-07-02"),
        UNRESTRICTED,
    );
    // Later: a release to the Mission and one to CHSS, then an MOU assignment.
    let to_mission = h.grant_release(ccc_cm, james, mission, window("2011-08-01", None));
    let to_chss = h.grant_release(ccc_cm, james, chss, window("2011-08-01", None));
    h.assign_mou(ccc_cm, james, mou, window("2011-09-01", None));

    let global = read(R::GlobalShare);
    let mut t = Table::new("globally shared client", &h);
    let d = "2011-07-15";
    for viewer in [chss_cm, mission_cm, city_cm] {
        t.row(viewer, james, d, global)
            .row(viewer, enrollment, d, NONE)
            .row(viewer, note, d, NONE)
            .row(viewer, shared_note, d, NONE);
    }
    t.row(ccc_cm, james, d, edit(R::OwnOrganization))
        .row(ccc_cm, note, d, edit(R::OwnOrganization))
        // The Mission edits its own enrollment; CCC has no path from the Mission.
        .row(mission_cm, mission_stay, d, edit(R::OwnOrganization))
        .row(ccc_cm, mission_stay, d, NONE);
    // With a release, unrestricted transactions flow; the intake stays a global share and
    // the organization-restricted note stays private.
    let d = "2011-08-15";
    t.row(mission_cm, james, d, global)
        .row(
            mission_cm,
            enrollment,
            d,
            read(R::ReleaseException(to_mission)),
        )
        .row(
            mission_cm,
            shared_note,
            d,
            read(R::ReleaseException(to_mission)),
        )
        .row(mission_cm, note, d, NONE)
        .row(chss_cm, enrollment, d, read(R::ReleaseException(to_chss)))
        .row(city_cm, enrollment, d, NONE)
        // One-way: CCC still does not see the Mission's enrollment.
        .row(ccc_cm, mission_stay, d, NONE);
    // Both an MOU and a release lead to CHSS: the MOU is named first.
    let d = "2011-09-01";
    t.row(chss_cm, enrollment, d, read(R::Mou(mou)))
        .row(chss_cm, note, d, NONE)
        .row(city_cm, enrollment, d, read(R::Mou(mou)))
        .row(
            mission_cm,
            enrollment,
            d,
            read(R::ReleaseException(to_mission)),
        )
        .row(chss_cm, james, d, global);
    t.check();
}

/// RESTRICT_TO_ORGANIZATION overrides every MOU assignment and release exception; the
/// creating organization edits; a system administrator edits the intake and reads the
/// transactions; a hidden client is indistinguishable from an unknown one.
#[test]
fn restricted_to_organization_client() {
    let Hprp {
        mut h,
        chss,
        ccc_cm,
        ccc_colleague,
        ccc_admin,
        chss_cm,
        city_cm,
        mission_cm,
        sysadmin,
        mou_0001: mou,
        ccc_hprp,
        ..
    } = hprp();
    let teresa = h.intake_named(ccc_cm, "Teresa", "Nguyen", RESTRICT_TO_ORG);
    h.assign_mou(ccc_cm, teresa, mou, window("2011-06-15", None));
    h.grant_release(ccc_cm, teresa, chss, window("2011-06-15", None));
    h.on(date("2011-06-20"));
    let enrollment = h.enroll(ccc_cm, teresa, ccc_hprp, date("2011-06-20"), UNRESTRICTED);
    let note = h.case_note(
        ccc_cm,
        teresa,
        "Fleeing DV; do not disclose location.",
        POLICY_DEFAULT,
    );
    let document = h.document(ccc_cm, teresa, "Photo ID", UNRESTRICTED);
    let unknown_client: ClientId = h.unused_id();
    let unknown_enrollment: EnrollmentId = h.unused_id();

    let mut t = Table::new("restricted to organization", &h);
    let d = "2011-07-01";
    for viewer in [chss_cm, city_cm, mission_cm] {
        t.row(viewer, teresa, d, NONE)
            .row(viewer, enrollment, d, NONE)
            .row(viewer, document, d, NONE)
            .row(viewer, note, d, NONE);
        // Exactly the answer for ids that were never used.
        t.row(viewer, unknown_client, d, NONE)
            .row(viewer, unknown_enrollment, d, NONE);
    }
    for viewer in [ccc_cm, ccc_colleague, ccc_admin] {
        t.row(viewer, teresa, d, edit(R::OwnOrganization))
            .row(viewer, enrollment, d, edit(R::OwnOrganization))
            .row(viewer, note, d, edit(R::OwnOrganization));
    }
    t.row(sysadmin, teresa, d, edit(R::SystemAdministrator))
        .row(sysadmin, enrollment, d, read(R::SystemAdministrator))
        .row(sysadmin, note, d, read(R::SystemAdministrator))
        .row(sysadmin, document, d, read(R::SystemAdministrator))
        // Before any sharing fact's window, too.
        .row(sysadmin, teresa, "2011-01-01", edit(R::SystemAdministrator));
    t.check();
}

/// Release exceptions: one-way, windows inclusive at both ends, a revocation's end date is
/// the last day (and cannot extend the window), several per client.
#[test]
fn release_exceptions_expire_and_are_revoked() {
    let Hprp {
        mut h,
        ccc,
        chss_cm,
        scap_cm,
        we_care_cm,
        ccc_cm,
        city_cm,
        county_cm,
        chss_hprp,
        scap_hprp,
        ..
    } = hprp();
    let scap = h.organization_of(scap_cm);
    let we_care = h.organization_of(we_care_cm);
    let city = h.organization_of(city_cm);
    let darnell = h.intake_named(chss_cm, "Darnell", "Hayes", SHARE_WITH_MOU);
    let enrollment = h.enroll(
        chss_cm,
        darnell,
        chss_hprp,
        date("2011-06-01"),
        UNRESTRICTED,
    );
    // Expires: CHSS → SCAP for the third quarter of 2011.
    let to_scap = h.grant_release(
        chss_cm,
        darnell,
        scap,
        window("2011-07-01", Some("2011-09-30")),
    );
    // Revoked: CHSS → We Care, open-ended, revoked with 2011-08-15 as its last day.
    let to_we_care = h.grant_release(chss_cm, darnell, we_care, window("2011-07-01", None));
    h.revoke_release(chss_cm, to_we_care, date("2011-08-15"));
    // A revocation dated after the window's end does not extend it.
    let to_ccc = h.grant_release(
        chss_cm,
        darnell,
        ccc,
        window("2011-07-01", Some("2011-12-31")),
    );
    h.revoke_release(chss_cm, to_ccc, date("2012-03-31"));
    // SCAP, which sees Darnell through the release, enrolls him and shares that with the City.
    let scap_enrollment = h.enroll(
        scap_cm,
        darnell,
        scap_hprp,
        date("2011-07-05"),
        UNRESTRICTED,
    );
    let scap_to_city = h.grant_release(scap_cm, darnell, city, window("2011-07-01", None));

    let mut t = Table::new("release exceptions", &h);
    let r = |id| read(R::ReleaseException(id));
    t.row(scap_cm, darnell, "2011-06-30", NONE)
        .row(scap_cm, enrollment, "2011-06-30", NONE)
        .row(scap_cm, darnell, "2011-07-01", r(to_scap))
        .row(scap_cm, enrollment, "2011-07-01", r(to_scap))
        .row(scap_cm, darnell, "2011-09-30", r(to_scap))
        .row(scap_cm, enrollment, "2011-09-30", r(to_scap))
        .row(scap_cm, darnell, "2011-10-01", NONE)
        .row(scap_cm, enrollment, "2011-10-01", NONE);
    t.row(we_care_cm, darnell, "2011-07-01", r(to_we_care))
        .row(we_care_cm, darnell, "2011-08-15", r(to_we_care))
        .row(we_care_cm, enrollment, "2011-08-15", r(to_we_care))
        .row(we_care_cm, darnell, "2011-08-16", NONE)
        .row(we_care_cm, enrollment, "2011-08-16", NONE);
    t.row(ccc_cm, enrollment, "2011-12-31", r(to_ccc))
        .row(ccc_cm, darnell, "2012-01-01", NONE)
        .row(ccc_cm, enrollment, "2012-01-01", NONE);
    // No release, no MOU: nothing.
    t.row(county_cm, darnell, "2011-08-01", NONE)
        .row(county_cm, enrollment, "2011-08-01", NONE);
    // One-way: the creator does not see SCAP's enrollment (no release SCAP → CHSS).
    t.row(
        scap_cm,
        scap_enrollment,
        "2011-08-01",
        edit(R::OwnOrganization),
    )
    .row(chss_cm, scap_enrollment, "2011-08-01", NONE)
    .row(chss_cm, darnell, "2011-08-01", edit(R::OwnOrganization));
    // SCAP's release reaches SCAP's own transactions, not the intake (which needs a path
    // from the creating organization) nor CHSS's enrollment: the City sees Darnell as an id
    // only, carrying SCAP's enrollment.
    t.row(city_cm, scap_enrollment, "2011-08-01", r(scap_to_city))
        .row(city_cm, darnell, "2011-08-01", NONE)
        .row(city_cm, enrollment, "2011-08-01", NONE);
    t.check();
}

/// RESTRICT_TO_USER: only the recording user edits; colleagues and the agency administrator
/// see nothing; a system administrator (of another organization or the same one) reads; no
/// sharing path reaches it.
#[test]
fn restrict_to_user_inside_one_organization() {
    let Hprp {
        mut h,
        ccc,
        ccc_cm,
        ccc_colleague,
        ccc_admin,
        chss_cm,
        sysadmin,
        mou_0001: mou,
        ccc_hprp,
        ..
    } = hprp();
    let ccc_sysadmin = h.user(ccc, Role::SystemAdmin);
    let angela = h.intake_named(ccc_cm, "Angela", "Brooks", SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, angela, mou, window("2011-06-15", None));
    h.on(date("2011-07-01"));
    let enrollment = h.enroll(
        ccc_cm,
        angela,
        ccc_hprp,
        date("2011-07-01"),
        RESTRICT_TO_USER,
    );
    let note = h.case_note(
        ccc_cm,
        angela,
        "Client disclosed HIV status.",
        RESTRICT_TO_USER,
    );
    let assessment = h.assessment(ccc_cm, angela, AssessmentKind::General, RESTRICT_TO_USER);
    let org_note = h.case_note(ccc_cm, angela, "Rent paid for July.", POLICY_DEFAULT);

    let mut t = Table::new("restrict to user", &h);
    let d = "2011-07-15";
    for record in [
        enrollment.record_ref(),
        note.record_ref(),
        assessment.record_ref(),
    ] {
        t.row(ccc_cm, record, d, edit(R::OwnUser))
            .row(ccc_colleague, record, d, NONE)
            .row(ccc_admin, record, d, NONE)
            .row(chss_cm, record, d, NONE)
            .row(sysadmin, record, d, read(R::SystemAdministrator))
            .row(ccc_sysadmin, record, d, read(R::SystemAdministrator));
    }
    // The rest of the client's record is the organization's as usual.
    t.row(ccc_colleague, angela, d, edit(R::OwnOrganization))
        .row(ccc_colleague, org_note, d, edit(R::OwnOrganization))
        .row(chss_cm, angela, d, read(R::Mou(mou)))
        .row(chss_cm, org_note, d, NONE);
    t.check();
}

/// The `open-intake` policy of `seeds/hmis-data-sharing-policy.txt`: every participating
/// organization reads and edits the intake of a client that is not restricted to its
/// organization, whatever the MOUs, and reads its enrollment summary (enrollments and
/// services); everything else follows the base rules.
#[test]
fn open_intake_policy() {
    let mut h = HistoryBuilder::new(
        SharingPolicy::open_intake("America/New_York"),
        date("2015-01-01"),
    );
    let lead = h.coc_lead("Coalition for the Homeless");
    let harbor = h.organization("Harbor House Family Shelter");
    let eastside = h.organization("Eastside Outreach Services");
    let veterans = h.organization("Veterans Housing Partnership");
    let harbor_cm = h.user(harbor, Role::CaseManager);
    let eastside_cm = h.user(eastside, Role::CaseManager);
    let veterans_cm = h.user(veterans, Role::CaseManager);
    let sysadmin = h.user(lead, Role::SystemAdmin);
    let help_desk = h.user(lead, Role::HelpDesk);
    let shelter = h.program(
        harbor,
        "Harbor House Emergency Shelter",
        ProjectType::EmergencyShelterEntryExit,
    );
    let facility = h.facility(harbor, "Harbor House");
    let mou = h.mou(
        "0007",
        &[(harbor, MouDirection::Both), (veterans, MouDirection::Both)],
        window("2015-01-01", None),
    );

    let global = h.intake_named(harbor_cm, "Samuel", "Ortega", SHARE_GLOBALLY);
    let mou_client = h.intake_named(harbor_cm, "Keisha", "Morgan", SHARE_WITH_MOU);
    let private = h.intake_named(harbor_cm, "Victor", "Soto", RESTRICT_TO_ORG);
    h.assign_mou(harbor_cm, mou_client, mou, window("2015-01-01", None));
    h.on(date("2015-02-01"));
    let enrollment = h.enroll(harbor_cm, global, shelter, date("2015-02-01"), UNRESTRICTED);
    let service = h.service(harbor_cm, global, Some(enrollment), UNRESTRICTED);
    let restricted_enrollment = h.enroll(
        harbor_cm,
        global,
        shelter,
        date("2015-02-01"),
        TX_RESTRICT_TO_ORG,
    );
    let note = h.case_note(
        harbor_cm,
        global,
        "Reports chronic back pain.",
        POLICY_DEFAULT,
    );
    let health = h.assessment(harbor_cm, global, AssessmentKind::Health, POLICY_DEFAULT);
    let substance = h.assessment(
        harbor_cm,
        global,
        AssessmentKind::SubstanceUse,
        POLICY_DEFAULT,
    );
    let general = h.assessment(harbor_cm, global, AssessmentKind::General, UNRESTRICTED);
    let stay = h.check_in(harbor_cm, global, facility, UNRESTRICTED);
    let mou_enrollment = h.enroll(
        harbor_cm,
        mou_client,
        shelter,
        date("2015-02-01"),
        UNRESTRICTED,
    );
    let mou_general = h.assessment(harbor_cm, mou_client, AssessmentKind::General, UNRESTRICTED);
    let private_enrollment = h.enroll(
        harbor_cm,
        private,
        shelter,
        date("2015-02-01"),
        UNRESTRICTED,
    );
    let private_service = h.service(harbor_cm, private, None, UNRESTRICTED);

    let open_intake = edit(R::PolicyRule(PolicyRule::OpenIntake));
    let summary = read(R::PolicyRule(PolicyRule::OpenEnrollmentSummary));
    let mut t = Table::new("open-intake policy", &h);
    let d = "2015-03-01";
    // Intake: read and edit by every participating organization, whatever the MOUs.
    t.row(eastside_cm, global, d, open_intake)
        .row(eastside_cm, mou_client, d, open_intake)
        .row(veterans_cm, mou_client, d, open_intake)
        .row(eastside_cm, private, d, NONE)
        .row(veterans_cm, private, d, NONE)
        .row(harbor_cm, global, d, edit(R::OwnOrganization))
        .row(sysadmin, private, d, edit(R::SystemAdministrator))
        .row(help_desk, global, d, read(R::HelpDesk));
    // Enrollment summary (enrollments and services): read-only to everyone.
    t.row(eastside_cm, enrollment, d, summary)
        .row(eastside_cm, service, d, summary)
        .row(eastside_cm, mou_enrollment, d, summary)
        .row(harbor_cm, enrollment, d, edit(R::OwnOrganization));
    // Everything else as in the base rules.
    t.row(eastside_cm, note, d, NONE)
        .row(eastside_cm, health, d, NONE)
        .row(eastside_cm, substance, d, NONE)
        .row(eastside_cm, general, d, NONE)
        .row(eastside_cm, stay, d, NONE)
        .row(eastside_cm, mou_general, d, NONE)
        .row(eastside_cm, restricted_enrollment, d, NONE)
        .row(eastside_cm, private_enrollment, d, NONE)
        .row(eastside_cm, private_service, d, NONE);
    // A sharing path is named before the policy rule, and reaches beyond the summary.
    t.row(veterans_cm, mou_enrollment, d, read(R::Mou(mou)))
        .row(veterans_cm, mou_general, d, read(R::Mou(mou)))
        .row(veterans_cm, enrollment, d, summary)
        .row(veterans_cm, health, d, NONE);
    t.check();
}

/// The policy in force on a date: clienttrack until 2011-12-31, open-intake from 2012-01-01.
#[test]
fn policy_change_takes_effect_on_its_date() {
    let Hprp {
        mut h,
        ccc_cm,
        mission_cm,
        chss_cm,
        ccc_hprp,
        ..
    } = hprp();
    let mou_only = h.intake(ccc_cm, SHARE_WITH_MOU);
    let global = h.intake(ccc_cm, SHARE_GLOBALLY);
    let enrollment = h.enroll(ccc_cm, mou_only, ccc_hprp, date("2011-06-01"), UNRESTRICTED);
    let note = h.case_note(ccc_cm, global, "Intake interview.", POLICY_DEFAULT);
    h.set_policy(
        SharingPolicy::open_intake("America/Los_Angeles"),
        date("2012-01-01"),
    );

    let open_intake = edit(R::PolicyRule(PolicyRule::OpenIntake));
    let mut t = Table::new("policy change", &h);
    t.row(mission_cm, mou_only, "2011-12-31", NONE)
        .row(mission_cm, mou_only, "2012-01-01", open_intake)
        .row(mission_cm, global, "2011-12-31", read(R::GlobalShare))
        .row(mission_cm, global, "2012-01-01", open_intake)
        .row(chss_cm, enrollment, "2011-12-31", NONE)
        .row(
            chss_cm,
            enrollment,
            "2012-01-01",
            read(R::PolicyRule(PolicyRule::OpenEnrollmentSummary)),
        )
        .row(chss_cm, note, "2012-01-01", NONE)
        // Before the first policy's effective date, the first policy applies.
        .row(mission_cm, global, "2010-06-01", read(R::GlobalShare));
    t.check();
}

/// A client restriction change applies from its effective date; what another agency
/// recorded stays its own, and the creating organization keeps its path to it.
#[test]
fn restriction_change_with_effective_date() {
    let Hprp {
        mut h,
        ccc_cm,
        chss_cm,
        we_care_cm,
        mission_cm,
        mou_0001: mou,
        ccc_hprp,
        chss_hprp,
        ..
    } = hprp();
    let samuel = h.intake_named(ccc_cm, "Samuel", "Ortega", SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, samuel, mou, window("2011-06-15", None));
    let ccc_enrollment = h.enroll(ccc_cm, samuel, ccc_hprp, date("2011-06-20"), UNRESTRICTED);
    let chss_enrollment = h.enroll(chss_cm, samuel, chss_hprp, date("2011-06-25"), UNRESTRICTED);
    h.restrict(ccc_cm, samuel, RESTRICT_TO_ORG, date("2011-08-01"));
    h.restrict(ccc_cm, samuel, SHARE_GLOBALLY, date("2011-09-01"));

    let via_mou = read(R::Mou(mou));
    let mut t = Table::new("restriction change", &h);
    // Shared with the MOU through 2011-07-31.
    t.row(chss_cm, samuel, "2011-07-31", via_mou)
        .row(chss_cm, ccc_enrollment, "2011-07-31", via_mou)
        .row(we_care_cm, chss_enrollment, "2011-07-31", via_mou)
        .row(mission_cm, samuel, "2011-07-31", NONE);
    // Restricted to CCC from 2011-08-01.
    t.row(chss_cm, samuel, "2011-08-01", NONE)
        .row(chss_cm, ccc_enrollment, "2011-08-01", NONE)
        .row(we_care_cm, chss_enrollment, "2011-08-01", NONE)
        .row(
            chss_cm,
            chss_enrollment,
            "2011-08-01",
            edit(R::OwnOrganization),
        )
        .row(ccc_cm, samuel, "2011-08-01", edit(R::OwnOrganization))
        // The creating organization still reads what CHSS shares with it through the MOU.
        .row(ccc_cm, chss_enrollment, "2011-08-01", via_mou)
        .row(ccc_cm, chss_enrollment, "2011-08-31", via_mou);
    // Shared globally from 2011-09-01: anyone reads the intake; transactions still need a
    // path.
    t.row(mission_cm, samuel, "2011-08-31", NONE)
        .row(mission_cm, samuel, "2011-09-01", read(R::GlobalShare))
        .row(mission_cm, ccc_enrollment, "2011-09-01", NONE)
        .row(chss_cm, samuel, "2011-09-01", read(R::GlobalShare))
        .row(chss_cm, ccc_enrollment, "2011-09-01", via_mou)
        .row(we_care_cm, chss_enrollment, "2011-09-01", via_mou);
    t.check();
}

/// Among restriction changes, the last one in log order whose effective date has come wins
/// (module docs), even when an earlier-logged change has a later effective date.
#[test]
fn restriction_changes_apply_in_log_order() {
    let Hprp {
        mut h,
        ccc_cm,
        mission_cm,
        ..
    } = hprp();
    let client = h.intake(ccc_cm, SHARE_WITH_MOU);
    h.restrict(ccc_cm, client, RESTRICT_TO_ORG, date("2011-10-01"));
    h.restrict(ccc_cm, client, SHARE_GLOBALLY, date("2011-09-15"));
    let mut t = Table::new("restriction changes in log order", &h);
    t.row(mission_cm, client, "2011-09-14", NONE)
        .row(mission_cm, client, "2011-09-15", read(R::GlobalShare))
        .row(mission_cm, client, "2011-10-05", read(R::GlobalShare));
    t.check();
}

/// The help desk finds any client by id (private ones too) and reads what a client record
/// dashboard shows (enrollments and documents), only while a request for that client is open;
/// the auditor reads every record, as metadata (`Visibility::shows_content` is false).
#[test]
fn help_desk_and_auditor() {
    let Hprp {
        mut h,
        ccc,
        ccc_cm,
        ccc_admin,
        chss_cm,
        help_desk,
        auditor,
        ccc_hprp,
        chss_hprp,
        ..
    } = hprp();
    let victor = h.intake_named(ccc_cm, "Victor", "Soto", RESTRICT_TO_ORG);
    let keisha = h.intake_named(chss_cm, "Keisha", "Morgan", SHARE_GLOBALLY);
    h.on(date("2011-07-01"));
    let enrollment = h.enroll(ccc_cm, victor, ccc_hprp, date("2011-07-01"), UNRESTRICTED);
    let service = h.service(ccc_cm, victor, Some(enrollment), UNRESTRICTED);
    let health = h.assessment(ccc_cm, victor, AssessmentKind::Health, POLICY_DEFAULT);
    let id_card = h.document(ccc_cm, victor, "Photo ID", UNRESTRICTED);
    let private_doc = h.document(ccc_cm, victor, "Release of information", RESTRICT_TO_USER);
    let note = h.case_note(
        ccc_cm,
        victor,
        "Client asked for a copy of his file.",
        POLICY_DEFAULT,
    );
    let shelter = h.facility(ccc, "CCC Family Shelter");
    let stay = h.check_in(ccc_cm, victor, shelter, UNRESTRICTED);
    let keisha_enrollment = h.enroll(chss_cm, keisha, chss_hprp, date("2011-07-01"), UNRESTRICTED);
    let before_request = h.events().len();

    h.on(date("2011-09-01"));
    let request = h.submit_record_request(ccc_admin, victor);
    h.start_record_request(help_desk, request);
    let while_open = h.events().len();
    h.fulfill(help_desk, request);
    let after_fulfilment = h.events().len();
    let denied = h.submit_record_request(ccc_admin, victor);
    h.deny(help_desk, denied, "Requester could not verify identity.");
    let second = h.submit_record_request(ccc_admin, victor);

    // What the dashboard holds: enrollment history and documents (a restrict-to-user one too:
    // the dashboard is the client's own data). Services, assessments and stays are not in it,
    // so the help desk never reads them (issue 15, item 4).
    let dashboard = [
        enrollment.record_ref(),
        id_card.record_ref(),
        private_doc.record_ref(),
    ];
    let beyond_dashboard = [service.record_ref(), health.record_ref(), stay.record_ref()];
    let d = "2011-09-02";
    let history = h.events();

    let mut t = Table::over("help desk, no request yet", &h, &history[..before_request]);
    t.row(help_desk, victor, d, read(R::HelpDesk))
        .row(help_desk, keisha, d, read(R::HelpDesk))
        .row(help_desk, note, d, NONE);
    for record in dashboard {
        t.row(help_desk, record, d, NONE);
    }
    t.check();

    let mut t = Table::over("help desk, request open", &h, &history[..while_open]);
    let for_request = read(R::ClientRecordRequest(request));
    t.row(help_desk, victor, d, read(R::HelpDesk))
        .row(help_desk, note, d, NONE)
        // Only the requested client's record.
        .row(help_desk, keisha_enrollment, d, NONE);
    for record in dashboard {
        t.row(help_desk, record, d, for_request);
    }
    for record in beyond_dashboard {
        t.row(help_desk, record, d, NONE);
    }
    t.check();

    let mut t = Table::over(
        "help desk, request fulfilled",
        &h,
        &history[..after_fulfilment],
    );
    t.row(help_desk, victor, d, read(R::HelpDesk))
        .row(help_desk, enrollment, d, NONE)
        .row(help_desk, id_card, d, NONE);
    t.check();

    let mut t = Table::new("help desk, one denied and one open request", &h);
    let for_second = read(R::ClientRecordRequest(second));
    t.row(help_desk, note, d, NONE);
    for record in dashboard {
        t.row(help_desk, record, d, for_second);
    }
    t.check();

    let mut t = Table::new("auditor", &h);
    t.row(auditor, victor, d, read(R::Auditor))
        .row(auditor, keisha, d, read(R::Auditor))
        .row(auditor, note, d, read(R::Auditor))
        .row(auditor, keisha_enrollment, d, read(R::Auditor))
        .row(auditor, victor, "2011-01-01", read(R::Auditor));
    // Metadata only: an auditor's reading never shows content (issue 15, item 5).
    for record in dashboard.iter().chain(&beyond_dashboard) {
        t.row(auditor, *record, d, read(R::Auditor));
    }
    // The agency still sees nothing of the private client.
    t.row(chss_cm, victor, d, NONE)
        .row(chss_cm, enrollment, d, NONE);
    t.check();
}

/// One MOU assignment at a time: the later assignment supersedes the earlier one on the dates
/// both cover; the command layer ends the previous assignment explicitly.
#[test]
fn one_mou_assignment_at_a_time() {
    let Hprp {
        mut h,
        ccc,
        mission,
        ccc_cm,
        chss_cm,
        mission_cm,
        mou_0001,
        ccc_hprp,
        ..
    } = hprp();
    let mou_0002 = h.mou(
        "0002",
        &[(ccc, MouDirection::Both), (mission, MouDirection::Both)],
        window("2011-01-01", None),
    );
    let expired = h.mou(
        "0003",
        &[(ccc, MouDirection::Both), (mission, MouDirection::Both)],
        window("2011-01-01", Some("2011-06-30")),
    );

    // Raw history: the second assignment is recorded without ending the first.
    let robert = h.intake_named(ccc_cm, "Robert", "Castillo", SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, robert, mou_0001, window("2011-06-15", None));
    h.assign_mou(
        ccc_cm,
        robert,
        mou_0002,
        window("2011-09-01", Some("2011-12-31")),
    );
    let robert_enrollment = h.enroll(ccc_cm, robert, ccc_hprp, date("2011-06-20"), UNRESTRICTED);

    // As the command layer records it: the first assignment ends the day before.
    let angela = h.intake_named(ccc_cm, "Angela", "Brooks", SHARE_WITH_MOU);
    let first = h.assign_mou(ccc_cm, angela, mou_0001, window("2011-06-15", None));
    h.end_mou_assignment(ccc_cm, first, date("2011-08-31"));
    h.assign_mou(
        ccc_cm,
        angela,
        mou_0002,
        window("2011-09-01", Some("2011-12-31")),
    );

    // The current assignment is to an MOU no longer active: no path, no fallback.
    let lupe = h.intake_named(ccc_cm, "Lupe", "Ramirez", SHARE_WITH_MOU);
    h.assign_mou(ccc_cm, lupe, mou_0001, window("2011-06-15", None));
    h.assign_mou(ccc_cm, lupe, expired, window("2011-07-01", None));

    let (via_1, via_2) = (read(R::Mou(mou_0001)), read(R::Mou(mou_0002)));
    let mut t = Table::new("one MOU assignment at a time", &h);
    t.row(chss_cm, robert, "2011-08-31", via_1)
        .row(mission_cm, robert, "2011-08-31", NONE)
        .row(chss_cm, robert, "2011-09-01", NONE)
        .row(chss_cm, robert_enrollment, "2011-09-01", NONE)
        .row(mission_cm, robert, "2011-09-01", via_2)
        .row(mission_cm, robert_enrollment, "2011-12-31", via_2)
        .row(chss_cm, robert, "2011-12-31", NONE)
        // Outside the second window the first (never ended) applies again.
        .row(chss_cm, robert, "2012-01-01", via_1)
        .row(mission_cm, robert, "2012-01-01", NONE);
    t.row(chss_cm, angela, "2011-08-31", via_1)
        .row(chss_cm, angela, "2011-09-01", NONE)
        .row(mission_cm, angela, "2011-09-01", via_2)
        .row(chss_cm, angela, "2012-01-01", NONE)
        .row(mission_cm, angela, "2012-01-01", NONE);
    t.row(chss_cm, lupe, "2011-06-30", via_1)
        .row(chss_cm, lupe, "2011-07-15", NONE)
        .row(mission_cm, lupe, "2011-07-15", NONE);
    t.check();
}

/// Unknown clients and record ids answer exactly like hidden ones, for every kind of viewer;
/// an id of one kind is not found as another.
#[test]
fn unknown_ids_answer_like_hidden_ones() {
    let Hprp {
        mut h,
        ccc_cm,
        chss_cm,
        sysadmin,
        help_desk,
        auditor,
        ccc_admin,
        ccc_hprp,
        ..
    } = hprp();
    let hidden = h.intake(ccc_cm, RESTRICT_TO_ORG);
    let hidden_enrollment = h.enroll(ccc_cm, hidden, ccc_hprp, date("2011-06-01"), UNRESTRICTED);
    let unknown_client: ClientId = h.unused_id();
    let unknown_enrollment: EnrollmentId = h.unused_id();
    h.submit_record_request(ccc_admin, hidden);

    let history = h.events();
    let d = date("2011-07-01");
    let ask = |user, record: RecordRef| visibility(history, &h.viewer(user), &record, d);
    let unknown = [
        RecordRef::Intake(unknown_client),
        RecordRef::Transaction(unknown_enrollment.as_u128()),
        // A client's id is not a transaction's, nor an enrollment's a client's.
        RecordRef::Transaction(hidden.as_u128()),
        RecordRef::Intake(ClientId::new(hidden_enrollment.as_u128())),
    ];
    for user in [ccc_cm, chss_cm, sysadmin, help_desk, auditor] {
        for record in unknown {
            assert_eq!(
                ask(user, record),
                Visibility::NONE,
                "{user} asking about unknown {record:?}"
            );
        }
    }
    // What a hidden client looks like to CHSS is exactly what an unknown one looks like.
    assert_eq!(
        ask(chss_cm, RecordRef::Intake(hidden)),
        ask(chss_cm, RecordRef::Intake(unknown_client))
    );
    assert_eq!(
        ask(chss_cm, RecordRef::Transaction(hidden_enrollment.as_u128())),
        ask(
            chss_cm,
            RecordRef::Transaction(unknown_enrollment.as_u128())
        )
    );
    // An empty history knows nothing.
    let viewer = h.viewer(sysadmin);
    assert_eq!(
        visibility(&[], &viewer, &RecordRef::Intake(hidden), d),
        Visibility::NONE
    );
}

// ----- suspected evaluator bugs (see the report) ---------------------------------------------

/// A release first revoked with a later last day, then revoked again "at once" with an
/// earlier one, should end on the earlier day: under either reading of "an ending event sets
/// the last day its fact applies" (the last event wins, or the earliest day wins) the second
/// revocation applies. The evaluator only looks at the first revocation it finds.
#[test]
fn second_release_revocation_with_earlier_end_applies() {
    let Hprp {
        mut h,
        chss,
        ccc_cm,
        chss_cm,
        ccc_hprp,
        ..
    } = hprp();
    let client = h.intake(ccc_cm, SHARE_WITH_MOU);
    let enrollment = h.enroll(ccc_cm, client, ccc_hprp, date("2011-06-01"), UNRESTRICTED);
    let release = h.grant_release(ccc_cm, client, chss, window("2011-06-01", None));
    h.revoke_release(ccc_cm, release, date("2011-12-31"));
    h.revoke_release(ccc_cm, release, date("2011-08-31"));
    let mut t = Table::new("second revocation", &h);
    t.row(
        chss_cm,
        client,
        "2011-08-31",
        read(R::ReleaseException(release)),
    )
    .row(chss_cm, client, "2011-09-01", NONE)
    .row(chss_cm, enrollment, "2011-09-01", NONE);
    t.check();
}

/// The same for MOU assignments: a second `MouAssignmentEnded` with an earlier last day.
#[test]
fn second_assignment_ending_with_earlier_end_applies() {
    let Hprp {
        mut h,
        ccc_cm,
        chss_cm,
        mou_0001: mou,
        ..
    } = hprp();
    let client = h.intake(ccc_cm, SHARE_WITH_MOU);
    let assignment = h.assign_mou(ccc_cm, client, mou, window("2011-06-15", None));
    h.end_mou_assignment(ccc_cm, assignment, date("2011-12-31"));
    h.end_mou_assignment(ccc_cm, assignment, date("2011-08-31"));
    let mut t = Table::new("second assignment ending", &h);
    t.row(chss_cm, client, "2011-08-31", read(R::Mou(mou))).row(
        chss_cm,
        client,
        "2011-09-01",
        NONE,
    );
    t.check();
}

/// Help desk access follows the history given, not the date asked about (the evaluator's
/// documented convention): "who could see this on 2011-08-01" is asked of the history up to
/// that day, in which the request (submitted 2011-09-01) does not exist yet.
#[test]
fn help_desk_access_follows_the_history_up_to_the_day_asked_about() {
    let Hprp {
        mut h,
        ccc_cm,
        ccc_admin,
        help_desk,
        ccc_hprp,
        ..
    } = hprp();
    let client = h.intake(ccc_cm, RESTRICT_TO_ORG);
    let enrollment = h.enroll(ccc_cm, client, ccc_hprp, date("2011-06-01"), UNRESTRICTED);
    let mut before = Table::new("help desk, history up to 2011-08-01", &h);
    before.row(help_desk, enrollment, "2011-08-01", NONE);
    before.check();
    h.on(date("2011-09-01"));
    let request = h.submit_record_request(ccc_admin, client);
    let mut after = Table::new("help desk, history up to 2011-09-01", &h);
    after.row(
        help_desk,
        enrollment,
        "2011-09-01",
        read(R::ClientRecordRequest(request)),
    );
    after.check();
}
