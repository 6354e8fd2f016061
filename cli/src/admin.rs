//! `caseledger admin ...`: setting up a deployment.

use caseledger_core::SharingPolicy;
use caseledger_service::Service;

use crate::{DataArgs, Failure};

/// Administration subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// On an empty data directory: record the sharing policy, create the CoC lead organization
    /// and its first system administrator, and print only that user's bearer token.
    Bootstrap {
        #[command(flatten)]
        data: DataArgs,
        /// The sharing policy preset in force from today.
        #[arg(long, value_enum, default_value = "clienttrack")]
        policy: Preset,
        /// IANA time zone in which business dates turn (e.g. America/Los_Angeles).
        #[arg(long, env = "CASELEDGER_TIMEZONE", default_value = "UTC")]
        timezone: String,
        /// Name of the CoC lead organization.
        #[arg(long, default_value = "CoC Lead Agency")]
        organization_name: String,
        /// Username of the first system administrator.
        #[arg(long, default_value = "admin")]
        username: String,
        /// The CoC's HUD code (e.g. CA-502), which HMIS CSV exports name the CoC by; settable
        /// later with the `setCocCode` mutation.
        #[arg(long, env = "CASELEDGER_COC_CODE")]
        coc_code: Option<String>,
    },
    /// On a stopped server: issue a caseledger token for an active account and print only the
    /// token. How an administrator whose every token expired or was revoked gets back in;
    /// whoever runs it already holds the data directory.
    IssueToken {
        #[command(flatten)]
        data: DataArgs,
        /// Username of the account the token is for.
        #[arg(long)]
        user: String,
        /// What the token is for, shown in the token list.
        #[arg(long, default_value = "issued offline")]
        name: String,
        /// Days it works (default and at most `--token-days`).
        #[arg(long)]
        days: Option<u32>,
        /// The server's token lifetime in days (as `serve --token-days`).
        #[arg(long, env = "CASELEDGER_TOKEN_DAYS", default_value_t = caseledger_service::DEFAULT_TOKEN_DAYS)]
        token_days: u32,
    },
}

/// The sharing policy presets.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Preset {
    /// ClientTrack's rules: intake shared per the client restriction, transactions by MOU or
    /// release.
    Clienttrack,
    /// Intake and enrollment summaries of non-restricted clients shared with every organization.
    OpenIntake,
}

/// Runs an administration subcommand.
pub fn run(command: AdminCommand) -> Result<(), Failure> {
    match command {
        AdminCommand::Bootstrap {
            data,
            policy,
            timezone,
            organization_name,
            username,
            coc_code,
        } => {
            let policy = match policy {
                Preset::Clienttrack => SharingPolicy::clienttrack(timezone),
                Preset::OpenIntake => SharingPolicy::open_intake(timezone),
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let service = Service::open(&data.service_config())?;
                service.start();
                let result = async {
                    let done = service
                        .bootstrap(policy, &organization_name, &username)
                        .await?;
                    if let Some(code) = coc_code {
                        let admin = service.session_for(done.admin)?;
                        let command = caseledger_core::commands::setup::SetCocCode { code };
                        service.run(&admin, &command).await?;
                    }
                    Ok::<_, Failure>(done)
                }
                .await;
                service.shutdown().await;
                let done = result?;
                tracing::info!(organization = %done.organization, admin = %done.admin, "bootstrapped");
                // Only the token on stdout, so scripts can capture it.
                println!("{}", done.token);
                Ok::<(), Failure>(())
            })
        }
        AdminCommand::IssueToken {
            data,
            user,
            name,
            days,
            token_days,
        } => {
            data.require_log()?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let mut config = data.service_config();
                config.token_days = token_days;
                let service = Service::open(&config)?;
                service.start();
                let result = service.issue_token_offline(&user, &name, days).await;
                service.shutdown().await;
                let (token_id, token, expires, _) = result?;
                tracing::info!(%token_id, user, expires = %expires.to_datetime().to_rfc3339(), "token issued");
                println!("{token}");
                Ok::<(), Failure>(())
            })
        }
    }
}
