//! The sharing policy, as data.
//!
//! The policy in force is recorded in the log (`SharingPolicySet`) rather than compiled in,
//! so that replaying history answers "who could see what on date d" the same way forever,
//! even after the deployment switches presets. The rules that interpret these fields live
//! in one place in core (the reference evaluator); this module only names the choices.

use serde::{Deserialize, Serialize};

use super::vocabulary::{AssessmentKind, ClientRestriction, RecordKind, TransactionRestriction};

/// Which named preset a policy was built from (informational: the other fields are
/// authoritative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PolicyPreset {
    /// `clienttrack` (the default): ClientTrack's rules as described in DESIGN.md.
    ClientTrack,
    /// `open-intake`: intake and enrollment summaries open to all participating
    /// organizations unless the client is restricted to its organization.
    OpenIntake,
}

/// Who may read and edit a client's intake besides system administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IntakeEditors {
    /// The creating organization edits; others see it per the client restriction and
    /// sharing paths (read-only).
    CreatingOrganization,
    /// Every participating organization reads and edits the intake (with household, contact
    /// and demographics) of a client that is not `RestrictToOrganization`, whatever the MOUs.
    AllParticipating,
}

/// Who may read the enrollment summary (program, organization, entry/exit dates, case
/// manager, program type, services) of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SummaryReaders {
    /// Only viewers the transaction rules admit (sharing path from the owner).
    SharingPath,
    /// Every participating organization, read-only, for a client that is not
    /// `RestrictToOrganization`.
    AllParticipating,
}

/// What a default transaction restriction applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RestrictionDefaultKey {
    /// Every record of this kind (for assessments: unless an `Assessment` key matches).
    Record(RecordKind),
    /// Assessments of this kind; takes precedence over `Record(RecordKind::Assessment)`.
    Assessment(AssessmentKind),
}

/// One row of the default transaction restriction table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RestrictionDefault {
    /// What the row applies to.
    pub key: RestrictionDefaultKey,
    /// The restriction a new record of that kind gets unless the user picks another.
    pub restriction: TransactionRestriction,
}

/// The sharing policy in force from a given date (see `SharingPolicySet`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SharingPolicy {
    /// The preset this policy was built from.
    pub preset: PolicyPreset,
    /// The restriction a new client gets unless the creating organization picks another.
    pub default_client_restriction: ClientRestriction,
    /// Who reads and edits intake.
    pub intake_editors: IntakeEditors,
    /// Who reads enrollment summaries.
    pub enrollment_summary_readers: SummaryReaders,
    /// Default restrictions for new transactions. A kind not listed defaults to
    /// `Unrestricted`; that fallback is part of the format and never changes.
    pub default_transaction_restrictions: Vec<RestrictionDefault>,
    /// IANA time zone name (e.g. `America/Los_Angeles`) in which all business dates are
    /// interpreted. Core has no time zone database; the service validates it.
    pub time_zone: String,
}

impl SharingPolicy {
    /// The defaults both presets share: case notes and health, substance use, legal and
    /// domestic violence assessments are restricted to the organization.
    fn preset_restrictions() -> Vec<RestrictionDefault> {
        let org = TransactionRestriction::RestrictToOrganization;
        let row = |key| RestrictionDefault {
            key,
            restriction: org,
        };
        vec![
            row(RestrictionDefaultKey::Record(RecordKind::CaseNote)),
            row(RestrictionDefaultKey::Assessment(AssessmentKind::Health)),
            row(RestrictionDefaultKey::Assessment(
                AssessmentKind::SubstanceUse,
            )),
            row(RestrictionDefaultKey::Assessment(AssessmentKind::Legal)),
            row(RestrictionDefaultKey::Assessment(
                AssessmentKind::DomesticViolence,
            )),
        ]
    }

    /// The `clienttrack` preset (the default) in time zone `time_zone`.
    pub fn clienttrack(time_zone: impl Into<String>) -> Self {
        Self {
            preset: PolicyPreset::ClientTrack,
            default_client_restriction: ClientRestriction::ShareGlobally,
            intake_editors: IntakeEditors::CreatingOrganization,
            enrollment_summary_readers: SummaryReaders::SharingPath,
            default_transaction_restrictions: Self::preset_restrictions(),
            time_zone: time_zone.into(),
        }
    }

