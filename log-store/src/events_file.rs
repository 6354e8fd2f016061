//! The events file (`DATA/log.events`): every record of the log, framed, in position order.
//!
//! The file is the log. The indexes only find records in it (see `crate::index`), written after
//! each commit is durable and rebuilt from this file on open where they fall behind, so a group
//! commit is one `pwrite` of its frames and one `fdatasync` of this file.
//!
//! A frame is `[record length u32 BE][CRC-32 u32 BE of the rest][position u64 BE][chain hash
//! 32][record]`. The chain hash proves the history (see ARCHITECTURE.md); the CRC lets every
//! read and the open's scan tell a torn or damaged frame from a good one without the frame
//! before it, and the position lets every read through an index check that it found the record
//! it was sent to (a frame moved or swapped is refused, never answered as another).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::{ChainHash, LogError, Position};

/// Name of the events file inside the data directory.
pub const FILE: &str = "log.events";

/// Bytes before a frame's record: length, CRC, position, chain hash.
pub const HEADER: usize = 4 + 4 + 8 + 32;

/// Bytes before a frame's stored value (hash and record): length, CRC, position.
const PREFIX: usize = 16;

/// The longest record a frame may hold; a length field beyond it is damage, not a record.
const MAX_RECORD: usize = 256 * 1024 * 1024;

/// Bytes read at once by a [`Cursor`] scanning the file.
const READ_AHEAD: usize = 256 * 1024;
/// Bytes a point read asks for at a time: enough for the frames between a block's first
/// position and the one wanted (64 frames of a few hundred bytes) in one or two reads, without
/// faulting in a scan's buffer for every record a view opens.
pub const POINT_READ_AHEAD: usize = 16 * 1024;
const SINGLE_READ: usize = 4096;

/// The events file of the log in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Appends the frame of the `record` at `position` with its chain `hash` to `out`.
pub(crate) fn encode_frame(out: &mut Vec<u8>, position: Position, hash: &ChainHash, record: &[u8]) {
    out.extend_from_slice(&(record.len() as u32).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&position.to_be_bytes());
    crc.update(hash);
    crc.update(record);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out.extend_from_slice(&position.to_be_bytes());
    out.extend_from_slice(hash);
    out.extend_from_slice(record);
}

/// One frame as stored: its offset, and the chain hash followed by the record (the "stored
/// value" [`crate::record`] splits).
#[derive(Debug, Clone)]
pub struct Frame {
    /// Offset of the frame in the file.
    pub offset: u64,
    /// The position the frame says it holds.
    pub position: Position,
    /// Chain hash (32 bytes) followed by the record.
    pub stored: Vec<u8>,
}

impl Frame {
    /// Offset of the frame after this one.
    pub fn end(&self) -> u64 {
        self.offset + (PREFIX + self.stored.len()) as u64
    }
}

