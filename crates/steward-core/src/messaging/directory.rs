//! Janua's directory: contacts, groups and memberships. Every operation works within the
//! caller's own rows (nobody sees another admin's contacts, not even the super admin), and
//! every change is audited in its transaction.

use serde_json::json;
use steward_model::directory::{Contact, ContactAddress, ContactNumber, Group, GroupName, Membership};
use steward_model::AccountId;
use steward_model::filter::Search;
use steward_model::Page;
use steward_store::messaging::directory::ContactFields;

use crate::{Actor, Store, StoreError, audit, now};

/// What went wrong; faces turn these into their own envelopes.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// No such row among the caller's.
    #[error("no such row among yours")]
    NotFound,
    /// A referenced row (group, contact) is not the caller's.
    #[error("the group or contact is not yours")]
    Forbidden,
    /// The phone number matches none of `sms.prefix_filter`.
    #[error("the phone number matches none of the allowed prefixes")]
    PrefixNotAllowed,
    /// The same phone, e-mail, group name or membership already exists for the owner.
    #[error("{0}")]
    Duplicate(&'static str),
    /// A client's search names an unknown field or does not fit a column.
    #[error("{0}")]
    BadQuery(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

impl From<StoreError> for DirectoryError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadFilter(filter) => Self::BadQuery(filter.to_string()),
            other => Self::Store(other.into()),
        }
    }
}

/// A new contact: every field but the description is required, and parsed.
#[derive(Debug, Clone)]
pub struct NewContact {
    /// Family name, not empty.
    pub name: String,
    /// Given name, not empty.
    pub firstname: String,
    /// Phone number.
    pub phone_number: ContactNumber,
    /// Mail address.
    pub email: ContactAddress,
    /// Free text.
    pub description: Option<String>,
}

/// Changes to a contact (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    /// Family name, not empty.
    pub name: Option<String>,
    /// Given name, not empty.
    pub firstname: Option<String>,
    /// Phone number.
    pub phone_number: Option<ContactNumber>,
    /// Mail address.
    pub email: Option<ContactAddress>,
    /// Free text; `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

/// The directory service.
pub struct Directory {
    store: Store,
    prefix_filter: crate::messaging::prefix_filter::PrefixFilter,
}

fn duplicate(error: StoreError, what: &'static str) -> DirectoryError {
    match error {
        StoreError::Conflict(_) => DirectoryError::Duplicate(what),
        other => DirectoryError::Store(other.into()),
    }
}

impl Directory {
    pub(crate) fn new(store: Store, prefix_filter: crate::messaging::prefix_filter::PrefixFilter) -> Self {
        Self { store, prefix_filter }
    }

    /// The rule on a contact's number besides its syntax: `sms.prefix_filter`.
    fn check_prefix(&self, number: &ContactNumber) -> Result<(), DirectoryError> {
        if self.prefix_filter.allows(number.as_str()) { Ok(()) } else { Err(DirectoryError::PrefixNotAllowed) }
    }

    /// Creates a contact owned by `owner`.
    #[tracing::instrument(skip_all, fields(owner = %owner.0))]
    pub async fn create_contact(&self, actor: &Actor, owner: AccountId, new: NewContact) -> Result<Contact, DirectoryError> {
        self.check_prefix(&new.phone_number)?;
        let fields = ContactFields {
            name: new.name,
            firstname: new.firstname,
            phone_number: new.phone_number.into_string(),
            email: new.email.into_string(),
            description: new.description,
        };
        let at = now();
        let write = self.store.write().await?;
        let contact = write
            .insert_contact(owner, fields)
            .await
            .map_err(|error| duplicate(error, "a contact with this phone number or e-mail already exists"))?;
        write
            .audit(audit::entry(actor, "contact.create", &contact.id.to_string(), json!({ "owner": owner.0 })), at)
            .await?;
        write.commit().await?;
        Ok(contact)
    }

