//! End-to-end tests of the `caseledger` binary: each one runs the real executable as a child
//! process against a temporary data directory, the way an operator or a supervisor would.
//!
//! Data directories are filled through `caseledger_service::Service` (the same append path the
//! server uses) and tampered with by editing sled directly, always inside
//! `caseledger_tests::with_data_dir` and with no `caseledger` process on the directory (sled
//! locks it).

use std::path::Path;
use std::time::Duration;

use caseledger_core::events::{ClientIntakeRecorded, OrganizationCreated, UserCreated};
use caseledger_core::hud::{DataQuality, NoYesReasons, RaceEthnicity, Sex};
use caseledger_core::{
    Actor, ClientId, ClientRestriction, CorrelationId, Envelope, EventId, EventType,
    OrganizationId, Pii, Role, Timestamp, UserId,
};
use caseledger_log_store::events_file;
use caseledger_service::{Service, ServiceConfig};
use caseledger_tests::{Output, Server, command, free_local_addr, run, run_command, with_data_dir};
use serde_json::json;
use ulid::Ulid;

/// How long `serve` may take to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// One event put into a data directory, with where the log put it.
#[derive(Debug, Clone)]
struct Seeded {
    position: u64,
    event_type: EventType,
    stream: String,
}

fn header(actor: Actor) -> caseledger_core::Header {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    caseledger_core::Header {
        event_id: EventId::from_ulid(Ulid::new()),
        correlation_id: CorrelationId::from_ulid(Ulid::new()),
        recorded_at: Timestamp::from_micros(now.as_micros() as i64).expect("in range"),
        actor,
    }
}

fn intake(actor: Actor, organization: OrganizationId, first: &str, last: &str) -> Envelope {
    Envelope::new(
        header(actor),
        ClientIntakeRecorded {
            client_id: ClientId::from_ulid(Ulid::new()),
            organization_id: organization,
            name: Pii::new(caseledger_core::events::PersonName {
                first: first.into(),
                middle: String::new(),
                last: last.into(),
                suffix: String::new(),
            }),
            name_data_quality: DataQuality::Full,
            ssn: Pii::new("123-45-6789".replace('-', "")),
            ssn_data_quality: DataQuality::Full,
            dob: Pii::new(Some("1979-04-02".parse().expect("date"))),
            dob_data_quality: DataQuality::Full,
            race_ethnicity: vec![RaceEthnicity::Asian],
            race_none: None,
            additional_race_ethnicity: Pii::new(String::new()),
            sex: Some(Sex::Male),
            genders: Vec::new(),
            gender_none: None,
            different_identity_text: Pii::new(String::new()),
            veteran_status: NoYesReasons::No,
            address: Pii::new(None),
            restriction: ClientRestriction::ShareWithMou,
            source_id: None,
            hash_status: caseledger_core::hud::HashStatus::Unhashed,
        },
    )
}

