//! The stored form of an event: envelope and byte encoding.
//!
//! # Byte layout (format 1)
//!
//! ```text
//! [format: u8 = 1]
//! [event type code: u16 big-endian]
//! [schema version: u16 big-endian]
//! [header: bincode standard config — event id, correlation id, recorded-at, actor]
//! [payload: bincode standard config — the event's payload struct, nothing else]
//! ```
//!
//! The fixed 5-byte prefix is readable without bincode, so a reader can filter by event
//! type or reject an unknown format, type or version before decoding anything. The payload
//! is the payload struct alone, never the [`Event`] enum: the type code selects the struct,
//! so Rust enum order does not leak into the format. Ids are u128 and times are integers
//! (varint-encoded). Stream, stream version, global position and hash chain are the log
//! store's business and live beside these bytes, not in them.
//!
//! Decoding never panics on any input and rejects trailing bytes, so one byte string has
//! exactly one meaning. Decoding applies a size limit ([`MAX_DECODE_BYTES`]) so that a
//! corrupt length prefix cannot make it allocate without bound; the limit changes nothing
//! in the encoding.

use serde::{Deserialize, Serialize};

use crate::error::{DecodeError, EncodeError};
use crate::events::{self, Event, EventType};
use crate::ids::{CorrelationId, EventId, OrganizationId, UserId};
use crate::sharing::Role;
use crate::stream::StreamId;
use crate::time::Timestamp;

/// The first byte of every stored event in this format.
pub const FORMAT_V1: u8 = 1;

/// Length of the fixed prefix: format byte, type code, schema version.
pub const PREFIX_LEN: usize = 5;

pub use crate::limits::MAX_DECODE_BYTES;

fn encode_config() -> impl bincode::config::Config {
    bincode::config::standard()
}

fn decode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_DECODE_BYTES>()
}

/// Who caused an event: the authenticated user, their organization and role at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The user (for events written by the service itself, its system user).
    pub user: UserId,
    /// The user's organization.
    pub organization: OrganizationId,
    /// The user's role when acting.
    pub role: Role,
}

/// Everything in an envelope except the event: what [`decode_header`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Header {
    /// The event's id; appending the same id again is a no-op.
    pub event_id: EventId,
    /// Groups the events of one command or workflow.
    pub correlation_id: CorrelationId,
    /// When the service recorded the event (UTC). Business dates live in payloads.
    pub recorded_at: Timestamp,
    /// Who caused it.
    pub actor: Actor,
}

/// An event with its metadata: the unit that is encoded, stored and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The event's id; appending the same id again is a no-op.
    pub event_id: EventId,
    /// Groups the events of one command or workflow.
    pub correlation_id: CorrelationId,
    /// When the service recorded the event (UTC). Business dates live in payloads.
    pub recorded_at: Timestamp,
    /// Who caused it.
    pub actor: Actor,
    /// The fact itself.
    pub event: Event,
}

impl Envelope {
    /// Joins a header and an event (or a payload struct).
    pub fn new(header: Header, event: impl Into<Event>) -> Self {
        Self {
            event_id: header.event_id,
            correlation_id: header.correlation_id,
            recorded_at: header.recorded_at,
            actor: header.actor,
            event: event.into(),
        }
    }

    /// The metadata without the event.
    pub fn header(&self) -> Header {
        Header {
            event_id: self.event_id,
            correlation_id: self.correlation_id,
            recorded_at: self.recorded_at,
            actor: self.actor,
        }
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.event.event_type()
    }

    /// The stream the event is appended to.
    pub fn stream(&self) -> StreamId {
        self.event.stream()
    }

    /// Encodes the envelope; see [`encode`].
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        encode(self)
    }

    /// Decodes an envelope; see [`decode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode(bytes)
    }

    /// Whose key seals the event's identifying values: its client's, or for a disclosure
    /// record (which may name several clients or none) the record's own, named by its event id.
    pub fn key_owner(&self) -> Option<crate::pii::KeyOwner> {
        match &self.event {
            Event::RecordsAccessed(_) => Some(crate::pii::KeyOwner::Disclosure(self.event_id)),
            event => event.client().map(crate::pii::KeyOwner::Client),
        }
    }

    /// Encodes the envelope with every identifying value sealed under the key of the event's
    /// [owner](Self::key_owner) (see [`crate::pii::seal`]): the form the log stores.
    pub fn encode_sealed(
        &self,
        keys: &std::sync::Arc<dyn crate::pii::KeyRing>,
    ) -> Result<Vec<u8>, SealedEncodeError> {
        crate::pii::sealing(keys, self.key_owner(), self.event_id.as_u128(), || {
            encode(self)
        })?
        .map_err(SealedEncodeError::Encode)
    }

    /// Decodes an envelope, opening its identifying values with `keys` (values whose key was
    /// destroyed read as erased).
    pub fn decode_opened(
        bytes: &[u8],
        keys: &std::sync::Arc<dyn crate::pii::KeyRing>,
    ) -> Result<Self, DecodeError> {
        crate::pii::opening(keys, || decode(bytes))
    }
}

