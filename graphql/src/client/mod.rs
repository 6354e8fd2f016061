//! The client as a viewer may see it (`object`), Find Client and the caseload (`find`), and the
//! reads every client-shaped answer goes through, each noting its disclosure (`read`).

mod find;
mod object;
mod read;

pub use find::ClientQueries;
pub use object::{Address, Client, read_client};
pub use read::{MAX_PAGE, RecordsWanted, read_records};