    /// Changes the given fields of `owner`'s contact `id`.
    #[tracing::instrument(skip_all, fields(owner = %owner.0, contact = id))]
    pub async fn update_contact(&self, actor: &Actor, owner: AccountId, id: i64, changes: ContactChanges) -> Result<Contact, DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        let current = write.contact(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        if let Some(number) = &changes.phone_number {
            self.check_prefix(number)?;
        }
        let fields = ContactFields {
            name: changes.name.unwrap_or(current.name),
            firstname: changes.firstname.unwrap_or(current.firstname),
            phone_number: changes.phone_number.map_or(current.phone_number, ContactNumber::into_string),
            email: changes.email.map_or(current.email, ContactAddress::into_string),
            description: changes.description.unwrap_or(current.description),
        };
        write
            .update_contact(owner, id, fields)
            .await
            .map_err(|error| duplicate(error, "a contact with this phone number or e-mail already exists"))?;
        write.audit(audit::entry(actor, "contact.update", &id.to_string(), json!({ "owner": owner.0 })), at).await?;
        let updated = write.contact(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        write.commit().await?;
        Ok(updated)
    }

    /// Deletes `owner`'s contact `id`, with its memberships.
    #[tracing::instrument(skip_all, fields(owner = %owner.0, contact = id))]
    pub async fn delete_contact(&self, actor: &Actor, owner: AccountId, id: i64) -> Result<(), DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_contact(owner, id).await? {
            return Err(DirectoryError::NotFound);
        }
        write.audit(audit::entry(actor, "contact.delete", &id.to_string(), json!({ "owner": owner.0 })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Creates a group owned by `owner`.
    #[tracing::instrument(skip_all, fields(owner = %owner.0))]
    pub async fn create_group(
        &self,
        actor: &Actor,
        owner: AccountId,
        name: GroupName,
        description: Option<String>,
    ) -> Result<Group, DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        let group = write
            .insert_group(owner, name.into_string(), description.unwrap_or_default())
            .await
            .map_err(|error| duplicate(error, "you already have a group with this name"))?;
        write.audit(audit::entry(actor, "group.create", &group.name, json!({ "owner": owner.0, "id": group.id })), at).await?;
        write.commit().await?;
        Ok(group)
    }

    /// Renames or re-describes `owner`'s group `id`.
    #[tracing::instrument(skip_all, fields(owner = %owner.0, group = id))]
    pub async fn update_group(
        &self,
        actor: &Actor,
        owner: AccountId,
        id: i64,
        name: Option<GroupName>,
        description: Option<String>,
    ) -> Result<Group, DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        let current = write.group(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        let name = name.map_or(current.name, GroupName::into_string);
        let description = description.unwrap_or(current.description);
        write
            .update_group(owner, id, name, description)
            .await
            .map_err(|error| duplicate(error, "you already have a group with this name"))?;
        write.audit(audit::entry(actor, "group.update", &id.to_string(), json!({ "owner": owner.0 })), at).await?;
        let updated = write.group(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        write.commit().await?;
        Ok(updated)
    }

    /// Deletes `owner`'s group `id`, with its memberships and ACL rows.
    #[tracing::instrument(skip_all, fields(owner = %owner.0, group = id))]
    pub async fn delete_group(&self, actor: &Actor, owner: AccountId, id: i64) -> Result<(), DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_group(owner, id).await? {
            return Err(DirectoryError::NotFound);
        }
        write.audit(audit::entry(actor, "group.delete", &id.to_string(), json!({ "owner": owner.0 })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Puts `owner`'s contact in `owner`'s group; either belonging to someone else is
    /// [`DirectoryError::Forbidden`].
    #[tracing::instrument(skip_all, fields(owner = %owner.0, group = group_id, contact = contact_id))]
    pub async fn add_member(&self, actor: &Actor, owner: AccountId, group_id: i64, contact_id: i64) -> Result<Membership, DirectoryError> {
        let at = now();
        let write = self.store.write().await?;
        if write.group(owner, group_id).await?.is_none() || write.contact(owner, contact_id).await?.is_none() {
            return Err(DirectoryError::Forbidden);
        }
        let membership = write
            .insert_membership(group_id, contact_id)
            .await
            .map_err(|error| duplicate(error, "the contact is already in this group"))?;
        write
            .audit(audit::entry(actor, "membership.create", &membership.id.to_string(), json!({ "group": group_id, "contact": contact_id })), at)
            .await?;
        write.commit().await?;
        Ok(membership)
    }

    /// Moves one of `owner`'s memberships to another of `owner`'s groups or contacts
    /// (Janua did not check the new ids; Steward does).
    #[tracing::instrument(skip_all, fields(owner = %owner.0, membership = id))]
    pub async fn update_member(
        &self,
        actor: &Actor,
        owner: AccountId,
        id: i64,
        group_id: Option<i64>,
        contact_id: Option<i64>,
    ) -> Result<Membership, DirectoryError> {
        let current = self.store.membership(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        let group_id = group_id.unwrap_or(current.group_id);
        let contact_id = contact_id.unwrap_or(current.contact_id);
        let at = now();
        let write = self.store.write().await?;
        if write.group(owner, group_id).await?.is_none() || write.contact(owner, contact_id).await?.is_none() {
            return Err(DirectoryError::Forbidden);
        }
        write
            .update_membership(id, group_id, contact_id)
            .await
            .map_err(|error| duplicate(error, "the contact is already in this group"))?;
        write.audit(audit::entry(actor, "membership.update", &id.to_string(), json!({ "group": group_id, "contact": contact_id })), at).await?;
        write.commit().await?;
        Ok(Membership { id, group_id, contact_id })
    }

    /// Removes one of `owner`'s memberships.
    #[tracing::instrument(skip_all, fields(owner = %owner.0, membership = id))]
    pub async fn remove_member(&self, actor: &Actor, owner: AccountId, id: i64) -> Result<(), DirectoryError> {
        let membership = self.store.membership(owner, id).await?.ok_or(DirectoryError::NotFound)?;
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_membership(membership).await? {
            return Err(DirectoryError::NotFound);
        }
        write.audit(audit::entry(actor, "membership.delete", &id.to_string(), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// A client's search over `owner`'s contacts, one page of it.
    pub async fn search_contacts(&self, owner: AccountId, search: &Search, skip: u64, page_size: u64) -> Result<Page<Contact>, DirectoryError> {
        Ok(self.store.search_contacts(owner, search, skip, page_size).await?)
    }

    /// A client's search over `owner`'s groups, one page of it.
    pub async fn search_groups(&self, owner: AccountId, search: &Search, skip: u64, page_size: u64) -> Result<Page<Group>, DirectoryError> {
        Ok(self.store.search_groups(owner, search, skip, page_size).await?)
    }

    /// A client's search over the memberships of `owner`'s groups, one page of it.
    pub async fn search_memberships(
        &self,
        owner: AccountId,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<Membership>, DirectoryError> {
        Ok(self.store.search_memberships(owner, search, skip, page_size).await?)
    }

    /// `owner`'s contact `id`.
    pub async fn contact(&self, owner: AccountId, id: i64) -> Result<Contact, DirectoryError> {
        self.store.contact(owner, id).await?.ok_or(DirectoryError::NotFound)
    }

    /// `owner`'s group `id`.
    pub async fn group(&self, owner: AccountId, id: i64) -> Result<Group, DirectoryError> {
        self.store.group(owner, id).await?.ok_or(DirectoryError::NotFound)
    }

    /// One of `owner`'s memberships.
    pub async fn membership(&self, owner: AccountId, id: i64) -> Result<Membership, DirectoryError> {
        self.store.membership(owner, id).await?.ok_or(DirectoryError::NotFound)
    }

    /// The groups of each contact (for rendering).
    pub async fn groups_of_contacts(&self, contacts: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Group>>, DirectoryError> {
        Ok(self.store.groups_of_contacts(contacts).await?)
    }

    /// The contacts of each group (for rendering).
    pub async fn contacts_of_groups(&self, groups: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Contact>>, DirectoryError> {
        Ok(self.store.contacts_of_groups(groups).await?)
    }
}
