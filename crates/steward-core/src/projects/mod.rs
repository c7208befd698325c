//! Projects: what dRofus and Adjutant administer and Astakos counts quotas against. Owners,
//! projects, memberships of accounts with their roles and rights, and tenant databases cloned
//! from templates. Empty until the dRofus face fills it; the rules of every face that touches
//! projects will live here, once.
