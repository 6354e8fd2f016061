//! Bounds on what decoding stored bytes may claim.
//!
//! Its own module because both the envelope and the sealed values inside it decode under the
//! same bound, and the envelope is built on the sealed values (not the other way round).

/// Upper bound on the memory one decode may claim for strings and sequences (64 MiB).
pub const MAX_DECODE_BYTES: usize = 64 * 1024 * 1024;