/// Appends six realistic events in four group commits, closes the service and returns what
/// was appended, in position order:
///
/// 1. `OrganizationCreated` (org stream)
/// 2. `UserCreated` (user stream)
/// 3. `ClientIntakeRecorded`, 4. `ClientIntakeRecorded` (two client streams)
/// 5. `UserCreated`, 6. `ClientIntakeRecorded`
fn seed(dir: &Path) -> Vec<Seeded> {
    let shelter = OrganizationId::from_ulid(Ulid::new());
    let admin = Actor {
        user: UserId::from_ulid(Ulid::new()),
        organization: shelter,
        role: Role::SystemAdmin,
    };
    let case_manager = UserId::from_ulid(Ulid::new());
    let staff = Actor {
        user: case_manager,
        organization: shelter,
        role: Role::CaseManager,
    };
    let user = |id: UserId, username: &str, display: &str, role: Role| {
        Envelope::new(
            header(admin),
            UserCreated {
                user_id: id,
                organization_id: shelter,
                username: username.into(),
                display_name: display.into(),
                role,
            },
        )
    };
    let batches = vec![
        vec![Envelope::new(
            header(admin),
            OrganizationCreated {
                organization_id: shelter,
                name: "Harborview Family Shelter".into(),
                is_coc_lead: false,
                victim_service_provider: false,
                source_id: Some("7".into()),
            },
        )],
        vec![user(
            case_manager,
            "mrivera",
            "Marisol Rivera",
            Role::CaseManager,
        )],
        vec![
            intake(staff, shelter, "Dana", "Sample"),
            intake(staff, shelter, "Luis", "Example"),
        ],
        vec![
            user(
                UserId::from_ulid(Ulid::new()),
                "jchen",
                "Jordan Chen",
                Role::AgencyAdmin,
            ),
            intake(staff, shelter, "Ana", "Placeholder"),
        ],
    ];

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let seeded = with_data_dir(dir, || {
        let service = Service::open(&ServiceConfig::new(dir)).expect("open the data directory");
        let mut seeded = Vec::new();
        for batch in batches {
            let positions = runtime
                .block_on(service.append(&batch))
                .expect("append a batch");
            assert_eq!(positions.len(), batch.len());
            for (position, envelope) in positions.into_iter().zip(&batch) {
                seeded.push(Seeded {
                    position,
                    event_type: envelope.event_type(),
                    stream: envelope.stream().to_string(),
                });
            }
        }
        service.close();
        seeded
    });
    let positions: Vec<u64> = seeded.iter().map(|s| s.position).collect();
    assert_eq!(positions, (1..=6).collect::<Vec<_>>(), "seeding positions");
    seeded
}

/// Flips one bit of the last byte of the record at `position` (inside the event's payload)
/// and writes it back with its frame's checksum recomputed, as someone editing the log behind
/// the service's back with its code at hand would.
fn tamper(dir: &Path, position: u64) {
    with_data_dir(dir, || {
        let (_, offset, len) = events_file::frames(dir)
            .expect("read the events file")
            .into_iter()
            .find(|f| f.0 == position)
            .unwrap_or_else(|| panic!("no stored record at position {position}"));
        let bytes = std::fs::read(events_file::path(dir)).expect("read the events file");
        let start = offset as usize + events_file::HEADER;
        let hash: [u8; 32] = bytes[start - 32..start].try_into().unwrap();
        let mut record = bytes[start..start + len].to_vec();
        let last = record.len() - 1;
        record[last] ^= 0x01;
        events_file::overwrite_frame(dir, offset, position, &hash, &record).expect("write record");
    });
}

fn data_arg(dir: &Path) -> [&std::ffi::OsStr; 2] {
    ["--data".as_ref(), dir.as_os_str()]
}

/// `caseledger ARGS... --data DIR`.
fn run_on(dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    all.extend(data_arg(dir));
    run(&all)
}

fn assert_code(output: &Output, code: i32, what: &str) {
    assert_eq!(
        output.code,
        Some(code),
        "{what}: expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
        output.stdout,
        output.stderr
    );
}

#[test]
fn serve_answers_healthz_and_exits_0_on_sigterm() {
    let (dir, _) = caseledger_tests::bootstrapped();
    let server = Server::start(dir.path());
    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0, "the printed port is the bound one");

    let response = server.get("/healthz");
    assert_eq!(response.status, 200, "{response:?}");
    assert!(
        response
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/json")),
        "{response:?}"
    );
    let head = response.json()["logPosition"].as_u64().expect("a position");
    assert!(head > 0, "the bootstrap is in the log");

    // The client still holds a keep-alive connection: shutdown must not wait for it.
    let stopped = server.terminate(STOP_TIMEOUT);
    assert_code(&stopped, 0, "serve after SIGTERM");

    // A clean stop releases the directory: the offline tools can open it at once.
    let verified = run_on(dir.path(), &["verify"]);
    assert_code(&verified, 0, "verify after the server stopped");
    assert!(
        verified
            .stdout
            .contains(&format!("chain holds: {head} records")),
        "{verified:?}"
    );
}

