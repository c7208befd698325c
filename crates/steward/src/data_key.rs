//! The data key file (`security.data_key_file`): read at every start, made with mode 0600
//! when neither it nor the store knows a key yet, and rotated by `steward data-key rotate`.
//!
//! A rotation writes the new key beside the old one (`<file>.next`) before it reseals
//! anything, reseals every secret in one transaction, keeps the old key as
//! `<file>.<id>.retired` for the backups it opens, and only then moves the new key into
//! place. Stopped anywhere, it leaves a store some key on disk opens; run again, it finishes.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use steward_store::Store;
use steward_store::sealing::{DataKey, Keyring};

use crate::output::Format;
use crate::settings::Settings;

/// Where a rotation keeps its new key until the store is resealed under it.
fn next_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".next");
    path.with_file_name(name)
}

/// Where a rotation keeps the key it retired.
fn retired_path(path: &Path, id: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{id}.retired"));
    path.with_file_name(name)
}

/// The key in `path`, `None` when there is no such file.
fn read(path: &Path) -> anyhow::Result<Option<DataKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => DataKey::parse(&text).map(Some).map_err(|error| anyhow::anyhow!("{}: {error}", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read the data key file {}", path.display())),
    }
}

/// Writes `key` to `path`, which must not exist, readable by this user only, on disk
/// (file and directory entry) before this returns. The key is written whole to a file of
/// its own first and then linked into place, so an instance starting at the same moment
/// finds either no file or a complete one; `AlreadyExists` when it won.
fn write_new(path: &Path, key: &DataKey) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.{}.new", std::process::id(), key.id()));
    let staged = path.with_file_name(name);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&staged)?;
        file.write_all(key.to_file_text().as_bytes())?;
        file.sync_all()?;
        std::fs::hard_link(&staged, path)
    })();
    let _ = std::fs::remove_file(&staged);
    written?;
    sync_directory(path)
}

fn sync_directory(path: &Path) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::File::open(directory)?.sync_all()
}

/// Makes a new key at `path`, or takes the one another process made there first.
fn create(path: &Path) -> anyhow::Result<DataKey> {
    let key = DataKey::generate();
    match write_new(path, &key) {
        Ok(()) => {
            tracing::info!(file = %path.display(), key = key.id(), "created the data key");
            Ok(key)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            read(path)?.ok_or_else(|| anyhow::anyhow!("the data key file {} vanished as it was made", path.display()))
        }
        Err(error) => Err(error).with_context(|| format!("cannot create the data key file {}", path.display())),
    }
}

/// Refuses keys that cannot open what `store` sealed.
fn check(store_key: Option<&str>, keys: &Keyring, path: &Path) -> anyhow::Result<()> {
    match store_key {
        Some(id) if !keys.holds(id) => bail!(
            "the store's secrets are sealed under data key {id}, but {} holds key {}: give this instance the key file the \
             store was sealed with (every instance shares one; a retired key is kept as {})",
            path.display(),
            keys.current().id(),
            retired_path(path, id).display()
        ),
        _ => Ok(()),
    }
}

/// `store` with its data keys: the file's (made when absent on a store that never had
/// one), and the one an interrupted rotation left. Secrets still in clear (a store from
/// before sealing) or under another key of the ring are sealed under the file's key first.
pub async fn attach(store: Store, settings: &Settings) -> anyhow::Result<Store> {
    let path = &settings.security.data_key_file;
    let store_key = store.data_key_id().await.context("cannot read the store's data key id")?;
    let current = match read(path)? {
        Some(key) => key,
        None => {
            if let Some(id) = &store_key {
                bail!(
                    "the store's secrets are sealed under data key {id}, and the data key file {} does not exist: put that \
                     key there (the file other instances use, or the one kept with the backup)",
                    path.display()
                );
            }
            create(path)?
        }
    };
    let mut keys = Keyring::new(current);
    if let Some(next) = read(&next_path(path))? {
        tracing::warn!(file = %next_path(path).display(), "a data key rotation was interrupted: `steward data-key rotate` finishes it");
        keys = keys.with_older(next);
    }
    check(store_key.as_deref(), &keys, path)?;
    let current = keys.current().id().to_owned();
    let store = store.with_data_keys(keys);
    if store_key.as_deref() != Some(current.as_str()) {
        let resealed = store.seal_secrets(steward_core::now()).await.context("cannot seal the store's secrets")?;
        tracing::info!(key = %current, sealed = resealed.total(), "the store's secrets are sealed under the data key");
    }
    Ok(store)
}

