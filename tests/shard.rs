//! One enumeration as N jobs: `enumerate --shard I/N --json PART` run as separate processes,
//! `merge` of the parts, and the result byte-identical to one unsharded run, for several
//! networks (degenerate ones included), domains and N. Through the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_linregions"));
    c.args(args).current_dir(root());
    for k in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"]
    {
        c.env_remove(k);
    }
    c.envs(env.iter().copied());
    c.output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("linregions-shard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_str().unwrap().to_string()
}

/// Runs `enumerate NET DOMAIN...` whole and as `n` parts, merges them, and compares bytes.
fn sharded_equals_whole(net: &str, domain: &[&str], n: usize) {
    let tag = format!("{}-{}-{n}", net.replace('/', "_"), domain.join("").replace(['/', '=', ':', ','], "_"));
    let whole = tmp(&format!("{tag}-whole.json"));
    let mut args = vec!["enumerate", net];
    args.extend_from_slice(domain);
    let mut one = args.clone();
    one.extend(["--json", &whole, "-q"]);
    let o = run(&one);
    assert!(o.status.success(), "{tag}: {}", String::from_utf8_lossy(&o.stderr));
    let mut parts = Vec::new();
    for i in 0..n {
        let part = tmp(&format!("{tag}-part{i}.json"));
        let spec = format!("{i}/{n}");
        let mut a = args.clone();
        a.extend(["--shard", &spec, "--json", &part, "-q"]);
        let o = run(&a);
        assert!(o.status.success(), "{tag} part {i}: {}", String::from_utf8_lossy(&o.stderr));
        parts.push(part);
    }
    let merged = tmp(&format!("{tag}-merged.json"));
    // The parts in reverse order: the merge does not depend on it.
    let mut m: Vec<&str> = vec!["merge"];
    m.extend(parts.iter().rev().map(String::as_str));
    m.extend(["--json", &merged, "-q"]);
    let o = run(&m);
    assert!(o.status.success(), "{tag} merge: {}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read(&whole).unwrap() == std::fs::read(&merged).unwrap(),
        "{tag}: merged parts differ from one run"
    );
}

#[test]
fn merged_parts_are_the_unsharded_document() {
    for n in [1, 2, 3, 5] {
        sharded_equals_whole("fixtures/net-2-16-16-1.json", &["--unbounded"], n);
        sharded_equals_whole("fixtures/net-2-16-16-1.json", &["--box=-10:10"], n);
    }
    // Degenerate networks (neurons through the origin, where box cuts fall; coincident,
    // dead and duplicate neurons), a polytope domain, 3 inputs, a plane slice, volumes.
    for net in [
        "fixtures/zero_biases.json",
        "fixtures/deep_coincident.json",
        "fixtures/dead_neuron.json",
        "fixtures/duplicate_neuron.json",
        "fixtures/three_concurrent.json",
    ] {
        for n in [2, 4] {
            sharded_equals_whole(net, &["--unbounded"], n);
            sharded_equals_whole(net, &["--box=-3:3"], n);
        }
    }
    sharded_equals_whole("fixtures/net-3-6-6-1.json", &["--unbounded"], 3);
    sharded_equals_whole("fixtures/zero_biases_3d.json", &["--box=-2:2"], 2);
    sharded_equals_whole("fixtures/net-3-6-6-1.json", &["--plane", "fixtures/plane3.csv"], 3);
    sharded_equals_whole("fixtures/net-2-8-8-1.json", &["--box=-3:3", "--volumes"], 3);
    sharded_equals_whole("fixtures/leaky.json", &["--unbounded", "--walk"], 2);
    let tri = tmp("triangle.json");
    std::fs::write(&tri, r#"{"a": [["1","1"],["-1","0"],["0","-1"]], "b": ["3","2","2"]}"#).unwrap();
    sharded_equals_whole("fixtures/net-2-8-8-1.json", &["--domain", &tri], 3);
}

#[test]
fn the_part_comes_from_the_scheduler() {
    let part = tmp("slurm.json");
    let net = "fixtures/net-2-8-8-1.json";
    // A Slurm array 1-3: task 3 is part 2 of 3.
    let slurm =
        [("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "3")];
    let o = run_env(&["enumerate", net, "--shard", "auto", "--json", &part, "-q"], &slurm);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
    assert_eq!((doc["shard"]["index"].as_u64(), doc["shard"]["count"].as_u64()), (Some(2), Some(3)));
    // A Kubernetes Indexed Job: the index from JOB_COMPLETION_INDEX, the count given.
    let o = run_env(
        &["enumerate", net, "--shard", "auto/4", "--json", &part, "-q"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert!(o.status.success());
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
    assert_eq!((doc["shard"]["index"].as_u64(), doc["shard"]["count"].as_u64()), (Some(1), Some(4)));
    // No scheduler: auto is bad input, as are parts that do not exist and a part without --json.
    for (args, says) in [
        (vec!["--shard", "auto", "--json", &part], "SLURM_ARRAY_TASK_COUNT"),
        (vec!["--shard", "auto/2", "--json", &part], "JOB_COMPLETION_INDEX"),
        (vec!["--shard", "2/2", "--json", &part], "does not exist"),
        (vec!["--shard", "0/2"], "--json"),
        (vec!["--shard", "0/2", "--json", &part, "--jsonl", "x.jsonl"], "cannot be used"),
    ] {
        let mut a = vec!["enumerate", net];
        a.extend(args.iter().copied());
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{a:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{a:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn merge_refuses_parts_that_do_not_make_one_run() {
    let net = "fixtures/net-2-8-8-1.json";
    let part = |name: &str, net: &str, spec: &str, extra: &[&str]| {
        let p = tmp(name);
        let mut a = vec!["enumerate", net, "--box=-3:3", "--shard", spec, "--json", &p, "-q"];
        a.extend_from_slice(extra);
        let o = run(&a);
        assert!(matches!(o.status.code(), Some(0 | 3)), "{}", String::from_utf8_lossy(&o.stderr));
        p
    };
    let p0 = part("m0.json", net, "0/3", &[]);
    let p1 = part("m1.json", net, "1/3", &[]);
    let p2 = part("m2.json", net, "2/3", &[]);
    let other = part("other2.json", "fixtures/net-2-16-16-1.json", "2/3", &[]);
    let out = tmp("merged.json");
    for (parts, says) in [
        (vec![&p0, &p1], "parts 2 of 0..3 are missing"),
        (vec![&p0, &p1, &p1, &p2], "part 1 is given twice"),
        (vec![&p0, &p1, &other], "not parts of one run"),
        (vec![&p0, &p1, &net.to_string()], "format"),
    ] {
        let mut a = vec!["merge"];
        a.extend(parts.iter().map(|s| s.as_str()));
        a.extend(["--json", &out]);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(2), "{parts:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{parts:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // A part stopped by a limit: the merge writes what there is, incomplete, exit 3.
    let p1_short = part("m1short.json", net, "1/3", &["--max-regions", "2"]);
    let o = run(&["merge", &p0, &p1_short, &p2, "--json", &out]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let doc = linregions::formats::parse_regions(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(!doc.complete);
    let o = run(&["merge", &p0, &p1, &p2, "--json", &out]);
    assert!(o.status.success());
    let o = run(&["verify", net, &out, "--box=-3:3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
