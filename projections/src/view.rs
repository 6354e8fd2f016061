//! What an authenticated viewer can ask. Every answer is filtered by the sharing rules; an
//! invisible client or record is answered exactly as one that does not exist.

use caseledger_core::events::{ClientIntakeRecorded, Event};
use caseledger_core::sharing::{RecordRef, Viewer, Visibility};
use caseledger_core::{AccessLevel, ClientId, ClientRestriction, RecordKind, Role};

use crate::Projections;
use crate::search::ClientQuery;
use crate::store::Store;

/// The read models as one viewer may see them on the projections' current date.
pub struct OrgView<'a> {
    store: &'a Store,
    viewer: Viewer,
    today: caseledger_core::Date,
    position: u64,
}

/// A client as a viewer may see it: the intake they may read and their access level.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    /// The client's intake (current values).
    pub intake: ClientIntakeRecorded,
    /// What the viewer may do with the intake, and why.
    pub access: Visibility,
    /// The client's restriction on the view's date.
    pub restriction: ClientRestriction,
    /// When the intake was recorded and last changed, where known.
    pub times: Option<(caseledger_core::Timestamp, caseledger_core::Timestamp)>,
    /// The user who recorded the intake, when the log says.
    pub recorded_by: Option<caseledger_core::UserId>,
    /// The client's HUD element rows (`Client.csv` beyond the intake), where the viewer may
    /// read the intake's content (empty otherwise).
    pub elements: Vec<caseledger_core::events::ElementRow>,
    /// The clients merged into this one that the viewer sees something of (their intake or a
    /// record), in merge order: their ids answer as this client's.
    pub merged: Vec<ClientId>,
}

/// A client as a row of an answer: with its profile when the viewer may see the intake, or as
/// an id only when the viewer may not but its organization recorded something for the client
/// (the records under it are then exactly the viewer's own).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCard {
    /// The client.
    pub id: ClientId,
    /// The profile, `None` for an id-only client.
    pub profile: Option<ClientSummary>,
}

/// An enrollment in the same program over the same date, which a new enrollment would overlap
/// (a client is enrolled in a program once at a time): the command refuses either way, and may
/// quote it only when the viewer may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The first overlapping enrollment the viewer may see: its id and entry date.
    Seen(caseledger_core::EnrollmentId, caseledger_core::Date),
    /// Only enrollments the viewer may not see overlap (a colleague's restrict-to-user one):
    /// nothing about them may be told.
    Unseen,
}

/// A transaction as a viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionSummary {
    /// The record id.
    pub id: u128,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// The events that make up the record (creation first, then follow-ups).
    pub events: Vec<Event>,
    /// What the viewer may do with it, and why.
    pub access: Visibility,
    /// When it was first recorded and last changed, where known.
    pub times: Option<(caseledger_core::Timestamp, caseledger_core::Timestamp)>,
    /// An enrollment's exit: when it was recorded and last changed, where known.
    pub exit_times: Option<(caseledger_core::Timestamp, caseledger_core::Timestamp)>,
    /// Who recorded an enrollment's exit, where known.
    pub exited_by: Option<caseledger_core::UserId>,
    /// Its HUD element rows, where the viewer may read its content (empty otherwise).
    pub elements: Vec<caseledger_core::events::ElementRow>,
    /// The texts corrections replaced (a note's, a service's description, a document's name, a
    /// bar's reason), oldest first — where the viewer may read its content (empty otherwise).
    pub replaced_texts: Vec<caseledger_core::Pii<String>>,
}

/// An SSN masked to its last four digits, `XXX-XX-1234`: what the help desk reads. Fewer than
/// four digits recorded (a partial SSN) show none of them; nothing recorded stays empty.
pub fn masked_ssn(ssn: &str) -> String {
    let digits: Vec<char> = ssn.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        0 if ssn.trim().is_empty() => String::new(),
        n if n >= 4 => format!("XXX-XX-{}", digits[n - 4..].iter().collect::<String>()),
        _ => "XXX-XX-XXXX".to_string(),
    }
}

