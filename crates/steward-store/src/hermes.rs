//! Hermes' provisioning rows: SIP users, their phones, the number pool and aliases.
//! Searches are the seed's globs, turned into an escaped, bound `LIKE` on a lower-cased
//! value, the same on SQLite and PostgreSQL.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement, SimpleExpr};
use sea_orm::ConnectionTrait;
use steward_model::E164;
use steward_model::sip::{Glob, GlobPiece, MacAddress, ProvisionedUser, SipAddress, SipUserKind};
use time::OffsetDateTime;

use crate::{Store, StoreError, WriteTx, stored_time};

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// The SIP address in two columns of a row.
fn address_in(row: &sea_orm::QueryResult, user: &str, domain: &str) -> Result<SipAddress, StoreError> {
    let text = |column: &str| row.try_get::<String>("", column).map_err(corrupt);
    SipAddress::from_parts(&text(user)?, &text(domain)?).map_err(corrupt)
}

/// `glob` as a `LIKE` pattern with `\` escapes, lower-cased (the searches are
/// case-insensitive).
pub(crate) fn like_pattern(glob: &Glob) -> String {
    let mut pattern = String::new();
    for piece in glob.pieces() {
        match piece {
            GlobPiece::AnyRun => pattern.push('%'),
            GlobPiece::AnyOne => pattern.push('_'),
            GlobPiece::Literal(character) => {
                if matches!(character, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.extend(character.to_lowercase());
            }
        }
    }
    pattern
}

/// `LOWER(value) LIKE pattern ESCAPE '\'`, bound.
fn matches(value: SimpleExpr, glob: &Glob) -> SimpleExpr {
    let lowered: SimpleExpr = Func::lower(value).into();
    lowered.like(LikeExpr::new(like_pattern(glob)).escape('\\'))
}

const USER_COLUMNS: [&str; 14] = [
    "username",
    "domain",
    "kind",
    "displayname",
    "email",
    "password",
    "authid",
    "registrar",
    "r_port",
    "proxy",
    "p_port",
    "dialplan",
    "linetext",
    "account_id",
];

fn user_of(row: &sea_orm::QueryResult) -> Result<ProvisionedUser, StoreError> {
    let text = |column: &str| row.try_get::<String>("", column).map_err(corrupt);
    let port = |column: &str| -> Result<u16, StoreError> {
        let port: i32 = row.try_get("", column).map_err(corrupt)?;
        u16::try_from(port).map_err(corrupt)
    };
    let address = address_in(row, "username", "domain")?;
    let kind = text("kind")?;
    Ok(ProvisionedUser {
        address,
        kind: SipUserKind::parse(&kind).ok_or_else(|| corrupt(format!("SIP user kind {kind}")))?,
        displayname: text("displayname")?,
        email: row.try_get("", "email").map_err(corrupt)?,
        password: text("password")?,
        authid: text("authid")?,
        registrar: text("registrar")?,
        r_port: port("r_port")?,
        proxy: text("proxy")?,
        p_port: port("p_port")?,
        dialplan: text("dialplan")?,
        linetext: text("linetext")?,
        account: row.try_get::<Option<i64>>("", "account_id").map_err(corrupt)?.map(steward_model::AccountId),
    })
}

fn at_address(select: &mut SelectStatement, address: &SipAddress) {
    select
        .and_where(Expr::col("username").eq(address.user.as_str()))
        .and_where(Expr::col("domain").eq(address.domain.as_str()));
}

fn user_select(address: &SipAddress) -> SelectStatement {
    let mut select = Query::select().columns(USER_COLUMNS).column("id").from("sip_users").take();
    at_address(&mut select, address);
    select
}

impl Store {
    /// The Steward account whose e-mail is `email` (compared without case), for linking a
    /// new local SIP user to the one identity.
    pub async fn account_with_email(&self, email: &str) -> Result<Option<steward_model::AccountId>, StoreError> {
        let lowered: SimpleExpr = Func::lower(Expr::col("email")).into();
        let select = Query::select()
            .column("id")
            .from("accounts")
            .and_where(lowered.eq(email.to_lowercase()))
            .order_by("id", sea_orm::Order::Asc)
            .take();
        match self.db.query_one(&select).await? {
            Some(row) => Ok(Some(steward_model::AccountId(row.try_get("", "id").map_err(corrupt)?))),
            None => Ok(None),
        }
    }

    /// Every account's id by its lower-cased e-mail (for linking a bulk import at once).
    pub async fn accounts_by_email(&self) -> Result<std::collections::HashMap<String, steward_model::AccountId>, StoreError> {
        let select = Query::select()
            .columns(["id", "email"])
            .from("accounts")
            .and_where(Expr::col("email").is_not_null())
            .order_by("id", sea_orm::Order::Desc)
            .take();
        let mut found = std::collections::HashMap::new();
        for row in self.db.query_all(&select).await? {
            let email: String = row.try_get("", "email").map_err(corrupt)?;
            // Oldest last, so it wins when two accounts share an address.
            found.insert(email.to_lowercase(), steward_model::AccountId(row.try_get("", "id").map_err(corrupt)?));
        }
        Ok(found)
    }

    /// The provisioned user at `address`.
    pub async fn sip_user(&self, address: &SipAddress) -> Result<Option<ProvisionedUser>, StoreError> {
        self.db.query_one(&user_select(address)).await?.as_ref().map(user_of).transpose()
    }

    /// Every local user, by domain then user name (what Kamailio must have).
    pub async fn sip_local_users(&self) -> Result<Vec<ProvisionedUser>, StoreError> {
        let select = Query::select()
            .columns(USER_COLUMNS)
            .from("sip_users")
            .and_where(Expr::col("kind").eq(SipUserKind::Local.as_str()))
            .order_by("domain", sea_orm::Order::Asc)
            .order_by("username", sea_orm::Order::Asc)
            .take();
        self.db.query_all(&select).await?.iter().map(user_of).collect()
    }

    /// Every provisioned user's address matching `search`, by domain then user name.
    pub async fn sip_user_addresses(&self, search: Option<&Glob>) -> Result<Vec<SipAddress>, StoreError> {
        let mut select = Query::select()
            .columns(["username", "domain"])
            .from("sip_users")
            .order_by("domain", sea_orm::Order::Asc)
            .order_by("username", sea_orm::Order::Asc)
            .take();
        if let Some(glob) = search {
            let address = Expr::cust("username || '@' || domain");
            select.and_where(matches(address, glob));
        }
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| address_in(row, "username", "domain"))
            .collect()
    }
}

