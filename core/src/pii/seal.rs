//! Sealing and opening identifying values while events are encoded and decoded.
//!
//! [`Pii`](super::Pii)'s own `Serialize` and `Deserialize` consult the mode set here for the
//! current thread, so every identifying field of every event is sealed by the one encoder —
//! a new field cannot be forgotten by a hand-written walker, because there is none:
//!
//! - [`sealing`]: clear values are written sealed under the event's client's data key;
//! - [`opening`]: sealed values are read back clear, or as erased when the client's key is
//!   gone (forgotten);
//! - [`erased_copy`]: a copy of any value with every identifying field erased.
//!
//! Outside these, values are written and read as they are (golden fixtures, tests).

use std::cell::RefCell;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::crypto::{NONCE_LEN, SecretKey, value_nonce};
use crate::ids::ClientId;

/// An identifying value sealed under its client's data key: the stored form of
/// [`Pii::Sealed`](super::Pii::Sealed).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sealed {
    /// Whose key sealed it (also authenticated: a value cannot be moved to another client).
    pub client: ClientId,
    /// The nonce it was sealed with.
    pub nonce: [u8; NONCE_LEN],
    /// The bincode encoding of the value, sealed, with its tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sealed({} bytes for {})",
            self.ciphertext.len(),
            self.client
        )
    }
}

/// Where the data keys of clients are kept (the service's key store; a map in tests).
pub trait KeyRing: Send + Sync {
    /// The key that opens values sealed for `client`, or `None` when it was destroyed (the
    /// client's identifiers were forgotten).
    fn opening_key(&self, client: ClientId) -> Option<SecretKey>;

    /// The key to seal new values for `client`, created (durably, before it is returned) on
    /// first use.
    fn sealing_key(&self, client: ClientId) -> Result<SecretKey, SealError>;
}

/// Why an identifying value could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The client's identifiers were forgotten: nothing identifying can be recorded for them
    /// again (a returning person is taken in as a new client).
    #[error("the identifiers of client {0} were forgotten")]
    Forgotten(ClientId),
    /// An identifying value in an event that names no client, so no key can seal it (a bug in
    /// the event catalog, caught by its tests).
    #[error("an identifying value in an event that names no client")]
    NoClient,
    /// The key store could not create or save a key.
    #[error("key store: {0}")]
    KeyStore(String),
    /// A sealed value did not open with its client's key: the bytes were altered, or the key
    /// store belongs to another data directory.
    #[error("a value sealed for client {0} does not open with its key")]
    DoesNotOpen(ClientId),
}

struct SealContext {
    keys: Arc<dyn KeyRing>,
    client: Option<ClientId>,
    event_id: u128,
    next_index: u32,
    key: Option<SecretKey>,
    error: Option<SealError>,
}

struct OpenContext {
    keys: Arc<dyn KeyRing>,
    /// The last client looked up: an event's values all belong to one client.
    last: Option<(ClientId, Option<SecretKey>)>,
}

enum WriteMode {
    Plain,
    Seal(SealContext),
    Erase,
}

thread_local! {
    static WRITE: RefCell<WriteMode> = const { RefCell::new(WriteMode::Plain) };
    static READ: RefCell<Option<OpenContext>> = const { RefCell::new(None) };
}

/// How [`Pii`](super::Pii) writes itself right now.
pub(super) enum Writing {
    /// As it is.
    Plain,
    /// Clear values sealed.
    Seal,
    /// Everything as erased.
    Erase,
}

pub(super) fn writing() -> Writing {
    WRITE.with_borrow(|mode| match mode {
        WriteMode::Plain => Writing::Plain,
        WriteMode::Seal(_) => Writing::Seal,
        WriteMode::Erase => Writing::Erase,
    })
}

/// Restores the previous write mode when dropped (also when `f` panics).
struct RestoreWrite(Option<WriteMode>);

impl Drop for RestoreWrite {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            WRITE.set(previous);
        }
    }
}

fn with_write_mode<R>(mode: WriteMode, f: impl FnOnce() -> R) -> (R, WriteMode) {
    let mut restore = RestoreWrite(Some(WRITE.replace(mode)));
    let out = f();
    let used = WRITE.replace(restore.0.take().expect("previous mode kept until now"));
    (out, used)
}

/// Runs `f` (which encodes one event) sealing every clear identifying value under the data key
/// of `client`, with nonces derived from `event_id`. On success returns `f`'s result; when a
/// value could not be sealed, `f`'s encoder failed and the reason is returned instead.
pub fn sealing<R, E>(
    keys: &Arc<dyn KeyRing>,
    client: Option<ClientId>,
    event_id: u128,
    f: impl FnOnce() -> Result<R, E>,
) -> Result<Result<R, E>, SealError> {
    let context = SealContext {
        keys: keys.clone(),
        client,
        event_id,
        next_index: 0,
        key: None,
        error: None,
    };
    let (out, used) = with_write_mode(WriteMode::Seal(context), f);
    match used {
        WriteMode::Seal(SealContext {
            error: Some(error), ..
        }) => Err(error),
        _ => Ok(out),
    }
}

