//! Bad input to every endpoint: a clear 4xx in problem details, never a 5xx, nothing changed.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(bad_bodies_are_4xx_and_change_nothing);

async fn bad_bodies_are_4xx_and_change_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let admin = server.admin_token().await;
    let audit_before = server.get_json("/steward/v1/audit?limit=1000", &admin).await.1;
    let huge = vec![b'a'; 10 * 1024 * 1024];
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("application/json", "broken JSON", b"{\"login\": ".to_vec()),
        ("text/plain", "wrong content type", b"{\"login\":\"admin\",\"password\":\"x\"}".to_vec()),
        ("application/json", "invalid UTF-8", vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
        ("application/json", "wrong shape", b"[1,2,3]".to_vec()),
        ("application/json", "unknown field", b"{\"login\":\"admin\",\"password\":\"x\",\"admin\":true}".to_vec()),
        ("application/json", "empty", Vec::new()),
    ];
    for path in ["/steward/v1/tokens", "/steward/v1/mail"] {
        for (content_type, what, body) in &cases {
            let response = server
                .http
                .post(server.url(path))
                .bearer_auth(&admin)
                .header("content-type", *content_type)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!((400..500).contains(&status), "{path} {what}: {status}");
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{path} {what}");
            let problem: serde_json::Value = response.json().await.unwrap();
            assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{path} {what}");
        }
    }
    // 10 MB: refused from its Content-Length before it is read.
    for path in ["/steward/v1/tokens", "/steward/v1/mail"] {
        let (status, head, body) = raw_post(&server, path, &[("authorization", &format!("Bearer {admin}")), ("content-type", "application/json")], &huge);
        assert_eq!(status, 413, "{path}: {head}");
        assert!(head.to_lowercase().contains("content-type: application/problem+json"), "{head}");
        assert!(body.contains("too large"), "{body}");
    }
    let bad_mail = [
        serde_json::json!({"to": [], "subject": "s", "body": "b"}),
        serde_json::json!({"to": ["not-an-address"], "subject": "s", "body": "b"}),
        serde_json::json!({"to": ["a@example.org"], "subject": "two\nlines", "body": "b"}),
        serde_json::json!({"to": ["a@example.org"], "subject": "", "body": "b"}),
    ];
    for body in bad_mail {
        let response = server.http.post(server.url("/steward/v1/mail")).bearer_auth(&admin).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
    }
    // JSON that is not an object is bad input, not a login: serde would read an array as the
    // struct's fields in order.
    for body in ["[]", "[\"admin\", \"x\"]", "\"admin\"", "null", "42"] {
        for path in ["/steward/v1/tokens", "/steward/v1/mail"] {
            let response = server.http.post(server.url(path)).bearer_auth(&admin).header("content-type", "application/json").body(body).send().await.unwrap();
            assert_eq!(response.status(), 400, "{path} {body}");
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{path} {body}");
            let problem: serde_json::Value = response.json().await.unwrap();
            assert_eq!(problem["detail"], "The body must be a JSON object.", "{path} {body}");
        }
    }
    let ready = server.readyz().await;
    assert_eq!(ready["outbox"]["pending"], 0, "no mail queued");
    let audit_after = server.get_json("/steward/v1/audit?limit=1000", &admin).await.1;
    assert_eq!(audit_before, audit_after, "nothing changed");
}
