//! Projects' rows: owners, projects, memberships with their rights, tenant databases and
//! their templates. Empty until the dRofus face fills it.
