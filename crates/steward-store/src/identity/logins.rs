//! Successful logins that carried a project, by client kind: what dRofus' `/node/logins`
//! counts. And the projects an account may open a session on.

use std::collections::BTreeMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use steward_model::AccountId;
use steward_model::projects::{ClientKind, LoginCount, ProjectId};
use time::OffsetDateTime;

use crate::entity::{login_event, membership, project, tenant_database};
use crate::{Store, StoreError, WriteTx, stored_time};

/// A project an account is a member of, as a login sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The project.
    pub project: ProjectId,
    /// Its name.
    pub name: String,
    /// Disabled there by a database's `disableall`.
    pub disabled: bool,
}

impl Store {
    /// The projects `account` is a member of, by id.
    pub async fn memberships_of(&self, account: AccountId) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(i64, bool)> = membership::Entity::find()
            .select_only()
            .columns([membership::Column::ProjectId, membership::Column::Disabled])
            .filter(membership::Column::AccountId.eq(account.0))
            .into_tuple()
            .all(&self.db)
            .await?;
        let names: BTreeMap<i64, String> = project::Entity::find()
            .filter(project::Column::Id.is_in(rows.iter().map(|(id, _)| *id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        let mut found: Vec<Membership> = rows
            .into_iter()
            .filter_map(|(id, disabled)| Some(Membership { project: ProjectId(id), name: names.get(&id)?.clone(), disabled }))
            .collect();
        found.sort_by_key(|membership| membership.project);
        Ok(found)
    }

    /// Logins from `from` (inclusive) to `to` (exclusive), counted per project, client kind
    /// and UTC month; ordered by project, year, month, client.
    pub async fn login_counts(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<LoginCount>, StoreError> {
        let events: Vec<(i64, String, OffsetDateTime)> = login_event::Entity::find()
            .select_only()
            .columns([login_event::Column::ProjectId, login_event::Column::Client, login_event::Column::At])
            .filter(login_event::Column::At.gte(stored_time(from)))
            .filter(login_event::Column::At.lt(stored_time(to)))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts: BTreeMap<(i64, i32, u8, String), u64> = BTreeMap::new();
        for (project, client, at) in events {
            let at = at.to_offset(time::UtcOffset::UTC);
            *counts.entry((project, at.year(), u8::from(at.month()), client)).or_default() += 1;
        }
        let projects = project::Entity::find()
            .filter(project::Column::Id.is_in(counts.keys().map(|(project, ..)| *project)))
            .all(&self.db)
            .await?;
        let databases: BTreeMap<i64, String> = tenant_database::Entity::find()
            .filter(tenant_database::Column::Id.is_in(projects.iter().filter_map(|row| row.tenant_database_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect();
        let projects: BTreeMap<i64, (String, Option<String>)> = projects
            .into_iter()
            .map(|row| (row.id, (row.name, row.tenant_database_id.and_then(|id| databases.get(&id).cloned()))))
            .collect();
        Ok(counts
            .into_iter()
            .filter_map(|((project, year, month, client), count)| {
                let (name, database) = projects.get(&project)?.clone();
                Some(LoginCount { project_id: ProjectId(project), project_name: name, database, client: ClientKind::stored(client), year, month, count })
            })
            .collect())
    }
}

impl WriteTx {
    /// Records a successful login of `account` into `project` from a `client`.
    pub async fn record_login(&self, account: AccountId, project: ProjectId, client: &ClientKind, at: OffsetDateTime) -> Result<(), StoreError> {
        login_event::ActiveModel {
            account_id: Set(account.0),
            project_id: Set(project.0),
            client: Set(client.as_str().to_owned()),
            at: Set(stored_time(at)),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }
}
