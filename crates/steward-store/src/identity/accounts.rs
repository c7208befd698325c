//! Accounts and their roles.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::{Account, AccountId, Role};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entity::{account, account_role};
use crate::{Store, StoreError, WriteTx, stored_time};

/// An account as written at creation.
#[derive(Debug, Clone)]
pub struct NewAccountRow {
    /// See [`Account::login`].
    pub login: String,
    /// Lower-cased login, the uniqueness key.
    pub login_key: String,
    /// See [`Account::name`].
    pub name: String,
    /// See [`Account::given_name`].
    pub given_name: Option<String>,
    /// See [`Account::family_name`].
    pub family_name: Option<String>,
    /// See [`Account::email`].
    pub email: Option<String>,
    /// See [`Account::phone`].
    pub phone: Option<String>,
    /// See [`Account::roles`].
    pub roles: Vec<Role>,
    /// The PHC string of the argon2id hash, or `None` for an external backend.
    pub password_hash: Option<String>,
    /// See [`Account::auth_backend`].
    pub auth_backend: steward_model::AuthBackend,
}

/// An account with the hash its password is checked against; never leaves the core.
#[derive(Debug, Clone)]
pub struct AccountWithSecret {
    /// The account.
    pub account: Account,
    /// Its argon2id PHC string, if it has a local password.
    pub password_hash: Option<String>,
}