impl Projections {
    /// The view of one viewer. The viewer must already be authenticated; the view decides what
    /// they may see.
    pub fn org_view(&self, viewer: Viewer) -> OrgView<'_> {
        OrgView {
            store: &self.store,
            viewer,
            today: self.today(),
            position: self.position,
        }
    }
}

impl OrgView<'_> {
    /// The log position the view reflects (recorded with every disclosure).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The business date the view is evaluated on.
    pub fn today(&self) -> caseledger_core::Date {
        self.today
    }

    /// What the viewer may do with a record today.
    pub fn visibility(&self, record: &RecordRef) -> Visibility {
        self.store.visibility(&self.viewer, record, self.today)
    }

    /// The HUD element rows of a record, exactly where the viewer may read the record's content:
    /// a client's with its intake, a transaction's (enrollment, service, assessment) with the
    /// transaction; a project's, an organization's and the CoC's (`User.csv`) rows with the
    /// program catalogue, which every account reads. Nothing (not even an empty answer that
    /// differs) for a record the viewer may not see.
    pub fn elements(
        &self,
        subject: caseledger_core::events::ElementSubject,
    ) -> Vec<caseledger_core::events::ElementRow> {
        use caseledger_core::events::ElementSubject as S;
        let readable = match subject {
            S::Coc | S::Organization(_) | S::Program(_) => true,
            S::Client(client) => self
                .store
                .intake_visibility(&self.viewer, client, self.today)
                .shows_content(),
            S::Enrollment(id) => self
                .visibility(&RecordRef::Transaction(id.as_u128()))
                .shows_content(),
            S::Service(id) => self
                .visibility(&RecordRef::Transaction(id.as_u128()))
                .shows_content(),
            S::Assessment(id) => self
                .visibility(&RecordRef::Transaction(id.as_u128()))
                .shows_content(),
        };
        if !readable {
            return Vec::new();
        }
        self.store.elements.of(
            subject.record_id().unwrap_or(0),
            &self.store.records,
            &self.store.keys,
        )
    }

    /// Whether the viewer sees something of `client` by itself, merges aside: its intake or
    /// one of the records recorded for it.
    fn sees_own(&self, client: ClientId) -> bool {
        let s = self.store;
        if s.intake_visibility(&self.viewer, client, self.today).level != AccessLevel::None {
            return true;
        }
        self.any_record_visible(client)
    }

    /// Whether some record of origin `client` is visible to the viewer.
    fn any_record_visible(&self, client: ClientId) -> bool {
        let s = self.store;
        s.clients.get(&client).is_some_and(|state| {
            state.transactions.iter().any(|r| {
                s.transactions.get(r).is_some_and(|t| {
                    s.transaction_visibility(&self.viewer, &t.facts, self.today)
                        .level
                        != AccessLevel::None
                })
            })
        })
    }

    /// The client `id` answers as for this viewer: its survivor when it was merged away and the
    /// viewer could see something of it; `None` when it was merged away and the viewer could
    /// not (answered as an id never used); else itself.
    fn answering_as(&self, id: ClientId) -> Option<ClientId> {
        let survivor = self.store.resolved(id);
        (survivor == id || self.sees_own(id)).then_some(survivor)
    }

    /// The client's profile, or `None` when the viewer may not see its intake (or it does not
    /// exist: the two are indistinguishable). A merged client shows the survivor's intake where
    /// the viewer may see it, else the first merged intake it may; its id is the survivor's,
    /// and a merged-away id answers as the survivor (to a viewer that could see it).
    pub fn client(&self, id: ClientId) -> Option<ClientSummary> {
        let survivor = self.answering_as(id)?;
        let (shown, access) = self.store.members(survivor).find_map(|m| {
            let access = self.store.intake_visibility(&self.viewer, m, self.today);
            (access.level != AccessLevel::None).then_some((m, access))
        })?;
        let state = self.store.clients.get(&shown)?;
        let restriction = self.store.facts(shown)?.restriction_on(self.today);
        let mut intake = state.intake.clone()?;
        intake.client_id = survivor;
        if self.viewer.role == Role::HelpDesk {
            // DESIGN.md, who reads what by role: the help desk finds any client, restricted
            // ones included, and produces their dashboards; for that it needs the SSN masked to
            // its last four (as the dashboard prints it), never the whole number. Decided here,
            // so every answer built on this view (profile, searches, rows) holds only that.
            intake.ssn = intake.ssn.map(|ssn| masked_ssn(&ssn));
        }
        Some(ClientSummary {
            intake,
            access,
            restriction,
            times: state.times,
            recorded_by: state.recorded_by,
            elements: if access.shows_content() {
                self.store
                    .elements
                    .of(shown.as_u128(), &self.store.records, &self.store.keys)
            } else {
                Vec::new()
            },
            merged: self
                .store
                .members(survivor)
                .skip(1)
                .filter(|m| self.sees_own(*m))
                .collect(),
        })
    }

    /// How the viewer sees the client: with its profile, as an id only (its organization's own
    /// records and nothing else), or not at all (`None`, exactly as for an id never used).
    pub fn client_card(&self, id: ClientId) -> Option<ClientCard> {
        let survivor = self.answering_as(id)?;
        if let Some(profile) = self.client(survivor) {
            return Some(ClientCard {
                id: survivor,
                profile: Some(profile),
            });
        }
        // Where the intake is hidden only the viewer's own records (and those shared along a
        // path) can be visible, so asking the rules of each record stays within one client.
        let any_record = self
            .store
            .members(survivor)
            .any(|m| self.any_record_visible(m));
        any_record.then_some(ClientCard {
            id: survivor,
            profile: None,
        })
    }

    /// Find Client as rows: [`OrgView::find_clients`], and for a search by HMIS id alone the
    /// id-only client too (a name, date of birth or SSN could only match by reading the hidden
    /// intake, so those never find one).
    pub fn find_client_cards(
        &self,
        query: &ClientQuery,
        after: Option<ClientId>,
        limit: usize,
    ) -> Vec<ClientCard> {
        if let Some(id) = query.client_id
            && *query
                == (ClientQuery {
                    client_id: Some(id),
                    ..ClientQuery::default()
                })
        {
            return self
                .client_card(id)
                .filter(|card| after.is_none_or(|a| card.id > a))
                .into_iter()
                .take(limit)
                .collect();
        }
        self.find_clients(query, after, limit)
            .into_iter()
            .map(|profile| ClientCard {
                id: profile.intake.client_id,
                profile: Some(profile),
            })
            .collect()
    }

    /// The caseload: clients with an enrollment of the viewer's organization the viewer may
    /// see that is open or exited within the last
    /// [`RECENT_EXIT_DAYS`](caseledger_core::sharing::RECENT_EXIT_DAYS) days, and clients of the
    /// viewer's own restrict-to-user records; in id order, at most `limit` after `after`, each
    /// as the viewer sees it (with its profile or as an id only).
    pub fn caseload(&self, after: Option<ClientId>, limit: usize) -> Vec<ClientCard> {
        use std::ops::Bound;
        let s = self.store;
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        let empty = std::collections::BTreeSet::new();
        let enrolled = s
            .enrolled_by_org
            .get(&self.viewer.organization)
            .unwrap_or(&empty)
            .range((from, Bound::Unbounded));
        let restricted = s
            .restricted_to_user
            .get(&self.viewer.user)
            .unwrap_or(&empty)
            .range((from, Bound::Unbounded));
        // Both sets are ordered: merge them, so a page reads only up to its last row.
        let (mut a, mut b) = (enrolled.copied().peekable(), restricted.copied().peekable());
        let mut out = Vec::new();
        while out.len() < limit {
            let next = match (a.peek().copied(), b.peek().copied()) {
                (None, None) => break,
                (Some(x), None) => {
                    a.next();
                    x
                }
                (None, Some(y)) => {
                    b.next();
                    y
                }
                (Some(x), Some(y)) => {
                    if x <= y {
                        a.next();
                    }
                    if y <= x {
                        b.next();
                    }
                    x.min(y)
                }
            };
            // Entries are survivors (a merge moves them); one that is not would page forever.
            if s.resolved(next) == next
                && self.in_caseload(next)
                && let Some(card) = self.client_card(next)
            {
                out.push(card);
            }
        }
        out
    }

    /// Whether the client belongs to the viewer's caseload today.
    fn in_caseload(&self, client: ClientId) -> bool {
        let s = self.store;
        let recent_from = self
            .today
            .add_days(-caseledger_core::sharing::RECENT_EXIT_DAYS);
        s.member_records(client).any(|t| {
            let f = &t.facts;
            let own_restricted = f.restriction
                == caseledger_core::TransactionRestriction::RestrictToUser
                && f.owner.user == self.viewer.user
                && f.owner.organization == self.viewer.organization;
            let enrollment = f.kind == RecordKind::Enrollment
                && f.owner.organization == self.viewer.organization;
            if !own_restricted && !enrollment {
                return false;
            }
            if s.transaction_visibility(&self.viewer, f, self.today).level == AccessLevel::None {
                return false;
            }
            own_restricted || {
                let events: Vec<Event> = t.current(&s.records, &s.keys);
                let exit = crate::EnrollmentEvents::of(&events)
                    .and_then(|e| e.exit)
                    .map(|x| x.exit_date);
                exit.is_none_or(|x| recent_from.is_none_or(|from| x >= from))
            }
        })
    }

    /// An enrollment of the client in `program` open on `entry` (not exited, or exited after
    /// it), told only as far as the viewer may see it; `None` when there is none.
    pub fn overlapping_enrollment(
        &self,
        client: ClientId,
        program: caseledger_core::ProgramId,
        entry: caseledger_core::Date,
    ) -> Option<Overlap> {
        let s = self.store;
        let mut overlap = None;
        for t in s.member_records(s.resolved(client)) {
            if t.facts.kind != RecordKind::Enrollment || s.voided.contains(&t.facts.id) {
                continue;
            }
            let events: Vec<Event> = t.current(&s.records, &s.keys);
            let Some(e) = crate::EnrollmentEvents::of(&events) else {
                continue;
            };
            let exit = e.exit.map(|x| x.exit_date);
            if e.enrolled.program_id != program || exit.is_some_and(|x| x <= entry) {
                continue;
            }
            if s.transaction_visibility(&self.viewer, &t.facts, self.today)
                .level
                != AccessLevel::None
            {
                return Some(Overlap::Seen(
                    e.enrolled.enrollment_id,
                    e.enrolled.entry_date,
                ));
            }
            overlap = Some(Overlap::Unseen);
        }
        overlap
    }

    /// The clients the duplicate queue would pair with `identity` (an intake about to be
    /// recorded) whose intake the viewer may see, as their survivors: what an intake is warned
    /// of, without a word about any client the viewer cannot see.
    pub fn probable_duplicates(
        &self,
        identity: &caseledger_core::duplicates::Identity,
    ) -> Vec<ClientId> {
        let s = self.store;
        let found: std::collections::BTreeSet<ClientId> = s
            .duplicates
            .matching(identity)
            .into_iter()
            .filter(|id| {
                s.intake_visibility(&self.viewer, *id, self.today).level != AccessLevel::None
            })
            .map(|id| s.resolved(id))
            .collect();
        found.into_iter().collect()
    }

    /// Find Client: clients whose intake the viewer may see and that match every part of the
    /// query, in id order, at most `limit` of them after `after`.
    pub fn find_clients(
        &self,
        query: &ClientQuery,
        after: Option<ClientId>,
        limit: usize,
    ) -> Vec<ClientSummary> {
        let Some(candidates) = self.store.search.matching(query) else {
            return Vec::new();
        };
        // A match reads the intake that matched, so only one the viewer may see finds its
        // client; a merged client is found once, as its survivor.
        let s = self.store;
        let found: std::collections::BTreeSet<ClientId> = candidates
            .into_iter()
            .filter(|id| {
                s.intake_visibility(&self.viewer, *id, self.today).level != AccessLevel::None
            })
            .map(|id| s.resolved(id))
            .collect();
        found
            .into_iter()
            .filter(|id| after.is_none_or(|a| *id > a))
            .filter_map(|id| self.client(id))
            .take(limit)
            .collect()
    }

    /// The client's transactions the viewer may see, in log order, optionally of one kind.
    /// An organization always sees what it recorded, even where it cannot see the intake.
    /// Records shown as metadata only (an auditor's) carry their events with the content
    /// removed ([`caseledger_core::sharing::metadata_only`]).
    pub fn transactions(
        &self,
        client: ClientId,
        kind: Option<RecordKind>,
    ) -> Vec<TransactionSummary> {
        let Some(survivor) = self.answering_as(client) else {
            return Vec::new();
        };
        self.store
            .member_records(survivor)
            .map(|t| (&t.facts.id, t))
            .filter(|(_, t)| kind.is_none_or(|k| t.facts.kind == k))
            .filter_map(|(id, t)| {
                let access = self
                    .store
                    .transaction_visibility(&self.viewer, &t.facts, self.today);
                (access.level != AccessLevel::None).then(|| {
                    let events = t.current(&self.store.records, &self.store.keys).into_iter();
                    TransactionSummary {
                        id: *id,
                        kind: t.facts.kind,
                        // An auditor reads what a record is, never what it says.
                        events: if access.shows_content() {
                            events.collect()
                        } else {
                            events
                                .map(|e| caseledger_core::sharing::metadata_only(&e))
                                .collect()
                        },
                        access,
                        times: t.times,
                        exit_times: t.exit_times(),
                        exited_by: t.exited_by(),
                        elements: if access.shows_content() {
                            self.store
                                .elements
                                .of(*id, &self.store.records, &self.store.keys)
                        } else {
                            Vec::new()
                        },
                        replaced_texts: if access.shows_content()
                            && matches!(
                                t.facts.kind,
                                RecordKind::CaseNote
                                    | RecordKind::Service
                                    | RecordKind::Document
                                    | RecordKind::BarListEntry
                            ) {
                            let recorded: Vec<Event> =
                                t.recorded(&self.store.records, &self.store.keys);
                            caseledger_core::corrections::replaced_texts(&recorded)
                        } else {
                            Vec::new()
                        },
                    }
                })
            })
            .collect()
    }

    /// Every client whose intake the viewer may see today, in id order (id-only clients are
    /// not among them: this is the list of profiles, e.g. for an export): the audience indexes
    /// give the candidates (own, global, MOU, release grants; every client under an open-intake
    /// policy or for the CoC roles), and the rules decide.
    pub fn visible_clients(&self) -> Vec<ClientId> {
        use std::collections::BTreeSet;
        let s = self.store;
        let everyone = matches!(
            self.viewer.role,
            caseledger_core::Role::SystemAdmin
                | caseledger_core::Role::HelpDesk
                | caseledger_core::Role::Auditor
        ) || s.policy_on(self.today).intake_editors
            == caseledger_core::sharing::IntakeEditors::AllParticipating;
        let candidates: BTreeSet<ClientId> = if everyone {
            s.clients.keys().copied().collect()
        } else {
            let org = self.viewer.organization;
            let mut c: BTreeSet<ClientId> =
                s.clients_by_creator.get(&org).cloned().unwrap_or_default();
            c.extend(s.global_clients.iter().copied());
            for (mou, clients) in &s.clients_by_mou {
                if s.mous
                    .get(mou)
                    .is_some_and(|m| m.ever().any(|(o, d)| *o == org && d.receives()))
                {
                    c.extend(clients.iter().copied());
                }
            }
            if let Some(r) = s.clients_by_release_to.get(&org) {
                c.extend(r.iter().copied());
            }
            c
        };
        // A merged client is listed once, as its survivor, when any member's intake is
        // visible (the survivor's own audience entries may not name it).
        let merged: BTreeSet<ClientId> = candidates.iter().map(|id| s.resolved(*id)).collect();
        merged
            .into_iter()
            .filter(|id| {
                s.members(*id).any(|m| {
                    s.intake_visibility(&self.viewer, m, self.today).level != AccessLevel::None
                })
            })
            .collect()
    }
}