/// After a restore: what to do when the data key file cannot open the restored store
/// (the restore itself succeeded; serving it would stop at once).
pub async fn after_restore(store: &Store, settings: &Settings) -> anyhow::Result<Option<String>> {
    let Some(id) = store.data_key_id().await? else { return Ok(None) };
    let path = &settings.security.data_key_file;
    Ok(match read(path)? {
        Some(key) if key.id() == id => None,
        Some(key) => Some(format!(
            "the restored store is sealed under data key {id}, but {} holds key {}: put the key kept with this backup there \
             (a rotation names the key it retired {}) before starting",
            path.display(),
            key.id(),
            retired_path(path, &id).display()
        )),
        None => Some(format!("the restored store is sealed under data key {id}: put that key at {} before starting", path.display())),
    })
}

/// `steward data-key rotate`: every secret resealed under a new key.
pub async fn rotate(store: Store, settings: &Settings, format: Format) -> anyhow::Result<()> {
    let path = &settings.security.data_key_file;
    let Some(old) = read(path)? else {
        bail!("there is no data key at {}: nothing is sealed yet, so there is nothing to rotate", path.display());
    };
    let next_file = next_path(path);
    let new = match read(&next_file)? {
        Some(key) => key,
        None => create(&next_file)?,
    };
    let (old_id, new_id) = (old.id().to_owned(), new.id().to_owned());
    let keys = Keyring::new(new).with_older(old.clone());
    let store_key = store.data_key_id().await?;
    check(store_key.as_deref(), &keys, path)?;
    let store = store.with_data_keys(keys);
    let resealed = store.seal_secrets(steward_core::now()).await.context("resealing failed; nothing changed")?;
    let retired = retired_path(path, &old_id);
    match write_new(&retired, &old) {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(error).with_context(|| format!("cannot keep the retired key in {}", retired.display()));
        }
        _ => {}
    }
    std::fs::rename(&next_file, path).with_context(|| format!("cannot move {} to {}", next_file.display(), path.display()))?;
    sync_directory(path).with_context(|| format!("cannot sync the directory of {}", path.display()))?;
    tracing::info!(from = %old_id, to = %new_id, resealed = resealed.total(), "rotated the data key");
    if format.for_people() {
        println!(
            "data key {old_id} → {new_id}: {} secrets resealed. The old key is kept in {} for the backups taken before now; \
             keep it with them, away from this host.",
            resealed.total(),
            retired.display()
        );
    } else {
        println!("{}", serde_json::json!({ "from": old_id, "to": new_id, "resealed": resealed.total(), "retired": retired }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_files_sit_beside_the_key() {
        let path = Path::new("/var/lib/steward/data.key");
        assert_eq!(next_path(path), Path::new("/var/lib/steward/data.key.next"));
        assert_eq!(retired_path(path, "0123456789abcdef"), Path::new("/var/lib/steward/data.key.0123456789abcdef.retired"));
        assert_eq!(next_path(Path::new("steward.key")), Path::new("steward.key.next"));
    }

    #[test]
    fn a_new_key_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.key");
        let key = DataKey::generate();
        write_new(&path, &key).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read(&path).unwrap().unwrap().id(), key.id());
        // Never overwritten: a second maker takes the first one's key.
        assert_eq!(write_new(&path, &DataKey::generate()).unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(create(&path).unwrap().id(), key.id());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no staged file left behind");
        assert!(read(&dir.path().join("absent")).unwrap().is_none());
        std::fs::write(&path, "garbage").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("data.key"));
    }
}
