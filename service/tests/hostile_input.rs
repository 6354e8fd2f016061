//! Given a CoC, when a command of any family (accounts, setup, clients, care, shelter, record
//! requests, the policy) gets text no person types or an impossible date, then it answers
//! `VALIDATION` naming the field and the log does not move. The rules are core's
//! (`caseledger_core::input`); these tests hold that every command applies them.

use caseledger_core::commands::accounts::{CreateOrganization, CreateUser};
use caseledger_core::commands::care::{AddCaseNote, AddDocument, EnrollClient, RecordService};
use caseledger_core::commands::clients::{IntakeClient, UpdateClientAddress};
use caseledger_core::commands::setup::{CreateFacility, CreateMou, CreateProgram};
use caseledger_core::commands::shelter::BarClient;
use caseledger_core::events::{Address, BarScope, MouParticipant, PersonName};
use caseledger_core::hud::{
    DataQuality, NoYesReasons, ProjectType, RaceEthnicity, ServiceTypeCode,
};
use caseledger_core::{
    ClientId, Date, DateWindow, MouDirection, OrganizationId, Role, SharingPolicy, UserId,
};
use caseledger_service::{
    CommandError, ErrorCode, Service, ServiceConfig, Session, Written, new_id,
};

const HOSTILE: [&str; 4] = ["Ana\0Diaz", "Ana\nDiaz", "\u{1b}[31mAna", "Ana\u{202E}zaiD"];

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// A CoC served on 2026-06-15: its administrator, an agency with a case manager, a rapid
/// re-housing program, and a client born 1990-04-02.
struct Given {
    service: Service,
    _dir: tempfile::TempDir,
    admin: UserId,
    agency: OrganizationId,
    other: OrganizationId,
    cm: UserId,
    client: ClientId,
    program: caseledger_core::ProgramId,
}

fn intake(first: &str, dob: Option<Date>) -> IntakeClient {
    IntakeClient {
        client_id: new_id(),
        name: PersonName {
            first: first.into(),
            middle: String::new(),
            last: "Lopez".into(),
            suffix: String::new(),
        },
        name_data_quality: DataQuality::Full,
        ssn: String::new(),
        ssn_data_quality: DataQuality::DataNotCollected,
        dob,
        dob_data_quality: if dob.is_some() {
            DataQuality::Full
        } else {
            DataQuality::DataNotCollected
        },
        race_ethnicity: vec![RaceEthnicity::White],
        race_none: None,
        additional_race_ethnicity: String::new(),
        sex: None,
        genders: Vec::new(),
        gender_none: None,
        different_identity_text: String::new(),
        veteran_status: NoYesReasons::No,
        address: None,
        restriction: None,
        source_id: None,
        hash_status: caseledger_core::hud::HashStatus::Unhashed,
    }
}

fn new_organization(name: &str) -> CreateOrganization {
    CreateOrganization {
        organization_id: new_id(),
        name: name.into(),
        victim_service_provider: false,
        source_id: None,
    }
}

async fn organization(service: &Service, admin: &Session, name: &str) -> OrganizationId {
    let command = new_organization(name);
    service.run(admin, &command).await.unwrap();
    command.organization_id
}

fn new_user(id: UserId, organization: OrganizationId, display_name: &str) -> CreateUser {
    CreateUser {
        user_id: id,
        organization_id: organization,
        username: format!("cm-{id}"),
        display_name: display_name.into(),
        role: Role::CaseManager,
    }
}

async fn given() -> Given {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path());
    config.today = Some(d("2026-06-15"));
    let service = Service::open(&config).unwrap();
    service.start();
    let boot = service
        .bootstrap(SharingPolicy::clienttrack("UTC"), "Stanislaus CoC", "admin")
        .await
        .unwrap();
    let admin = boot.admin;
    let as_admin = service.session_for(admin).unwrap();
    let agency = organization(&service, &as_admin, "Children's Crisis Center").await;
    let other = organization(&service, &as_admin, "CHSS").await;
    let cm = new_id();
    service
        .run(&as_admin, &new_user(cm, agency, "Case Manager"))
        .await
        .unwrap();
    let program = new_id();
    let command = CreateProgram {
        id: program,
        organization: agency,
        name: "RRH".into(),
        project_type: ProjectType::RapidReHousing,
        operating: Some(DateWindow::open(d("2020-01-01"))),
        source_id: None,
    };
    service
        .run(&service.session_for(admin).unwrap(), &command)
        .await
        .unwrap();
    let maria = intake("Maria", Some(d("1990-04-02")));
    service
        .run(&service.session_for(cm).unwrap(), &maria)
        .await
        .unwrap();
    let client = maria.client_id;
    Given {
        service,
        _dir: dir,
        admin,
        agency,
        other,
        cm,
        client,
        program,
    }
}