/// Why [`Envelope::encode_sealed`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SealedEncodeError {
    /// An identifying value could not be sealed (e.g. the client was forgotten).
    #[error(transparent)]
    Seal(#[from] crate::pii::SealError),
    /// The envelope did not encode.
    #[error(transparent)]
    Encode(EncodeError),
}

/// Encodes an envelope in format 1 at the event type's current schema version.
pub fn encode(envelope: &Envelope) -> Result<Vec<u8>, EncodeError> {
    let event_type = envelope.event_type();
    let fail = |source| EncodeError { event_type, source };
    let mut out = Vec::with_capacity(128);
    out.push(FORMAT_V1);
    out.extend_from_slice(&event_type.code().to_be_bytes());
    out.extend_from_slice(&event_type.schema_version().to_be_bytes());
    bincode::serde::encode_into_std_write(envelope.header(), &mut out, encode_config())
        .map_err(fail)?;
    events::encode_payload(&envelope.event, &mut out, encode_config()).map_err(fail)?;
    Ok(out)
}

/// Encodes an event without an envelope: the fixed prefix (format, type, schema version)
/// and the payload. For read-model snapshots, which keep events but not their headers; the log
/// always stores whole envelopes.
pub fn encode_event(event: &Event) -> Result<Vec<u8>, EncodeError> {
    let event_type = event.event_type();
    let mut out = Vec::with_capacity(96);
    out.push(FORMAT_V1);
    out.extend_from_slice(&event_type.code().to_be_bytes());
    out.extend_from_slice(&event_type.schema_version().to_be_bytes());
    events::encode_payload(event, &mut out, encode_config())
        .map_err(|source| EncodeError { event_type, source })?;
    Ok(out)
}

/// Decodes a whole envelope and also returns its event in [`encode_event`]'s form, cut from
/// the same bytes (prefix and payload without the header) instead of encoded again.
pub fn decode_with_event_bytes(bytes: &[u8]) -> Result<(Envelope, Vec<u8>), DecodeError> {
    let (envelope, payload_start) = decode_parts(bytes)?;
    let mut event = Vec::with_capacity(PREFIX_LEN + bytes.len() - payload_start);
    event.extend_from_slice(&bytes[..PREFIX_LEN]);
    event.extend_from_slice(&bytes[payload_start..]);
    Ok((envelope, event))
}

/// The event of a stored envelope in [`encode_event`]'s form, cut from its bytes without
/// decoding the event (whoever reads it decodes it with [`decode_event`], which checks it).
pub fn event_bytes(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    decode_prefix(bytes)?;
    let (_, payload_start) = decode_header_body(bytes)?;
    let mut event = Vec::with_capacity(PREFIX_LEN + bytes.len().saturating_sub(payload_start));
    event.extend_from_slice(&bytes[..PREFIX_LEN]);
    event.extend_from_slice(bytes.get(payload_start..).unwrap_or_default());
    Ok(event)
}

impl Event {
    /// A copy of the event with every identifying value erased (forgetting a client).
    pub fn erased(&self) -> Event {
        let bytes =
            crate::pii::erasing(|| encode_event(self)).expect("an event in memory always encodes");
        decode_event(&bytes).expect("an erased event decodes")
    }
}

/// Decodes what [`encode_event`] wrote, upcasting older schema versions like [`decode`].
pub fn decode_event(bytes: &[u8]) -> Result<Event, DecodeError> {
    let (event_type, version) = decode_prefix(bytes)?;
    let payload = &bytes[PREFIX_LEN..];
    let (event, read) = decode_payload(event_type, version, payload)?;
    if read != payload.len() {
        return Err(DecodeError::TrailingBytes {
            event_type,
            count: payload.len() - read,
        });
    }
    Ok(event)
}

