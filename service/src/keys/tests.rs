//! The key store's own tests: keys kept across reopening, forgetting and rotation on the key
//! file (the shared store's are in `tests/tests/shared_keys.rs`, against a real PostgreSQL).

use std::fs::{self, OpenOptions};
use std::io::Write;

use caseledger_core::pii::crypto::NONCE_LEN;

use super::*;

mod basics {
    use super::*;

    fn client(n: u128) -> ClientId {
        ClientId::new(n)
    }

    #[test]
    fn keys_survive_reopen_and_forgetting_removes_the_wrapped_key_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        let b = store.sealing_key(client(2).into()).unwrap();
        assert_eq!(store.sealing_key(client(1).into()).unwrap(), a);
        let file = file::path_in(dir.path());
        let before = fs::read(&file).unwrap();
        let wrapped_a = before
            [file::HEADER_LEN + 17 + NONCE_LEN..file::HEADER_LEN + record::RECORD_LEN]
            .to_vec();
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        store.forget(&[client(1).into()]).unwrap();
        assert_eq!(store.opening_key(client(1).into()), None);
        assert_eq!(
            store.sealing_key(client(1).into()),
            Err(SealError::Forgotten(client(1)))
        );
        let after = fs::read(&file).unwrap();
        assert!(!after.windows(wrapped_a.len()).any(|w| w == wrapped_a));
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), None);
        assert_eq!(store.opening_key(client(2).into()), Some(b));
        assert_eq!(store.counts(), (1, 1));
    }

    #[test]
    fn a_wrong_or_missing_master_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        KeyStore::open(dir.path(), &master)
            .unwrap()
            .sealing_key(client(1).into())
            .unwrap();
        let other = dir.path().join("other.key");
        fs::write(&other, [9u8; 32]).unwrap();
        assert!(matches!(
            KeyStore::open(dir.path(), &other),
            Err(KeyStoreError::WrongMasterKey { .. })
        ));
        let missing = dir.path().join("missing.key");
        assert!(matches!(
            KeyStore::open(dir.path(), &missing),
            Err(KeyStoreError::MasterKeyMissing { .. })
        ));
        assert!(!missing.exists(), "a refused open writes no key");
    }

    #[test]
    fn rotation_keeps_every_key_and_an_interrupted_rotation_finishes_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        store.forget(&[client(2).into()]).unwrap();
        let old = fs::read(&master).unwrap();
        let fingerprint = store.rotate(&master).unwrap();
        assert_ne!(fs::read(&master).unwrap(), old);
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.fingerprint(), fingerprint);
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        assert_eq!(store.counts(), (1, 1));

        // A crash after the new master key was renamed into place but before the key file was.
        let keys = file::path_in(dir.path());
        let new_master = SecretKey::from_bytes([5; 32]);
        let map = store.keys.read().unwrap().clone();
        let records = store.records(&map, &new_master).unwrap();
        fs::write(
            master::with_suffix(&keys, ".new"),
            file::file_bytes(&new_master, records.iter()),
        )
        .unwrap();
        drop(store);
        fs::write(&master, new_master.as_bytes()).unwrap();
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a));
        assert!(!master::with_suffix(&keys, ".new").exists());
    }

    #[test]
    fn a_torn_last_record_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let a = store.sealing_key(client(1).into()).unwrap();
        drop(store);
        let file = file::path_in(dir.path());
        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(&[1, 0, 0, 0]).unwrap();
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a.clone()));
        let b = store.sealing_key(client(2).into()).unwrap();
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(client(1).into()), Some(a));
        assert_eq!(store.opening_key(client(2).into()), Some(b));
    }
}

mod disclosure_keys {
    use super::*;

    #[test]
    fn disclosure_keys_are_kept_apart_destroyed_with_forgetting_and_survive_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let master = dir.path().join("master.key");
        let store = KeyStore::open(dir.path(), &master).unwrap();
        let digest = store.query_digest_key().clone();
        // The same raw id as a client and as a disclosure: two keys.
        let client = KeyOwner::Client(ClientId::new(7));
        let disclosure = KeyOwner::Disclosure(EventId::new(7));
        let c = store.sealing_key(client).unwrap();
        let d = store.sealing_key(disclosure).unwrap();
        assert_ne!(c, d);
        assert_eq!(store.counts(), (1, 0), "counts are of clients");
        // A disclosure without a key of its own leaves no record when "destroyed".
        let before = fs::read(file::path_in(dir.path())).unwrap().len();
        store
            .forget(&[KeyOwner::Disclosure(EventId::new(99))])
            .unwrap();
        assert_eq!(fs::read(file::path_in(dir.path())).unwrap().len(), before);
        store.rotate(&master).unwrap();
        drop(store);

        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(
            store.query_digest_key(),
            &digest,
            "rotation keeps the digest key"
        );
        assert_eq!(store.opening_key(disclosure), Some(d.clone()));
        store.forget(&[disclosure]).unwrap();
        assert_eq!(store.opening_key(disclosure), None);
        assert_eq!(store.opening_key(client), Some(c));
        assert_eq!(
            store.sealing_key(disclosure),
            Err(SealError::DisclosureKeyDestroyed(EventId::new(7)))
        );
        let file = fs::read(file::path_in(dir.path())).unwrap();
        assert!(!file.windows(KEY_LEN).any(|w| w == d.as_bytes()));
        drop(store);
        let store = KeyStore::open(dir.path(), &master).unwrap();
        assert_eq!(store.opening_key(disclosure), None);
        assert_eq!(store.query_digest_key(), &digest);
    }

    #[test]
    fn disclosure_keys_made_before_a_date_are_listed_for_retention() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::open(dir.path(), &dir.path().join("master.key")).unwrap();
        let old = EventId::from_ulid(ulid::Ulid::from_parts(1_000, 1));
        let new = EventId::from_ulid(ulid::Ulid::from_parts(5_000, 1));
        store.sealing_key(KeyOwner::Disclosure(old)).unwrap();
        store.sealing_key(KeyOwner::Disclosure(new)).unwrap();
        store
            .sealing_key(KeyOwner::Client(ClientId::new(1)))
            .unwrap();
        assert_eq!(store.disclosure_keys_made_before(2_000).unwrap(), vec![old]);
        store.forget(&[KeyOwner::Disclosure(old)]).unwrap();
        assert!(store.disclosure_keys_made_before(2_000).unwrap().is_empty());
    }
}