pub(crate) fn to_account(row: account::Model, roles: Vec<Role>) -> Account {
    Account {
        id: AccountId(row.id),
        uuid: row.uuid,
        login: row.login,
        name: row.name,
        given_name: row.given_name,
        family_name: row.family_name,
        email: row.email,
        phone: row.phone,
        roles,
        active: row.active,
        auth_backend: steward_model::AuthBackend::from_stored(&row.auth_backend),
        terms_accepted_at: row.terms_accepted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub(crate) fn parse_roles(rows: Vec<account_role::Model>) -> Result<Vec<Role>, StoreError> {
    let mut roles = rows
        .into_iter()
        .map(|row| Role::parse(&row.role).map_err(|cause| StoreError::unreadable(format!("role {}", row.role), cause)))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(roles)
}

/// `row` as an account, with its roles read on `db` (the pool or a transaction).
pub(crate) async fn with_roles(db: &impl sea_orm::ConnectionTrait, row: account::Model) -> Result<Account, StoreError> {
    let roles = account_role::Entity::find().filter(account_role::Column::AccountId.eq(row.id)).all(db).await?;
    Ok(to_account(row, parse_roles(roles)?))
}

impl Store {
    async fn with_roles(&self, row: account::Model) -> Result<AccountWithSecret, StoreError> {
        let password_hash = row.password_hash.clone();
        Ok(AccountWithSecret { account: with_roles(&self.db, row).await?, password_hash })
    }

    /// The account whose lower-cased login is `login_key`.
    pub async fn account_by_login(&self, login_key: &str) -> Result<Option<AccountWithSecret>, StoreError> {
        let row = account::Entity::find()
            .filter(account::Column::LoginKey.eq(login_key))
            .one(&self.db)
            .await?;
        match row {
            Some(row) => Ok(Some(self.with_roles(row).await?)),
            None => Ok(None),
        }
    }

    /// The account with this numeric id.
    pub async fn account_by_id(&self, id: AccountId) -> Result<Option<AccountWithSecret>, StoreError> {
        match account::Entity::find_by_id(id.0).one(&self.db).await? {
            Some(row) => Ok(Some(self.with_roles(row).await?)),
            None => Ok(None),
        }
    }

    /// The account with this phone number (E.164, as stored).
    pub async fn account_by_phone(&self, phone: &str) -> Result<Option<AccountWithSecret>, StoreError> {
        let row = account::Entity::find().filter(account::Column::Phone.eq(phone)).one(&self.db).await?;
        match row {
            Some(row) => Ok(Some(self.with_roles(row).await?)),
            None => Ok(None),
        }
    }

    /// The account with this uuid.
    pub async fn account_by_uuid(&self, uuid: Uuid) -> Result<Option<Account>, StoreError> {
        let row = account::Entity::find().filter(account::Column::Uuid.eq(uuid)).one(&self.db).await?;
        match row {
            Some(row) => Ok(Some(self.with_roles(row).await?.account)),
            None => Ok(None),
        }
    }

    /// How many accounts exist (bootstrap creates the first admin only when none does).
    pub async fn account_count(&self) -> Result<u64, StoreError> {
        Ok(account::Entity::find().count(&self.db).await?)
    }

    /// Every account, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = account::Entity::find().order_by_asc(account::Column::Id).all(&self.db).await?;
        let mut accounts = Vec::with_capacity(rows.len());
        for row in rows {
            accounts.push(self.with_roles(row).await?.account);
        }
        Ok(accounts)
    }
}

impl Store {
    /// `(uuid, login)` of the accounts `uuids` names, in no particular order (unknown ones
    /// left out).
    pub async fn names_by_uuid(&self, uuids: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
        self.catalog(uuids, account::Column::Uuid, |uuid| sea_orm::Value::from(*uuid)).await
    }

    /// `(uuid, login)` of the accounts whose login is one of `logins`, in no particular order.
    pub async fn uuids_by_login(&self, logins: &[String]) -> Result<Vec<(Uuid, String)>, StoreError> {
        self.catalog(logins, account::Column::Login, |login| sea_orm::Value::from(login.clone())).await
    }

    /// Up to `limit` `(uuid, login)` of every account, by login, after the login `after`:
    /// one page of a catalog of everybody, read by key so no page costs more than the first.
    pub async fn catalog_page(&self, after: Option<&str>, limit: u64) -> Result<Vec<(Uuid, String)>, StoreError> {
        let mut query = account::Entity::find()
            .select_only()
            .column(account::Column::Uuid)
            .column(account::Column::Login)
            .order_by_asc(account::Column::Login)
            .limit(limit);
        if let Some(after) = after {
            query = query.filter(account::Column::Login.gt(after));
        }
        Ok(query.into_tuple().all(&self.db).await?)
    }

    async fn catalog<T>(&self, keys: &[T], column: account::Column, value: impl Fn(&T) -> sea_orm::Value) -> Result<Vec<(Uuid, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(crate::outbox::BATCH_ROWS) {
            let rows: Vec<(Uuid, String)> = account::Entity::find()
                .select_only()
                .column(account::Column::Uuid)
                .column(account::Column::Login)
                .filter(column.is_in(chunk.iter().map(&value)))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }
}

impl WriteTx {
    /// Inserts an account with its roles. A taken login is [`StoreError::Conflict`].
    pub async fn insert_account(&self, new: NewAccountRow, now: OffsetDateTime) -> Result<Account, StoreError> {
        let now = stored_time(now);
        let row = account::ActiveModel {
            uuid: Set(Uuid::new_v4()),
            login: Set(new.login),
            login_key: Set(new.login_key),
            name: Set(new.name),
            given_name: Set(new.given_name),
            family_name: Set(new.family_name),
            email: Set(new.email),
            phone: Set(new.phone),
            active: Set(true),
            password_hash: Set(new.password_hash),
            auth_backend: Set(new.auth_backend.as_str().to_owned()),
            terms_accepted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        let roles = self.insert_roles(row.id, &new.roles).await?;
        Ok(to_account(row, roles))
    }

    /// Replaces an account's password hash (or clears it for an external backend).
    pub async fn set_password_hash(&self, id: AccountId, hash: Option<String>, now: OffsetDateTime) -> Result<(), StoreError> {
        self.update_account(id, |row| row.password_hash = Set(hash), now).await
    }

    /// Gives an account a local password (whatever checked it before).
    pub async fn set_local_password(&self, id: AccountId, hash: String, now: OffsetDateTime) -> Result<(), StoreError> {
        let local = steward_model::AuthBackend::Local.as_str().to_owned();
        self.update_account(
            id,
            |row| {
                row.password_hash = Set(Some(hash));
                row.auth_backend = Set(local);
            },
            now,
        )
        .await
    }

    /// Changes an account's e-mail address, and its login with it when `login` is given.
    pub async fn set_email(&self, id: AccountId, email: &str, login: Option<&str>, now: OffsetDateTime) -> Result<(), StoreError> {
        let email = email.to_owned();
        let login = login.map(|login| (login.to_owned(), login.to_lowercase()));
        self.update_account(
            id,
            |row| {
                row.email = Set(Some(email));
                if let Some((login, key)) = login {
                    row.login = Set(login);
                    row.login_key = Set(key);
                }
            },
            now,
        )
        .await
    }

    /// Enables or disables an account.
    pub async fn set_active(&self, id: AccountId, active: bool, now: OffsetDateTime) -> Result<(), StoreError> {
        self.update_account(id, |row| row.active = Set(active), now).await
    }

    /// Records that the account accepted the terms at `now`.
    pub async fn accept_terms(&self, id: AccountId, now: OffsetDateTime) -> Result<(), StoreError> {
        self.update_account(id, |row| row.terms_accepted_at = Set(Some(stored_time(now))), now).await
    }

    async fn update_account(
        &self,
        id: AccountId,
        change: impl FnOnce(&mut account::ActiveModel),
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut row = account::ActiveModel { id: Set(id.0), ..Default::default() };
        change(&mut row);
        row.updated_at = Set(stored_time(now));
        let result = account::Entity::update_many()
            .set(row)
            .filter(account::Column::Id.eq(id.0))
            .exec(&self.tx)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Replaces the roles an account holds.
    pub async fn set_roles(&self, id: AccountId, roles: &[Role]) -> Result<(), StoreError> {
        account_role::Entity::delete_many()
            .filter(account_role::Column::AccountId.eq(id.0))
            .exec(&self.tx)
            .await?;
        self.insert_roles(id.0, roles).await?;
        Ok(())
    }

    /// Grants `roles` (deduplicated) to an account that holds none; returns them sorted.
    async fn insert_roles(&self, account_id: i64, roles: &[Role]) -> Result<Vec<Role>, StoreError> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if !roles.is_empty() {
            account_role::Entity::insert_many(roles.iter().map(|role| account_role::ActiveModel {
                account_id: Set(account_id),
                role: Set(role.as_str().to_owned()),
            }))
            .exec(&self.tx)
            .await?;
        }
        Ok(roles)
    }
}

/// `accounts.email` equals `email`, whatever the case of either.
pub(crate) fn email_is(email: &str) -> sea_orm::sea_query::SimpleExpr {
    let lowered: sea_orm::sea_query::SimpleExpr =
        sea_orm::sea_query::Func::lower(sea_orm::sea_query::Expr::col((account::Entity, account::Column::Email))).into();
    sea_orm::sea_query::ExprTrait::eq(lowered, email.to_lowercase())
}

impl Store {
    /// The oldest account whose e-mail is `email` (compared without case), for linking a new
    /// local SIP user to the one identity.
    pub async fn account_with_email(&self, email: &str) -> Result<Option<AccountId>, StoreError> {
        let found: Option<i64> = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .filter(email_is(email))
            .order_by_asc(account::Column::Id)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(found.map(AccountId))
    }

    /// Every account's id by its lower-cased e-mail (for linking a bulk import at once); the
    /// oldest account wins when two share an address.
    pub async fn accounts_by_email(&self) -> Result<std::collections::HashMap<String, AccountId>, StoreError> {
        let rows: Vec<(i64, Option<String>)> = account::Entity::find()
            .select_only()
            .columns([account::Column::Id, account::Column::Email])
            .filter(account::Column::Email.is_not_null())
            .order_by_desc(account::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        // Newest first, so the oldest is inserted last and wins.
        Ok(rows.into_iter().filter_map(|(id, email)| Some((email?.to_lowercase(), AccountId(id)))).collect())
    }
}
