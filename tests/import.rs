//! PyTorch safetensors in: exact values, architecture from names or --arch, batch norm
//! folded; through the library and the binary (`fixtures/torch/make_fixtures.py` made the
//! files).

use linregions::formats::network_to_json;
use linregions::import::{ArchItem, bn_scale, read_safetensors, sequential};
use linregions::internals::num::{Q, from_f64_exact, qi, to_f64};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/torch").join(name)).unwrap()
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

#[test]
fn plain_mlp_and_half_precision_give_the_same_exact_net() {
    let t = read_safetensors(&bytes("mlp.safetensors")).unwrap();
    // The activation is not in the tensors: refused, with the --arch to give.
    let e = sequential(&t, None, None, &qi(0)).unwrap_err().problem;
    assert!(e.contains("--arch linear,relu,linear"), "{e}");
    let arch = [ArchItem::Linear(None), ArchItem::Relu, ArchItem::Linear(None)];
    let net = sequential(&t, None, Some(&arch), &qi(0)).unwrap();
    assert_eq!(net.shape_string(), "2-3-1");
    assert_eq!(net.hidden()[0].dense.weight[0], vec![qi(1), q(-1, 2)]);
    assert_eq!(net.hidden()[0].dense.bias, vec![qi(0), qi(1), q(-1, 2)]);
    assert_eq!(net.output().bias, vec![q(1, 8)]);
    let half =
        sequential(&read_safetensors(&bytes("mlp_f16.safetensors")).unwrap(), None, Some(&arch), &qi(0))
            .unwrap();
    assert_eq!(network_to_json(&half), network_to_json(&net));
}

#[test]
fn batch_norm_is_folded() {
    let t = read_safetensors(&bytes("mlp_bn.safetensors")).unwrap();
    assert!(sequential(&t, None, None, &qi(0)).unwrap_err().problem.contains("--arch"));
    let arch = [
        ArchItem::Linear(None),
        ArchItem::BatchNorm(None),
        ArchItem::Relu,
        ArchItem::Identity,
        ArchItem::Linear(None),
    ];
    // eps = 0: every scale gamma / sqrt(var) is 1, so b' = b - mean + beta.
    let net = sequential(&t, None, Some(&arch), &qi(0)).unwrap();
    assert_eq!(net.shape_string(), "2-3-2");
    assert_eq!(net.hidden()[0].dense.bias, vec![q(-1, 2), q(3, 2), q(-5, 2)]);
    assert_eq!(net.hidden()[0].dense.weight[1], vec![q(1, 4), qi(2)]);
    // PyTorch's eps = 1e-5 (as a double): the scale is the nearest double of the true value.
    let eps = from_f64_exact(1e-5).unwrap();
    let net = sequential(&t, None, Some(&arch), &eps).unwrap();
    let s = bn_scale(&qi(2), &qi(4), &eps).unwrap();
    assert_eq!(to_f64(&s), 2.0 / (4.0f64 + 1e-5).sqrt());
    assert_eq!(net.hidden()[0].dense.weight[0][0], s.clone());
    assert_eq!(net.hidden()[0].dense.bias[0], (qi(0) - q(1, 2)) * s);
    // A wrong --arch is refused.
    let wrong = [ArchItem::Linear(None), ArchItem::Relu, ArchItem::Linear(None)];
    assert!(sequential(&t, None, Some(&wrong), &qi(0)).is_err());
}

#[test]
fn broken_files_are_errors() {
    let good = bytes("mlp.safetensors");
    let msg = |b: &[u8]| read_safetensors(b).map(|_| ()).unwrap_err().to_string();
    assert!(msg(&good[..5]).contains("shorter than its 8-byte header length"), "{}", msg(&good[..5]));
    let cut = msg(&good[..good.len() - 4]);
    assert!(cut.contains("outside the file"), "{cut}");
    let mut bad = good.clone();
    bad[8] = b'x';
    assert!(msg(&bad).contains("header is not JSON"), "{}", msg(&bad));
}

#[test]
fn cli_reads_safetensors_anywhere() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_linregions")).args(args).current_dir(root()).output().unwrap()
    };
    let o = run(&["enumerate", "fixtures/torch/mlp.safetensors"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--arch linear,relu,linear"));
    let o = run(&["enumerate", "fixtures/torch/mlp.safetensors", "--arch", "linear,relu,linear"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("network   2-3-1"));
    let o = run(&[
        "convert",
        "fixtures/torch/mlp_bn.safetensors",
        "-o",
        "-",
        "--arch",
        "linear,bn,relu,dropout,linear",
        "--bn-eps",
        "0",
    ]);
    assert!(o.status.success());
    let net = linregions::parse_network(&String::from_utf8(o.stdout).unwrap()).unwrap();
    assert_eq!(net.hidden()[0].dense.bias[2], q(-5, 2));
    let o = run(&["convert", "fixtures/torch/mlp_bn.safetensors", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("mlp_bn.safetensors") && e.contains("net.2, net.3"), "{e}");
    assert!(e.contains("--arch linear,bn,relu,relu,linear"), "{e}");
}

/// A key said twice in one object is an error naming the key and where (serde_json keeps
/// the last silently); the same key in different objects, or inside strings, is fine.
#[test]
fn duplicate_json_keys_are_rejected() {
    use linregions::formats::duplicate_key;
    let twice = r#"{"input_dim":2,"layers":[{"type":"relu"}],"layers":[],"input_dim":3}"#;
    assert_eq!(duplicate_key(twice).map(|(k, l, _)| (k, l)), Some(("layers".to_string(), 1)));
    let escaped = "{\"bias\":[\"0\"],\n \"b\\u0069as\":[\"1\"]}";
    assert_eq!(duplicate_key(escaped), Some(("bias".to_string(), 2, 2)));
    let fine = r#"{"a":"x\"y","b":[{"a":1},{"a":2}],"c":{"d":{"a":1}},"e":"{\"a\":1,\"a\":2}"}"#;
    assert_eq!(duplicate_key(fine), None);
    let e = linregions::parse_network(twice).unwrap_err().to_string();
    assert!(e.contains("duplicate key `layers`"), "{e}");
}

/// A CSV header is a row of words; a first row that does not parse otherwise (`nan`, `inf`,
/// a typo) is an error naming the line, not a header skipped in silence.
#[test]
fn only_word_rows_are_csv_headers() {
    use linregions::formats::{is_header, parse_three_points};
    assert!(is_header("x,y,z"));
    assert!(is_header("\"s\", t, label"));
    assert!(!is_header("nan,0,0"));
    assert!(!is_header("x,inf"));
    assert!(!is_header("1,2"));
    assert!(!is_header("x,2"));
    let pts = parse_three_points("x,y\n0,0\n1,0\n0,1\n", 2).unwrap();
    assert_eq!(pts.len(), 3);
    let e = parse_three_points("nan,0\n0,0\n1,0\n0,1\n", 2).unwrap_err().to_string();
    assert!(e.contains("line 1"), "{e}");
}
