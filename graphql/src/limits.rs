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

/// Why a document is refused, or `None` when it is within limits (or does not parse: the
/// executor then reports the syntax error itself).
pub fn check(query: &str) -> Option<String> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    let (aliases, directives) = count(&document);
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

/// (aliases, directives) written in the document, each fragment counted once.
fn count(document: &ExecutableDocument) -> (usize, usize) {
    let mut totals = (0, 0);
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for op in operations {
        totals.1 += op.node.directives.len();
        walk(&op.node.selection_set.node, &mut totals);
    }
    for fragment in document.fragments.values() {
        totals.1 += fragment.node.directives.len();
        walk(&fragment.node.selection_set.node, &mut totals);
    }
    totals
}

fn walk(set: &SelectionSet, totals: &mut (usize, usize)) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                totals.0 += usize::from(f.node.alias.is_some());
                totals.1 += f.node.directives.len();
                walk(&f.node.selection_set.node, totals);
            }
            Selection::FragmentSpread(s) => totals.1 += s.node.directives.len(),
            Selection::InlineFragment(i) => {
                totals.1 += i.node.directives.len();
                walk(&i.node.selection_set.node, totals);
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
        assert_eq!(
            check("{ not valid"),
            None,
            "syntax errors are left to the executor"
        );
    }
}
