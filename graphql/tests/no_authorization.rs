//! Authorization lives in the service, never in resolvers: the GraphQL crate may show a role
//! (the account page names it) but never decides anything on one, and never constructs an
//! actor or a session of its own.
//!
//! Held at the level of the source text, so a role check added to a resolver fails here
//! before review: outside `convert.rs` (which maps `Role` to the schema's enum and back, and
//! decides nothing), no file names a `Role::` variant, builds an `Actor`, reads a role except
//! to convert it for display (`.role().into()`), or compares an organization or user id of
//! the session.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("graphql/src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The offending lines of one file's text (doc and line comments skipped).
fn findings(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let role_read = code
            .match_indices(".role()")
            .any(|(i, m)| !code[i + m.len()..].starts_with(".into()"));
        let session_identity = [
            ".organization() ==",
            ".organization() !=",
            ".user() ==",
            ".user() !=",
        ]
        .iter()
        .any(|p| code.contains(p));
        if code.contains("Role::")
            || code.contains("Actor {")
            || code.contains(".role ==")
            || code.contains(".role !=")
            || role_read
            || session_identity
        {
            found.push((n + 1, line.trim().to_string()));
        }
    }
    found
}

#[test]
fn no_resolver_decides_on_a_role() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offending = Vec::new();
    for path in sources(&src) {
        if path.file_name().is_some_and(|f| f == "convert.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (line, code) in findings(&text) {
            offending.push(format!("{}:{line}: {code}", path.display()));
        }
    }
    assert!(
        offending.is_empty(),
        "authorization belongs in the service (take a Session, decide there):\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_forbids() {
    // The forms a role check takes, each caught; showing a role is not.
    for check in [
        "if a.role() == Role::HelpDesk {",
        "if !matches!(a.role(), Role::Auditor | Role::SystemAdmin) {",
        "let actor = Actor { user, organization, role };",
        "if session.organization() != record.organization {",
    ] {
        assert_eq!(findings(check).len(), 1, "{check}");
    }
    assert!(findings("role: actor.role().into(),").is_empty());
    assert!(findings("/// Only `Role::Auditor` may read this.").is_empty());
}
