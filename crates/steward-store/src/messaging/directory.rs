//! Janua's directory: contacts, groups and memberships, always read and written within
//! one owner's rows.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::{AccountId, Page};
use steward_model::directory::{Contact, Group, Membership};

use crate::entity::{janua_contact, janua_contact_group, janua_contact_notify_action, janua_group};
use crate::error::read;
use crate::filter::{self, ColumnKind, FieldSpec, Fields, Join, Owner, RelationKind, RelationSpec, Window};
use crate::{Store, StoreError, WriteTx};
use sea_orm::sea_query::{Asterisk, Query};
use sea_orm::{FromQueryResult, StatementBuilder};
use steward_model::filter::Search;

/// What clients may filter and order contacts on (Janua's wire names). Hidden columns are
/// absent, so they are unknown fields.
pub static CONTACT_FIELDS: Fields = Fields {
    table: &janua_contact::Entity,
    primary_key: &janua_contact::Column::Id,
    owner: Owner::Column(&janua_contact::Column::AdminId),
    fields: &[
        FieldSpec { name: "id", column: &janua_contact::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "name", column: &janua_contact::Column::Name, kind: ColumnKind::Text },
        FieldSpec { name: "firstname", column: &janua_contact::Column::Firstname, kind: ColumnKind::Text },
        FieldSpec { name: "phone_number", column: &janua_contact::Column::PhoneNumber, kind: ColumnKind::Text },
        FieldSpec { name: "email", column: &janua_contact::Column::Email, kind: ColumnKind::Text },
        FieldSpec { name: "description", column: &janua_contact::Column::Description, kind: ColumnKind::Text },
        FieldSpec { name: "admin_id", column: &janua_contact::Column::AdminId, kind: ColumnKind::Integer },
    ],
    relations: &[RelationSpec {
        name: "groups",
        kind: RelationKind::ToMany,
        target: &GROUP_FIELDS,
        join: Join::Link {
            local_key: &janua_contact_group::Column::ContactId,
            remote_key: &janua_contact_group::Column::GroupId,
            local: &janua_contact::Column::Id,
            remote: &janua_group::Column::Id,
        },
    }],
};

/// What clients may filter and order groups on.
pub static GROUP_FIELDS: Fields = Fields {
    table: &janua_group::Entity,
    primary_key: &janua_group::Column::Id,
    owner: Owner::Column(&janua_group::Column::AdminId),
    fields: &[
        FieldSpec { name: "id", column: &janua_group::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "name", column: &janua_group::Column::Name, kind: ColumnKind::Text },
        FieldSpec { name: "description", column: &janua_group::Column::Description, kind: ColumnKind::Text },
        FieldSpec { name: "admin_id", column: &janua_group::Column::AdminId, kind: ColumnKind::Integer },
    ],
    relations: &[RelationSpec {
        name: "contacts",
        kind: RelationKind::ToMany,
        target: &CONTACT_FIELDS,
        join: Join::Link {
            local_key: &janua_contact_group::Column::GroupId,
            remote_key: &janua_contact_group::Column::ContactId,
            local: &janua_group::Column::Id,
            remote: &janua_contact::Column::Id,
        },
    }],
};

/// What clients may filter and order memberships on; a membership belongs to its group's owner.
pub static MEMBERSHIP_FIELDS: Fields = Fields {
    table: &janua_contact_group::Entity,
    primary_key: &janua_contact_group::Column::Id,
    owner: Owner::Parent {
        column: &janua_contact_group::Column::GroupId,
        key: &janua_group::Column::Id,
        owner: &janua_group::Column::AdminId,
    },
    fields: &[
        FieldSpec { name: "id", column: &janua_contact_group::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "group_id", column: &janua_contact_group::Column::GroupId, kind: ColumnKind::Integer },
        FieldSpec { name: "contact_id", column: &janua_contact_group::Column::ContactId, kind: ColumnKind::Integer },
    ],
    relations: &[],
};

/// A contact's fields as written (the owner comes separately).
#[derive(Debug, Clone, Default)]
pub struct ContactFields {
    /// Family name.
    pub name: String,
    /// Given name.
    pub firstname: String,
    /// Phone number.
    pub phone_number: String,
    /// Mail address.
    pub email: String,
    /// Free text.
    pub description: Option<String>,
}

