//! `--help-desk`: whom clients and agencies are told to call on a client record dashboard,
//! shared by the commands that produce one (`serve` and `record-request render`).

/// The CoC's HMIS help desk as its dashboards name it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HelpDeskArgs {
    /// Whom the client record dashboard tells clients and agencies to call, with the number
    /// (for example "the 211OC HMIS Help Desk, 1-800-555-0100").
    #[arg(
        long = "help-desk",
        env = "CASELEDGER_HELP_DESK",
        default_value = caseledger_service::DEFAULT_HELP_DESK
    )]
    pub(crate) help_desk: String,
}
