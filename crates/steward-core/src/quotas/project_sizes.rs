//! What a project's quota means: Steward's quotas are per account, so a project's quota is
//! the limit each of its members gets. A quota *size* (`small`, `medium`, `large`) names
//! limits on the cloud resources; applying it to a project sets those limits on every
//! member of the project (members who join later keep their own limits until a size is
//! applied again). Read back, a project's quota is, per resource, the lowest limit among
//! its members (what every member can count on; the resource's default for an empty
//! project), its usage the sum of theirs, and its size the one whose limits it matches
//! exactly, else none ("custom"). Adjutant's quota API (update_quota tasks) reads and
//! writes quotas this way; Steward has one region, `RegionOne`.

use std::collections::BTreeMap;

use steward_model::projects::ProjectId;

use crate::{Store, StoreError};

/// The one region.
pub const REGION: &str = "RegionOne";

const GIB: i64 = 1024 * 1024 * 1024;

/// A named set of limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaSize {
    /// Its name.
    pub name: &'static str,
    /// Resource name → limit.
    pub limits: &'static [(&'static str, i64)],
}

/// The sizes, smallest first (Adjutant's `quota_size_order`).
pub const SIZES: [QuotaSize; 3] = [
    QuotaSize {
        name: "small",
        limits: &[
            ("cyclades.vm", 2),
            ("cyclades.cpu", 4),
            ("cyclades.ram", 4 * GIB),
            ("cyclades.disk", 40 * GIB),
            ("cyclades.network.private", 1),
            ("pithos+.diskspace", 5 * GIB),
        ],
    },
    QuotaSize {
        name: "medium",
        limits: &[
            ("cyclades.vm", 5),
            ("cyclades.cpu", 10),
            ("cyclades.ram", 16 * GIB),
            ("cyclades.disk", 200 * GIB),
            ("cyclades.network.private", 2),
            ("pithos+.diskspace", 50 * GIB),
        ],
    },
    QuotaSize {
        name: "large",
        limits: &[
            ("cyclades.vm", 10),
            ("cyclades.cpu", 20),
            ("cyclades.ram", 32 * GIB),
            ("cyclades.disk", 500 * GIB),
            ("cyclades.network.private", 5),
            ("pithos+.diskspace", 200 * GIB),
        ],
    },
];

/// The size a new project starts with (a sign-up's `SetProjectQuotaAction`).
pub const DEFAULT: QuotaSize = SIZES[0];

/// The size called `name`.
pub fn size(name: &str) -> Option<QuotaSize> {
    SIZES.into_iter().find(|size| size.name == name)
}

/// The regions among `regions` Steward does not have.
pub fn unknown_regions(regions: &[String]) -> Vec<String> {
    regions.iter().filter(|region| *region != REGION).cloned().collect()
}

/// Whether going from `current` to `wanted` is at most one step in [`SIZES`]' order.
pub fn one_step(current: Option<&str>, wanted: &str) -> bool {
    let place = |name: &str| SIZES.iter().position(|size| size.name == name);
    match (current.and_then(place), place(wanted)) {
        (Some(from), Some(to)) => from.abs_diff(to) <= 1,
        _ => false,
    }
}

/// A project's quota, as its members' limits make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectQuota {
    /// Resource → the lowest limit among the members.
    pub limits: BTreeMap<String, i64>,
    /// Resource → the members' usage summed.
    pub usage: BTreeMap<String, i64>,
    /// The size the limits match, if one does.
    pub size: Option<&'static str>,
}

/// The resources sizes speak of.
fn sized_resources() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SIZES.iter().flat_map(|size| size.limits.iter().map(|(name, _)| *name)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Reads `project`'s quota from its members' limits and usage.
pub(crate) async fn project_quota(store: &Store, project: ProjectId) -> Result<ProjectQuota, StoreError> {
    let wanted = sized_resources();
    let mut limits: BTreeMap<String, i64> = BTreeMap::new();
    let mut usage: BTreeMap<String, i64> = BTreeMap::new();
    let members = store.members(Some(project)).await?;
    for member in &members {
        for quota in store.quotas_of(member.account_id).await? {
            if !wanted.contains(&quota.resource.name.as_str()) {
                continue;
            }
            let limit = limits.entry(quota.resource.name.clone()).or_insert(quota.limit);
            *limit = (*limit).min(quota.limit);
            *usage.entry(quota.resource.name.clone()).or_insert(0) += quota.used;
        }
    }
    if members.is_empty() {
        for resource in store.resources().await? {
            if wanted.contains(&resource.name.as_str()) {
                limits.insert(resource.name.clone(), resource.default_limit);
                usage.insert(resource.name, 0);
            }
        }
    }
    let size = SIZES.iter().find(|size| size.limits.iter().all(|(name, limit)| limits.get(*name) == Some(limit))).map(|size| size.name);
    Ok(ProjectQuota { limits, usage, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_step_is_a_neighbour_or_the_same_size() {
        assert!(one_step(Some("small"), "medium"));
        assert!(one_step(Some("medium"), "small"));
        assert!(one_step(Some("medium"), "medium"));
        assert!(!one_step(Some("small"), "large"));
        assert!(!one_step(None, "small"), "from a custom quota, an admin decides");
        assert!(!one_step(Some("small"), "huge"));
    }

    #[test]
    fn sizes_grow_and_cover_the_same_resources() {
        for pair in SIZES.windows(2) {
            let [smaller, larger] = pair else { continue };
            let names = |size: &QuotaSize| size.limits.iter().map(|(name, _)| *name).collect::<Vec<_>>();
            assert_eq!(names(smaller), names(larger));
            assert!(smaller.limits.iter().zip(larger.limits).all(|((_, low), (_, high))| low < high), "{} < {}", smaller.name, larger.name);
        }
        assert_eq!(unknown_regions(&["RegionOne".to_owned(), "Mars".to_owned()]), ["Mars"]);
    }
}
