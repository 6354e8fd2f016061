//! The GraphQL API under load: a full `client(id)` query, `findClients` by last name and a
//! mutation over 32 kept-alive
//! connections, against the real router on loopback, with disclosure recording on (every read
//! appends its durable disclosure record before the response is sent).
//!
//! The load generator runs in the same process as the server (its own runtime), so on this
//! 2-core machine the figures include the client's cost, as an external tool's would.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use caseledger_core::commands::accounts::{CreateOrganization, CreateUser};
use caseledger_core::commands::care::{AddCaseNote, EnrollClient, RecordService};
use caseledger_core::commands::clients::IntakeClient;
use caseledger_core::commands::setup::{CreateMou, CreateProgram};
use caseledger_core::commands::sharing::AssignMou;
use caseledger_core::events::{MouParticipant, PersonName};
use caseledger_core::hud::{
    DataQuality, NoYesReasons, ProjectType, RaceEthnicity, ServiceTypeCode, Sex,
};
use caseledger_core::{
    ClientId, ClientRestriction, Date, DateWindow, MouDirection, Role, SharingPolicy, UserId,
};
use caseledger_service::{Service, ServiceConfig, Session, new_id};
use indicatif::{ProgressBar, ProgressStyle};

use crate::failure::Failure;
use crate::figures::{Figures, percentile};

/// Concurrent connections.
pub(crate) const CONNECTIONS: usize = 32;

pub(crate) const CLIENT_QUERY: &str = "query Client($id: ID!) { client(id: $id) { id firstName lastName dob ssn access { level rule via } restriction address { city } mouAssignments { mouId window { start end } } enrollments { id programId entryDate exitDate access { rule } } services { id date recordType typeProvided } caseNotes { id text } documents { id name } } }";

const FIND_QUERY: &str = "query Find($name: String!) { findClients(search: { name: $name }, first: 20) { edges { node { id firstName lastName dob access { level rule } } } pageInfo { hasNextPage } } }";

const SERVICE_MUTATION: &str = "mutation Service($id: ID!) { recordService(input: { clientId: $id, date: \"2026-06-01\", recordType: 144, typeProvided: 1 }) { id position } }";

/// What one load run measured.
pub(crate) struct Load {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<f64>,
    /// CPU time the whole process (server and load generator) spent, in seconds: unlike
    /// throughput, barely moved by other work on the machine.
    cpu_seconds: Option<f64>,
}

impl Load {
    /// Requests answered (with or without errors).
    pub(crate) fn requests(&self) -> usize {
        self.requests
    }

    /// How long the run took, in seconds.
    pub(crate) fn seconds(&self) -> f64 {
        self.seconds
    }
}

/// CPU time (user and system) this process has used so far, from `/proc/self/stat`.
pub(crate) fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3, the state;
    // utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / rustix::param::clock_ticks_per_second() as f64)
}

/// The clients populated and the seconds per load point, quick or full; and the runtime the
/// server and its load generator share.
pub(crate) fn setting(quick: bool) -> Result<(usize, u64, tokio::runtime::Runtime), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    Ok(if quick {
        (200, 5, runtime)
    } else {
        (1_000, 20, runtime)
    })
}

/// Runs the GraphQL group.
pub fn run(quick: bool, scratch: &std::path::Path, figures: &mut Figures) -> Result<(), Failure> {
    let (clients, seconds, runtime) = setting(quick)?;
    runtime.block_on(async {
        let today = Date::from_ymd(2026, 6, 15).expect("date");
        let mut config = ServiceConfig::new(scratch.join("graphql"));
        config.today = Some(today);
        let service = Service::open(&config)?;
        service.start();
        let (reader, writer, ids) = populate(&service, clients).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app =
            caseledger_graphql::router(service.clone(), caseledger_graphql::ApiConfig::default());
        let server = tokio::spawn(caseledger_graphql::serve(
            listener,
            app,
            caseledger_graphql::ConnectionLimits::default(),
            std::future::pending(),
        ));
        let url = [format!("http://{addr}/graphql")];

        let by_id: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({ "id": id.to_string() }))
            .collect();
        eprintln!("bench: client(id) from {CONNECTIONS} connections for {seconds} s");
        let reads = load(&url, &reader, CLIENT_QUERY, &by_id, seconds).await;
        report(figures, "graphql_client_read", &reads);
        // Last names are shared by a few clients each (`sample_intake`), as in a real CoC.
        let names: Vec<serde_json::Value> = (0..clients.min(500))
            .map(|i| serde_json::json!({ "name": format!("Last{i}") }))
            .collect();
        eprintln!("bench: findClients by last name from {CONNECTIONS} connections for {seconds} s");
        let finds = load(&url, &reader, FIND_QUERY, &names, seconds).await;
        report(figures, "graphql_find_clients", &finds);
        eprintln!("bench: recordService from {CONNECTIONS} connections for {seconds} s");
        let writes = load(&url, &writer, SERVICE_MUTATION, &by_id, seconds).await;
        report(figures, "graphql_record_service", &writes);

        server.abort();
        service.shutdown().await;
        Ok::<(), Failure>(())
    })
}

