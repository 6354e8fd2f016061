//! A continuum of care for end-to-end tests: a bootstrapped data directory, a running server on
//! a fixed business date, and named organizations and users with their bearer tokens, so a
//! test reads as a day of work ("the case manager of A intakes a client, B looks it up").

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{Server, command, run};

/// A running CoC.
pub struct Coc {
    /// The server (killed when the CoC is dropped).
    pub server: Server,
    /// The data directory.
    pub dir: tempfile::TempDir,
    organizations: HashMap<String, String>,
    users: HashMap<String, (String, String)>,
}

/// An error answer: its code and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `extensions.code`.
    pub code: String,
    /// `extensions.field`, if any.
    pub field: Option<String>,
    /// The message.
    pub message: String,
}

/// `caseledger serve` on `data`, a free port, the business date fixed at `today`.
fn serve_command(data: &str, today: &str, serve_args: &[&str]) -> std::process::Command {
    let mut cmd = command();
    cmd.args([
        "serve",
        "--data",
        data,
        "--addr",
        "127.0.0.1:0",
        "--today",
        today,
    ]);
    cmd.args(serve_args);
    cmd
}

impl Coc {
    /// Bootstraps a data directory (CoC lead "Stanislaus CoC", system administrator `admin`)
    /// with `policy` and serves it with the business date fixed at `today`.
    pub fn start(policy: &str, today: &str) -> Coc {
        Coc::start_with(policy, today, &[])
    }

