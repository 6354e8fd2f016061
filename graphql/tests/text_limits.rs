//! The schema's descriptions state the limits core enforces: each human text argument and input
//! field names its rule's maximum and whether it takes several lines, so the documentation
//! cannot drift from `caseledger_core::input`.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use caseledger_core::input::{self, TextRule};

/// `Type.field(argument)` or `Input.field` → its description.
fn descriptions() -> HashMap<String, String> {
    let sdl = caseledger_graphql::sdl();
    let doc = parse_schema(&sdl).expect("the SDL parses");
    let mut out = HashMap::new();
    for definition in doc.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match &t.node.kind {
            TypeKind::Object(o) => {
                for f in &o.fields {
                    for a in &f.node.arguments {
                        let key = format!("{name}.{}({})", f.node.name.node, a.node.name.node);
                        let desc = a.node.description.as_ref().map(|d| d.node.clone());
                        out.insert(key, desc.unwrap_or_default());
                    }
                }
            }
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    let key = format!("{name}.{}", f.node.name.node);
                    let desc = f.node.description.as_ref().map(|d| d.node.clone());
                    out.insert(key, desc.unwrap_or_default());
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_human_text_field_states_its_core_limit() {
    let expected: &[(&str, TextRule)] = &[
        (
            "Mutation.createOrganization(name)",
            input::ORGANIZATION_NAME,
        ),
        ("Mutation.createUser(username)", input::USERNAME),
        ("Mutation.createUser(displayName)", input::PERSON_FULL_NAME),
        ("Mutation.createProgram(name)", input::PROGRAM_NAME),
        ("Mutation.createMou(number)", input::MOU_NUMBER),
        ("Mutation.createMou(title)", input::MOU_TITLE),
        ("Mutation.createFacility(name)", input::FACILITY_NAME),
        ("Mutation.addRoom(name)", input::ROOM_NAME),
        ("Mutation.addBed(label)", input::BED_LABEL),
        ("IntakeClientInput.firstName", input::PERSON_NAME_PART),
        ("IntakeClientInput.middleName", input::PERSON_NAME_PART),
        ("IntakeClientInput.lastName", input::PERSON_NAME_PART),
        ("IntakeClientInput.nameSuffix", input::PERSON_NAME_PART),
        (
            "IntakeClientInput.additionalRaceEthnicity",
            input::SHORT_TEXT,
        ),
        ("IntakeClientInput.differentIdentityText", input::SHORT_TEXT),
        ("UpdateIntakeInput.firstName", input::PERSON_NAME_PART),
        ("UpdateIntakeInput.lastName", input::PERSON_NAME_PART),
        (
            "UpdateIntakeInput.additionalRaceEthnicity",
            input::SHORT_TEXT,
        ),
        ("AddressInput.line1", input::ADDRESS_LINE),
        ("AddressInput.line2", input::ADDRESS_LINE),
        ("AddressInput.city", input::CITY),
        ("ExitEnrollmentInput.otherDestination", input::SHORT_TEXT),
        ("AnswerInput.item", input::SHORT_TEXT),
        ("AnswerInput.text", input::FREE_TEXT),
        ("RecordServiceInput.description", input::FREE_TEXT),
        ("Mutation.addCaseNote(text)", input::CASE_NOTE),
        ("AddDocumentInput.name", input::DOCUMENT_NAME),
        ("AddDocumentInput.documentType", input::SHORT_TEXT),
        ("BarClientInput.reason", input::FREE_TEXT),
        ("RecipientInput.trustedContactName", input::PERSON_FULL_NAME),
        ("RecipientInput.email", input::EMAIL),
        ("Mutation.denyClientRecordRequest(reason)", input::FREE_TEXT),
        (
            "Mutation.requestRecordRevision(description)",
            input::FREE_TEXT,
        ),
        (
            "Mutation.forgetClientIdentifiers(reason)",
            input::STATED_REASON,
        ),
        ("Query.helpDeskFindClients(reason)", input::STATED_REASON),
    ];
    let descriptions = descriptions();
    for (key, rule) in expected {
        // Doc comments wrap lines; the words are what a reader sees.
        let desc = descriptions
            .get(*key)
            .unwrap_or_else(|| panic!("{key} is not in the schema"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let limit = format!("at most {} characters", rule.max_chars);
        assert!(desc.contains(&limit), "{key}: {desc:?} lacks {limit:?}");
        let lines = desc.to_lowercase().contains("several lines allowed");
        assert_eq!(lines, rule.multi_line, "{key}: {desc:?}");
        if !rule.multi_line {
            assert!(desc.to_lowercase().contains("one line"), "{key}: {desc:?}");
        }
    }
}
