//! The page's files, embedded in the binary: written by hand as ES modules and one style
//! sheet, served as they are in the repository (no bundler, no build step, so the bytes
//! reviewed are the bytes served; see ARCHITECTURE.md).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page.
pub(crate) const INDEX: &str = include_str!("../assets/index.html");

const JS: &str = "text/javascript; charset=utf-8";

/// A module of the page: its name under `/app/` and its text.
macro_rules! module {
    ($name:literal) => {
        ($name, JS, include_str!(concat!("../assets/", $name)))
    };
}

/// `(name under /app/, content type, bytes)` of every file but the page.
pub(crate) const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../assets/app.css"),
    ),
    module!("app.js"),
    module!("api.js"),
    module!("dom.js"),
    module!("access.js"),
    module!("screens/signin.js"),
    module!("screens/find.js"),
    module!("screens/intake.js"),
    module!("screens/client.js"),
    module!("screens/client-work.js"),
    module!("screens/requests.js"),
    module!("screens/access-log.js"),
    module!("screens/audit.js"),
    module!("screens/beds.js"),
    module!("screens/duplicates.js"),
    module!("screens/mous.js"),
];

/// `GET /app/{name}`: one of the page's files; 404 for any other name.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, ..)| *n == name) {
        Some((_, content_type, body)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, *content_type)],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every module a module imports is served, and every file in the assets directory is
    /// listed (a file added but not listed would 404 in the browser).
    #[test]
    fn every_file_is_served_and_every_import_resolves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut on_disk = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let name = path
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    if name != "index.html" {
                        on_disk.push(name);
                    }
                }
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = ASSETS.iter().map(|(n, ..)| n.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
        for (name, _, body) in ASSETS.iter().filter(|(n, ..)| n.ends_with(".js")) {
            let base = name.rsplit_once('/').map_or("", |(d, _)| d);
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let target = line.split('\'').nth(1).unwrap();
                let mut parts: Vec<&str> = if base.is_empty() {
                    vec![]
                } else {
                    base.split('/').collect()
                };
                for part in target.split('/') {
                    match part {
                        "." => {}
                        ".." => {
                            parts.pop();
                        }
                        p => parts.push(p),
                    }
                }
                let resolved = parts.join("/");
                assert!(
                    ASSETS.iter().any(|(n, ..)| *n == resolved),
                    "{name} imports {target}, which is not served"
                );
            }
        }
    }

    #[test]
    fn the_page_runs_no_inline_script_or_style() {
        assert!(!INDEX.contains("<script>") && !INDEX.contains("style="));
        assert!(!INDEX.contains("<style"));
        for (name, _, body) in ASSETS {
            assert!(!body.contains("innerHTML"), "{name} parses HTML");
            assert!(!body.contains("eval("), "{name} evaluates code");
        }
    }
}
