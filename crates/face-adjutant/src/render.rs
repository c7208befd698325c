//! Tasks, tokens and notifications as Adjutant's JSON: Django REST framework's datetimes
//! (UTC, microseconds, `Z`), `null` for unset, ids as strings.

use serde_json::{Value, json};
use steward_model::workflow::{Acknowledgement, Notification, Task, TaskToken};
use time::OffsetDateTime;

/// DRF's rendering of a datetime: `2017-08-30T21:29:48.484441Z`.
pub fn datetime(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        utc.microsecond()
    )
}

fn optional(at: Option<OffsetDateTime>) -> Value {
    at.map_or(Value::Null, |at| Value::String(datetime(at)))
}

/// A task; `ip_address` only for admins.
pub fn task(task: &Task, admin: bool) -> Value {
    let approval = task.stage.approval();
    let mut action_notes = task.action_notes.clone();
    for action in &task.actions {
        action_notes.entry(action.name.clone()).or_insert_with(|| Value::Array(Vec::new()));
    }
    let mut rendered = json!({
        "uuid": task.uuid,
        "keystone_user": task.keystone_user,
        "project_id": task.project.map(|project| project.0.to_string()),
        "approved_by": approval.map_or_else(|| json!({}), |approval| Value::Object(approval.by.clone())),
        "task_type": task.task_type.as_str(),
        "task_notes": task.task_notes,
        "action_notes": action_notes,
        "actions": task.actions.iter().map(|action| json!({ "action_name": action.name, "data": action.data, "valid": action.valid })).collect::<Vec<_>>(),
        "cancelled": task.stage.is_cancelled(),
        "approved": approval.is_some(),
        "completed": task.stage.completed_on().is_some(),
        "created_on": datetime(task.created_on),
        "approved_on": optional(approval.map(|approval| approval.on)),
        "completed_on": optional(task.stage.completed_on()),
    });
    if admin && let Some(map) = rendered.as_object_mut() {
        map.insert("ip_address".to_owned(), task.ip_address.clone().map_or(Value::Null, Value::String));
    }
    rendered
}

/// A task token, as admins list them.
pub fn token(token: &TaskToken) -> Value {
    json!({
        "task": token.task,
        "task_type": token.task_type.as_str(),
        "token": token.token,
        "created_on": datetime(token.life.created_on),
        "expires": datetime(token.life.expires),
    })
}

/// A notification.
pub fn notification(notification: &Notification) -> Value {
    json!({
        "uuid": notification.uuid,
        "notes": notification.notes,
        "task": notification.task,
        "error": notification.error,
        "acknowledged": notification.acknowledgement == Acknowledgement::Acknowledged,
        "created_on": datetime(notification.created_on),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_have_microseconds_and_z() {
        let at = time::macros::datetime!(2017-08-30 21:29:48.484441 +02:00);
        assert_eq!(datetime(at), "2017-08-30T19:29:48.484441Z");
        assert_eq!(datetime(OffsetDateTime::UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }
}
