//! Who is acting: the one value every command and every read takes, made only here.
//!
//! A [`Session`] is the proof that the service authenticated someone: interfaces cannot build
//! one (its field is private), so no resolver can act as a user it did not sign in, and every
//! authorization decision reads the session inside the service.

use std::sync::Arc;

use caseledger_core::sharing::Viewer;
use caseledger_core::{Actor, OrganizationId, RecordOwner, Role, UserId};

use crate::gate::Pin;
use crate::keys::FetchMark;

/// An authenticated user acting through an interface (or the service acting for itself).
/// Clones share the request's pin (see `pin.rs`).
#[derive(Clone)]
pub struct Session {
    actor: Actor,
    pin: Option<Arc<Pin>>,
    /// Failed key fetches when the pin was taken: one since spoils the answer too.
    fetches: Option<FetchMark>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("actor", &self.actor)
            .field("pinned", &self.pin.is_some())
            .finish()
    }
}

/// Two sessions are the same when they act for the same user in the same role.
impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.actor == other.actor
    }
}

impl Eq for Session {}

impl Session {
    /// Made by the service only: from a token, a named user, or itself.
    pub(crate) fn new(actor: Actor) -> Self {
        Session {
            actor,
            pin: None,
            fetches: None,
        }
    }

    /// The same session holding a request's pin, taken when the key store's failed fetches
    /// stood at `fetches`.
    pub(crate) fn with_pin(self, pin: Arc<Pin>, fetches: FetchMark) -> Self {
        Session {
            pin: Some(pin),
            fetches: Some(fetches),
            ..self
        }
    }

    /// The key store's failed fetches when the pin was taken.
    pub(crate) fn fetches(&self) -> Option<FetchMark> {
        self.fetches
    }

    /// The request's pin, when pinned.
    pub(crate) fn pin(&self) -> Option<&Pin> {
        self.pin.as_deref()
    }

    /// The acting user, their organization and role, as events record them.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The acting user.
    pub fn user(&self) -> UserId {
        self.actor.user
    }

    /// The acting user's organization.
    pub fn organization(&self) -> OrganizationId {
        self.actor.organization
    }

    /// The role the user acts in. For showing (an account page); what a role may do is
    /// decided in the service, never by a caller reading this.
    pub fn role(&self) -> Role {
        self.actor.role
    }

    /// The same user as the sharing rules see them.
    pub fn viewer(&self) -> Viewer {
        self.actor
    }

    /// Why this session reads the audit trail, as its disclosure records say: auditors audit,
    /// a system administrator administers (the only other role that may read it).
    pub fn audit_reason(&self) -> caseledger_core::AccessReason {
        if self.actor.role == Role::Auditor {
            caseledger_core::AccessReason::Auditor
        } else {
            caseledger_core::AccessReason::SystemAdministrator
        }
    }

    /// Who owns what this session records.
    pub fn owner(&self) -> RecordOwner {
        RecordOwner {
            organization: self.actor.organization,
            user: self.actor.user,
        }
    }
}
