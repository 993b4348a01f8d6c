//! The house rules, read from the sources: the library's modules form layers, each imports
//! only layers below it (so there is no cycle), and the core does no I/O. The layer order is
//! written here and nowhere else; ARCHITECTURE.md ("Layers") describes it.
//!
//! Each file is read up to its first `#[cfg(test)]` (tests may use anything). A module is a
//! top-level file or folder of `src/`; `lib.rs` (the facade) and the binary (`main.rs`,
//! `cli/`) are above every layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. A module may import modules of its own layer's lower layers only.
const LAYERS: &[&[&str]] = &[
    &["arith"],
    &["lp"],
    &["network"],
    &["geometry"],
    &["regions"],
    &["formats"],
    &["import", "render"],
    &["train"],
    &["filter_check"],
];

/// The core: numbers, LP, networks, polytopes, regions. No files, no printing, no
/// environment: it computes, the formats and the CLI talk to the world.
const CORE: &[&str] = &["arith", "lp", "network", "geometry", "regions"];
const IO: &[&str] = &[
    "std::fs",
    "std::env",
    "std::io::stdout",
    "std::io::stderr",
    "std::io::stdin",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/geometry/facets.rs` → `geometry`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The first path segment after every `crate::` (also inside `crate::{a, b::c}` groups).
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `mycrate::`, not `crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: split at depth 0 on commas.
            let (mut depth, mut start) = (0usize, 0usize);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(first_ident(&group[start..k]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_ident(&group[start..k]));
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(first_ident(rest));
        }
    }
    out.remove("");
    out
}

fn first_ident(s: &str) -> String {
    s.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

fn layer_of(m: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&m))
}

fn non_test(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap()
}

#[test]
fn imports_only_go_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for f in &files {
        let m = module_of(&src, f);
        if ["lib", "main", "cli"].contains(&m.as_str()) {
            continue;
        }
        let Some(own) = layer_of(&m) else {
            wrong.push(format!("{}: module `{m}` is in no layer (add it to LAYERS)", f.display()));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for dep in crate_imports(non_test(&text)) {
            if dep == m {
                continue;
            }
            graph.entry(m.clone()).or_default().insert(dep.clone());
            match layer_of(&dep) {
                Some(l) if l < own => {}
                Some(_) => {
                    wrong.push(format!("{}: `{m}` imports `{dep}`, which is not below it", f.display()))
                }
                None if ["internals", "num"].contains(&dep.as_str()) => {
                    wrong.push(format!("{}: `{m}` goes through the facade (`crate::{dep}`)", f.display()))
                }
                // Root re-exports such as `crate::Q`: the facade of lower layers is fine
                // only in the layers above the core.
                None if layer_of("formats").is_some_and(|fl| own >= fl) => {}
                None => wrong.push(format!("{}: `{m}` imports `crate::{dep}` from the facade", f.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "layering violations:\n{}", wrong.join("\n"));
    // Every layered module was seen (the table names real modules).
    for m in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(
            src.join(m).is_dir() || src.join(format!("{m}.rs")).is_file(),
            "LAYERS names `{m}`, which is not a module of src/"
        );
    }
    assert!(
        graph.contains_key("regions") && graph["regions"].contains("geometry"),
        "the scan found no imports: {graph:?}"
    );
}

#[test]
fn the_core_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        if !CORE.contains(&module_of(&src, f).as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for io in IO {
            if non_test(&text).contains(io) {
                wrong.push(format!("{}: uses {io}", f.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "I/O in the core:\n{}", wrong.join("\n"));
}

/// The scanner itself: groups, nested groups, and names that merely end in `crate`.
#[test]
fn the_import_scanner_reads_groups() {
    let code = "use crate::{arith::num::{Q, Z}, lp};\nuse crate::geometry::Halfspaces;\nlet x = mycrate::regions::f();";
    let got: Vec<String> = crate_imports(code).into_iter().collect();
    assert_eq!(got, ["arith", "geometry", "lp"]);
}
