//! What the store's own tests share: a throw-away PostgreSQL database.

/// A PostgreSQL database for one test, dropped at the end even when the test fails. The
/// server is `STEWARD_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
pub(crate) struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl PostgresDatabase {
    /// Creates a database named after `prefix` and a fresh uuid.
    pub(crate) fn create(prefix: &str) -> Self {
        let admin_url = std::env::var("STEWARD_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let created = std::process::Command::new("psql")
            .args([admin_url.as_str(), "-v", "ON_ERROR_STOP=1", "-qAt", "-c", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql runs");
        assert!(created.status.success(), "CREATE DATABASE: {}", String::from_utf8_lossy(&created.stderr));
        Self { admin_url, name }
    }

    /// The database's URL.
    pub(crate) fn url(&self) -> String {
        let base = self.admin_url.rsplit_once('/').map_or(self.admin_url.as_str(), |(base, _)| base);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .args([
                self.admin_url.as_str(),
                "-qAt",
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}
