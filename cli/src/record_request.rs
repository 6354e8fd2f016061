//! `caseledger record-request render`: the printable dashboard of a fulfilled request, offline
//! on a stopped server's data directory. Producing it is recorded as a disclosure by the help
//! desk, as the page served over HTTP is.

use std::path::PathBuf;

use caseledger_core::{Actor, OrganizationId, RecordRequestId, RequestId, Role, UserId};
use caseledger_service::Service;

use crate::{DataArgs, Failure};

/// Client record request tools.
#[derive(Debug, clap::Subcommand)]
pub enum RecordRequestCommand {
    /// Write the request's dashboard as a print-ready HTML page.
    Render {
        #[command(flatten)]
        data: DataArgs,
        /// The request id.
        id: RecordRequestId,
        /// Where to write the page.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a record request command.
pub fn run(command: RecordRequestCommand) -> Result<(), Failure> {
    let RecordRequestCommand::Render { data, id, out } = command;
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let service = Service::open(&data.service_config())?;
        service.start();
        // Offline, whoever holds the data directory acts for the help desk.
        let help_desk = Actor {
            user: UserId::new(0),
            organization: OrganizationId::new(0),
            role: Role::HelpDesk,
        };
        let dashboard = service.record_dashboard(&help_desk, id)?;
        let event = caseledger_graphql::dashboard_disclosure(
            &dashboard,
            RequestId::from_ulid(ulid::Ulid::new()),
            service.today(),
            "caseledger record-request render",
        );
        service.record_access(help_desk, event).await?;
        // The page names the client: readable by its owner only, whatever the umask.
        let mut file = caseledger_log_store::private::create_file(&out)?;
        std::io::Write::write_all(
            &mut file,
            caseledger_graphql::dashboard_html(&dashboard).as_bytes(),
        )?;
        service.shutdown().await;
        println!("{}", out.display());
        Ok::<(), Failure>(())
    })
}
