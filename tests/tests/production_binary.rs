//! What the production `caseledger` binary links: not the benchmark, which lives in
//! `caseledger-bench` (ARCHITECTURE.md, "Crates"), nor any test kit. (An HTTP client, reqwest,
//! it does link since sign-in through an identity provider fetches the provider's keys; and a
//! PostgreSQL client, tokio-postgres, since the shared log runs on PostgreSQL.)

use std::process::Command;

/// Crates only the benchmark may link.
const BENCHMARK_ONLY: &[&str] = &["caseledger-bench"];

/// `cargo tree -p caseledger -e EDGES --prefix none`: the `caseledger` binary's dependencies.
fn caseledger_tree(edges: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package lives inside the workspace");
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["tree", "-p", "caseledger", "-e", edges, "--prefix", "none"])
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "cargo tree failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_caseledger_binary_links_no_benchmark_client() {
    let tree = caseledger_tree("normal");
    // Each line is `name vVERSION [(path)] [(*)]`.
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(
        names.contains(&"caseledger-graphql"),
        "not the tree of the caseledger binary:\n{tree}"
    );
    for crate_name in BENCHMARK_ONLY {
        assert!(
            !names.contains(crate_name),
            "the caseledger binary links {crate_name}:\n{tree}"
        );
    }
}

/// The test kit (`caseledger-core`'s `testkit`: histories built with any actor and any time)
/// is compiled only into tests and the benchmark binary, never into `caseledger`.
#[test]
fn the_caseledger_binary_compiles_no_test_kit() {
    let tree = caseledger_tree("normal,features");
    assert!(
        tree.lines().any(|l| l.starts_with("caseledger-core ")),
        "not the tree of the caseledger binary:\n{tree}"
    );
    assert!(
        !tree.contains("caseledger-core feature \"testkit\""),
        "the caseledger binary compiles core's test kit:\n{tree}"
    );
    // Nor the scratch PostgreSQL servers of the shared log's tests.
    assert!(
        !tree.contains("caseledger-log-postgres feature \"testkit\""),
        "the caseledger binary compiles the PostgreSQL test kit:\n{tree}"
    );
    // Nor can it append events no command decided.
    assert!(
        !tree.contains("caseledger-service feature \"raw-append\""),
        "the caseledger binary can append undecided events:\n{tree}"
    );
}
