//! No circular imports between files: within each workspace crate, the files' references to
//! one another form no cycle (issue 16 item 5; ARCHITECTURE.md, "Invariants").
//!
//! For every member of the workspace the test walks the module tree from each crate root
//! (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`) through `mod` declarations, reading every file
//! it reaches; a `.rs` file under `src/` that no root reaches fails the test, since it would go
//! unchecked (`tests/`, `benches/` and `examples/` are not read). A file *references* another
//! file of the same crate when it names, by a path, an item or a module defined there:
//!
//! - a `use` of `crate::…`, `super::…`, `self::…` or of a child module's name (every leaf of a
//!   use tree, `self` and globs included), wherever the `use` sits (function bodies too);
//! - a path in code that starts with `crate::`, `super::`, `self::` or a child module's name
//!   followed by `::` (types, calls, constants, variants, `impl crate::Service` alike).
//!
//! A path is resolved the way rustc would, simply: its leading segments walk the module tree
//! (an inline `mod x { … }` is a module of the file it sits in), and the first segment that is
//! not a module is an item, looked up in that module — bound there by a `use` (followed to where
//! it is defined, through globs too), or defined there at module level, or, if neither is found
//! (an item a macro defines), taken to be the module's own file. So `crate::Projections`,
//! re-exported by `lib.rs` from `store.rs`, is a reference to `store.rs`, not to `lib.rs`.
//!
//! What is not an edge:
//! - `mod x;` itself (a parent declaring its child);
//! - a re-export (`pub use`, `pub(crate) use`, `pub(super) use`) that only passes names on:
//!   references through it reach the defining file instead. A re-export is an edge when its
//!   own file uses the name too (for a glob: any name the glob's module defines), as a crate
//!   root does that re-exports its parts and builds its trait from them;
//! - a reference of a file to itself (an inline `mod tests` using `super::*` included);
//! - what paths do not show: method calls on values, trait impls found by type, macros
//!   expanded elsewhere (`$crate::`). Splitting one type's `impl` over several files is
//!   therefore no cycle by itself; importing back and forth between them is.
//!
//! Comments, doc comments and string, character and byte literals are skipped before anything
//! is read. A cycle fails the test naming one cycle edge by edge, with the line and path that
//! made each edge, and then every edge among the files of the cycle. [`EXEMPT`] lists the cycles
//! let pass for now, each with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One token of Rust source: an identifier (keywords included), `::`, or a single punctuation
/// character; literals and comments never become tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The tokens of `source`, each with its 1-based line.
fn lex(source: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let ident_start = |c: char| c.is_alphabetic() || c == '_';
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    // Skips a quoted literal starting at `i` (the opening quote), honouring escapes.
    let skip_quoted = |i: &mut usize, line: &mut usize, quote: char| {
        *i += 1;
        while *i < chars.len() && chars[*i] != quote {
            if chars[*i] == '\\' {
                *i += 1;
            }
            if *i < chars.len() && chars[*i] == '\n' {
                *line += 1;
            }
            *i += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            skip_quoted(&mut i, &mut line, '"');
        } else if c == '\'' {
            // A character literal ('a', '\n', '{') or a lifetime or label ('a, 'static).
            if next == Some('\\') {
                skip_quoted(&mut i, &mut line, '\'');
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && ident_char(chars[i]) {
                    i += 1;
                }
            }
        } else if ident_start(c) {
            let start = i;
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let here = chars.get(i).copied();
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if raw && here == Some('#') && chars.get(i + 1).copied().is_some_and(ident_start) {
                // `r#ident`: a raw identifier.
                i += 1;
                let start = i;
                while i < chars.len() && ident_char(chars[i]) {
                    i += 1;
                }
                out.push((Tok::Ident(chars[start..i].iter().collect()), line));
            } else if raw && (here == Some('"') || here == Some('#')) {
                // A raw string: r"…", r#"…"#, br"…", cr#"…"#.
                let mut hashes = 0;
                while chars.get(i) == Some(&'#') {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                while i < chars.len() {
                    if chars[i] == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                        i += 1 + hashes;
                        break;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            } else if matches!(word.as_str(), "b" | "c") && here == Some('"') {
                skip_quoted(&mut i, &mut line, '"');
            } else if word == "b" && here == Some('\'') {
                skip_quoted(&mut i, &mut line, '\'');
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// A module path from the crate root (`[]` is the root).
type ModPath = Vec<String>;

/// One leaf of a use tree: the path and what it binds.
#[derive(Debug, Clone)]
struct UseLeaf {
    path: Vec<String>,
    /// The name bound (`None` for a glob).
    binds: Option<String>,
}

/// One module: the file it is in, its items and its `use` bindings.
#[derive(Debug, Default)]
struct Module {
    file: PathBuf,
    /// Names defined at module level (structs, enums, functions, constants, …).
    items: BTreeSet<String>,
    /// Module-level `use` leaves, re-exports included: the names this module binds.
    uses: Vec<UseLeaf>,
}

/// A path as written in a file, to be resolved once every module is known.
#[derive(Debug)]
struct Reference {
    file: PathBuf,
    module: ModPath,
    path: Vec<String>,
    line: usize,
}

/// A crate's modules and the references its files make.
#[derive(Debug, Default)]
struct CrateGraph {
    modules: BTreeMap<ModPath, Module>,
    references: Vec<Reference>,
    /// Glob re-exports, each with the names its file uses outside `use`s: an edge when one of
    /// them is defined in the module the glob names.
    glob_reexports: Vec<(Reference, BTreeSet<String>)>,
}

/// Keywords that can follow an item keyword without being the item's name.
const NOT_NAMES: &[&str] = &[
    "fn", "mut", "unsafe", "extern", "async", "const", "for", "impl",
];

/// Reads the file of module `module` (`file`, whose children live in `dir`) into `graph`,
/// following `mod` declarations through `read` (path to source; `None` if absent).
fn read_module(
    graph: &mut CrateGraph,
    read: &dyn Fn(&Path) -> Option<String>,
    file: &Path,
    dir: &Path,
    module: ModPath,
) -> Result<(), String> {
    let source = read(file).ok_or_else(|| format!("cannot read {}", file.display()))?;
    let toks = lex(&source);
    graph.modules.entry(module.clone()).or_default().file = file.to_path_buf();
    // The open braces: `Some(name)` for an inline module, `None` for any other block.
    let mut frames: Vec<Option<String>> = Vec::new();
    let current = |frames: &[Option<String>]| -> (ModPath, bool) {
        let mut m = module.clone();
        let mut at_module_level = true;
        for f in frames {
            match f {
                Some(name) => {
                    m.push(name.clone());
                    at_module_level = true;
                }
                None => at_module_level = false,
            }
        }
        (m, at_module_level)
    };
    let ident = |k: usize| match toks.get(k) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let is = |k: usize, t: &Tok| toks.get(k).map(|(x, _)| x) == Some(t);
    // Re-exported names, kept as references only if the file itself uses them too.
    let mut reexported: Vec<(String, Reference)> = Vec::new();
    let mut glob_reexports: Vec<Reference> = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut k = 0;
    while k < toks.len() {
        // What a `use` names is skipped below, so this sees only names used in the file.
        if let Tok::Ident(w) = &toks[k].0 {
            used.insert(w.as_str());
        }
        let line = toks[k].1;
        let (here, module_level) = current(&frames);
        match &toks[k].0 {
            Tok::Punct('{') => {
                let inline = (k >= 2 && ident(k - 2) == Some("mod"))
                    .then(|| ident(k - 1))
                    .flatten();
                if let Some(name) = inline {
                    graph.modules.entry(child(&here, name)).or_default().file = file.to_path_buf();
                }
                frames.push(inline.map(str::to_string));
                k += 1;
            }
            Tok::Punct('}') => {
                frames.pop();
                k += 1;
            }
            Tok::Ident(w)
                if w == "mod" && ident(k + 1).is_some() && is(k + 2, &Tok::Punct(';')) =>
            {
                let name = ident(k + 1).unwrap_or_default();
                let inline_dirs: Vec<&str> = frames.iter().flatten().map(String::as_str).collect();
                let mut child_dir = dir.to_path_buf();
                child_dir.extend(inline_dirs);
                let flat = child_dir.join(format!("{name}.rs"));
                let nested = child_dir.join(name).join("mod.rs");
                let (child_file, grand_dir) = if read(&flat).is_some() {
                    (flat, child_dir.join(name))
                } else {
                    (nested, child_dir.join(name))
                };
                read_module(graph, read, &child_file, &grand_dir, child(&here, name))?;
                k += 3;
            }
            Tok::Ident(w) if w == "use" && !(k > 0 && is(k - 1, &Tok::PathSep)) => {
                // A re-export is `pub use`, `pub(crate) use`, `pub(super) use` (`pub(in …)` is
                // not used here).
                let reexport = (k >= 1 && ident(k - 1) == Some("pub"))
                    || (k >= 4 && ident(k - 4) == Some("pub") && is(k - 1, &Tok::Punct(')')));
                let mut end = k + 1;
                while end < toks.len() && !is(end, &Tok::Punct(';')) {
                    end += 1;
                }
                let mut leaves = Vec::new();
                use_tree(&toks[k + 1..end], Vec::new(), &mut leaves);
                for (path, binds) in leaves {
                    let reference = Reference {
                        file: file.to_path_buf(),
                        module: here.clone(),
                        path: path.clone(),
                        line,
                    };
                    match (&binds, reexport) {
                        (_, false) => graph.references.push(reference),
                        (Some(name), true) => reexported.push((name.clone(), reference)),
                        (None, true) => glob_reexports.push(reference),
                    }
                    if module_level {
                        graph
                            .modules
                            .entry(here.clone())
                            .or_default()
                            .uses
                            .push(UseLeaf { path, binds });
                    }
                }
                k = end + 1;
                continue;
            }
            Tok::Ident(w)
                if module_level
                    && matches!(
                        w.as_str(),
                        "struct" | "enum" | "union" | "trait" | "fn" | "type" | "const" | "static"
                    ) =>
            {
                if let Some(name) = ident(k + 1).filter(|n| !NOT_NAMES.contains(n)) {
                    graph
                        .modules
                        .entry(here.clone())
                        .or_default()
                        .items
                        .insert(name.to_string());
                }
                k += 1;
            }
            Tok::Ident(w)
                if is(k + 1, &Tok::PathSep)
                    && !(k > 0 && (is(k - 1, &Tok::PathSep) || is(k - 1, &Tok::Punct('$')))) =>
            {
                // The start of a path; whether `w` is a module of this crate is decided when
                // resolving (any other first segment names an extern crate, a type or a local).
                let mut path = vec![w.clone()];
                let mut j = k + 1;
                while is(j, &Tok::PathSep) {
                    match ident(j + 1) {
                        Some(seg) => path.push(seg.to_string()),
                        None => break,
                    }
                    j += 2;
                }
                graph.references.push(Reference {
                    file: file.to_path_buf(),
                    module: here,
                    path,
                    line,
                });
                k = j;
            }
            _ => k += 1,
        }
    }
    graph.references.extend(
        reexported
            .into_iter()
            .filter(|(name, _)| used.contains(name.as_str()))
            .map(|(_, r)| r),
    );
    let used: BTreeSet<String> = used.into_iter().map(str::to_string).collect();
    graph
        .glob_reexports
        .extend(glob_reexports.into_iter().map(|r| (r, used.clone())));
    Ok(())
}

/// The path of module `name` inside `parent`.
fn child(parent: &[String], name: &str) -> ModPath {
    let mut m = parent.to_vec();
    m.push(name.to_string());
    m
}

/// The leaves of the use tree `toks`, under `prefix`: each path with the name it binds.
fn use_tree(
    toks: &[(Tok, usize)],
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut path = prefix;
    let mut k = 0;
    if matches!(toks.first(), Some((Tok::PathSep, _))) {
        k += 1;
    }
    while k < toks.len() {
        match &toks[k].0 {
            Tok::Ident(w) if w == "as" => {
                if let Some((Tok::Ident(alias), _)) = toks.get(k + 1) {
                    out.push((path, Some(alias.clone())));
                }
                return;
            }
            Tok::Ident(w) if w == "self" && !path.is_empty() => {
                // `a::{self}` binds `a`, `a::{self as b}` binds `b`.
                let alias = match (toks.get(k + 1), toks.get(k + 2)) {
                    (Some((Tok::Ident(r#as), _)), Some((Tok::Ident(alias), _))) if r#as == "as" => {
                        Some(alias.clone())
                    }
                    _ => path.last().cloned(),
                };
                out.push((path, alias));
                return;
            }
            Tok::Ident(w) => {
                path.push(w.clone());
                k += 1;
            }
            Tok::PathSep => k += 1,
            Tok::Punct('*') => {
                out.push((path, None));
                return;
            }
            Tok::Punct('{') => {
                // Split the group at its top-level commas.
                let mut depth = 0;
                let mut start = k + 1;
                for j in k..toks.len() {
                    match toks[j].0 {
                        Tok::Punct('{') => depth += 1,
                        Tok::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                if start < j {
                                    use_tree(&toks[start..j], path.clone(), out);
                                }
                                return;
                            }
                        }
                        Tok::Punct(',') if depth == 1 => {
                            if start < j {
                                use_tree(&toks[start..j], path.clone(), out);
                            }
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
                return;
            }
            _ => k += 1,
        }
    }
    let name = path.last().cloned();
    out.push((path, name));
}

/// What a path names: a module, or an item in a file.
enum Target {
    Module(ModPath),
    Item(PathBuf),
}

impl CrateGraph {
    /// The module a path starts from, written in `from`, and the segments left; `None` for a
    /// path that leaves the crate (an extern crate, a type, a local, a macro's `$crate`).
    fn start<'p>(&self, from: &[String], path: &'p [String]) -> Option<(ModPath, &'p [String])> {
        let mut module = from.to_vec();
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                module.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    module.pop()?;
                    rest = &rest[1..];
                }
            }
            Some(first) if self.modules.contains_key(&child(&module, first)) => {}
            _ => return None,
        }
        Some((module, rest))
    }

    /// Resolves `path` as written in module `from`; `seen` stops a loop of `use`s.
    fn resolve(
        &self,
        from: &[String],
        path: &[String],
        seen: &mut BTreeSet<(ModPath, String)>,
    ) -> Option<Target> {
        let (mut module, mut rest) = self.start(from, path)?;
        while let Some(first) = rest.first() {
            let next = child(&module, first);
            if self.modules.contains_key(&next) {
                module = next;
                rest = &rest[1..];
            } else {
                break;
            }
        }
        match rest.first() {
            None => Some(Target::Module(module)),
            Some(name) => {
                let file = self
                    .item(&module, name, seen)
                    .unwrap_or_else(|| self.modules[&module].file.clone());
                Some(Target::Item(file))
            }
        }
    }

    /// The file that defines `name` as seen from module `module`, if it can be found.
    fn item(
        &self,
        module: &ModPath,
        name: &str,
        seen: &mut BTreeSet<(ModPath, String)>,
    ) -> Option<PathBuf> {
        if !seen.insert((module.clone(), name.to_string())) {
            return None;
        }
        let m = &self.modules[module];
        for u in m.uses.iter().filter(|u| u.binds.as_deref() == Some(name)) {
            match self.resolve(module, &u.path, seen) {
                Some(Target::Item(file)) => return Some(file),
                Some(Target::Module(target)) => return Some(self.modules[&target].file.clone()),
                None => {}
            }
        }
        if m.items.contains(name) {
            return Some(m.file.clone());
        }
        for u in m.uses.iter().filter(|u| u.binds.is_none()) {
            if let Some(Target::Module(glob)) = self.resolve(module, &u.path, seen)
                && let Some(file) = self.item(&glob, name, seen)
            {
                return Some(file);
            }
        }
        None
    }

    /// File-to-file edges, each with the first reference that made it (line and path).
    fn edges(&self) -> BTreeMap<PathBuf, BTreeMap<PathBuf, (usize, String)>> {
        let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, (usize, String)>> = BTreeMap::new();
        let globs = self.glob_reexports.iter().filter_map(|(r, used)| {
            match self.resolve(&r.module, &r.path, &mut BTreeSet::new()) {
                Some(Target::Module(m))
                    if self.modules[&m].items.iter().any(|i| used.contains(i)) =>
                {
                    Some(r)
                }
                _ => None,
            }
        });
        for r in self.references.iter().chain(globs) {
            let target = match self.resolve(&r.module, &r.path, &mut BTreeSet::new()) {
                Some(Target::Module(m)) => self.modules[&m].file.clone(),
                Some(Target::Item(file)) => file,
                None => continue,
            };
            if target != r.file {
                edges
                    .entry(r.file.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| (r.line, r.path.join("::")));
            }
        }
        edges
    }
}

/// A group of files that import each other (strongly connected, more than one file).
struct Cycle {
    files: BTreeSet<PathBuf>,
    /// One cycle through the group, edge by edge, then every edge inside it.
    description: String,
}

/// Every group of files of `graph` that import each other.
fn cycles(graph: &CrateGraph) -> Vec<Cycle> {
    let edges = graph.edges();
    let nodes: BTreeSet<PathBuf> = graph.modules.values().map(|m| m.file.clone()).collect();
    let reaches = |from: &PathBuf| -> BTreeSet<PathBuf> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for t in edges.get(&n).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        nodes.iter().map(|n| (n, reaches(n))).collect();
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if reported.contains(n) || !reach[n].contains(n) {
            continue;
        }
        let group: BTreeSet<PathBuf> = reach[n]
            .iter()
            .filter(|m| reach[*m].contains(n))
            .cloned()
            .collect();
        reported.extend(group.iter().cloned());
        // The shortest way back to `n`, breadth first within the group.
        let mut back: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([n.clone()]);
        'search: while let Some(at) = queue.pop_front() {
            for t in edges.get(&at).into_iter().flat_map(|e| e.keys()) {
                if !group.contains(t) || back.contains_key(t) {
                    continue;
                }
                back.insert(t.clone(), at.clone());
                if t == n {
                    break 'search;
                }
                queue.push_back(t.clone());
            }
        }
        let mut path = vec![n.clone()];
        let mut at = back[n].clone();
        while &at != n {
            path.push(at.clone());
            at = back[&at].clone();
        }
        path.push(n.clone());
        path.reverse();
        let steps: Vec<String> = path
            .windows(2)
            .map(|w| {
                let (line, via) = &edges[&w[0]][&w[1]];
                format!(
                    "{} -> {} (line {line}: {via})",
                    w[0].display(),
                    w[1].display()
                )
            })
            .collect();
        // Every edge inside the group: breaking the one cycle shown may leave another.
        let inside: Vec<String> = group
            .iter()
            .flat_map(|from| {
                edges
                    .get(from)
                    .into_iter()
                    .flatten()
                    .filter(|(to, _)| group.contains(*to))
                    .map(move |(to, (line, via))| {
                        format!(
                            "{} -> {} (line {line}: {via})",
                            from.display(),
                            to.display()
                        )
                    })
            })
            .collect();
        let description = format!(
            "a cycle of imports:\n    {}\n  every import among those {} files:\n    {}",
            steps.join("\n    "),
            group.len(),
            inside.join("\n    ")
        );
        out.push(Cycle {
            files: group,
            description,
        });
    }
    out
}

/// The graph of the crate in directory `krate`, from its roots, with `read` as the file system.
fn crate_graphs(
    krate: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
    roots: &[PathBuf],
) -> Result<Vec<CrateGraph>, String> {
    let src = krate.join("src");
    roots
        .iter()
        .map(|root| {
            let mut graph = CrateGraph::default();
            let dir = if root
                .file_name()
                .is_some_and(|f| f == "lib.rs" || f == "main.rs")
            {
                src.clone()
            } else {
                // `src/bin/x.rs` keeps its modules in `src/bin/x/`.
                root.with_extension("")
            };
            read_module(&mut graph, read, root, &dir, Vec::new())?;
            Ok(graph)
        })
        .collect()
}

/// Cycles allowed for now, each as (directory, why): a cycle is let pass only if every file of
/// it is under the directory. An entry no cycle matches fails the test, so it goes as soon as
/// its cycle does.
const EXEMPT: &[(&str, &str)] = &[];

/// The workspace root (the tests crate is one of its members).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// The workspace's members, from the `members = [...]` list of its `Cargo.toml`.
fn members(root: &Path) -> Vec<PathBuf> {
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("the workspace manifest");
    let list = manifest
        .split("members")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("a members list");
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(PathBuf::from)
        .collect()
}

/// Every `.rs` file under `dir` (relative to `root`), recursively.
fn rust_files(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
        let path = dir.join(entry.file_name());
        if entry.path().is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.insert(path);
        }
    }
}

#[test]
fn no_file_of_a_crate_imports_one_that_imports_it_back() {
    let root = workspace();
    let read = |p: &Path| fs::read_to_string(root.join(p)).ok();
    let mut problems = Vec::new();
    let mut exemptions_used = BTreeSet::new();
    let mut crates = 0;
    for krate in members(&root) {
        let src = krate.join("src");
        let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| src.join(f))
            .filter(|p| root.join(p).exists())
            .collect();
        let mut bins = BTreeSet::new();
        rust_files(&root, &src.join("bin"), &mut bins);
        roots.extend(
            bins.into_iter()
                .filter(|b| b.parent() == Some(&src.join("bin"))),
        );
        let graphs = crate_graphs(&krate, &read, &roots).unwrap_or_else(|e| panic!("{e}"));
        let mut reached = BTreeSet::new();
        for graph in &graphs {
            reached.extend(graph.modules.values().map(|m| m.file.clone()));
            for cycle in cycles(graph) {
                let exempt = EXEMPT
                    .iter()
                    .find(|(dir, _)| cycle.files.iter().all(|f| f.starts_with(dir)));
                match exempt {
                    Some((dir, _)) => {
                        exemptions_used.insert(*dir);
                    }
                    None => problems.push(cycle.description),
                }
            }
        }
        let mut all = BTreeSet::new();
        rust_files(&root, &src, &mut all);
        for lost in all.difference(&reached) {
            problems.push(format!(
                "{} is in no module tree of its crate, so nothing checks it",
                lost.display()
            ));
        }
        crates += graphs.len();
    }
    for (dir, why) in EXEMPT {
        if !exemptions_used.contains(dir) {
            problems.push(format!(
                "the exemption of {dir} matches no cycle any more: remove it ({why})"
            ));
        }
    }
    assert!(crates >= 9, "found only {crates} crate roots");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The cycles of a crate in memory, given as (path under `src/`, source) pairs.
fn fake(files: &[(&str, &str)]) -> Vec<String> {
    let files: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, s)| (Path::new("k/src").join(p), (*s).to_string()))
        .collect();
    let read = |p: &Path| files.get(p).cloned();
    let graphs =
        crate_graphs(Path::new("k"), &read, &[PathBuf::from("k/src/lib.rs")]).expect("reads");
    graphs
        .iter()
        .flat_map(cycles)
        .map(|c| c.description)
        .collect()
}
#[test]
fn a_use_back_and_forth_is_a_cycle() {
    let found = fake(&[
        ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("a.rs", "use crate::b::B;\npub struct A(B);\n"),
        ("b.rs", "pub struct B;\nfn f() -> crate::A { todo!() }\n"),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("k/src/a.rs -> k/src/b.rs (line 1: crate::b::B)"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("k/src/b.rs -> k/src/a.rs (line 2: crate::A)"),
        "{}",
        found[0]
    );
}

#[test]
fn a_longer_cycle_through_super_and_a_glob_is_found() {
    let found = fake(&[
        ("lib.rs", "mod m;\nmod c;\n"),
        ("m/mod.rs", "mod x;\nmod y;\npub use x::*;\n"),
        ("m/x.rs", "pub fn fx() { super::y::fy() }\n"),
        ("m/y.rs", "pub fn fy() { crate::c::fc() }\n"),
        ("c.rs", "use crate::m::{self, fx};\npub fn fc() { fx() }\n"),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    for f in ["m/x.rs", "m/y.rs", "c.rs"] {
        assert!(found[0].contains(&format!("k/src/{f}")), "{}", found[0]);
    }
}

#[test]
fn facades_children_tests_comments_and_strings_are_not_cycles() {
    let found = fake(&[
        (
            "lib.rs",
            "//! crate::a::A in a comment\nmod a;\nmod b;\npub use a::A;\npub use b::B;\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::b::B;\n}\n",
        ),
        (
            "a.rs",
            "pub struct A;\nfn f() -> crate::B { let _ = \"crate::A\"; let _c = '{'; todo!() }\n",
        ),
        (
            "b.rs",
            "/* crate::a::A */ pub struct B;\nfn g<'a>(x: &'a str) -> &'a str { x }\n",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_root_that_uses_what_it_reexports_is_in_a_cycle_with_its_part() {
    let found = fake(&[
        (
            "lib.rs",
            "mod error;\nmod events;\npub use error::Failure;\npub use events::*;\n\
             pub type Position = u64;\npub trait Log { fn read(&self) -> Result<Event, Failure>; }\n",
        ),
        ("error.rs", "pub struct Failure(pub crate::Position);\n"),
        (
            "events.rs",
            "pub struct Event;\nimpl crate::Log for Event {}\n",
        ),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    for edge in [
        "k/src/lib.rs -> k/src/error.rs (line 3: error::Failure)",
        "k/src/error.rs -> k/src/lib.rs (line 1: crate::Position)",
        "k/src/lib.rs -> k/src/events.rs (line 4: events)",
        "k/src/events.rs -> k/src/lib.rs (line 2: crate::Log)",
    ] {
        assert!(found[0].contains(edge), "{edge} not in {}", found[0]);
    }
}
