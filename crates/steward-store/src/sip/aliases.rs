//! Aliases' rows: an address leading to a SIP account.

use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select, Set};
use steward_model::sip::{Glob, SipAddress, SipAlias};
use time::OffsetDateTime;

use super::{address, address_text, at_address, matches};
use crate::entity::sip_alias;
use crate::{Store, StoreError, WriteTx, stored_time};

fn alias_of(row: &sip_alias::Model) -> Result<SipAlias, StoreError> {
    Ok(SipAlias {
        alias: address(&row.alias_username, &row.alias_domain)?,
        destination: address(&row.username, &row.domain)?,
    })
}

/// Aliases by alias.
fn aliases() -> Select<sip_alias::Entity> {
    sip_alias::Entity::find().order_by_asc(sip_alias::Column::AliasDomain).order_by_asc(sip_alias::Column::AliasUsername)
}

/// The alias at `alias`.
fn alias_at(alias: &SipAddress) -> Select<sip_alias::Entity> {
    aliases().filter(at_address(sip_alias::Column::AliasUsername, sip_alias::Column::AliasDomain, alias))
}

async fn aliases_to_in<C: ConnectionTrait>(db: &C, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
    let rows = aliases().filter(at_address(sip_alias::Column::Username, sip_alias::Column::Domain, destination)).all(db).await?;
    rows.iter().map(|row| address(&row.alias_username, &row.alias_domain)).collect()
}

impl Store {
    /// Every alias matching `search` (over `alias@domain`), by alias.
    pub async fn sip_aliases(&self, search: Option<&Glob>) -> Result<Vec<SipAlias>, StoreError> {
        let mut select = aliases();
        if let Some(glob) = search {
            select = select.filter(matches(address_text(sip_alias::Column::AliasUsername, sip_alias::Column::AliasDomain), glob));
        }
        select.all(&self.db).await?.iter().map(alias_of).collect()
    }

    /// The alias at `alias`.
    pub async fn sip_alias(&self, alias: &SipAddress) -> Result<Option<SipAlias>, StoreError> {
        alias_at(alias).one(&self.db).await?.as_ref().map(alias_of).transpose()
    }

    /// The aliases leading to `destination`, by alias.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.db, destination).await
    }
}

impl WriteTx {
    /// The alias at `alias`, read in this transaction.
    pub async fn sip_alias(&self, alias: &SipAddress) -> Result<Option<SipAlias>, StoreError> {
        alias_at(alias).one(&self.tx).await?.as_ref().map(alias_of).transpose()
    }

    /// The aliases leading to `destination`, read in this transaction.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.tx, destination).await
    }

    /// Adds an alias (the caller checked it is new: a duplicate is a `Conflict`).
    pub async fn insert_sip_alias(&self, alias: &SipAddress, destination: &SipAddress, at: OffsetDateTime) -> Result<(), StoreError> {
        let row = sip_alias::ActiveModel {
            alias_username: Set(alias.user.as_str().to_owned()),
            alias_domain: Set(alias.domain.as_str().to_owned()),
            username: Set(destination.user.as_str().to_owned()),
            domain: Set(destination.domain.as_str().to_owned()),
            created_at: Set(stored_time(at)),
            ..Default::default()
        };
        sip_alias::Entity::insert(row).exec_without_returning(&self.tx).await?;
        Ok(())
    }

    /// Removes an alias; `false` if there was none.
    pub async fn delete_sip_alias(&self, alias: &SipAddress) -> Result<bool, StoreError> {
        let result = sip_alias::Entity::delete_many()
            .filter(at_address(sip_alias::Column::AliasUsername, sip_alias::Column::AliasDomain, alias))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }
}
