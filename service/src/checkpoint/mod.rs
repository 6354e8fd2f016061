//! Signed checkpoints: the service signs (position, chain hash) with an Ed25519 key, so an
//! auditor who keeps a checkpoint can later prove the log still extends it. The chain hash at a
//! position commits to every record before it; a history rewritten before the checkpoint —
//! even with every later hash recomputed — no longer has that hash there.
//!
//! The signing key is 32 random bytes in `checkpoint.key` in the data directory (created with
//! mode 0600 on first use) or the file `CASELEDGER_CHECKPOINT_KEY_FILE` names; checkpoints are
//! JSON files in `checkpoints/` named by position. The signature covers
//! `caseledger-checkpoint-v1 ‖ position (u64 BE) ‖ chain hash`.
//!
//! One file format, the GraphQL one: a checkpoint file is the `signCheckpoint` object of the
//! API's answer (`position`, `chainHash`, `signedAt`, `publicKey`, `signature`), so an auditor
//! saves the answer and the files the service writes are the same thing. [`load`] also takes
//! the whole answer (`{"data":{"signCheckpoint":{...}}}`) and files written before, in
//! snake_case.

mod signing;

use std::io::Write;
use std::path::{Path, PathBuf};

use caseledger_log_store::{EventLog, Head};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Environment variable naming the signing key file (instead of `DATA/checkpoint.key`).
pub const KEY_FILE_ENV: &str = "CASELEDGER_CHECKPOINT_KEY_FILE";

const DOMAIN: &[u8] = b"caseledger-checkpoint-v1";

/// A signed statement that the log's chain hash at `position` is `chain_hash`. Serialized with
/// the GraphQL answer's field names; the snake_case names of older files are read too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The log position.
    pub position: u64,
    /// The chain hash after the record at `position` (hex).
    #[serde(alias = "chain_hash")]
    pub chain_hash: String,
    /// When it was signed (RFC 3339).
    #[serde(alias = "signed_at")]
    pub signed_at: String,
    /// The Ed25519 public key that signed it (hex).
    #[serde(alias = "public_key")]
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}

/// Why a checkpoint could not be made or does not hold.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The key or checkpoint file could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// Which file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The checkpoint file is not a checkpoint.
    #[error("not a caseledger checkpoint: {0}")]
    Format(String),
    /// The signature does not verify (or was made by another key than the one pinned).
    #[error("the checkpoint's signature does not verify: {0}")]
    Signature(String),
    /// The log is shorter than the checkpoint: history after it was removed.
    #[error("the log ends at position {head}, before the checkpoint's position {position}")]
    Truncated {
        /// The checkpoint's position.
        position: u64,
        /// The log's head.
        head: u64,
    },
    /// The log's chain hash at the checkpoint's position differs: history up to it was
    /// rewritten.
    #[error(
        "the log does not extend the checkpoint: its chain hash at position {position} is {found}, the checkpoint says {expected}"
    )]
    Rewritten {
        /// The checkpoint's position.
        position: u64,
        /// The hash the checkpoint holds.
        expected: String,
        /// The hash the log has.
        found: String,
    },
    /// The log could not be read.
    #[error(transparent)]
    Log(#[from] caseledger_log_store::LogError),
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> CheckpointError {
    CheckpointError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Where the signing key of a data directory lives.
pub fn key_path(data_dir: &Path) -> PathBuf {
    std::env::var_os(KEY_FILE_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("checkpoint.key"))
}

/// The signing key at `path`, created (32 random bytes, mode 0600) when missing.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, CheckpointError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let seed: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| file_error(path, "a checkpoint key is 32 bytes"))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| file_error(path, e))?;
            let mut file = {
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| file_error(path, e))?
            };
            file.write_all(&seed).map_err(|e| file_error(path, e))?;
            file.sync_all().map_err(|e| file_error(path, e))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(file_error(path, e)),
    }
}

fn message(position: u64, hash: &[u8; 32]) -> Vec<u8> {
    let mut m = DOMAIN.to_vec();
    m.extend_from_slice(&position.to_be_bytes());
    m.extend_from_slice(hash);
    m
}

/// Signs `head` now.
pub fn sign(key: &SigningKey, head: Head) -> Checkpoint {
    let signature = key.sign(&message(head.position, &head.hash));
    Checkpoint {
        position: head.position,
        chain_hash: hex::encode(head.hash),
        signed_at: chrono::Utc::now().to_rfc3339(),
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(signature.to_bytes()),
    }
}

