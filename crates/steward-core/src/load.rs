//! How busy the process's shared resources are, as `/metrics` gauges: the password hashers
//! and the store's connection pool. Read when scraped, so they cost nothing between scrapes.

use crate::Store;
use crate::identity::hasher::Hasher;

/// The shared resources whose load `/metrics` shows.
#[derive(Clone)]
pub struct Load {
    hasher: Hasher,
    store: Store,
}

impl Load {
    pub(crate) fn new(hasher: Hasher, store: Store) -> Self {
        Self { hasher, store }
    }

    /// Sets the gauges to what they are now.
    pub fn record(&self) {
        metrics::gauge!("steward_hasher_permits").set(self.hasher.size() as f64);
        metrics::gauge!("steward_hasher_busy").set(self.hasher.busy() as f64);
        metrics::gauge!("steward_hasher_waiting").set(self.hasher.waiting() as f64);
        let (open, idle, max) = self.store.pool_connections();
        metrics::gauge!("steward_store_connections", "state" => "idle").set(f64::from(idle));
        metrics::gauge!("steward_store_connections", "state" => "busy").set(f64::from(open.saturating_sub(idle)));
        metrics::gauge!("steward_store_connections_max").set(f64::from(max));
    }
}
