//! Consistency from the log, not from a process: two service instances, each with its own
//! projections and its own command lock, share one log and issue conflicting commands at the
//! same moment. Exactly one of each pair wins, the loser is refused by the rule the winner's
//! write made true (it was decided again on fresh state, or refused by the log's expected
//! head), and the log holds one such event.
//!
//! Every test runs twice: on the in-memory `EventLog` with one key store object, and as two
//! nodes of a PostgreSQL log (a scratch server of this process), each with its own key store
//! object over the shared key table and the same master key file.

use std::sync::Arc;

use caseledger_core::commands::accounts::{CreateOrganization, CreateUser};
use caseledger_core::commands::care::{EnrollClient, ExitEnrollment};
use caseledger_core::commands::clients::{ForgetClientIdentifiers, IntakeClient};
use caseledger_core::commands::setup::{AddBed, AddRoom, CreateFacility, CreateProgram};
use caseledger_core::commands::shelter::CheckIn;
use caseledger_core::events::PersonName;
use caseledger_core::hud::{
    DataQuality, NoYesReasons, ProjectType, RaceEthnicity, RelationshipToHoH,
};
use caseledger_core::{
    BedId, ClientId, Date, DateWindow, EnrollmentId, Event, Pii, Role, SharingPolicy,
};
use caseledger_log_store::EventLog;
use caseledger_log_store::memory::MemoryLog;
use caseledger_service::keys::{KeyStore, KeyStoreError, master_key_path};
use caseledger_service::{
    Command, CommandError, ErrorCode, Service, ServiceConfig, ServiceError, Session, Written,
    new_id,
};