fn phone_count_select(address: &SipAddress) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count(), "phones")
        .from("sip_phones")
        .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
        .take()
}

fn phones_of(row: Option<sea_orm::QueryResult>) -> Result<u64, StoreError> {
    let phones: i64 = match row {
        Some(row) => row.try_get("", "phones").map_err(corrupt)?,
        None => 0,
    };
    Ok(u64::try_from(phones).unwrap_or(0))
}

impl Store {
    /// How many phones carry the user at `address`.
    pub async fn sip_phone_count(&self, address: &SipAddress) -> Result<u64, StoreError> {
        phones_of(self.db.query_one(&phone_count_select(address)).await?)
    }
}

impl WriteTx {
    /// The provisioned user at `address`, read in this transaction.
    pub async fn sip_user(&self, address: &SipAddress) -> Result<Option<ProvisionedUser>, StoreError> {
        self.tx.query_one(&user_select(address)).await?.as_ref().map(user_of).transpose()
    }

    /// Adds a provisioned user (the caller checked it is new).
    pub async fn insert_sip_user(&self, user: &ProvisionedUser, at: OffsetDateTime) -> Result<(), StoreError> {
        self.insert_sip_users(std::slice::from_ref(user), at).await.map_err(|error| match error {
            StoreError::Conflict(_) => StoreError::Conflict(format!("{} is already provisioned", user.address)),
            other => other,
        })
    }

