//! A refused `/sendsms` or `/sendmail`, in Janua's words: clients compare these strings.

use steward_core::messaging::send::{MAX_NAMED_RECIPIENTS, SendError};
use steward_core::messaging::templates::TemplateError;

/// Janua's message for a refusal. The store's failures are each service's own sentence and
/// are not worded here.
pub fn wording(error: &SendError) -> String {
    match error {
        SendError::Empty => "No recipients and/or message".to_owned(),
        SendError::NoDirectory => "No recipient was found in database for your account".to_owned(),
        SendError::InvalidGroup(group) => format!("Group {group} is invalid"),
        SendError::BadPrefix(number) => format!("Number {number} doesn't have a valid prefix"),
        SendError::InvalidNumber(number) => format!("Number {number} is invalid"),
        SendError::NoRecipients(to) => format!("No recipients was found in database to send SMS to {to}"),
        SendError::InvalidMail(address) => format!("Mail {address} is invalid"),
        SendError::NotAContact(number) => format!("Number {number} is not in your contact list"),
        SendError::TooManyNamed => {
            format!("Too many recipients: at most {MAX_NAMED_RECIPIENTS} numbers and addresses per request; put them in a group")
        }
        SendError::NoMailRecipients => "No recipients was found to send email".to_owned(),
        SendError::Template(TemplateError::NotFound(name)) => format!("Template {name} not found"),
        SendError::Template(TemplateError::MissingArgument(name)) => format!("Missing template argument {name}"),
        SendError::Template(TemplateError::Malformed(name)) => format!("Template {name} has a stray $"),
        SendError::QuotaReached { limit, noun } => format!("SMS quota reached ({limit} per {noun})"),
        SendError::Mail(why) => why.clone(),
        SendError::Accounting(_) | SendError::Store(_) => "Failed to queue, try again shortly".to_owned(),
    }
}
