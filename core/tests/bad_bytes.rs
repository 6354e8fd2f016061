//! Malformed input never panics and never decodes: truncations of every golden fixture,
//! appended bytes, a wrong prefix, and random garbage.

use std::fs;
use std::path::Path;

use caseledger_core::{DecodeError, EventType, FORMAT_V1, decode, decode_header, decode_prefix};
use proptest::prelude::*;

fn golden(event_type: EventType) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(format!("{}.bin", event_type.name()));
    fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate with `CASELEDGER_BLESS_GOLDEN=1 cargo test -p caseledger-core --test golden`",
            path.display()
        )
    })
}

fn all_golden() -> Vec<(EventType, Vec<u8>)> {
    EventType::ALL.iter().map(|&t| (t, golden(t))).collect()
}

#[test]
fn every_truncation_is_an_error() {
    for (event_type, bytes) in all_golden() {
        assert!(
            decode(&bytes).is_ok(),
            "{event_type}: golden file must decode"
        );
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            assert!(
                decode(cut).is_err(),
                "{event_type}: prefix of {len} bytes decoded"
            );
            let _ = decode_header(cut);
            if len < 5 {
                assert!(matches!(
                    decode(cut),
                    Err(DecodeError::TruncatedPrefix { .. })
                ));
            }
        }
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    for (event_type, mut bytes) in all_golden() {
        bytes.push(0);
        assert!(
            matches!(decode(&bytes), Err(DecodeError::TrailingBytes { count: 1, event_type: t }) if t == event_type),
            "{event_type}"
        );
    }
}

#[test]
fn wrong_format_byte() {
    for (_, mut bytes) in all_golden() {
        for format in [0u8, 2, 0xff] {
            bytes[0] = format;
            assert!(matches!(decode(&bytes), Err(DecodeError::UnknownFormat(f)) if f == format));
            assert!(matches!(
                decode_header(&bytes),
                Err(DecodeError::UnknownFormat(_))
            ));
        }
    }
}

#[test]
fn unknown_event_type() {
    let mut bytes = golden(EventType::ClientEnrolled);
    for code in [0u16, EventType::ALL.len() as u16 + 1, 0x7fff, u16::MAX] {
        bytes[1..3].copy_from_slice(&code.to_be_bytes());
        assert!(matches!(decode(&bytes), Err(DecodeError::UnknownEventType(c)) if c == code));
        assert!(matches!(
            decode_prefix(&bytes),
            Err(DecodeError::UnknownEventType(_))
        ));
    }
}

#[test]
fn unknown_schema_version() {
    for (event_type, mut bytes) in all_golden() {
        for version in [0u16, event_type.schema_version() + 1, u16::MAX] {
            bytes[3..5].copy_from_slice(&version.to_be_bytes());
            assert!(
                matches!(
                    decode(&bytes),
                    Err(DecodeError::UnknownSchemaVersion { event_type: t, version: v, .. })
                        if t == event_type && v == version
                ),
                "{event_type} v{version}"
            );
        }
    }
}

#[test]
fn payload_under_another_type_code_never_panics() {
    // Relabel each golden payload as the next event type. bincode is not self-describing,
    // so this usually fails and may occasionally succeed; it must never panic, and a
    // success must carry the new type.
    let all = all_golden();
    for window in all.windows(2) {
        let (_, ref bytes) = window[0];
        let (other, _) = window[1];
        let mut relabeled = bytes.clone();
        relabeled[1..3].copy_from_slice(&other.code().to_be_bytes());
        if let Ok(envelope) = decode(&relabeled) {
            assert_eq!(envelope.event_type(), other);
        }
    }
}

fn arbitrary_prefix() -> impl Strategy<Value = Vec<u8>> {
    (0..EventType::ALL.len()).prop_map(|i| {
        let t = EventType::ALL[i];
        let mut prefix = vec![FORMAT_V1];
        prefix.extend_from_slice(&t.code().to_be_bytes());
        prefix.extend_from_slice(&t.schema_version().to_be_bytes());
        prefix
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
        let _ = decode_header(&bytes);
        let _ = decode_prefix(&bytes);
    }

    #[test]
    fn garbage_after_a_valid_prefix_never_panics(
        prefix in arbitrary_prefix(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = prefix;
        bytes.extend(body);
        let _ = decode(&bytes);
        let _ = decode_header(&bytes);
    }

    #[test]
    fn corrupted_golden_bytes_never_panic(
        index in 0..EventType::ALL.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = golden(EventType::ALL[index]);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Ok(envelope) = decode(&bytes) {
            // A corruption that still decodes yields a well-formed event, whose canonical
            // encoding decodes back to it.
            let canonical = envelope.encode().expect("re-encode");
            prop_assert_eq!(decode(&canonical).ok(), Some(envelope));
        }
    }
}