/// Reads only the fixed prefix: the event type and the schema version the bytes were
/// written with. Checks the format byte, type code and version.
pub fn decode_prefix(bytes: &[u8]) -> Result<(EventType, u16), DecodeError> {
    let prefix: &[u8; PREFIX_LEN] = bytes
        .get(..PREFIX_LEN)
        .and_then(|p| p.try_into().ok())
        .ok_or(DecodeError::TruncatedPrefix { len: bytes.len() })?;
    let [format, t0, t1, v0, v1] = *prefix;
    if format != FORMAT_V1 {
        return Err(DecodeError::UnknownFormat(format));
    }
    let code = u16::from_be_bytes([t0, t1]);
    let event_type = EventType::from_code(code).ok_or(DecodeError::UnknownEventType(code))?;
    let version = u16::from_be_bytes([v0, v1]);
    let current = event_type.schema_version();
    if version == 0 || version > current {
        return Err(DecodeError::UnknownSchemaVersion {
            event_type,
            version,
            current,
        });
    }
    Ok((event_type, version))
}

/// Decodes the prefix and the header, not the payload: cheap enough for indexing by
/// actor, time or correlation.
pub fn decode_header(bytes: &[u8]) -> Result<(EventType, Header), DecodeError> {
    let (event_type, _version) = decode_prefix(bytes)?;
    let (header, _) = decode_header_body(bytes)?;
    Ok((event_type, header))
}

fn decode_header_body(bytes: &[u8]) -> Result<(Header, usize), DecodeError> {
    let body = bytes.get(PREFIX_LEN..).unwrap_or_default();
    let (header, read) = bincode::serde::decode_from_slice::<Header, _>(body, decode_config())
        .map_err(DecodeError::Header)?;
    Ok((header, PREFIX_LEN + read))
}

/// Decodes a whole envelope, upcasting older schema versions to the current payload shape.
/// Rejects anything that is not exactly one well-formed event.
pub fn decode(bytes: &[u8]) -> Result<Envelope, DecodeError> {
    decode_parts(bytes).map(|(envelope, _)| envelope)
}

/// [`decode`], also saying where the payload starts.
fn decode_parts(bytes: &[u8]) -> Result<(Envelope, usize), DecodeError> {
    let (event_type, version) = decode_prefix(bytes)?;
    let (header, payload_start) = decode_header_body(bytes)?;
    let payload = bytes.get(payload_start..).unwrap_or_default();
    let (event, read) = decode_payload(event_type, version, payload)?;
    if read != payload.len() {
        return Err(DecodeError::TrailingBytes {
            event_type,
            count: payload.len() - read,
        });
    }
    Ok((Envelope::new(header, event), payload_start))
}

