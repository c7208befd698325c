//! The login rate limit: failed password checks counted per login and per client address
//! over a sliding 60 s window. Past the limit, attempts are refused for the rest of the
//! window even with the right password. Kept per process: behind a load balancer each
//! instance counts its own failures (documented in the README).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Above this many tracked keys, a sweep drops keys whose failures all left the window, so
/// a storm of random logins cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

/// Refused for the rest of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins; retry in {} s", retry_after.as_secs())]
pub struct RateLimited {
    /// Until the oldest counted failure leaves the window.
    pub retry_after: Duration,
}

/// Counts failures; cheap to check (one mutex, two map lookups).
pub struct LoginLimiter {
    limit: usize,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing `per_minute` failures per login and per address.
    pub fn new(per_minute: u32) -> Self {
        Self { limit: usize::try_from(per_minute).unwrap_or(usize::MAX).max(1), failures: Mutex::new(HashMap::new()) }
    }

    fn keys(login_key: Option<&str>, address: Option<IpAddr>) -> Vec<Key> {
        let mut keys = Vec::with_capacity(2);
        if let Some(login) = login_key {
            keys.push(Key::Login(login.to_owned()));
        }
        if let Some(address) = address {
            keys.push(Key::Address(address));
        }
        keys
    }

    /// Refuses when the login or the address already used up its failures in the window.
    pub fn check(&self, login_key: Option<&str>, address: Option<IpAddr>) -> Result<(), RateLimited> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut retry_after = None;
        for key in Self::keys(login_key, address) {
            if let Some(times) = failures.get_mut(&key) {
                while times.front().is_some_and(|at| now.duration_since(*at) >= WINDOW) {
                    times.pop_front();
                }
                if times.len() >= self.limit
                    && let Some(oldest) = times.front()
                {
                    let wait = WINDOW.saturating_sub(now.duration_since(*oldest));
                    retry_after = Some(retry_after.map_or(wait, |other: Duration| other.max(wait)));
                }
            }
        }
        match retry_after {
            Some(wait) => Err(RateLimited { retry_after: wait.max(Duration::from_secs(1)) }),
            None => Ok(()),
        }
    }

    /// Counts one failed password check against the login and the address.
    pub fn record_failure(&self, login_key: Option<&str>, address: Option<IpAddr>) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, times| times.back().is_some_and(|at| now.duration_since(*at) < WINDOW));
        }
        for key in Self::keys(login_key, address) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            // Only the newest `limit` failures matter for the decision.
            while times.len() > self.limit {
                times.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_per_login_and_per_address() {
        let limiter = LoginLimiter::new(2);
        let here: IpAddr = [127, 0, 0, 1].into();
        let there: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.check(Some("alice"), Some(here)).is_ok());
        limiter.record_failure(Some("alice"), Some(here));
        limiter.record_failure(Some("alice"), Some(here));
        let refused = limiter.check(Some("alice"), Some(there)).unwrap_err();
        assert!(refused.retry_after <= WINDOW);
        assert!(limiter.check(Some("bob"), Some(here)).is_err(), "the address is spent too");
        assert!(limiter.check(Some("bob"), Some(there)).is_ok());
    }
}
