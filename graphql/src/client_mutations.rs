//! Client mutations: intake, corrections, address, restriction, MOU assignment, releases.
//! Each returns the changed client (read through the viewer's view, so it is a recorded
//! disclosure like any read) and the log position written.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use caseledger_core::ClientId;
use caseledger_core::commands::clients::{
    EditClientIntake, ForgetClientIdentifiers, IntakeClient, SetClientRestriction,
    UpdateClientAddress,
};
use caseledger_core::commands::sharing::{
    AssignMou, EndMouAssignment, GrantReleaseException, RevokeReleaseException,
};
use caseledger_core::events::PersonName;
use caseledger_core::hud::{DataQuality, Gender, MissingReason, NoYesReasons, RaceEthnicity, Sex};
use caseledger_service::new_id;

use crate::client::{Address, Client, read_client};
use crate::convert::{self, ClientRestrictionName, hud, hud_list, opt_hud};
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// A new client's intake. HUD codes as in HMIS CSV (data quality 1 full, 2 partial, 8, 9, 99;
/// veteran status 0 no, 1 yes, 8, 9, 99; sex 0 female, 1 male, 8, 9, 99).
#[derive(InputObject)]
pub struct IntakeClientInput {
    /// First name: one line, at most 50 characters.
    #[graphql(default)]
    pub first_name: String,
    /// Middle name: one line, at most 50 characters.
    #[graphql(default)]
    pub middle_name: String,
    /// Last name: one line, at most 50 characters.
    #[graphql(default)]
    pub last_name: String,
    /// Suffix: one line, at most 50 characters.
    #[graphql(default)]
    pub name_suffix: String,
    /// HUD name data quality.
    pub name_data_quality: i32,
    /// SSN (nine digits; fewer for a partial SSN; empty if not given).
    #[graphql(default)]
    pub ssn: String,
    /// HUD SSN data quality.
    pub ssn_data_quality: i32,
    /// Date of birth: YYYY-MM-DD, from 1900-01-01 to today.
    pub dob: Option<String>,
    /// HUD DOB data quality.
    pub dob_data_quality: i32,
    /// HUD race and ethnicity codes.
    #[graphql(default)]
    pub race_ethnicity: Vec<i32>,
    /// Why race is missing (8, 9, 99) when no race is given.
    pub race_none: Option<i32>,
    /// Additional race and ethnicity text: one line, at most 100 characters.
    #[graphql(default)]
    pub additional_race_ethnicity: String,
    /// HUD sex code (FY2026).
    pub sex: Option<i32>,
    /// HUD gender codes (FY2024).
    #[graphql(default)]
    pub genders: Vec<i32>,
    /// Why gender is missing (FY2024).
    pub gender_none: Option<i32>,
    /// FY2024 different identity text: one line, at most 100 characters.
    #[graphql(default)]
    pub different_identity_text: String,
    /// HUD veteran status.
    pub veteran_status: i32,
    /// Last known address.
    pub address: Option<Address>,
    /// Who may see the intake beyond your organization; the policy's default if not given.
    pub restriction: Option<ClientRestrictionName>,
}

/// Intake fields to change; a field left out stays as it is, `null` clears a nullable one.
#[derive(InputObject, Default)]
pub struct UpdateIntakeInput {
    /// First name: one line, at most 50 characters.
    pub first_name: Option<String>,
    /// Middle name: one line, at most 50 characters.
    pub middle_name: Option<String>,
    /// Last name: one line, at most 50 characters.
    pub last_name: Option<String>,
    /// Suffix: one line, at most 50 characters.
    pub name_suffix: Option<String>,
    /// HUD name data quality.
    pub name_data_quality: Option<i32>,
    /// SSN.
    pub ssn: Option<String>,
    /// HUD SSN data quality.
    pub ssn_data_quality: Option<i32>,
    /// Date of birth: YYYY-MM-DD, from 1900-01-01 to today.
    pub dob: MaybeUndefined<String>,
    /// HUD DOB data quality.
    pub dob_data_quality: Option<i32>,
    /// HUD race and ethnicity codes (replaces the list).
    pub race_ethnicity: Option<Vec<i32>>,
    /// Why race is missing.
    pub race_none: MaybeUndefined<i32>,
    /// Additional race and ethnicity text: one line, at most 100 characters.
    pub additional_race_ethnicity: Option<String>,
    /// HUD sex code.
    pub sex: MaybeUndefined<i32>,
    /// HUD gender codes (replaces the list).
    pub genders: Option<Vec<i32>>,
    /// Why gender is missing.
    pub gender_none: MaybeUndefined<i32>,
    /// Different identity text: one line, at most 100 characters.
    pub different_identity_text: Option<String>,
    /// HUD veteran status.
    pub veteran_status: Option<i32>,
}

fn maybe<T>(
    field: &str,
    value: &MaybeUndefined<i32>,
    from_code: fn(u16) -> Option<T>,
) -> async_graphql::Result<Option<Option<T>>> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(code) => Some(Some(hud(field, *code, from_code)?)),
    })
}

