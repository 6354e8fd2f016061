//! Identifiers at rest: sealed in every file of the data directory, forgotten for good
//! (crypto-shredding), the retention rule, and the master key (refusals and rotation) — through
//! the binary, as operators and the API's users meet them.

use std::path::{Path, PathBuf};

use caseledger_tests::coc::{Coc, INTAKE, client_id, intake, stanislaus};
use caseledger_tests::run;
use serde_json::{Value, json};

const TODAY: &str = "2026-03-02";

const CLIENT: &str = "query($id: ID!) { client(id: $id) { id identifiersErased firstName lastName ssn dob address { city } enrollments { id entryDate exitDate } caseNotes { id text } } }";

/// Texts that must never be found in a file: the client's name, SSN, city, a case note.
const SECRETS: &[&str] = &[
    "Zebulon",
    "Quillfeather",
    "518273641",
    "Tuolumneville",
    "papers at the Riverbank library",
];

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The files under `dir` holding `needle` anywhere in their bytes.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|f| {
            std::fs::read(f)
                .unwrap_or_default()
                .windows(needle.len())
                .any(|w| w == needle)
        })
        .collect()
}

fn assert_no_secret_in(dir: &Path) {
    for secret in SECRETS {
        let found = files_containing(dir, secret.as_bytes());
        assert!(found.is_empty(), "{secret:?} in clear text in {found:?}");
    }
}

/// CCC takes Zebulon's intake (with an address) and a case note, and Marisol's.
fn zebulon_and_marisol(coc: &Coc) -> (String, String) {
    let mut vars = intake(
        "Zebulon",
        "Quillfeather",
        "1984-02-29",
        "518273641",
        1,
        "SHARE_WITH_MOU",
    );
    vars["i"]["address"] =
        json!({ "line1": "4 Canal St", "city": "Tuolumneville", "state": "CA", "zip": "95350" });
    let zeb = client_id(&coc.ok("ccc_cm", INTAKE, vars));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Zebulon keeps his papers at the Riverbank library\") { position } }",
        json!({ "c": zeb }),
    );
    let marisol = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Marisol", "Okonkwo", "1990-05-17", "", 0, "SHARE_WITH_MOU"),
    ));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!) { addCaseNote(clientId: $c, text: \"Marisol starts work Monday\") { position } }",
        json!({ "c": marisol }),
    );
    (zeb, marisol)
}

fn client(coc: &Coc, who: &str, id: &str) -> Value {
    coc.ok(who, CLIENT, json!({ "id": id }))["client"].clone()
}

fn assert_erased(seen: &Value) {
    assert_eq!(seen["identifiersErased"], true, "{seen}");
    for field in ["firstName", "lastName", "ssn", "dob", "address"] {
        assert_eq!(seen[field], Value::Null, "{field} of {seen}");
    }
    assert!(
        seen["caseNotes"]
            .as_array()
            .expect("notes")
            .iter()
            .all(|n| n["text"].is_null()),
        "{seen}"
    );
}

fn assert_marisol_intact(coc: &Coc, marisol: &str) {
    let seen = client(coc, "ccc_cm", marisol);
    assert_eq!(seen["identifiersErased"], false);
    assert_eq!(seen["firstName"], "Marisol");
    assert_eq!(seen["caseNotes"][0]["text"], "Marisol starts work Monday");
}

/// The wrapped data key of `client` in `DATA/keys/client-keys` (40-byte header, then 89-byte
/// records: kind, client id, nonce, wrapped key).
fn wrapped_key(data: &Path, client: &str) -> Vec<u8> {
    let id: u128 = ulid::Ulid::from_string(client).expect("ulid").0;
    let bytes = std::fs::read(data.join("keys").join("client-keys")).expect("key file");
    bytes[40..]
        .chunks_exact(89)
        .find(|r| r[0] == 1 && r[1..17] == id.to_be_bytes())
        .map(|r| r[41..].to_vec())
        .expect("the client has a key")
}

#[test]
fn identifiers_are_in_no_file_of_the_data_directory_in_clear_text() {
    let (coc, _) = stanislaus(TODAY);
    let (zeb, _) = zebulon_and_marisol(&coc);
    let seen = client(&coc, "ccc_cm", &zeb);
    assert_eq!(seen["lastName"], "Quillfeather", "recorded and readable");
    assert_eq!(seen["address"]["city"], "Tuolumneville");
    let dir = coc.stop();
    assert!(
        dir.path()
            .join("snapshots")
            .join("projections.snap")
            .exists(),
        "the shutdown snapshot is among the files scanned"
    );
    assert_no_secret_in(dir.path());
}

