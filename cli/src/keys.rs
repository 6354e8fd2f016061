//! `caseledger keys`: the master key that wraps every client's data key.

use caseledger_service::keys::KeyStoreError;
use caseledger_service::{Service, ServiceError};

use crate::{DataArgs, Failure};

/// Key commands.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// Re-wrap every client key under a new random master key, which replaces the master key
    /// file; the log is not rewritten. Back up the new key file at once: without it nothing
    /// identifying in the data directory can be read. With `--log`, every node must be stopped
    /// (refused otherwise, exit 2), and the new key file copied to each before it starts.
    Rotate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the master key's fingerprint and how many clients have a key or were forgotten.
    Status {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Runs a key command on a stopped server's data directory.
pub fn run(command: KeysCommand) -> Result<(), Failure> {
    let (KeysCommand::Rotate { data } | KeysCommand::Status { data }) = &command;
    data.require_log()?;
    let service = Service::open(&data.service_config())?;
    let result = match &command {
        KeysCommand::Rotate { data } => {
            service.rotate_master_key(&data.master_key_path()).map(|f| {
                println!("{f}");
                eprintln!(
                    "master key rotated: {} now holds the key with fingerprint {f}",
                    data.master_key_path().display()
                );
            })
        }
        KeysCommand::Status { .. } => {
            let (fingerprint, live, forgotten) = service.key_status();
            println!("master key fingerprint  {fingerprint}");
            println!("clients with a key      {live}");
            println!("clients forgotten       {forgotten}");
            Ok(())
        }
    };
    service.close();
    match result {
        Err(ServiceError::Keys(e @ KeyStoreError::InUse)) => Err(Failure::usage(e)),
        result => Ok(result?),
    }
}
