//! HUD HMIS code lists (HMIS Data Standards / HMIS CSV Format Specifications, FY2024 and
//! FY2026).
//!
//! Each enum carries HUD's integer code ([`code`](DataQuality::code)) and serializes *as
//! that code* (a `u16`), not as a Rust variant index: HUD codes are stable across
//! releases, so the variant order here can change freely, and a code outside the list is a
//! decode error rather than a silently wrong value. Adding a code HUD introduces is a
//! compatible change (old bytes never contain it); removing one is not—HUD retires codes
//! without reusing them, and so must we.
//!
//! Code lists too large or too volatile to model as enums (service record types and types
//! provided) are carried as plain integers in [`ServiceTypeCode`].

pub mod elements;
pub mod lists;

use serde::{Deserialize, Serialize};

macro_rules! hud_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in HUD's listing order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// HUD's integer code, as written in HMIS CSV files.
            pub const fn code(self) -> u16 {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value with HUD code `code`, or `None` if the code is not in this list.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u16(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = u16::deserialize(deserializer)?;
                Self::from_code(code).ok_or_else(|| {
                    <D::Error as serde::de::Error>::custom(format_args!(
                        "unknown HUD {} code {}",
                        stringify!($name),
                        code
                    ))
                })
            }
        }
    };
}

hud_codes! {
    /// Data quality of name, SSN and date of birth (HUD 3.01.5, 3.02.2, 3.03.2 share codes).
    pub enum DataQuality {
        /// Full name / full SSN / full DOB reported.
        Full = 1,
        /// Partial, street or code name; approximate or partial SSN or DOB.
        Partial = 2,
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// "No/Yes/Reasons for missing data" (HUD 1.8): veteran status, disabling condition, and
    /// many assessment items.
    pub enum NoYesReasons {
        /// No.
        No = 0,
        /// Yes.
        Yes = 1,
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// Why no race/ethnicity (CSV `RaceNone`) or gender (FY2024 CSV `GenderNone`) was
    /// recorded (HUD 1.6).
    pub enum MissingReason {
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// Race and ethnicity (HUD 3.04); a client may have several. The HMIS CSV has no integer
    /// for these (each is a 0/1 column, see [`RaceEthnicity::csv_column`]); the codes are the
    /// positions in HUD's 3.04.1 response list.
    pub enum RaceEthnicity {
        /// American Indian, Alaska Native, or Indigenous.
        AmIndAKNative = 1,
        /// Asian or Asian American.
        Asian = 2,
        /// Black, African American, or African.
        BlackAfAmerican = 3,
        /// Native Hawaiian or Pacific Islander.
        NativeHIPacific = 4,
        /// White.
        White = 5,
        /// Hispanic/Latina/e/o.
        HispanicLatinao = 6,
        /// Middle Eastern or North African.
        MidEastNAfrican = 7,
    }
}

impl RaceEthnicity {
    /// HUD's words for this response (3.04.1), as people are shown it.
    pub const fn words(self) -> &'static str {
        match self {
            RaceEthnicity::AmIndAKNative => "American Indian, Alaska Native, or Indigenous",
            RaceEthnicity::Asian => "Asian or Asian American",
            RaceEthnicity::BlackAfAmerican => "Black, African American, or African",
            RaceEthnicity::NativeHIPacific => "Native Hawaiian or Pacific Islander",
            RaceEthnicity::White => "White",
            RaceEthnicity::HispanicLatinao => "Hispanic/Latina/e/o",
            RaceEthnicity::MidEastNAfrican => "Middle Eastern or North African",
        }
    }

    /// The FY2026 CSV column holding this flag. FY2024 spelled Hispanic/Latina/e/o as
    /// `HispanicLatinaeo`.
    pub const fn csv_column(self) -> &'static str {
        match self {
            RaceEthnicity::AmIndAKNative => "AmIndAKNative",
            RaceEthnicity::Asian => "Asian",
            RaceEthnicity::BlackAfAmerican => "BlackAfAmerican",
            RaceEthnicity::NativeHIPacific => "NativeHIPacific",
            RaceEthnicity::White => "White",
            RaceEthnicity::HispanicLatinao => "HispanicLatinao",
            RaceEthnicity::MidEastNAfrican => "MidEastNAfrican",
        }
    }
}

hud_codes! {
    /// Sex (FY2026 HUD 3.06, CSV `Sex`), which replaced the FY2024 gender columns.
    pub enum Sex {
        /// Female.
        Female = 0,
        /// Male.
        Male = 1,
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

impl Sex {
    /// HUD's words for this response (FY2026 3.06), as people are shown it.
    pub const fn words(self) -> &'static str {
        match self {
            Sex::Female => "Female",
            Sex::Male => "Male",
            Sex::ClientDoesntKnow => "Client doesn’t know",
            Sex::ClientPrefersNotToAnswer => "Client prefers not to answer",
            Sex::DataNotCollected => "Data not collected",
        }
    }
}

impl NoYesReasons {
    /// HUD's words for this response (list 1.8), as people are shown it.
    pub fn words(self) -> &'static str {
        lists::text("1.8", &self.code().to_string()).expect("every 1.8 code is in lists.csv")
    }
}

hud_codes! {
    /// Gender (FY2024 HUD 3.06.1), kept so FY2024 exports import without loss; a client may
    /// have several. In the FY2024 CSV each is a 0/1 column (see [`Gender::csv_column`]).
    pub enum Gender {
        /// Woman (Girl, if child).
        Woman = 0,
        /// Man (Boy, if child).
        Man = 1,
        /// Culturally Specific Identity (e.g., Two-Spirit).
        CulturallySpecific = 2,
        /// Different Identity (described in `DifferentIdentityText`).
        DifferentIdentity = 3,
        /// Non-Binary.
        NonBinary = 4,
        /// Transgender.
        Transgender = 5,
        /// Questioning.
        Questioning = 6,
    }
}

impl Gender {
    /// The FY2024 CSV column holding this flag.
    pub const fn csv_column(self) -> &'static str {
        match self {
            Gender::Woman => "Woman",
            Gender::Man => "Man",
            Gender::CulturallySpecific => "CulturallySpecific",
            Gender::DifferentIdentity => "DifferentIdentity",
            Gender::NonBinary => "NonBinary",
            Gender::Transgender => "Transgender",
            Gender::Questioning => "Questioning",
        }
    }
}

