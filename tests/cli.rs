//! The real binary: summaries, snapshots of the exports, Graphviz validity, byte-identical
//! reruns, and a clear message with exit code 2 for every kind of bad input.
//!
//! Snapshots live in `fixtures/expected/`; regenerate with `UPDATE_SNAPSHOTS=1 cargo test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_linregions"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fx(name: &str) -> String {
    root().join("fixtures").join(name).to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).current_dir(root()).output().expect("run linregions")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn snapshot(name: &str, actual: &str) {
    let path = root().join("fixtures/expected").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}; run with UPDATE_SNAPSHOTS=1", path.display()));
    assert_eq!(actual, expected, "snapshot {name} differs; run with UPDATE_SNAPSHOTS=1 if intended");
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("linregions-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn summary_names_everything() {
    let o = run(&["enumerate", &fx("small2d.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "network   2-3-1 (relu)",
        "domain    box [-1,1]^2 (default)",
        "regions   4 (4 bounded, 0 unbounded)",
        "edges     4",
        "facets    per region min 3, mean 4.00, max 5",
        "inradius  L2 min 9.242713e-2",
        "time ",
    ] {
        assert!(s.contains(want), "summary lacks {want:?}:\n{s}");
    }
}

#[test]
fn json_and_dot_snapshots() {
    let o = run(&["enumerate", &fx("small2d.json"), "--json", "-", "--quiet"]);
    assert!(o.status.success());
    assert!(o.stderr.is_empty(), "--quiet prints nothing else");
    snapshot("small2d.regions.json", &stdout(&o));
    let o = run(&["enumerate", &fx("deep_coincident.json"), "--unbounded", "--json", "-", "-q"]);
    snapshot("deep_coincident.unbounded.regions.json", &stdout(&o));
    let dot = tmp("small2d.dot");
    let o = run(&["enumerate", &fx("small2d.json"), "--unbounded", "--dot", dot.to_str().unwrap(), "-q"]);
    assert!(o.status.success());
    snapshot("small2d.unbounded.dot", &std::fs::read_to_string(&dot).unwrap());
}

#[test]
fn json_to_stdout_keeps_summary_on_stderr() {
    let o = run(&["enumerate", &fx("small2d.json"), "--json", "-"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is pure JSON");
    assert_eq!(v["format"], "linregions.regions/1");
    assert_eq!(v["regions"].as_array().unwrap().len(), 4);
    assert!(stderr(&o).contains("regions   4"));
}

#[test]
fn a_document_written_to_a_full_disk_is_an_error() {
    // The regions and partition documents go out as they are made: a write error still
    // names the file and exits non-zero (Linux's /dev/full fails every write).
    // Linux (where CI runs) always has the device: its absence is a failure, not a skip.
    assert!(cfg!(not(target_os = "linux")) || Path::new("/dev/full").exists(), "/dev/full missing");
    if !Path::new("/dev/full").exists() {
        return;
    }
    for cmd in ["enumerate", "partition"] {
        let o = run(&[cmd, &fx("net-2-8-8-1.json"), "--box=-3:3", "--json", "/dev/full", "-q"]);
        assert!(!o.status.success(), "{cmd}");
        assert!(stderr(&o).contains("/dev/full: cannot write"), "{cmd}: {}", stderr(&o));
    }
}

#[test]
fn reruns_are_byte_identical() {
    let args = ["enumerate", &fx("net-3-6-6-1.json"), "--box=-1/2:1/2", "--json", "-", "-q"];
    let a = run(&args);
    let b = run(&args);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn dot_is_valid_for_graphviz() {
    let dot = tmp("net.dot");
    let svg = tmp("net.svg");
    let o = run(&["enumerate", &fx("net-2-8-8-1.json"), "--dot", dot.to_str().unwrap(), "-q"]);
    assert!(o.status.success());
    // On every machine: the DOT grammar, by a small tokenizer and parser here.
    let text = std::fs::read_to_string(&dot).unwrap();
    dot_syntax(&text).unwrap_or_else(|e| panic!("invalid DOT: {e}\n{text}"));
    for broken in ["graph g { 0 -- }", "graph g { 0 [label=\"x] }", "graph g { 0 -- 1", "digraph { 0 -- 1 }"]
    {
        assert!(dot_syntax(broken).is_err(), "{broken}");
    }
    // With Graphviz (CI installs it; there it is required): the real `dot` renders it.
    match Command::new("dot").args(["-Tsvg", "-o", svg.to_str().unwrap(), dot.to_str().unwrap()]).output() {
        Ok(g) => {
            assert!(g.status.success(), "dot rejected the file: {}", String::from_utf8_lossy(&g.stderr));
            assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        }
        Err(e) => assert!(std::env::var_os("CI").is_none(), "Graphviz `dot` not found in CI ({e})"),
    }
}

/// The subset of the DOT grammar linregions writes: `graph|digraph [ID] { stmt* }` with
/// node, edge (`--` in a graph, `->` in a digraph) and attribute statements, attribute lists
/// `[k = v, ...]`, IDs as words, numbers or quoted strings with escapes.
fn dot_syntax(text: &str) -> Result<(), String> {
    #[derive(Debug, PartialEq)]
    enum T {
        Id(String),
        Sym(char),
        Edge(String),
    }
    let mut toks = Vec::new();
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            c if c.is_whitespace() => {}
            '{' | '}' | '[' | ']' | '=' | ',' | ';' => toks.push(T::Sym(c)),
            '"' => {
                let mut s = String::new();
                loop {
                    match it.next() {
                        None => return Err("unterminated string".into()),
                        Some('\\') => s.push(it.next().ok_or("dangling escape")?),
                        Some('"') => break,
                        Some(ch) => s.push(ch),
                    }
                }
                toks.push(T::Id(s));
            }
            '-' if matches!(it.peek(), Some('-') | Some('>')) => {
                toks.push(T::Edge(format!("-{}", it.next().unwrap())))
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                let mut s = c.to_string();
                while let Some(&n) = it.peek().filter(|n| n.is_alphanumeric() || **n == '_' || **n == '.') {
                    s.push(n);
                    it.next();
                }
                toks.push(T::Id(s));
            }
            c => return Err(format!("unexpected character {c:?}")),
        }
    }
    let mut i = 0;
    let kind = match toks.first() {
        Some(T::Id(k)) if k == "graph" || k == "digraph" => k.clone(),
        _ => return Err("expected graph or digraph".into()),
    };
    let edge_op = if kind == "graph" { "--" } else { "->" };
    i += 1;
    if matches!(toks.get(i), Some(T::Id(_))) {
        i += 1;
    }
    if toks.get(i) != Some(&T::Sym('{')) {
        return Err("expected {".into());
    }
    i += 1;
    let attrs = |i: &mut usize| -> Result<(), String> {
        // [ (ID = ID (,|;)?)* ]
        *i += 1;
        loop {
            match toks.get(*i) {
                Some(T::Sym(']')) => {
                    *i += 1;
                    return Ok(());
                }
                Some(T::Id(_)) => {
                    if toks.get(*i + 1) != Some(&T::Sym('=')) || !matches!(toks.get(*i + 2), Some(T::Id(_))) {
                        return Err("expected key = value".into());
                    }
                    *i += 3;
                    if matches!(toks.get(*i), Some(T::Sym(',' | ';'))) {
                        *i += 1;
                    }
                }
                _ => return Err("unterminated attribute list".into()),
            }
        }
    };
    loop {
        match toks.get(i) {
            Some(T::Sym('}')) => {
                return if i + 1 == toks.len() { Ok(()) } else { Err("text after the closing }".into()) };
            }
            Some(T::Id(_)) => {
                i += 1;
                match toks.get(i) {
                    Some(T::Sym('=')) => {
                        if !matches!(toks.get(i + 1), Some(T::Id(_))) {
                            return Err("expected a value".into());
                        }
                        i += 2;
                    }
                    Some(T::Edge(op)) => {
                        if op != edge_op {
                            return Err(format!("{op} in a {kind}"));
                        }
                        if !matches!(toks.get(i + 1), Some(T::Id(_))) {
                            return Err("an edge needs two ends".into());
                        }
                        i += 2;
                        if toks.get(i) == Some(&T::Sym('[')) {
                            attrs(&mut i)?;
                        }
                    }
                    Some(T::Sym('[')) => attrs(&mut i)?,
                    _ => {}
                }
                if toks.get(i) == Some(&T::Sym(';')) {
                    i += 1;
                }
            }
            _ => return Err(format!("unexpected token at {i}: {:?}", toks.get(i))),
        }
    }
}

#[test]
fn box_forms() {
    for args in [
        vec!["--box=-1:1"],
        vec!["--box", "-1:1"],
        vec!["--box", "-1:1,-1:1"],
        vec!["--box=-1/1:1.0,-1e0:10/10"],
    ] {
        let mut a = vec!["enumerate", "fixtures/small2d.json"];
        a.extend(args.iter());
        let o = run(&a);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("regions   4"), "{args:?}");
    }
    let o = run(&["enumerate", "fixtures/small2d.json", "--box=0:1,0:2"]);
    assert!(stdout(&o).contains("box [0,1]x[0,2]"));
}

#[test]
fn polytope_domain() {
    let dom = tmp("tri.json");
    std::fs::write(&dom, r#"{"a": [["-1","0"],["0","-1"],["1","1"]], "b": [0, 0, "1"]}"#).unwrap();
    let o = run(&[
        "enumerate",
        "fixtures/zero_biases.json",
        "--domain",
        dom.to_str().unwrap(),
        "--json",
        "-",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["domain"]["type"], "polytope");
    // Inside the triangle x,y >= 0, x + y <= 1 only the lines x - 2y = 0 and 3x + y = 0 ...
    // 3x + y = 0 touches only the corner; x - 2y = 0 cuts it: 2 regions.
    assert_eq!(v["regions"].as_array().unwrap().len(), 2);
}

#[test]
fn inspect_reports_vanishing_neurons() {
    let o = run(&["inspect", "fixtures/small2d.json", "--point", "0,0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("pattern        110"), "{s}");
    assert!(s.contains("neurons 0:0 vanish here"), "{s}");
    let o = run(&["inspect", "fixtures/small2d.json", "--point", "-1/2,1/3", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["region"]["pattern"][0], "000");
    assert_eq!(v["vanishing"].as_array().unwrap().len(), 0);
    assert!(v["region"]["facets"][0]["neighbor_pattern"].is_array());
}

/// Every kind of bad input: exit code 2, no panic, and a message naming what is wrong.
#[test]
fn bad_inputs_exit_2_with_clear_messages() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("not-json", "{", &["not valid JSON"]),
        (
            "input-dim-0",
            r#"{"input_dim": 0, "layers": [{"type":"dense","weight":[],"bias":["1"]}]}"#,
            &["input_dim", "at least 1"],
        ),
        ("input-dim-str", r#"{"input_dim": "two", "layers": []}"#, &["input_dim", "positive integer"]),
        ("no-layers", r#"{"input_dim": 1}"#, &["layers", "missing"]),
        (
            "shape",
            r#"{"input_dim": 2, "layers": [{"type":"dense","weight":[["1"]],"bias":["0"]}]}"#,
            &["layer 0", "weight", "width 2"],
        ),
        (
            "bias-len",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1"],["2"]],"bias":["0"]}]}"#,
            &["layer 0", "weight", "bias"],
        ),
        (
            "empty-layer",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[],"bias":[]}]}"#,
            &["layer 0", "bias", "empty"],
        ),
        (
            "unknown",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1"]],"bias":["0"]},{"type":"gelu"}]}"#,
            &["layer 1", "type", "gelu"],
        ),
        ("act-first", r#"{"input_dim": 1, "layers": [{"type":"relu"}]}"#, &["layer 0", "comes first"]),
        (
            "act-twice",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1"]],"bias":["0"]},{"type":"relu"},{"type":"relu"}]}"#,
            &["layer 2", "another activation"],
        ),
        (
            "unparsable",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1x"]],"bias":["0"]}]}"#,
            &["layer 0", "weight[0][0]", "1x"],
        ),
        (
            "zero-denominator",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1"]],"bias":["3/0"]}]}"#,
            &["layer 0", "bias[0]", "zero denominator"],
        ),
        (
            "exponent",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[[1e999999]],"bias":["0"]}]}"#,
            &["layer 0", "weight[0][0]", "exponent"],
        ),
        (
            "non-number",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[[true]],"bias":["0"]}]}"#,
            &["layer 0", "weight[0][0]", "boolean"],
        ),
        (
            "leaky-no-slope",
            r#"{"input_dim": 1, "layers": [{"type":"dense","weight":[["1"]],"bias":["0"]},{"type":"leaky_relu"}]}"#,
            &["layer 1", "slope"],
        ),
    ];
    for (name, text, wants) in cases {
        let path = tmp(&format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let o = run(&["enumerate", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(&format!("{name}.json")), "{name}: message must name the file: {e}");
        for w in *wants {
            assert!(e.contains(w), "{name}: message lacks {w:?}: {e}");
        }
        assert!(!e.contains("panicked"), "{name}: {e}");
    }
}

#[test]
fn bad_domains_and_points_exit_2() {
    let flat = tmp("flat.json");
    std::fs::write(&flat, r#"{"a": [["1","1"],["-1","-1"],["1","0"],["-1","0"]], "b": [0, 0, 1, 1]}"#)
        .unwrap();
    let empty = tmp("empty.json");
    std::fs::write(&empty, r#"{"a": [["1","0"],["-1","0"]], "b": [-1, -1]}"#).unwrap();
    let badrow = tmp("badrow.json");
    std::fs::write(&badrow, r#"{"a": [["1","0"],["-1"]], "b": [1, 1]}"#).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["enumerate", "fixtures/small2d.json", "--box=1:0"], "LO < HI"),
        (vec!["enumerate", "fixtures/small2d.json", "--box=0:1,0:1,0:1"], "3 intervals"),
        (vec!["enumerate", "fixtures/small2d.json", "--box=a:1"], "not an exact number"),
        (vec!["enumerate", "fixtures/small2d.json", "--domain", flat.to_str().unwrap()], "lower-dimensional"),
        (vec!["enumerate", "fixtures/small2d.json", "--domain", empty.to_str().unwrap()], "empty"),
        (vec!["enumerate", "fixtures/small2d.json", "--domain", badrow.to_str().unwrap()], "a[1]"),
        (vec!["enumerate", "fixtures/no-such-file.json"], "cannot read"),
        (vec!["inspect", "fixtures/small2d.json", "--point", "1"], "1 coordinates"),
        (vec!["inspect", "fixtures/small2d.json", "--point", "5,5", "--box=-1:1"], "outside the domain"),
    ];
    for (args, want) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn random_is_deterministic_and_exact() {
    let a = run(&["random", "--dims", "2,4,1", "--seed", "5"]);
    let b = run(&["random", "--dims", "2,4,1", "--seed", "5"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let net = linregions::parse_network(&stdout(&a)).unwrap();
    assert_eq!(net.shape_string(), "2-4-1");
    // f32 values: every denominator is a power of two.
    for row in &net.hidden()[0].dense.weight {
        for v in row {
            assert!(v.denom().magnitude().count_ones() == 1);
        }
    }
    assert!(Path::new(env!("CARGO_BIN_EXE_linregions")).exists());
}

#[test]
fn jsonl_streams_every_region_then_a_summary() {
    let o = run(&["enumerate", "fixtures/net-2-8-8-1.json", "--jsonl", "-", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("one JSON per line")).collect();
    let (last, regions) = lines.split_last().unwrap();
    assert_eq!(last["summary"]["regions"], 48);
    assert_eq!(regions.len(), 48);
    // Walk ids: 0..n in line order, neighbours within range.
    for (i, r) in regions.iter().enumerate() {
        assert_eq!(r["id"], i);
        for f in r["facets"].as_array().unwrap() {
            assert!(f["neighbor"].is_null() || f["neighbor"].as_u64().unwrap() < 48);
        }
    }
    // Same regions as the sorted JSON.
    let o = run(&["enumerate", "fixtures/net-2-8-8-1.json", "--json", "-", "-q"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut a: Vec<String> = regions.iter().map(|r| r["pattern"].to_string()).collect();
    let b: Vec<String> =
        doc["regions"].as_array().unwrap().iter().map(|r| r["pattern"].to_string()).collect();
    a.sort();
    assert_eq!(a, b);
}

#[test]
fn graphml_merge_and_volumes() {
    let g = tmp("small.graphml");
    let m = tmp("merged.json");
    let o = run(&[
        "enumerate",
        "fixtures/dead_unit.json",
        "--volumes",
        "--merge",
        m.to_str().unwrap(),
        "--graphml",
        g.to_str().unwrap(),
        "--json",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("linear    2 linear regions (2 convex)"));
    assert!(stderr(&o).contains("volumes   sum equals the domain's volume 4"));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["regions"][0]["volume"], "1");
    assert_eq!(doc["regions"][0]["vertices"].as_array().unwrap().len(), 4);
    assert_eq!(doc["linear_regions"].as_array().unwrap().len(), 2);
    snapshot("dead_unit.graphml", &std::fs::read_to_string(&g).unwrap());
    snapshot("dead_unit.merged.json", &std::fs::read_to_string(&m).unwrap());
}

#[test]
fn verify_cli_reports_and_exits() {
    let o = run(&["verify", "fixtures/small2d.json", "fixtures/verify/small2d.ok.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("result    OK: all 16 checks hold"));
    let o = run(&["verify", "fixtures/small2d.json", "fixtures/verify/closure.json"]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("FAILED    closure"), "{s}");
    assert!(s.contains("missing   1 regions absent from the file: 110"), "{s}");
    let o = run(&["verify", "fixtures/small2d.json", "fixtures/verify/facets.json", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let facets = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "facets").unwrap();
    assert_eq!(facets["regions"], serde_json::json!([0]));
    // A different network than the file's: many checks fail, no panic.
    let o = run(&["verify", "fixtures/duplicate_neuron.json", "fixtures/verify/small2d.ok.json"]);
    assert_eq!(o.status.code(), Some(1));
    // Not a regions file: bad input.
    let o = run(&["verify", "fixtures/small2d.json", "fixtures/small2d.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("format"));
}

#[test]
fn output_does_not_depend_on_threads() {
    for args in [
        vec!["enumerate", "fixtures/net-3-6-6-1.json", "--unbounded", "--json", "-", "-q"],
        vec!["enumerate", "fixtures/net-2-8-8-1.json", "--box=-4:4", "--jsonl", "-", "-q"],
    ] {
        let mut outs = Vec::new();
        for t in ["1", "2", "3"] {
            let mut a = vec!["--threads", t];
            a.extend(args.iter());
            let o = run(&a);
            assert!(o.status.success(), "{}", stderr(&o));
            outs.push(o.stdout);
        }
        assert_eq!(outs[0], outs[1], "{args:?}");
        assert_eq!(outs[0], outs[2], "{args:?}");
    }
}

#[test]
fn render_svg_snapshot_and_errors() {
    let o = run(&[
        "render",
        "fixtures/known_boundary.json",
        "-o",
        "-",
        "--color",
        "class",
        "--inspheres",
        "--graph",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = stdout(&o);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polygon").count(), 4);
    assert_eq!(svg.matches("stroke-width=\"2.5\"").count(), 1, "one boundary group");
    snapshot("known_boundary.svg", &svg);
    let o = run(&["render", "fixtures/net-3-6-6-1.json", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2 inputs"));
    let o = run(&["render", "fixtures/small2d.json", "--unbounded", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unbounded"));
}

#[test]
fn completions_and_help() {
    let o = run(&["completions", "bash"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("linregions"));
    let o = run(&["--help"]);
    let h = stdout(&o);
    for cmd in [
        "enumerate",
        "merge",
        "inspect",
        "verify",
        "compare",
        "stats",
        "train",
        "render",
        "random",
        "completions",
    ] {
        assert!(h.contains(cmd), "--help lists {cmd}");
    }
    assert!(
        h.contains("Exit codes: 0 ok, 1 failure, 2 bad input, 3 stopped by --max-regions or --time-limit")
    );
}

#[test]
fn render_png_decodes_with_the_right_size() {
    let png = tmp("kb.png");
    let o = run(&["render", "fixtures/known_boundary.json", "--width", "300", "-o", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pix = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(&png).unwrap()).expect("a PNG");
    // A square box at 300 px wide, plus the 40 px legend strip.
    assert_eq!((pix.width(), pix.height()), (300, 340));
    // The legend text is drawn with the embedded font: dark pixels in the legend strip.
    let dark = pix.pixels()[300 * 300..].iter().filter(|p| p.red() < 80 && p.alpha() > 200).count();
    assert!(dark > 50, "legend text rendered ({dark} dark pixels)");
}

#[test]
fn progress_is_silent_when_not_a_terminal() {
    // A run longer than the progress delay (250 ms), or the test could not fail.
    let net = tmp("progress-2-128-128-1.json");
    assert!(
        run(&["random", "--dims", "2,128,128,1", "--seed", "1", "-o", net.to_str().unwrap()])
            .status
            .success()
    );
    let start = std::time::Instant::now();
    let o = run(&["enumerate", net.to_str().unwrap(), "--box=-10:10", "--walk"]);
    assert!(start.elapsed() > std::time::Duration::from_millis(400), "the run must outlast the delay");
    assert!(o.status.success());
    let e = stderr(&o);
    assert!(!e.contains("frontier") && !e.contains("regions/s"), "no progress on a pipe: {e:?}");
}

#[test]
fn help_examples_run() {
    for args in [
        vec!["inspect", "fixtures/small2d.json", "--point", "1/2,0.25"],
        vec!["convert", "fixtures/onnx/cnn.onnx", "-o", "-"],
        vec![
            "render",
            "fixtures/net-3-6-6-1.json",
            "--plane",
            "fixtures/plane3.csv",
            "--color",
            "inradius",
            "--graph",
            "-o",
            "-",
        ],
        vec![
            "compare",
            "fixtures/small2d.json",
            "--other",
            "fixtures/compare/regions.json",
            "--format",
            "regions",
            "--rtol",
            "1e-4",
        ],
    ] {
        // The compare example's file has planted mistakes: exit 1; the others succeed.
        let want = if args[0] == "compare" { 1 } else { 0 };
        let o = run(&args);
        assert_eq!(o.status.code(), Some(want), "{args:?}: {}", stderr(&o));
    }
    for cmd in [
        "enumerate",
        "merge",
        "partition",
        "inspect",
        "verify",
        "compare",
        "stats",
        "train",
        "render",
        "convert",
    ] {
        let o = run(&[cmd, "--help"]);
        assert!(stdout(&o).contains("Examples:"), "{cmd} --help has examples");
    }
}

fn summary_field(s: &str, name: &str) -> String {
    s.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} line in:\n{s}"))
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

#[test]
fn partition_agrees_with_enumerate_and_snapshots() {
    for args in [
        vec!["fixtures/net-2-8-8-1.json", "--box=-3:3"],
        vec!["fixtures/leaky.json"],
        vec!["fixtures/net-3-6-6-1.json", "--plane", "fixtures/plane3.csv"],
    ] {
        let e = run(&[&["enumerate"], &args[..]].concat());
        let p = run(&[&["partition"], &args[..]].concat());
        assert!(e.status.success() && p.status.success(), "{args:?}: {}", stderr(&p));
        let (e, p) = (stdout(&e), stdout(&p));
        assert_eq!(summary_field(&e, "regions"), summary_field(&p, "regions"), "{args:?}");
        assert_eq!(summary_field(&e, "edges"), summary_field(&p, "edges"), "{args:?}");
    }
    let o = run(&["partition", &fx("small2d.json"), "--json", "-", "-q"]);
    assert!(o.status.success() && o.stderr.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "linregions.partition/1");
    snapshot("small2d.partition.json", &stdout(&o));
}

#[test]
fn partition_output_does_not_depend_on_threads() {
    let mut outs = Vec::new();
    for t in ["1", "2"] {
        let o = run(&[
            "--threads",
            t,
            "partition",
            "fixtures/net-2-16-16-1.json",
            "--box=-10:10",
            "--json",
            "-",
            "-q",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        outs.push(o.stdout);
    }
    assert_eq!(outs[0], outs[1]);
}

#[test]
fn partition_rejects_what_it_cannot_cut() {
    let o = run(&["partition", &fx("net-3-6-6-1.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2-input"), "{}", stderr(&o));
    let o = run(&["partition", &fx("small2d.json"), "--unbounded"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bounded domain"), "{}", stderr(&o));
}

#[test]
fn verify_of_a_plane_file_needs_its_plane() {
    let out = tmp("plane.regions.json");
    let o = run(&[
        "enumerate",
        "fixtures/net-3-6-6-1.json",
        "--plane",
        "fixtures/plane3.csv",
        "--json",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["verify", "fixtures/net-3-6-6-1.json", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the file is a plane slice"), "{}", stderr(&o));
    let o = run(&[
        "verify",
        "fixtures/net-3-6-6-1.json",
        out.to_str().unwrap(),
        "--plane",
        "fixtures/plane3.csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("OK: all 16 checks hold"));
}

/// An output path that names an input file, however spelled, is refused before any work
/// (exit 2) and the input stays intact; so are two outputs naming one file.
#[test]
fn outputs_never_overwrite_inputs() {
    let net = tmp("clobber.json");
    std::fs::copy(fx("small2d.json"), &net).unwrap();
    let before = std::fs::read(&net).unwrap();
    let dir = net.parent().unwrap();
    let dotted = dir.join(".").join("clobber.json");
    let link = tmp("clobber-link.json");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&net, &link).unwrap();
    let n = net.to_str().unwrap();
    for args in [
        vec!["enumerate", n, "--json", n, "-q"],
        vec!["enumerate", n, "--jsonl", dotted.to_str().unwrap(), "-q"],
        vec!["enumerate", n, "--dot", link.to_str().unwrap(), "-q"],
        vec!["partition", n, "--json", n, "-q"],
        vec!["convert", n, "-o", n],
        vec!["render", n, "-o", n],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("refusing to overwrite"), "{args:?}: {}", stderr(&o));
    }
    let both = tmp("clobber-out.json");
    let o = run(&["enumerate", n, "--json", both.to_str().unwrap(), "--dot", both.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&net).unwrap(), before);
}

/// An output that cannot be written is bad input found before any work (exit 2), and a
/// reader that goes away (`| head`) ends the run quietly with exit 0.
#[test]
fn unwritable_outputs_fail_early_and_closed_pipes_end_quietly() {
    let o = run(&[
        "enumerate",
        &fx("net-2-16-16-1.json"),
        "--box=-10:10",
        "--json",
        "/nonexistent-dir/x.json",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    let dir = std::env::temp_dir();
    let o =
        run(&["partition", &fx("net-2-16-16-1.json"), "--box=-10:10", "--json", dir.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_linregions"))
        .args(["enumerate", &fx("net-2-16-16-1.json"), "--box=-10:10", "--jsonl", "-", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Documents are written atomically: an existing file is replaced whole and no temporary
/// file is left beside it; a render wider than the maximum is refused at once.
#[test]
fn documents_replace_files_whole_and_render_width_is_bounded() {
    let dir = tmp("atomic-dir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("r.json");
    std::fs::write(&out, "x".repeat(10_000_000)).unwrap();
    let o = run(&["enumerate", &fx("small2d.json"), "--json", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with('{') && text.trim_end().ends_with('}') && text.len() < 1_000_000);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["r.json".to_string()]);
    let o =
        run(&["render", &fx("small2d.json"), "--width", "100000", "-o", dir.join("p.svg").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--width must be between 50 and 16384"), "{}", stderr(&o));
}

#[test]
fn compare_regioncam_faces_and_relucent_on_its_own_domain() {
    // scripts/regioncam_export.py on net-2-8-8-1 in [-2,2]^2 (regioncam 0.x, float32): its
    // box is the default domain.
    let o = run(&[
        "compare",
        "fixtures/net-2-8-8-1.json",
        "--other",
        "fixtures/compare/regioncam.json",
        "--format",
        "regioncam",
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("on box [-2,2]^2") && stdout(&o).contains("points    74 in their face's region")
    );
    // One face's pattern changed: a spurious pattern, a missing region, a point in another region.
    let text = std::fs::read_to_string(root().join("fixtures/compare/regioncam.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let face = &mut doc["faces"][3]["pattern"][0];
    let flipped: String = face
        .as_str()
        .unwrap()
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { if c == '0' { '1' } else { '0' } } else { c })
        .collect();
    *face = serde_json::Value::String(flipped);
    let bad = tmp("regioncam-bad.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    let o = run(&[
        "compare",
        "fixtures/net-2-8-8-1.json",
        "--other",
        bad.to_str().unwrap(),
        "--format",
        "regioncam",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("face 3: its point lies in"), "{}", stdout(&o));
    // relucent's complex covers the whole space: that is the default domain of its format.
    let o = run(&[
        "compare",
        "fixtures/small2d.json",
        "--other",
        "fixtures/compare/relucent.json",
        "--format",
        "relucent-json",
    ]);
    assert!(stdout(&o).lines().next().unwrap().ends_with("on whole space R^2"), "{}", stdout(&o));
}
