//! Argon2id password hashing, off the async runtime and a bounded number at a time: one
//! hash per core starves request handling (GET p99 went from 1 to 22 ms in a login storm),
//! so the pool leaves a core free.

use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use steward_model::Password;
use tokio::sync::{OnceCell, Semaphore};

/// How long a password check may wait for a free hasher before the caller is told to come
/// back later (so a login storm queues briefly instead of piling up without bound).
const MAX_WAIT: Duration = Duration::from_secs(2);

/// Why hashing could not be done.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hasher stayed busy for [`MAX_WAIT`].
    #[error("too many password checks at once; try again shortly")]
    Busy,
    /// The hashing task failed (a bug in the crate or a runtime shutting down).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// The bounded argon2id pool.
#[derive(Clone)]
pub struct Hasher {
    /// One permit per concurrent hash.
    permits: Arc<Semaphore>,
    /// How many permits exist, for the benchmark and the logs.
    size: usize,
    /// Checks waiting for a permit now (`steward_hasher_waiting`).
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    /// A hash of a random password, verified for unknown logins so they take as long as
    /// known ones.
    dummy: Arc<OnceCell<String>>,
}

impl Hasher {
    /// Cores − 1, at least 1.
    pub fn default_permits() -> usize {
        std::thread::available_parallelism().map_or(1, |cores| cores.get().saturating_sub(1).max(1))
    }

    /// A pool of `permits` concurrent hashes.
    pub fn new(permits: usize) -> Self {
        let size = permits.max(1);
        Self { permits: Arc::new(Semaphore::new(size)), size, waiting: Arc::default(), dummy: Arc::new(OnceCell::new()) }
    }

    /// How many hashes may run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Hashes running now.
    pub fn busy(&self) -> usize {
        self.size.saturating_sub(self.permits.available_permits())
    }

    /// Password checks waiting for a free hasher now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        use std::sync::atomic::Ordering;
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let acquired = tokio::time::timeout(MAX_WAIT, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        let permit = acquired.map_err(|_| HashError::Busy)?.map_err(|error| HashError::Failed(error.to_string()))?;
        let result = tokio::task::spawn_blocking(move || {
            let result = job();
            drop(permit);
            result
        })
        .await
        .map_err(|error| HashError::Failed(error.to_string()))?;
        Ok(result)
    }

    /// Hashes a password with argon2id at the crate's defaults (19 MiB, t=2, p=1) and a
    /// fresh salt, as a PHC string.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move || {
            Argon2::default()
                .hash_password(password.expose().as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|error| HashError::Failed(error.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `hash`. With no hash (unknown login, external backend) a
    /// dummy hash is checked instead and the answer is `false`, so timing tells nothing.
    pub async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, HashError> {
        let (hash, real) = match hash {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy_hash().await?, false),
        };
        let password = password.clone();
        let matches = self
            .run(move || Argon2::default().verify_password(password.expose().as_bytes(), hash.as_str()).is_ok())
            .await?;
        Ok(matches && real)
    }

    async fn dummy_hash(&self) -> Result<String, HashError> {
        self.dummy
            .get_or_try_init(|| async {
                let mut random = [0u8; 24];
                rand::fill(&mut random);
                let password = Password::parse(base64_url(&random))
                    .map_err(|error| HashError::Failed(error.to_string()))?;
                self.hash(&password).await
            })
            .await
            .cloned()
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_logins_never_match() {
        let hasher = Hasher::new(1);
        let password = Password::parse("correct horse".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify(&password, Some(&hash)).await.unwrap());
        let wrong = Password::parse("wrong".into()).unwrap();
        assert!(!hasher.verify(&wrong, Some(&hash)).await.unwrap());
        assert!(!hasher.verify(&password, None).await.unwrap());
    }
}
