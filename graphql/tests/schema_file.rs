//! `schema.graphql` at the repository root is the schema the code serves.

#[test]
fn the_committed_sdl_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = caseledger_graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date with the code; regenerate it with\n\n    cargo run -p caseledger -- schema > schema.graphql\n\nand review the diff (clients depend on it)."
    );
}