pub(crate) fn report(figures: &mut Figures, name: &str, load: &Load) {
    figures.add(
        format!("{name}_per_s"),
        load.requests as f64 / load.seconds,
        "req/s",
    );
    figures.add(
        format!("{name}_p50_ms"),
        percentile(&load.latencies, 50.0) * 1e3,
        "ms",
    );
    figures.add(
        format!("{name}_p99_ms"),
        percentile(&load.latencies, 99.0) * 1e3,
        "ms",
    );
    figures.add(format!("{name}_errors"), load.errors as f64, "responses");
    if let Some(cpu) = load.cpu_seconds {
        figures.add(
            format!("{name}_cpu_us"),
            cpu * 1e6 / load.requests.max(1) as f64,
            "µs CPU/req",
        );
    }
}

/// A CoC with two agencies sharing under an MOU; the first records `n` clients (intake shared
/// with the MOU, MOU assignment, an enrollment, a service, a case note); returns the second
/// agency's case manager's token (the reader, who sees the clients through the MOU), the first
/// agency's (the writer) and the client ids.
pub(crate) async fn populate(
    service: &Service,
    n: usize,
) -> Result<(String, String, Vec<ClientId>), Failure> {
    let lead = service
        .bootstrap(
            SharingPolicy::clienttrack("America/Los_Angeles"),
            "Bench CoC",
            "admin",
        )
        .await?;
    let admin = lead.admin;
    let a = organization(service, &service.session_for(admin)?, "Agency A").await?;
    let b = organization(service, &service.session_for(admin)?, "Agency B").await?;
    let writer = case_manager(service, &service.session_for(admin)?, a, "writer", "Writer").await?;
    let reader = case_manager(service, &service.session_for(admin)?, b, "reader", "Reader").await?;
    let (_, writer_token, _, _) = service
        .issue_token(&service.session_for(admin)?, writer, "bench writer", None)
        .await?;
    let (_, reader_token, _, _) = service
        .issue_token(&service.session_for(admin)?, reader, "bench reader", None)
        .await?;
    let start = Date::from_ymd(2020, 1, 1).expect("date");
    let program = new_id();
    let command = CreateProgram {
        id: program,
        organization: a,
        name: "Rapid Re-Housing".into(),
        project_type: ProjectType::RapidReHousing,
        operating: Some(DateWindow::open(start)),
        source_id: None,
    };
    service.run(&service.session_for(admin)?, &command).await?;
    let both = |organization| MouParticipant {
        organization,
        direction: MouDirection::Both,
    };
    let mou = new_id();
    let command = CreateMou {
        id: mou,
        number: "0001".into(),
        title: "Bench MOU".into(),
        participants: vec![both(a), both(b)],
        window: DateWindow::open(start),
    };
    service.run(&service.session_for(admin)?, &command).await?;
    let bar = ProgressBar::new(n as u64).with_style(
        ProgressStyle::with_template("populating {bar:40} {pos}/{len} clients ({per_sec})")
            .expect("template"),
    );
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(record_client(service, writer, program, mou, i).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((reader_token, writer_token, ids))
}

async fn record_client(
    service: &Service,
    writer: UserId,
    program: caseledger_core::ProgramId,
    mou: caseledger_core::MouId,
    i: usize,
) -> Result<ClientId, Failure> {
    let client = new_id();
    service
        .run(
            &service.session_for(writer)?,
            &sample_intake(client, i, ClientRestriction::ShareWithMou),
        )
        .await?;
    let start = Date::from_ymd(2026, 1, 1).expect("date");
    let assign = AssignMou {
        client_id: client,
        assignment_id: new_id(),
        mou_id: mou,
        window: Some(DateWindow::open(start)),
    };
    service.run(&service.session_for(writer)?, &assign).await?;
    let enroll = sample_enrollment(client, program, writer);
    let enrollment = enroll.id;
    service.run(&service.session_for(writer)?, &enroll).await?;
    let rent = ServiceTypeCode {
        record_type: 144,
        type_provided: 1,
    };
    let provided = Date::from_ymd(2026, 3, 1).expect("date");
    let command = RecordService {
        id: new_id(),
        client,
        enrollment: Some(enrollment),
        date: provided,
        service_type: rent,
        description: String::new(),
        restriction: None,
        source_id: None,
    };
    service.run(&service.session_for(writer)?, &command).await?;
    let command = AddCaseNote {
        id: new_id(),
        client,
        enrollment: Some(enrollment),
        date: None,
        text: "Met at intake.".into(),
        restriction: None,
    };
    service.run(&service.session_for(writer)?, &command).await?;
    Ok(client)
}

/// Sends `query` with each of `variables` in turn from [`CONNECTIONS`] connections (one
/// kept-alive connection each, the next request sent when the previous answer arrived) for
/// `seconds`.
/// `query` with each of `variables` in turn from [`CONNECTIONS`] kept-alive connections for
/// `seconds`, connection c sending to `urls[c % urls.len()]` (several nodes share the load).
pub(crate) async fn load(
    urls: &[String],
    token: &str,
    query: &str,
    variables: &[serde_json::Value],
    seconds: u64,
) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let ids: Arc<Vec<serde_json::Value>> = Arc::new(variables.to_vec());
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let (stop, ids) = (stop.clone(), ids.clone());
            let url = urls[c % urls.len()].clone();
            let (token, query) = (token.to_string(), query.to_string());
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("http client");
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let body =
                        serde_json::json!({ "query": query, "variables": ids[i % ids.len()] });
                    i += CONNECTIONS;
                    let t = Instant::now();
                    let answer = http.post(&url).bearer_auth(&token).json(&body).send().await;
                    let ok = match answer {
                        Ok(r) => r
                            .json::<serde_json::Value>()
                            .await
                            .is_ok_and(|v| v.get("errors").is_none() && !v["data"].is_null()),
                        Err(_) => false,
                    };
                    latencies.push(t.elapsed().as_secs_f64());
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Load {
        requests: 0,
        errors: 0,
        seconds: 0.0,
        latencies: Vec::new(),
        cpu_seconds: None,
    };
    for task in tasks {
        if let Ok((latencies, errors)) = task.await {
            all.errors += errors;
            all.latencies.extend(latencies);
        }
    }
    all.seconds = started.elapsed().as_secs_f64();
    all.requests = all.latencies.len();
    all.cpu_seconds = cpu_before
        .zip(process_cpu_seconds())
        .map(|(before, after)| after - before);
    all
}

