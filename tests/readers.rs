//! No panic reachable from input: every reader, on every fixture of its format mutated in
//! seeded ways (truncated, bytes flipped, bytes inserted, a field duplicated), returns a
//! value or an error. The same readers run under cargo-fuzz (`fuzz/`, target `readers`).

use linregions::filter_check::read_with;
use linregions::random::SplitMix64;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reader number of `read_with` and the fixture files of its format.
fn corpus() -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let read = |p: &str| std::fs::read(root().join(p)).unwrap();
    for e in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            out.push((0, std::fs::read(&p).unwrap()));
        }
    }
    out.push((1, br#"{"a": [["1", "0"], ["0", "1"], ["-1", "-1"]], "b": ["1", "1", "1"]}"#.to_vec()));
    out.push((2, b"-1/2:3,0:1e-3".to_vec()));
    out.push((3, b"1/3,0.25,-2e5".to_vec()));
    out.push((4, read("fixtures/plane3.csv")));
    out.push((5, read("fixtures/verify/small2d.ok.json")));
    for f in ["patterns.json", "patterns.txt", "clean.txt"] {
        out.push((6, read(&format!("fixtures/compare/{f}"))));
    }
    for f in ["points.csv", "points-labels.json"] {
        out.push((7, read(&format!("fixtures/compare/{f}"))));
    }
    out.push((8, read("fixtures/compare/regions.json")));
    out.push((9, read("fixtures/compare/relucent.json")));
    out.push((10, read("fixtures/known_boundary_points.csv")));
    for f in ["mlp.safetensors", "mlp_bn.safetensors", "mlp_f16.safetensors", "residual_mlp.safetensors"] {
        out.push((11, read(&format!("fixtures/torch/{f}"))));
    }
    for f in ["mlp.onnx", "bn_leaky.onnx", "cnn.onnx", "residual.onnx", "sigmoid.onnx", "maxpool.onnx"] {
        out.push((12, read(&format!("fixtures/onnx/{f}"))));
    }
    for spec in [
        "linear,bn,relu,leaky_relu:0.1,dropout,identity,linear",
        "linear,relu,skip,linear,bn,relu,linear,add,relu,linear",
        "linear,relu,skip,linear,relu,cat:skip_first,linear,relu,linear",
        "image:1x2x1,flatten,linear@a,relu,skip,linear@b,relu,cat,linear",
    ] {
        out.push((13, spec.as_bytes().to_vec()));
    }
    out.push((14, read("fixtures/verify/three_classes.certs.json")));
    for f in ["mlp.pt", "custom.pt", "checkpoint.pt", "whole_model.pt", "strided.pt", "cnn.pt"] {
        out.push((15, read(&format!("fixtures/torch/{f}"))));
    }
    for f in ["dynamo_mlp.onnx", "dynamo_cnn.onnx", "unflatten.onnx", "legacy_unflatten.onnx", "escape.onnx"]
    {
        out.push((16, read(&format!("fixtures/onnx/{f}"))));
    }
    out.push((17, read("fixtures/compare/regioncam.json")));
    out.push((18, br#"{"id":0,"pattern":["110"],"interior_point":["9","-1/2"],"bounded":false,"facets":[{"a":["-2","1"],"b":"0","sources":[{"neuron":[0,0]}],"neighbor":1}],"logits":{"weight":[["3/4","-5/2"]],"bias":["-7/8"]},"insphere":{"center":null,"radius_lower":"inf","radius_upper":"inf"},"insphere_linf":{"center":null,"radius":"inf"}}"#.to_vec()));
    for i in 0..2 {
        out.push((19, read(&format!("fixtures/shard/small2d-{i}-of-2.json"))));
    }
    out
}

fn mutate(rng: &mut SplitMix64, b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    for _ in 0..1 + rng.next_u64() % 4 {
        let at = if v.is_empty() { 0 } else { (rng.next_u64() % v.len() as u64) as usize };
        match rng.next_u64() % 5 {
            0 => v.truncate(at),
            1 if !v.is_empty() => v[at] ^= 1 << (rng.next_u64() % 8),
            2 => v.insert(at, rng.next_u64() as u8),
            3 if !v.is_empty() => {
                let alphabet = b"0-9.e/,:[]{}\"\x00\xff";
                v[at] = alphabet[(rng.next_u64() % alphabet.len() as u64) as usize];
            }
            _ => {
                // Repeat a slice (a duplicated field, a longer array).
                let len = (rng.next_u64() % 64) as usize;
                let piece: Vec<u8> = v[at..(at + len).min(v.len())].to_vec();
                v.splice(at..at, piece);
            }
        }
    }
    v
}

#[test]
fn readers_never_panic_on_mutated_fixtures() {
    let mut rng = SplitMix64(1801);
    for (sel, file) in corpus() {
        for _ in 0..60 {
            let m = mutate(&mut rng, &file);
            let text = String::from_utf8_lossy(&m).into_owned();
            let r = std::panic::catch_unwind(|| read_with(sel, &m, &text));
            assert!(
                r.is_ok(),
                "reader {sel} panicked on {:?}",
                String::from_utf8_lossy(&m[..m.len().min(400)])
            );
        }
    }
}

/// Every input a fuzz target ever crashed on (`fixtures/fuzz/<target>/`), kept: each must
/// now run through its target's check without a panic.
#[test]
fn fuzz_found_crashes_stay_fixed() {
    let dir = root().join("fixtures/fuzz");
    let mut n = 0;
    for target in std::fs::read_dir(&dir).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for f in std::fs::read_dir(&target).unwrap() {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            let r = std::panic::catch_unwind(|| linregions::filter_check::check_target(&name, &bytes));
            assert!(matches!(r, Ok(true)), "{name}: {:?}", bytes);
            n += 1;
        }
    }
    assert!(n >= 1);
}

/// The per-reader fuzz targets' groups cover every reader number exactly once, and each
/// target name is known to `check_target`.
#[test]
fn reader_groups_cover_every_reader_once() {
    use linregions::filter_check::{READER_GROUPS, check_target};
    let mut seen: Vec<u8> = READER_GROUPS.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    seen.sort();
    assert_eq!(seen, (0..20).collect::<Vec<u8>>());
    for (name, _) in READER_GROUPS {
        assert!(check_target(&format!("reader_{name}"), b""), "{name}");
        let fuzz = root().join(format!("fuzz/fuzz_targets/reader_{name}.rs"));
        assert!(fuzz.exists(), "{} missing", fuzz.display());
    }
    assert!(!check_target("reader_nosuch", b"\x00{}"));
}