/// A client's MOU assignment as a viewer may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignmentSummary {
    /// The assignment.
    pub id: caseledger_core::MouAssignmentId,
    /// The MOU.
    pub mou: caseledger_core::MouId,
    /// When it applies (an ending recorded later shortens it).
    pub window: caseledger_core::DateWindow,
}

/// A client's release exception as a viewer may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseSummary {
    /// The release.
    pub id: caseledger_core::ReleaseId,
    /// The organization sharing out.
    pub granting: caseledger_core::OrganizationId,
    /// The organization that may see.
    pub accessing: caseledger_core::OrganizationId,
    /// When it applies (a revocation shortens it).
    pub window: caseledger_core::DateWindow,
}

/// A client's releases of information: MOU assignments and release exceptions, in log order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSharing {
    /// MOU assignments.
    pub assignments: Vec<AssignmentSummary>,
    /// Release exceptions.
    pub releases: Vec<ReleaseSummary>,
}

/// Whether a bed is free on a night.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedStatus {
    /// Nobody holds it.
    Free,
    /// Reserved for the night.
    Reserved,
    /// Someone is staying in it.
    Occupied,
}

/// One bed on one night, as a viewer may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BedNight {
    /// The facility.
    pub facility: caseledger_core::FacilityId,
    /// The room.
    pub room: caseledger_core::RoomId,
    /// The bed.
    pub bed: caseledger_core::BedId,
    /// Free, reserved or occupied.
    pub status: BedStatus,
    /// Who holds it, and the stay or reservation (with the rule that lets the viewer see it),
    /// only when the viewer may see that record; otherwise the bed shows as taken without
    /// identity.
    pub holder: Option<(ClientId, u128, Visibility)>,
}

