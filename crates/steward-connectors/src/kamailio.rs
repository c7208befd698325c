//! Kamailio's own tables, written as `kamctl` writes them: `subscriber` (auth_db: the
//! password and both digests, so Kamailio works with `calculate_ha1` 0 or 1), `dbaliases`
//! (alias_db) and, read only, `domain` (the domains Kamailio serves). Kamailio reads
//! `subscriber` and `dbaliases` on every request, so a committed write is live at once.
//! Kamailio's database is SQLite or PostgreSQL, at `faces.hermes.kamailio_database_url`;
//! its journal mode and schema are Kamailio's, never changed here.

use std::time::Duration;

use md5::{Digest, Md5};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector, TransactionTrait};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use steward_model::sip::{SipAddress, SipDomain, SipPassword};

/// Why Kamailio's tables could not be read or written: Hermes' `dbfail`.
#[derive(Debug, thiserror::Error)]
pub enum KamailioError {
    /// The URL is not `sqlite://…` or `postgres://…`, or the database cannot be opened.
    #[error("Kamailio's database: {0}")]
    Setup(String),
    /// A statement failed.
    #[error("Kamailio's database refused the change: {0}")]
    Database(String),
}

impl From<sea_orm::DbErr> for KamailioError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Database(error.to_string())
    }
}

/// One `subscriber` row, as `hermes sync` compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// `username@domain`.
    pub address: SipAddress,
    /// The clear-text `password` column (empty when the operator keeps none).
    pub password: String,
    /// `ha1`.
    pub ha1: String,
    /// `ha1b`.
    pub ha1b: String,
}

/// One `dbaliases` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// `alias_username@alias_domain`.
    pub alias: SipAddress,
    /// `username@domain`, where calls to the alias go.
    pub destination: SipAddress,
}

/// `lower-hex MD5("<username>:<realm>:<password>")`, the realm being the domain.
pub fn ha1(address: &SipAddress, password: &str) -> String {
    md5_hex(&format!("{}:{}:{password}", address.user, address.domain))
}

/// `lower-hex MD5("<username>@<domain>:<realm>:<password>")`, for user agents that send
/// `user@domain` as the digest user name.
pub fn ha1b(address: &SipAddress, password: &str) -> String {
    md5_hex(&format!("{}@{}:{}:{password}", address.user, address.domain, address.domain))
}

fn md5_hex(text: &str) -> String {
    steward_model::hex::encode(&Md5::digest(text.as_bytes()))
}

fn address_of(row: &sea_orm::QueryResult, user: &str, domain: &str) -> Result<SipAddress, KamailioError> {
    let read = |column: &str| row.try_get::<String>("", column).map_err(KamailioError::from);
    let (user, domain) = (read(user)?, read(domain)?);
    SipAddress::from_parts(&user, &domain)
        .map_err(|error| KamailioError::Database(format!("a row holds `{user}@{domain}`, which is not a SIP address: {error}")))
}

/// A connection pool to Kamailio's database.
#[derive(Clone, Debug)]
pub struct KamailioDb {
    db: DatabaseConnection,
}

