//! Janua's SMS rules that do not depend on any wire format: how many parts a text costs,
//! what the `to` parameter names, and the `sms_quota` string.
//!
//! # Layout
//! - [`text`]: [`SmsText`], a message that can be sent, with its encoding and part count.
//! - [`recipients`]: [`Recipients`], the `to` grammar of Janua's `/sendsms` and `/sendmail`.
//! - [`quota`]: [`SmsQuota`], `"<limit> <D|W|M|Y>"`; its windows are in [`crate::quota_window`].

pub mod quota;
pub mod recipients;
pub mod report;
pub mod text;

pub use quota::SmsQuota;
pub use recipients::{RecipientToken, Recipients};
pub use text::{SmsEncoding, SmsSize, SmsText};