#[test]
fn serve_reports_the_head_of_an_existing_log() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let server = Server::start(dir.path());
    let health = server.get("/healthz");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(
        health.json(),
        json!({ "status": "ok", "logPosition": seeded.len() })
    );
    // And again after a restart: the head is durable, not a counter of this process.
    assert_code(&server.terminate(STOP_TIMEOUT), 0, "first serve");
    let again = Server::start(dir.path());
    assert_eq!(again.get("/healthz").json()["logPosition"], json!(6));
}

#[test]
fn verify_accepts_an_intact_log() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let output = run_on(dir.path(), &["verify"]);
    assert_code(&output, 0, "verify on an intact log");
    assert!(
        output.stdout.starts_with("chain holds: 6 records,"),
        "{output:?}"
    );
}

#[test]
fn verify_names_the_changed_record_in_the_middle_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    tamper(dir.path(), 3);
    let output = run_on(dir.path(), &["verify"]);
    assert_code(&output, 1, "verify after changing record 3");
    assert!(
        output.stdout.contains("chain broken at position 3:"),
        "{output:?}"
    );
    assert!(!output.stdout.contains("chain holds"), "{output:?}");
    assert!(output.stderr.contains("position 3"), "{output:?}");
}

#[test]
fn verify_names_a_changed_last_record() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    tamper(dir.path(), 6);
    let output = run_on(dir.path(), &["verify"]);
    assert_code(&output, 1, "verify after changing the last record");
    assert!(
        output.stdout.contains("chain broken at position 6:"),
        "{output:?}"
    );
}

#[test]
fn serve_refuses_a_log_whose_last_record_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    tamper(dir.path(), 6);
    let mut cmd = command();
    cmd.arg("serve")
        .args(data_arg(dir.path()))
        .args(["--addr", "127.0.0.1:0"]);
    // A server that wrongly starts would run forever: the timeout turns that into a failure.
    let output = run_command(cmd, Duration::from_secs(30));
    assert_code(&output, 1, "serve on a tampered log");
    assert!(!output.stdout.contains("listening"), "{output:?}");
    assert!(output.stderr.contains("hash chain"), "{output:?}");
    assert!(output.stderr.contains("position 6"), "{output:?}");

    // Refusing changed nothing: the damage is still there to be examined.
    let verified = run_on(dir.path(), &["verify"]);
    assert_code(&verified, 1, "verify after serve refused");
    assert!(
        verified.stdout.contains("chain broken at position 6:"),
        "{verified:?}"
    );
}

#[test]
fn log_stats_json_counts_what_was_appended() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let output = run_on(dir.path(), &["log", "stats", "--json"]);
    assert_code(&output, 0, "log stats --json");
    let stats: serde_json::Value = serde_json::from_str(output.stdout.trim())
        .unwrap_or_else(|e| panic!("log stats --json printed no JSON object ({e}): {output:?}"));
    assert_eq!(stats["headPosition"], json!(6), "{stats}");
    assert_eq!(
        stats["eventsByType"],
        json!({ "OrganizationCreated": 1, "UserCreated": 2, "ClientIntakeRecorded": 3 }),
        "{stats}"
    );
    assert_eq!(
        stats["eventsByStreamCategory"],
        json!({ "org": 1, "user": 2, "client": 3 }),
        "{stats}"
    );
    let streams: std::collections::BTreeSet<&str> =
        seeded.iter().map(|s| s.stream.as_str()).collect();
    assert_eq!(stats["streams"], json!(streams.len()), "{stats}");
    let head_hash = stats["headHash"].as_str().unwrap_or_default();
    assert_eq!(head_hash.len(), 64, "{stats}");

    // verify ends its line with the same head hash.
    let verified = run_on(dir.path(), &["verify"]);
    assert!(
        verified
            .stdout
            .trim_end()
            .ends_with(&format!("head hash {head_hash}")),
        "{verified:?}"
    );
}

/// Splits a `log tail` line into (position, stream, event type name).
fn tail_fields(line: &str) -> (u64, String, String) {
    // position, recorded-at, stream, v<version>, type, role, user, @, organization
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert!(fields.len() >= 5, "short tail line: {line:?}");
    let position = fields[0]
        .parse()
        .unwrap_or_else(|_| panic!("tail line does not start with a position: {line:?}"));
    (position, fields[2].to_string(), fields[4].to_string())
}

