//! Golden byte fixtures: the permanent proof that stored events keep decoding.
//!
//! `tests/golden/<EventTypeName>.bin` holds the encoding of the sample envelope for each
//! event type (see `samples/mod.rs`) at its current schema version. For every event type
//! this test requires the file, decodes it, compares it with the sample, and re-encodes it
//! byte for byte. It never writes unless `CASELEDGER_BLESS_GOLDEN=1` is set:
//!
//! ```text
//! CASELEDGER_BLESS_GOLDEN=1 cargo test -p caseledger-core --test golden
//! ```
//!
//! Blessing a *new* event type's file is routine. Changing an existing file means the
//! format changed, which is only ever allowed as a new schema version: first rename the old
//! file to `<EventTypeName>.v<N>.bin` (kept forever; this test checks it still decodes
//! through its upcaster), then bump the version, update the sample, and bless.

mod samples;

use std::fs;
use std::path::{Path, PathBuf};

use caseledger_core::{EventType, decode, decode_prefix, encode};

const BLESS_VAR: &str = "CASELEDGER_BLESS_GOLDEN";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|v| v == "1")
}

#[test]
fn every_event_type_matches_its_golden_bytes() {
    let dir = golden_dir();
    if blessing() {
        fs::create_dir_all(&dir).expect("create tests/golden");
    }
    let mut failures = Vec::new();
    for &event_type in EventType::ALL {
        let name = event_type.name();
        let envelope = samples::sample(event_type);
        assert_eq!(
            envelope.event_type(),
            event_type,
            "sample for {name} has the wrong type"
        );
        let fresh = encode(&envelope).expect("sample encodes");
        let path = dir.join(format!("{name}.bin"));

        if blessing() && fs::read(&path).ok().as_deref() != Some(&fresh[..]) {
            fs::write(&path, &fresh).expect("write golden file");
            eprintln!("blessed {}", path.display());
        }

        let stored = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => {
                failures.push(format!(
                    "{name}: cannot read {} ({err}). Generate it with \
                     `{BLESS_VAR}=1 cargo test -p caseledger-core --test golden` and commit it.",
                    path.display()
                ));
                continue;
            }
        };
        let decoded = match decode(&stored) {
            Ok(decoded) => decoded,
            Err(err) => {
                failures.push(format!("{name}: golden bytes no longer decode: {err}"));
                continue;
            }
        };
        if decoded != envelope {
            failures.push(format!(
                "{name}: golden bytes decode to a different value than the sample \
                 (a field or variant was reordered, or the sample changed)\n  \
                 decoded: {decoded:?}\n  sample:  {envelope:?}"
            ));
            continue;
        }
        match encode(&decoded) {
            Ok(again) if again == stored => {}
            Ok(_) => failures.push(format!("{name}: re-encoding is not byte-identical")),
            Err(err) => failures.push(format!("{name}: re-encoding failed: {err}")),
        }
    }
    assert!(
        failures.is_empty(),
        "golden fixture failures:\n{}",
        failures.join("\n")
    );
}

