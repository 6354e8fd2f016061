//! Given / when / then for decisions, in the manner of cqrs-es' test framework: a history of
//! events folded into fresh projections (given), one command decided for a session (when), and
//! the exact events it must produce or the refusal it must give, by code and field (then).
//! Nothing is appended anywhere: a decision is a pure function, so it is tested as one.

// Each area's tests use the part of the harness their commands need.
#![allow(dead_code)]

use std::fmt::Debug;

use caseledger_core::events::{
    ClientIntakeRecorded, OrganizationCreated, PersonName, SharingPolicySet, UserCreated,
};
use caseledger_core::hud::{DataQuality, NoYesReasons, RaceEthnicity};
use caseledger_core::testkit::date;
use caseledger_core::{
    Actor, ClientId, ClientRestriction, CorrelationId, Date, Event, EventId, Header,
    OrganizationId, Pii, Role, SharingPolicy, Timestamp, UserId,
};
use caseledger_projections::Projections;

use crate::{Command, CommandError, Decision, ErrorCode, Session};

/// The business date every given history is decided on.
pub(crate) const TODAY: &str = "2026-12-01";

/// A history to decide on.
pub(crate) struct Given {
    pub(crate) state: Projections,
    next_id: u128,
    lead: OrganizationId,
    admin: UserId,
}

/// A bootstrapped CoC on [`TODAY`]: the ClientTrack-style policy (UTC), the lead organization
/// and its system administrator.
pub(crate) fn given() -> Given {
    let mut g = Given {
        state: Projections::new(date(TODAY)),
        next_id: 1,
        lead: OrganizationId::new(0),
        admin: UserId::new(0),
    };
    g.lead = g.id();
    g.admin = g.id();
    let system = g.system();
    g.apply(
        &system,
        SharingPolicySet {
            policy: SharingPolicy::clienttrack("UTC"),
            effective: date("2020-01-01"),
        },
    );
    g.apply(
        &system,
        OrganizationCreated {
            organization_id: g.lead,
            name: "CoC lead".into(),
            is_coc_lead: true,
            victim_service_provider: false,
            source_id: None,
        },
    );
    let admin = g.admin;
    g.add_user(admin, g.lead, Role::SystemAdmin);
    g
}

impl Given {
    /// An empty log (for the bootstrap, the one command decided on nothing).
    pub(crate) fn empty() -> Given {
        Given {
            state: Projections::new(date(TODAY)),
            next_id: 1,
            lead: OrganizationId::new(0),
            admin: UserId::new(0),
        }
    }

    /// A fresh id of any kind (deterministic: 1, 2, 3, ... in the order asked).
    pub(crate) fn id<T: From<ulid::Ulid>>(&mut self) -> T {
        let id = T::from(ulid::Ulid(self.next_id));
        self.next_id += 1;
        id
    }

    /// The business date decisions see.
    pub(crate) fn today(&self) -> Date {
        self.state.today()
    }

    /// The system administrator's session.
    pub(crate) fn admin(&self) -> Session {
        self.session(self.admin)
    }

    /// The lead organization.
    pub(crate) fn lead(&self) -> OrganizationId {
        self.lead
    }

    /// A session of a user in the history.
    pub(crate) fn session(&self, user: UserId) -> Session {
        let u = self
            .state
            .write_model()
            .user(user)
            .expect("a user of the given history");
        Session::new(Actor {
            user,
            organization: u.organization,
            role: u.role,
        })
    }

    /// The service acting for itself.
    pub(crate) fn system(&self) -> Session {
        Session::new(Actor {
            user: self.admin,
            organization: self.lead,
            role: Role::System,
        })
    }

    /// Adds an agency.
    pub(crate) fn organization(&mut self, name: &str) -> OrganizationId {
        let id = self.id();
        let system = self.system();
        self.apply(
            &system,
            OrganizationCreated {
                organization_id: id,
                name: name.into(),
                is_coc_lead: false,
                victim_service_provider: false,
                source_id: None,
            },
        );
        id
    }

    /// Adds a user of `organization` in `role`; answers their session.
    pub(crate) fn user(&mut self, organization: OrganizationId, role: Role) -> Session {
        let id = self.id();
        self.add_user(id, organization, role);
        self.session(id)
    }