#[test]
fn log_tail_prints_exactly_the_last_events() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());

    let output = run_on(dir.path(), &["log", "tail", "-n", "2"]);
    assert_code(&output, 0, "log tail -n 2");
    let lines: Vec<(u64, String, String)> = output.stdout.lines().map(tail_fields).collect();
    let expected: Vec<(u64, String, String)> = seeded[4..]
        .iter()
        .map(|s| {
            (
                s.position,
                s.stream.clone(),
                s.event_type.name().to_string(),
            )
        })
        .collect();
    assert_eq!(lines, expected, "{output:?}");
    assert_eq!(lines[0].2, "UserCreated");
    assert_eq!(lines[1].2, "ClientIntakeRecorded");

    // Asking for more than there is prints everything, in order.
    let all = run_on(dir.path(), &["log", "tail", "-n", "100"]);
    assert_code(&all, 0, "log tail -n 100");
    let positions: Vec<u64> = all.stdout.lines().map(|l| tail_fields(l).0).collect();
    assert_eq!(positions, (1..=6).collect::<Vec<_>>(), "{all:?}");

    // --from starts at a position whatever -n says.
    let from = run_on(dir.path(), &["log", "tail", "--from", "5", "-n", "1"]);
    assert_code(&from, 0, "log tail --from 5");
    let positions: Vec<u64> = from.stdout.lines().map(|l| tail_fields(l).0).collect();
    assert_eq!(positions, vec![5, 6], "{from:?}");
}

#[test]
fn help_works_for_every_subcommand() {
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["serve", "verify", "log", "bench"]),
        (
            &["serve"],
            &["--data", "--addr", "CASELEDGER_DATA", "CASELEDGER_ADDR"],
        ),
        (&["verify"], &["--data"]),
        (&["log"], &["stats", "tail"]),
        (&["log", "stats"], &["--data", "--json"]),
        (
            &["log", "tail"],
            &["--data", "--lines", "--from", "--follow"],
        ),
        (&["bench"], &["--quick", "--json", "--dir"]),
    ];
    for (subcommand, mentions) in cases {
        let mut args = subcommand.to_vec();
        args.push("--help");
        let output = run(&args);
        assert_code(&output, 0, &format!("caseledger {}", args.join(" ")));
        let usage = format!("Usage: caseledger {}", subcommand.join(" "));
        assert!(
            output.stdout.contains(usage.trim_end()),
            "{args:?}: no `{usage}` in {output:?}"
        );
        for mention in *mentions {
            assert!(
                output.stdout.contains(mention),
                "{args:?}: help does not mention {mention}: {output:?}"
            );
        }
    }
    let version = run(&["--version"]);
    assert_code(&version, 0, "caseledger --version");
    assert!(version.stdout.starts_with("caseledger "), "{version:?}");
}

#[test]
fn bad_usage_exits_2() {
    let cases: &[&[&str]] = &[
        &["verify", "--no-such-flag"],
        &["serve", "--no-such-flag"],
        &["log", "tail", "--no-such-flag"],
        &["serve", "--addr", "not-an-address"],
        &["log", "tail", "-n", "many"],
        &["no-such-command"],
        // Refused by `caseledger-bench`, which `bench` runs with the same arguments.
        &["bench", "--no-such-flag"],
    ];
    for args in cases {
        let output = run(args);
        assert_code(&output, 2, &format!("caseledger {}", args.join(" ")));
        assert!(output.stderr.starts_with("error:"), "{args:?}: {output:?}");
        if let Some(flag) = args.iter().find(|a| a.starts_with("--no-such")) {
            assert!(output.stderr.contains(flag), "{args:?}: {output:?}");
        }
        assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
    }
    // No subcommand at all: the usage, on stderr.
    let bare = run::<&str>(&[]);
    assert_code(&bare, 2, "caseledger");
    assert!(bare.stderr.contains("Usage: caseledger"), "{bare:?}");
    assert!(bare.stdout.is_empty(), "{bare:?}");
}

