//! Who is calling, and the capabilities a successful role check hands out: a privileged
//! operation takes the capability, so forgetting the check does not compile.

use steward_model::{Account, Role, Service};

/// An authenticated principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person's account.
    Account(Account),
    /// A service principal (Astakos' service tokens).
    Service(Service),
}

/// The caller of a core operation: a principal or the operator's CLI, and the face it came
/// through (for the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the operator's CLI, which works on the store directly, and for callers
    /// a face trusts by their network.
    pub principal: Option<Principal>,
    /// `steward` (native API), `cli`, `janua`, … — recorded in every audit entry.
    pub face: &'static str,
    /// The address of a caller trusted by its network (Hermes' unauthenticated clients).
    pub trusted_address: Option<std::net::IpAddr>,
}

impl Actor {
    /// The operator at the command line: trusted like an admin, audited as `cli`.
    pub fn cli() -> Self {
        Self { principal: None, face: "cli", trusted_address: None }
    }

    /// Steward itself (bootstrap), audited as `system`.
    pub fn system() -> Self {
        Self { principal: None, face: "system", trusted_address: None }
    }

    /// A principal calling through `face`.
    pub fn new(principal: Principal, face: &'static str) -> Self {
        Self { principal: Some(principal), face, trusted_address: None }
    }

    /// A caller `face` accepts without credentials because of its address; it may not make
    /// admin changes elsewhere ([`Actor::admin`] refuses it).
    pub fn trusted_network(address: std::net::IpAddr, face: &'static str) -> Self {
        Self { principal: None, face, trusted_address: Some(address) }
    }

    /// How the audit log names this actor.
    pub fn audit_name(&self) -> String {
        match &self.principal {
            Some(Principal::Account(account)) => format!("account:{}", account.login),
            Some(Principal::Service(service)) => format!("service:{}", service.name),
            None => match self.trusted_address {
                Some(address) => format!("trusted network {address}"),
                None => self.face.to_owned(),
            },
        }
    }

    /// The capability to make admin changes: the CLI and accounts holding `admin` get it.
    pub fn admin(&self) -> Result<AdminCapability<'_>, Forbidden> {
        match &self.principal {
            None if self.trusted_address.is_none() => Ok(AdminCapability { actor: self }),
            Some(Principal::Account(account)) if account.has_role(Role::ADMIN) => {
                Ok(AdminCapability { actor: self })
            }
            None | Some(_) => Err(Forbidden { needed: Role::ADMIN }),
        }
    }
}

impl Actor {
    /// The capability to administer projects (dRofus' API): the CLI, and accounts holding
    /// `drofus_admin` or `admin`.
    pub fn projects_admin(&self) -> Result<ProjectsCapability<'_>, Forbidden> {
        let allowed = match &self.principal {
            None => self.trusted_address.is_none(),
            Some(Principal::Account(account)) => account.has_role(Role::DROFUS_ADMIN) || account.has_role(Role::ADMIN),
            Some(Principal::Service(_)) => false,
        };
        if allowed { Ok(ProjectsCapability { actor: self }) } else { Err(Forbidden { needed: Role::DROFUS_ADMIN }) }
    }

    /// The login of the account acting, if an account is.
    pub fn login(&self) -> Option<&str> {
        match &self.principal {
            Some(Principal::Account(account)) => Some(&account.login),
            _ => None,
        }
    }
}

/// Proof that the actor may administer projects; only [`Actor::projects_admin`] makes one.
#[derive(Debug, Clone, Copy)]
pub struct ProjectsCapability<'a> {
    actor: &'a Actor,
}

impl ProjectsCapability<'_> {
    /// The actor the check was made for.
    pub fn actor(&self) -> &Actor {
        self.actor
    }
}

/// Proof that the actor may make admin changes; only [`Actor::admin`] makes one.
#[derive(Debug, Clone, Copy)]
pub struct AdminCapability<'a> {
    actor: &'a Actor,
}

impl AdminCapability<'_> {
    /// The actor the check was made for.
    pub fn actor(&self) -> &Actor {
        self.actor
    }
}

/// The actor lacks the role an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this needs the `{needed}` role")]
pub struct Forbidden {
    /// The role that would have allowed it.
    pub needed: &'static str,
}