#[test]
fn forgetting_erases_identifiers_from_every_answer_and_file_and_keeps_the_facts() {
    let (coc, setup) = stanislaus(TODAY);
    let (zeb, marisol) = zebulon_and_marisol(&coc);
    coc.ok(
        "ccc_cm",
        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { position } }",
        json!({ "i": { "clientId": zeb, "programId": setup.rrh, "entryDate": "2026-01-05" } }),
    );
    let key = wrapped_key(coc.dir.path(), &zeb);
    const FORGET: &str = "mutation($c: ID!, $r: String!) { forgetClientIdentifiers(clientId: $c, reason: $r) { position client { identifiersErased } } }";

    // Only a system administrator, and with a reason.
    let refused = coc.refused("ccc_admin", FORGET, json!({ "c": zeb, "r": "asked" }));
    assert_eq!(refused.code, "FORBIDDEN");
    let refused = coc.refused("admin", FORGET, json!({ "c": zeb, "r": "  " }));
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("VALIDATION", Some("reason"))
    );

    let done = coc.ok(
        "admin",
        FORGET,
        json!({ "c": zeb, "r": "the client asked to be forgotten" }),
    );
    assert_eq!(
        done["forgetClientIdentifiers"]["client"]["identifiersErased"],
        true
    );

    // Every answer: the creating agency, the administrator, search, the auditors' history.
    for who in ["ccc_cm", "admin"] {
        let seen = client(&coc, who, &zeb);
        assert_erased(&seen);
        assert_eq!(
            seen["enrollments"][0]["entryDate"], "2026-01-05",
            "facts stay"
        );
        assert_eq!(seen["caseNotes"].as_array().map(Vec::len), Some(1));
    }
    let found = coc.ok(
        "ccc_cm",
        "{ findClients(search: { name: \"quillfeather\" }) { edges { node { id } } } }",
        json!({}),
    );
    assert_eq!(found["findClients"]["edges"], json!([]));
    let history = coc.ok(
        "admin",
        "query($c: ID!) { clientHistory(clientId: $c) { event changes { field before after } } }",
        json!({ "c": zeb }),
    );
    let text = history.to_string();
    assert!(
        !text.contains("Quillfeather") && text.contains("[erased]"),
        "{text}"
    );
    assert!(text.contains("ClientIdentifiersForgotten"), "{text}");
    assert_marisol_intact(&coc, &marisol);

    // Nothing identifying can be recorded for the forgotten client again.
    let refused = coc.refused("admin", FORGET, json!({ "c": zeb, "r": "again" }));
    assert_eq!(refused.code, "CONFLICT");
    let refused = coc.refused(
        "ccc_cm",
        "mutation($c: ID!) { updateClientAddress(clientId: $c, address: { city: \"Modesto\" }) { position } }",
        json!({ "c": zeb }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("CONFLICT", Some("clientId"))
    );

    // The files: no clear text, not even the wrapped key; the chain still verifies.
    let (coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        assert_no_secret_in(data);
        let found = files_containing(data, &key);
        assert!(found.is_empty(), "the destroyed key is still in {found:?}");
        let verified = run(&["verify", "--data", data.to_str().expect("utf-8")]);
        assert_eq!(verified.code, Some(0), "{verified:?}");
    });
    // Restored from the snapshot written when the client was forgotten...
    assert_erased(&client(&coc, "ccc_cm", &zeb));
    assert_marisol_intact(&coc, &marisol);
    // ... and rebuilt from the log alone.
    let (coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        std::fs::remove_dir_all(data.join("snapshots")).expect("remove snapshots");
    });
    let seen = client(&coc, "admin", &zeb);
    assert_erased(&seen);
    assert_eq!(seen["enrollments"][0]["entryDate"], "2026-01-05");
    assert_marisol_intact(&coc, &marisol);
}

