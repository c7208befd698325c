//! `POST /sendmail`: plain and templated mail to contacts, through the outbox to the real
//! SMTP sink; refusals queue nothing.

use std::time::Duration;

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    sendmail_delivers_templated_mail_in_the_callers_language,
    sendmail_delivers_plain_mail_to_a_contact_number,
    sendmail_refusals_queue_nothing,
    operator_templates_are_mailed_and_checked,
);

async fn sendmail_delivers_templated_mail_in_the_callers_language(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url)]);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    // Case 39.
    let body = json!({"to": "all", "template": "maintenance", "template_args": {"startdate": "2030/01/01", "starttime": "08:00", "duration": "2"}});
    assert_eq!(answer(janua.post_json("/sendmail", Some(&sup), body).await).await, (200, json!({"success": true, "message": "SMS message has been queued"})));
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 1 }).await, "{}", janua.server.logs());
    let message = &delivered(maildir)[0];
    assert_eq!(header(message, "Subject"), Some("[Janua-SMS] Maintenance notification"));
    assert_eq!(header(message, "To"), Some("jane@example.org"));
    assert_eq!(header(message, "Reply-To"), Some("sup1@example.org"));
    assert!(message.contains("2030/01/01 at 08:00"), "{message}");
    // template_args as a string holding JSON (how the original declared it), in French.
    let response = janua
        .server
        .http
        .post(janua.server.url("/sendmail"))
        .header("JanuaAuthToken", &sup)
        .header("Accept-Language", "fr-FR,fr;q=0.9")
        .json(&json!({"to": "jane@example.org", "template": "maintenance", "template_args": "{\"startdate\": \"1/2\", \"starttime\": \"9:00\", \"duration\": 3}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(response).await.1["success"], true);
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 2 }).await);
    let all = delivered(maildir);
    assert!(all.iter().any(|message| header(message, "Subject") == Some("[Janua-SMS] Notification de maintenance")), "{all:?}");
}

async fn sendmail_delivers_plain_mail_to_a_contact_number(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url)]);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    let plain = json!({"to": "+33611111111", "subject": "Simple test", "message": "A simple test message"});
    assert_eq!(answer(janua.post_json("/sendmail", Some(&sup), plain).await).await, (200, json!({"success": true, "message": "SMS message has been queued"})));
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 1 }).await, "{}", janua.server.logs());
    let message = &delivered(maildir)[0];
    assert_eq!((header(message, "Subject"), header(message, "To")), (Some("Simple test"), Some("jane@example.org")));
    assert!(message.contains("A simple test message"), "{message}");
}

async fn sendmail_refusals_queue_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    for (body, message) in [
        // Case 40.
        (json!({"to": "all", "template": "nosuch"}), "Template nosuch not found"),
        (json!({"to": "all", "template": "maintenance", "template_args": {"startdate": "x"}}), "Missing template argument starttime"),
        (json!({"to": "all", "template": "maintenance", "template_args": 5}), "Wrong value for argument template_args"),
        (json!({"to": "all", "template": "maintenance", "template_args": "[1]"}), "Wrong value for argument template_args"),
        (json!({"to": "all", "subject": "s"}), "Message argument must be a string"),
        (json!({"to": "all", "message": "m"}), "Subject argument must be a string"),
        (json!({"subject": "s", "message": "m"}), "Failed to trigger action: Action argument to is required"),
        (json!({"to": "nobody@example.org", "subject": "s", "message": "m"}), "Mail nobody@example.org is invalid"),
        (json!({"to": "+33699999999", "subject": "s", "message": "m"}), "Number +33699999999 is not in your contact list"),
        (json!({"to": "NOPE", "subject": "s", "message": "m"}), "Group NOPE is invalid"),
        (json!({"to": "", "subject": "s", "message": "m"}), "No recipients was found to send email"),
        (json!({"to": "all", "subject": "two\nlines", "message": "m"}), "the subject must be one non-empty line"),
    ] {
        let (status, answer) = answer(janua.post_json("/sendmail", Some(&sup), body.clone()).await).await;
        assert_eq!((status, answer), (200, json!({"success": false, "message": message})), "{body}");
    }
    assert_eq!(answer(janua.post_json("/sendmail", None, json!({"to": "all"})).await).await.0, 401);
    assert_eq!(janua.get("/sendmail", Some(&sup)).await.status(), 405);
    assert_eq!(janua.server.readyz().await["outbox"]["pending"], 0, "nothing queued");
}

/// Templates from `faces.janua.mail_templates_dir`: one of the operator's own, and a
/// reworded built-in, both mailed through the real sink; a missing placeholder or a name
/// that tries to leave the directory queues nothing.
async fn operator_templates_are_mailed_and_checked(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let templates = tempfile::tempdir().unwrap();
    for (name, subject, body) in [
        ("outage", "[Janua-SMS] Outage at $site", "The $site site is down until ${until}."),
        ("maintenance", "[Janua-SMS] Planned work", "Work on $startdate at $starttime for $duration h."),
    ] {
        let dir = templates.path().join("EN").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("subject.txt"), subject).unwrap();
        std::fs::write(dir.join("body.txt"), body).unwrap();
    }
    let dir = templates.path().display().to_string();
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url), ("STEWARD_FACES__JANUA__MAIL_TEMPLATES_DIR", &dir)]);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    for (body, message) in [
        (json!({"to": "all", "template": "outage", "template_args": {"site": "Lyon"}}), "Missing template argument until"),
        (json!({"to": "all", "template": "../EN/outage", "template_args": {"site": "x", "until": "y"}}), "Template ../EN/outage not found"),
    ] {
        assert_eq!(answer(janua.post_json("/sendmail", Some(&sup), body).await).await.1["message"], message);
    }
    assert_eq!(janua.server.readyz().await["outbox"]["pending"], 0, "nothing queued");
    let outage = json!({"to": "all", "template": "outage", "template_args": {"site": "Lyon", "until": "noon"}});
    assert_eq!(answer(janua.post_json("/sendmail", Some(&sup), outage).await).await.1["success"], true);
    let planned = json!({"to": "all", "template": "maintenance", "template_args": {"startdate": "1/2", "starttime": "9:00", "duration": "3"}});
    assert_eq!(answer(janua.post_json("/sendmail", Some(&sup), planned).await).await.1["success"], true);
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 2 }).await, "{}", janua.server.logs());
    let all = delivered(maildir);
    let outage = all.iter().find(|message| header(message, "Subject") == Some("[Janua-SMS] Outage at Lyon")).unwrap_or_else(|| panic!("{all:?}"));
    assert!(outage.contains("The Lyon site is down until noon."), "{outage}");
    let planned = all.iter().find(|message| header(message, "Subject") == Some("[Janua-SMS] Planned work")).unwrap_or_else(|| panic!("{all:?}"));
    assert!(planned.contains("Work on 1/2 at 9:00 for 3 h."), "{planned}");
    // A directory that does not exist is refused at start-up.
    let refused = cli_with(&janua.db, &["config", "check"], "", &[("STEWARD_FACES__JANUA__MAIL_TEMPLATES_DIR", "/nonexistent/templates")]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("faces.janua.mail_templates_dir"), "{}", stderr(&refused));
}
