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

use crate::failure::Failure;
use crate::figures::Figures;

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
pub(crate) fn rss() -> u64 {
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

/// Environment variable that turns `caseledger-bench` into one stage of a measurement, in a
/// fresh process: `write,ORGS,CLIENTS,SEALED,FILE` builds and encodes the history into FILE;
/// `read,SEALED,FILE` replays it. Replaying in a process that never built the history keeps
/// the memory figure clean (an allocator keeps freed memory for reuse).
const CHILD_VAR: &str = "CASELEDGER_BENCH_REPLAY_CHILD";

fn write_history(path: &str, encoded: &[Vec<u8>]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for bytes in encoded {
        std::io::Write::write_all(&mut out, &(bytes.len() as u32).to_le_bytes())?;
        std::io::Write::write_all(&mut out, bytes)?;
    }
    std::io::Write::flush(&mut out)
}

fn read_history(path: &str) -> std::io::Result<Vec<Vec<u8>>> {
    let all = std::fs::read(path)?;
    let mut rest = &all[..];
    let mut out = Vec::new();
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len) as usize;
        let (bytes, tail) = tail
            .split_at_checked(len)
            .ok_or(std::io::ErrorKind::InvalidData)?;
        out.push(bytes.to_vec());
        rest = tail;
    }
    Ok(out)
}

/// The child side (see [`CHILD_VAR`]): prints `events encode_rate` or `events rate rss_growth`.
pub fn child() -> Option<Result<(), Failure>> {
    let spec = std::env::var(CHILD_VAR).ok()?;
    let parts: Vec<&str> = spec.split(',').collect();
    let number = |i: usize| {
        parts
            .get(i)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
    };
    // Keys derive from client ids in the memory ring, so the reading process opens what the
    // writing process sealed.
    let keys: Arc<dyn KeyRing> = Arc::new(MemoryKeyRing::default());
    Some(match parts.first() {
        Some(&"write") => {
            let (orgs, clients, sealed) = (number(1), number(2), number(3) == 1);
            let history = history(orgs, clients);
            let (encoded, encode_rate) = encode(&history, sealed.then_some(&keys));
            let path = parts.get(4).copied().unwrap_or_default();
            write_history(path, &encoded)
                .map(|()| println!("{} {encode_rate}", encoded.len()))
                .map_err(Failure::from)
        }
        _ => {
            let sealed = number(1) == 1;
            let path = parts.get(2).copied().unwrap_or_default();
            read_history(path)
                .map_err(Failure::from)
                .and_then(|encoded| {
                    // Only the projections' growth counts: the encoded history stays alive.
                    let before = rss();
                    replay(&encoded, sealed.then_some(keys)).map(|(projections, rate)| {
                        let grew = rss().saturating_sub(before);
                        println!("{} {rate} {grew}", encoded.len());
                        drop(projections);
                    })
                })
        }
    })
}

fn run_child(spec: String) -> Result<Vec<f64>, Failure> {
    crate::figures::child_figures("replay", CHILD_VAR, spec)
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
        let file = std::env::temp_dir().join(format!(
            "caseledger-replay-{}-{orgs}-{}.bin",
            std::process::id(),
            u8::from(sealed)
        ));
        let file = file.to_string_lossy().into_owned();
        let written = run_child(format!(
            "write,{orgs},{clients},{},{file}",
            u8::from(sealed)
        ));
        let replayed = written
            .as_ref()
            .ok()
            .map(|_| run_child(format!("read,{},{file}", u8::from(sealed))));
        let _ = std::fs::remove_file(&file);
        let (written, replayed) = (written?, replayed.expect("ran after the write")?);
        let (&[_, encode_rate], &[events, rate, grew]) = (&written[..], &replayed[..]) else {
            return Err(anyhow::anyhow!("unexpected replay child output").into());
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
