//! One job per data folder: the crawl lock.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// An exclusive lock on a data folder for one crawl: a file `crawl.lock`
/// holding the owner's pid. A lock left by a dead process is taken over.
/// Released on drop.
#[derive(Debug)]
pub struct CrawlLock {
    path: PathBuf,
}

impl CrawlLock {
    /// Take the lock, or fail with [`Error::Locked`] naming the holder.
    pub fn acquire(data_dir: &Path) -> Result<CrawlLock> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::Io { path: data_dir.display().to_string(), source })?;
        let path = data_dir.join("crawl.lock");
        let me = std::process::id().to_string();
        for _ in 0..3 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    use std::io::Write;
                    f.write_all(me.as_bytes())
                        .map_err(|source| Error::Io { path: path.display().to_string(), source })?;
                    return Ok(CrawlLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).unwrap_or_default().trim().to_owned();
                    if pid_alive(&pid) {
                        return Err(Error::Locked {
                            path: data_dir.display().to_string(),
                            pid,
                            lock: path.display().to_string(),
                        });
                    }
                    // stale: the holder is gone
                    let _ = std::fs::remove_file(&path);
                }
                Err(source) => return Err(Error::Io { path: path.display().to_string(), source }),
            }
        }
        Err(Error::Locked { path: data_dir.display().to_string(), pid: "?".into(), lock: path.display().to_string() })
    }
}

fn pid_alive(pid: &str) -> bool {
    let Ok(n) = pid.parse::<u32>() else { return false };
    if n == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{n}")).exists()
    } else {
        // Without /proc we cannot tell: assume alive (the user removes a stale lock).
        true
    }
}

impl Drop for CrawlLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lock_is_exclusive_and_stale_lock_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let l = CrawlLock::acquire(dir.path()).unwrap();
        assert!(matches!(CrawlLock::acquire(dir.path()), Err(Error::Locked { .. })));
        drop(l);
        std::fs::write(dir.path().join("crawl.lock"), "999999999").unwrap();
        let _l = CrawlLock::acquire(dir.path()).unwrap();
    }
}
