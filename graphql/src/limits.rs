//! Limits checked on the parsed document before async-graphql validates it: how many aliases
//! and directives one document may carry (OWASP's alias-overloading and directive-overloading
//! attacks), how deep it nests, and how many selections it expands to once every fragment
//! spread is replaced by its fragment.
//!
//! The last is what keeps a small document from costing exponential time: a chain of
//! fragments each spreading the next twice is under 1 KB and expands to 2^30 selections, and
//! async-graphql's own checks (recursion depth, complexity, overlapping fields) walk the
//! expansion. Here every fragment's expanded size is computed once and remembered, so the
//! check takes time linear in the document whatever it expands to, and a document that would
//! expand beyond [`MAX_EXPANDED_SELECTIONS`] never reaches the validator.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

/// Most aliases in one document.
pub const MAX_ALIASES: usize = 50;
/// Most directives in one document.
pub const MAX_DIRECTIVES: usize = 20;
/// Deepest nesting of selections written in one operation or fragment (the schema's own depth
/// limit, checked here before the document is validated against the schema, so a deep
/// document costs nothing however its field names are spelled).
pub const MAX_NESTING: usize = 12;
/// Most fragment definitions in one document (what bounds how deep sizing a chain of spreads
/// recurses).
pub const MAX_FRAGMENTS: usize = 100;
/// Largest complexity (fields, weighted by page sizes) the validator accepts.
pub const MAX_COMPLEXITY: usize = 1_000;
/// Most selections one document may expand to with its fragments spread. Every field costs
/// at least 1 in the complexity count, so a document over this bound would be refused by the
/// complexity limit anyway: refusing it here loses nothing and costs linear time.
pub const MAX_EXPANDED_SELECTIONS: u64 = MAX_COMPLEXITY as u64;

/// Why a document is refused, or `None` when it is within limits (or does not parse: the
/// executor then reports the syntax error itself).
#[cfg(test)]
fn check(query: &str) -> Option<String> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    measure(&document).err()
}

/// How many selections a document within limits expands to, or why it is refused.
pub fn measure(document: &ExecutableDocument) -> Result<u64, String> {
    limits(document).map_or_else(|| expansion(document), Err)
}

fn limits(document: &ExecutableDocument) -> Option<String> {
    if document.fragments.len() > MAX_FRAGMENTS {
        return Some(format!(
            "{} fragments in one request; at most {MAX_FRAGMENTS} are accepted",
            document.fragments.len()
        ));
    }
    let (aliases, directives, depth) = count(document);
    if depth > MAX_NESTING {
        return Some(format!(
            "selections nested {depth} deep; at most {MAX_NESTING} levels are accepted"
        ));
    }
    if aliases > MAX_ALIASES {
        return Some(format!(
            "{aliases} aliases in one request; at most {MAX_ALIASES} are accepted"
        ));
    }
    if directives > MAX_DIRECTIVES {
        return Some(format!(
            "{directives} directives in one request; at most {MAX_DIRECTIVES} are accepted"
        ));
    }
    None
}

/// The selections a document's operations expand to; refuses a document whose fragments
/// spread themselves, or whose operations or any fragment expand to more than
/// [`MAX_EXPANDED_SELECTIONS`] selections.
fn expansion(document: &ExecutableDocument) -> Result<u64, String> {
    let mut expansion = Expansion {
        fragments: &document.fragments,
        sizes: HashMap::new(),
    };
    let mut total = 0u64;
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in operations {
        match expansion.set_size(&op.node.selection_set.node) {
            Ok(size) => total = total.saturating_add(size),
            Err(name) => return Err(cycle(&name)),
        }
    }
    // Fragments no operation spreads are validated too.
    let mut largest = total;
    for name in document.fragments.keys() {
        match expansion.fragment_size(name) {
            Ok(size) => largest = largest.max(size),
            Err(name) => return Err(cycle(&name)),
        }
    }
    if largest > MAX_EXPANDED_SELECTIONS {
        return Err(format!(
            "the document expands to more than {MAX_EXPANDED_SELECTIONS} selections once its \
             fragments are spread; at most {MAX_EXPANDED_SELECTIONS} are accepted"
        ));
    }
    Ok(total)
}

/// The refusal for a fragment that spreads itself (the validator would refuse it too, but
/// sizing it must stop first).
fn cycle(name: &Name) -> String {
    format!("fragment {name} spreads itself")
}

/// Remembered expanded sizes of fragments.
struct Expansion<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// `None` while a fragment is being sized (seeing it again is a cycle).
    sizes: HashMap<&'a Name, Option<u64>>,
}

impl<'a> Expansion<'a> {
    /// Selections `set` expands to; `Err(name)` when fragment `name` spreads itself.
    fn set_size(&mut self, set: &'a SelectionSet) -> Result<u64, Name> {
        let mut size = 0u64;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(f) => {
                    1u64.saturating_add(self.set_size(&f.node.selection_set.node)?)
                }
                Selection::InlineFragment(i) => self.set_size(&i.node.selection_set.node)?,
                Selection::FragmentSpread(s) => self.fragment_size(&s.node.fragment_name.node)?,
            };
            size = size.saturating_add(add);
        }
        Ok(size)
    }

    /// Selections fragment `name` expands to (0 for an unknown fragment: the validator names
    /// it).
    fn fragment_size(&mut self, name: &'a Name) -> Result<u64, Name> {
        match self.sizes.get(name) {
            Some(Some(size)) => return Ok(*size),
            Some(None) => return Err(name.clone()),
            None => {}
        }
        let Some(fragment) = self.fragments.get(name) else {
            return Ok(0);
        };
        self.sizes.insert(name, None);
        let size = self.set_size(&fragment.node.selection_set.node)?;
        self.sizes.insert(name, Some(size));
        Ok(size)
    }
}

