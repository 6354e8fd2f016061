//! Replay throughput into the projections and their resident memory.
//!
//! A deterministic synthetic history (the core testkit's builder): organizations, one MOU
//! shared by half of them, clients under every restriction, each with an enrollment (most
//! exited), services, assessments, a case note, some releases, and restriction changes. The
//! history is encoded once, as the log stores it — identifiers sealed under per-client keys —
//! and the figure is decoding (opening them) plus folding, which is what a start-up replay does
//! after reading the bytes. The same history unsealed gives the cost of sealing as a ratio.

use std::sync::Arc;
use std::time::Instant;

use caseledger_core::hud::ProjectType;
use caseledger_core::pii::MemoryKeyRing;
use caseledger_core::testkit::{HistoryBuilder, date, window};
use caseledger_core::{
    AssessmentKind, ClientRestriction, Envelope, KeyRing, MouDirection, Role, SharingPolicy,
    TransactionRestriction,
};
use caseledger_projections::Projections;

use super::Figures;
use crate::Failure;

/// Builds the synthetic history: `clients` clients spread over `orgs` organizations.
fn history(orgs: usize, clients: usize) -> Vec<Envelope> {
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
}

/// Encodes the history as the log stores it (sealed under `keys`) or unsealed; returns the
/// bytes and events/s.
fn encode(history: &[Envelope], keys: Option<&Arc<dyn KeyRing>>) -> (Vec<Vec<u8>>, f64) {
    let started = Instant::now();
    let encoded: Vec<Vec<u8>> = history
        .iter()
        .map(|e| match keys {
            Some(keys) => e.encode_sealed(keys).expect("seals"),
            None => e.encode().expect("encodes"),
        })
        .collect();
    let rate = encoded.len() as f64 / started.elapsed().as_secs_f64();
    (encoded, rate)
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
fn replay(
    encoded: &[Vec<u8>],
    keys: Option<Arc<dyn KeyRing>>,
) -> Result<(Projections, f64), Failure> {
    let started = Instant::now();
    let mut p = Projections::new(date("2020-08-01"));
    if let Some(keys) = keys {
        p.set_keys(keys);
    }
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

/// The child side: `orgs,clients,sealed` from the environment; prints
/// `events replay_rate rss_growth encode_rate`.
pub fn child() -> Option<Result<(), Failure>> {
    let spec = std::env::var(CHILD_VAR).ok()?;
    let mut parts = spec.split(',').map(|v| v.parse::<usize>().unwrap_or(1));
    let (orgs, clients) = (parts.next().unwrap_or(1), parts.next().unwrap_or(1));
    let sealed = parts.next().unwrap_or(1) == 1;
    let history = history(orgs, clients);
    let keys: Arc<dyn KeyRing> = Arc::new(MemoryKeyRing::default());
    let (encoded, encode_rate) = encode(&history, sealed.then_some(&keys));
    drop(history);
    // Only the projections' growth counts: the encoded history stays alive throughout.
    let before = rss();
    Some(
        replay(&encoded, sealed.then_some(keys)).map(|(projections, rate)| {
            let grew = rss().saturating_sub(before);
            println!("{} {rate} {grew} {encode_rate}", encoded.len());
            drop(projections);
        }),
    )
}

/// Measures replay and memory per 100,000 clients, at 10 and at 100 organizations, each in a
/// fresh child process; and at 10 organizations once more without sealing, for the ratio.
pub fn run(quick: bool, figures: &mut Figures) -> Result<(), Failure> {
    let clients = if quick { 20_000 } else { 100_000 };
    let per_100k = 100_000.0 / clients as f64;
    for (orgs, sealed, label) in [
        (10, true, "replay_10_orgs"),
        (10, false, "replay_10_orgs_unsealed"),
        (100, true, "replay_100_orgs"),
    ] {
        eprintln!(
            "bench: replaying {clients} clients over {orgs} organizations{}",
            if sealed {
                ""
            } else {
                ", identifiers not sealed"
            }
        );
        let out = std::process::Command::new(std::env::current_exe()?)
            .args(["bench", "--only", "replay"])
            .env(CHILD_VAR, format!("{orgs},{clients},{}", u8::from(sealed)))
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
        let [events, rate, grew, encode_rate] = fields[..] else {
            return Err(anyhow::anyhow!("unexpected replay child output: {text}").into());
        };
        eprintln!("bench: {events} events");
        figures.add(format!("{label}_events_per_s"), rate, "events/s");
        figures.add(
            format!("{label}_mib_per_100k_clients"),
            grew * per_100k / (1024.0 * 1024.0),
            "MiB",
        );
        if orgs == 10 {
            let encode = if sealed {
                "encode_sealed"
            } else {
                "encode_unsealed"
            };
            figures.add(format!("{encode}_events_per_s"), encode_rate, "events/s");
        }
    }
    for (name, sealed, unsealed) in [
        (
            "ratio_replay_sealed_to_unsealed",
            "replay_10_orgs_events_per_s",
            "replay_10_orgs_unsealed_events_per_s",
        ),
        (
            "ratio_encode_sealed_to_unsealed",
            "encode_sealed_events_per_s",
            "encode_unsealed_events_per_s",
        ),
    ] {
        if let (Some(a), Some(b)) = (figures.get(sealed), figures.get(unsealed)) {
            figures.add(name, a / b, "×");
        }
    }
    Ok(())
}
