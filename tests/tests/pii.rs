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
fn a_forgotten_client_can_still_be_exited_and_served_with_nothing_identifying() {
    let (coc, setup) = stanislaus(TODAY);
    let (zeb, _) = zebulon_and_marisol(&coc);
    let enrolled = coc.ok(
        "ccc_cm",
        "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
        json!({ "i": { "clientId": zeb, "programId": setup.rrh, "entryDate": "2026-01-05" } }),
    );
    let enrollment = enrolled["enrollClient"]["enrollment"]["id"]
        .as_str()
        .expect("enrollment id")
        .to_string();
    coc.ok(
        "admin",
        "mutation($c: ID!) { forgetClientIdentifiers(clientId: $c, reason: \"asked to be forgotten\") { position } }",
        json!({ "c": zeb }),
    );

    // Anything identifying is refused, on clientId: a service description, an exit's text.
    let service = "mutation($c: ID!, $e: ID, $d: String!) { recordService(input: { clientId: $c, enrollmentId: $e, date: \"2026-02-20\", recordType: 151, typeProvided: 2, description: $d }) { id } }";
    let exit =
        "mutation($i: ExitEnrollmentInput!) { exitEnrollment(input: $i) { exitedEnrollmentIds } }";
    let conflict = |refused: caseledger_tests::coc::Refusal| {
        assert_eq!(
            (refused.code.as_str(), refused.field.as_deref()),
            ("CONFLICT", Some("clientId")),
            "{refused:?}"
        );
    };
    conflict(coc.refused(
        "ccc_cm",
        service,
        json!({ "c": zeb, "e": enrollment, "d": "Bus pass to the Riverbank library" }),
    ));
    conflict(coc.refused(
        "ccc_cm",
        exit,
        json!({ "i": { "enrollmentId": enrollment, "exitDate": "2026-03-01", "otherDestination": "His sister's in Ceres" } }),
    ));
    // Nothing identifying: a service without a description, an exit without a text.
    coc.ok(
        "ccc_cm",
        service,
        json!({ "c": zeb, "e": enrollment, "d": "" }),
    );
    let exited = coc.ok(
        "ccc_cm",
        exit,
        json!({ "i": { "enrollmentId": enrollment, "exitDate": "2026-03-01" } }),
    );
    assert_eq!(
        exited["exitEnrollment"]["exitedEnrollmentIds"],
        json!([enrollment])
    );
    // The intake is nothing but identifiers: CONFLICT, not a complaint about a field not sent.
    for input in [
        json!({ "lastName": "Quill" }),
        json!({ "dob": "1984-03-01" }),
        json!({ "veteranStatus": 1 }),
    ] {
        conflict(coc.refused(
            "ccc_cm",
            "mutation($c: ID!, $i: UpdateIntakeInput!) { updateClientIntake(clientId: $c, input: $i) { position } }",
            json!({ "c": zeb, "i": input }),
        ));
    }

    // The facts read back, live and rebuilt from the log alone.
    let facts = "query($c: ID!) { client(id: $c) { identifiersErased enrollments { exitDate } services { date } } }";
    let (coc, ()) = coc.while_stopped(TODAY, &[], |data| {
        std::fs::remove_dir_all(data.join("snapshots")).expect("remove snapshots");
        let verified = run(&["verify", "--data", data.to_str().expect("utf-8")]);
        assert_eq!(verified.code, Some(0), "{verified:?}");
    });
    let seen = coc.ok("ccc_cm", facts, json!({ "c": zeb }))["client"].clone();
    assert_eq!(seen["identifiersErased"], true);
    assert_eq!(seen["enrollments"][0]["exitDate"], "2026-03-01", "{seen}");
    assert_eq!(seen["services"][0]["date"], "2026-02-20", "{seen}");
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

/// A help desk user (`helpdesk`) and an auditor (`auditor`) in the CoC lead.
fn help_desk_and_auditor(coc: &mut Coc) {
    coc.user("helpdesk", "lead", "HELP_DESK");
    coc.user("auditor", "lead", "AUDITOR");
}

/// A reason a help desk user might type: it names a person, so it must be sealed.
const REASON: &str = "Caller Ophelia Brightwater asking about her nephew";
const HELP_DESK_SEARCH: &str = "query($r: String!) { helpDeskFindClients(search: { name: \"quillfeather\" }, reason: $r) { edges { node { id ssn } } } }";

/// The `purpose` the auditors' access log shows for the help desk's access to `client`.
fn stated_purpose(coc: &Coc, client: &str) -> String {
    let log = coc.ok(
        "auditor",
        "query($c: ID!) { accessLog(filter: { clientId: $c }) { entries { userId purpose } } }",
        json!({ "c": client }),
    );
    let help_desk = coc.user_id("helpdesk");
    log["accessLog"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["userId"] == help_desk.as_str())
        .unwrap_or_else(|| panic!("no help desk access in {log}"))["purpose"]
        .as_str()
        .expect("purpose")
        .to_string()
}

/// The wrapped keys of disclosure records (kind 3) in `DATA/keys/client-keys`.
fn wrapped_disclosure_keys(data: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(data.join("keys").join("client-keys")).expect("key file");
    bytes[40..]
        .chunks_exact(89)
        .filter(|r| r[0] == 3)
        .map(|r| r[41..].to_vec())
        .collect()
}

#[test]
fn a_help_desk_reason_is_in_no_file_and_goes_when_the_client_it_found_is_forgotten() {
    let (mut coc, _) = stanislaus(TODAY);
    help_desk_and_auditor(&mut coc);
    let (zeb, marisol) = zebulon_and_marisol(&coc);
    let found = coc.ok("helpdesk", HELP_DESK_SEARCH, json!({ "r": REASON }));
    assert_eq!(found["helpDeskFindClients"]["edges"][0]["node"]["id"], zeb);
    assert_eq!(stated_purpose(&coc, &zeb), REASON, "auditors read it");

    let (coc, key) = coc.while_stopped(TODAY, &[], |data| {
        let found = files_containing(data, b"Ophelia Brightwater");
        assert!(found.is_empty(), "the reason in clear text in {found:?}");
        let keys = wrapped_disclosure_keys(data);
        assert_eq!(keys.len(), 1, "the reason has a key of its own");
        keys[0].clone()
    });

    coc.ok(
        "admin",
        "mutation($c: ID!) { forgetClientIdentifiers(clientId: $c, reason: \"asked\") { position } }",
        json!({ "c": zeb }),
    );
    assert_eq!(stated_purpose(&coc, &zeb), "[erased]");
    // A reason stated about a client already forgotten is erased from the start.
    coc.ok(
        "helpdesk",
        "query($r: String!, $c: ID!) { helpDeskFindClients(search: { clientId: $c }, reason: $r) { edges { node { id } } } }",
        json!({ "r": REASON, "c": zeb }),
    );
    assert_marisol_intact(&coc, &marisol);
    let dir = coc.stop();
    let found = files_containing(dir.path(), b"Ophelia Brightwater");
    assert!(found.is_empty(), "the reason in clear text in {found:?}");
    let found = files_containing(dir.path(), &key);
    assert!(
        found.is_empty(),
        "the reason's destroyed key is still in {found:?}"
    );
    assert!(wrapped_disclosure_keys(dir.path()).is_empty());
}

/// The findClients search of a client by SSN last four and date of birth, as a document with
/// no variables: exactly the text the server digests (with the variables `{}`).
fn ssn_search(last4: &str) -> String {
    format!(
        "query SsnSearch {{ findClients(search: {{ ssnLast4: \"{last4}\", dob: \"1984-02-29\" }}) {{ edges {{ node {{ id }} }} }} }}"
    )
}

#[test]
fn the_query_digest_of_an_ssn_search_cannot_be_brute_forced_from_the_data_directory() {
    use caseledger_core::events::{Event, QueryDigest};
    use caseledger_log_store::EventLog;
    use sha2::{Digest, Sha256};

    let (coc, _) = stanislaus(TODAY);
    let (zeb, _) = zebulon_and_marisol(&coc);
    let found = coc.ok("ccc_cm", &ssn_search("3641"), json!({}));
    assert_eq!(found["findClients"]["edges"][0]["node"]["id"], zeb);
    let dir = coc.stop();

    // The digest as anyone holding the data directory reads it: the log opened with
    // caseledger-log-store and its events decoded with caseledger-core, no key involved (the
    // disclosure record's fields outside `Pii` are plain bincode).
    let digest = {
        let log = caseledger_log_store::SledLog::open(dir.path()).expect("open the log");
        let records = log.read_all(1, 100_000).expect("read");
        log.close();
        records
            .iter()
            .filter_map(|r| caseledger_core::decode(&r.payload).ok())
            .find_map(|e| match e.event {
                Event::RecordsAccessed(a) if a.operation == "SsnSearch" => Some(a.query_digest),
                _ => None,
            })
            .expect("the search's disclosure record")
    };
    let QueryDigest::HmacSha256(stored) = digest else {
        panic!("an unkeyed digest was written: {digest:?}")
    };
    // All 10,000 last fours, with every spelling of "no variables" the server could have
    // hashed: none gives the stored digest.
    for n in 0..10_000 {
        let guess = ssn_search(&format!("{n:04}"));
        for variables in ["{}", "", "null"] {
            let mut h = Sha256::new();
            h.update(guess.as_bytes());
            h.update([0]);
            h.update(variables.as_bytes());
            let plain: [u8; 32] = h.finalize().into();
            assert_ne!(plain, stored, "brute force recovered {n:04}");
        }
    }
    // With the data directory's keys the service proves the search: the text above is what was
    // digested, so the brute force had the right layout and failed only for want of the key.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let service =
        caseledger_service::Service::open(&caseledger_service::ServiceConfig::new(dir.path()))
            .expect("open the stopped data directory");
    assert!(service.query_matches(&digest, &ssn_search("3641"), "{}"));
    assert!(!service.query_matches(&digest, &ssn_search("3642"), "{}"));
    runtime.block_on(service.shutdown());
}

#[test]
fn the_help_desk_reads_the_ssn_masked_to_its_last_four() {
    let (mut coc, _) = stanislaus(TODAY);
    help_desk_and_auditor(&mut coc);
    let (zeb, _) = zebulon_and_marisol(&coc);
    let restricted = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Rosalind",
            "Varga",
            "1979-07-07",
            "623456789",
            0,
            "RESTRICT_TO_ORGANIZATION",
        ),
    ));
    assert_eq!(
        client(&coc, "ccc_cm", &zeb)["ssn"],
        "518273641",
        "the agency reads it"
    );
    for (id, masked) in [(&zeb, "XXX-XX-3641"), (&restricted, "XXX-XX-6789")] {
        let seen = coc.ok(
            "helpdesk",
            "query($id: ID!) { client(id: $id) { ssn } }",
            json!({ "id": id }),
        );
        assert_eq!(seen["client"]["ssn"], masked, "{seen}");
    }
    let found = coc.ok("helpdesk", HELP_DESK_SEARCH, json!({ "r": REASON }));
    assert_eq!(
        found["helpDeskFindClients"]["edges"][0]["node"]["ssn"],
        "XXX-XX-3641"
    );
    let by_id = coc.ok(
        "helpdesk",
        "query($c: ID!) { findClients(search: { clientId: $c }) { edges { node { ssn } } } }",
        json!({ "c": restricted }),
    );
    assert_eq!(
        by_id["findClients"]["edges"][0]["node"]["ssn"],
        "XXX-XX-6789"
    );
}

