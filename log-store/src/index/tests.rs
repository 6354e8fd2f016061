//! The index's parts answer as one table would, across tables in memory and runs on disk.

use super::*;

/// One record of the model: stream, version, id, offset.
type Rec = (String, u64, u128, u64);

/// Records over a few streams, some long, with ids out of order (not all ULIDs are new).
fn records(n: u64) -> Vec<Rec> {
    let mut versions = std::collections::HashMap::new();
    (1..=n)
        .map(|p| {
            let stream = format!("s-{}", (p * 7919) % 13 + if p % 5 == 0 { 100 } else { 0 });
            let v = versions.entry(stream.clone()).or_insert(0u64);
            *v += 1;
            let id = ((p * 2_654_435_761) % 1_000_003) as u128 | ((p as u128) << 64);
            (stream, *v, id, p * 100)
        })
        .collect()
}

fn open(dir: &Path, capacity: usize) -> Index {
    let db = sled::Config::new().path(dir.join("db")).open().unwrap();
    let file = File::create(dir.join("events")).unwrap();
    Index::open(db, dir, &file, capacity).unwrap()
}

fn insert_all(index: &Index, recs: &[Rec], persist: bool) -> usize {
    let mut runs = 0;
    for (i, (stream, version, id, offset)) in recs.iter().enumerate() {
        let position = i as u64 + 1;
        let entry = Entry {
            stream,
            version: *version,
            id: *id,
            position,
            offset: *offset,
        };
        let reach = Indexed {
            position,
            end: offset + 100,
            last_frame: *offset,
            ..Indexed::default()
        };
        if let Some(full) = index.insert([entry], reach)
            && persist
        {
            index.persist(full).unwrap();
            runs += 1;
        }
    }
    runs
}

fn check(index: &Index, recs: &[Rec], head: Position) {
    let visible = &recs[..head as usize];
    let mut streams: Vec<&str> = recs.iter().map(|r| r.0.as_str()).collect();
    streams.sort();
    streams.dedup();
    for stream in streams.iter().copied().chain(["nobody"]) {
        let mine: Vec<(Position, u64)> = visible
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 == stream)
            .map(|(i, r)| (i as u64 + 1, r.3))
            .collect();
        let version = (!mine.is_empty()).then_some(mine.len() as u64);
        assert_eq!(
            index.stream_version(stream, head).unwrap(),
            version,
            "{stream}"
        );
        for (from, limit) in [(1, usize::MAX), (3, 4), (mine.len() as u64, 2), (1, 1)] {
            let from = from.max(1);
            let want: Vec<_> = mine
                .iter()
                .skip(from as usize - 1)
                .take(limit)
                .copied()
                .collect();
            let got = index.stream_entries(stream, from, limit, head).unwrap();
            assert_eq!(got, want, "{stream} from {from} limit {limit}");
        }
    }
    for (i, r) in recs.iter().enumerate() {
        let p = i as u64 + 1;
        let want = (p <= head).then_some((p, r.3));
        assert_eq!(index.id(r.2, head).unwrap(), want, "id of {p}");
        if p <= head && layout::block_start(p) == p {
            assert_eq!(index.read().blocks[((p - 1) / BLOCK) as usize], r.3);
        }
    }
    assert_eq!(index.id(u128::MAX - 5, head).unwrap(), None);
}

#[test]
fn tables_runs_and_a_mix_answer_alike() {
    let recs = records(1_000);
    for capacity in [1, 7, 64, 333, 10_000] {
        let dir = tempfile::tempdir().unwrap();
        let index = open(dir.path(), capacity);
        let runs = insert_all(&index, &recs, true);
        assert_eq!(runs, 1_000 / capacity, "capacity {capacity}");
        check(&index, &recs, 1_000);
        let streams = recs.iter().filter(|r| r.1 == 1).count() as u64;
        assert_eq!(index.streams(), streams);
    }
}

#[test]
fn frozen_tables_not_yet_written_are_found_too() {
    let recs = records(300);
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path(), 50);
    // Three tables written out, then the rest left frozen in memory.
    let mut frozen = Vec::new();
    for (i, (stream, version, id, offset)) in recs.iter().enumerate() {
        let position = i as u64 + 1;
        let entry = Entry {
            stream,
            version: *version,
            id: *id,
            position,
            offset: *offset,
        };
        let reach = Indexed {
            position,
            ..Indexed::default()
        };
        if let Some(full) = index.insert([entry], reach) {
            frozen.push(full);
        }
    }
    for table in frozen.drain(..3) {
        index.persist(table).unwrap();
    }
    assert_eq!(index.read().runs.len(), 3);
    assert_eq!(index.read().frozen.len(), 3);
    check(&index, &recs, 300);
    // Records past the head (a batch being indexed) are in tables, never in runs.
    check(&index, &recs, 290);
    check(&index, &recs, 151);
}

#[test]
fn runs_named_in_the_manifest_are_loaded_again_and_strays_deleted() {
    let recs = records(500);
    let dir = tempfile::tempdir().unwrap();
    {
        let index = open(dir.path(), 100);
        insert_all(&index, &recs, true);
        // A run a crash left before the manifest named it, and one half written.
        std::fs::write(dir.path().join(INDEX_DIR).join("run-x.partial"), b"half").unwrap();
    }
    let runs_dir = dir.path().join(INDEX_DIR);
    assert_eq!(std::fs::read_dir(&runs_dir).unwrap().count(), 6);
    // The events file here holds no frames, so the runs do not fit it: they go, and the
    // indexes start again from the file.
    let index = open(dir.path(), 100);
    assert_eq!(index.reach(), Indexed::default());
    assert_eq!(std::fs::read_dir(&runs_dir).unwrap().count(), 0);
    assert_eq!(index.tree.len(), 0);
}

#[test]
fn a_damaged_run_is_refused_by_its_checksum() {
    let recs = records(200);
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path(), 200);
    insert_all(&index, &recs, true);
    let path = index.read().runs[0].path().to_path_buf();
    assert!(Run::open(&path).is_ok());
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - run::FOOTER - 3] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(Run::open(&path), Err(LogError::Storage(_))));
}

#[test]
fn indexes_of_the_earlier_layout_in_sled_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::Config::new()
            .path(dir.path().join("db"))
            .open()
            .unwrap();
        let tree = db.open_tree(layout::TREE).unwrap();
        tree.insert(b"Mindexed", &[0u8; 56][..]).unwrap();
        tree.insert(
            b"S\x00\x01a\x00\x00\x00\x00\x00\x00\x00\x01",
            &[0u8; 16][..],
        )
        .unwrap();
        db.flush().unwrap();
    }
    let index = open(dir.path(), 10);
    assert_eq!(index.tree.len(), 0);
    assert_eq!(index.reach(), Indexed::default());
}

/// ULIDs come in time order: runs after the first keep no id filter, and every id is still
/// found (by the runs' id ranges), and a stranger still is not.
#[test]
fn runs_of_ordered_ids_need_no_filter() {
    let recs: Vec<Rec> = records(1_000)
        .into_iter()
        .enumerate()
        .map(|(i, (s, v, _, o))| (s, v, (1u128 << 100) + i as u128 * 3, o))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path(), 100);
    insert_all(&index, &recs, true);
    let filters: Vec<bool> = index
        .read()
        .runs
        .iter()
        .map(|r| r.has_id_filter())
        .collect();
    assert!(!filters[0], "nothing earlier to be ordered after");
    assert!(filters.iter().all(|f| !f), "{filters:?}");
    check(&index, &recs, 1_000);
    assert_eq!(index.id((1u128 << 100) + 1, 1_000).unwrap(), None);
}