    fn add_user(&mut self, id: UserId, organization: OrganizationId, role: Role) {
        let system = self.system();
        self.apply(
            &system,
            UserCreated {
                user_id: id,
                organization_id: organization,
                username: format!("user-{id}"),
                display_name: format!("User {id}"),
                role,
            },
        );
    }

    /// Adds a client whose intake `session` took (named "Ana Lopez", born `dob`, shared as the
    /// policy's default says); answers its id.
    pub(crate) fn client(&mut self, session: &Session, dob: Option<Date>) -> ClientId {
        let id = self.id();
        let known = if dob.is_some() {
            DataQuality::Full
        } else {
            DataQuality::DataNotCollected
        };
        self.apply(
            session,
            ClientIntakeRecorded {
                client_id: id,
                organization_id: session.organization(),
                name: Pii::new(PersonName {
                    first: "Ana".into(),
                    last: "Lopez".into(),
                    ..PersonName::default()
                }),
                name_data_quality: DataQuality::Full,
                ssn: Pii::new(String::new()),
                ssn_data_quality: DataQuality::DataNotCollected,
                dob: Pii::new(dob),
                dob_data_quality: known,
                race_ethnicity: vec![RaceEthnicity::White],
                race_none: None,
                additional_race_ethnicity: Pii::new(String::new()),
                sex: None,
                genders: Vec::new(),
                gender_none: None,
                different_identity_text: Pii::new(String::new()),
                veteran_status: NoYesReasons::No,
                address: Pii::new(None),
                restriction: ClientRestriction::ShareGlobally,
                source_id: None,
                hash_status: caseledger_core::hud::HashStatus::Unhashed,
            },
        );
        id
    }

    /// Folds one event into the history, as recorded by `session`.
    pub(crate) fn apply(&mut self, session: &Session, event: impl Into<Event>) -> &mut Self {
        let header = Header {
            event_id: self.id::<EventId>(),
            correlation_id: CorrelationId::new(0),
            recorded_at: Timestamp::from_micros(
                self.today()
                    .to_naive()
                    .and_hms_opt(12, 0, 0)
                    .expect("noon")
                    .and_utc()
                    .timestamp_micros(),
            )
            .expect("a time of the given day"),
            actor: session.actor(),
        };
        let position = self.state.position() + 1;
        self.state.apply_by(position, &header, &event.into());
        self
    }

    /// Decides `command` and folds what it decided into the history, as the service would
    /// after appending it; answers the command's output. Panics on a refusal: this builds the
    /// given history, whose commands must succeed.
    pub(crate) fn run<C: Command>(&mut self, session: &Session, command: &C) -> C::Output
    where
        C::Output: Debug,
    {
        let decision = command
            .decide(&self.state, session)
            .unwrap_or_else(|e| panic!("a given command was refused: {e}"));
        for event in decision.events {
            self.apply(session, event);
        }
        decision.output
    }

    /// Decides `command` for `session` on the history.
    pub(crate) fn when<C: Command>(&self, session: &Session, command: &C) -> Then<C::Output> {
        Then {
            result: command.decide(&self.state, session),
        }
    }
}

/// What a decision answered, to be checked.
pub(crate) struct Then<O> {
    result: Result<Decision<O>, CommandError>,
}

impl<O: Debug> Then<O> {
    /// The decision must produce exactly `events`; answers its output.
    #[track_caller]
    pub(crate) fn then(self, events: Vec<Event>) -> O {
        match self.result {
            Ok(d) => {
                assert_eq!(d.events, events, "the events decided");
                d.output
            }
            Err(e) => panic!("expected events, the command was refused: {e}"),
        }
    }

    /// The decision must be refused with `code`, naming `field`.
    #[track_caller]
    pub(crate) fn then_refused(self, code: ErrorCode, field: Option<&str>) -> CommandError {
        match self.result {
            Ok(d) => panic!("expected a refusal, the command decided {:?}", d.events),
            Err(e) => {
                assert_eq!((e.code, e.field.as_deref()), (code, field), "{e}");
                e
            }
        }
    }

    /// The decision must succeed; answers its events and output for closer checks.
    #[track_caller]
    pub(crate) fn decided(self) -> Decision<O> {
        self.result
            .unwrap_or_else(|e| panic!("expected events, the command was refused: {e}"))
    }
}
