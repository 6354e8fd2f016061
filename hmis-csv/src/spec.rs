//! The file layout of an FY2026 HMIS CSV export: every file's name and its columns, in order,
//! exactly as HUD's *HMIS CSV Format Specifications FY2026* (`CSVVersion` "2026 v1.0") has them.
//! A writer uses it to emit headers; a reader can use it to tell which file and columns an
//! FY2026 export should have.
//!
//! # Sources
//!
//! HUD's FY2026 specification itself (a Word/PDF document and an `.xlsx` machine-readable
//! version) was not available as text, so the lists were assembled from, and checked against:
//!
//! - the headers of the sample FY2026 exports in `../shared/hmis-csv/fy2026-validation`
//!   (all 24 files; `fy2026-enrollments` and `fy2026-bad-data` have identical headers for the 21
//!   files they contain), taken from the spec fixtures of Green River's `hmis-warehouse`;
//! - HUD's FY2024 machine-readable column list (`SupplementalTables/CSV_Columns.csv` in
//!   `HUD-Data-Lab/DataLab`) with the FY2026 changes applied, as that repository's
//!   `FY2026_mapping.R` applies them (drop the gender columns, insert `Sex` as the 11th column of
//!   `Client.csv`, rename `HispanicLatinaeo` to `HispanicLatinao`, drop sexual orientation and
//!   translation assistance from `Enrollment.csv`, insert `MentalHealthConsultation` after
//!   `ThresholdScore`);
//! - Green River's FY2024-to-FY2026 converter
//!   (`drivers/hud_twenty_twenty_four_to_twenty_twenty_six`) and its FY2026 file map
//!   (`drivers/hmis_csv_twenty_twenty_six/app/models/hmis_csv_twenty_twenty_six.rb`), which name
//!   the same 24 files and the same changes;
//! - HUD's validator Eva (`abtassociates/eva`), which checks exports against the FY2026
//!   machine-readable specification, capitalization included: its FY2026 rules name
//!   `ProjectCoC.csv`'s `ZIP`, and its FY2026 test data had to rename `TcellCount` and
//!   `TcellSource` to `TCellCount` and `TCellSource` to pass.
//!
//! Where the samples and HUD disagree only in capitalization, HUD's spelling is used:
//! `ProjectCoC.csv` has `ZIP` (the samples say `Zip`) and `Exit.csv` has
//! `WorkplaceViolenceThreats` (the samples say `WorkPlaceViolenceThreats`). Both sample
//! spellings come from Green River's internal column names; readers should match headers
//! without regard to case to accept such exports. `Disabilities.csv` has `TCellCount` and
//! `TCellSource`, as in the samples and in FY2026 (HUD's FY2024 machine-readable list spelled
//! them `TcellCount` and `TcellSource`).
//!
//! Every file but `Export.csv` ends with `DateCreated`, `DateUpdated`, `UserID`, `DateDeleted`,
//! `ExportID`; `User.csv` ends with the same columns less `UserID`.

/// One file of the FY2026 export: its name and its columns in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    /// The file's name in the export directory, e.g. `"Client.csv"`.
    pub name: &'static str,
    /// The file's columns, in the order of its header row, spelled as the specification spells
    /// them.
    pub columns: &'static [&'static str],
}

/// `Export.csv`: the export's metadata; the only file without the trailing `DateCreated` to
/// `ExportID` columns.
const EXPORT: &[&str] = &[
    "ExportID",
    "SourceType",
    "SourceID",
    "SourceName",
    "SourceContactFirst",
    "SourceContactLast",
    "SourceContactPhone",
    "SourceContactExtension",
    "SourceContactEmail",
    "ExportDate",
    "ExportStartDate",
    "ExportEndDate",
    "SoftwareName",
    "SoftwareVersion",
    "CSVVersion",
    "ExportPeriodType",
    "ExportDirective",
    "HashStatus",
    "ImplementationID",
];