    /// The `open-intake` preset in time zone `time_zone`.
    pub fn open_intake(time_zone: impl Into<String>) -> Self {
        Self {
            preset: PolicyPreset::OpenIntake,
            default_client_restriction: ClientRestriction::ShareGlobally,
            intake_editors: IntakeEditors::AllParticipating,
            enrollment_summary_readers: SummaryReaders::AllParticipating,
            default_transaction_restrictions: Self::preset_restrictions(),
            time_zone: time_zone.into(),
        }
    }

    /// The default restriction for a new record of `kind` (and, for assessments,
    /// `assessment_kind`): an `Assessment` row first, then a `Record` row, else
    /// `Unrestricted`. The first matching row wins.
    pub fn default_restriction_for(
        &self,
        kind: RecordKind,
        assessment_kind: Option<AssessmentKind>,
    ) -> TransactionRestriction {
        let find = |key: RestrictionDefaultKey| {
            self.default_transaction_restrictions
                .iter()
                .find(|row| row.key == key)
                .map(|row| row.restriction)
        };
        let by_assessment = match (kind, assessment_kind) {
            (RecordKind::Assessment, Some(ak)) => find(RestrictionDefaultKey::Assessment(ak)),
            _ => None,
        };
        by_assessment
            .or_else(|| find(RestrictionDefaultKey::Record(kind)))
            .unwrap_or(TransactionRestriction::Unrestricted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: TransactionRestriction = TransactionRestriction::RestrictToOrganization;
    const OPEN: TransactionRestriction = TransactionRestriction::Unrestricted;

    #[test]
    fn presets_share_default_restrictions() {
        for policy in [
            SharingPolicy::clienttrack("America/Los_Angeles"),
            SharingPolicy::open_intake("America/Los_Angeles"),
        ] {
            assert_eq!(
                policy.default_client_restriction,
                ClientRestriction::ShareGlobally
            );
            assert_eq!(
                policy.default_restriction_for(RecordKind::CaseNote, None),
                ORG
            );
            for ak in [
                AssessmentKind::Health,
                AssessmentKind::SubstanceUse,
                AssessmentKind::Legal,
                AssessmentKind::DomesticViolence,
            ] {
                assert_eq!(
                    policy.default_restriction_for(RecordKind::Assessment, Some(ak)),
                    ORG
                );
            }
            for ak in [
                AssessmentKind::General,
                AssessmentKind::IncomeBenefits,
                AssessmentKind::Disabilities,
                AssessmentKind::EmploymentEducation,
                AssessmentKind::CurrentLivingSituation,
                AssessmentKind::CoordinatedEntry,
                AssessmentKind::YouthEducationStatus,
            ] {
                assert_eq!(
                    policy.default_restriction_for(RecordKind::Assessment, Some(ak)),
                    OPEN
                );
            }
            for kind in [
                RecordKind::Enrollment,
                RecordKind::Exit,
                RecordKind::Service,
                RecordKind::Document,
                RecordKind::CheckIn,
                RecordKind::Reservation,
                RecordKind::BarListEntry,
            ] {
                assert_eq!(policy.default_restriction_for(kind, None), OPEN);
            }
            assert_eq!(
                policy.default_restriction_for(RecordKind::Assessment, None),
                OPEN
            );
        }
    }

    #[test]
    fn presets_differ_in_intake_and_summaries() {
        let ct = SharingPolicy::clienttrack("UTC");
        let oi = SharingPolicy::open_intake("UTC");
        assert_eq!(ct.preset, PolicyPreset::ClientTrack);
        assert_eq!(ct.intake_editors, IntakeEditors::CreatingOrganization);
        assert_eq!(ct.enrollment_summary_readers, SummaryReaders::SharingPath);
        assert_eq!(oi.preset, PolicyPreset::OpenIntake);
        assert_eq!(oi.intake_editors, IntakeEditors::AllParticipating);
        assert_eq!(
            oi.enrollment_summary_readers,
            SummaryReaders::AllParticipating
        );
        assert_eq!(oi.time_zone, "UTC");
    }

    #[test]
    fn assessment_row_beats_record_row() {
        let mut policy = SharingPolicy::clienttrack("UTC");
        policy
            .default_transaction_restrictions
            .push(RestrictionDefault {
                key: RestrictionDefaultKey::Record(RecordKind::Assessment),
                restriction: TransactionRestriction::RestrictToUser,
            });
        assert_eq!(
            policy.default_restriction_for(RecordKind::Assessment, Some(AssessmentKind::Health)),
            ORG
        );
        assert_eq!(
            policy.default_restriction_for(RecordKind::Assessment, Some(AssessmentKind::General)),
            TransactionRestriction::RestrictToUser
        );
    }
}
