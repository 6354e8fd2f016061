//! Limits the schema builder does not enforce by itself: how many aliases and directives one
//! document may carry (OWASP's alias-overloading and directive-overloading attacks), checked on
//! the parsed document before anything runs.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};

/// Most aliases in one document.
pub const MAX_ALIASES: usize = 50;
/// Most directives in one document.
pub const MAX_DIRECTIVES: usize = 20;
/// Deepest nesting of selections written in one operation or fragment (the schema's own depth
/// limit, checked here before the document is validated against the schema, so a deep
/// document costs nothing however its field names are spelled).
pub const MAX_NESTING: usize = 12;

/// Why a document is refused, or `None` when it is within limits (or does not parse: the
/// executor then reports the syntax error itself).
#[cfg(test)]
fn check(query: &str) -> Option<String> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    check_document(&document)
}

/// Why a parsed document is refused, or `None` when it is within limits.
pub fn check_document(document: &ExecutableDocument) -> Option<String> {
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
}