impl KamailioDb {
    /// Opens Kamailio's database at `url` (`sqlite:///abs/path` or `postgres://…`). Does not
    /// check the schema: the first statement does.
    pub async fn connect(url: &str) -> Result<Self, KamailioError> {
        let db = if url.starts_with("sqlite:") {
            let options = url
                .parse::<SqliteConnectOptions>()
                .map_err(|error| KamailioError::Setup(format!("not a SQLite URL: {error}")))?
                // Kamailio's file: its journal mode stays as kamdbctl made it.
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(false);
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(|error| KamailioError::Setup(error.to_string()))?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = url
                .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
                .map_err(|error| KamailioError::Setup(format!("not a PostgreSQL URL: {error}")))?;
            if steward_model::database_url::postgres_plain_on_loopback(options.get_host(), url) {
                options = options.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable);
            }
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .map_err(|error| KamailioError::Setup(error.to_string()))?;
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        } else {
            return Err(KamailioError::Setup("the URL must start with sqlite:// or postgres://".to_owned()));
        };
        Ok(Self { db })
    }

    /// Whether Kamailio serves `domain` (a row in its `domain` table).
    pub async fn serves(&self, domain: &SipDomain) -> Result<bool, KamailioError> {
        let select = Query::select().expr(Expr::val(1)).from("domain").and_where(Expr::col("domain").eq(domain.as_str())).take();
        Ok(self.db.query_one(&select).await?.is_some())
    }

    /// Adds `domains` to Kamailio's `domain` table where missing; returns how many were
    /// added. Kamailio's domain module caches that table: it sees them after its
    /// `domain.reload` RPC or a restart.
    pub async fn ensure_domains(&self, domains: &[SipDomain]) -> Result<u64, KamailioError> {
        let mut added = 0;
        for domain in domains {
            if self.serves(domain).await? {
                continue;
            }
            let insert = Query::insert()
                .into_table("domain")
                .columns(["domain"])
                .values([domain.as_str().into()])
                .map_err(|error| KamailioError::Database(error.to_string()))?
                .take();
            added += self.db.execute(&insert).await?.rows_affected();
        }
        Ok(added)
    }

    /// Every domain Kamailio serves, sorted.
    pub async fn domains(&self) -> Result<Vec<String>, KamailioError> {
        let select = Query::select().column("domain").from("domain").order_by("domain", sea_orm::Order::Asc).take();
        self.db.query_all(&select).await?.iter().map(|row| row.try_get("", "domain").map_err(KamailioError::from)).collect()
    }

    /// Whether `subscriber` has `address`.
    pub async fn has_subscriber(&self, address: &SipAddress) -> Result<bool, KamailioError> {
        let select = Query::select()
            .expr(Expr::val(1))
            .from("subscriber")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        Ok(self.db.query_one(&select).await?.is_some())
    }

    /// Inserts subscribers with their password and both digests, all or none.
    /// `keep_clear_text` false leaves `password` empty (`calculate_ha1=0` set-ups).
    pub async fn add_subscribers(&self, accounts: &[(SipAddress, SipPassword)], keep_clear_text: bool) -> Result<(), KamailioError> {
        let tx = self.db.begin().await?;
        for chunk in accounts.chunks(500) {
            let mut insert = Query::insert().into_table("subscriber").columns(["username", "domain", "password", "ha1", "ha1b"]).take();
            for (address, password) in chunk {
                let clear = if keep_clear_text { password.expose() } else { "" };
                insert
                    .values([
                        address.user.as_str().into(),
                        address.domain.as_str().into(),
                        clear.into(),
                        ha1(address, password.expose()).into(),
                        ha1b(address, password.expose()).into(),
                    ])
                    .map_err(|error| KamailioError::Database(error.to_string()))?;
            }
            tx.execute(&insert).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a subscriber's password and digests; `false` if there is no such subscriber.
    pub async fn set_password(&self, address: &SipAddress, password: &SipPassword, keep_clear_text: bool) -> Result<bool, KamailioError> {
        let clear = if keep_clear_text { password.expose() } else { "" };
        let update = Query::update()
            .table("subscriber")
            .value("password", clear)
            .value("ha1", ha1(address, password.expose()))
            .value("ha1b", ha1b(address, password.expose()))
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        Ok(self.db.execute(&update).await?.rows_affected() > 0)
    }

    /// Deletes a subscriber and every alias pointing at it, in one transaction; returns the
    /// aliases that went.
    pub async fn remove_subscriber(&self, address: &SipAddress) -> Result<(bool, Vec<SipAddress>), KamailioError> {
        let tx = self.db.begin().await?;
        let aliases = Query::select()
            .columns(["alias_username", "alias_domain"])
            .from("dbaliases")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        let gone = tx
            .query_all(&aliases)
            .await?
            .iter()
            .map(|row| address_of(row, "alias_username", "alias_domain"))
            .collect::<Result<Vec<_>, _>>()?;
        let delete_aliases = Query::delete()
            .from_table("dbaliases")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        tx.execute(&delete_aliases).await?;
        let delete = Query::delete()
            .from_table("subscriber")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        let removed = tx.execute(&delete).await?.rows_affected() > 0;
        tx.commit().await?;
        Ok((removed, gone))
    }

    /// Every subscriber, by domain then user name.
    pub async fn subscribers(&self) -> Result<Vec<Subscriber>, KamailioError> {
        let select = Query::select()
            .columns(["username", "domain", "password", "ha1", "ha1b"])
            .from("subscriber")
            .order_by("domain", sea_orm::Order::Asc)
            .order_by("username", sea_orm::Order::Asc)
            .take();
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| {
                let text = |column: &str| row.try_get::<String>("", column).map_err(KamailioError::from);
                Ok(Subscriber { address: address_of(row, "username", "domain")?, password: text("password")?, ha1: text("ha1")?, ha1b: text("ha1b")? })
            })
            .collect()
    }

    /// Adds an alias (`dbaliases` has no unique key: the caller checks for duplicates).
    pub async fn add_alias(&self, alias: &SipAddress, destination: &SipAddress) -> Result<(), KamailioError> {
        let insert = Query::insert()
            .into_table("dbaliases")
            .columns(["alias_username", "alias_domain", "username", "domain"])
            .values([
                alias.user.as_str().into(),
                alias.domain.as_str().into(),
                destination.user.as_str().into(),
                destination.domain.as_str().into(),
            ])
            .map_err(|error| KamailioError::Database(error.to_string()))?
            .take();
        self.db.execute(&insert).await?;
        Ok(())
    }

    /// Removes one row of `alias` → `destination` (the newest), leaving any other: how a
    /// request that lost a race takes back only its own row.
    pub async fn remove_alias_row(&self, alias: &SipAddress, destination: &SipAddress) -> Result<bool, KamailioError> {
        let newest = Query::select()
            .expr(Expr::col("id").max())
            .from("dbaliases")
            .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
            .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()))
            .and_where(Expr::col("username").eq(destination.user.as_str()))
            .and_where(Expr::col("domain").eq(destination.domain.as_str()))
            .take();
        let delete = Query::delete().from_table("dbaliases").and_where(Expr::col("id").in_subquery(newest)).take();
        Ok(self.db.execute(&delete).await?.rows_affected() > 0)
    }

    /// Removes every row of an alias; `false` if there was none.
    pub async fn remove_alias(&self, alias: &SipAddress) -> Result<bool, KamailioError> {
        let delete = Query::delete()
            .from_table("dbaliases")
            .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
            .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()))
            .take();
        Ok(self.db.execute(&delete).await?.rows_affected() > 0)
    }

    /// Every alias row, by alias.
    pub async fn aliases(&self) -> Result<Vec<Alias>, KamailioError> {
        let select = Query::select()
            .columns(["alias_username", "alias_domain", "username", "domain"])
            .from("dbaliases")
            .order_by("alias_domain", sea_orm::Order::Asc)
            .order_by("alias_username", sea_orm::Order::Asc)
            .take();
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| Ok(Alias { alias: address_of(row, "alias_username", "alias_domain")?, destination: address_of(row, "username", "domain")? }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_kamctl() {
        // The peer recipe's alice / example.org / alicepw, computed as kamctl does.
        let alice = SipAddress::parse("alice@example.org").unwrap();
        assert_eq!(ha1(&alice, "alicepw"), md5_hex("alice:example.org:alicepw"));
        assert_eq!(ha1b(&alice, "alicepw"), md5_hex("alice@example.org:example.org:alicepw"));
        // RFC 1321's test vector keeps md5_hex honest.
        assert_eq!(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
