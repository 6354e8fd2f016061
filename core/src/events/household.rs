//! Households: clients served together (HUD `HouseholdID`, 3.15 relationship to head).

use serde::{Deserialize, Serialize};

use crate::hud::RelationshipToHoH;
use crate::ids::{ClientId, HouseholdId};
use crate::sharing::RecordOwner;
use crate::time::Date;

/// A household was formed with `head` as head of household (a member with relationship
/// `SelfHeadOfHousehold`, without a separate [`HouseholdMemberAdded`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdCreated {
    /// The new household.
    pub household_id: HouseholdId,
    /// The head of household.
    pub head: ClientId,
    /// Who recorded it.
    pub owner: RecordOwner,
    /// When the household was formed.
    pub date: Date,
    /// HUD `HouseholdID` in the system this household was imported from.
    pub source_id: Option<String>,
}

/// A client joined a household. Any organization that can see the client may do this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMemberAdded {
    /// The household.
    pub household_id: HouseholdId,
    /// The new member.
    pub client_id: ClientId,
    /// Relationship to the head of household.
    pub relationship: RelationshipToHoH,
    /// Who recorded the membership (it is a transaction they own).
    pub owner: RecordOwner,
    /// First date of membership.
    pub joined: Date,
}

/// A client left a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMemberRemoved {
    /// The household.
    pub household_id: HouseholdId,
    /// The member.
    pub client_id: ClientId,
    /// Last date of membership.
    pub left: Date,
}