hud_codes! {
    /// Project type (HUD 2.02.6). Code 5 is retired and not used.
    pub enum ProjectType {
        /// Emergency Shelter – Entry Exit.
        EmergencyShelterEntryExit = 0,
        /// Emergency Shelter – Night-by-Night.
        EmergencyShelterNightByNight = 1,
        /// Transitional Housing.
        TransitionalHousing = 2,
        /// PH – Permanent Supportive Housing.
        PermanentSupportiveHousing = 3,
        /// Street Outreach.
        StreetOutreach = 4,
        /// Services Only.
        ServicesOnly = 6,
        /// Other.
        Other = 7,
        /// Safe Haven.
        SafeHaven = 8,
        /// PH – Housing Only.
        PermanentHousingOnly = 9,
        /// PH – Housing with Services (no disability required for entry).
        PermanentHousingWithServices = 10,
        /// Day Shelter.
        DayShelter = 11,
        /// Homelessness Prevention.
        HomelessnessPrevention = 12,
        /// PH – Rapid Re-Housing.
        RapidReHousing = 13,
        /// Coordinated Entry.
        CoordinatedEntry = 14,
    }
}

impl ProjectType {
    /// HUD's words for this project type (list 2.02.6), as people are shown it.
    pub fn words(self) -> &'static str {
        lists::text("2.02.6", &self.code().to_string()).expect("every 2.02.6 code is in lists.csv")
    }
}

