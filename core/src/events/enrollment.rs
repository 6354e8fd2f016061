//! Enrollments in programs: entry, move-in, exit (HUD Enrollment.csv, Exit.csv).

use serde::{Deserialize, Serialize};

use crate::hud::{
    Destination, LivingSituation, NoYesReasons, RelationshipToHoH, RentalSubsidyType,
};
use crate::ids::{ClientId, EnrollmentId, HouseholdId, ProgramId, UserId};
use crate::pii::Pii;
use crate::sharing::{RecordOwner, TransactionRestriction};
use crate::time::Date;

/// A client entered a program (HUD project start, 3.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEnrolled {
    /// The new enrollment.
    pub enrollment_id: EnrollmentId,
    /// The client.
    pub client_id: ClientId,
    /// The program.
    pub program_id: ProgramId,
    /// Who recorded it; `owner.organization` runs the program.
    pub owner: RecordOwner,
    /// Project start date (HUD `EntryDate`).
    pub entry_date: Date,
    /// The household enrolled together (HUD `HouseholdID`); `None` for a client enrolled
    /// alone (exports give such an enrollment a household of one).
    pub household_id: Option<HouseholdId>,
    /// HUD `RelationshipToHoH` (3.15).
    pub relationship_to_hoh: RelationshipToHoH,
    /// Prior living situation (HUD `LivingSituation`, 3.917), if collected.
    pub living_situation: Option<LivingSituation>,
    /// HUD `RentalSubsidyType` when the living situation is 435.
    pub rental_subsidy_type: Option<RentalSubsidyType>,
    /// HUD `DisablingCondition` (3.08).
    pub disabling_condition: NoYesReasons,
    /// HUD `EnrollmentCoC` (3.16), e.g. `CA-602`, for heads of household.
    pub enrollment_coc: Option<String>,
    /// Housing move-in date (HUD `MoveInDate`, 3.20) for permanent housing projects.
    pub move_in_date: Option<Date>,
    /// The assigned case manager, shown in the enrollment summary.
    pub case_manager: Option<UserId>,
    /// Who may see this enrollment beyond the owner.
    pub restriction: TransactionRestriction,
    /// HUD `EnrollmentID` in the system this enrollment was imported from.
    pub source_id: Option<String>,
}

/// The housing move-in date of an enrollment was set, changed or cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentMoveInSet {
    /// The enrollment.
    pub enrollment_id: EnrollmentId,
    /// The client (names the stream).
    pub client_id: ClientId,
    /// The move-in date (`None` clears it).
    pub move_in_date: Option<Date>,
}

/// A client left a program (HUD project exit, 3.11, and destination, 3.12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentExited {
    /// The enrollment.
    pub enrollment_id: EnrollmentId,
    /// The client (names the stream).
    pub client_id: ClientId,
    /// Project exit date (HUD `ExitDate`).
    pub exit_date: Date,
    /// HUD `Destination`, if collected.
    pub destination: Option<Destination>,
    /// HUD `DestinationSubsidyType` when the destination is 435.
    pub destination_subsidy_type: Option<RentalSubsidyType>,
    /// HUD `OtherDestination` free text (destination 17 "Other"); empty if not given.
    pub other_destination: Pii<String>,
    /// HUD `ExitID` in the system this exit was imported from.
    pub source_id: Option<String>,
}
