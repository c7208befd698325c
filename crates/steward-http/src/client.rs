//! Who is on the other end: the client's address, worked out once per request at the edge.
//!
//! The peer of the TCP connection is the client, unless it is one of the operator's
//! reverse proxies (`security.trusted_proxies`): only then are `Forwarded` (RFC 7239) and
//! `X-Forwarded-For` believed, read from the right (the hop the proxy itself appended)
//! leftwards past any other trusted proxy. Anyone else can write those headers, so from
//! anyone else they are ignored. The address keys the login rate limit and decides Hermes'
//! `trusted_networks`, so a forged header must never be taken for the truth.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The client's address, as far as it can be told: `None` when the connection has no peer
/// address (not over TCP) or a trusted proxy named the client in a form that is no address
/// (`unknown`, an obfuscated `_node`), so it is trusted with nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// These networks' proxies.
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    /// Whether `address` is one of these proxies.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client behind a connection from `peer` carrying `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Option<IpAddr> {
        if !self.contains(peer) {
            return Some(peer);
        }
        // `Forwarded` when the proxy sends it, else `X-Forwarded-For`; each may come in
        // several header lines, which read as one list in order.
        let forwarded = forwarded_for(headers);
        let chain = if forwarded.is_empty() { x_forwarded_for(headers) } else { forwarded };
        let mut client = Some(peer);
        for hop in chain.iter().rev() {
            match parse_node(hop) {
                Some(address) if self.contains(address) => client = Some(address),
                Some(address) => return Some(address),
                // A trusted proxy named no address: the client is unknown, not the proxy.
                None => return None,
            }
        }
        client
    }
}

/// The `for=` of every element of every `Forwarded` line, in order.
fn forwarded_for(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .collect()
}

/// Every address of every `X-Forwarded-For` line, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(|hop| hop.trim().to_owned())
        .filter(|hop| !hop.is_empty())
        .collect()
}

/// A node as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`,
/// `[2001:db8::1]:4711` or a bare `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// Middleware: puts the request's [`ClientAddress`] in its extensions, once.
pub async fn resolve(proxies: TrustedProxies, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let client = peer.and_then(|peer| proxies.client(peer, request.headers()));
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

impl ClientAddress {
    /// The address [`resolve`] found for this request.
    pub fn of(parts: &Parts) -> Self {
        parts.extensions.get::<Self>().copied().unwrap_or(Self(None))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(*name, value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(networks.iter().map(|network| network.parse().unwrap()).collect())
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let forged = headers(&[("x-forwarded-for", "10.1.2.3"), ("forwarded", "for=10.1.2.3")]);
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &forged), Some(ip("127.0.0.1")));
        assert_eq!(proxies(&["10.0.0.0/8"]).client(ip("203.0.113.9"), &forged), Some(ip("203.0.113.9")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = proxies(&["127.0.0.0/8", "10.0.0.0/8"]);
        // The client forged the first entry; the proxies appended the rest.
        let chain = headers(&[("x-forwarded-for", "127.0.0.1, 203.0.113.7"), ("x-forwarded-for", "10.0.0.2")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &chain), Some(ip("203.0.113.7")));
        let forwarded = headers(&[("forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\"")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &forwarded), Some(ip("2001:db8::1")));
        // Forwarded wins over X-Forwarded-For when both are sent.
        let both = headers(&[("forwarded", "for=198.51.100.4"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &both), Some(ip("198.51.100.4")));
    }

    #[test]
    fn a_proxy_without_headers_is_the_client_and_an_unknown_node_is_nobody() {
        let proxies = proxies(&["127.0.0.0/8"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &HeaderMap::new()), Some(ip("127.0.0.1")));
        assert_eq!(proxies.client(ip("127.0.0.1"), &headers(&[("forwarded", "for=unknown")])), None);
        assert_eq!(proxies.client(ip("127.0.0.1"), &headers(&[("x-forwarded-for", "127.0.0.2")])), Some(ip("127.0.0.2")));
    }
}