/// Creates an organization as `admin`.
pub(crate) async fn organization(
    service: &Service,
    admin: &Session,
    name: &str,
) -> Result<caseledger_core::OrganizationId, Failure> {
    let id = new_id();
    let command = CreateOrganization {
        organization_id: id,
        name: name.into(),
        victim_service_provider: false,
        source_id: None,
    };
    service.run(admin, &command).await?;
    Ok(id)
}

/// Creates a case manager `username` of `organization` as `admin`.
pub(crate) async fn case_manager(
    service: &Service,
    admin: &Session,
    organization: caseledger_core::OrganizationId,
    username: &str,
    display_name: &str,
) -> Result<UserId, Failure> {
    let id = new_id();
    let command = CreateUser {
        user_id: id,
        organization_id: organization,
        username: username.into(),
        display_name: display_name.into(),
        role: Role::CaseManager,
    };
    service.run(admin, &command).await?;
    Ok(id)
}

/// The intake of the `i`th generated client.
pub(crate) fn sample_intake(
    client_id: ClientId,
    i: usize,
    restriction: ClientRestriction,
) -> IntakeClient {
    IntakeClient {
        client_id,
        name: PersonName {
            first: format!("First{i}"),
            middle: String::new(),
            last: format!("Last{}", i % 500),
            suffix: String::new(),
        },
        name_data_quality: DataQuality::Full,
        ssn: String::new(),
        ssn_data_quality: DataQuality::DataNotCollected,
        dob: Date::from_ymd(
            1960 + (i % 40) as i32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        ),
        dob_data_quality: DataQuality::Full,
        race_ethnicity: vec![RaceEthnicity::White],
        race_none: None,
        additional_race_ethnicity: String::new(),
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
        genders: Vec::new(),
        gender_none: None,
        different_identity_text: String::new(),
        veteran_status: NoYesReasons::No,
        address: None,
        restriction: Some(restriction),
        source_id: None,
        hash_status: caseledger_core::hud::HashStatus::Unhashed,
    }
}

/// A new enrollment of `client` in `program` from 2026-02-01, managed by `manager`.
pub(crate) fn sample_enrollment(
    client: ClientId,
    program: caseledger_core::ProgramId,
    manager: UserId,
) -> EnrollClient {
    EnrollClient {
        id: new_id(),
        client,
        program,
        entry_date: Date::from_ymd(2026, 2, 1).expect("date"),
        household: None,
        relationship: caseledger_core::hud::RelationshipToHoH::SelfHeadOfHousehold,
        living_situation: None,
        rental_subsidy_type: None,
        disabling_condition: NoYesReasons::No,
        enrollment_coc: None,
        move_in_date: None,
        case_manager: Some(manager),
        restriction: None,
        imported: None,
    }
}