impl UpdateIntakeInput {
    /// The patch as the command carries it (name parts trimmed, as at intake).
    fn into_command(self, client: ClientId) -> async_graphql::Result<EditClientIntake> {
        let trimmed = |part: Option<String>| part.map(|p| p.trim().to_string());
        Ok(EditClientIntake {
            client_id: client,
            first_name: trimmed(self.first_name),
            middle_name: trimmed(self.middle_name),
            last_name: trimmed(self.last_name),
            name_suffix: trimmed(self.name_suffix),
            name_data_quality: opt_hud(
                "nameDataQuality",
                self.name_data_quality,
                DataQuality::from_code,
            )?,
            ssn: self.ssn,
            ssn_data_quality: opt_hud(
                "ssnDataQuality",
                self.ssn_data_quality,
                DataQuality::from_code,
            )?,
            dob: match self.dob {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(convert::date("dob", &d)?)),
            },
            dob_data_quality: opt_hud(
                "dobDataQuality",
                self.dob_data_quality,
                DataQuality::from_code,
            )?,
            race_ethnicity: self
                .race_ethnicity
                .map(|r| hud_list("raceEthnicity", &r, RaceEthnicity::from_code))
                .transpose()?,
            race_none: maybe("raceNone", &self.race_none, MissingReason::from_code)?,
            additional_race_ethnicity: self.additional_race_ethnicity,
            sex: maybe("sex", &self.sex, Sex::from_code)?,
            genders: self
                .genders
                .map(|g| hud_list("genders", &g, Gender::from_code))
                .transpose()?,
            gender_none: maybe("genderNone", &self.gender_none, MissingReason::from_code)?,
            different_identity_text: self.different_identity_text,
            veteran_status: opt_hud(
                "veteranStatus",
                self.veteran_status,
                NoYesReasons::from_code,
            )?,
            imported: false,
        })
    }
}

impl IntakeClientInput {
    /// The intake command of a new client `client_id`.
    fn into_command(self, client_id: ClientId) -> async_graphql::Result<IntakeClient> {
        Ok(IntakeClient {
            client_id,
            name: PersonName {
                first: self.first_name.trim().to_string(),
                middle: self.middle_name.trim().to_string(),
                last: self.last_name.trim().to_string(),
                suffix: self.name_suffix.trim().to_string(),
            },
            name_data_quality: hud(
                "nameDataQuality",
                self.name_data_quality,
                DataQuality::from_code,
            )?,
            ssn: self.ssn,
            ssn_data_quality: hud(
                "ssnDataQuality",
                self.ssn_data_quality,
                DataQuality::from_code,
            )?,
            dob: convert::opt_date("dob", &self.dob)?,
            dob_data_quality: hud(
                "dobDataQuality",
                self.dob_data_quality,
                DataQuality::from_code,
            )?,
            race_ethnicity: hud_list(
                "raceEthnicity",
                &self.race_ethnicity,
                RaceEthnicity::from_code,
            )?,
            race_none: opt_hud("raceNone", self.race_none, MissingReason::from_code)?,
            additional_race_ethnicity: self.additional_race_ethnicity,
            sex: opt_hud("sex", self.sex, Sex::from_code)?,
            genders: hud_list("genders", &self.genders, Gender::from_code)?,
            gender_none: opt_hud("genderNone", self.gender_none, MissingReason::from_code)?,
            different_identity_text: self.different_identity_text,
            veteran_status: hud(
                "veteranStatus",
                self.veteran_status,
                NoYesReasons::from_code,
            )?,
            address: self.address.map(Into::into),
            restriction: self.restriction.map(Into::into),
            source_id: None,
            hash_status: caseledger_core::hud::HashStatus::Unhashed,
        })
    }
}

/// A client after a change, and the log position written.
pub struct ClientPayload {
    client: ClientId,
    position: u64,
    extra: Option<ID>,
}

#[Object]
impl ClientPayload {
    /// The log position written; pass it as `minPosition` to read your own write.
    async fn position(&self) -> u64 {
        self.position
    }

    /// The id of what was created (MOU assignment, release exception), if anything.
    async fn created_id(&self) -> Option<ID> {
        self.extra.clone()
    }

    /// The client as you may now see them.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        read_client(ctx, self.client, true, "client")
    }
}

/// A new client, with clients you may see that may be the same person.
pub struct IntakePayload {
    client: ClientId,
    duplicates: Vec<ClientId>,
    position: u64,
}

#[Object]
impl IntakePayload {
    /// The log position written.
    async fn position(&self) -> u64 {
        self.position
    }

    /// The new client.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        read_client(ctx, self.client, true, "client")
    }

    /// Clients you may see with the same SSN, or the same last name, first initial and date
    /// of birth (recorded as incidental disclosures).
    async fn possible_duplicates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Client>> {
        let mut out = Vec::new();
        for id in &self.duplicates {
            if let Some(c) = read_client(ctx, *id, false, "possibleDuplicates")? {
                out.push(c);
            }
        }
        Ok(out)
    }
}

