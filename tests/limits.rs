//! Limits that stop a run and keep what it found: `--max-regions` and `--time-limit` on
//! `enumerate`, `stats`, `render` and `partition`, `"complete": false`, exit code 3, and
//! `verify --allow-incomplete`. Through the library and the real binary.

use linregions::{Options, enumerate, formats, parse_network, stream};
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linregions")).args(args).current_dir(root()).output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("linregions-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const NET: &str = "fixtures/net-2-16-16-1.json";

#[test]
fn a_stopped_walk_keeps_a_prefix_of_the_walk_with_exact_regions() {
    let net = parse_network(&std::fs::read_to_string(root().join(NET)).unwrap()).unwrap();
    let dom = formats::parse_box("-10:10", 2).unwrap();
    let whole = enumerate(&net, &dom, &Options::default()).unwrap();
    assert!(whole.complete && whole.regions.len() == 449);
    for mesh in [true, false] {
        let opts = Options::default().mesh(mesh).max_regions(Some(100));
        let part = enumerate(&net, &dom, &opts).unwrap();
        assert!(!part.complete);
        assert_eq!(part.regions.len(), 100);
        // Every region found is a region of the whole run, with the same facets and maps; a
        // neighbour not reached is None, a neighbour reached is the right one.
        for r in &part.regions {
            let w = whole.regions.iter().find(|w| w.pattern == r.pattern).expect("a true region");
            assert_eq!((&r.logits, &r.insphere, r.facets.len()), (&w.logits, &w.insphere, w.facets.len()));
            for (f, g) in r.facets.iter().zip(&w.facets) {
                assert_eq!((&f.a, &f.b, &f.neighbor_pattern), (&g.a, &g.b, &g.neighbor_pattern));
                if let Some(n) = f.neighbor {
                    assert_eq!(Some(&part.regions[n].pattern), f.neighbor_pattern.as_ref());
                }
            }
        }
        // The regions are the first 100 the walk finishes (its start and breadth-first order).
        let mut first = Vec::new();
        stream(&net, &dom, &Options::default().mesh(mesh), |r, _| {
            if first.len() < 100 {
                first.push(r.pattern.clone())
            }
        })
        .unwrap();
        first.sort();
        assert!(first.iter().eq(part.regions.iter().map(|r| &r.pattern)));
        // A limit at or past the number of regions leaves the run complete.
        assert!(
            enumerate(&net, &dom, &Options::default().mesh(mesh).max_regions(Some(449))).unwrap().complete
        );
        let s = stream(&net, &dom, &Options::default().mesh(mesh).max_regions(Some(100)), |_, _| {}).unwrap();
        assert!(!s.complete && s.regions == 100);
        assert_eq!(s.edges, part.graph.edge_count());
    }
    // A deadline already passed: no region, not complete.
    let past = Options::default().deadline(Some(std::time::Instant::now()));
    let e = enumerate(&net, &dom, &past).unwrap();
    assert!(!e.complete && e.regions.is_empty());
}