/// `Organization.csv`: 2.01 organization information.
const ORGANIZATION: &[&str] = &[
    "OrganizationID",
    "OrganizationName",
    "VictimServiceProvider",
    "OrganizationCommonName",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `User.csv`: the users that `UserID` columns refer to; it has no `UserID` of its own among the
/// trailing columns.
const USER: &[&str] = &[
    "UserID",
    "UserFirstName",
    "UserLastName",
    "UserPhone",
    "UserExtension",
    "UserEmail",
    "DateCreated",
    "DateUpdated",
    "DateDeleted",
    "ExportID",
];

/// `Project.csv`: 2.02 project information.
const PROJECT: &[&str] = &[
    "ProjectID",
    "OrganizationID",
    "ProjectName",
    "ProjectCommonName",
    "OperatingStartDate",
    "OperatingEndDate",
    "ContinuumProject",
    "ProjectType",
    "HousingType",
    "RRHSubType",
    "ResidentialAffiliation",
    "TargetPopulation",
    "HOPWAMedAssistedLivingFac",
    "PITCount",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Funder.csv`: 2.06 funding sources.
const FUNDER: &[&str] = &[
    "FunderID",
    "ProjectID",
    "Funder",
    "OtherFunder",
    "GrantID",
    "StartDate",
    "EndDate",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `ProjectCoC.csv`: 2.03 Continuum of Care information. The column is `ZIP` (upper case), as HUD
/// spells it; some exports (Green River's fixtures among them) write `Zip`.
const PROJECT_CO_C: &[&str] = &[
    "ProjectCoCID",
    "ProjectID",
    "CoCCode",
    "Geocode",
    "Address1",
    "Address2",
    "City",
    "State",
    "ZIP",
    "GeographyType",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Inventory.csv`: 2.07 bed and unit inventory.
const INVENTORY: &[&str] = &[
    "InventoryID",
    "ProjectID",
    "CoCCode",
    "HouseholdType",
    "Availability",
    "UnitInventory",
    "BedInventory",
    "CHVetBedInventory",
    "YouthVetBedInventory",
    "VetBedInventory",
    "CHYouthBedInventory",
    "YouthBedInventory",
    "CHBedInventory",
    "OtherBedInventory",
    "ESBedType",
    "InventoryStartDate",
    "InventoryEndDate",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Affiliation.csv`: 2.02.B affiliations of services-only and RRH services-only projects with
/// residential projects.
const AFFILIATION: &[&str] = &[
    "AffiliationID",
    "ProjectID",
    "ResProjectID",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `HMISParticipation.csv`: 2.08 HMIS participation status.
const HMIS_PARTICIPATION: &[&str] = &[
    "HMISParticipationID",
    "ProjectID",
    "HMISParticipationType",
    "HMISParticipationStatusStartDate",
    "HMISParticipationStatusEndDate",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `CEParticipation.csv`: 2.09 Coordinated Entry participation status.
const CE_PARTICIPATION: &[&str] = &[
    "CEParticipationID",
    "ProjectID",
    "AccessPoint",
    "PreventionAssessment",
    "CrisisAssessment",
    "HousingAssessment",
    "DirectServices",
    "ReceivesReferrals",
    "CEParticipationStatusStartDate",
    "CEParticipationStatusEndDate",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Client.csv`: universal client data. FY2026: `Sex` (4.21) follows `DOBDataQuality`; the FY2024
/// gender columns are gone; `HispanicLatinaeo` is now `HispanicLatinao`.
const CLIENT: &[&str] = &[
    "PersonalID",
    "FirstName",
    "MiddleName",
    "LastName",
    "NameSuffix",
    "NameDataQuality",
    "SSN",
    "SSNDataQuality",
    "DOB",
    "DOBDataQuality",
    "Sex",
    "AmIndAKNative",
    "Asian",
    "BlackAfAmerican",
    "HispanicLatinao",
    "MidEastNAfrican",
    "NativeHIPacific",
    "White",
    "RaceNone",
    "AdditionalRaceEthnicity",
    "VeteranStatus",
    "YearEnteredService",
    "YearSeparated",
    "WorldWarII",
    "KoreanWar",
    "VietnamWar",
    "DesertStorm",
    "AfghanistanOEF",
    "IraqOIF",
    "IraqOND",
    "OtherTheater",
    "MilitaryBranch",
    "DischargeStatus",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Enrollment.csv`: project entries. FY2026: `SexualOrientation`, `SexualOrientationOther`,
/// `TranslationNeeded`, `PreferredLanguage` and `PreferredLanguageDifferent` are gone;
/// `MentalHealthConsultation` (V10) follows `ThresholdScore`.
const ENROLLMENT: &[&str] = &[
    "EnrollmentID",
    "PersonalID",
    "ProjectID",
    "EntryDate",
    "HouseholdID",
    "RelationshipToHoH",
    "EnrollmentCoC",
    "LivingSituation",
    "RentalSubsidyType",
    "LengthOfStay",
    "LOSUnderThreshold",
    "PreviousStreetESSH",
    "DateToStreetESSH",
    "TimesHomelessPastThreeYears",
    "MonthsHomelessPastThreeYears",
    "DisablingCondition",
    "DateOfEngagement",
    "MoveInDate",
    "DateOfPATHStatus",
    "ClientEnrolledInPATH",
    "ReasonNotEnrolled",
    "PercentAMI",
    "ReferralSource",
    "CountOutreachReferralApproaches",
    "DateOfBCPStatus",
    "EligibleForRHY",
    "ReasonNoServices",
    "RunawayYouth",
    "FormerWardChildWelfare",
    "ChildWelfareYears",
    "ChildWelfareMonths",
    "FormerWardJuvenileJustice",
    "JuvenileJusticeYears",
    "JuvenileJusticeMonths",
    "UnemploymentFam",
    "MentalHealthDisorderFam",
    "PhysicalDisabilityFam",
    "AlcoholDrugUseDisorderFam",
    "InsufficientIncome",
    "IncarceratedParent",
    "VAMCStation",
    "TargetScreenReqd",
    "TimeToHousingLoss",
    "AnnualPercentAMI",
    "LiteralHomelessHistory",
    "ClientLeaseholder",
    "HOHLeaseholder",
    "SubsidyAtRisk",
    "EvictionHistory",
    "CriminalRecord",
    "IncarceratedAdult",
    "PrisonDischarge",
    "SexOffender",
    "DisabledHoH",
    "CurrentPregnant",
    "SingleParent",
    "DependentUnder6",
    "HH5Plus",
    "CoCPrioritized",
    "HPScreeningScore",
    "ThresholdScore",
    "MentalHealthConsultation",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Exit.csv`: project exits. The column is `WorkplaceViolenceThreats` (lower-case `p`), as HUD
/// spells it; some exports (Green River's fixtures among them) write `WorkPlaceViolenceThreats`.
const EXIT: &[&str] = &[
    "ExitID",
    "EnrollmentID",
    "PersonalID",
    "ExitDate",
    "Destination",
    "DestinationSubsidyType",
    "OtherDestination",
    "HousingAssessment",
    "SubsidyInformation",
    "ProjectCompletionStatus",
    "EarlyExitReason",
    "ExchangeForSex",
    "ExchangeForSexPastThreeMonths",
    "CountOfExchangeForSex",
    "AskedOrForcedToExchangeForSex",
    "AskedOrForcedToExchangeForSexPastThreeMonths",
    "WorkplaceViolenceThreats",
    "WorkplacePromiseDifference",
    "CoercedToContinueWork",
    "LaborExploitPastThreeMonths",
    "CounselingReceived",
    "IndividualCounseling",
    "FamilyCounseling",
    "GroupCounseling",
    "SessionCountAtExit",
    "PostExitCounselingPlan",
    "SessionsInPlan",
    "DestinationSafeClient",
    "DestinationSafeWorker",
    "PosAdultConnections",
    "PosPeerConnections",
    "PosCommunityConnections",
    "AftercareDate",
    "AftercareProvided",
    "EmailSocialMedia",
    "Telephone",
    "InPersonIndividual",
    "InPersonGroup",
    "CMExitReason",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `IncomeBenefits.csv`: 4.02 to 4.04 income, non-cash benefits and health insurance, W3 medical
/// assistance and 4.18 SOAR.
const INCOME_BENEFITS: &[&str] = &[
    "IncomeBenefitsID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "IncomeFromAnySource",
    "TotalMonthlyIncome",
    "Earned",
    "EarnedAmount",
    "Unemployment",
    "UnemploymentAmount",
    "SSI",
    "SSIAmount",
    "SSDI",
    "SSDIAmount",
    "VADisabilityService",
    "VADisabilityServiceAmount",
    "VADisabilityNonService",
    "VADisabilityNonServiceAmount",
    "PrivateDisability",
    "PrivateDisabilityAmount",
    "WorkersComp",
    "WorkersCompAmount",
    "TANF",
    "TANFAmount",
    "GA",
    "GAAmount",
    "SocSecRetirement",
    "SocSecRetirementAmount",
    "Pension",
    "PensionAmount",
    "ChildSupport",
    "ChildSupportAmount",
    "Alimony",
    "AlimonyAmount",
    "OtherIncomeSource",
    "OtherIncomeAmount",
    "OtherIncomeSourceIdentify",
    "BenefitsFromAnySource",
    "SNAP",
    "WIC",
    "TANFChildCare",
    "TANFTransportation",
    "OtherTANF",
    "OtherBenefitsSource",
    "OtherBenefitsSourceIdentify",
    "InsuranceFromAnySource",
    "Medicaid",
    "NoMedicaidReason",
    "Medicare",
    "NoMedicareReason",
    "SCHIP",
    "NoSCHIPReason",
    "VHAServices",
    "NoVHAReason",
    "EmployerProvided",
    "NoEmployerProvidedReason",
    "COBRA",
    "NoCOBRAReason",
    "PrivatePay",
    "NoPrivatePayReason",
    "StateHealthIns",
    "NoStateHealthInsReason",
    "IndianHealthServices",
    "NoIndianHealthServicesReason",
    "OtherInsurance",
    "OtherInsuranceIdentify",
    "ADAP",
    "NoADAPReason",
    "RyanWhiteMedDent",
    "NoRyanWhiteReason",
    "ConnectionWithSOAR",
    "DataCollectionStage",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `HealthAndDV.csv`: 4.11 domestic violence and R7 to R10 health and pregnancy.
const HEALTH_AND_DV: &[&str] = &[
    "HealthAndDVID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "DomesticViolenceSurvivor",
    "WhenOccurred",
    "CurrentlyFleeing",
    "GeneralHealthStatus",
    "DentalHealthStatus",
    "MentalHealthStatus",
    "PregnancyStatus",
    "DueDate",
    "DataCollectionStage",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `EmploymentEducation.csv`: R4 to R6 education and employment.
const EMPLOYMENT_EDUCATION: &[&str] = &[
    "EmploymentEducationID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "LastGradeCompleted",
    "SchoolStatus",
    "Employed",
    "EmploymentType",
    "NotEmployedReason",
    "DataCollectionStage",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Disabilities.csv`: 4.05 to 4.10 disabilities and W4 T-cell and viral load. FY2026 spells
/// `TCellCount` and `TCellSource` with a capital `C`.
const DISABILITIES: &[&str] = &[
    "DisabilitiesID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "DisabilityType",
    "DisabilityResponse",
    "IndefiniteAndImpairs",
    "TCellCountAvailable",
    "TCellCount",
    "TCellSource",
    "ViralLoadAvailable",
    "ViralLoad",
    "ViralLoadSource",
    "AntiRetroviral",
    "DataCollectionStage",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Services.csv`: services, referrals and financial assistance (`RecordType` says which).
const SERVICES: &[&str] = &[
    "ServicesID",
    "EnrollmentID",
    "PersonalID",
    "DateProvided",
    "RecordType",
    "TypeProvided",
    "OtherTypeProvided",
    "MovingOnOtherType",
    "SubTypeProvided",
    "FAAmount",
    "FAStartDate",
    "FAEndDate",
    "ReferralOutcome",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `CurrentLivingSituation.csv`: 4.12 current living situation.
const CURRENT_LIVING_SITUATION: &[&str] = &[
    "CurrentLivingSitID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "CurrentLivingSituation",
    "CLSSubsidyType",
    "VerifiedBy",
    "LeaveSituation14Days",
    "SubsequentResidence",
    "ResourcesToObtain",
    "LeaseOwn60Day",
    "MovedTwoOrMore",
    "LocationDetails",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Assessment.csv`: 4.19 Coordinated Entry assessments.
const ASSESSMENT: &[&str] = &[
    "AssessmentID",
    "EnrollmentID",
    "PersonalID",
    "AssessmentDate",
    "AssessmentLocation",
    "AssessmentType",
    "AssessmentLevel",
    "PrioritizationStatus",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `AssessmentQuestions.csv`: the questions and answers of 4.19 assessments.
const ASSESSMENT_QUESTIONS: &[&str] = &[
    "AssessmentQuestionID",
    "AssessmentID",
    "EnrollmentID",
    "PersonalID",
    "AssessmentQuestionGroup",
    "AssessmentQuestionOrder",
    "AssessmentQuestion",
    "AssessmentAnswer",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `AssessmentResults.csv`: the results of 4.19 assessments.
const ASSESSMENT_RESULTS: &[&str] = &[
    "AssessmentResultID",
    "AssessmentID",
    "EnrollmentID",
    "PersonalID",
    "AssessmentResultType",
    "AssessmentResult",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `Event.csv`: 4.20 Coordinated Entry events.
const EVENT: &[&str] = &[
    "EventID",
    "EnrollmentID",
    "PersonalID",
    "EventDate",
    "Event",
    "ProbSolDivRRResult",
    "ReferralCaseManageAfter",
    "LocationCrisisOrPHHousing",
    "ReferralResult",
    "ResultDate",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// `YouthEducationStatus.csv`: C3 youth education status.
const YOUTH_EDUCATION_STATUS: &[&str] = &[
    "YouthEducationStatusID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "CurrentSchoolAttend",
    "MostRecentEdStatus",
    "CurrentEdStatus",
    "DataCollectionStage",
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

/// Every file of an FY2026 export, in the specification's order.
///
/// The order is the specification's: the export's metadata, then the project descriptor files,
/// then the client, then enrollment-level files. An export may leave a file empty (header only)
/// but no other file belongs to the format.
pub const FY2026_FILES: &[FileSpec] = &[
    FileSpec {
        name: "Export.csv",
        columns: EXPORT,
    },
    FileSpec {
        name: "Organization.csv",
        columns: ORGANIZATION,
    },
    FileSpec {
        name: "User.csv",
        columns: USER,
    },
    FileSpec {
        name: "Project.csv",
        columns: PROJECT,
    },
    FileSpec {
        name: "Funder.csv",
        columns: FUNDER,
    },
    FileSpec {
        name: "ProjectCoC.csv",
        columns: PROJECT_CO_C,
    },
    FileSpec {
        name: "Inventory.csv",
        columns: INVENTORY,
    },
    FileSpec {
        name: "Affiliation.csv",
        columns: AFFILIATION,
    },
    FileSpec {
        name: "HMISParticipation.csv",
        columns: HMIS_PARTICIPATION,
    },
    FileSpec {
        name: "CEParticipation.csv",
        columns: CE_PARTICIPATION,
    },
    FileSpec {
        name: "Client.csv",
        columns: CLIENT,
    },
    FileSpec {
        name: "Enrollment.csv",
        columns: ENROLLMENT,
    },
    FileSpec {
        name: "Exit.csv",
        columns: EXIT,
    },
    FileSpec {
        name: "IncomeBenefits.csv",
        columns: INCOME_BENEFITS,
    },
    FileSpec {
        name: "HealthAndDV.csv",
        columns: HEALTH_AND_DV,
    },
    FileSpec {
        name: "EmploymentEducation.csv",
        columns: EMPLOYMENT_EDUCATION,
    },
    FileSpec {
        name: "Disabilities.csv",
        columns: DISABILITIES,
    },
    FileSpec {
        name: "Services.csv",
        columns: SERVICES,
    },
    FileSpec {
        name: "CurrentLivingSituation.csv",
        columns: CURRENT_LIVING_SITUATION,
    },
    FileSpec {
        name: "Assessment.csv",
        columns: ASSESSMENT,
    },
    FileSpec {
        name: "AssessmentQuestions.csv",
        columns: ASSESSMENT_QUESTIONS,
    },
    FileSpec {
        name: "AssessmentResults.csv",
        columns: ASSESSMENT_RESULTS,
    },
    FileSpec {
        name: "Event.csv",
        columns: EVENT,
    },
    FileSpec {
        name: "YouthEducationStatus.csv",
        columns: YOUTH_EDUCATION_STATUS,
    },
];

/// The columns of `name` in FY2026, if it is a file of the format.
///
/// `name` is the file's name with its extension, spelled exactly as the specification spells it
/// (`"Client.csv"`, `"HealthAndDV.csv"`); anything else, including a path or another
/// capitalization, gives `None`.
pub fn fy2026_columns(name: &str) -> Option<&'static [&'static str]> {
    FY2026_FILES
        .iter()
        .find(|file| file.name == name)
        .map(|file| file.columns)
}

/// The specification an export follows: FY2026 by default; FY2024 for a receiving system
/// that has not moved yet, and so that an FY2024 export imported here exports as it came.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Specification {
    /// *HMIS CSV Format Specifications FY2024* (`2024 v1.4`).
    Fy2024,
    /// *HMIS CSV Format Specifications FY2026* (`2026 v1.0`).
    #[default]
    Fy2026,
}

/// FY2024's files: FY2026's with each file's columns as the element catalogue has them in
/// FY2024 (HUD's FY2024 machine-readable list, which the catalogue was transcribed from), in
/// its order, and the same trailing columns.
static FY2024_FILES: std::sync::LazyLock<Vec<FileSpec>> = std::sync::LazyLock::new(|| {
    use caseledger_core::hud::elements::HudFile;
    FY2026_FILES
        .iter()
        .map(|f| {
            let Some(file) = HudFile::from_stem(f.name.trim_end_matches(".csv")) else {
                return *f; // Export.csv did not change
            };
            let mut columns: Vec<&'static str> = file
                .elements()
                .filter(|e| e.fy2024)
                .map(|e| e.column)
                .collect();
            columns.extend(["DateCreated", "DateUpdated"]);
            if file != HudFile::User {
                columns.push("UserID");
            }
            columns.extend(["DateDeleted", "ExportID"]);
            FileSpec {
                name: f.name,
                // Built once for the process's life: the lists are as static as FY2026's.
                columns: Box::leak(columns.into_boxed_slice()),
            }
        })
        .collect()
});

impl Specification {
    /// The files, in the specification's order.
    pub fn files(self) -> &'static [FileSpec] {
        match self {
            Specification::Fy2024 => &FY2024_FILES,
            Specification::Fy2026 => FY2026_FILES,
        }
    }

    /// The columns of the file `name` (`"Client.csv"`), if it is one of the format.
    pub fn columns(self, name: &str) -> Option<&'static [&'static str]> {
        self.files()
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.columns)
    }

    /// What `Export.csv`'s `CSVVersion` says.
    pub fn csv_version(self) -> &'static str {
        match self {
            Specification::Fy2024 => "2024 v1.4",
            Specification::Fy2026 => "2026 v1.0",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fy2024_headers_are_those_of_an_fy2024_export() {
        for (dir, spec) in ["fy2024-small", "eva-demo-fy2024"]
            .into_iter()
            .flat_map(|d| Specification::Fy2024.files().iter().map(move |s| (d, s)))
        {
            let path = crate::samples::dir().join(dir).join(spec.name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let header: Vec<String> = text
                .trim_start_matches('\u{feff}')
                .lines()
                .next()
                .unwrap_or_default()
                .split(',')
                .map(|c| c.trim_matches('"').to_string())
                .collect();
            if header == [""] {
                continue; // an empty file (the demo's Disabilities.csv)
            }
            let ours: Vec<String> = spec.columns.iter().map(|c| c.to_string()).collect();
            assert_eq!(
                ours.iter().map(|c| c.to_lowercase()).collect::<Vec<_>>(),
                header.iter().map(|c| c.to_lowercase()).collect::<Vec<_>>(),
                "{dir}/{}",
                spec.name
            );
        }
    }

    const TRAILER: [&str; 5] = [
        "DateCreated",
        "DateUpdated",
        "UserID",
        "DateDeleted",
        "ExportID",
    ];

    #[test]
    fn has_the_twenty_four_files_once_each() {
        assert_eq!(FY2026_FILES.len(), 24);
        for (i, file) in FY2026_FILES.iter().enumerate() {
            assert!(file.name.ends_with(".csv"), "{}", file.name);
            assert!(
                FY2026_FILES[i + 1..]
                    .iter()
                    .all(|other| other.name != file.name),
                "{} twice",
                file.name
            );
        }
    }

    #[test]
    fn every_file_but_export_ends_with_the_record_metadata() {
        for file in FY2026_FILES {
            let columns = file.columns;
            match file.name {
                "Export.csv" => assert!(!columns.contains(&"DateCreated")),
                "User.csv" => assert_eq!(
                    columns[columns.len() - 4..],
                    ["DateCreated", "DateUpdated", "DateDeleted", "ExportID"]
                ),
                _ => assert_eq!(columns[columns.len() - 5..], TRAILER, "{}", file.name),
            }
        }
    }

    #[test]
    fn columns_are_unique_within_a_file() {
        for file in FY2026_FILES {
            for (i, column) in file.columns.iter().enumerate() {
                assert!(
                    !file.columns[i + 1..].contains(column),
                    "{} has {column} twice",
                    file.name
                );
            }
        }
    }

    #[test]
    fn fy2026_changes_are_in_place() {
        let client = fy2026_columns("Client.csv").unwrap();
        assert_eq!(client[9..12], ["DOBDataQuality", "Sex", "AmIndAKNative"]);
        assert!(client.contains(&"HispanicLatinao"));
        for gone in [
            "HispanicLatinaeo",
            "Woman",
            "Man",
            "NonBinary",
            "GenderNone",
        ] {
            assert!(!client.contains(&gone), "{gone}");
        }
        let enrollment = fy2026_columns("Enrollment.csv").unwrap();
        let n = enrollment.len();
        assert_eq!(
            enrollment[n - 7..n - 5],
            ["ThresholdScore", "MentalHealthConsultation"]
        );
        for gone in [
            "SexualOrientation",
            "TranslationNeeded",
            "PreferredLanguage",
        ] {
            assert!(!enrollment.contains(&gone), "{gone}");
        }
        assert!(fy2026_columns("ProjectCoC.csv").unwrap().contains(&"ZIP"));
        assert!(
            fy2026_columns("Exit.csv")
                .unwrap()
                .contains(&"WorkplaceViolenceThreats")
        );
    }

    #[test]
    fn lookup_is_by_exact_file_name() {
        assert_eq!(fy2026_columns("Export.csv").unwrap()[0], "ExportID");
        assert_eq!(fy2026_columns("client.csv"), None);
        assert_eq!(fy2026_columns("Client"), None);
        assert_eq!(fy2026_columns("EnrollmentCoC.csv"), None);
    }
}
