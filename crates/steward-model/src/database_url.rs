//! What Steward decides from a database URL, the same for its own store and for the
//! databases it writes into (Kamailio's, tenants').

/// Whether a PostgreSQL server at `host`, named by `url`, is reached without TLS: a server
/// on the loopback interface (or a Unix socket) is, unless the URL sets `sslmode`.
///
/// libpq's default (`prefer`) verifies nothing, so on loopback TLS protects nothing; and
/// through sqlx 0.9.0, which leaves Nagle's algorithm on, every message longer than one TLS
/// record waited for a delayed ACK (about 40 ms per multi-row insert; 10 000 SIP users took
/// 1.8 s instead of 0.3 s).
pub fn postgres_plain_on_loopback(host: &str, url: &str) -> bool {
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]") || host.starts_with('/');
    loopback && !url.contains("sslmode=")
}

#[cfg(test)]
mod tests {
    use super::postgres_plain_on_loopback;

    #[test]
    fn loopback_goes_plain_unless_the_url_names_a_mode() {
        assert!(postgres_plain_on_loopback("127.0.0.1", "postgres://postgres@127.0.0.1/db"));
        assert!(postgres_plain_on_loopback("::1", "postgres://postgres@[::1]/db"));
        assert!(postgres_plain_on_loopback("/var/run/postgresql", "postgres:///db?host=/var/run/postgresql"));
        assert!(!postgres_plain_on_loopback("127.0.0.1", "postgres://postgres@127.0.0.1/db?sslmode=require"));
        assert!(!postgres_plain_on_loopback("db.example.org", "postgres://postgres@db.example.org/db"));
    }
}
