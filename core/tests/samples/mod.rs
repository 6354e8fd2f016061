//! One deterministic, realistic sample envelope per event type: the values the golden byte
//! fixtures in `tests/golden/` were made from.
//!
//! Fixed ids and times only (no clock, no randomness). Every `Option` payload field is
//! `Some` in at least one sample and every `Pii` field is filled, so the fixtures exercise
//! every encoded shape. The names, SSN and addresses are fictional.
//!
//! Never change a sample whose fixture is committed: the fixture is the proof that bytes
//! written by an old build still decode. See `golden.rs` for what to do when a payload's
//! shape changes.

use caseledger_core::events::*;
use caseledger_core::hud::*;
use caseledger_core::sharing::PolicyRule;
use caseledger_core::sharing::SharingPolicy;
use caseledger_core::*;

/// Milliseconds since the epoch of 2026-01-15T17:30:00Z, the time part of every sample ULID.
const MS: u128 = 1_768_498_200_000;

/// A ULID-shaped id: the sample timestamp, then a fixed "random" part.
const fn ulid(random: u128) -> u128 {
    (MS << 80) | (0x5eed_0000_0000_0000_0000 + random)
}

const COC_LEAD: OrganizationId = OrganizationId::new(ulid(0x01));
const SHELTER: OrganizationId = OrganizationId::new(ulid(0x02));
const OUTREACH: OrganizationId = OrganizationId::new(ulid(0x03));
const ADMIN: UserId = UserId::new(ulid(0x11));
const CASE_MANAGER: UserId = UserId::new(ulid(0x12));
const HELP_DESK: UserId = UserId::new(ulid(0x13));
const AGENCY_ADMIN: UserId = UserId::new(ulid(0x14));
const SERVICE_USER: UserId = UserId::new(ulid(0x15));
const OUTREACH_WORKER: UserId = UserId::new(ulid(0x17));
const PROGRAM: ProgramId = ProgramId::new(ulid(0x21));
const CLIENT: ClientId = ClientId::new(ulid(0x31));
const CHILD: ClientId = ClientId::new(ulid(0x32));
const MOU: MouId = MouId::new(ulid(0x41));
const FACILITY: FacilityId = FacilityId::new(ulid(0x51));
const ROOM: RoomId = RoomId::new(ulid(0x52));
const BED: BedId = BedId::new(ulid(0x53));
const RESERVATION: ReservationId = ReservationId::new(ulid(0x54));
const CHECK_IN: CheckInId = CheckInId::new(ulid(0x55));
const HOUSEHOLD: HouseholdId = HouseholdId::new(ulid(0x61));
const ENROLLMENT: EnrollmentId = EnrollmentId::new(ulid(0x62));
const REQUEST: RecordRequestId = RecordRequestId::new(ulid(0x71));
const RELEASE: ReleaseId = ReleaseId::new(ulid(0x81));

fn date(s: &str) -> Date {
    s.parse().expect("sample date")
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("sample timestamp")
}

fn pii(s: &str) -> Pii<String> {
    Pii::new(s.to_owned())
}

fn owner() -> RecordOwner {
    RecordOwner {
        organization: SHELTER,
        user: CASE_MANAGER,
    }
}

fn sha(seed: u8) -> [u8; 32] {
    std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
}

fn actor(ty: EventType) -> Actor {
    use EventType as T;
    let (user, organization, role) = match ty {
        T::SharingPolicySet => (SERVICE_USER, COC_LEAD, Role::System),
        T::OrganizationCreated
        | T::OrganizationUpdated
        | T::UserCreated
        | T::UserRoleChanged
        | T::UserDeactivated
        | T::TokenIssued
        | T::TokenRevoked
        | T::ProgramCreated
        | T::MouCreated
        | T::MouChanged
        | T::ClientIntakeEdited
        | T::ClientIdentifiersForgotten
        | T::CocCodeSet => (ADMIN, COC_LEAD, Role::SystemAdmin),
        T::RecordRequestSubmitted
        | T::RecordRequestDelivered
        | T::RecordRequestDenied
        | T::RecordRevisionRequested
        | T::ClientRestrictionChanged => (AGENCY_ADMIN, SHELTER, Role::AgencyAdmin),
        T::RecordRequestStarted | T::RecordRequestFulfilled => {
            (HELP_DESK, COC_LEAD, Role::HelpDesk)
        }
        T::RecordsAccessed => (OUTREACH_WORKER, OUTREACH, Role::CaseManager),
        _ => (CASE_MANAGER, SHELTER, Role::CaseManager),
    };
    Actor {
        user,
        organization,
        role,
    }
}

