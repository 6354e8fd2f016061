//! The directory of things that are not client data: programs, MOUs and shelter facilities
//! with their rooms and beds. Any authenticated user may read it (agencies look up each
//! other's programs and beds every day); households, which name clients, are kept apart in
//! [`Households`] and reached only through the write model and filtered views.

use std::collections::BTreeMap;

use caseledger_core::events::{Correction, Event, MouParticipant, RoomDesignator};
use caseledger_core::hud::{ProjectType, RelationshipToHoH};
use caseledger_core::{
    BedId, ClientId, Date, DateWindow, FacilityId, HouseholdId, MouId, OrganizationId, ProgramId,
    RecordKind, RecordOwner, RoomId,
};
use serde::{Deserialize, Serialize};

/// A program (HUD project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramFacts {
    /// The program.
    pub id: ProgramId,
    /// The organization that runs it.
    pub organization: OrganizationId,
    /// Display name.
    pub name: String,
    /// HUD project type.
    pub project_type: ProjectType,
    /// Operating dates.
    pub operating: DateWindow,
}

/// An MOU as last recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouFacts {
    /// The MOU.
    pub id: MouId,
    /// Its printed number, e.g. `0001`.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Participants and their directions.
    pub participants: Vec<MouParticipant>,
    /// When it is active.
    pub window: DateWindow,
}

/// A room of a facility and its beds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomFacts {
    /// The room.
    pub id: RoomId,
    /// Display name.
    pub name: String,
    /// Who the room may hold.
    pub designators: Vec<RoomDesignator>,
    /// Its beds (id, label), in the order added.
    pub beds: Vec<(BedId, String)>,
}

/// A shelter facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityFacts {
    /// The facility.
    pub id: FacilityId,
    /// The organization that runs it.
    pub organization: OrganizationId,
    /// The program whose bed nights it produces, if any.
    pub program: Option<ProgramId>,
    /// Display name.
    pub name: String,
    /// Its rooms, in the order added.
    pub rooms: Vec<RoomFacts>,
}

/// Programs, MOUs and facilities, in id order.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    programs: BTreeMap<ProgramId, ProgramFacts>,
    mous: BTreeMap<MouId, MouFacts>,
    facilities: BTreeMap<FacilityId, FacilityFacts>,
    /// Room → facility, to find a room without scanning.
    room_facility: BTreeMap<RoomId, FacilityId>,
}

impl Catalog {
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::ProgramCreated(p) => {
                self.programs.insert(
                    p.program_id,
                    ProgramFacts {
                        id: p.program_id,
                        organization: p.organization_id,
                        name: p.name.clone(),
                        project_type: p.project_type,
                        operating: p.operating,
                    },
                );
            }
            Event::MouCreated(m) => {
                self.mous.insert(
                    m.mou_id,
                    MouFacts {
                        id: m.mou_id,
                        number: m.number.clone(),
                        title: m.title.clone(),
                        participants: m.participants.clone(),
                        window: m.window,
                    },
                );
            }
            Event::MouChanged(m) => {
                if let Some(mou) = self.mous.get_mut(&m.mou_id) {
                    mou.title = m.title.clone();
                    mou.participants = m.participants.clone();
                    mou.window = m.window;
                }
            }
            Event::FacilityCreated(f) => {
                self.facilities.insert(
                    f.facility_id,
                    FacilityFacts {
                        id: f.facility_id,
                        organization: f.organization_id,
                        program: f.program_id,
                        name: f.name.clone(),
                        rooms: Vec::new(),
                    },
                );
            }
            Event::RoomAdded(r) => {
                if let Some(f) = self.facilities.get_mut(&r.facility_id) {
                    f.rooms.push(RoomFacts {
                        id: r.room_id,
                        name: r.name.clone(),
                        designators: r.designators.clone(),
                        beds: Vec::new(),
                    });
                    self.room_facility.insert(r.room_id, r.facility_id);
                }
            }
            Event::BedAdded(b) => {
                if let Some(room) = self
                    .facilities
                    .get_mut(&b.facility_id)
                    .and_then(|f| f.rooms.iter_mut().find(|r| r.id == b.room_id))
                {
                    room.beds.push((b.bed_id, b.label.clone()));
                }
            }
            _ => {}
        }
    }

    /// Every program, in id order.
    pub fn programs(&self) -> impl Iterator<Item = &ProgramFacts> {
        self.programs.values()
    }

    /// A program.
    pub fn program(&self, id: ProgramId) -> Option<&ProgramFacts> {
        self.programs.get(&id)
    }

    /// Every MOU, in id order.
    pub fn mous(&self) -> impl Iterator<Item = &MouFacts> {
        self.mous.values()
    }

    /// An MOU.
    pub fn mou(&self, id: MouId) -> Option<&MouFacts> {
        self.mous.get(&id)
    }

    /// Every facility, in id order.
    pub fn facilities(&self) -> impl Iterator<Item = &FacilityFacts> {
        self.facilities.values()
    }

    /// A facility.
    pub fn facility(&self, id: FacilityId) -> Option<&FacilityFacts> {
        self.facilities.get(&id)
    }

    /// A room and its facility.
    pub fn room(&self, id: RoomId) -> Option<(&FacilityFacts, &RoomFacts)> {
        let facility = self.facilities.get(self.room_facility.get(&id)?)?;
        let room = facility.rooms.iter().find(|r| r.id == id)?;
        Some((facility, room))
    }
}

