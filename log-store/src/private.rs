//! Files and directories that only their owner can read, whatever the process umask.
//!
//! Everything the log's directory holds is client data (sled's `db`, `conf`, `blobs`, `snap.*`),
//! and so are the files the service writes beside it and the exports it writes elsewhere. A
//! file's mode at creation is masked by the umask, so an operator's `umask 022` (or a directory
//! made beforehand with `mkdir`) used to leave them 0644 in a 0755 directory. These helpers
//! create with 0600/0700 and also set the mode of what already exists, so a directory made by
//! hand is tightened too.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of a private file.
pub const FILE_MODE: u32 = 0o600;
/// Mode of a private directory.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents (0700), and sets `dir` itself to 0700 when it
/// already existed. Parents that existed are left as they are: they may be the operator's.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
}

/// Creates (or truncates) `path` for writing, 0600 — also when it existed with another mode.
pub fn create_file(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(file)
}

/// Sets every directory under `dir` (itself included) to 0700 and every file to 0600, for
/// files made by code that takes no mode (sled creates its own). Symbolic links are not
/// followed.
pub fn tighten(dir: &Path) -> io::Result<()> {
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            tighten(&path)?;
        } else if kind.is_file() && entry.metadata()?.permissions().mode() & 0o777 != FILE_MODE {
            fs::set_permissions(&path, Permissions::from_mode(FILE_MODE))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn made_and_existing_files_and_directories_end_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), DIR_MODE);

        let file = dir.join("f");
        fs::write(&file, b"x").unwrap();
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        drop(create_file(&file).unwrap());
        assert_eq!(mode(&file), FILE_MODE);

        let sub = dir.join("sub");
        fs::create_dir(&sub).unwrap();
        fs::set_permissions(&sub, Permissions::from_mode(0o755)).unwrap();
        let inner = sub.join("g");
        fs::write(&inner, b"y").unwrap();
        fs::set_permissions(&inner, Permissions::from_mode(0o644)).unwrap();
        tighten(&dir).unwrap();
        assert_eq!((mode(&sub), mode(&inner)), (DIR_MODE, FILE_MODE));
    }
}
