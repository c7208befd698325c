//! `security.trusted_proxies`: forwarding headers name the client only when a trusted
//! proxy sent them. The address keys the login rate limit and Hermes' trusted networks.

use crate::hermes::{Standalone, verdict};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(forwarding_headers_are_ignored_by_default, a_trusted_proxy_names_the_client);

/// A failed login for alice, as a proxy in front of the server would forward it.
async fn fail_login(server: &Server, forwarded_for: &str) -> u16 {
    let body = serde_json::json!({"login": "alice", "password": "wrong"});
    let response = server.http.post(server.url("/steward/v1/tokens")).header("x-forwarded-for", forwarded_for).json(&body).send().await.unwrap();
    response.status().as_u16()
}

/// The admin's login (the right password) from `forwarded_for`.
async fn admin_login(server: &Server, forwarded_for: &str) -> u16 {
    let body = serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD});
    let response = server.http.post(server.url("/steward/v1/tokens")).header("x-forwarded-for", forwarded_for).json(&body).send().await.unwrap();
    response.status().as_u16()
}

/// A Hermes node without credentials, with `header` naming the client.
async fn hermes_unauthenticated(hermes: &Standalone, header: (&str, &str)) -> (u16, (String, String)) {
    let response = hermes.server.http.get(hermes.server.url("/user/gen_pw")).header(header.0, header.1).send().await.unwrap();
    let status = response.status().as_u16();
    (status, verdict(&response.json().await.unwrap()))
}

async fn forwarding_headers_are_ignored_by_default(backend: Backend) {
    let hermes = Standalone::start_with(backend, &[("STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3")]);
    // A caller that claims to be elsewhere is still 127.0.0.1: three failures under three
    // made-up addresses spend 127.0.0.1's budget, and the admin's next login is refused.
    for forged in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(fail_login(&hermes.server, forged).await, 401);
    }
    assert_eq!(admin_login(&hermes.server, "198.51.100.4").await, 429, "one bucket: the header was not believed");
    // And Hermes trusts the connection's loopback address, whatever the header says.
    let (status, (response, _)) = hermes_unauthenticated(&hermes, ("x-forwarded-for", "203.0.113.7")).await;
    assert_eq!((status, response.as_str()), (200, "ok"));
}

async fn a_trusted_proxy_names_the_client(backend: Backend) {
    let hermes = Standalone::start_with(
        backend,
        &[("STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3"), ("STEWARD_SECURITY__TRUSTED_PROXIES", "127.0.0.0/8,::1/128")],
    );
    // Each client behind the proxy has its own budget.
    for _ in 0..3 {
        assert_eq!(fail_login(&hermes.server, "203.0.113.7").await, 401);
    }
    assert_eq!(admin_login(&hermes.server, "203.0.113.7").await, 429, "203.0.113.7 spent its budget");
    assert_eq!(admin_login(&hermes.server, "198.51.100.4").await, 201, "198.51.100.4 did not");
    // A client that forged the first hop is still the hop the proxy appended.
    assert_eq!(admin_login(&hermes.server, "198.51.100.9, 203.0.113.7").await, 429);
    // Hermes: a client outside the trusted networks must authenticate, even from behind a
    // proxy on loopback; one inside them need not; an unknown client is nobody.
    let outside = ("invalid".to_owned(), "auth".to_owned());
    assert_eq!(hermes_unauthenticated(&hermes, ("x-forwarded-for", "203.0.113.7")).await, (401, outside.clone()));
    assert_eq!(hermes_unauthenticated(&hermes, ("forwarded", "for=\"[2001:db8::1]:4711\"")).await, (401, outside.clone()));
    assert_eq!(hermes_unauthenticated(&hermes, ("forwarded", "for=unknown")).await, (401, outside));
    let (status, (response, _)) = hermes_unauthenticated(&hermes, ("x-forwarded-for", "127.0.0.1")).await;
    assert_eq!((status, response.as_str()), (200, "ok"));
    // The proxy calling on its own behalf (no header) is itself the client.
    let (status, (response, _)) = hermes_unauthenticated(&hermes, ("x-request-id", "1")).await;
    assert_eq!((status, response.as_str()), (200, "ok"));
}