hud_codes! {
    /// Relationship to head of household (HUD 3.15.1).
    pub enum RelationshipToHoH {
        /// Self (head of household).
        SelfHeadOfHousehold = 1,
        /// Head of household's child.
        Child = 2,
        /// Head of household's spouse or partner.
        SpouseOrPartner = 3,
        /// Head of household's other relative.
        OtherRelative = 4,
        /// Unrelated household member.
        UnrelatedHouseholdMember = 5,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// Exit destination (HUD 3.12, FY2024/FY2026 three-digit codes; the first digit is the
    /// category: 1 homeless, 2 institutional, 3 temporary, 4 permanent).
    pub enum Destination {
        /// Place not meant for habitation.
        PlaceNotMeantForHabitation = 116,
        /// Emergency shelter, including hotel/motel paid for with an emergency shelter
        /// voucher, or Host Home shelter.
        EmergencyShelter = 101,
        /// Safe Haven.
        SafeHaven = 118,
        /// Foster care home or foster care group home.
        FosterCare = 215,
        /// Hospital or other residential non-psychiatric medical facility.
        Hospital = 206,
        /// Jail, prison or juvenile detention facility.
        JailPrisonJuvenileDetention = 207,
        /// Long-term care facility or nursing home.
        LongTermCare = 225,
        /// Psychiatric hospital or other psychiatric facility.
        PsychiatricFacility = 204,
        /// Substance abuse treatment facility or detox center.
        SubstanceAbuseTreatment = 205,
        /// Transitional housing for homeless persons (including homeless youth).
        TransitionalHousing = 302,
        /// Residential project or halfway house with no homeless criteria.
        ResidentialProjectNoHomelessCriteria = 329,
        /// Hotel or motel paid for without emergency shelter voucher.
        HotelMotelNoVoucher = 314,
        /// Host Home (non-crisis).
        HostHomeNonCrisis = 332,
        /// Staying or living with family, temporary tenure.
        FamilyTemporary = 312,
        /// Staying or living with friends, temporary tenure.
        FriendsTemporary = 313,
        /// Moved from one HOPWA funded project to HOPWA TH.
        HopwaTransitionalHousing = 327,
        /// Staying or living with family, permanent tenure.
        FamilyPermanent = 422,
        /// Staying or living with friends, permanent tenure.
        FriendsPermanent = 423,
        /// Moved from one HOPWA funded project to HOPWA PH.
        HopwaPermanentHousing = 426,
        /// Rental by client, no ongoing housing subsidy.
        RentalNoSubsidy = 410,
        /// Rental by client, with ongoing housing subsidy (see [`RentalSubsidyType`]).
        RentalWithSubsidy = 435,
        /// Owned by client, with ongoing housing subsidy.
        OwnedWithSubsidy = 421,
        /// Owned by client, no ongoing housing subsidy.
        OwnedNoSubsidy = 411,
        /// No exit interview completed.
        NoExitInterview = 30,
        /// Other.
        Other = 17,
        /// Deceased.
        Deceased = 24,
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// Living situation: prior living situation at entry (HUD 3.917) and current living
    /// situation (HUD 4.12). Same code space as [`Destination`]; 335 and 336 are not
    /// destinations, and 17 and 37 are valid only as a current living situation.
    pub enum LivingSituation {
        /// Place not meant for habitation.
        PlaceNotMeantForHabitation = 116,
        /// Emergency shelter, including hotel/motel paid for with an emergency shelter
        /// voucher, or Host Home shelter.
        EmergencyShelter = 101,
        /// Safe Haven.
        SafeHaven = 118,
        /// Foster care home or foster care group home.
        FosterCare = 215,
        /// Hospital or other residential non-psychiatric medical facility.
        Hospital = 206,
        /// Jail, prison or juvenile detention facility.
        JailPrisonJuvenileDetention = 207,
        /// Long-term care facility or nursing home.
        LongTermCare = 225,
        /// Psychiatric hospital or other psychiatric facility.
        PsychiatricFacility = 204,
        /// Substance abuse treatment facility or detox center.
        SubstanceAbuseTreatment = 205,
        /// Transitional housing for homeless persons (including homeless youth).
        TransitionalHousing = 302,
        /// Residential project or halfway house with no homeless criteria.
        ResidentialProjectNoHomelessCriteria = 329,
        /// Hotel or motel paid for without emergency shelter voucher.
        HotelMotelNoVoucher = 314,
        /// Host Home (non-crisis).
        HostHomeNonCrisis = 332,
        /// Staying or living in a family member's room, apartment, or house.
        FamilyMembersHome = 335,
        /// Staying or living in a friend's room, apartment, or house.
        FriendsHome = 336,
        /// Rental by client, no ongoing housing subsidy.
        RentalNoSubsidy = 410,
        /// Rental by client, with ongoing housing subsidy (see [`RentalSubsidyType`]).
        RentalWithSubsidy = 435,
        /// Owned by client, with ongoing housing subsidy.
        OwnedWithSubsidy = 421,
        /// Owned by client, no ongoing housing subsidy.
        OwnedNoSubsidy = 411,
        /// Other (current living situation only).
        Other = 17,
        /// Worker unable to determine (current living situation only).
        WorkerUnableToDetermine = 37,
        /// Client doesn't know.
        ClientDoesntKnow = 8,
        /// Client prefers not to answer.
        ClientPrefersNotToAnswer = 9,
        /// Data not collected.
        DataNotCollected = 99,
    }
}

hud_codes! {
    /// Rental subsidy type (HUD 3.12.A / 3.917.A), collected when the destination or living
    /// situation is 435 "Rental by client, with ongoing housing subsidy".
    pub enum RentalSubsidyType {
        /// GPD TIP housing subsidy.
        GpdTip = 428,
        /// VASH housing subsidy.
        Vash = 419,
        /// RRH or equivalent subsidy.
        RapidReHousing = 431,
        /// HCV voucher (tenant or project based) (not dedicated).
        HousingChoiceVoucher = 433,
        /// Public housing unit.
        PublicHousing = 434,
        /// Rental by client, with other ongoing housing subsidy.
        OtherOngoingSubsidy = 420,
        /// Emergency Housing Voucher (FY2024); later HUD lists label code 436 "Housing
        /// Stability Voucher".
        EmergencyHousingVoucher = 436,
        /// Family Unification Program Voucher (FUP).
        FamilyUnificationProgram = 437,
        /// Foster Youth to Independence Initiative (FYI).
        FosterYouthToIndependence = 438,
        /// Permanent Supportive Housing.
        PermanentSupportiveHousing = 439,
        /// Other permanent housing dedicated for formerly homeless persons.
        OtherDedicatedPermanentHousing = 440,
    }
}

hud_codes! {
    /// When an assessment's answers were collected (HUD 5.03.1, CSV `DataCollectionStage`).
    pub enum DataCollectionStage {
        /// Project entry.
        ProjectEntry = 1,
        /// Update during the enrollment.
        Update = 2,
        /// Project exit.
        ProjectExit = 3,
        /// Annual assessment.
        AnnualAssessment = 5,
        /// Post-exit.
        PostExit = 6,
    }
}

hud_codes! {
    /// Whether a client's identifiers (names and SSN) are the values or hashes of them (HUD
    /// list 1.5, CSV `Export.HashStatus`). Staff always record values; an imported export
    /// brings what its source wrote.
    pub enum HashStatus {
        /// Unhashed: the names and SSN themselves.
        Unhashed = 1,
        /// SHA-1 (RHY).
        Sha1Rhy = 2,
        /// Hashed, by another method.
        HashedOther = 3,
        /// SHA-256 (RHY).
        Sha256Rhy = 4,
    }
}

/// Whether `code` is a HUD CoC code: two upper-case letters, a dash and three digits
/// (`CA-502`), as HUD's CSV specification writes `^[a-zA-Z]{2}-[0-9]{3}$` and its lists spell
/// them.
pub fn is_coc_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 6
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2] == b'-'
        && b[3..].iter().all(u8::is_ascii_digit)
}

