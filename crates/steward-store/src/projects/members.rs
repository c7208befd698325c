//! Memberships: an account's place in a project, with dRofus' rights and flags and
//! Adjutant's role names; and what a database's `disableall`/`kickall` do to them.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::projects::{MemberProfile, ProjectId, ProjectMember, RightLevel, Rights};
use steward_model::{AccountId, Role};
use time::OffsetDateTime;

use crate::entity::{account, membership, membership_role, project, token};
use crate::{Store, StoreError, WriteTx, stored_time};

fn level(value: Option<i32>) -> Option<RightLevel> {
    value.and_then(|value| RightLevel::new(i64::from(value)))
}

fn stored_level(value: Option<RightLevel>) -> Option<i32> {
    value.map(|level| i32::from(level.get()))
}

fn member_of(row: membership::Model, login: String, roles: Vec<Role>) -> ProjectMember {
    ProjectMember {
        login,
        account_id: AccountId(row.account_id),
        project_id: ProjectId(row.project_id),
        profile: MemberProfile {
            role: row.role,
            user_role_id: row.user_role_id,
            superuser: row.superuser,
            rights: Rights(
                [
                    row.room_rights,
                    row.equipment_rights,
                    row.tender_rights,
                    row.consignation_rights,
                    row.system_rights,
                    row.modelstore_rights,
                    row.room_surface_treatment_rights,
                ]
                .map(level),
            ),
            addon_admin: row.addon_admin,
            no_web_admin_access: row.no_web_admin_access,
            hide_price: row.hide_price,
        },
        disabled: row.disabled,
        roles,
        created_at: row.created_at,
    }
}

/// `profile` written over `row`.
fn with_profile(mut row: membership::ActiveModel, profile: &MemberProfile) -> membership::ActiveModel {
    let [room, equipment, tender, consignation, system, modelstore, room_surface_treatment] = profile.rights.0.map(stored_level);
    row.role = Set(profile.role.clone());
    row.user_role_id = Set(profile.user_role_id);
    row.superuser = Set(profile.superuser);
    row.room_rights = Set(room);
    row.equipment_rights = Set(equipment);
    row.tender_rights = Set(tender);
    row.consignation_rights = Set(consignation);
    row.system_rights = Set(system);
    row.modelstore_rights = Set(modelstore);
    row.room_surface_treatment_rights = Set(room_surface_treatment);
    row.addon_admin = Set(profile.addon_admin);
    row.no_web_admin_access = Set(profile.no_web_admin_access);
    row.hide_price = Set(profile.hide_price);
    row
}

/// `rows` with their logins and roles, in two more statements per chunk.
async fn with_logins(db: &impl ConnectionTrait, rows: Vec<membership::Model>) -> Result<Vec<ProjectMember>, StoreError> {
    let mut logins: HashMap<i64, String> = HashMap::new();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for chunk in rows.chunks(crate::outbox::BATCH_ROWS) {
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(chunk.iter().map(|row| row.account_id)))
            .all(db)
            .await?;
        logins.extend(accounts.into_iter().map(|row| (row.id, row.login)));
        let held = membership_role::Entity::find()
            .filter(membership_role::Column::MembershipId.is_in(chunk.iter().map(|row| row.id)))
            .all(db)
            .await?;
        for role in held {
            let parsed = Role::parse(&role.role).map_err(|cause| StoreError::unreadable(format!("role {}", role.role), cause))?;
            roles.entry(role.membership_id).or_default().push(parsed);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let login = logins.get(&row.account_id).cloned().unwrap_or_default();
            let mut held = roles.remove(&row.id).unwrap_or_default();
            held.sort();
            member_of(row, login, held)
        })
        .collect())
}

/// The membership row of `account` in `project`, as a query.
fn pair(account: AccountId, project: ProjectId) -> sea_orm::Select<membership::Entity> {
    membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account.0))
        .filter(membership::Column::ProjectId.eq(project.0))
}

/// One row made a member, with its login and roles.
async fn one_member(db: &impl ConnectionTrait, row: membership::Model) -> Result<ProjectMember, StoreError> {
    with_logins(db, vec![row]).await?.pop().ok_or(StoreError::NotFound)
}

async fn find_member(db: &impl ConnectionTrait, account: AccountId, project: ProjectId) -> Result<Option<ProjectMember>, StoreError> {
    match pair(account, project).one(db).await? {
        Some(row) => Ok(Some(one_member(db, row).await?)),
        None => Ok(None),
    }
}