#[test]
fn enumerate_writes_what_it_found_exits_3_and_verify_says_incomplete() {
    let (json, jsonl) = (tmp("part.json"), tmp("part.jsonl"));
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let o = run(&[
            "enumerate",
            NET,
            "--box=-10:10",
            "--max-regions",
            "100",
            "--threads",
            threads,
            "--json",
            json.to_str().unwrap(),
            "--jsonl",
            jsonl.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("stopped by --max-regions 100 after 100 regions"), "{err}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("INCOMPLETE"));
        outputs.push(std::fs::read(&json).unwrap());
    }
    assert_eq!(outputs[0], outputs[1], "the same regions whatever the thread count");
    let doc: serde_json::Value = serde_json::from_slice(&outputs[0]).unwrap();
    assert_eq!((doc["complete"].as_bool(), doc["regions"].as_array().unwrap().len()), (Some(false), 100));
    let last = std::fs::read_to_string(&jsonl).unwrap().lines().last().unwrap().to_string();
    assert!(last.contains("\"regions\":100") && last.contains("\"complete\":false"), "{last}");
    // verify: incomplete is a failure unless allowed; allowed, every region is checked.
    let o = run(&["verify", NET, json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allow-incomplete"));
    let o = run(&["verify", NET, json.to_str().unwrap(), "--allow-incomplete"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("incomplete: completeness not checked"));
    // ... so a tampered region still fails.
    let text = String::from_utf8(outputs[0].clone()).unwrap();
    let file = formats::parse_regions(&text).unwrap();
    let tampered = tmp("tampered.json");
    let needle = format!(
        "\"bias\": [\"{}\"]",
        formats::parse_regions(&text).unwrap().regions[0]
            .logits
            .as_ref()
            .map(|l| linregions::fmt_q(&l.bias[0]))
            .unwrap()
    );
    assert!(text.contains(&needle) && !file.complete);
    std::fs::write(&tampered, text.replacen(&needle, "\"bias\": [\"12345\"]", 1)).unwrap();
    let o = run(&["verify", NET, tampered.to_str().unwrap(), "--allow-incomplete"]);
    assert_eq!(o.status.code(), Some(1));
    // A limit past the number of regions: complete, exit 0.
    let o =
        run(&["enumerate", NET, "--box=-10:10", "--max-regions", "449", "--json", json.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&json).unwrap().contains("\"complete\": true"));
}

#[test]
fn a_time_limit_stops_a_heavy_run_with_valid_output() {
    // 2-128-128-1 whole plane: tens of thousands of regions, far more than 0.3 s of work.
    let net = tmp("heavy.json");
    assert!(
        run(&["random", "--dims", "2,128,128,1", "--seed", "3", "-o", net.to_str().unwrap()])
            .status
            .success()
    );
    let json = tmp("heavy-regions.json");
    let o = run(&[
        "enumerate",
        net.to_str().unwrap(),
        "--unbounded",
        "--time-limit",
        "0.3",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("stopped by --time-limit 0.3"));
    let file = formats::parse_regions(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(!file.complete);
    for bad in ["0", "-1", "nan", "inf"] {
        let o = run(&["enumerate", NET, "--time-limit", bad]);
        assert_eq!(o.status.code(), Some(2), "--time-limit {bad}");
    }
    assert_eq!(run(&["enumerate", NET, "--max-regions", "0"]).status.code(), Some(2));
}

#[test]
fn stats_render_and_partition_stop_too() {
    let json = tmp("stats.json");
    let o = run(&["stats", NET, "--box=-10:10", "--max-regions", "50", "--json", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!((doc["complete"].as_bool(), doc["regions"].as_array().unwrap().len()), (Some(false), 50));
    let svg = tmp("part.svg");
    let o = run(&["render", NET, "--box=-10:10", "--max-regions", "50", "-o", svg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    // The mesh is whole before any region is final: a stopped partition holds none.
    let o = run(&["partition", NET, "--box=-10:10", "--max-regions", "50", "--json", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!((doc["complete"].as_bool(), doc["regions"].as_array().unwrap().len()), (Some(false), 0));
    let o =
        run(&["partition", NET, "--box=-10:10", "--max-regions", "449", "--json", json.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&json).unwrap().contains("\"complete\": true"));
}

#[test]
fn inspect_stops_with_the_pattern_of_a_heavy_point() {
    // A 256-input point: seconds of analysis, far past 0.2 s; its pattern is still printed.
    let net = tmp("wide.json");
    assert!(
        run(&["random", "--dims", "256,32,32,10", "--seed", "3", "-o", net.to_str().unwrap()])
            .status
            .success()
    );
    let point = vec!["1/3"; 256].join(",");
    let o = run(&[
        "inspect",
        net.to_str().unwrap(),
        "--box=0:1",
        "--point",
        &point,
        "--time-limit",
        "0.2",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("stopped by --time-limit 0.2"));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["complete"].as_bool(), Some(false));
    let pattern: Vec<&str> = doc["pattern"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(pattern.iter().map(|p| p.len()).collect::<Vec<_>>(), [32, 32]);
    // A small net finishes within the limit: the whole region, marked complete.
    let o = run(&["inspect", NET, "--point", "1/2,1/3", "--time-limit", "60", "--json"]);
    assert!(o.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["complete"].as_bool(), Some(true));
    let o = run(&["inspect", NET, "--point", "1/2,1/3", "--time-limit", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `enumerate --jsonl FILE` of a 2-32-32-1 net on the whole plane: (net path, reference).
fn stream_reference() -> (PathBuf, Vec<u8>) {
    let net = tmp("resume-net.json");
    assert!(
        run(&["random", "--dims", "2,32,32,1", "--seed", "7", "-o", net.to_str().unwrap()]).status.success()
    );
    let full = tmp("resume-full.jsonl");
    let o = run(&[
        "enumerate",
        net.to_str().unwrap(),
        "--unbounded",
        "--jsonl",
        full.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success());
    (net, std::fs::read(&full).unwrap())
}

fn resume(net: &std::path::Path, file: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "enumerate",
        net.to_str().unwrap(),
        "--unbounded",
        "--jsonl",
        file.to_str().unwrap(),
        "--resume",
        "--quiet",
    ];
    args.extend(extra);
    run(&args)
}

#[test]
fn a_cut_or_stopped_stream_resumes_to_the_uninterrupted_file() {
    let (net, full) = stream_reference();
    let lines = full.iter().filter(|&&b| b == b'\n').count();
    assert!(lines > 1000, "{lines} regions");
    let part = tmp("resume-part.jsonl");
    // Cut anywhere, mid-line included (a kill while writing): resumed, byte for byte the same.
    for cut in [1, full.len() / 7, full.len() / 3 + 11, full.len() - 200] {
        std::fs::write(&part, &full[..cut]).unwrap();
        let o = resume(&net, &part, &[]);
        assert!(o.status.success(), "cut {cut}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&part).unwrap() == full, "cut at byte {cut}");
    }
    // Stopped by a limit (its summary says incomplete), resumed in steps, with one thread.
    let o = run(&[
        "enumerate",
        net.to_str().unwrap(),
        "--unbounded",
        "--jsonl",
        part.to_str().unwrap(),
        "--max-regions",
        "300",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let o = resume(&net, &part, &["--max-regions", "900", "--threads", "1"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(std::fs::read(&part).unwrap().iter().filter(|&&b| b == b'\n').count(), 901);
    assert!(resume(&net, &part, &[]).status.success());
    assert!(std::fs::read(&part).unwrap() == full);
    // A complete file: nothing to do, left as it is.
    let o = resume(&net, &part, &[]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stderr).contains("nothing to resume"));
    assert!(std::fs::read(&part).unwrap() == full);
}

#[test]
fn a_killed_run_resumes_and_another_domain_is_refused() {
    let (net, full) = stream_reference();
    let part = tmp("resume-killed.jsonl");
    for wait_ms in [50, 200] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linregions"))
            .args([
                "enumerate",
                net.to_str().unwrap(),
                "--unbounded",
                "--jsonl",
                part.to_str().unwrap(),
                "--quiet",
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().ok();
        child.wait().unwrap();
        let o = resume(&net, &part, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&part).unwrap() == full, "killed after {wait_ms} ms");
    }
    // The first regions of another domain's (or network's) walk: refused, file untouched.
    std::fs::write(&part, &full[..full.len() / 2]).unwrap();
    let before = std::fs::read(&part).unwrap();
    let o = run(&[
        "enumerate",
        net.to_str().unwrap(),
        "--box=5:9",
        "--jsonl",
        part.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot resume"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let cut_to_whole_lines = before.len() - before.iter().rev().position(|&b| b == b'\n').unwrap();
    assert_eq!(std::fs::read(&part).unwrap(), before[..cut_to_whole_lines]);
    let o = run(&["enumerate", net.to_str().unwrap(), "--resume", "--jsonl", "-"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn progress_lines_when_asked_even_into_a_pipe() {
    // 2-256-256-1 on the whole plane: far more than 3 s of work.
    let net = tmp("progress-net.json");
    assert!(
        run(&["random", "--dims", "2,256,256,1", "--seed", "2", "-o", net.to_str().unwrap()])
            .status
            .success()
    );
    let o = run(&["enumerate", net.to_str().unwrap(), "--unbounded", "--progress", "--time-limit", "3"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("at most 1082212609 regions (the arrangement bound"), "{err}");
    assert!(err.lines().any(|l| l.contains("regions, frontier") && l.contains("regions/s")), "{err}");
    assert!(!err.contains('\r'), "lines, not a terminal's in-place updates");
    // Without --progress, into a pipe: silent.
    let o = run(&["enumerate", net.to_str().unwrap(), "--unbounded", "--time-limit", "2.5", "--quiet"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("frontier"));
    // stats --points: the regions analysed (the last line always), then the properties.
    let pts = tmp("progress-points.csv");
    std::fs::write(&pts, "0,0\n1/2,1/3\n-1/2,1/5\n").unwrap();
    let o = run(&["stats", NET, "--points", pts.to_str().unwrap(), "--progress"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("3 of 3 regions analysed"), "{err}");
    assert!(err.contains("the study's properties of 3 regions"), "{err}");
    let o = run(&["stats", NET, "--points", pts.to_str().unwrap()]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("analysed"));
    // The whole-domain stats and render walk as enumerate does, and say so the same way.
    let n = net.to_str().unwrap();
    let svg = tmp("progress.svg");
    for args in [
        vec!["stats", n, "--unbounded", "--progress", "--time-limit", "3"],
        vec!["render", n, "--box=-10:10", "-o", svg.to_str().unwrap(), "--progress", "--time-limit", "3"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("at most 1082212609 regions (the arrangement bound"), "{args:?}: {err}");
        // On a bounded plane the mesh comes first: its layers, neurons and faces.
        let walked = |l: &str| l.contains("regions, frontier") || l.contains("faces (regions so far)");
        assert!(err.lines().any(walked), "{args:?}: {err}");
        assert!(!err.contains('\r'), "{args:?}: {err}");
    }
    // partition: the mesh's layer, neuron and faces so far.
    let wide = tmp("progress-wide.json");
    assert!(
        run(&["random", "--dims", "2,600,600,1", "--seed", "3", "-o", wide.to_str().unwrap()])
            .status
            .success()
    );
    let o = run(&["partition", wide.to_str().unwrap(), "--box=-10:10", "--progress", "--time-limit", "3"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("regions (the arrangement bound"), "{err}");
    assert!(err.lines().any(|l| l.starts_with("layer ") && l.contains("faces (regions so far)")), "{err}");
    let o = run(&["partition", wide.to_str().unwrap(), "--box=-10:10", "--time-limit", "2.5"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("faces (regions so far)"));
}

#[test]
fn a_partition_too_large_for_its_budget_stops_early() {
    // 2-400-1 in a box: about 40,000 faces (400 lines meeting each other).
    let net = tmp("wide.json");
    assert!(
        run(&["random", "--dims", "2,400,1", "--seed", "1", "-o", net.to_str().unwrap()]).status.success()
    );
    let net = parse_network(&std::fs::read_to_string(&net).unwrap()).unwrap();
    let dom = formats::parse_box("-10:10", 2).unwrap();
    let whole = linregions::partition(&net, &dom).unwrap();
    assert!(whole.faces.len() > 20_000, "{}", whole.faces.len());
    // A budget of a tenth: abandoned (the quadratic projection sees it early).
    assert!(linregions::partition_bounded(&net, &dom, whole.faces.len() / 10).unwrap().is_none());
    // A budget above: the same partition.
    let p = linregions::partition_bounded(&net, &dom, 2 * whole.faces.len()).unwrap().unwrap();
    assert_eq!(p, whole);
}

#[test]
fn a_stream_from_the_mesh_resumes_too() {
    // A bounded plane domain: the stream comes from the mesh (same walk ids); the resumed
    // run continues with the facet walk and ends byte for byte the same.
    let net = tmp("resume-mesh-net.json");
    assert!(
        run(&["random", "--dims", "2,32,32,1", "--seed", "8", "-o", net.to_str().unwrap()]).status.success()
    );
    let full = tmp("resume-mesh-full.jsonl");
    let args = |file: &PathBuf| {
        vec![
            "enumerate".to_string(),
            net.to_str().unwrap().into(),
            "--box=-4:4".into(),
            "--jsonl".into(),
            file.to_str().unwrap().into(),
            "--quiet".into(),
        ]
    };
    let o = Command::new(env!("CARGO_BIN_EXE_linregions")).args(args(&full)).output().unwrap();
    assert!(o.status.success());
    let full = std::fs::read(&full).unwrap();
    let part = tmp("resume-mesh-part.jsonl");
    for cut in [full.len() / 5, full.len() / 2 + 3] {
        std::fs::write(&part, &full[..cut]).unwrap();
        let mut a = args(&part);
        a.push("--resume".into());
        let o = Command::new(env!("CARGO_BIN_EXE_linregions")).args(a).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::read(&part).unwrap() == full, "cut at byte {cut}");
    }
}