/// One member of a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMember {
    /// The client.
    pub client: ClientId,
    /// Relationship to the head of household.
    pub relationship: RelationshipToHoH,
    /// First date of membership.
    pub joined: Date,
    /// Last date of membership, once left.
    pub left: Option<Date>,
    /// Who added the client to the household (for the head, who formed it): who may correct
    /// or void the membership.
    pub added_by: RecordOwner,
}

impl HouseholdMember {
    /// The membership as `corrections` leave it: `Date` is the day it began, and
    /// `RelationshipToHoH` the relationship; other fields are not a membership's.
    pub fn corrected(&self, corrections: &[Correction]) -> HouseholdMember {
        let mut member = *self;
        for correction in corrections {
            match correction {
                Correction::Date(d) => member.joined = *d,
                Correction::RelationshipToHoH(r) => member.relationship = *r,
                _ => {}
            }
        }
        member
    }
}

/// A household: clients served together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFacts {
    /// The household.
    pub id: HouseholdId,
    /// The head of household (also the first member).
    pub head: ClientId,
    /// Who formed it.
    pub owner: RecordOwner,
    /// Its members, head first, in the order they joined.
    pub members: Vec<HouseholdMember>,
}

impl HouseholdFacts {
    /// Whether `client` is a member on `date`.
    pub fn has_member(&self, client: ClientId, date: Date) -> bool {
        self.members
            .iter()
            .any(|m| m.client == client && m.joined <= date && m.left.is_none_or(|l| date <= l))
    }
}

/// Households by id, and each client's households.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Households {
    pub by_id: BTreeMap<HouseholdId, HouseholdFacts>,
    pub of_client: BTreeMap<ClientId, Vec<HouseholdId>>,
    /// Memberships voided ("entered in error"), the last voided last: an un-void brings back
    /// the last one.
    voided: BTreeMap<(HouseholdId, ClientId), Vec<HouseholdMember>>,
}

impl Households {
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::HouseholdCreated(h) => {
                self.by_id.insert(
                    h.household_id,
                    HouseholdFacts {
                        id: h.household_id,
                        head: h.head,
                        owner: h.owner,
                        members: vec![HouseholdMember {
                            client: h.head,
                            relationship: RelationshipToHoH::SelfHeadOfHousehold,
                            joined: h.date,
                            left: None,
                            added_by: h.owner,
                        }],
                    },
                );
                self.of_client
                    .entry(h.head)
                    .or_default()
                    .push(h.household_id);
            }
            Event::HouseholdMemberAdded(m) => {
                if let Some(h) = self.by_id.get_mut(&m.household_id) {
                    h.members.push(HouseholdMember {
                        client: m.client_id,
                        relationship: m.relationship,
                        joined: m.joined,
                        left: None,
                        added_by: m.owner,
                    });
                    self.of_client
                        .entry(m.client_id)
                        .or_default()
                        .push(m.household_id);
                }
            }
            Event::RecordVoided(v) if v.kind == RecordKind::HouseholdMembership => {
                self.void(HouseholdId::new(v.record_id), v.client_id);
            }
            Event::RecordUnvoided(u) if u.kind == RecordKind::HouseholdMembership => {
                self.unvoid(HouseholdId::new(u.record_id), u.client_id);
            }
            Event::RecordCorrected(c) if c.kind == RecordKind::HouseholdMembership => {
                let member = self
                    .by_id
                    .get_mut(&HouseholdId::new(c.record_id))
                    .and_then(|h| h.members.iter_mut().rev().find(|m| m.client == c.client_id));
                if let Some(member) = member {
                    *member = member.corrected(&c.corrections);
                }
            }
            Event::HouseholdMemberRemoved(m) => {
                if let Some(member) = self.by_id.get_mut(&m.household_id).and_then(|h| {
                    h.members
                        .iter_mut()
                        .rev()
                        .find(|x| x.client == m.client_id && x.left.is_none())
                }) {
                    member.left = Some(m.left);
                }
            }
            _ => {}
        }
    }

    /// The client's membership in the household voided last (and not brought back), if any.
    pub fn voided_membership(
        &self,
        household: HouseholdId,
        client: ClientId,
    ) -> Option<HouseholdMember> {
        self.voided.get(&(household, client))?.last().copied()
    }

    /// Takes the client's last membership out of the household (it was entered in error).
    fn void(&mut self, household: HouseholdId, client: ClientId) {
        let Some(h) = self.by_id.get_mut(&household) else {
            return;
        };
        let Some(at) = h.members.iter().rposition(|m| m.client == client) else {
            return;
        };
        let member = h.members.remove(at);
        if !h.members.iter().any(|m| m.client == client)
            && let Some(list) = self.of_client.get_mut(&client)
        {
            list.retain(|x| *x != household);
        }
        self.voided
            .entry((household, client))
            .or_default()
            .push(member);
    }

    /// Brings back the client's membership voided last, in its place by the date it began.
    fn unvoid(&mut self, household: HouseholdId, client: ClientId) {
        let Some(member) = self.voided.get_mut(&(household, client)).and_then(Vec::pop) else {
            return;
        };
        let Some(h) = self.by_id.get_mut(&household) else {
            return;
        };
        // The head stays first; the others are in the order they joined.
        let at = if client == h.head {
            0
        } else {
            let first = usize::from(h.members.first().is_some_and(|m| m.client == h.head));
            h.members[first..]
                .iter()
                .position(|m| m.joined > member.joined)
                .map_or(h.members.len(), |i| first + i)
        };
        h.members.insert(at, member);
        let list = self.of_client.entry(client).or_default();
        if !list.contains(&household) {
            list.push(household);
        }
    }
}