    /// Adds provisioned users in multi-row statements (the caller checked they are new).
    pub async fn insert_sip_users(&self, users: &[ProvisionedUser], at: OffsetDateTime) -> Result<(), StoreError> {
        // 16 columns: 250 rows stay far inside both backends' bound-parameter limits.
        for chunk in users.chunks(250) {
            let mut insert = Query::insert().into_table("sip_users").columns(USER_COLUMNS.into_iter().chain(["created_at", "updated_at"])).take();
            for user in chunk {
                insert
                    .values([
                        user.address.user.as_str().into(),
                        user.address.domain.as_str().into(),
                        user.kind.as_str().into(),
                        user.displayname.clone().into(),
                        user.email.clone().into(),
                        user.password.clone().into(),
                        user.authid.clone().into(),
                        user.registrar.clone().into(),
                        i32::from(user.r_port).into(),
                        user.proxy.clone().into(),
                        i32::from(user.p_port).into(),
                        user.dialplan.clone().into(),
                        user.linetext.clone().into(),
                        user.account.map(|account| account.0).into(),
                        stored_time(at).into(),
                        stored_time(at).into(),
                    ])
                    .map_err(corrupt)?;
            }
            self.tx.execute(&insert).await?;
        }
        Ok(())
    }

    /// Replaces a provisioned user's editable fields (password, display name, dial plan,
    /// line text); `false` if there is no such user.
    pub async fn update_sip_user(&self, user: &ProvisionedUser, at: OffsetDateTime) -> Result<bool, StoreError> {
        let mut update = Query::update()
            .table("sip_users")
            .value("password", user.password.clone())
            .value("displayname", user.displayname.clone())
            .value("dialplan", user.dialplan.clone())
            .value("linetext", user.linetext.clone())
            .value("updated_at", stored_time(at))
            .take();
        update
            .and_where(Expr::col("username").eq(user.address.user.as_str()))
            .and_where(Expr::col("domain").eq(user.address.domain.as_str()));
        Ok(self.tx.execute(&update).await?.rows_affected() > 0)
    }

    /// Deletes a provisioned user; `false` if there was none. Its phones must be gone.
    pub async fn delete_sip_user(&self, address: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_users")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }

    /// How many phones carry the user at `address`, read in this transaction.
    pub async fn sip_phone_count(&self, address: &SipAddress) -> Result<u64, StoreError> {
        phones_of(self.tx.query_one(&phone_count_select(address)).await?)
    }

    /// Removes the aliases whose destination is `address`; returns their addresses.
    pub async fn delete_sip_aliases_to(&self, address: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        let mut select = Query::select().columns(["alias_username", "alias_domain"]).from("sip_aliases").take();
        at_address(&mut select, address);
        let aliases = self
            .tx
            .query_all(&select)
            .await?
            .iter()
            .map(|row| address_in(row, "alias_username", "alias_domain"))
            .collect::<Result<Vec<_>, _>>()?;
        let delete = Query::delete()
            .from_table("sip_aliases")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        self.tx.execute(&delete).await?;
        Ok(aliases)
    }
}

// Phones -------------------------------------------------------------------------------

fn user_id_of(address: &SipAddress) -> SelectStatement {
    let mut users = Query::select().column("id").from("sip_users").take();
    at_address(&mut users, address);
    users
}

impl Store {
    /// The users on the phone `mac`, by address.
    pub async fn sip_phone_users(&self, mac: &MacAddress) -> Result<Vec<SipAddress>, StoreError> {
        let select = Query::select()
            .columns([("sip_users", "username"), ("sip_users", "domain")])
            .from("sip_phones")
            .inner_join("sip_users", Expr::col(("sip_users", "id")).equals(("sip_phones", "sip_user_id")))
            .and_where(Expr::col(("sip_phones", "mac")).eq(mac.as_str()))
            .order_by(("sip_users", "domain"), sea_orm::Order::Asc)
            .order_by(("sip_users", "username"), sea_orm::Order::Asc)
            .take();
        self.db.query_all(&select).await?.iter().map(|row| address_in(row, "username", "domain")).collect()
    }

    /// The phones carrying the user at `address`, sorted.
    pub async fn sip_user_phones(&self, address: &SipAddress) -> Result<Vec<MacAddress>, StoreError> {
        let select = Query::select()
            .column("mac")
            .from("sip_phones")
            .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
            .order_by("mac", sea_orm::Order::Asc)
            .take();
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| MacAddress::parse(&row.try_get::<String>("", "mac").map_err(corrupt)?).map_err(corrupt))
            .collect()
    }