/// The sample envelope for `ty`.
pub fn sample(ty: EventType) -> Envelope {
    let code = u128::from(ty.code());
    let header = Header {
        event_id: EventId::new(ulid(0xe000 + code)),
        correlation_id: CorrelationId::new(ulid(0xc000 + code)),
        recorded_at: Timestamp::from_micros(
            1_768_498_200_250_000 + i64::from(ty.code()) * 1_000_001,
        )
        .expect("in range"),
        actor: actor(ty),
    };
    Envelope::new(header, payload(ty))
}

fn payload(ty: EventType) -> Event {
    use EventType as T;
    match ty {
        T::OrganizationCreated => OrganizationCreated {
            organization_id: SHELTER,
            name: "Harborview Family Shelter".into(),
            is_coc_lead: false,
            victim_service_provider: false,
            source_id: Some("7".into()),
        }
        .into(),
        T::OrganizationUpdated => OrganizationUpdated {
            organization_id: SHELTER,
            name: Some("Harborview Family & Youth Shelter".into()),
            is_coc_lead: Some(false),
            victim_service_provider: Some(true),
        }
        .into(),
        T::UserCreated => UserCreated {
            user_id: CASE_MANAGER,
            organization_id: SHELTER,
            username: "mrivera".into(),
            display_name: "Marisol Rivera".into(),
            role: Role::CaseManager,
        }
        .into(),
        T::UserRoleChanged => UserRoleChanged {
            user_id: AGENCY_ADMIN,
            role: Role::AgencyAdmin,
        }
        .into(),
        T::UserDeactivated => UserDeactivated {
            user_id: UserId::new(ulid(0x16)),
        }
        .into(),
        T::TokenIssued => TokenIssued {
            token_id: TokenId::new(ulid(0x91)),
            user_id: CASE_MANAGER,
            token_hash: sha(1),
            expires: Some(at("2026-04-15T17:30:00Z")),
            name: "Nightly bed-board export".into(),
        }
        .into(),
        T::TokenRevoked => TokenRevoked {
            token_id: TokenId::new(ulid(0x91)),
            user_id: CASE_MANAGER,
        }
        .into(),
        T::ProgramCreated => ProgramCreated {
            program_id: PROGRAM,
            organization_id: SHELTER,
            name: "Harborview Emergency Shelter".into(),
            project_type: ProjectType::EmergencyShelterNightByNight,
            operating: DateWindow::closed(date("2015-07-01"), date("2030-06-30")),
            source_id: Some("751".into()),
        }
        .into(),
        T::CocCodeSet => CocCodeSet {
            code: "CA-502".into(),
        }
        .into(),
        T::RecordVoided => RecordVoided {
            record_id: ENROLLMENT.as_u128(),
            client_id: CLIENT,
            kind: RecordKind::Enrollment,
            reason: pii("entered for the wrong client"),
        }
        .into(),
        T::RecordUnvoided => RecordUnvoided {
            record_id: ENROLLMENT.as_u128(),
            client_id: CLIENT,
            kind: RecordKind::Enrollment,
            reason: pii("it was the right client after all"),
        }
        .into(),
        T::RecordCorrected => RecordCorrected {
            record_id: ENROLLMENT.as_u128(),
            client_id: CLIENT,
            kind: RecordKind::Enrollment,
            corrections: vec![
                Correction::EntryDate(date("2025-11-02")),
                Correction::RelationshipToHoH(RelationshipToHoH::Child),
                Correction::LivingSituation(Some(LivingSituation::PlaceNotMeantForHabitation)),
                Correction::DisablingCondition(NoYesReasons::Yes),
                Correction::ExitDate(date("2026-01-10")),
                Correction::Destination(Some(Destination::RentalNoSubsidy)),
                Correction::Date(date("2025-11-03")),
                Correction::ServiceType(ServiceTypeCode {
                    record_type: 144,
                    type_provided: 3,
                }),
                Correction::Text(pii("the corrected text")),
                // Added later, at the end: the variants above keep their bytes.
                Correction::Window(DateWindow::closed(date("2025-11-01"), date("2026-10-31"))),
                Correction::CheckOutDate(date("2026-01-11")),
                Correction::BarScope(BarScope::Organization),
            ],
            reason: pii("typed the wrong date"),
        }
        .into(),
        T::ClientsMerged => ClientsMerged {
            merge_id: MergeId::new(ulid(0x91)),
            survivor_id: CLIENT,
            duplicate_id: CHILD,
            reason: pii("same SSN and date of birth; entered twice at two shelters"),
        }
        .into(),
        T::ClientsUnmerged => ClientsUnmerged {
            merge_id: MergeId::new(ulid(0x91)),
            survivor_id: CLIENT,
            duplicate_id: CHILD,
            reason: pii("twins: not the same person"),
        }
        .into(),
        T::PossibleDuplicateFlagged => PossibleDuplicateFlagged {
            flag_id: DuplicateFlagId::new(ulid(0x92)),
            client_id: CLIENT,
            note: pii("says she stayed at the family shelter in 2023"),
        }
        .into(),
        T::DuplicatePairDismissed => DuplicatePairDismissed {
            first: CLIENT,
            second: CHILD,
            reason: pii("brothers with similar names"),
        }
        .into(),
        T::DuplicateFlagCleared => DuplicateFlagCleared {
            flag_id: DuplicateFlagId::new(ulid(0x92)),
            client_id: CLIENT,
            reason: pii("no other record of her found"),
        }
        .into(),
        T::HudElementsRecorded => HudElementsRecorded {
            client_id: Some(CLIENT),
            rows: vec![ElementRow {
                subject: ElementSubject::Enrollment(ENROLLMENT),
                file: elements::HudFile::Enrollment,
                row_id: None,
                elements: vec![
                    elements::HudElement {
                        column: "LengthOfStay".into(),
                        value: AnswerValue::Code(11),
                    },
                    elements::HudElement {
                        column: "DateToStreetESSH".into(),
                        value: AnswerValue::Date(date("2025-08-01")),
                    },
                    elements::HudElement {
                        column: "HouseholdID".into(),
                        value: AnswerValue::Text(pii("s_849668")),
                    },
                ],
                source: Some(elements::SourceStamp {
                    created: Some(elements::SourceTime {
                        date: date("2025-11-02"),
                        second: 63_304,
                    }),
                    updated: Some(elements::SourceTime {
                        date: date("2025-11-03"),
                        second: 600,
                    }),
                    user_id: "899".into(),
                }),
                blank: vec!["RelationshipToHoH".into()],
            }],
        }
        .into(),
        T::SharingPolicySet => SharingPolicySet {
            policy: SharingPolicy::clienttrack("America/Los_Angeles"),
            effective: date("2026-01-01"),
        }
        .into(),
        T::ClientIntakeRecorded => ClientIntakeRecorded {
            client_id: CLIENT,
            organization_id: SHELTER,
            name: Pii::new(PersonName {
                first: "Dana".into(),
                middle: "Lee".into(),
                last: "Sample".into(),
                suffix: "Jr.".into(),
            }),
            name_data_quality: DataQuality::Full,
            ssn: pii("123456789"),
            ssn_data_quality: DataQuality::Full,
            dob: Pii::new(Some(date("1982-10-17"))),
            dob_data_quality: DataQuality::Partial,
            race_ethnicity: vec![
                RaceEthnicity::BlackAfAmerican,
                RaceEthnicity::HispanicLatinao,
            ],
            race_none: None,
            additional_race_ethnicity: pii("Garifuna"),
            sex: Some(Sex::Female),
            genders: vec![Gender::Woman, Gender::DifferentIdentity],
            gender_none: None,
            different_identity_text: pii("Two-spirit"),
            veteran_status: NoYesReasons::No,
            address: Pii::new(Some(Address {
                line1: "1200 Harbor Blvd".into(),
                line2: "Apt 4".into(),
                city: "Costa Mesa".into(),
                state: "CA".into(),
                zip: "92626".into(),
            })),
            restriction: ClientRestriction::ShareWithMou,
            source_id: Some("2f4b963171644a8b9902bdfe79a4b403".into()),
            hash_status: caseledger_core::hud::HashStatus::Unhashed,
        }
        .into(),
        T::ClientIntakeEdited => ClientIntakeEdited {
            client_id: CLIENT,
            name: Some(Pii::new(PersonName {
                first: "Dana".into(),
                middle: String::new(),
                last: "Sample-Ortiz".into(),
                suffix: String::new(),
            })),
            name_data_quality: Some(DataQuality::Full),
            ssn: Some(pii("123456780")),
            ssn_data_quality: Some(DataQuality::Full),
            dob: Some(Pii::new(Some(date("1982-10-07")))),
            dob_data_quality: Some(DataQuality::Full),
            race_ethnicity: Some(Vec::new()),
            race_none: Some(Some(MissingReason::ClientPrefersNotToAnswer)),
            additional_race_ethnicity: Some(pii("")),
            sex: Some(Some(Sex::ClientPrefersNotToAnswer)),
            genders: Some(Vec::new()),
            gender_none: Some(Some(MissingReason::DataNotCollected)),
            different_identity_text: Some(pii("")),
            veteran_status: Some(NoYesReasons::Yes),
        }
        .into(),
        T::ClientAddressUpdated => ClientAddressUpdated {
            client_id: CLIENT,
            address: Pii::new(Some(Address {
                line1: "PO Box 3310".into(),
                line2: String::new(),
                city: "Santa Ana".into(),
                state: "CA".into(),
                zip: "92703".into(),
            })),
        }
        .into(),
        T::ClientRestrictionChanged => ClientRestrictionChanged {
            client_id: CLIENT,
            restriction: ClientRestriction::RestrictToOrganization,
            effective: date("2026-01-15"),
        }
        .into(),
        T::MouCreated => MouCreated {
            mou_id: MOU,
            number: "0001".into(),
            title: "HPRP Data Sharing MOU".into(),
            participants: vec![
                MouParticipant {
                    organization: SHELTER,
                    direction: MouDirection::Both,
                },
                MouParticipant {
                    organization: OUTREACH,
                    direction: MouDirection::Receives,
                },
                MouParticipant {
                    organization: COC_LEAD,
                    direction: MouDirection::Grants,
                },
            ],
            window: DateWindow::open(date("2025-10-01")),
        }
        .into(),
        T::MouChanged => MouChanged {
            mou_id: MOU,
            title: "HPRP Data Sharing MOU (amended)".into(),
            participants: vec![
                MouParticipant {
                    organization: SHELTER,
                    direction: MouDirection::Both,
                },
                MouParticipant {
                    organization: OUTREACH,
                    direction: MouDirection::Both,
                },
            ],
            window: DateWindow::closed(date("2025-10-01"), date("2027-09-30")),
            effective: Some(date("2026-02-01")),
        }
        .into(),
        T::MouAssigned => MouAssigned {
            client_id: CLIENT,
            assignment_id: MouAssignmentId::new(ulid(0x42)),
            mou_id: MOU,
            window: DateWindow::closed(date("2026-01-15"), date("2027-01-14")),
        }
        .into(),
        T::MouAssignmentEnded => MouAssignmentEnded {
            client_id: CLIENT,
            assignment_id: MouAssignmentId::new(ulid(0x42)),
            end: date("2026-06-30"),
        }
        .into(),
        T::ReleaseExceptionGranted => ReleaseExceptionGranted {
            client_id: CLIENT,
            release_id: RELEASE,
            granting_organization: SHELTER,
            accessing_organization: OUTREACH,
            window: DateWindow::open(date("2026-01-15")),
        }
        .into(),
        T::ReleaseExceptionRevoked => ReleaseExceptionRevoked {
            client_id: CLIENT,
            release_id: RELEASE,
            end: date("2026-03-31"),
        }
        .into(),
        T::HouseholdCreated => HouseholdCreated {
            household_id: HOUSEHOLD,
            head: CLIENT,
            owner: owner(),
            date: date("2026-01-15"),
            source_id: Some("HH-557331".into()),
        }
        .into(),
        T::HouseholdMemberAdded => HouseholdMemberAdded {
            household_id: HOUSEHOLD,
            client_id: CHILD,
            relationship: RelationshipToHoH::Child,
            owner: owner(),
            joined: date("2026-01-15"),
        }
        .into(),
        T::HouseholdMemberRemoved => HouseholdMemberRemoved {
            household_id: HOUSEHOLD,
            client_id: CHILD,
            left: date("2026-02-28"),
        }
        .into(),
        T::ClientEnrolled => ClientEnrolled {
            enrollment_id: ENROLLMENT,
            client_id: CLIENT,
            program_id: PROGRAM,
            owner: owner(),
            entry_date: date("2026-01-15"),
            household_id: Some(HOUSEHOLD),
            relationship_to_hoh: RelationshipToHoH::SelfHeadOfHousehold,
            living_situation: Some(LivingSituation::RentalWithSubsidy),
            rental_subsidy_type: Some(RentalSubsidyType::HousingChoiceVoucher),
            disabling_condition: NoYesReasons::ClientDoesntKnow,
            enrollment_coc: Some("CA-602".into()),
            move_in_date: Some(date("2026-02-01")),
            case_manager: Some(CASE_MANAGER),
            restriction: TransactionRestriction::Unrestricted,
            source_id: Some("557331".into()),
        }
        .into(),
        T::EnrollmentMoveInSet => EnrollmentMoveInSet {
            enrollment_id: ENROLLMENT,
            client_id: CLIENT,
            move_in_date: Some(date("2026-02-03")),
        }
        .into(),
        T::EnrollmentExited => EnrollmentExited {
            enrollment_id: ENROLLMENT,
            client_id: CLIENT,
            exit_date: date("2026-03-31"),
            destination: Some(Destination::RentalWithSubsidy),
            destination_subsidy_type: Some(RentalSubsidyType::EmergencyHousingVoucher),
            other_destination: pii("Moved in with sister in Fresno"),
            source_id: Some("429936".into()),
        }
        .into(),
        T::ServiceRecorded => ServiceRecorded {
            service_id: ServiceId::new(ulid(0xa1)),
            client_id: CLIENT,
            enrollment_id: Some(ENROLLMENT),
            owner: owner(),
            date: date("2026-01-16"),
            service_type: ServiceTypeCode::BED_NIGHT,
            description: pii("Bed night, family room 2"),
            restriction: TransactionRestriction::Unrestricted,
            source_id: Some("10397867".into()),
        }
        .into(),
        T::AssessmentRecorded => AssessmentRecorded {
            assessment_id: AssessmentId::new(ulid(0xa2)),
            client_id: CLIENT,
            enrollment_id: Some(ENROLLMENT),
            owner: owner(),
            date: date("2026-01-15"),
            kind: AssessmentKind::IncomeBenefits,
            data_collection_stage: Some(DataCollectionStage::ProjectEntry),
            answers: vec![
                AssessmentAnswer {
                    item: "IncomeFromAnySource".into(),
                    value: AnswerValue::Code(NoYesReasons::Yes.code()),
                },
                AssessmentAnswer {
                    item: "Earned".into(),
                    value: AnswerValue::Bool(true),
                },
                AssessmentAnswer {
                    item: "EarnedAmount".into(),
                    value: AnswerValue::Number(142_550),
                },
                AssessmentAnswer {
                    item: "BenefitsStartDate".into(),
                    value: AnswerValue::Date(date("2025-12-01")),
                },
                AssessmentAnswer {
                    item: "OtherIncomeSourceIdentify".into(),
                    value: AnswerValue::Text(pii("Child support from ex-partner")),
                },
            ],
            restriction: TransactionRestriction::Unrestricted,
            source_id: Some("IB-88231".into()),
        }
        .into(),
        T::CaseNoteAdded => CaseNoteAdded {
            note_id: CaseNoteId::new(ulid(0xa3)),
            client_id: CLIENT,
            enrollment_id: Some(ENROLLMENT),
            owner: owner(),
            date: date("2026-01-20"),
            text: pii("Met with Dana; housing voucher paperwork submitted to PHA."),
            restriction: TransactionRestriction::RestrictToOrganization,
        }
        .into(),
        T::DocumentAdded => DocumentAdded {
            document_id: DocumentId::new(ulid(0xa4)),
            client_id: CLIENT,
            enrollment_id: Some(ENROLLMENT),
            owner: owner(),
            name: pii("Dana Sample - CA ID card.pdf"),
            document_type: "Photo ID".into(),
            date: date("2026-01-15"),
            content_sha256: Some(sha(2)),
            restriction: TransactionRestriction::RestrictToUser,
        }
        .into(),
        T::FacilityCreated => FacilityCreated {
            facility_id: FACILITY,
            organization_id: SHELTER,
            program_id: Some(PROGRAM),
            name: "Harborview Main Building".into(),
        }
        .into(),
        T::RoomAdded => RoomAdded {
            room_id: ROOM,
            facility_id: FACILITY,
            name: "Family Room 2".into(),
            designators: vec![RoomDesignator::Family, RoomDesignator::Female],
        }
        .into(),
        T::BedAdded => BedAdded {
            bed_id: BED,
            room_id: ROOM,
            facility_id: FACILITY,
            label: "F2-B".into(),
        }
        .into(),
        T::BedReserved => BedReserved {
            reservation_id: RESERVATION,
            facility_id: FACILITY,
            bed_id: BED,
            client_id: CLIENT,
            owner: owner(),
            date: date("2026-01-16"),
            restriction: TransactionRestriction::Unrestricted,
        }
        .into(),
        T::ReservationCancelled => ReservationCancelled {
            reservation_id: RESERVATION,
            facility_id: FACILITY,
            client_id: CLIENT,
        }
        .into(),
        T::ClientCheckedIn => ClientCheckedIn {
            check_in_id: CHECK_IN,
            facility_id: FACILITY,
            bed_id: Some(BED),
            client_id: CLIENT,
            owner: owner(),
            enrollment_id: Some(ENROLLMENT),
            reservation_id: Some(RESERVATION),
            at: at("2026-01-17T03:12:45.5Z"),
            date: date("2026-01-16"),
            restriction: TransactionRestriction::Unrestricted,
        }
        .into(),
        T::ClientCheckedOut => ClientCheckedOut {
            check_in_id: CHECK_IN,
            facility_id: FACILITY,
            client_id: CLIENT,
            at: at("2026-01-17T15:00:00Z"),
            date: date("2026-01-17"),
        }
        .into(),
        T::ClientBarred => ClientBarred {
            bar_id: BarId::new(ulid(0xb1)),
            client_id: CLIENT,
            owner: owner(),
            window: DateWindow::closed(date("2026-02-01"), date("2026-02-14")),
            scope: BarScope::Facility(FACILITY),
            enforcing: vec![SHELTER, OUTREACH],
            reason: pii("Threatened staff member on 2026-01-31"),
            restriction: TransactionRestriction::Unrestricted,
        }
        .into(),
        T::BarLifted => BarLifted {
            bar_id: BarId::new(ulid(0xb1)),
            client_id: CLIENT,
            end: date("2026-02-07"),
        }
        .into(),
        T::RecordRequestSubmitted => RecordRequestSubmitted {
            request_id: REQUEST,
            client_id: CHILD,
            organization_id: SHELTER,
            delivery: DeliveryMethod::EncryptedEmail,
            recipient: Recipient::TrustedContact {
                name: pii("Rosa Alvarez (legal aid advocate)"),
                email: pii("ralvarez@legalaid.example.org"),
            },
            requester_relationship: Some(GuardianRelationship::Parent),
            submitted: at("2026-01-15T18:02:11Z"),
            due: date("2026-01-22"),
        }
        .into(),
        T::RecordRequestStarted => RecordRequestStarted {
            request_id: REQUEST,
        }
        .into(),
        T::RecordRequestFulfilled => RecordRequestFulfilled {
            request_id: REQUEST,
            frozen_position: 48_213,
        }
        .into(),
        // Agreed as encrypted email, handed over in person: the reason says why.
        T::RecordRequestDelivered => RecordRequestDelivered {
            request_id: REQUEST,
            method: DeliveryMethod::InPersonPickup,
            at: at("2026-01-21T16:45:00Z"),
            client_id: Some(CHILD),
            reason: Some(pii(
                "The parent came to the office and asked to receive it in person",
            )),
        }
        .into(),
        T::RecordRequestDenied => RecordRequestDenied {
            request_id: RecordRequestId::new(ulid(0x72)),
            client_id: CLIENT,
            reason: pii("Requester could not verify identity as the client's guardian"),
        }
        .into(),
        T::RecordRevisionRequested => RecordRevisionRequested {
            request_id: REQUEST,
            client_id: CHILD,
            revision_id: RevisionId::new(ulid(0x73)),
            section: "Client Profile".into(),
            description: pii("Date of birth should be 2012-04-03"),
        }
        .into(),
        T::ClientIdentifiersForgotten => ClientIdentifiersForgotten {
            client_id: CLIENT,
            reason: "retention: identifiers unchanged for 7 years, no open enrollment".into(),
            retention_last_changed: Some(date("2019-01-14")),
        }
        .into(),
        T::RecordsAccessed => RecordsAccessed {
            request_id: RequestId::new(ulid(0xd1)),
            date: date("2026-01-15"),
            operation: "ClientProfile".into(),
            query_digest: QueryDigest::HmacSha256(sha(3)),
            view_position: 48_190,
            clients: vec![
                ClientDisclosure {
                    client_id: CLIENT,
                    deliberate: true,
                    records: vec![
                        DisclosedRecord {
                            kind: RecordKind::Intake,
                            record_id: CLIENT.as_u128(),
                            fields: vec!["name".into(), "dob".into(), "veteranStatus".into()],
                            reason: AccessReason::Mou(MOU),
                        },
                        DisclosedRecord {
                            kind: RecordKind::Enrollment,
                            record_id: ENROLLMENT.as_u128(),
                            fields: vec!["program".into(), "entryDate".into()],
                            reason: AccessReason::ReleaseException(RELEASE),
                        },
                        DisclosedRecord {
                            kind: RecordKind::Document,
                            record_id: ulid(0xa4),
                            fields: vec!["name".into()],
                            reason: AccessReason::ClientRecordRequest(REQUEST),
                        },
                        DisclosedRecord {
                            kind: RecordKind::Exit,
                            record_id: ENROLLMENT.as_u128(),
                            fields: vec!["exitDate".into()],
                            reason: AccessReason::PolicyRule(PolicyRule::OpenEnrollmentSummary),
                        },
                    ],
                },
                ClientDisclosure {
                    client_id: CHILD,
                    deliberate: false,
                    records: vec![DisclosedRecord {
                        kind: RecordKind::HouseholdMembership,
                        record_id: HOUSEHOLD.as_u128(),
                        fields: vec!["relationship".into()],
                        reason: AccessReason::OwnOrganization,
                    }],
                },
            ],
            denied: vec![DeniedLookup {
                client_id: ulid(0x3f),
                operation: "client".into(),
            }],
            purpose: Some(Pii::new(
                "Agency called: cannot find the client's record".into(),
            )),
        }
        .into(),
    }
}
