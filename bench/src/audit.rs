//! Auditors' queries on a large log: `accessLog` for one client among 1,000,000 disclosure
//! records, and `visibilityAsOf` for that client on the same log.

use std::time::Instant;

use caseledger_core::commands::care::{AddCaseNote, RecordService};
use caseledger_core::commands::setup::{CreateMou, CreateProgram};
use caseledger_core::events::{ClientDisclosure, DisclosedRecord, QueryDigest, RecordsAccessed};
use caseledger_core::{
    AccessReason, Actor, ClientId, ClientRestriction, CorrelationId, Date, Envelope, EventId,
    Header, RecordKind, RequestId, Role, SharingPolicy, Timestamp,
};
use caseledger_service::{AccessFilter, Service, ServiceConfig, new_id};
use indicatif::{ProgressBar, ProgressStyle};

use crate::failure::Failure;
use crate::figures::{Figures, percentile};

/// Runs the audit group.
pub fn run(quick: bool, scratch: &std::path::Path, figures: &mut Figures) -> Result<(), Failure> {
    let records: u64 = if quick { 100_000 } else { 1_000_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut config = ServiceConfig::new(scratch.join("audit"));
        config.today = Some(Date::from_ymd(2026, 6, 15).expect("date"));
        let service = Service::open(&config)?;
        service.start();
        let lead = service
            .bootstrap(SharingPolicy::clienttrack("UTC"), "Bench CoC", "admin")
            .await?;
        let agency =
            crate::graphql::organization(&service, &service.session_for(lead.admin)?, "Agency")
                .await?;
        let worker = crate::graphql::case_manager(
            &service,
            &service.session_for(lead.admin)?,
            agency,
            "worker",
            "Worker",
        )
        .await?;
        let client = caseledger_service::new_id();
        let intake = crate::graphql::sample_intake(client, 0, ClientRestriction::ShareGlobally);
        service.run(&service.session_for(worker)?, &intake).await?;
        // A history for the client: an MOU assignment, an enrollment, services and notes.
        let other =
            crate::graphql::organization(&service, &service.session_for(lead.admin)?, "Partner")
                .await?;
        let both = |organization| caseledger_core::events::MouParticipant {
            organization,
            direction: caseledger_core::MouDirection::Both,
        };
        let opened = Date::from_ymd(2026, 1, 1).expect("date");
        let mou = new_id();
        let command = CreateMou {
            id: mou,
            number: "0001".into(),
            title: "Bench".into(),
            participants: vec![both(agency), both(other)],
            window: caseledger_core::DateWindow::open(opened),
        };
        service
            .run(&service.session_for(lead.admin)?, &command)
            .await?;
        let assign = caseledger_core::commands::sharing::AssignMou {
            client_id: client,
            assignment_id: caseledger_service::new_id(),
            mou_id: mou,
            window: None,
        };
        service.run(&service.session_for(worker)?, &assign).await?;
        let program = new_id();
        let command = CreateProgram {
            id: program,
            organization: agency,
            name: "RRH".into(),
            project_type: caseledger_core::hud::ProjectType::RapidReHousing,
            operating: Some(caseledger_core::DateWindow::open(opened)),
            source_id: None,
        };
        service
            .run(&service.session_for(lead.admin)?, &command)
            .await?;
        service
            .run(
                &service.session_for(worker)?,
                &crate::graphql::sample_enrollment(client, program, worker),
            )
            .await?;
        let day = Date::from_ymd(2026, 6, 1).expect("date");
        let rent = caseledger_core::hud::ServiceTypeCode {
            record_type: 144,
            type_provided: 1,
        };
        for _ in 0..20 {
            let command = RecordService {
                id: new_id(),
                client,
                enrollment: None,
                date: day,
                service_type: rent,
                description: String::new(),
                restriction: None,
                source_id: None,
            };
            service.run(&service.session_for(worker)?, &command).await?;
            let command = AddCaseNote {
                id: new_id(),
                client,
                enrollment: None,
                date: Some(day),
                text: "Follow-up.".into(),
                restriction: None,
            };
            service.run(&service.session_for(worker)?, &command).await?;
        }
        let actor = Actor {
            user: worker,
            organization: agency,
            role: Role::CaseManager,
        };
        // Disclosure records of 1,000 other clients, the asked-about client in one of 1,000.
        let bar = ProgressBar::new(records).with_style(
            ProgressStyle::with_template("writing disclosures {bar:40} {pos}/{len} ({per_sec})")
                .expect("template"),
        );
        let start = Timestamp::from_datetime("2026-06-15T08:00:00Z".parse().expect("time"));
        let mut written = 0u64;
        while written < records {
            let batch: Vec<Envelope> = (written..(written + 1000).min(records))
                .map(|i| {
                    let who = if i % 1000 == 7 {
                        client
                    } else {
                        ClientId::new(1 + u128::from(i % 1000))
                    };
                    disclosure(actor, who, i, start)
                })
                .collect();
            written += batch.len() as u64;
            service.append(&batch).await?;
            bar.set_position(written);
        }
        bar.finish_and_clear();
        service
            .wait_for(service.head().position, std::time::Duration::from_secs(600))
            .await?;
        let auditor = Actor {
            user: lead.admin,
            organization: lead.organization,
            role: Role::SystemAdmin,
        };
        let filter = AccessFilter {
            client: Some(client.as_u128()),
            ..AccessFilter::default()
        };
        let mut log_times = Vec::new();
        let mut visibility_times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let page =
                service.access_log(&service.session_for(auditor.user)?, &filter, 50, None)?;
            log_times.push(t.elapsed().as_secs_f64());
            assert_eq!(page.len(), 50);
            let t = Instant::now();
            service.visibility_as_of(
                &service.session_for(auditor.user)?,
                client,
                Date::from_ymd(2026, 6, 15).expect("date"),
            )?;
            visibility_times.push(t.elapsed().as_secs_f64());
        }
        figures.add("audit_disclosure_records", records as f64, "records");
        figures.add(
            "audit_access_log_p50_us",
            percentile(&log_times, 50.0) * 1e6,
            "µs",
        );
        figures.add(
            "audit_visibility_as_of_p50_us",
            percentile(&visibility_times, 50.0) * 1e6,
            "µs",
        );
        service.shutdown().await;
        Ok::<(), Failure>(())
    })
}

/// Disclosure record number `i`: one client's intake and an enrollment, shown to `actor`.
fn disclosure(actor: Actor, client: ClientId, i: u64, start: Timestamp) -> Envelope {
    let id = (1u128 << 100) | u128::from(i);
    let header = Header {
        event_id: EventId::new(id),
        correlation_id: CorrelationId::new(id),
        recorded_at: Timestamp::from_micros(start.as_micros() + i as i64 * 1000).expect("a time"),
        actor,
    };
    let record = |kind, record_id| DisclosedRecord {
        kind,
        record_id,
        fields: vec!["firstName".into(), "lastName".into(), "dob".into()],
        reason: AccessReason::GlobalShare,
    };
    Envelope::new(
        header,
        RecordsAccessed {
            request_id: RequestId::new(id),
            date: Date::from_ymd(2026, 6, 15).expect("date"),
            operation: "Client".into(),
            query_digest: QueryDigest::HmacSha256([7; 32]),
            view_position: i,
            clients: vec![ClientDisclosure {
                client_id: client,
                deliberate: true,
                records: vec![
                    record(RecordKind::Intake, client.as_u128()),
                    record(RecordKind::Enrollment, id),
                ],
            }],
            denied: Vec::new(),
            purpose: None,
        },
    )
}