/// Runs `f` (which decodes) opening sealed identifying values with the keys in `keys`; values
/// whose key was destroyed read as erased.
pub fn opening<R>(keys: &Arc<dyn KeyRing>, f: impl FnOnce() -> R) -> R {
    struct RestoreRead(Option<Option<OpenContext>>);
    impl Drop for RestoreRead {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                READ.set(previous);
            }
        }
    }
    let _restore = RestoreRead(Some(READ.replace(Some(OpenContext {
        keys: keys.clone(),
        last: None,
    }))));
    f()
}

/// Runs `f` (which encodes) writing every identifying value as erased, sealed ones too.
pub fn erasing<R>(f: impl FnOnce() -> R) -> R {
    with_write_mode(WriteMode::Erase, f).0
}

/// A copy of `value` with every identifying value in it erased (sealed ones too), through its
/// own serde form, so no type needs an erase method of its own.
pub fn erased_copy<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let config = bincode::config::standard();
    let bytes = erasing(|| bincode::serde::encode_to_vec(value, config));
    let bytes = bytes.expect("a value that encoded once encodes erased");
    bincode::serde::decode_from_slice(&bytes, config)
        .expect("an erased encoding decodes as the same type")
        .0
}

/// Seals `value` in the current [`sealing`] context.
pub(super) fn seal_value<T: Serialize>(value: &T) -> Result<Sealed, String> {
    let message = bincode::serde::encode_to_vec(value, bincode::config::standard())
        .map_err(|e| e.to_string())?;
    WRITE.with_borrow_mut(|mode| {
        let WriteMode::Seal(context) = mode else {
            unreachable!("seal_value is called in sealing mode only")
        };
        let fail = |context: &mut SealContext, error: SealError| {
            let message = error.to_string();
            context.error.get_or_insert(error);
            message
        };
        let Some(client) = context.client else {
            return Err(fail(context, SealError::NoClient));
        };
        if context.key.is_none() {
            match context.keys.sealing_key(client) {
                Ok(key) => context.key = Some(key),
                Err(error) => return Err(fail(context, error)),
            }
        }
        let key = context.key.as_ref().expect("key just set");
        let nonce = value_nonce(client.as_u128(), context.event_id, context.next_index);
        context.next_index += 1;
        Ok(Sealed {
            client,
            nonce,
            ciphertext: key.seal(&nonce, &client.as_u128().to_be_bytes(), &message),
        })
    })
}

/// What reading a sealed value gives in the current context.
pub(super) enum Opened<T> {
    /// Opened.
    Clear(T),
    /// The key is gone.
    Erased,
    /// No [`opening`] context: keep it sealed.
    Sealed(Sealed),
}

/// Opens `sealed` in the current [`opening`] context, if any.
pub(super) fn open_value<T: DeserializeOwned>(sealed: Sealed) -> Result<Opened<T>, SealError> {
    let key = READ.with_borrow_mut(|context| {
        let context = context.as_mut()?;
        let key = match &context.last {
            Some((client, key)) if *client == sealed.client => key.clone(),
            _ => {
                let key = context.keys.opening_key(sealed.client);
                context.last = Some((sealed.client, key.clone()));
                key
            }
        };
        Some(key)
    });
    let Some(key) = key else {
        return Ok(Opened::Sealed(sealed));
    };
    let Some(key) = key else {
        return Ok(Opened::Erased);
    };
    let message = key
        .open(
            &sealed.nonce,
            &sealed.client.as_u128().to_be_bytes(),
            &sealed.ciphertext,
        )
        .ok_or(SealError::DoesNotOpen(sealed.client))?;
    let (value, read) = bincode::serde::decode_from_slice::<T, _>(
        &message,
        bincode::config::standard().with_limit::<{ crate::envelope::MAX_DECODE_BYTES }>(),
    )
    .map_err(|_| SealError::DoesNotOpen(sealed.client))?;
    if read != message.len() {
        return Err(SealError::DoesNotOpen(sealed.client));
    }
    Ok(Opened::Clear(value))
}

/// A key ring in memory: for tests, fixtures and benchmarks (the service keeps its keys on
/// disk, wrapped under the master key).
#[derive(Default)]
pub struct MemoryKeyRing {
    keys: std::sync::RwLock<std::collections::HashMap<ClientId, Option<SecretKey>>>,
}

impl MemoryKeyRing {
    /// Destroys `client`'s key, as forgetting does.
    pub fn destroy(&self, client: ClientId) {
        self.keys
            .write()
            .expect("key ring lock")
            .insert(client, None);
    }
}

impl KeyRing for MemoryKeyRing {
    fn opening_key(&self, client: ClientId) -> Option<SecretKey> {
        self.keys
            .read()
            .expect("key ring lock")
            .get(&client)
            .cloned()
            .flatten()
    }

    /// Keys are derived from the client id, so a test ring is reproducible.
    fn sealing_key(&self, client: ClientId) -> Result<SecretKey, SealError> {
        let mut keys = self.keys.write().expect("key ring lock");
        match keys
            .entry(client)
            .or_insert_with(|| Some(SecretKey::from_bytes([0x42; 32]).derive(&client.to_string())))
        {
            Some(key) => Ok(key.clone()),
            None => Err(SealError::Forgotten(client)),
        }
    }
}