/// Writes a checkpoint to `dir/checkpoint-<position>.json` (temp file, sync, rename) and
/// returns the path.
pub fn save(dir: &Path, checkpoint: &Checkpoint) -> Result<PathBuf, CheckpointError> {
    caseledger_log_store::private::create_dir(dir).map_err(|e| file_error(dir, e))?;
    let path = dir.join(format!("checkpoint-{:012}.json", checkpoint.position));
    let tmp = path.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(checkpoint).map_err(|e| file_error(&path, e))?;
    let mut file =
        caseledger_log_store::private::create_file(&tmp).map_err(|e| file_error(&tmp, e))?;
    file.write_all(&body).map_err(|e| file_error(&tmp, e))?;
    file.sync_all().map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| file_error(&path, e))?;
    Ok(path)
}

/// Reads a checkpoint file: a checkpoint object (the `signCheckpoint` answer, or an older
/// snake_case file), or a whole GraphQL answer holding one.
pub fn load(path: &Path) -> Result<Checkpoint, CheckpointError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    parse(&bytes)
}

/// Parses what [`load`] reads.
pub fn parse(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let format = |e: serde_json::Error| CheckpointError::Format(e.to_string());
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(format)?;
    if let Some(inner) = value
        .get_mut("data")
        .and_then(|d| d.get_mut("signCheckpoint"))
    {
        value = inner.take();
    }
    serde_json::from_value(value).map_err(format)
}

fn hex32(field: &str, value: &str) -> Result<[u8; 32], CheckpointError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(value, &mut out)
        .map_err(|_| CheckpointError::Format(format!("{field} is not 64 hex digits")))?;
    Ok(out)
}

/// Checks that the checkpoint's signature verifies (against `pinned` when given, else the key
/// it names) and that `log` extends it: the log reaches its position and has its chain hash
/// there.
pub fn check(
    checkpoint: &Checkpoint,
    log: &dyn EventLog,
    pinned: Option<&str>,
) -> Result<(), CheckpointError> {
    let key_hex = pinned.unwrap_or(&checkpoint.public_key);
    if pinned.is_some_and(|p| !p.eq_ignore_ascii_case(&checkpoint.public_key)) {
        return Err(CheckpointError::Signature(
            "it was signed by another key than the one pinned".into(),
        ));
    }
    let key = VerifyingKey::from_bytes(&hex32("public_key", key_hex)?)
        .map_err(|e| CheckpointError::Signature(e.to_string()))?;
    let mut signature = [0u8; 64];
    hex::decode_to_slice(&checkpoint.signature, &mut signature)
        .map_err(|_| CheckpointError::Format("signature is not 128 hex digits".into()))?;
    let expected = hex32("chain_hash", &checkpoint.chain_hash)?;
    key.verify(
        &message(checkpoint.position, &expected),
        &ed25519_dalek::Signature::from_bytes(&signature),
    )
    .map_err(|e| CheckpointError::Signature(e.to_string()))?;
    let head = log.head().position;
    if checkpoint.position > head {
        return Err(CheckpointError::Truncated {
            position: checkpoint.position,
            head,
        });
    }
    let found = if checkpoint.position == 0 {
        caseledger_log_store::GENESIS_HASH
    } else {
        log.read_all(checkpoint.position, 1)?
            .first()
            .filter(|r| r.position == checkpoint.position)
            .map(|r| r.hash)
            .ok_or(CheckpointError::Truncated {
                position: checkpoint.position,
                head,
            })?
    };
    if found != expected {
        return Err(CheckpointError::Rewritten {
            position: checkpoint.position,
            expected: checkpoint.chain_hash.clone(),
            found: hex::encode(found),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_read_from_the_api_answer_its_object_and_old_files() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = sign(
            &key,
            Head {
                position: 44,
                hash: [9; 32],
            },
        );
        let object = serde_json::to_value(&signed).unwrap();
        assert!(object.get("chainHash").is_some(), "{object}");
        let answer = serde_json::json!({ "data": { "signCheckpoint": object.clone() } });
        let old = serde_json::json!({
            "position": 44,
            "chain_hash": signed.chain_hash,
            "signed_at": signed.signed_at,
            "public_key": signed.public_key,
            "signature": signed.signature,
        });
        for shape in [object, answer, old] {
            assert_eq!(parse(shape.to_string().as_bytes()).unwrap(), signed);
        }
    }
}