    /// Like [`Coc::start`], with more `serve` flags.
    pub fn start_with(policy: &str, today: &str, serve_args: &[&str]) -> Coc {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().to_str().expect("utf-8 path").to_string();
        let out = run(&[
            "admin",
            "bootstrap",
            "--data",
            &data,
            "--policy",
            policy,
            "--organization-name",
            "Stanislaus CoC",
            "--username",
            "admin",
        ]);
        assert_eq!(out.code, Some(0), "bootstrap: {out:?}");
        let token = out.stdout.trim().to_string();
        let server = Server::spawn(serve_command(&data, today, serve_args));
        let mut coc = Coc {
            server,
            dir,
            organizations: HashMap::new(),
            users: HashMap::new(),
        };
        let me = coc.ok_with(&token, "{ me { userId organization { id } } }", json!({}));
        coc.organizations.insert(
            "lead".into(),
            me["me"]["organization"]["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
        coc.users.insert(
            "admin".into(),
            (me["me"]["userId"].as_str().expect("id").to_string(), token),
        );
        coc
    }

    /// Creates an organization known to the test as `key`.
    pub fn organization(&mut self, key: &str, name: &str) -> String {
        let data = self.ok(
            "admin",
            "mutation($n: String!) { createOrganization(name: $n) { organization { id } } }",
            json!({ "n": name }),
        );
        let id = data["createOrganization"]["organization"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        self.organizations.insert(key.into(), id.clone());
        id
    }

    /// Creates a user of role `role` in organization `org` and issues their token; the test
    /// names them `key`.
    pub fn user(&mut self, key: &str, org: &str, role: &str) -> String {
        let data = self.ok(
            "admin",
            "mutation($o: ID!, $u: String!, $r: RoleName!) { createUser(organizationId: $o, username: $u, displayName: $u, role: $r) { userId } }",
            json!({ "o": self.org(org), "u": key, "r": role }),
        );
        let id = data["createUser"]["userId"]
            .as_str()
            .expect("id")
            .to_string();
        let data = self.ok(
            "admin",
            "mutation($u: ID!) { issueToken(userId: $u, name: \"tests\") { token } }",
            json!({ "u": id }),
        );
        let token = data["issueToken"]["token"]
            .as_str()
            .expect("token")
            .to_string();
        self.users.insert(key.into(), (id.clone(), token));
        id
    }

    /// The id of organization `key`.
    pub fn org(&self, key: &str) -> String {
        self.organizations
            .get(key)
            .unwrap_or_else(|| panic!("no organization {key}"))
            .clone()
    }

    /// The id of user `key`.
    pub fn user_id(&self, key: &str) -> String {
        self.users
            .get(key)
            .unwrap_or_else(|| panic!("no user {key}"))
            .0
            .clone()
    }

    /// The bearer token of user `key`.
    pub fn token(&self, key: &str) -> String {
        self.users
            .get(key)
            .unwrap_or_else(|| panic!("no user {key}"))
            .1
            .clone()
    }

    /// The raw answer to a GraphQL request by user `who`.
    pub fn gql(&self, who: &str, query: &str, variables: Value) -> Value {
        self.server
            .graphql(query, variables, Some(&self.token(who)))
    }

    /// The `data` of a request by `who` that must succeed.
    pub fn ok(&self, who: &str, query: &str, variables: Value) -> Value {
        self.ok_with(&self.token(who), query, variables)
    }

    fn ok_with(&self, token: &str, query: &str, variables: Value) -> Value {
        let answer = self.server.graphql(query, variables, Some(token));
        assert!(
            answer.get("errors").is_none(),
            "expected success for {query}\n{answer}"
        );
        answer["data"].clone()
    }

    /// The refusal of a request by `who` that must fail; asserts that it wrote nothing.
    pub fn refused(&self, who: &str, query: &str, variables: Value) -> Refusal {
        let before = self.position();
        let answer = self.gql(who, query, variables);
        let error = answer["errors"]
            .get(0)
            .unwrap_or_else(|| panic!("expected an error for {query}\n{answer}"));
        let after = self.position();
        assert_eq!(
            before, after,
            "a rejected command wrote to the log: {answer}"
        );
        Refusal {
            code: error["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            field: error["extensions"]["field"].as_str().map(str::to_string),
            message: error["message"].as_str().unwrap_or_default().to_string(),
        }
    }

    /// The log position (from `/healthz`).
    pub fn position(&self) -> u64 {
        self.server.get("/healthz").json()["logPosition"]
            .as_u64()
            .expect("logPosition")
    }

    /// Stops the server and serves the same data directory again on another business date
    /// (with more `serve` flags), keeping the organizations, users and tokens.
    pub fn restart(self, today: &str, serve_args: &[&str]) -> Coc {
        self.while_stopped(today, serve_args, |_| ()).0
    }

    /// Stops the server, runs `f` on the stopped data directory (offline commands, file
    /// scans), then serves it again on `today` with `serve_args`.
    pub fn while_stopped<T>(
        self,
        today: &str,
        serve_args: &[&str],
        f: impl FnOnce(&std::path::Path) -> T,
    ) -> (Coc, T) {
        let Coc {
            server,
            dir,
            organizations,
            users,
        } = self;
        let out = server.terminate(Duration::from_secs(20));
        assert_eq!(out.code, Some(0), "serve did not stop cleanly: {out:?}");
        let value = f(dir.path());
        let data = dir.path().to_str().expect("utf-8 path");
        let coc = Coc {
            server: Server::spawn(serve_command(data, today, serve_args)),
            dir,
            organizations,
            users,
        };
        (coc, value)
    }

    /// Another node of this CoC's shared log: a data directory of its own, given a copy of
    /// this one's master key (every node needs the same), served on `today` with `serve_args`
    /// (which name the log). It knows the same organizations, users and tokens.
    pub fn another_node(&self, today: &str, serve_args: &[&str]) -> Coc {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = std::fs::read(self.dir.path().join("master.key")).expect("the master key");
        let copy = dir.path().join("master.key");
        std::fs::write(&copy, key).expect("the key written");
        let private = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600);
        std::fs::set_permissions(&copy, private).expect("the key made private");
        let data = dir.path().to_str().expect("utf-8 path");
        Coc {
            server: Server::spawn(serve_command(data, today, serve_args)),
            dir,
            organizations: self.organizations.clone(),
            users: self.users.clone(),
        }
    }

    /// Stops the server the way a supervisor does, so the data directory can be read.
    pub fn stop(self) -> tempfile::TempDir {
        let out = self.server.terminate(Duration::from_secs(20));
        assert_eq!(out.code, Some(0), "serve did not stop cleanly: {out:?}");
        self.dir
    }
}

/// The Stanislaus CoC of the HPRP MOU 0001 seed: Children's Crisis Center (`ccc`) and CHSS
/// (`chss`) share both ways, the City of Modesto (`city`) receives only, and an agency outside
/// the MOU (`outside`); a case manager in each (`ccc_cm`, ...), an agency administrator of CCC
/// (`ccc_admin`); CCC's rapid re-housing program and CHSS's shelter program, facility, rooms and
/// beds. The HPRP agencies of MOU 0001 (two of them), the City of Modesto receiving only, and an
/// agency outside the MOU, with programs, a shelter and the MOU.
pub fn stanislaus(today: &str) -> (Coc, Setup) {
    stanislaus_with(today, &[])
}

/// [`stanislaus`] served with more `serve` flags.
pub fn stanislaus_with(today: &str, serve_args: &[&str]) -> (Coc, Setup) {
    let mut coc = Coc::start_with("clienttrack", today, serve_args);
    coc.organization("ccc", "Children's Crisis Center");
    coc.organization("chss", "Community Housing and Shelter Services");
    coc.organization("city", "City of Modesto");
    coc.organization("outside", "Outside Agency");
    coc.user("ccc_cm", "ccc", "CASE_MANAGER");
    coc.user("chss_cm", "chss", "CASE_MANAGER");
    coc.user("city_cm", "city", "CASE_MANAGER");
    coc.user("out_cm", "outside", "CASE_MANAGER");
    coc.user("ccc_admin", "ccc", "AGENCY_ADMIN");
    let program = "mutation($o: ID!, $n: String!, $t: Int!) { createProgram(organizationId: $o, name: $n, projectType: $t, operatingStart: \"2020-01-01\") { program { id } } }";
    let rrh = coc.ok(
        "admin",
        program,
        json!({ "o": coc.org("ccc"), "n": "HPRP Rapid Re-Housing", "t": 13 }),
    )["createProgram"]["program"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shelter_program = coc.ok(
        "admin",
        program,
        json!({ "o": coc.org("chss"), "n": "Emergency Shelter", "t": 0 }),
    )["createProgram"]["program"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mou = coc.ok(
        "admin",
        "mutation($p: [MouParticipantInput!]!) { createMou(number: \"0001\", title: \"HPRP sharing\", participants: $p, start: \"2020-01-01\") { mou { id } } }",
        json!({ "p": [
            { "organizationId": coc.org("ccc"), "direction": "BOTH" },
            { "organizationId": coc.org("chss"), "direction": "BOTH" },
            { "organizationId": coc.org("city"), "direction": "RECEIVES" },
        ] }),
    )["createMou"]["mou"]["id"].as_str().unwrap().to_string();
    let facility = coc.ok(
        "admin",
        "mutation($o: ID!, $p: ID) { createFacility(organizationId: $o, programId: $p, name: \"Family Shelter\") { facility { id } } }",
        json!({ "o": coc.org("chss"), "p": shelter_program }),
    )["createFacility"]["facility"]["id"].as_str().unwrap().to_string();
    let room = |name: &str, designators: Value| {
        coc.ok(
            "admin",
            "mutation($f: ID!, $n: String!, $d: [RoomDesignatorName!]!) { addRoom(facilityId: $f, name: $n, designators: $d) { addedId } }",
            json!({ "f": facility, "n": name, "d": designators }),
        )["addRoom"]["addedId"].as_str().unwrap().to_string()
    };
    let family_room = room("Family room", json!(["FAMILY", "FEMALE"]));
    let mens_room = room("Men's dorm", json!(["MALE", "ADULT"]));
    let bed = |room: &str, label: &str| {
        coc.ok(
            "admin",
            "mutation($r: ID!, $l: String!) { addBed(roomId: $r, label: $l) { addedId } }",
            json!({ "r": room, "l": label }),
        )["addBed"]["addedId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let setup = Setup {
        rrh,
        mou,
        facility: facility.clone(),
        family_beds: [bed(&family_room, "F-1"), bed(&family_room, "F-2")],
        mens_bed: bed(&mens_room, "M-1"),
    };
    (coc, setup)
}

/// What [`stanislaus`] set up.
pub struct Setup {
    /// CCC's rapid re-housing program (HUD type 13).
    pub rrh: String,
    /// MOU 0001.
    pub mou: String,
    /// CHSS's family shelter.
    pub facility: String,
    /// Two beds of its family room (FAMILY, FEMALE).
    pub family_beds: [String; 2],
    /// The bed of its men's dorm (MALE, ADULT).
    pub mens_bed: String,
}

/// The intake mutation, answering the new client's id and possible duplicates.
pub const INTAKE: &str = "mutation($i: IntakeClientInput!) { intakeClient(input: $i) { position client { id } possibleDuplicates { id firstName } } }";

/// Variables for [`INTAKE`] of a client with full name, DOB and (if given) SSN quality.
pub fn intake(first: &str, last: &str, dob: &str, ssn: &str, sex: i32, restriction: &str) -> Value {
    json!({ "i": {
        "firstName": first, "lastName": last, "nameDataQuality": 1,
        "ssn": ssn, "ssnDataQuality": if ssn.is_empty() { 99 } else { 1 },
        "dob": dob, "dobDataQuality": 1,
        "raceEthnicity": [6], "sex": sex, "veteranStatus": 0,
        "restriction": restriction,
    } })
}

/// The new client's id from an [`INTAKE`] answer.
pub fn client_id(data: &Value) -> String {
    data["intakeClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Children's Crisis Center's intake of Maria Lopez (born 1990-04-02), shared with the MOU and
/// assigned to MOU 0001 from 2026-01-01: a client CHSS and the city see through the MOU and the
/// outside agency does not. Answers her id.
pub fn maria_under_the_mou(coc: &Coc, setup: &Setup) -> String {
    let maria = client_id(&coc.ok(
        "ccc_cm",
        INTAKE,
        intake(
            "Maria",
            "Lopez",
            "1990-04-02",
            "123-45-6789",
            0,
            "SHARE_WITH_MOU",
        ),
    ));
    coc.ok(
        "ccc_cm",
        "mutation($c: ID!, $m: ID!) { assignMou(clientId: $c, mouId: $m, start: \"2026-01-01\") { createdId } }",
        json!({ "c": maria, "m": setup.mou }),
    );
    maria
}