pub(crate) fn to_contact(row: janua_contact::Model) -> Contact {
    Contact {
        id: row.id,
        owner: AccountId(row.admin_id),
        name: row.name,
        firstname: row.firstname,
        phone_number: row.phone_number,
        email: row.email,
        description: row.description,
    }
}

pub(crate) fn to_group(row: janua_group::Model) -> Group {
    Group { id: row.id, owner: AccountId(row.admin_id), name: row.name, description: row.description }
}

fn to_membership(row: janua_contact_group::Model) -> Membership {
    Membership { id: row.id, group_id: row.group_id, contact_id: row.contact_id }
}

async fn contact_in<C: ConnectionTrait>(db: &C, owner: AccountId, id: i64) -> Result<Option<Contact>, StoreError> {
    let row = janua_contact::Entity::find_by_id(id)
        .filter(janua_contact::Column::AdminId.eq(owner.0))
        .one(db)
        .await?;
    Ok(row.map(to_contact))
}

async fn group_in<C: ConnectionTrait>(db: &C, owner: AccountId, id: i64) -> Result<Option<Group>, StoreError> {
    let row = janua_group::Entity::find_by_id(id).filter(janua_group::Column::AdminId.eq(owner.0)).one(db).await?;
    Ok(row.map(to_group))
}