fn payload(client: ClientId, position: u64) -> ClientPayload {
    ClientPayload {
        client,
        position,
        extra: None,
    }
}

/// Client mutations.
#[derive(Default)]
pub struct ClientMutations;

#[Object]
impl ClientMutations {
    /// Records a new client's intake, owned by your organization. Agency staff.
    async fn intake_client(
        &self,
        ctx: &Context<'_>,
        input: IntakeClientInput,
    ) -> async_graphql::Result<IntakePayload> {
        let a = session(ctx)?;
        let client = new_id();
        let (duplicates, written) = service(ctx)
            .run(a, &input.into_command(client)?)
            .await
            .map_err(to_graphql)?;
        Ok(IntakePayload {
            client,
            duplicates,
            position: written.position(),
        })
    }

    /// Changes intake fields. The creating organization (or a system administrator correcting
    /// data); others get FORBIDDEN.
    async fn update_client_intake(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        input: UpdateIntakeInput,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let ((), written) = service(ctx)
            .run(a, &input.into_command(client)?)
            .await
            .map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }

    /// Sets (or, with null, clears) the client's address. Any organization that can see the
    /// client.
    async fn update_client_address(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        address: Option<Address>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let command = UpdateClientAddress {
            client_id: client,
            address: address.map(Into::into),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }

    /// Forgets the client's identifiers (system administrators only): their data key is
    /// destroyed, so names, SSN, date of birth, address and every free text ever recorded for
    /// them read as erased from now on, everywhere; enrollments, services and other
    /// non-identifying facts stay for reporting. `reason` stays in the audit trail unsealed:
    /// say why, never who. Cannot be undone.
    async fn forget_client_identifiers(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        #[graphql(
            desc = "Why (never who): kept unsealed in the audit trail. Several lines allowed, at most 500 characters."
        )]
        reason: String,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let command = ForgetClientIdentifiers {
            client_id: client,
            reason,
        };
        let written = service(ctx)
            .forget_client_identifiers(a, &command)
            .await
            .map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }

    /// Changes who may see the client's intake, from `effective` (default today). The creating
    /// organization only.
    async fn set_client_restriction(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        restriction: ClientRestrictionName,
        #[graphql(
            desc = "From this date: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        effective: Option<String>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let effective = convert::opt_date("effective", &effective)?;
        let command = SetClientRestriction {
            client_id: client,
            restriction: restriction.into(),
            effective,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }

    /// Assigns the client to an MOU your organization participates in (ending the previous
    /// assignment). The creating organization only.
    async fn assign_mou(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        mou_id: ID,
        #[graphql(
            desc = "First date of the assignment (default today): YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        start: Option<String>,
        #[graphql(
            desc = "Last date of the assignment: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        end: Option<String>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let mou = convert::id("mouId", &mou_id)?;
        let window = match &start {
            Some(s) => Some(convert::window("window", s, &end)?),
            None => None,
        };
        let id = new_id();
        let command = AssignMou {
            client_id: client,
            assignment_id: id,
            mou_id: mou,
            window,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(ClientPayload {
            client,
            position: written.position(),
            extra: Some(convert::show(id)),
        })
    }

    /// Records a release of information from your organization to another for this client.
    async fn grant_release_exception(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        accessing_organization_id: ID,
        #[graphql(
            desc = "First date of the release (default today): YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        start: Option<String>,
        #[graphql(
            desc = "Last date of the release: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        end: Option<String>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let accessing = convert::id("accessingOrganizationId", &accessing_organization_id)?;
        let window = match &start {
            Some(s) => Some(convert::window("window", s, &end)?),
            None => None,
        };
        let id = new_id();
        let command = GrantReleaseException {
            client_id: client,
            release_id: id,
            accessing_organization_id: accessing,
            window,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(ClientPayload {
            client,
            position: written.position(),
            extra: Some(convert::show(id)),
        })
    }

    /// Ends the client's MOU assignment without assigning another: what the client's
    /// organization recorded is no longer shared along the MOU after `lastDay` (yesterday by
    /// default, so at once). The creating organization only.
    async fn end_mou_assignment(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        assignment_id: ID,
        #[graphql(
            desc = "The last date the assignment applies: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        last_day: Option<String>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let assignment = convert::id("assignmentId", &assignment_id)?;
        let last_day = convert::opt_date("lastDay", &last_day)?;
        let command = EndMouAssignment {
            client_id: client,
            assignment_id: assignment,
            last_day,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }

    /// Ends a release exception; `lastDay` (default yesterday, so access stops now) is the last
    /// date it applies. The granting organization only.
    async fn revoke_release_exception(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        release_id: ID,
        #[graphql(
            desc = "The last date the release applies: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        last_day: Option<String>,
    ) -> async_graphql::Result<ClientPayload> {
        let a = session(ctx)?;
        let client = convert::id("clientId", &client_id)?;
        let release = convert::id("releaseId", &release_id)?;
        let last_day = convert::opt_date("lastDay", &last_day)?;
        let command = RevokeReleaseException {
            client_id: client,
            release_id: release,
            last_day,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(payload(client, written.position()))
    }
}