/// Decodes a payload written as `version` of `event_type`.
///
/// This is where upcasters go. When a payload changes shape: keep the old struct (e.g.
/// `ClientEnrolledV1`) with an `impl From<ClientEnrolledV1> for Event` converting it to the
/// current shape, bump the schema version in the catalog, and add one arm:
///
/// ```text
/// (EventType::ClientEnrolled, 1) => events::decode_as::<legacy::ClientEnrolledV1, _>(bytes, config),
/// ```
fn decode_payload(
    event_type: EventType,
    version: u16,
    bytes: &[u8],
) -> Result<(Event, usize), DecodeError> {
    let config = decode_config();
    let decoded = match (event_type, version) {
        (t, v) if v == t.schema_version() => events::decode_current(t, bytes, config),
        // Upcaster arms for retired schema versions.
        (EventType::RecordsAccessed, 1) => {
            events::decode_as::<events::legacy::RecordsAccessedV1, _>(bytes, config)
        }
        (EventType::RecordsAccessed, 2) => {
            events::decode_as::<events::legacy::RecordsAccessedV2, _>(bytes, config)
        }
        (EventType::ClientIntakeRecorded, 1) => {
            events::decode_as::<events::legacy::ClientIntakeRecordedV1, _>(bytes, config)
        }
        (EventType::MouChanged, 1) => {
            events::decode_as::<events::legacy::MouChangedV1, _>(bytes, config)
        }
        (EventType::TokenIssued, 1) => {
            events::decode_as::<events::legacy::TokenIssuedV1, _>(bytes, config)
        }
        (EventType::RecordRequestDelivered, 1) => {
            events::decode_as::<events::legacy::RecordRequestDeliveredV1, _>(bytes, config)
        }
        _ => {
            return Err(DecodeError::UnknownSchemaVersion {
                event_type,
                version,
                current: event_type.schema_version(),
            });
        }
    };
    decoded.map_err(|source| DecodeError::Payload {
        event_type,
        version,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{TokenRevoked, UserRoleChanged};
    use crate::ids::TokenId;

    fn header() -> Header {
        Header {
            event_id: EventId::new(0x0195_0000_0000_0000_0000_0000_0000_0001),
            correlation_id: CorrelationId::new(0x0195_0000_0000_0000_0000_0000_0000_0002),
            recorded_at: "2026-01-31T14:05:06.123456Z".parse().unwrap(),
            actor: Actor {
                user: UserId::new(3),
                organization: OrganizationId::new(4),
                role: Role::AgencyAdmin,
            },
        }
    }

    fn sample() -> Envelope {
        Envelope::new(
            header(),
            UserRoleChanged {
                user_id: UserId::new(7),
                role: Role::HelpDesk,
            },
        )
    }

    #[test]
    fn an_event_without_envelope_round_trips() {
        let event: Event = UserRoleChanged {
            user_id: crate::ids::UserId::new(7),
            role: Role::AgencyAdmin,
        }
        .into();
        let bytes = encode_event(&event).unwrap();
        assert_eq!(decode_event(&bytes).unwrap(), event);
        assert!(decode_event(&bytes[..bytes.len() - 1]).is_err());
        let envelope = Envelope::new(header(), event.clone());
        let (decoded, event_bytes) = decode_with_event_bytes(&encode(&envelope).unwrap()).unwrap();
        assert_eq!(decoded, envelope);
        assert_eq!(event_bytes, bytes, "the cut bytes equal a fresh encoding");
    }

    #[test]
    fn round_trip_and_prefix() {
        let envelope = sample();
        let bytes = envelope.encode().unwrap();
        assert_eq!(bytes[0], FORMAT_V1);
        assert_eq!(
            &bytes[1..3],
            &EventType::UserRoleChanged.code().to_be_bytes()
        );
        assert_eq!(&bytes[3..5], &1u16.to_be_bytes());
        assert_eq!(Envelope::decode(&bytes).unwrap(), envelope);
        assert_eq!(
            decode_header(&bytes).unwrap(),
            (EventType::UserRoleChanged, header())
        );
        assert_eq!(
            decode_prefix(&bytes).unwrap(),
            (EventType::UserRoleChanged, 1)
        );
    }

    #[test]
    fn payload_is_the_struct_alone() {
        let payload = TokenRevoked {
            token_id: TokenId::new(1),
            user_id: UserId::new(2),
        };
        let bytes = encode(&Envelope::new(header(), payload.clone())).unwrap();
        let body = bincode::serde::encode_to_vec(&payload, bincode::config::standard()).unwrap();
        assert!(bytes.ends_with(&body));
        let head = bincode::serde::encode_to_vec(header(), bincode::config::standard()).unwrap();
        assert_eq!(bytes.len(), PREFIX_LEN + head.len() + body.len());
    }

    #[test]
    fn rejects_bad_prefixes() {
        let bytes = sample().encode().unwrap();
        assert!(matches!(
            decode(&[]),
            Err(DecodeError::TruncatedPrefix { len: 0 })
        ));
        assert!(matches!(
            decode(&bytes[..4]),
            Err(DecodeError::TruncatedPrefix { len: 4 })
        ));

        let mut wrong = bytes.clone();
        wrong[0] = 2;
        assert!(matches!(decode(&wrong), Err(DecodeError::UnknownFormat(2))));

        let mut wrong = bytes.clone();
        wrong[1..3].copy_from_slice(&999u16.to_be_bytes());
        assert!(matches!(
            decode(&wrong),
            Err(DecodeError::UnknownEventType(999))
        ));

        for version in [0u16, 2, u16::MAX] {
            let mut wrong = bytes.clone();
            wrong[3..5].copy_from_slice(&version.to_be_bytes());
            assert!(matches!(
                decode(&wrong),
                Err(DecodeError::UnknownSchemaVersion { version: v, current: 1, .. }) if v == version
            ));
        }
    }

    #[test]
    fn rejects_trailing_bytes() {
        let mut bytes = sample().encode().unwrap();
        bytes.push(0);
        assert!(matches!(
            decode(&bytes),
            Err(DecodeError::TrailingBytes { count: 1, .. })
        ));
    }

    #[test]
    fn corrupt_length_does_not_allocate_unboundedly() {
        // A UserCreated whose username claims 2^60 bytes.
        let mut bytes = vec![FORMAT_V1];
        bytes.extend_from_slice(&EventType::UserCreated.code().to_be_bytes());
        bytes.extend_from_slice(&1u16.to_be_bytes());
        bytes.extend(bincode::serde::encode_to_vec(header(), bincode::config::standard()).unwrap());
        bytes.extend(
            bincode::serde::encode_to_vec(UserId::new(1), bincode::config::standard()).unwrap(),
        );
        bytes.extend(
            bincode::serde::encode_to_vec(OrganizationId::new(1), bincode::config::standard())
                .unwrap(),
        );
        bytes.extend(
            bincode::serde::encode_to_vec(1u64 << 60, bincode::config::standard()).unwrap(),
        );
        assert!(matches!(decode(&bytes), Err(DecodeError::Payload { .. })));
    }
}