impl Store {
    /// Runs a client's search over `owner`'s rows of one model (every row with `None`): the
    /// total and one page.
    pub(crate) async fn search_rows<M: FromQueryResult>(
        &self,
        fields: &Fields,
        owner: Option<AccountId>,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<M>, StoreError> {
        let mut base = Query::select().from(fields.table.name()).take();
        if let Some(owner) = owner {
            base.and_where(fields.owner.condition(owner.0));
        }
        let counted = match (owner, crate::paging::is_counted(fields)) {
            (Some(owner), Some(table)) if search.filters().is_empty() && search.order_by().is_empty() => Some((table, owner)),
            _ => None,
        };
        let mut window = Window::of_page(search, skip, page_size);
        let mut rows = base.clone();
        let total = match counted {
            // A plain list of a counted table: the kept count, and a remembered start.
            Some((table, owner)) => {
                let counts = self.owner_rows(table, owner).await?;
                window.offset = self.seek(&mut rows, fields, table, owner, counts, window.offset).await?;
                counts.count
            }
            None => {
                let condition = filter::condition(search, fields, self.backend, &self.local_zone)?;
                base.cond_where(condition.clone());
                rows.cond_where(condition);
                let mut count = base;
                count.expr_as(Expr::col(Asterisk).count(), "total");
                let total: i64 = match self.db.query_one(&count).await? {
                    Some(row) => read(&row, "total")?,
                    None => 0,
                };
                u64::try_from(total).unwrap_or(0)
            }
        };
        let total = Window::matched(search, total);
        rows.column((fields.table.name(), Asterisk));
        filter::apply_order(&mut rows, search.order_by(), fields)?;
        window.apply(&mut rows);
        let statement = StatementBuilder::build(&rows, &self.db.get_database_backend());
        let rows = M::find_by_statement(statement).all(&self.db).await?;
        Ok(Page { total, rows })
    }

    /// A client's search over `owner`'s contacts.
    pub async fn search_contacts(&self, owner: AccountId, search: &Search, skip: u64, page_size: u64) -> Result<Page<Contact>, StoreError> {
        let page = self.search_rows::<janua_contact::Model>(&CONTACT_FIELDS, Some(owner), search, skip, page_size).await?;
        Ok(Page { total: page.total, rows: page.rows.into_iter().map(to_contact).collect() })
    }

    /// A client's search over `owner`'s groups.
    pub async fn search_groups(&self, owner: AccountId, search: &Search, skip: u64, page_size: u64) -> Result<Page<Group>, StoreError> {
        let page = self.search_rows::<janua_group::Model>(&GROUP_FIELDS, Some(owner), search, skip, page_size).await?;
        Ok(Page { total: page.total, rows: page.rows.into_iter().map(to_group).collect() })
    }

    /// A client's search over the memberships of `owner`'s groups.
    pub async fn search_memberships(
        &self,
        owner: AccountId,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<Membership>, StoreError> {
        let page =
            self.search_rows::<janua_contact_group::Model>(&MEMBERSHIP_FIELDS, Some(owner), search, skip, page_size).await?;
        Ok(Page { total: page.total, rows: page.rows.into_iter().map(to_membership).collect() })
    }

    /// `owner`'s contact `id`.
    pub async fn contact(&self, owner: AccountId, id: i64) -> Result<Option<Contact>, StoreError> {
        contact_in(&self.db, owner, id).await
    }

    /// `owner`'s group `id`.
    pub async fn group(&self, owner: AccountId, id: i64) -> Result<Option<Group>, StoreError> {
        group_in(&self.db, owner, id).await
    }

    /// The membership `id`, when its group belongs to `owner`.
    pub async fn membership(&self, owner: AccountId, id: i64) -> Result<Option<Membership>, StoreError> {
        let Some(row) = janua_contact_group::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        Ok(group_in(&self.db, owner, row.group_id).await?.map(|_| to_membership(row)))
    }

    /// Every contact of `owner`, by id.
    pub async fn contacts_of(&self, owner: AccountId) -> Result<Vec<Contact>, StoreError> {
        let rows = janua_contact::Entity::find()
            .filter(janua_contact::Column::AdminId.eq(owner.0))
            .order_by_asc(janua_contact::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(to_contact).collect())
    }

    /// Every group of `owner`, by id.
    pub async fn groups_of(&self, owner: AccountId) -> Result<Vec<Group>, StoreError> {
        let rows = janua_group::Entity::find()
            .filter(janua_group::Column::AdminId.eq(owner.0))
            .order_by_asc(janua_group::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(to_group).collect())
    }

    /// The groups of each of `contacts` (for rendering a contact's `groups`).
    pub async fn groups_of_contacts(&self, contacts: &[i64]) -> Result<HashMap<i64, Vec<Group>>, StoreError> {
        let links = janua_contact_group::Entity::find()
            .filter(janua_contact_group::Column::ContactId.is_in(contacts.iter().copied()))
            .all(&self.db)
            .await?;
        let groups = janua_group::Entity::find()
            .filter(janua_group::Column::Id.is_in(links.iter().map(|link| link.group_id)))
            .order_by_asc(janua_group::Column::Id)
            .all(&self.db)
            .await?;
        let by_id: HashMap<i64, Group> = groups.into_iter().map(|row| (row.id, to_group(row))).collect();
        let mut result: HashMap<i64, Vec<Group>> = HashMap::new();
        for link in links {
            if let Some(group) = by_id.get(&link.group_id) {
                result.entry(link.contact_id).or_default().push(group.clone());
            }
        }
        for list in result.values_mut() {
            list.sort_by_key(|group| group.id);
        }
        Ok(result)
    }

    /// The contacts of each of `groups` (for rendering a group's `contacts`).
    pub async fn contacts_of_groups(&self, groups: &[i64]) -> Result<HashMap<i64, Vec<Contact>>, StoreError> {
        let links = janua_contact_group::Entity::find()
            .filter(janua_contact_group::Column::GroupId.is_in(groups.iter().copied()))
            .all(&self.db)
            .await?;
        let contacts = janua_contact::Entity::find()
            .filter(janua_contact::Column::Id.is_in(links.iter().map(|link| link.contact_id)))
            .all(&self.db)
            .await?;
        let by_id: HashMap<i64, Contact> = contacts.into_iter().map(|row| (row.id, to_contact(row))).collect();
        let mut result: HashMap<i64, Vec<Contact>> = HashMap::new();
        for link in links {
            if let Some(contact) = by_id.get(&link.contact_id) {
                result.entry(link.group_id).or_default().push(contact.clone());
            }
        }
        for list in result.values_mut() {
            list.sort_by_key(|contact| contact.id);
        }
        Ok(result)
    }
}

impl WriteTx {
    /// `owner`'s contact `id`, read inside this transaction.
    pub async fn contact(&self, owner: AccountId, id: i64) -> Result<Option<Contact>, StoreError> {
        contact_in(&self.tx, owner, id).await
    }

    /// `owner`'s group `id`, read inside this transaction.
    pub async fn group(&self, owner: AccountId, id: i64) -> Result<Option<Group>, StoreError> {
        group_in(&self.tx, owner, id).await
    }

    /// Inserts a contact. A phone number or e-mail the owner already has is a conflict.
    pub async fn insert_contact(&self, owner: AccountId, fields: ContactFields) -> Result<Contact, StoreError> {
        let row = janua_contact::ActiveModel {
            admin_id: Set(owner.0),
            name: Set(fields.name),
            firstname: Set(fields.firstname),
            phone_number: Set(fields.phone_number),
            email: Set(fields.email),
            description: Set(fields.description),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(to_contact(row))
    }

    /// Replaces the fields of `owner`'s contact `id`; `false` if it is not theirs.
    pub async fn update_contact(&self, owner: AccountId, id: i64, fields: ContactFields) -> Result<bool, StoreError> {
        let result = janua_contact::Entity::update_many()
            .col_expr(janua_contact::Column::Name, Expr::value(fields.name))
            .col_expr(janua_contact::Column::Firstname, Expr::value(fields.firstname))
            .col_expr(janua_contact::Column::PhoneNumber, Expr::value(fields.phone_number))
            .col_expr(janua_contact::Column::Email, Expr::value(fields.email))
            .col_expr(janua_contact::Column::Description, Expr::value(fields.description))
            .filter(janua_contact::Column::Id.eq(id))
            .filter(janua_contact::Column::AdminId.eq(owner.0))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Deletes `owner`'s contact `id` (its memberships and notifications go with it).
    pub async fn delete_contact(&self, owner: AccountId, id: i64) -> Result<bool, StoreError> {
        let result = janua_contact::Entity::delete_many()
            .filter(janua_contact::Column::Id.eq(id))
            .filter(janua_contact::Column::AdminId.eq(owner.0))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Inserts a group. A name the owner already uses is a conflict.
    pub async fn insert_group(&self, owner: AccountId, name: String, description: String) -> Result<Group, StoreError> {
        let row = janua_group::ActiveModel {
            admin_id: Set(owner.0),
            name: Set(name),
            description: Set(description),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(to_group(row))
    }

    /// Renames or re-describes `owner`'s group `id`; `false` if it is not theirs.
    pub async fn update_group(&self, owner: AccountId, id: i64, name: String, description: String) -> Result<bool, StoreError> {
        let result = janua_group::Entity::update_many()
            .col_expr(janua_group::Column::Name, Expr::value(name))
            .col_expr(janua_group::Column::Description, Expr::value(description))
            .filter(janua_group::Column::Id.eq(id))
            .filter(janua_group::Column::AdminId.eq(owner.0))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Deletes `owner`'s group `id` (memberships and ACL rows go with it).
    pub async fn delete_group(&self, owner: AccountId, id: i64) -> Result<bool, StoreError> {
        let result = janua_group::Entity::delete_many()
            .filter(janua_group::Column::Id.eq(id))
            .filter(janua_group::Column::AdminId.eq(owner.0))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Puts a contact in a group (the caller checked both belong to the same owner).
    pub async fn insert_membership(&self, group_id: i64, contact_id: i64) -> Result<Membership, StoreError> {
        let row = janua_contact_group::ActiveModel { group_id: Set(group_id), contact_id: Set(contact_id), ..Default::default() }
            .insert(&self.tx)
            .await?;
        Ok(to_membership(row))
    }

    /// Moves a membership to another group and contact (both checked by the caller).
    pub async fn update_membership(&self, id: i64, group_id: i64, contact_id: i64) -> Result<bool, StoreError> {
        let result = janua_contact_group::Entity::update_many()
            .col_expr(janua_contact_group::Column::GroupId, Expr::value(group_id))
            .col_expr(janua_contact_group::Column::ContactId, Expr::value(contact_id))
            .filter(janua_contact_group::Column::Id.eq(id))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Takes a contact out of a group, and drops the notifications registered for that
    /// contact through that group (Janua's trigger).
    pub async fn delete_membership(&self, membership: Membership) -> Result<bool, StoreError> {
        janua_contact_notify_action::Entity::delete_many()
            .filter(janua_contact_notify_action::Column::ContactId.eq(membership.contact_id))
            .filter(janua_contact_notify_action::Column::GroupId.eq(membership.group_id))
            .exec(&self.tx)
            .await?;
        let result = janua_contact_group::Entity::delete_by_id(membership.id).exec(&self.tx).await?;
        Ok(result.rows_affected > 0)
    }
}