/// Two started instances over one log, and a case manager's session on each.
struct Pair {
    /// The system administrator's session on A.
    admin: Session,
    /// The PostgreSQL log's connection string, on that backend.
    url: Option<String>,
    a: Service,
    b: Service,
    on_a: Session,
    on_b: Session,
    /// A shelter bed of the agency's emergency shelter.
    bed: BedId,
    /// Two clients of the agency, each enrolled in the shelter program.
    clients: [(ClientId, EnrollmentId); 2],
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// Where the two instances' log is.
#[derive(Debug, Clone, Copy)]
enum Backend {
    /// One in-memory log and one key store object.
    Memory,
    /// Two nodes of a PostgreSQL log, each opened as `serve --log` opens it.
    Postgres,
}

/// Two services over one log on `backend`.
fn open_two(
    backend: Backend,
    da: &std::path::Path,
    db: &std::path::Path,
) -> (Service, Service, Option<String>) {
    match backend {
        Backend::Memory => {
            let log: Arc<dyn EventLog> = MemoryLog::new();
            let keys = Arc::new(KeyStore::open(da, &master_key_path(da)).unwrap());
            let a = Service::open_on(&ServiceConfig::new(da), log.clone(), keys.clone()).unwrap();
            let b = Service::open_on(&ServiceConfig::new(db), log, keys).unwrap();
            (a, b, None)
        }
        Backend::Postgres => {
            let url = caseledger_log_postgres::testkit::database();
            let config = |dir: &std::path::Path| {
                let mut config = ServiceConfig::new(dir);
                config.shared_log = Some(url.clone());
                // Every node has the same master key: A makes it, B is given A's.
                config.master_key_file = Some(master_key_path(da));
                config
            };
            let a = Service::open(&config(da)).unwrap();
            let b = Service::open(&config(db)).unwrap();
            (a, b, Some(url))
        }
    }
}

async fn pair(backend: Backend) -> Pair {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b, url) = open_two(backend, da.path(), db.path());
    a.start();
    b.start();
    let done = a
        .bootstrap(SharingPolicy::clienttrack("UTC"), "CoC", "admin")
        .await
        .unwrap();
    let admin = a.session_for(done.admin).unwrap();
    let agency = CreateOrganization {
        organization_id: new_id(),
        name: "Agency".into(),
        victim_service_provider: false,
        source_id: None,
    };
    a.run(&admin, &agency).await.unwrap();
    let worker = CreateUser {
        user_id: new_id(),
        organization_id: agency.organization_id,
        username: "worker".into(),
        display_name: "Worker".into(),
        role: Role::CaseManager,
    };
    a.run(&admin, &worker).await.unwrap();
    let program = CreateProgram {
        id: new_id(),
        organization: agency.organization_id,
        name: "Night shelter".into(),
        project_type: ProjectType::EmergencyShelterNightByNight,
        operating: Some(DateWindow::open(Date::from_ymd(2020, 1, 1).unwrap())),
        source_id: None,
    };
    a.run(&admin, &program).await.unwrap();
    let facility = CreateFacility {
        id: new_id(),
        organization: agency.organization_id,
        program: Some(program.id),
        name: "Shelter".into(),
    };
    a.run(&admin, &facility).await.unwrap();
    let room = AddRoom {
        id: new_id(),
        facility: facility.id,
        name: "Dorm".into(),
        designators: Vec::new(),
    };
    a.run(&admin, &room).await.unwrap();
    let bed = AddBed {
        id: new_id(),
        room: room.id,
        label: "D-1".into(),
    };
    a.run(&admin, &bed).await.unwrap();
    let on_a = a.session_for(worker.user_id).unwrap();
    let mut clients = Vec::new();
    for first in ["Ana", "Ben"] {
        let client: ClientId = new_id();
        a.run(&on_a, &intake(client, first)).await.unwrap();
        let enroll = EnrollClient {
            id: new_id(),
            client,
            program: program.id,
            entry_date: Date::from_ymd(2026, 1, 1).unwrap(),
            household: None,
            relationship: RelationshipToHoH::SelfHeadOfHousehold,
            living_situation: None,
            rental_subsidy_type: None,
            disabling_condition: NoYesReasons::No,
            enrollment_coc: None,
            move_in_date: None,
            case_manager: None,
            restriction: None,
            imported: None,
        };
        a.run(&on_a, &enroll).await.unwrap();
        clients.push((client, enroll.id));
    }
    b.wait_for(a.head().position, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    Pair {
        admin,
        url,
        on_b: b.session_for(worker.user_id).unwrap(),
        on_a,
        bed: bed.id,
        clients: [clients[0], clients[1]],
        a,
        b,
        _dirs: (da, db),
    }
}

fn intake(client_id: ClientId, first: &str) -> IntakeClient {
    IntakeClient {
        client_id,
        name: PersonName {
            first: first.into(),
            middle: String::new(),
            last: "Lopez".into(),
            suffix: String::new(),
        },
        name_data_quality: DataQuality::Full,
        ssn: String::new(),
        ssn_data_quality: DataQuality::DataNotCollected,
        dob: None,
        dob_data_quality: DataQuality::DataNotCollected,
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

/// A command whose first decision waits, after it has read its state, until the test lets
/// it go: so instance B decides on state from before A's write, deterministically.
struct Held<C> {
    command: C,
    entered: std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>>,
    release: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    decided: std::sync::atomic::AtomicUsize,
}

impl<C: Command> Command for Held<C> {
    type Output = C::Output;

    fn decide(
        &self,
        state: &caseledger_projections::Projections,
        session: &Session,
    ) -> Result<caseledger_service::Decision<C::Output>, CommandError> {
        let decision = self.command.decide(state, session);
        self.decided
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(entered) = self.entered.lock().unwrap().take() {
            entered.send(()).unwrap();
            self.release.lock().unwrap().recv().unwrap();
        }
        decision
    }
}

/// B decides `second` and is held there; A runs `first` to the end; then B goes on and
/// appends what it decided on the older state. Answers both results and how many times B
/// decided.
async fn race<C>(p: &Pair, first: C, second: C) -> ([Result<Written, CommandError>; 2], usize)
where
    C: Command + Send + Sync + 'static,
    C::Output: Send + 'static,
{
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel();
    let held = Arc::new(Held {
        command: second,
        entered: std::sync::Mutex::new(Some(entered_tx)),
        release: std::sync::Mutex::new(release_rx),
        decided: std::sync::atomic::AtomicUsize::new(0),
    });
    let b = {
        let (service, session, held) = (p.b.clone(), p.on_b.clone(), held.clone());
        tokio::spawn(async move { service.run(&session, &*held).await.map(|(_, w)| w) })
    };
    tokio::task::spawn_blocking(move || entered_rx.recv().unwrap())
        .await
        .unwrap();
    let a = p.a.run(&p.on_a, &first).await.map(|(_, w)| w);
    release_tx.send(()).unwrap();
    let b = b.await.unwrap();
    let decided = held.decided.load(std::sync::atomic::Ordering::SeqCst);
    ([a, b], decided)
}

/// Exactly one of the two won; the other was refused with `code` on `field`.
#[track_caller]
fn one_wins(results: &[Result<Written, CommandError>; 2], code: ErrorCode, field: &str) {
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "exactly one wins: {results:?}");
    let lost = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(
        (lost.code, lost.field.as_deref()),
        (code, Some(field)),
        "{lost}"
    );
}

/// Events of the shared log matching `pick`.
fn count(service: &Service, pick: impl Fn(&Event) -> bool) -> usize {
    service
        .read_log(1, usize::MAX)
        .unwrap()
        .into_iter()
        .filter(|s| pick(&s.envelope.event))
        .count()
}

/// A test on both backends, as `NAME::memory` and `NAME::postgres`. Four workers: instance
/// B's held decision blocks one, and its projector another while it waits to fold A's write.
macro_rules! on_both {
    (async fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            use super::*;

            async fn run($backend: Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory() {
                run(Backend::Memory).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    };
}

on_both! {
    async fn two_intakes_of_one_hmis_id_on_two_instances_record_one_client(backend) {
        let p = pair(backend).await;
        let id: ClientId = new_id();
        let (results, decided) = race(&p, intake(id, "Maria"), intake(id, "Marie")).await;
        assert!(
            results[0].is_ok(),
            "A decided and appended first: {results:?}"
        );
        one_wins(&results, ErrorCode::Conflict, "clientId");
        assert_eq!(decided, 2, "B's append on the older state was refused by the log, and B decided again");
        let recorded = count(
            &p.a,
            |e| matches!(e, Event::ClientIntakeRecorded(i) if i.client_id == id),
        );
        assert_eq!(recorded, 1, "one intake of {id} in the log");
        p.a.shutdown().await;
        p.b.shutdown().await;
    }
}

on_both! {
    async fn two_check_ins_to_one_bed_on_two_instances_put_one_client_in_it(backend) {
        let p = pair(backend).await;
        let check_in = |client: ClientId, service: &Service| CheckIn {
            id: new_id(),
            client,
            facility: None,
            bed: Some(p.bed),
            enrollment: None,
            reservation: None,
            restriction: None,
            at: service.now(),
        };
        let (ana, ben) = (p.clients[0].0, p.clients[1].0);
        let (results, decided) = race(&p, check_in(ana, &p.a), check_in(ben, &p.b)).await;
        assert!(results[0].is_ok(), "A checked Ana in first: {results:?}");
        one_wins(&results, ErrorCode::Conflict, "bedId");
        assert_eq!(decided, 2, "B decided again on the state with Ana in the bed");
        let stays = count(
            &p.a,
            |e| matches!(e, Event::ClientCheckedIn(c) if c.bed_id == Some(p.bed)),
        );
        assert_eq!(stays, 1, "one stay in the bed");
        p.a.shutdown().await;
        p.b.shutdown().await;
    }
}

on_both! {
    async fn two_exits_of_one_enrollment_on_two_instances_record_one_exit(backend) {
        let p = pair(backend).await;
        let enrollment = p.clients[0].1;
        let exit = |day: u32| ExitEnrollment {
            enrollment,
            exit_date: Date::from_ymd(2026, 2, day).unwrap(),
            destination: None,
            destination_subsidy_type: None,
            other_destination: String::new(),
            whole_household: false,
            source_id: None,
        };
        let (results, decided) = race(&p, exit(1), exit(2)).await;
        assert!(results[0].is_ok(), "A exited first: {results:?}");
        one_wins(&results, ErrorCode::Conflict, "enrollmentId");
        assert_eq!(decided, 2, "B decided again on the exited enrollment");
        let exits = count(
            &p.a,
            |e| matches!(e, Event::EnrollmentExited(x) if x.enrollment_id == enrollment),
        );
        assert_eq!(exits, 1, "one exit of the enrollment");
        p.a.shutdown().await;
        p.b.shutdown().await;
    }
}

on_both! {
    async fn a_batch_decided_before_another_instance_wrote_is_refused_whole_and_writes_nothing(backend) {
        let p = pair(backend).await;
        let id: ClientId = new_id();
        // A decides a bulk write (an import) on the state before B's intake of the same id...
        let mut batch = p.a.batch().await.unwrap();
        let session = batch.session_for(p.on_a.user()).unwrap();
        batch.decide(&session, &intake(id, "Maria")).unwrap();
        let before = p.a.head().position;
        // ...B records the client meanwhile, and A's batch comes to be written after it.
        let (_, by_b) = p.b.run(&p.on_b, &intake(id, "Marie")).await.unwrap();
        let refused = batch.commit(&|_, _| {}).await;
        assert!(
            matches!(
                refused,
                Err(caseledger_service::batch::BatchError::Moved {
                    written: 0,
                    total: 1
                })
            ),
            "{refused:?}"
        );
        // (A node learns of another's commit a moment after it: wait for B's before looking.)
        p.a.wait_for(by_b.position(), std::time::Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(by_b.position(), before + 1);
        assert_eq!(
            p.a.head().position,
            before + 1,
            "only B's intake was written"
        );
        let recorded = count(
            &p.a,
            |e| matches!(e, Event::ClientIntakeRecorded(c) if c.client_id == id),
        );
        assert_eq!(recorded, 1);
    }
}

/// The name `service` reads in the intake of `client`, as the log holds it.
fn recorded_name(service: &Service, client: ClientId) -> Pii<PersonName> {
    service
        .read_log(1, usize::MAX)
        .unwrap()
        .into_iter()
        .find_map(|s| match s.envelope.event {
            Event::ClientIntakeRecorded(i) if i.client_id == client => Some(i.name),
            _ => None,
        })
        .expect("the client's intake")
}

/// Runs `sql` on the shared log's database and answers its rows.
async fn sql(url: &str, sql: &str) -> Vec<tokio_postgres::Row> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.query(sql, &[]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_forgotten_on_one_node_is_erased_on_the_other_and_its_key_is_in_no_page_of_the_table()
 {
    let p = pair(Backend::Postgres).await;
    let url = p.url.clone().unwrap();
    let (ana, _) = p.clients[0];
    let ana_hex = format!("{:032x}", ana.as_u128());
    // B folded Ana's intake with the key A made, fetched from the shared store.
    assert!(matches!(recorded_name(&p.b, ana), Pii::Clear(n) if n.first == "Ana"));
    let key_sql = format!(
        "SELECT sealed FROM caseledger_keys WHERE class = 1 AND id = decode('{ana_hex}', 'hex')"
    );
    let sealed: Vec<u8> = sql(&url, &key_sql).await[0].get(0);

    let forget = ForgetClientIdentifiers {
        client_id: ana,
        reason: "the client asked".into(),
    };
    let written =
        p.a.forget_client_identifiers(&p.admin, &forget)
            .await
            .unwrap();
    p.b.wait_for(written.position(), std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(recorded_name(&p.a, ana), Pii::Erased);
    assert_eq!(
        recorded_name(&p.b, ana),
        Pii::Erased,
        "B dropped its copy of the key when it folded the forgetting"
    );
    let stored: Option<Vec<u8>> = sql(&url, &key_sql).await[0].get(0);
    assert_eq!(
        stored, None,
        "the row stays, without a key, so none is made again"
    );
    // No version of the row survives in the table's pages (live, dead or in free space).
    sql(&url, "CREATE EXTENSION IF NOT EXISTS pageinspect").await;
    let pages: Vec<Vec<u8>> = sql(
        &url,
        "SELECT get_raw_page('caseledger_keys', b::int)
         FROM generate_series(0, pg_relation_size('caseledger_keys') / 8192 - 1) AS b",
    )
    .await
    .iter()
    .map(|r| r.get(0))
    .collect();
    assert!(!pages.is_empty());
    assert!(
        !pages
            .iter()
            .any(|page| page.windows(sealed.len()).any(|w| w == sealed)),
        "the wrapped key is in no page of caseledger_keys"
    );
    // Ben, not forgotten, still reads on both nodes.
    let (ben, _) = p.clients[1];
    for node in [&p.a, &p.b] {
        assert!(matches!(recorded_name(node, ben), Pii::Clear(n) if n.first == "Ben"));
    }
    p.a.shutdown().await;
    p.b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_master_key_is_not_rotated_while_a_node_serves_and_is_once_all_are_stopped() {
    let p = pair(Backend::Postgres).await;
    let (ana, _) = p.clients[0];
    let master = master_key_path(p._dirs.0.path());
    let refused = p.a.rotate_master_key(&master);
    assert!(
        matches!(refused, Err(ServiceError::Keys(KeyStoreError::InUse))),
        "{refused:?}"
    );
    p.a.shutdown().await;
    p.b.shutdown().await;
    // The nodes' hold ends with their sessions, which PostgreSQL ends a moment later.
    let mut tries = 0;
    let fingerprint = loop {
        match p.a.rotate_master_key(&master) {
            Err(ServiceError::Keys(KeyStoreError::InUse)) if tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            result => break result.unwrap(),
        }
    };
    assert_eq!(p.a.key_status().0, fingerprint);
    // A node opened afresh with the new key reads every client.
    let mut config = ServiceConfig::new(p._dirs.1.path());
    config.shared_log = p.url.clone();
    config.master_key_file = Some(master.clone());
    let again = Service::open(&config).unwrap();
    assert_eq!(again.key_status().0, fingerprint);
    assert!(matches!(recorded_name(&again, ana), Pii::Clear(n) if n.first == "Ana"));
    // One with the old key is refused before it reads anything.
    let old = p._dirs.1.path().join("old.key");
    std::fs::write(&old, [7u8; 32]).unwrap();
    config.master_key_file = Some(old);
    assert!(matches!(
        Service::open(&config),
        Err(ServiceError::Keys(KeyStoreError::WrongMasterKey { .. }))
    ));
}
