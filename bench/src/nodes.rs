//! Two service nodes of one PostgreSQL log against one (part of the peer group,
//! `scripts/bench-peer.sh`): the GraphQL group's full `client(id)` query from 32 kept-alive
//! connections to one node, then the same 32 split between two nodes of the same log, each
//! with its own projections and its own router, every read appending its disclosure record to
//! the shared log before it answers.
//!
//! Both nodes and the load generator run in this process on the same cores, so on a machine
//! of two cores the two nodes share what one had: the figure says what a second node costs
//! and what it adds when it has no cores of its own, not what a second machine would add.

use std::path::Path;

use caseledger_core::Date;
use caseledger_service::{Service, ServiceConfig};

use crate::failure::Failure;
use crate::figures::Figures;
use crate::graphql::{CLIENT_QUERY, CONNECTIONS, Load, load, populate, report};

/// One node of the log at `conninfo`, in `dir`, started and serving GraphQL on loopback:
/// the node and its URL.
async fn node(
    conninfo: &str,
    dir: &Path,
    master: &Path,
    today: Date,
) -> Result<(Service, String, tokio::task::JoinHandle<()>), Failure> {
    let mut config = ServiceConfig::new(dir);
    config.today = Some(today);
    config.shared_log = Some(conninfo.to_string());
    config.master_key_file = Some(master.to_path_buf());
    let service = Service::open(&config)?;
    service.start();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    let app = caseledger_graphql::router(service.clone(), caseledger_graphql::ApiConfig::default());
    let server = tokio::spawn(async move {
        let _ = caseledger_graphql::serve(
            listener,
            app,
            caseledger_graphql::ConnectionLimits::default(),
            std::future::pending(),
        )
        .await;
    });
    Ok((service, url, server))
}

/// Runs the two-node comparison against the PostgreSQL at `conninfo` (a database of its own is
/// made there).
pub fn run(
    conninfo: &str,
    quick: bool,
    scratch: &Path,
    figures: &mut Figures,
) -> Result<(), Failure> {
    let (clients, seconds, runtime) = crate::graphql::setting(quick)?;
    runtime.block_on(async {
        let admin = crate::peer::connect(conninfo).await?;
        admin
            .batch_execute("DROP DATABASE IF EXISTS caseledger_bench_nodes")
            .await?;
        admin
            .batch_execute("CREATE DATABASE caseledger_bench_nodes")
            .await?;
        // A later keyword wins in a libpq connection string.
        let log = format!("{conninfo} dbname=caseledger_bench_nodes");
        let today = Date::from_ymd(2026, 6, 15).expect("date");
        let master = scratch.join("nodes-master.key");
        let (a, url_a, server_a) = node(&log, &scratch.join("node-a"), &master, today).await?;
        let (reader, _, ids) = populate(&a, clients).await?;
        let by_id: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({ "id": id.to_string() }))
            .collect();
        eprintln!(
            "bench: client(id) on one node of a PostgreSQL log, {CONNECTIONS} connections, {seconds} s"
        );
        let one = load(std::slice::from_ref(&url_a), &reader, CLIENT_QUERY, &by_id, seconds).await;
        report(figures, "nodes_one_client_read", &one);

        let (b, url_b, server_b) = node(&log, &scratch.join("node-b"), &master, today).await?;
        b.wait_for(a.head().position, std::time::Duration::from_secs(60))
            .await?;
        eprintln!(
            "bench: client(id) on two nodes of the log, {} connections each, {seconds} s",
            CONNECTIONS / 2
        );
        let two = load(&[url_a, url_b], &reader, CLIENT_QUERY, &by_id, seconds).await;
        report(figures, "nodes_two_client_read", &two);
        figures.add(
            "nodes_two_over_one".to_string(),
            per_second(&two) / per_second(&one).max(f64::MIN_POSITIVE),
            "×",
        );
        server_a.abort();
        server_b.abort();
        a.shutdown().await;
        b.shutdown().await;
        Ok::<(), Failure>(())
    })
}

fn per_second(load: &Load) -> f64 {
    load.requests() as f64 / load.seconds()
}
