//! Accounts as people: searched by any of their names, their personal fields changed, and
//! deleted with everything that hangs off them (roles, tokens, memberships cascade).

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::{Account, AccountId};
use time::OffsetDateTime;

use super::accounts::{email_is, parse_roles, to_account, with_roles};
use crate::entity::{account, account_role};
use crate::text::contains;
use crate::{Store, StoreError, WriteTx};

/// What a person's own fields become.
#[derive(Debug, Clone)]
pub struct PersonRow {
    /// Display name.
    pub name: String,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Mail address.
    pub email: Option<String>,
}

impl Store {
    /// Every account, ordered by login; with `needle`, only those whose login, given name,
    /// family name or e-mail contains it whatever the case (`%` and `_` are literal). Two
    /// queries whatever the number of accounts.
    pub async fn people(&self, needle: Option<&str>) -> Result<Vec<Account>, StoreError> {
        let mut query = account::Entity::find().order_by_asc(account::Column::LoginKey);
        if let Some(needle) = needle {
            let column = |column: account::Column| contains(Expr::col((account::Entity, column)), needle);
            query = query.filter(
                Condition::any()
                    .add(column(account::Column::Login))
                    .add(column(account::Column::GivenName))
                    .add(column(account::Column::FamilyName))
                    .add(column(account::Column::Email)),
            );
        }
        let rows = query.all(&self.db).await?;
        let mut roles: HashMap<i64, Vec<account_role::Model>> = HashMap::new();
        for chunk in rows.chunks(crate::outbox::BATCH_ROWS) {
            let held = account_role::Entity::find()
                .filter(account_role::Column::AccountId.is_in(chunk.iter().map(|row| row.id)))
                .all(&self.db)
                .await?;
            for role in held {
                roles.entry(role.account_id).or_default().push(role);
            }
        }
        rows.into_iter()
            .map(|row| {
                let held = roles.remove(&row.id).unwrap_or_default();
                Ok(to_account(row, parse_roles(held)?))
            })
            .collect()
    }
}

impl WriteTx {
    /// The account whose lower-cased login is `login_key`, read in this transaction.
    pub async fn account_by_login(&self, login_key: &str) -> Result<Option<Account>, StoreError> {
        match account::Entity::find().filter(account::Column::LoginKey.eq(login_key)).one(&self.tx).await? {
            Some(row) => Ok(Some(with_roles(&self.tx, row).await?)),
            None => Ok(None),
        }
    }

    /// The account `id`, read in this transaction.
    pub async fn account_by_id(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        match account::Entity::find_by_id(id.0).one(&self.tx).await? {
            Some(row) => Ok(Some(with_roles(&self.tx, row).await?)),
            None => Ok(None),
        }
    }

    /// The account whose uuid is `uuid`, read in this transaction.
    pub async fn account_by_uuid(&self, uuid: uuid::Uuid) -> Result<Option<Account>, StoreError> {
        match account::Entity::find().filter(account::Column::Uuid.eq(uuid)).one(&self.tx).await? {
            Some(row) => Ok(Some(with_roles(&self.tx, row).await?)),
            None => Ok(None),
        }
    }

    /// The oldest account whose e-mail is `email` (compared without case), read in this
    /// transaction.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let found = account::Entity::find().filter(super::accounts::email_is(email)).order_by_asc(account::Column::Id).one(&self.tx).await?;
        match found {
            Some(row) => Ok(Some(with_roles(&self.tx, row).await?)),
            None => Ok(None),
        }
    }

    /// Whether an account other than `except` has the e-mail `email`, whatever the case.
    pub async fn email_taken(&self, email: &str, except: Option<AccountId>) -> Result<bool, StoreError> {
        let mut query = account::Entity::find().filter(email_is(email));
        if let Some(except) = except {
            query = query.filter(account::Column::Id.ne(except.0));
        }
        Ok(sea_orm::PaginatorTrait::count(query, &self.tx).await? > 0)
    }

    /// Writes a person's own fields; returns the account as it now is.
    pub async fn update_person(&self, id: AccountId, person: PersonRow, now: OffsetDateTime) -> Result<Account, StoreError> {
        let row = account::ActiveModel {
            id: Set(id.0),
            name: Set(person.name),
            given_name: Set(person.given_name),
            family_name: Set(person.family_name),
            email: Set(person.email),
            updated_at: Set(crate::stored_time(now)),
            ..Default::default()
        };
        let row = sea_orm::ActiveModelTrait::update(row, &self.tx).await?;
        with_roles(&self.tx, row).await
    }

    /// Deletes an account; its roles, tokens, memberships, quotas and Janua rows go with it,
    /// and a SIP user it had is kept, unlinked.
    pub async fn delete_account(&self, id: AccountId) -> Result<(), StoreError> {
        let result = account::Entity::delete_by_id(id.0).exec(&self.tx).await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