    /// Every phone with at least one user, matching `search` (over the twelve digits).
    pub async fn sip_phone_macs(&self, search: Option<&Glob>) -> Result<Vec<MacAddress>, StoreError> {
        let mut select = Query::select().distinct().column("mac").from("sip_phones").order_by("mac", sea_orm::Order::Asc).take();
        if let Some(glob) = search {
            select.and_where(matches(Expr::col("mac"), glob));
        }
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| MacAddress::parse(&row.try_get::<String>("", "mac").map_err(corrupt)?).map_err(corrupt))
            .collect()
    }
}

impl WriteTx {
    /// Puts the user at `address` on the phone `mac`; `Ok(false)` if there is no such user.
    /// A pair already present is a `Conflict`.
    pub async fn insert_sip_phone(&self, mac: &MacAddress, address: &SipAddress, at: OffsetDateTime) -> Result<bool, StoreError> {
        let Some(row) = self.tx.query_one(&user_id_of(address)).await? else {
            return Ok(false);
        };
        let user_id: i64 = row.try_get("", "id").map_err(corrupt)?;
        let insert = Query::insert()
            .into_table("sip_phones")
            .columns(["mac", "sip_user_id", "created_at"])
            .values([mac.as_str().into(), user_id.into(), stored_time(at).into()])
            .map_err(corrupt)?
            .take();
        self.tx.execute(&insert).await?;
        Ok(true)
    }

    /// Takes the user at `address` off the phone `mac`; `false` if it was not on it.
    pub async fn delete_sip_phone(&self, mac: &MacAddress, address: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_phones")
            .and_where(Expr::col("mac").eq(mac.as_str()))
            .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}

// Numbers ------------------------------------------------------------------------------

fn number_of(row: &sea_orm::QueryResult) -> Result<E164, StoreError> {
    E164::parse(&row.try_get::<String>("", "number").map_err(corrupt)?).map_err(corrupt)
}

impl Store {
    /// The pool's numbers matching `search`, ascending as text.
    pub async fn sip_numbers(&self, search: Option<&Glob>) -> Result<Vec<E164>, StoreError> {
        let mut select = Query::select().column("number").from("sip_numbers").order_by("number", sea_orm::Order::Asc).take();
        if let Some(glob) = search {
            select.and_where(matches(Expr::col("number"), glob));
        }
        self.db.query_all(&select).await?.iter().map(number_of).collect()
    }

    /// Whether `number` is in the pool.
    pub async fn sip_number_in_pool(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select().expr(Expr::val(1)).from("sip_numbers").and_where(Expr::col("number").eq(number.as_str())).take();
        Ok(self.db.query_one(&select).await?.is_some())
    }

    /// Every alias user part that is an E.164 number (numbers in use).
    pub async fn sip_aliased_numbers(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let select = Query::select().column("alias_username").from("sip_aliases").and_where(Expr::col("alias_username").like("+%")).take();
        self.db.query_all(&select).await?.iter().map(|row| row.try_get::<String>("", "alias_username").map_err(corrupt)).collect()
    }
}

impl WriteTx {
    /// Adds `number` to the pool; `false` if it was there already.
    pub async fn insert_sip_number(&self, number: &E164) -> Result<bool, StoreError> {
        Ok(self.insert_sip_numbers(std::slice::from_ref(number)).await? == 1)
    }

    /// Adds `numbers` to the pool in multi-row statements, skipping those already there;
    /// returns how many were added.
    pub async fn insert_sip_numbers(&self, numbers: &[E164]) -> Result<u64, StoreError> {
        let mut added = 0;
        for chunk in numbers.chunks(crate::outbox::BATCH_ROWS) {
            let mut insert = Query::insert().into_table("sip_numbers").columns(["number"]).take();
            for number in chunk {
                insert.values([number.as_str().into()]).map_err(corrupt)?;
            }
            insert.on_conflict(sea_orm::sea_query::OnConflict::column("number").do_nothing().to_owned());
            added += self.tx.execute(&insert).await?.rows_affected();
        }
        Ok(added)
    }

    /// Takes `number` out of the pool; `false` if it was not there.
    pub async fn delete_sip_number(&self, number: &E164) -> Result<bool, StoreError> {
        let delete = Query::delete().from_table("sip_numbers").and_where(Expr::col("number").eq(number.as_str())).take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }

    /// Whether `number` is the user part of an alias.
    pub async fn sip_number_aliased(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select().expr(Expr::val(1)).from("sip_aliases").and_where(Expr::col("alias_username").eq(number.as_str())).take();
        Ok(self.tx.query_one(&select).await?.is_some())
    }
}

// Aliases ------------------------------------------------------------------------------

/// An alias and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipAliasRow {
    /// `alias_username@alias_domain`.
    pub alias: SipAddress,
    /// `username@domain`.
    pub destination: SipAddress,
}

fn alias_row(row: &sea_orm::QueryResult) -> Result<SipAliasRow, StoreError> {
    Ok(SipAliasRow { alias: address_in(row, "alias_username", "alias_domain")?, destination: address_in(row, "username", "domain")? })
}

fn aliases_select() -> SelectStatement {
    Query::select()
        .columns(["alias_username", "alias_domain", "username", "domain"])
        .from("sip_aliases")
        .order_by("alias_domain", sea_orm::Order::Asc)
        .order_by("alias_username", sea_orm::Order::Asc)
        .take()
}

async fn aliases_to_in<C: ConnectionTrait>(db: &C, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
    let mut select = aliases_select();
    at_address(&mut select, destination);
    db.query_all(&select).await?.iter().map(|row| address_in(row, "alias_username", "alias_domain")).collect()
}

impl Store {
    /// Every alias matching `search` (over `alias@domain`), by alias.
    pub async fn sip_aliases(&self, search: Option<&Glob>) -> Result<Vec<SipAliasRow>, StoreError> {
        let mut select = aliases_select();
        if let Some(glob) = search {
            select.and_where(matches(Expr::cust("alias_username || '@' || alias_domain"), glob));
        }
        self.db.query_all(&select).await?.iter().map(alias_row).collect()
    }

    /// The aliases leading to `destination`, by alias.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.db, destination).await
    }
}

impl WriteTx {
    /// The alias at `alias`, read in this transaction.
    pub async fn sip_alias(&self, alias: &SipAddress) -> Result<Option<SipAliasRow>, StoreError> {
        let mut select = aliases_select();
        select
            .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
            .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()));
        self.tx.query_one(&select).await?.as_ref().map(alias_row).transpose()
    }

    /// The aliases leading to `destination`, read in this transaction.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.tx, destination).await
    }

    /// Adds an alias (the caller checked it is new: a duplicate is a `Conflict`).
    pub async fn insert_sip_alias(&self, alias: &SipAddress, destination: &SipAddress, at: OffsetDateTime) -> Result<(), StoreError> {
        let insert = Query::insert()
            .into_table("sip_aliases")
            .columns(["alias_username", "alias_domain", "username", "domain", "created_at"])
            .values([
                alias.user.as_str().into(),
                alias.domain.as_str().into(),
                destination.user.as_str().into(),
                destination.domain.as_str().into(),
                stored_time(at).into(),
            ])
            .map_err(corrupt)?
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }

    /// Removes an alias; `false` if there was none.
    pub async fn delete_sip_alias(&self, alias: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_aliases")
            .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
            .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_escaped_lower_case_like_patterns() {
        let pattern = |raw: &str| like_pattern(&Glob::parse(raw).unwrap().unwrap());
        assert_eq!(pattern("Bo"), "%bo%");
        assert_eq!(pattern("*@voip.*"), "%%@voip.%%");
        assert_eq!(pattern("a?c"), "%a_c%");
        assert_eq!(pattern("100%_\\"), "%100\\%\\_\\\\%");
    }

    #[test]
    fn searches_are_bound_on_both_backends() {
        use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
        let glob = Glob::parse("bo").unwrap().unwrap();
        let mut select = Query::select().column("username").from("sip_users").take();
        select.and_where(matches(Expr::cust("username || '@' || domain"), &glob));
        for (sql, _) in [select.build(SqliteQueryBuilder), select.build(PostgresQueryBuilder)] {
            assert!(sql.contains("LOWER(username || '@' || domain) LIKE") && sql.contains("ESCAPE"), "{sql}");
            assert!(!sql.contains("%bo%"), "the pattern is bound, not spelled: {sql}");
        }
    }
}