impl OrgView<'_> {
    /// The client's releases of information, when the viewer may see the client's intake.
    pub fn sharing(&self, client: ClientId) -> Option<ClientSharing> {
        self.client_visible(client).then_some(())?;
        let state = self.store.clients.get(&client)?;
        Some(ClientSharing {
            assignments: state
                .assignments
                .iter()
                .filter(|(id, _, _)| !self.store.voided.contains(&id.as_u128()))
                .map(|(id, mou, when)| AssignmentSummary {
                    id: *id,
                    mou: *mou,
                    window: when.effective(),
                })
                .collect(),
            releases: state
                .releases
                .iter()
                .filter(|r| !self.store.voided.contains(&r.id.as_u128()))
                .map(|r| ReleaseSummary {
                    id: r.id,
                    granting: r.granting,
                    accessing: r.accessing,
                    window: r.when.effective(),
                })
                .collect(),
        })
    }

    fn client_visible(&self, client: ClientId) -> bool {
        self.store
            .intake_visibility(&self.viewer, client, self.today)
            .level
            != AccessLevel::None
    }

    /// The households the client belongs to, when the viewer may see the client, with the
    /// members the viewer may not see left out (a hidden head included: callers show the head
    /// only when it is among the members).
    pub fn households(&self, client: ClientId) -> Vec<crate::HouseholdFacts> {
        if !self.client_visible(client) {
            return Vec::new();
        }
        let h = &self.store.households;
        h.of_client
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|id| h.by_id.get(id))
            .map(|household| {
                let mut household = household.clone();
                household.members.retain(|m| self.client_visible(m.client));
                household
            })
            .collect()
    }

    /// Every bed of every facility on the night of `date`.
    pub fn bed_availability(&self, date: caseledger_core::Date) -> Vec<BedNight> {
        let mut nights = Vec::new();
        for facility in self.store.catalog.facilities() {
            for room in &facility.rooms {
                for (bed, _) in &room.beds {
                    let uses = self.store.shelter.uses.get(bed);
                    let current = uses.into_iter().flatten().filter(|u| u.covers(date));
                    // A stay outranks a reservation of the same night.
                    let holder = current.max_by_key(|u| !u.reservation);
                    let status = match holder {
                        None => BedStatus::Free,
                        Some(u) if u.reservation => BedStatus::Reserved,
                        Some(_) => BedStatus::Occupied,
                    };
                    let holder = holder.and_then(|u| {
                        let record = self.store.transactions.get(&u.record)?;
                        let access = self.store.transaction_visibility(
                            &self.viewer,
                            &record.facts,
                            self.today,
                        );
                        (access.level != AccessLevel::None).then_some((u.client, u.record, access))
                    });
                    nights.push(BedNight {
                        facility: facility.id,
                        room: room.id,
                        bed: *bed,
                        status,
                        holder,
                    });
                }
            }
        }
        nights
    }

    /// Days the client has been enrolled in programs of `project_type`, across every
    /// organization and counting overlapping enrollments once, up to the views' date (entry day
    /// through the day before exit). Answers for enrollments the viewer cannot see without
    /// revealing them (a total only), and only when the viewer may see the client.
    pub fn enrolled_days(
        &self,
        client: ClientId,
        project_type: caseledger_core::hud::ProjectType,
    ) -> Option<u32> {
        if !self.client_visible(client) {
            return None;
        }
        let state = self.store.clients.get(&client)?;
        let end_of_today = self.today.add_days(1)?;
        let mut spans: Vec<(i32, i32)> = state
            .transactions
            .iter()
            .filter(|id| !self.store.voided.contains(id))
            .filter_map(|id| self.store.transactions.get(id))
            .filter(|t| t.facts.kind == RecordKind::Enrollment)
            .filter_map(|t| {
                let events: Vec<Event> = t.current(&self.store.records, &self.store.keys);
                let Some(Event::ClientEnrolled(e)) = events.first() else {
                    return None;
                };
                let program = self.store.catalog.program(e.program_id)?;
                if program.project_type != project_type {
                    return None;
                }
                let exit = events.iter().rev().find_map(|x| match x {
                    Event::EnrollmentExited(x) => Some(x.exit_date),
                    _ => None,
                });
                let until = exit.unwrap_or(end_of_today).min(end_of_today);
                Some((e.entry_date.days_from_ce(), until.days_from_ce()))
            })
            .filter(|(from, until)| from < until)
            .collect();
        spans.sort_unstable();
        let mut total = 0i64;
        let mut current: Option<(i32, i32)> = None;
        for (from, until) in spans {
            match current {
                Some((s, e)) if from <= e => current = Some((s, e.max(until))),
                _ => {
                    if let Some((s, e)) = current {
                        total += i64::from(e - s);
                    }
                    current = Some((from, until));
                }
            }
        }
        if let Some((s, e)) = current {
            total += i64::from(e - s);
        }
        u32::try_from(total).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::masked_ssn;

    #[test]
    fn a_masked_ssn_keeps_only_the_last_four_digits() {
        assert_eq!(masked_ssn("123-45-6789"), "XXX-XX-6789");
        assert_eq!(masked_ssn("123456789"), "XXX-XX-6789");
        assert_eq!(masked_ssn("6789"), "XXX-XX-6789");
        assert_eq!(masked_ssn("12"), "XXX-XX-XXXX");
        assert_eq!(masked_ssn(""), "");
        assert!(!masked_ssn("123-45-6789").contains("12345"));
    }
}