#[test]
fn retention_selects_exactly_the_clients_past_the_period_and_forgets_them() {
    let (coc, setup) = stanislaus(TODAY);
    let (zeb, marisol) = zebulon_and_marisol(&coc);
    let enroll = |client: &str| {
        coc.ok(
            "ccc_cm",
            "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
            json!({ "i": { "clientId": client, "programId": setup.rrh, "entryDate": "2026-01-05" } }),
        )["enrollClient"]["enrollment"]["id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    // Zebulon's enrollment stays open; Marisol's ends; a third client never enrolls.
    enroll(&zeb);
    let closed = enroll(&marisol);
    coc.ok(
        "ccc_cm",
        "mutation($e: ID!) { exitEnrollment(input: { enrollmentId: $e, exitDate: \"2026-02-01\" }) { position } }",
        json!({ "e": closed }),
    );
    let walk_in = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake("Walker", "Inman", "1970-01-01", "", 1, "SHARE_WITH_MOU"),
    ));

    // Identifiers were recorded on the business date (a fixed business date is also the
    // recorded date), so seven years from it is the first date on which they are due.
    let recorded: chrono::NaiveDate = TODAY.parse().expect("date");
    let due_on = recorded
        .checked_add_months(chrono::Months::new(7 * 12))
        .expect("date");
    let day_before = due_on.pred_opt().expect("date").to_string();
    let due_on = due_on.to_string();
    let listed = |data: &Path, today: &str, dry_run: bool| -> Vec<String> {
        let data = data.to_str().expect("utf-8");
        let mut args = vec![
            "retention",
            "run",
            "--data",
            data,
            "--today",
            today,
            "--format",
            "json",
        ];
        if dry_run {
            args.push("--dry-run");
        }
        let out = run(&args);
        assert_eq!(out.code, Some(0), "{out:?}");
        let rows: Vec<Value> = serde_json::from_str(&out.stdout).expect("json");
        let mut ids: Vec<String> = rows
            .iter()
            .map(|r| r["client"].as_str().expect("id").to_string())
            .collect();
        ids.sort();
        ids
    };
    let mut expected = vec![marisol.clone(), walk_in.clone()];
    expected.sort();
    let (coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        assert_eq!(
            listed(data, &day_before, true),
            Vec::<String>::new(),
            "a day early"
        );
        assert_eq!(listed(data, &due_on, true), expected, "dry run on the day");
        assert_eq!(
            listed(data, &due_on, true),
            expected,
            "a dry run forgets nothing"
        );
        assert_eq!(listed(data, &due_on, false), expected, "the run");
        assert_eq!(
            listed(data, &due_on, true),
            Vec::<String>::new(),
            "nothing left"
        );
    });
    assert_erased(&client(&coc, "ccc_cm", &marisol));
    assert_erased(&client(&coc, "ccc_cm", &walk_in));
    let open = client(&coc, "ccc_cm", &zeb);
    assert_eq!(
        open["identifiersErased"], false,
        "an open enrollment keeps the identifiers"
    );
    assert_eq!(open["lastName"], "Quillfeather");
}

#[test]
fn a_wrong_or_missing_master_key_is_refused_and_rotation_keeps_every_client_readable() {
    let (coc, _) = stanislaus(TODAY);
    let (zeb, marisol) = zebulon_and_marisol(&coc);
    let serve = |data: &Path, extra: &[&str]| {
        let mut args = vec![
            "serve",
            "--data",
            data.to_str().expect("utf-8"),
            "--addr",
            "127.0.0.1:0",
            "--today",
            TODAY,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let contents = |data: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut all: Vec<_> = files(data)
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(&f).expect("read");
                (f, bytes)
            })
            .collect();
        all.sort();
        all
    };
    let (coc, old_key) = coc.while_stopped(TODAY, &[], |data| {
        let master = data.join("master.key");
        let before = contents(data);

        let wrong = data
            .parent()
            .expect("parent")
            .join(format!("wrong-{}.key", std::process::id()));
        std::fs::write(&wrong, [7u8; 32]).expect("write key");
        let out = serve(data, &["--master-key-file", wrong.to_str().expect("utf-8")]);
        assert_eq!(out.code, Some(3), "{out:?}");
        assert!(out.stderr.contains("is not the key"), "{}", out.stderr);
        assert_eq!(contents(data), before, "a refused start writes nothing");
        std::fs::remove_file(&wrong).expect("remove");

        let aside = data
            .parent()
            .expect("parent")
            .join(format!("aside-{}.key", std::process::id()));
        std::fs::rename(&master, &aside).expect("move the key away");
        let out = serve(data, &[]);
        assert_eq!(out.code, Some(3), "{out:?}");
        assert!(
            out.stderr.contains("master key") && out.stderr.contains("missing"),
            "{}",
            out.stderr
        );
        assert!(
            !master.exists(),
            "no new key was made for a data directory with data"
        );
        std::fs::rename(&aside, &master).expect("put the key back");
        assert_eq!(contents(data), before);

        let old = std::fs::read(&master).expect("key");
        let rotated = run(&["keys", "rotate", "--data", data.to_str().expect("utf-8")]);
        assert_eq!(rotated.code, Some(0), "{rotated:?}");
        assert_ne!(
            std::fs::read(&master).expect("key"),
            old,
            "a new master key"
        );
        let status = run(&["keys", "status", "--data", data.to_str().expect("utf-8")]);
        assert!(status.stdout.contains(rotated.stdout.trim()), "{status:?}");
        old
    });
    assert_eq!(client(&coc, "ccc_cm", &zeb)["lastName"], "Quillfeather");
    assert_eq!(
        client(&coc, "ccc_cm", &zeb)["caseNotes"][0]["text"],
        "Zebulon keeps his papers at the Riverbank library"
    );
    assert_marisol_intact(&coc, &marisol);

    // The old key no longer opens the data directory.
    let (_coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        let old_file = data
            .parent()
            .expect("parent")
            .join(format!("old-{}.key", std::process::id()));
        std::fs::write(&old_file, &old_key).expect("write");
        let out = serve(
            data,
            &["--master-key-file", old_file.to_str().expect("utf-8")],
        );
        std::fs::remove_file(&old_file).expect("remove");
        assert_eq!(out.code, Some(3), "{out:?}");
    });
}