impl Given {
    /// Then: `VALIDATION` naming `field`, and nothing was written.
    async fn then_refused<T: std::fmt::Debug>(
        &self,
        field: &str,
        when: impl std::future::Future<Output = Result<T, CommandError>>,
    ) {
        let before = self.service.head().position;
        let error = when.await.expect_err("the command must be refused");
        assert_eq!(
            (error.code, error.field.as_deref()),
            (ErrorCode::Validation, Some(field)),
            "{error}"
        );
        assert_eq!(self.service.head().position, before, "nothing is written");
    }
}

impl Given {
    /// A rent service for the client on `date`, described by `description`.
    fn service(&self, date: Date, description: &str) -> RecordService {
        RecordService {
            id: new_id(),
            client: self.client,
            enrollment: None,
            date,
            service_type: ServiceTypeCode {
                record_type: 151,
                type_provided: 2,
            },
            description: description.into(),
            restriction: None,
            source_id: None,
        }
    }

    /// A case note about the client.
    fn note(&self, date: Option<Date>, text: &str) -> AddCaseNote {
        AddCaseNote {
            id: new_id(),
            client: self.client,
            enrollment: None,
            date,
            text: text.into(),
            restriction: None,
        }
    }

    /// A lease of the client, named `name`.
    fn document(&self, name: &str, date: Option<Date>) -> AddDocument {
        AddDocument {
            id: new_id(),
            client: self.client,
            enrollment: None,
            name: name.into(),
            document_type: "Lease".into(),
            date,
            content_sha256: None,
            restriction: None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_and_setup_refuse_hostile_names() {
    let g = given().await;
    let s = &g.service;
    for text in HOSTILE {
        g.then_refused(
            "name",
            s.run(&s.session_for(g.admin).unwrap(), &new_organization(text)),
        )
        .await;
        g.then_refused(
            "displayName",
            s.run(
                &s.session_for(g.admin).unwrap(),
                &new_user(new_id(), g.agency, text),
            ),
        )
        .await;
        g.then_refused(
            "name",
            s.run(
                &s.session_for(g.admin).unwrap(),
                &CreateProgram {
                    id: new_id(),
                    organization: g.agency,
                    name: text.into(),
                    project_type: ProjectType::RapidReHousing,
                    operating: None,
                    source_id: None,
                },
            ),
        )
        .await;
        let participants = vec![
            MouParticipant {
                organization: g.agency,
                direction: MouDirection::Both,
            },
            MouParticipant {
                organization: g.other,
                direction: MouDirection::Both,
            },
        ];
        g.then_refused(
            "title",
            s.run(
                &s.session_for(g.admin).unwrap(),
                &CreateMou {
                    id: new_id(),
                    number: "0002".into(),
                    title: text.into(),
                    participants,
                    window: DateWindow::open(d("2026-01-01")),
                },
            ),
        )
        .await;
        g.then_refused(
            "name",
            s.run(
                &s.session_for(g.admin).unwrap(),
                &CreateFacility {
                    id: new_id(),
                    organization: g.agency,
                    program: None,
                    name: text.into(),
                },
            ),
        )
        .await;
    }
    g.then_refused(
        "name",
        s.run(
            &s.session_for(g.admin).unwrap(),
            &new_organization(&"A".repeat(60 * 1024)),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_commands_refuse_hostile_names_addresses_and_dates() {
    let g = given().await;
    let s = &g.service;
    for text in HOSTILE {
        g.then_refused(
            "firstName",
            s.run(&s.session_for(g.cm).unwrap(), &intake(text, None)),
        )
        .await;
        let address = Address {
            line1: text.into(),
            line2: String::new(),
            city: "Modesto".into(),
            state: "CA".into(),
            zip: "95354".into(),
        };
        g.then_refused(
            "address.line1",
            s.run(
                &s.session_for(g.cm).unwrap(),
                &UpdateClientAddress {
                    client_id: g.client,
                    address: Some(address),
                },
            ),
        )
        .await;
    }
    for dob in ["0000-01-01", "1899-12-31", "2026-06-16"] {
        g.then_refused(
            "dob",
            s.run(&s.session_for(g.cm).unwrap(), &intake("Ana", Some(d(dob)))),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn care_commands_refuse_hostile_text_and_impossible_dates() {
    let g = given().await;
    let s = &g.service;
    for text in ["Called\0", "\u{1b}[31mCalled", "Called \u{202E}"] {
        g.then_refused(
            "text",
            s.run(&s.session_for(g.cm).unwrap(), &g.note(None, text)),
        )
        .await;
        g.then_refused(
            "description",
            s.run(
                &s.session_for(g.cm).unwrap(),
                &g.service(d("2026-06-01"), text),
            ),
        )
        .await;
    }
    g.then_refused(
        "name",
        s.run(
            &s.session_for(g.cm).unwrap(),
            &g.document("lease\n.pdf", None),
        ),
    )
    .await;
    // Year 0, year 1, before 1900, before the client's birth, tomorrow.
    for date in [
        "0000-01-01",
        "0001-01-01",
        "1899-12-31",
        "1990-04-01",
        "2026-06-16",
    ] {
        let date = d(date);
        g.then_refused(
            "date",
            s.run(&s.session_for(g.cm).unwrap(), &g.service(date, "")),
        )
        .await;
        g.then_refused(
            "date",
            s.run(
                &s.session_for(g.cm).unwrap(),
                &g.note(Some(date), "Called."),
            ),
        )
        .await;
        g.then_refused(
            "date",
            s.run(
                &s.session_for(g.cm).unwrap(),
                &g.document("Lease.pdf", Some(date)),
            ),
        )
        .await;
        let input = EnrollClient {
            id: new_id(),
            client: g.client,
            program: g.program,
            entry_date: date,
            household: None,
            relationship: caseledger_core::hud::RelationshipToHoH::SelfHeadOfHousehold,
            living_situation: None,
            rental_subsidy_type: None,
            disabling_condition: NoYesReasons::DataNotCollected,
            enrollment_coc: None,
            move_in_date: None,
            case_manager: None,
            restriction: None,
            imported: None,
        };
        g.then_refused("entryDate", s.run(&s.session_for(g.cm).unwrap(), &input))
            .await;
    }
    // A multi-line note is fine.
    s.run(
        &s.session_for(g.cm).unwrap(),
        &g.note(Some(d("1990-04-02")), "Called.\r\n\tFollow up Monday."),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shelter_and_policy_commands_refuse_impossible_dates() {
    let g = given().await;
    let s = &g.service;
    let bar = |window: DateWindow, reason: &str| BarClient {
        id: new_id(),
        client: g.client,
        window,
        scope: BarScope::Organization,
        enforcing: Vec::new(),
        reason: reason.into(),
        restriction: None,
    };
    g.then_refused(
        "reason",
        s.run(
            &s.session_for(g.cm).unwrap(),
            &bar(DateWindow::open(d("2026-06-01")), "\u{1b}[2J"),
        ),
    )
    .await;
    for start in ["0000-01-01", "1990-04-01", "2036-06-16"] {
        g.then_refused(
            "window.start",
            s.run(
                &s.session_for(g.cm).unwrap(),
                &bar(DateWindow::open(d(start)), "Fighting"),
            ),
        )
        .await;
    }
    g.then_refused(
        "window.end",
        s.run(
            &s.session_for(g.cm).unwrap(),
            &bar(
                DateWindow::closed(d("2026-06-01"), d("2036-06-16")),
                "Fighting",
            ),
        ),
    )
    .await;
    let written: Written = s
        .run(
            &s.session_for(g.cm).unwrap(),
            &bar(
                DateWindow::closed(d("2026-06-01"), d("2036-06-15")),
                "Fighting",
            ),
        )
        .await
        .unwrap()
        .1;
    assert!(written.position() > 0);
    for effective in ["0000-01-01", "2036-06-16"] {
        g.then_refused(
            "effective",
            s.run(
                &s.session_for(g.admin).unwrap(),
                &caseledger_core::commands::sharing::SetSharingPolicy {
                    policy: SharingPolicy::clienttrack("UTC"),
                    effective: d(effective),
                },
            ),
        )
        .await;
    }
}
