//! Recording HUD data elements beyond a record's typed fields (`recordHudElements`): the live
//! path to every element of HUD's data standard, checked against HUD's column catalogue by the
//! same command an import runs.

use async_graphql::{Context, ID, InputObject, Object};
use caseledger_core::Pii;
use caseledger_core::commands::elements::RecordHudElements;
use caseledger_core::events::{AnswerValue, ElementRow, ElementSubject};
use caseledger_core::hud::elements::{ElementType, HudElement, HudFile};

use crate::convert::{self, invalid};
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// One HUD element: its column and exactly the one value field its type takes (`code` for a
/// HUD list, `number` for a count, a year or money in cents, `date`, `text`).
#[derive(InputObject)]
pub struct HudElementInput {
    /// HUD's column name, spelled as HUD spells it (`LengthOfStay`, `YearEnteredService`).
    pub column: String,
    /// A code of the column's HUD list.
    pub code: Option<i32>,
    /// An integer, or money in cents.
    pub number: Option<i64>,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// Text (at most 2,000 characters).
    pub text: Option<String>,
}

/// The complete set of one row's HUD elements for a record (replacing the set recorded
/// before for the same row).
#[derive(InputObject)]
pub struct RecordHudElementsInput {
    /// HUD's file the row is of, without `.csv`: `Client`, `Enrollment`, `Exit`, `Services`,
    /// an assessment file (`IncomeBenefits`, `HealthAndDV`, ..., `AssessmentQuestions`),
    /// `Project` and its descriptors (`Funder`, `ProjectCoC`, `Inventory`, `Affiliation`,
    /// `HMISParticipation`, `CEParticipation`), or `Organization`.
    pub file: String,
    /// The record: the client, enrollment (for `Exit` too), service, assessment, project or
    /// organization.
    pub record_id: ID,
    /// The id of a row of its own under the record (a `FunderID`, an `AssessmentQuestionID`),
    /// for the files that have them.
    pub row_id: Option<String>,
    /// The elements, each column once.
    pub elements: Vec<HudElementInput>,
}

/// Mutations of HUD elements.
#[derive(Default)]
pub struct ElementMutations;

#[Object]
impl ElementMutations {
    /// Records HUD data elements of a record beyond its own fields, as HUD's CSV names them:
    /// data collected at project start, update, annual assessment and exit (an enrollment's
    /// 3.917 prior living situation, an exit's aftercare), a veteran's service history, a
    /// project's funders, CoC information, inventory and participation. Checked against HUD's
    /// columns and code lists; staff of the organization that may edit the record, system
    /// administrators for projects and organizations.
    async fn record_hud_elements(
        &self,
        ctx: &Context<'_>,
        input: RecordHudElementsInput,
    ) -> async_graphql::Result<crate::accounts::WriteResult> {
        let a = session(ctx)?;
        let file = HudFile::from_stem(input.file.trim_end_matches(".csv"))
            .ok_or_else(|| invalid("file", format!("{} is not a file of HUD's CSV", input.file)))?;
        let id = &input.record_id;
        let subject = match file {
            HudFile::Client => ElementSubject::Client(convert::id("recordId", id)?),
            HudFile::Enrollment | HudFile::Exit => {
                ElementSubject::Enrollment(convert::id("recordId", id)?)
            }
            HudFile::Services => ElementSubject::Service(convert::id("recordId", id)?),
            HudFile::Organization => ElementSubject::Organization(convert::id("recordId", id)?),
            HudFile::User => ElementSubject::Coc,
            // What remains of the files about no client describes a project.
            f if f.is_about_no_client() => ElementSubject::Program(convert::id("recordId", id)?),
            _ => ElementSubject::Assessment(convert::id("recordId", id)?),
        };
        let client = matches!(
            subject,
            ElementSubject::Client(_)
                | ElementSubject::Enrollment(_)
                | ElementSubject::Service(_)
                | ElementSubject::Assessment(_)
        );
        let elements = input
            .elements
            .iter()
            .enumerate()
            .map(|(i, e)| element(file, client, i, e))
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let command = RecordHudElements {
            rows: vec![ElementRow {
                subject,
                file,
                row_id: input.row_id,
                elements,
                source: None,
                blank: Vec::new(),
            }],
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(crate::accounts::WriteResult {
            position: written.position(),
        })
    }
}

/// The element given as the value its column's type takes.
fn element(
    file: HudFile,
    client: bool,
    i: usize,
    e: &HudElementInput,
) -> async_graphql::Result<HudElement> {
    let field = format!("elements[{i}]");
    let spec = file.element(&e.column).ok_or_else(|| {
        invalid(
            &format!("{field}.column"),
            format!("{}.csv has no column {}", file.stem(), e.column),
        )
    })?;
    let given = [
        e.code.is_some(),
        e.number.is_some(),
        e.date.is_some(),
        e.text.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(invalid(
            &field,
            "exactly one of code, number, date and text",
        ));
    }
    let wrong = |takes: &str| invalid(&field, format!("{} takes {takes}", spec.column));
    let value = match spec.kind {
        ElementType::Integer if spec.is_code() => {
            let code = e.code.ok_or_else(|| wrong("a HUD code (code)"))?;
            AnswerValue::Code(
                u16::try_from(code).map_err(|_| invalid(&format!("{field}.code"), "a HUD code"))?,
            )
        }
        ElementType::Integer | ElementType::Money => {
            AnswerValue::Number(e.number.ok_or_else(|| wrong("a number"))?)
        }
        ElementType::Date => {
            let date = e.date.as_deref().ok_or_else(|| wrong("a date"))?;
            AnswerValue::Date(convert::date(&format!("{field}.date"), date)?)
        }
        ElementType::Text => {
            let text = e.text.clone().ok_or_else(|| wrong("text"))?;
            if client {
                AnswerValue::Text(Pii::new(text))
            } else {
                AnswerValue::Plain(text)
            }
        }
        ElementType::Timestamp => return Err(wrong("a timestamp no record holds")),
    };
    Ok(HudElement {
        column: spec.column.to_string(),
        value,
    })
}