/// What a document holds: aliases and directives (each fragment counted once) and the deepest
/// nesting of one operation or fragment.
#[derive(Default)]
struct Totals {
    aliases: usize,
    directives: usize,
    depth: usize,
}

/// (aliases, directives, deepest nesting) written in the document.
fn count(document: &ExecutableDocument) -> (usize, usize, usize) {
    let mut totals = Totals::default();
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in operations {
        totals.directives += op.node.directives.len();
        walk(&op.node.selection_set.node, 1, &mut totals);
    }
    for fragment in document.fragments.values() {
        totals.directives += fragment.node.directives.len();
        walk(&fragment.node.selection_set.node, 1, &mut totals);
    }
    (totals.aliases, totals.directives, totals.depth)
}

fn walk(set: &SelectionSet, depth: usize, totals: &mut Totals) {
    if !set.items.is_empty() {
        totals.depth = totals.depth.max(depth);
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                totals.aliases += usize::from(f.node.alias.is_some());
                totals.directives += f.node.directives.len();
                walk(&f.node.selection_set.node, depth + 1, totals);
            }
            Selection::FragmentSpread(s) => totals.directives += s.node.directives.len(),
            Selection::InlineFragment(i) => {
                totals.directives += i.node.directives.len();
                walk(&i.node.selection_set.node, depth, totals);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_directives_are_counted_through_fragments() {
        assert_eq!(check("{ me { role } }"), None);
        let fifty: String = (0..MAX_ALIASES)
            .map(|i| format!("a{i}: me {{ role }} "))
            .collect();
        assert_eq!(check(&format!("{{ {fifty} }}")), None);
        let more = format!("{{ {fifty} extra: me {{ role }} }}");
        assert!(check(&more).unwrap().contains("51 aliases"));
        let in_fragment: String = (0..=MAX_ALIASES).map(|i| format!("r{i}: role ")).collect();
        assert!(
            check(&format!(
                "{{ me {{ ...F }} }} fragment F on Me {{ {in_fragment} }}"
            ))
            .is_some()
        );
        let directives: String = (0..=MAX_DIRECTIVES)
            .map(|_| "@include(if: true) ")
            .collect();
        assert!(
            check(&format!("{{ me {directives} {{ role }} }}"))
                .unwrap()
                .contains("directives")
        );
        let deep = format!("{}{}", "{ a ".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        assert_eq!(check(&deep), None, "{deep}");
        let deeper = format!(
            "{}b {}",
            "{ a ".repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        );
        assert_eq!(check(&deeper), None, "a leaf adds no level");
        let too_deep = format!(
            "{}b {{ c }} {}",
            "{ a ".repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        );
        assert!(
            check(&too_deep).unwrap().contains("nested 13 deep"),
            "{too_deep}"
        );
        assert_eq!(
            check("{ not valid"),
            None,
            "syntax errors are left to the executor"
        );
    }

    /// `{ me { ...F0 } }` with `F<i>` spreading `F<i+1>` twice: 2^levels selections.
    fn fan_out(levels: usize) -> String {
        let mut doc = String::from("{ me { ...F0 } } ");
        for i in 0..levels {
            doc.push_str(&format!(
                "fragment F{i} on Me {{ userId ...F{} ...F{} }} ",
                i + 1,
                i + 1
            ));
        }
        doc.push_str(&format!("fragment F{levels} on Me {{ role }}"));
        doc
    }

    #[test]
    fn a_fragment_fan_out_is_refused_in_linear_time() {
        let doc = fan_out(30);
        assert!(doc.len() < 1_500, "{}", doc.len());
        let started = std::time::Instant::now();
        let reason = check(&doc).expect("2^30 selections are refused");
        assert!(reason.contains("expands to more than"), "{reason}");
        // Generous for a debug build on a loaded machine; the exponential walk took seconds.
        assert!(started.elapsed() < std::time::Duration::from_millis(200));
        assert_eq!(check(&fan_out(8)), None, "2^8 selections are fine");
        assert!(
            check(&fan_out(10)).is_some(),
            "2^10 + 2^10 selections are not"
        );
    }

    #[test]
    fn fragments_that_spread_themselves_are_refused_without_looping() {
        let reason = check(
            "{ me { ...A } } fragment A on Me { role ...B } fragment B on Me { userId ...A }",
        )
        .expect("a cycle is refused");
        assert!(reason.contains("spreads itself"), "{reason}");
        let many: String = (0..=MAX_FRAGMENTS)
            .map(|i| format!("fragment G{i} on Me {{ role }} "))
            .collect();
        assert!(check(&format!("{{ me {{ role }} }} {many}")).is_some());
    }
}