#[test]
fn bench_exits_with_the_benchmark_executables_code() {
    // The peer group without a peer fails before measuring anything.
    let output = run(&["bench", "--only", "peer"]);
    assert_code(&output, 3, "caseledger bench --only peer");
    assert!(output.stderr.contains("--peer CONNINFO"), "{output:?}");
}

#[test]
fn bench_without_the_benchmark_executable_says_how_to_build_it() {
    // A copy of the binary alone in a directory: nothing beside it to run. Inside the target
    // directory, so a hard link usually does instead of copying the executable.
    let binary = caseledger_tests::binary();
    let alone = tempfile::tempdir_in(binary.parent().expect("the binary's directory")).unwrap();
    let copy = alone
        .path()
        .join(binary.file_name().expect("the binary's name"));
    if std::fs::hard_link(binary, &copy).is_err() {
        std::fs::copy(binary, &copy).unwrap();
    }
    let mut cmd = std::process::Command::new(&copy);
    for var in caseledger_tests::CLI_ENV_VARS {
        cmd.env_remove(var);
    }
    cmd.args(["bench", "--quick"])
        .stdin(std::process::Stdio::null());
    let output = run_command(cmd, caseledger_tests::RUN_TIMEOUT);
    assert_code(&output, 2, "caseledger bench without caseledger-bench");
    assert!(output.stderr.starts_with("error:"), "{output:?}");
    assert!(
        output
            .stderr
            .contains("cargo build --release -p caseledger-bench"),
        "{output:?}"
    );
    assert!(output.stdout.is_empty(), "{output:?}");
}

#[test]
fn serve_takes_data_dir_and_address_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let addr = free_local_addr();
    let mut cmd = command();
    cmd.arg("serve")
        .env("CASELEDGER_DATA", dir.path())
        .env("CASELEDGER_ADDR", addr.to_string());
    let server = Server::spawn(cmd);
    assert_eq!(
        server.addr(),
        addr,
        "serve listened elsewhere than CASELEDGER_ADDR"
    );
    // The seeded head proves it opened CASELEDGER_DATA, not ./data.
    assert_eq!(
        server.get("/healthz").json(),
        json!({ "status": "ok", "logPosition": 6 })
    );
    assert_code(&server.terminate(STOP_TIMEOUT), 0, "serve from env");
}

#[test]
fn a_data_dir_in_use_is_refused_by_a_second_server_and_by_the_offline_tools() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let server = Server::start(dir.path());

    let mut cmd = command();
    cmd.arg("serve")
        .args(data_arg(dir.path()))
        .args(["--addr", "127.0.0.1:0"]);
    let second = run_command(cmd, Duration::from_secs(30));
    assert_code(&second, 3, "a second serve on the same data dir");
    assert!(
        second.stderr.contains("cannot open data directory"),
        "{second:?}"
    );
    // In words, naming the server that holds it.
    assert!(
        second.stderr.contains(&format!(
            "locked by process {} (caseledger serve)",
            server.pid()
        )),
        "{second:?}"
    );
    assert!(!second.stderr.contains("WouldBlock"), "{second:?}");

    let verified = run_on(dir.path(), &["verify"]);
    assert_code(&verified, 3, "verify while a server runs");
    assert!(
        verified.stderr.contains("is a server using it?"),
        "{verified:?}"
    );

    // The running server is unaffected.
    assert_eq!(server.get("/healthz").json()["logPosition"], json!(6));
    assert_code(&server.terminate(STOP_TIMEOUT), 0, "serve");
}

#[test]
fn offline_tools_on_a_dir_without_a_log_fail_without_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    for args in [&["verify"][..], &["log", "stats"][..], &["log", "tail"][..]] {
        let output = run_on(&missing, args);
        assert_code(&output, 3, &format!("caseledger {}", args.join(" ")));
        assert!(
            output.stderr.contains("holds no log"),
            "{args:?}: {output:?}"
        );
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
}

#[test]
fn log_tail_n_0_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let output = run_on(dir.path(), &["log", "tail", "-n", "0"]);
    assert_code(&output, 0, "log tail -n 0");
    assert_eq!(output.stdout, "", "{output:?}");
}