impl Store {
    /// Every membership, by project then login; with `project`, that project's only.
    pub async fn members(&self, project: Option<ProjectId>) -> Result<Vec<ProjectMember>, StoreError> {
        let mut query = membership::Entity::find().order_by_asc(membership::Column::ProjectId).order_by_asc(membership::Column::Id);
        if let Some(project) = project {
            query = query.filter(membership::Column::ProjectId.eq(project.0));
        }
        with_logins(&self.db, query.all(&self.db).await?).await
    }

    /// The membership of `account` in `project`.
    pub async fn member(&self, account: AccountId, project: ProjectId) -> Result<Option<ProjectMember>, StoreError> {
        find_member(&self.db, account, project).await
    }
}

/// The projects living in the database `tenant_database_id`, as a subquery.
fn projects_in(tenant_database_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(Expr::col(project::Column::TenantDatabaseId).eq(tenant_database_id))
        .take()
}

impl WriteTx {
    /// The membership of `account` in `project`, read in this transaction.
    pub async fn member(&self, account: AccountId, project: ProjectId) -> Result<Option<ProjectMember>, StoreError> {
        find_member(&self.tx, account, project).await
    }

    /// The accounts that are members of `project`, read in this transaction.
    pub async fn members_of(&self, project: ProjectId) -> Result<Vec<AccountId>, StoreError> {
        let ids: Vec<i64> = membership::Entity::find()
            .select_only()
            .column(membership::Column::AccountId)
            .filter(membership::Column::ProjectId.eq(project.0))
            .into_tuple()
            .all(&self.tx)
            .await?;
        Ok(ids.into_iter().map(AccountId).collect())
    }

    /// Makes `account` a member of `project`. An existing pair is [`StoreError::Conflict`].
    pub async fn insert_member(&self, account: AccountId, project: ProjectId, profile: &MemberProfile, now: OffsetDateTime) -> Result<ProjectMember, StoreError> {
        let now = stored_time(now);
        let row = membership::ActiveModel {
            account_id: Set(account.0),
            project_id: Set(project.0),
            disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let row = with_profile(row, profile).insert(&self.tx).await?;
        one_member(&self.tx, row).await
    }

    /// Writes a membership's profile.
    pub async fn update_member(&self, member: &ProjectMember, now: OffsetDateTime) -> Result<ProjectMember, StoreError> {
        let existing = pair(member.account_id, member.project_id).one(&self.tx).await?.ok_or(StoreError::NotFound)?;
        let mut row = with_profile(existing.into(), &member.profile);
        row.updated_at = Set(stored_time(now));
        one_member(&self.tx, row.update(&self.tx).await?).await
    }

    /// Ends the membership of `account` in `project`; whether there was one.
    pub async fn delete_member(&self, account: AccountId, project: ProjectId) -> Result<bool, StoreError> {
        let result = membership::Entity::delete_many()
            .filter(membership::Column::AccountId.eq(account.0))
            .filter(membership::Column::ProjectId.eq(project.0))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Replaces the role names a membership holds.
    pub async fn set_member_roles(&self, account: AccountId, project: ProjectId, roles: &[Role]) -> Result<(), StoreError> {
        let id = pair(account, project).one(&self.tx).await?.ok_or(StoreError::NotFound)?.id;
        membership_role::Entity::delete_many().filter(membership_role::Column::MembershipId.eq(id)).exec(&self.tx).await?;
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if !roles.is_empty() {
            membership_role::Entity::insert_many(
                roles.iter().map(|role| membership_role::ActiveModel { membership_id: Set(id), role: Set(role.as_str().to_owned()) }),
            )
            .exec(&self.tx)
            .await?;
        }
        Ok(())
    }

    /// Sets `disabled` on every membership of every project in the database; returns how
    /// many memberships changed.
    pub async fn set_database_members_disabled(&self, tenant_database_id: i64, disabled: bool, now: OffsetDateTime) -> Result<u64, StoreError> {
        let result = membership::Entity::update_many()
            .col_expr(membership::Column::Disabled, Expr::value(disabled))
            .col_expr(membership::Column::UpdatedAt, Expr::value(stored_time(now)))
            .filter(membership::Column::ProjectId.in_subquery(projects_in(tenant_database_id)))
            .filter(membership::Column::Disabled.ne(disabled))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected)
    }

    /// Revokes every live token opened on a project of the database; returns how many.
    pub async fn revoke_database_tokens(&self, tenant_database_id: i64, now: OffsetDateTime) -> Result<u64, StoreError> {
        let result = token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(stored_time(now)))
            .filter(token::Column::ProjectId.in_subquery(projects_in(tenant_database_id)))
            .filter(token::Column::RevokedAt.is_null())
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected)
    }
}
