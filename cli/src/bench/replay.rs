//! Replay throughput into the projections and their resident memory.
//!
//! A deterministic synthetic history (the core testkit's builder): organizations, one MOU
//! shared by half of them, clients under every restriction, each with an enrollment (most
//! exited), services, assessments, a case note, some releases, and restriction changes. The
//! history is encoded once, as the log stores it; the figure is decoding plus folding, which is
//! what a start-up replay does after reading the bytes.

use std::time::Instant;

use caseledger_core::hud::ProjectType;
use caseledger_core::testkit::{HistoryBuilder, date, window};
use caseledger_core::{
    AssessmentKind, ClientRestriction, MouDirection, Role, SharingPolicy, TransactionRestriction,
};
use caseledger_projections::Projections;

use super::Figures;
use crate::Failure;

/// Builds the synthetic history: `clients` clients spread over `orgs` organizations.
fn history(orgs: usize, clients: usize) -> Vec<Vec<u8>> {
    let mut h = HistoryBuilder::new(
        SharingPolicy::clienttrack("America/Los_Angeles"),
        date("2020-01-01"),
    );
    let lead = h.coc_lead("CoC lead");
    h.user(lead, Role::SystemAdmin);
    let organizations: Vec<_> = (0..orgs)
        .map(|i| h.organization(&format!("Agency {i}")))
        .collect();
    let users: Vec<_> = organizations
        .iter()
        .map(|o| h.user(*o, Role::CaseManager))
        .collect();
    let programs: Vec<_> = organizations
        .iter()
        .map(|o| h.program(*o, "Rapid Re-Housing", ProjectType::RapidReHousing))
        .collect();
    let members: Vec<_> = organizations
        .iter()
        .take(orgs.div_ceil(2))
        .map(|o| (*o, MouDirection::Both))
        .collect();
    let mou = h.mou("0001", &members, window("2020-01-01", None));
    let restrictions = [
        ClientRestriction::ShareGlobally,
        ClientRestriction::ShareWithMou,
        ClientRestriction::RestrictToOrganization,
    ];
    for i in 0..clients {
        let o = i % orgs;
        let user = users[o];
        let client = h.intake(user, restrictions[i % 3]);
        if i % 3 == 1 {
            h.assign_mou(user, client, mou, window("2020-02-01", None));
        }
        if i % 7 == 0 {
            h.grant_release(
                user,
                client,
                organizations[(o + 1) % orgs],
                window("2020-03-01", Some("2020-12-31")),
            );
        }
        let e = h.enroll(
            user,
            client,
            programs[o],
            date("2020-02-01"),
            TransactionRestriction::Unrestricted,
        );
        h.service(user, client, Some(e), TransactionRestriction::Unrestricted);
        h.service(user, client, Some(e), TransactionRestriction::Unrestricted);
        // Restrictions as the clienttrack policy defaults them (spelled out: asking the builder
        // for the policy default scans the whole history each time).
        h.assessment(
            user,
            client,
            AssessmentKind::IncomeBenefits,
            TransactionRestriction::Unrestricted,
        );
        h.assessment(
            user,
            client,
            AssessmentKind::Health,
            TransactionRestriction::RestrictToOrganization,
        );
        h.case_note(
            user,
            client,
            "Met with client; discussed housing plan.",
            TransactionRestriction::RestrictToOrganization,
        );
        if i % 4 != 0 {
            h.exit(user, e, date("2020-06-30"));
        }
        if i % 10 == 0 {
            h.restrict(
                user,
                client,
                ClientRestriction::ShareGlobally,
                date("2020-07-01"),
            );
        }
    }
    h.envelopes()
        .iter()
        .map(|e| e.encode().expect("encodes"))
        .collect()
}

/// Resident set size of this process in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Decodes and folds every event (decoding on a second thread); returns the projections and
/// events/s.
fn replay(encoded: &[Vec<u8>]) -> Result<(Projections, f64), Failure> {
    let started = Instant::now();
    let mut p = Projections::new(date("2020-08-01"));
    // The same two-stage fold the service runs at start-up, fed batches as the log yields them.
    let batches = encoded.chunks(8192).enumerate().map(|(b, chunk)| {
        let first = b as u64 * 8192 + 1;
        Ok::<_, std::io::Error>(
            chunk
                .iter()
                .enumerate()
                .map(|(i, bytes)| (first + i as u64, bytes.clone()))
                .collect(),
        )
    });
    p.fold_encoded(batches, &mut |_| {})
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rate = encoded.len() as f64 / started.elapsed().as_secs_f64();
    Ok((p, rate))
}

/// Environment variable that turns `caseledger bench` into one measurement run in a fresh
/// process (so the memory figure is not muddied by earlier runs' freed memory).
const CHILD_VAR: &str = "CASELEDGER_BENCH_REPLAY_CHILD";

/// The child side: `orgs,clients` from the environment; prints `events rate rss_growth`.
pub fn child() -> Option<Result<(), Failure>> {
    let spec = std::env::var(CHILD_VAR).ok()?;
    let mut parts = spec.split(',').map(|v| v.parse::<usize>().unwrap_or(1));
    let (orgs, clients) = (parts.next().unwrap_or(1), parts.next().unwrap_or(1));
    let encoded = history(orgs, clients);
    // Only the projections' growth counts: the encoded history stays alive throughout.
    let before = rss();
    Some(replay(&encoded).map(|(projections, rate)| {
        let grew = rss().saturating_sub(before);
        println!("{} {rate} {grew}", encoded.len());
        drop(projections);
    }))
}

/// Measures replay and memory per 100,000 clients, at 10 and at 100 organizations, each in a
/// fresh child process.
pub fn run(quick: bool, figures: &mut Figures) -> Result<(), Failure> {
    let clients = if quick { 20_000 } else { 100_000 };
    let per_100k = 100_000.0 / clients as f64;
    for (orgs, name_rate, name_mem) in [
        (
            10,
            "replay_10_orgs_events_per_s",
            "replay_10_orgs_mib_per_100k_clients",
        ),
        (
            100,
            "replay_100_orgs_events_per_s",
            "replay_100_orgs_mib_per_100k_clients",
        ),
    ] {
        eprintln!("bench: replaying {clients} clients over {orgs} organizations");
        let out = std::process::Command::new(std::env::current_exe()?)
            .args(["bench", "--only", "replay"])
            .env(CHILD_VAR, format!("{orgs},{clients}"))
            .output()?;
        if !out.status.success() {
            return Err(anyhow::anyhow!(
                "replay child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<f64> = text
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        let [events, rate, grew] = fields[..] else {
            return Err(anyhow::anyhow!("unexpected replay child output: {text}").into());
        };
        eprintln!("bench: {events} events");
        figures.add(name_rate, rate, "events/s");
        figures.add(name_mem, grew * per_100k / (1024.0 * 1024.0), "MiB");
    }
    Ok(())
}