/// Files of retired schema versions (`<Name>.v<N>.bin`) must keep decoding (through their
/// upcasters), and every file in the directory must belong to a known event type.
#[test]
fn every_golden_file_is_known_and_decodes() {
    let Ok(entries) = fs::read_dir(golden_dir()) else {
        panic!(
            "tests/golden is missing; run `{BLESS_VAR}=1 cargo test -p caseledger-core --test golden`"
        );
    };
    for entry in entries {
        let path = entry.expect("read tests/golden").path();
        if path.is_dir() {
            continue; // sealed/: checked by sealed_events_match_their_golden_bytes
        }
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_owned();
        let stem = file
            .strip_suffix(".bin")
            .unwrap_or_else(|| panic!("unexpected file in tests/golden: {file}"));
        let (name, version) = match stem.split_once(".v") {
            Some((name, v)) => (name, Some(v.parse::<u16>().expect("version number"))),
            None => (stem, None),
        };
        let event_type = EventType::from_name(name)
            .unwrap_or_else(|| panic!("{file}: no event type named {name}"));
        let bytes = fs::read(&path).expect("read golden file");
        let (found_type, found_version) =
            decode_prefix(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(found_type, event_type, "{file}: wrong event type in prefix");
        let expected_version = version.unwrap_or(event_type.schema_version());
        assert_eq!(
            found_version, expected_version,
            "{file}: wrong schema version in prefix"
        );
        let envelope = decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(envelope.event_type(), event_type);
    }
}

/// The stored form since identifiers are sealed: `tests/golden/sealed/<Name>.bin` for every
/// event type whose sample carries identifying values, sealed under the reproducible test key
/// ring (nonces come from the event id, so the bytes are fixed). They must open back to the
/// sample, read as erased once the key is destroyed, and hold none of the clear text.
#[test]
fn sealed_events_match_their_golden_bytes() {
    use caseledger_core::pii::{KeyRing, MemoryKeyRing};
    use std::sync::Arc;

    let dir = golden_dir().join("sealed");
    if blessing() {
        fs::create_dir_all(&dir).expect("create tests/golden/sealed");
    }
    let ring = Arc::new(MemoryKeyRing::default());
    let keys: Arc<dyn KeyRing> = ring.clone();
    let mut sealed_types = 0;
    for &event_type in EventType::ALL {
        let name = event_type.name();
        let envelope = samples::sample(event_type);
        let plain = encode(&envelope).expect("sample encodes");
        let sealed = envelope.encode_sealed(&keys).expect("sample seals");
        let path = dir.join(format!("{name}.bin"));
        if sealed == plain {
            assert!(
                !path.exists(),
                "{name} carries no identifying value: remove {path:?}"
            );
            continue;
        }
        sealed_types += 1;
        if blessing() && fs::read(&path).ok().as_deref() != Some(&sealed[..]) {
            fs::write(&path, &sealed).expect("write golden file");
            eprintln!("blessed {}", path.display());
        }
        let stored = fs::read(&path).unwrap_or_else(|e| {
            panic!("{name}: cannot read {path:?} ({e}); bless with {BLESS_VAR}=1")
        });
        assert_eq!(stored, sealed, "{name}: sealed bytes changed");
        assert_eq!(
            caseledger_core::Envelope::decode_opened(&stored, &keys).expect("opens"),
            envelope,
            "{name}: sealed bytes do not open to the sample"
        );
        // Unopened, the event still decodes (its non-identifying facts stay readable) and
        // writes back to the same bytes.
        let unopened = decode(&stored).expect("decodes unopened");
        assert_eq!(encode(&unopened).expect("encodes"), stored, "{name}");
    }
    assert!(
        sealed_types >= 10,
        "only {sealed_types} event types carry identifying values"
    );

    // Forgetting: the intake's identifiers read as erased, the rest stays.
    let intake = samples::sample(EventType::ClientIntakeRecorded);
    let client = intake.event.client().expect("an intake names its client");
    ring.destroy(client);
    let stored = fs::read(dir.join("ClientIntakeRecorded.bin")).expect("sealed intake");
    let forgotten = caseledger_core::Envelope::decode_opened(&stored, &keys).expect("decodes");
    let caseledger_core::Event::ClientIntakeRecorded(i) = forgotten.event else {
        panic!("not an intake")
    };
    assert!(i.name.is_erased() && i.ssn.is_erased() && i.dob.is_erased());
    assert_eq!(i.client_id, client);
}

#[test]
fn samples_name_their_streams() {
    for &event_type in EventType::ALL {
        let envelope = samples::sample(event_type);
        let stream = envelope.stream().to_string();
        assert_eq!(
            stream.parse(),
            Ok(envelope.stream()),
            "{event_type}: {stream}"
        );
    }
}

/// Retired `RecordsAccessed` schemas upcast to what they held: an unkeyed SHA-256 (said so by
/// the digest's variant), and schema 2's clear purpose as a clear value (schema 1 had none).
#[test]
fn retired_disclosure_schemas_upcast_to_an_unkeyed_digest_and_a_clear_purpose() {
    use caseledger_core::Pii;
    use caseledger_core::events::{Event, QueryDigest};

    let read = |file: &str| {
        let bytes = fs::read(golden_dir().join(file)).expect("golden file");
        match decode(&bytes).expect("decodes").event {
            Event::RecordsAccessed(r) => r,
            other => panic!("{file}: {other:?}"),
        }
    };
    let v2 = read("RecordsAccessed.v2.bin");
    assert!(matches!(v2.query_digest, QueryDigest::Sha256(_)));
    assert_eq!(
        v2.purpose,
        Some(Pii::new(
            "Agency called: cannot find the client's record".to_string()
        ))
    );
    let v1 = read("RecordsAccessed.v1.bin");
    assert!(matches!(v1.query_digest, QueryDigest::Sha256(_)));
    assert_eq!(v1.purpose, None);
    // Schema 3 keeps its purpose out of the clear once sealed.
    let sealed = fs::read(golden_dir().join("sealed").join("RecordsAccessed.bin"))
        .expect("sealed disclosure record");
    assert!(!sealed.windows(13).any(|w| w == b"Agency called"));
}

/// `RecordRequestDelivered` schema 1 (before the method used was checked against the one
/// agreed) reads as schema 2 with no client and no reason, its other facts as written.
#[test]
fn a_delivery_of_schema_1_upcasts_without_client_or_reason() {
    let bytes = fs::read(golden_dir().join("RecordRequestDelivered.v1.bin")).expect("v1 file");
    let caseledger_core::Event::RecordRequestDelivered(d) = decode(&bytes).expect("decodes").event
    else {
        panic!("not a delivery")
    };
    assert_eq!(
        d.method,
        caseledger_core::events::DeliveryMethod::EncryptedEmail
    );
    assert_eq!(d.at.to_datetime().to_rfc3339(), "2026-01-21T16:45:00+00:00");
    assert_eq!((d.client_id, d.reason), (None, None));
}

/// `MouChanged` schema 1 (before dated changes) reads as schema 2 applying on every date, its
/// other facts as written.
#[test]
fn an_mou_change_of_schema_1_upcasts_to_one_applying_on_every_date() {
    let bytes = fs::read(golden_dir().join("MouChanged.v1.bin")).expect("v1 file");
    let upcast = decode(&bytes).expect("decodes");
    let caseledger_core::Event::MouChanged(old) = &upcast.event else {
        panic!("not an MOU change")
    };
    assert_eq!(old.effective, None);
    let caseledger_core::Event::MouChanged(now) = samples::sample(EventType::MouChanged).event
    else {
        panic!("not an MOU change")
    };
    assert_eq!(
        (&old.mou_id, &old.title, &old.participants, &old.window),
        (&now.mou_id, &now.title, &now.participants, &now.window)
    );
}

/// `ClientIntakeRecorded` schema 1 (before hashed identifiers) reads as schema 2 with its
/// identifiers unhashed, every other fact as written.
#[test]
fn an_intake_of_schema_1_upcasts_with_unhashed_identifiers() {
    let bytes = fs::read(golden_dir().join("ClientIntakeRecorded.v1.bin")).expect("v1 file");
    let upcast = decode(&bytes).expect("decodes");
    let caseledger_core::Event::ClientIntakeRecorded(old) = &upcast.event else {
        panic!("not an intake")
    };
    assert_eq!(old.hash_status, caseledger_core::hud::HashStatus::Unhashed);
    // The sample is unhashed too, so the v1 bytes read as exactly today's sample.
    assert_eq!(upcast, samples::sample(EventType::ClientIntakeRecorded));
}

/// `TokenIssued` schema 1 (before tokens had names) reads as schema 2 with an empty name,
/// every other fact as written.
#[test]
fn a_token_of_schema_1_upcasts_without_a_name() {
    let bytes = fs::read(golden_dir().join("TokenIssued.v1.bin")).expect("v1 file");
    let upcast = decode(&bytes).expect("decodes");
    let caseledger_core::Event::TokenIssued(old) = &upcast.event else {
        panic!("not a token")
    };
    let caseledger_core::Event::TokenIssued(now) = samples::sample(EventType::TokenIssued).event
    else {
        panic!("sample is not a token")
    };
    assert_eq!(old.name, "");
    assert_eq!(
        (old.token_id, old.user_id, old.token_hash, old.expires),
        (now.token_id, now.user_id, now.token_hash, now.expires)
    );
}