/// What reading at an offset found.
#[derive(Debug)]
pub enum Read {
    /// A whole frame whose checksum holds.
    Frame(Frame),
    /// The end of the file, or zeroes where no frame was ever written.
    End,
    /// Bytes that are not a whole good frame: a write cut short by a crash, or damage.
    Bad {
        /// Where the bad frame starts.
        offset: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Parses the frame at the start of `bytes` (which begin at file `offset`); `None` when more
/// bytes are needed to tell, with how many the frame needs in all.
fn parse(bytes: &[u8], offset: u64, at_eof: bool) -> Result<Read, usize> {
    if bytes.len() < HEADER {
        if !at_eof {
            return Err(HEADER);
        }
        return Ok(if bytes.iter().all(|b| *b == 0) {
            Read::End
        } else {
            Read::Bad {
                offset,
                reason: "a frame cut short in its header",
            }
        });
    }
    let len = u32::from_be_bytes(bytes[0..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_be_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if len == 0 && crc == 0 && bytes[8..HEADER].iter().all(|b| *b == 0) {
        return Ok(Read::End);
    }
    if len > MAX_RECORD {
        return Ok(Read::Bad {
            offset,
            reason: "a frame length out of range",
        });
    }
    let total = HEADER + len;
    if bytes.len() < total {
        if !at_eof {
            return Err(total);
        }
        return Ok(Read::Bad {
            offset,
            reason: "a frame cut short",
        });
    }
    if crc32fast::hash(&bytes[8..total]) != crc {
        return Ok(Read::Bad {
            offset,
            reason: "a frame whose checksum does not match its bytes",
        });
    }
    Ok(Read::Frame(Frame {
        offset,
        position: u64::from_be_bytes(bytes[8..16].try_into().expect("8 bytes")),
        stored: bytes[PREFIX..total].to_vec(),
    }))
}

/// Reads the frame at `offset` (known to hold one: from an index) for the record at
/// `position`; a frame that says it holds another position is [`LogError::Corrupt`].
pub(crate) fn read_frame_at(
    file: &File,
    offset: u64,
    position: Position,
) -> Result<Frame, LogError> {
    let mut buf = vec![0u8; SINGLE_READ];
    let mut filled = read_some(file, offset, &mut buf)?;
    loop {
        match parse(&buf[..filled], offset, filled < buf.len()) {
            Ok(Read::Frame(frame)) if frame.position == position => return Ok(frame),
            Ok(Read::Frame(frame)) => {
                return Err(LogError::Corrupt {
                    position,
                    reason: format!(
                        "the events file holds position {} where the index has it (offset {offset})",
                        frame.position
                    ),
                });
            }
            Ok(Read::End) => {
                return Err(LogError::Corrupt {
                    position,
                    reason: format!(
                        "the index points past the events file's end (offset {offset})"
                    ),
                });
            }
            Ok(Read::Bad { reason, .. }) => {
                return Err(LogError::Corrupt {
                    position,
                    reason: format!("{reason} at offset {offset} of the events file"),
                });
            }
            Err(needed) => {
                buf.resize(needed, 0);
                filled += read_some(file, offset + filled as u64, &mut buf[filled..])?;
            }
        }
    }
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes read.
fn read_some(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads frames one after another from an offset, a large block at a time.
pub struct Cursor<'f> {
    file: &'f File,
    /// File offset of `buf[0]`.
    base: u64,
    buf: Vec<u8>,
    /// Bytes of `buf` that hold file data.
    filled: usize,
    /// Where the next frame starts, relative to `base`.
    at: usize,
    /// The last read reached the end of the file.
    eof: bool,
    /// How many bytes each read asks for at least.
    read_ahead: usize,
}

impl<'f> Cursor<'f> {
    /// A cursor at `offset` of `file`.
    pub fn new(file: &'f File, offset: u64) -> Self {
        Cursor {
            file,
            base: offset,
            buf: Vec::new(),
            filled: 0,
            at: 0,
            eof: false,
            read_ahead: READ_AHEAD,
        }
    }

    /// A cursor at `offset` of `file` for reading a few frames (a point read by position):
    /// each read asks for [`POINT_READ_AHEAD`] bytes, not a scan's [`READ_AHEAD`].
    pub fn point(file: &'f File, offset: u64) -> Self {
        Cursor {
            read_ahead: POINT_READ_AHEAD,
            ..Cursor::new(file, offset)
        }
    }

    /// Offset of the next frame.
    pub fn offset(&self) -> u64 {
        self.base + self.at as u64
    }

    /// The next frame, the end, or a bad frame (after which the cursor stays where it is).
    pub fn next_frame(&mut self) -> std::io::Result<Read> {
        loop {
            match parse(&self.buf[self.at..self.filled], self.offset(), self.eof) {
                Ok(read) => {
                    if let Read::Frame(frame) = &read {
                        self.at += PREFIX + frame.stored.len();
                    }
                    return Ok(read);
                }
                Err(needed) => self.refill(needed)?,
            }
        }
    }

    /// Steps over the next frame by its length alone (no checksum: the caller reads a later
    /// frame, whose own checks tell whether it arrived where it meant to). `false` at the end.
    pub fn skip_frame(&mut self) -> std::io::Result<bool> {
        loop {
            let rest = &self.buf[self.at..self.filled];
            if rest.len() >= 4 {
                let len = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
                if len == 0 || len > MAX_RECORD {
                    return Ok(false);
                }
                let total = HEADER + len;
                if rest.len() >= total {
                    self.at += total;
                    return Ok(true);
                }
                if self.eof {
                    return Ok(false);
                }
                self.refill(total)?;
            } else if self.eof {
                return Ok(false);
            } else {
                self.refill(HEADER)?;
            }
        }
    }

    /// Moves the unread bytes to the front and reads at least `needed` bytes past them, or to
    /// the end of the file.
    fn refill(&mut self, needed: usize) -> std::io::Result<()> {
        self.buf.drain(..self.at);
        self.base += self.at as u64;
        self.filled -= self.at;
        self.at = 0;
        let want = needed.max(self.read_ahead);
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        let from = self.base + self.filled as u64;
        let n = read_some(self.file, from, &mut self.buf[self.filled..])?;
        self.filled += n;
        self.eof = self.filled < self.buf.len();
        Ok(())
    }
}

/// The position, start and record length of each frame of the events file in `dir`, in
/// file order, up to the first bad frame or the end — for forensic tools and tamper tests,
/// which address records through it.
pub fn frames(dir: &Path) -> Result<Vec<(Position, u64, usize)>, LogError> {
    let file = File::open(path(dir))?;
    let mut cursor = Cursor::new(&file, 0);
    let mut out = Vec::new();
    while let Read::Frame(frame) = cursor.next_frame()? {
        out.push((frame.position, frame.offset, frame.stored.len() - 32));
    }
    Ok(out)
}

/// Rewrites the frame at `offset` of the events file in `dir` as the frame of `record` at
/// `position` with `hash` (the same record length), its checksum recomputed — what someone
/// editing the log with this code's help could do; for tamper tests.
pub fn overwrite_frame(
    dir: &Path,
    offset: u64,
    position: Position,
    hash: &ChainHash,
    record: &[u8],
) -> Result<(), LogError> {
    let mut bytes = Vec::with_capacity(HEADER + record.len());
    encode_frame(&mut bytes, position, hash, record);
    let file = std::fs::OpenOptions::new().write(true).open(path(dir))?;
    file.write_all_at(&bytes, offset)?;
    file.sync_data()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(position: u8, record: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_frame(&mut out, position.into(), &[position; 32], record);
        out
    }

    #[test]
    fn frames_read_back_and_a_torn_or_flipped_frame_is_bad_not_a_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = frame(1, b"first record");
        bytes.extend(frame(2, &vec![7u8; 300_000]));
        let second = bytes.len();
        bytes.extend(frame(3, b"third"));
        std::fs::write(path(dir.path()), &bytes).unwrap();
        let file = File::open(path(dir.path())).unwrap();
        let mut cursor = Cursor::new(&file, 0);
        let mut lens = Vec::new();
        while let Read::Frame(f) = cursor.next_frame().unwrap() {
            lens.push(f.stored.len() - 32);
        }
        assert_eq!(lens, [12, 300_000, 5]);
        assert_eq!(
            read_frame_at(&file, second as u64, 3).unwrap().stored[32..],
            *b"third"
        );

        // Cut short: the last frame is bad, the others still read.
        std::fs::write(path(dir.path()), &bytes[..bytes.len() - 2]).unwrap();
        let file = File::open(path(dir.path())).unwrap();
        let mut cursor = Cursor::new(&file, 0);
        assert!(matches!(cursor.next_frame().unwrap(), Read::Frame(_)));
        assert!(matches!(cursor.next_frame().unwrap(), Read::Frame(_)));
        assert!(
            matches!(cursor.next_frame().unwrap(), Read::Bad { offset, .. } if offset == second as u64)
        );

        // One flipped bit inside a record.
        let mut flipped = bytes.clone();
        flipped[HEADER + 3] ^= 1;
        std::fs::write(path(dir.path()), &flipped).unwrap();
        let file = File::open(path(dir.path())).unwrap();
        assert!(matches!(
            Cursor::new(&file, 0).next_frame().unwrap(),
            Read::Bad { offset: 0, .. }
        ));
        assert!(matches!(
            read_frame_at(&file, 0, 1),
            Err(LogError::Corrupt { position: 1, .. })
        ));

        // Zeroes after the last frame are the end, not damage.
        let mut padded = bytes.clone();
        padded.extend(vec![0u8; 5000]);
        std::fs::write(path(dir.path()), &padded).unwrap();
        assert_eq!(frames(dir.path()).unwrap().len(), 3);
    }
}
