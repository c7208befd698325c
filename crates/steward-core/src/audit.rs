//! Building audit entries: every admin change writes one inside its own transaction.

use steward_model::NewAuditEntry;

use crate::Actor;

/// The entry for `actor` doing `action` to `target`, with extra facts (never a secret).
pub(crate) fn entry(actor: &Actor, action: &str, target: &str, detail: serde_json::Value) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.audit_name(),
        action: action.to_owned(),
        target: target.to_owned(),
        face: actor.face.to_owned(),
        detail,
    }
}