impl Default for HashStatus {
    /// What staff record: the values themselves.
    fn default() -> Self {
        HashStatus::Unhashed
    }
}

/// The HUD classification of a service (CSV `Services.RecordType` and `TypeProvided`).
///
/// Plain integers because the lists are long and differ per federal partner program:
/// `record_type` is HUD list 1.4 (141 PATH service, 142 RHY service connections, 143 HOPWA
/// service, 144 SSVF service, 151 HOPWA financial assistance, 152 SSVF financial
/// assistance, 161 PATH referral, 200 bed night, 210 HUD-VASH OTH voucher tracking, 300
/// Moving On assistance, ...) and `type_provided` is interpreted within it (for a bed night
/// both are 200). Validation against HUD's lists belongs to the command layer and CSV import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceTypeCode {
    /// HUD record type (list 1.4).
    pub record_type: u16,
    /// HUD type provided, within the record type.
    pub type_provided: u16,
}

impl ServiceTypeCode {
    /// The HUD list a type provided is read in, for a record type (HMIS CSV `Services.csv`:
    /// PATH services P1.2, RHY R14.2, HOPWA W1.2 and W2.2, SSVF V2.2 and V3.4, PATH referrals
    /// P2.2, HUD-VASH V8.2, Moving On C2.2); `None` for a bed night, whose type is the record
    /// type itself, and for a record type HUD does not list.
    pub const fn type_provided_list(record_type: u16) -> Option<&'static str> {
        match record_type {
            141 => Some("P1.2"),
            142 => Some("R14.2"),
            143 => Some("W1.2"),
            144 => Some("V2.2"),
            151 => Some("W2.2"),
            152 => Some("V3.4"),
            161 => Some("P2.2"),
            210 => Some("V8.2"),
            300 => Some("C2.2"),
            _ => None,
        }
    }

    /// HUD's words for the record type (list 1.4), if it is one of its values.
    pub fn record_type_words(self) -> Option<&'static str> {
        lists::text("1.4", &self.record_type.to_string())
    }

    /// HUD's words for the type provided, read in the record type's list ("Bed night" for a
    /// bed night).
    pub fn type_provided_words(self) -> Option<&'static str> {
        match Self::type_provided_list(self.record_type) {
            Some(list) => lists::text(list, &self.type_provided.to_string()),
            None if self.record_type == self.type_provided => self.record_type_words(),
            None => None,
        }
    }

    /// A bed night (record type 200, type provided 200), the service a shelter check-in
    /// produces.
    pub const BED_NIGHT: ServiceTypeCode = ServiceTypeCode {
        record_type: 200,
        type_provided: 200,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_shown_to_people_has_hud_words() {
        for t in ProjectType::ALL {
            assert!(!t.words().is_empty());
        }
        assert_eq!(ProjectType::RapidReHousing.words(), "PH – Rapid Re-Housing");
        for v in NoYesReasons::ALL {
            assert!(!v.words().is_empty());
        }
        assert_eq!(NoYesReasons::No.words(), "No");
        assert_eq!(Sex::Female.words(), "Female");
        assert_eq!(RaceEthnicity::White.words(), "White");
        for race in RaceEthnicity::ALL {
            assert_eq!(
                lists::text("3.04.1", &race.code().to_string()),
                Some(race.words()),
                "list 3.04.1 and RaceEthnicity::words agree"
            );
        }
        for record_type in [141, 142, 143, 144, 151, 152, 161, 210, 300] {
            let list = ServiceTypeCode::type_provided_list(record_type).unwrap();
            assert!(lists::values(list).is_some(), "list {list} is transcribed");
        }
        assert_eq!(
            ServiceTypeCode::BED_NIGHT.type_provided_words(),
            Some("Bed night")
        );
    }

    fn round_trips<T>(all: &[T], code: fn(T) -> u16, from_code: fn(u16) -> Option<T>)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned,
    {
        let mut seen = std::collections::BTreeSet::new();
        for &value in all {
            assert_eq!(from_code(code(value)), Some(value));
            assert!(seen.insert(code(value)), "duplicate code in {value:?}");
            let bytes = bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap();
            let plain =
                bincode::serde::encode_to_vec(code(value), bincode::config::standard()).unwrap();
            assert_eq!(bytes, plain, "{value:?} must serialize as its HUD code");
            let (back, _): (T, usize) =
                bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
            assert_eq!(back, value);
        }
        for code_value in 0..=u16::MAX {
            if let Some(value) = from_code(code_value) {
                assert_eq!(code(value), code_value);
                assert!(all.contains(&value));
            }
        }
    }

    #[test]
    fn every_list_round_trips() {
        round_trips(DataQuality::ALL, DataQuality::code, DataQuality::from_code);
        round_trips(
            NoYesReasons::ALL,
            NoYesReasons::code,
            NoYesReasons::from_code,
        );
        round_trips(
            MissingReason::ALL,
            MissingReason::code,
            MissingReason::from_code,
        );
        round_trips(
            RaceEthnicity::ALL,
            RaceEthnicity::code,
            RaceEthnicity::from_code,
        );
        round_trips(Sex::ALL, Sex::code, Sex::from_code);
        round_trips(Gender::ALL, Gender::code, Gender::from_code);
        round_trips(ProjectType::ALL, ProjectType::code, ProjectType::from_code);
        round_trips(
            RelationshipToHoH::ALL,
            RelationshipToHoH::code,
            RelationshipToHoH::from_code,
        );
        round_trips(Destination::ALL, Destination::code, Destination::from_code);
        round_trips(
            LivingSituation::ALL,
            LivingSituation::code,
            LivingSituation::from_code,
        );
        round_trips(
            RentalSubsidyType::ALL,
            RentalSubsidyType::code,
            RentalSubsidyType::from_code,
        );
        round_trips(
            DataCollectionStage::ALL,
            DataCollectionStage::code,
            DataCollectionStage::from_code,
        );
    }

    #[test]
    fn list_sizes_match_hud() {
        assert_eq!(ProjectType::ALL.len(), 14);
        assert_eq!(Destination::ALL.len(), 29);
        assert_eq!(LivingSituation::ALL.len(), 24);
        assert_eq!(RentalSubsidyType::ALL.len(), 11);
        assert_eq!(ProjectType::from_code(5), None);
    }

    #[test]
    fn unknown_code_is_a_decode_error() {
        let bytes = bincode::serde::encode_to_vec(5u16, bincode::config::standard()).unwrap();
        let decoded: Result<(ProjectType, usize), _> =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard());
        assert!(decoded.is_err());
    }

    #[test]
    fn csv_columns() {
        assert_eq!(
            RaceEthnicity::HispanicLatinao.csv_column(),
            "HispanicLatinao"
        );
        assert_eq!(Gender::NonBinary.csv_column(), "NonBinary");
    }
}
