//! Facilities, rooms and beds, and who occupies or has reserved which bed: write-model state,
//! folded by the store with everything else and answered through [`WriteModel`].
//!
//! [`WriteModel`]: crate::WriteModel

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::events::{Event, RoomDesignator};
use caseledger_core::{BedId, CheckInId, ClientId, Date, FacilityId, OrganizationId, RoomId};
use serde::{Deserialize, Serialize};

/// Facilities, rooms and beds, and who occupies which bed.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Shelter {
    pub facilities: HashMap<FacilityId, OrganizationId>,
    pub rooms: HashMap<RoomId, (FacilityId, Vec<RoomDesignator>)>,
    pub beds: HashMap<BedId, (FacilityId, RoomId)>,
    /// Bed → the stay occupying it.
    pub occupied: HashMap<BedId, (ClientId, CheckInId)>,
    /// Client → their current stay and its bed.
    pub staying: HashMap<ClientId, (CheckInId, Option<BedId>)>,
    /// Bed → every stay and live reservation on it, in log order (for availability by date).
    pub uses: HashMap<BedId, Vec<BedUse>>,
}

/// A stay in a bed or a reservation of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BedUse {
    /// The check-in or reservation.
    pub record: u128,
    /// The client.
    pub client: ClientId,
    /// A reservation (for the night `from`) rather than a stay.
    pub reservation: bool,
    /// First night.
    pub from: Date,
    /// The date the client left (the bed is free that night); `None` while staying.
    pub until: Option<Date>,
}

impl BedUse {
    /// Whether the bed is taken by this use on the night of `date`.
    pub fn covers(&self, date: Date) -> bool {
        if self.reservation {
            return self.from == date;
        }
        self.from <= date && self.until.is_none_or(|u| date < u)
    }
}

impl Shelter {
    pub(crate) fn apply(&mut self, event: &Event) {
        match event {
            Event::FacilityCreated(f) => {
                self.facilities.insert(f.facility_id, f.organization_id);
            }
            Event::RoomAdded(r) => {
                self.rooms
                    .insert(r.room_id, (r.facility_id, r.designators.clone()));
            }
            Event::BedAdded(b) => {
                self.beds.insert(b.bed_id, (b.facility_id, b.room_id));
            }
            Event::ClientCheckedIn(c) => {
                if let Some(bed) = c.bed_id {
                    self.occupied.insert(bed, (c.client_id, c.check_in_id));
                    self.uses.entry(bed).or_default().push(BedUse {
                        record: c.check_in_id.as_u128(),
                        client: c.client_id,
                        reservation: false,
                        from: c.date,
                        until: None,
                    });
                }
                self.staying.insert(c.client_id, (c.check_in_id, c.bed_id));
            }
            Event::ClientCheckedOut(c) => {
                if let Some((stay, bed)) = self.staying.get(&c.client_id).copied()
                    && stay == c.check_in_id
                {
                    self.staying.remove(&c.client_id);
                    if let Some(bed) = bed {
                        self.occupied.remove(&bed);
                        if let Some(u) = self.uses.get_mut(&bed).and_then(|uses| {
                            uses.iter_mut()
                                .find(|u| u.record == c.check_in_id.as_u128())
                        }) {
                            u.until = Some(c.date);
                        }
                    }
                }
            }
            Event::BedReserved(r) => {
                self.uses.entry(r.bed_id).or_default().push(BedUse {
                    record: r.reservation_id.as_u128(),
                    client: r.client_id,
                    reservation: true,
                    from: r.date,
                    until: None,
                });
            }
            Event::ReservationCancelled(r) => {
                for uses in self.uses.values_mut() {
                    uses.retain(|u| u.record != r.reservation_id.as_u128());
                }
            }
            _ => {}
        }
    }

    /// Folds a stay or reservation again from its events as they now stand (corrected, or back
    /// from a void): its bed use takes its dates as corrected, and a stay not checked out
    /// holds its bed and its client again.
    pub(crate) fn refresh(&mut self, record: u128, events: &[Event]) {
        for uses in self.uses.values_mut() {
            uses.retain(|u| u.record != record);
        }
        match events.first() {
            Some(Event::ClientCheckedIn(c)) => {
                let left = events.iter().rev().find_map(|e| match e {
                    Event::ClientCheckedOut(o) => Some(o.date),
                    _ => None,
                });
                if let Some(bed) = c.bed_id {
                    self.uses.entry(bed).or_default().push(BedUse {
                        record,
                        client: c.client_id,
                        reservation: false,
                        from: c.date,
                        until: left,
                    });
                    if left.is_none() {
                        self.occupied.insert(bed, (c.client_id, c.check_in_id));
                    }
                }
                if left.is_none() {
                    self.staying.insert(c.client_id, (c.check_in_id, c.bed_id));
                }
            }
            Some(Event::BedReserved(r)) => {
                let cancelled = events
                    .iter()
                    .any(|e| matches!(e, Event::ReservationCancelled(_)));
                if !cancelled {
                    self.uses.entry(r.bed_id).or_default().push(BedUse {
                        record,
                        client: r.client_id,
                        reservation: true,
                        from: r.date,
                        until: None,
                    });
                }
            }
            _ => {}
        }
    }

    /// Forgets a stay or reservation (voided): the bed and the client are free of it.
    pub(crate) fn forget_record(&mut self, record: u128) {
        let check_in = CheckInId::new(record);
        self.staying.retain(|_, (stay, _)| *stay != check_in);
        self.occupied.retain(|_, (_, stay)| *stay != check_in);
        for uses in self.uses.values_mut() {
            uses.retain(|u| u.record != record);
        }
    }
}