/// `caseledger ARGS...` run under `umask 022`, the permissive umask operators often have.
fn under_umask_022(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(caseledger_tests::binary())
        .args(args)
        .stdin(std::process::Stdio::null());
    cmd
}

/// Paths under `dir` (itself included) whose mode is not 0600 for a file or 0700 for a
/// directory.
fn not_private(dir: &Path) -> Vec<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let mut out = Vec::new();
    if mode(dir) != 0o700 {
        out.push((dir.to_path_buf(), mode(dir)));
    }
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(not_private(&path));
        } else if mode(&path) != 0o600 {
            out.push((path.clone(), mode(&path)));
        }
    }
    out
}

#[test]
fn every_file_of_the_data_directory_and_of_an_export_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let timeout = std::time::Duration::from_secs(120);
    let root = tempfile::tempdir().expect("temp dir");
    // Made beforehand by the operator, readable by all.
    let data = root.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let data_arg = data.to_str().expect("utf-8");

    // The demo CoC: clients with names, SSNs and notes, written through the service.
    let server = caseledger_tests::Server::spawn(under_umask_022(&[
        "serve",
        "--demo",
        "--data",
        data_arg,
        "--addr",
        "127.0.0.1:0",
        "--today",
        TODAY,
    ]));
    // Answering a request means the server is past installing its SIGTERM handler (which it
    // does after printing the listening line).
    assert_eq!(server.get("/healthz").status, 200);
    let out = server.terminate(timeout);
    assert_eq!(out.code, Some(0), "{out:?}");
    let out = caseledger_tests::run_command(
        under_umask_022(&["checkpoint", "--data", data_arg]),
        timeout,
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let export = root.path().join("export");
    std::fs::create_dir(&export).expect("mkdir");
    std::fs::set_permissions(&export, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = caseledger_tests::run_command(
        under_umask_022(&[
            "export-hmis",
            export.to_str().expect("utf-8"),
            "--data",
            data_arg,
        ]),
        timeout,
    );
    assert_eq!(out.code, Some(0), "{out:?}");

    for dir in [&data, &export] {
        assert!(files(dir).len() > 3, "files were written in {dir:?}");
        let loose = not_private(dir);
        assert!(loose.is_empty(), "not 0600/0700: {loose:?}");
    }
    assert!(data.join("db").exists() && data.join("snapshots").exists());
    assert!(export.join("Client.csv").exists());
}
