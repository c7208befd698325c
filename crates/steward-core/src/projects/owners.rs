//! Owners of projects: names unique whatever their case, and an owner with projects stays.

use serde_json::json;
use steward_model::projects::{Owner, OwnerDetails, OwnerId};

use crate::invalid::{Invalid, MAX_TEXT, Problem, Sent};
use super::ProjectsError;
use crate::actor::ProjectsCapability;
use crate::{Store, audit, now};

/// An owner's fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct OwnerDraft {
    /// Required on create; unique whatever the case.
    pub name: Sent<String>,
    /// Postal address.
    pub address: Sent<String>,
    /// Where invoices go.
    pub billing_address: Sent<String>,
    /// A contact person.
    pub contact: Sent<String>,
    /// A logo's address.
    pub image: Sent<String>,
    /// Network notes.
    pub network: Sent<String>,
    /// Free text.
    pub note: Sent<String>,
    /// A technical contact.
    pub tech_contact: Sent<String>,
}

impl OwnerDraft {
    /// The details an owner ends with, over `current` (a create starts from none).
    fn details(self, current: OwnerDetails) -> OwnerDetails {
        OwnerDetails {
            address: self.address.applied(current.address),
            billing_address: self.billing_address.applied(current.billing_address),
            contact: self.contact.applied(current.contact),
            image: self.image.applied(current.image),
            network: self.network.applied(current.network),
            note: self.note.applied(current.note),
            tech_contact: self.tech_contact.applied(current.tech_contact),
        }
    }

    /// The problems of the details' lengths.
    fn check_details(&self, invalid: &mut Invalid) {
        for (field, sent) in [
            ("address", &self.address),
            ("billing_address", &self.billing_address),
            ("contact", &self.contact),
            ("image", &self.image),
            ("network", &self.network),
            ("note", &self.note),
            ("tech_contact", &self.tech_contact),
        ] {
            invalid.limit_text(field, sent, MAX_TEXT);
        }
    }
}

/// The owners service.
pub struct Owners {
    store: Store,
}

impl Owners {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Every owner, by id.
    pub async fn list(&self, _can: ProjectsCapability<'_>) -> Result<Vec<Owner>, ProjectsError> {
        Ok(self.store.owners().await?)
    }

    /// The owner `id`.
    pub async fn get(&self, _can: ProjectsCapability<'_>, id: OwnerId) -> Result<Owner, ProjectsError> {
        self.store.owner(id).await?.ok_or(ProjectsError::NotFound)
    }

    /// Creates an owner.
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, can: ProjectsCapability<'_>, draft: OwnerDraft) -> Result<Owner, ProjectsError> {
        let mut invalid = Invalid::default();
        invalid.require_text("name", &draft.name, MAX_TEXT);
        draft.check_details(&mut invalid);
        let at = now();
        let write = self.store.write().await?;
        let name = draft.name.text().map(str::to_owned);
        if let Some(name) = &name
            && write.owner_name_taken(name, None).await?
        {
            invalid.add("name", Problem::Taken);
        }
        invalid.into_result()?;
        let name = name.unwrap_or_default();
        let owner = write.insert_owner(&name, draft.details(OwnerDetails::default()), at).await?;
        write.audit(audit::entry(can.actor(), "owner.create", &owner.id.0.to_string(), json!({ "name": name })), at).await?;
        write.commit().await?;
        Ok(owner)
    }

    /// Changes what `draft` sends of the owner `id`.
    #[tracing::instrument(skip_all, fields(owner = id.0))]
    pub async fn update(&self, can: ProjectsCapability<'_>, id: OwnerId, draft: OwnerDraft) -> Result<Owner, ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let current = write.owner(id).await?.ok_or(ProjectsError::NotFound)?;
        let mut invalid = Invalid::default();
        if !matches!(draft.name, Sent::Absent) {
            invalid.require_text("name", &draft.name, MAX_TEXT);
        }
        draft.check_details(&mut invalid);
        let name = draft.name.text().map_or(current.name, str::to_owned);
        if write.owner_name_taken(&name, Some(id)).await? {
            invalid.add("name", Problem::Taken);
        }
        invalid.into_result()?;
        let owner = write.update_owner(id, &name, draft.details(current.details), at).await?;
        write.audit(audit::entry(can.actor(), "owner.update", &id.0.to_string(), json!({ "name": name })), at).await?;
        write.commit().await?;
        Ok(owner)
    }

    /// Deletes the owner `id`, unless it owns projects.
    #[tracing::instrument(skip_all, fields(owner = id.0))]
    pub async fn delete(&self, can: ProjectsCapability<'_>, id: OwnerId) -> Result<(), ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let owner = write.owner(id).await?.ok_or(ProjectsError::NotFound)?;
        if write.owned_project_count(id).await? > 0 {
            return Err(ProjectsError::HasDependents("projects"));
        }
        write.delete_owner(id).await?;
        write.audit(audit::entry(can.actor(), "owner.delete", &id.0.to_string(), json!({ "name": owner.name })), at).await?;
        write.commit().await?;
        Ok(())
    }
}
