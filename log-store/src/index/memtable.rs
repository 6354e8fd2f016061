//! The open part of the index: the entries of the latest records, in memory.
//!
//! Every commit adds its records' entries here after they are durable; once the table holds
//! its capacity it is frozen and written out as an immutable run ([`super::run`]), and a new
//! one opens. It is never stored as it is: after a restart it is rebuilt from the records the
//! runs do not reach ([`crate::recover`]).

use std::collections::HashMap;

use crate::Position;
use crate::layout::Indexed;

/// Where a record is: its position and its frame's offset in the events file.
pub(crate) type Located = (Position, u64);

/// The entries of one stream in a part of the index: consecutive versions from `first_version`.
#[derive(Debug, Clone)]
pub(crate) struct StreamTail {
    /// Version of the first entry.
    pub first_version: u64,
    /// The records of versions `first_version..`, in order.
    pub entries: Vec<Located>,
}

/// The entries of the records from position `first` to `reach.position`.
#[derive(Debug)]
pub(crate) struct Memtable {
    /// The first position it holds (or will hold).
    pub first: Position,
    /// How far it reaches: its last record, that record's hash and frame, the end of the frames.
    pub reach: Indexed,
    /// The entries of each stream with records in it.
    pub streams: HashMap<Box<str>, StreamTail>,
    /// Where each id's record is.
    pub ids: HashMap<u128, Located>,
}

impl Memtable {
    /// An empty table for the records after the ones `reach` ends with, with room for `records` ids, so filling it never grows
    /// (and copies) its id map.
    pub(crate) fn with_capacity(reach: Indexed, records: usize) -> Memtable {
        Memtable {
            first: reach.position + 1,
            reach,
            streams: HashMap::new(),
            ids: HashMap::with_capacity(records),
        }
    }

    /// Empties the table, keeping its maps' room, to be opened again with [`Memtable::reopen`]:
    /// a written-out table is reused rather than freed, so the memory the index holds stays
    /// the same from one table to the next instead of rising and falling with each.
    pub(crate) fn clear(&mut self) {
        self.streams.clear();
        self.ids.clear();
    }

    /// The cleared table, now for the records after the ones `reach` ends with.
    pub(crate) fn reopen(mut self, reach: Indexed) -> Memtable {
        debug_assert!(self.streams.is_empty() && self.ids.is_empty());
        self.first = reach.position + 1;
        self.reach = reach;
        self
    }

    /// Records held.
    pub(crate) fn len(&self) -> usize {
        (self.reach.position + 1 - self.first) as usize
    }

    /// Adds the record at `located` (the position after the last one held) of `stream` with
    /// `version` and `id`.
    pub(crate) fn insert(&mut self, stream: &str, version: u64, id: u128, located: Located) {
        match self.streams.get_mut(stream) {
            Some(tail) => tail.entries.push(located),
            None => {
                self.streams.insert(
                    stream.into(),
                    StreamTail {
                        first_version: version,
                        entries: vec![located],
                    },
                );
            }
        }
        self.ids.insert(id, located);
    }

    /// The version of `stream`'s last record at or before `head` here, if any.
    pub(crate) fn stream_version(&self, stream: &str, head: Position) -> Option<u64> {
        let tail = self.streams.get(stream)?;
        let visible = tail.entries.partition_point(|(p, _)| *p <= head);
        (visible > 0).then(|| tail.first_version + visible as u64 - 1)
    }

    /// Appends to `out` the records of `stream` here from version `from` on, at or before
    /// `head`, until `out` holds `limit`.
    pub(crate) fn stream_entries(
        &self,
        stream: &str,
        from: u64,
        head: Position,
        limit: usize,
        out: &mut Vec<Located>,
    ) {
        let Some(tail) = self.streams.get(stream) else {
            return;
        };
        let skip = from.saturating_sub(tail.first_version) as usize;
        for &located in tail.entries.iter().skip(skip) {
            if out.len() >= limit || located.0 > head {
                return;
            }
            out.push(located);
        }
    }

    /// Where the record of `id` is, if it is here at or before `head`.
    pub(crate) fn id(&self, id: u128, head: Position) -> Option<Located> {
        self.ids.get(&id).copied().filter(|(p, _)| *p <= head)
    }

    /// Streams whose first record is here.
    pub(crate) fn new_streams(&self) -> u64 {
        self.streams
            .values()
            .filter(|t| t.first_version == 1)
            .count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Memtable {
        let mut t = Memtable::with_capacity(
            Indexed {
                position: 6,
                ..Indexed::default()
            },
            4,
        );
        t.insert("client-1", 3, 70, (7, 0));
        t.insert("client-10", 1, 80, (8, 200));
        t.insert("client-1", 4, 90, (9, 400));
        t
    }

    /// A stream whose version 4 the writer is indexing (its record past the head) still reads
    /// as version 3 to everyone but the writer.
    #[test]
    fn versions_and_entries_stop_at_the_head() {
        let t = table();
        assert_eq!(t.stream_version("client-1", 8), Some(3));
        assert_eq!(t.stream_version("client-1", 9), Some(4));
        assert_eq!(t.stream_version("client-1", 6), None);
        assert_eq!(t.stream_version("client-2", 9), None);
        let mut out = Vec::new();
        t.stream_entries("client-1", 1, 8, 10, &mut out);
        assert_eq!(out, [(7, 0)]);
        out.clear();
        t.stream_entries("client-1", 4, 9, 10, &mut out);
        assert_eq!(out, [(9, 400)]);
        assert_eq!(t.id(90, 8), None);
        assert_eq!(t.id(90, 9), Some((9, 400)));
        assert_eq!(t.new_streams(), 1);
    }

    /// A reused table holds nothing of its earlier records, only their room.
    #[test]
    fn a_cleared_table_reopens_empty_after_its_new_reach() {
        let mut t = table();
        let room = t.ids.capacity();
        t.clear();
        let reach = Indexed {
            position: 9,
            ..Indexed::default()
        };
        let mut t = t.reopen(reach);
        assert_eq!((t.first, t.len()), (10, 0));
        assert_eq!(t.ids.capacity(), room);
        assert_eq!(t.stream_version("client-1", 20), None);
        assert_eq!(t.id(70, 20), None);
        assert_eq!(t.new_streams(), 0);
        t.insert("client-1", 5, 100, (10, 600));
        t.reach.position = 10;
        assert_eq!(t.stream_version("client-1", 10), Some(5));
    }
}
