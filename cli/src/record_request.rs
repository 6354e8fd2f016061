//! `caseledger record-request render`: the printable dashboard of a fulfilled request, offline
//! on a stopped server's data directory. Producing it is recorded as a disclosure, as the page
//! served over HTTP is, by the help desk account `--as` names: an accounting of disclosures
//! must say who disclosed, offline too.

use std::path::PathBuf;

use caseledger_core::{RecordRequestId, RequestId};
use caseledger_service::Service;

use crate::help_desk::HelpDeskArgs;
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
        /// The help desk account producing it (its username); any other account is refused.
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: String,
        #[command(flatten)]
        help_desk: HelpDeskArgs,
    },
}

/// Runs a record request command.
pub fn run(command: RecordRequestCommand) -> Result<(), Failure> {
    let RecordRequestCommand::Render {
        data,
        id,
        out,
        as_user,
        help_desk: contact,
    } = command;
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut config = data.service_config();
        config.help_desk = contact.help_desk;
        let service = Service::open(&config)?;
        let help_desk = match service.offline_help_desk(&as_user) {
            Ok(actor) => actor,
            Err(refused) => {
                service.close();
                return Err(refused.into());
            }
        };
        service.start();
        let dashboard = service.record_dashboard(&help_desk, id)?;
        let event = caseledger_dashboard::dashboard_disclosure(
            &dashboard,
            RequestId::from_ulid(ulid::Ulid::new()),
            service.today(),
            "caseledger record-request render",
        );
        service.record_access(&help_desk, event).await?;
        // The page names the client: readable by its owner only, whatever the umask.
        let mut file = caseledger_log_store::private::create_file(&out)?;
        std::io::Write::write_all(
            &mut file,
            caseledger_dashboard::dashboard_html(&dashboard).as_bytes(),
        )?;
        service.shutdown().await;
        println!("{}", out.display());
        Ok::<(), Failure>(())
    })
}
