//! ONNX in: the chain operators, convolution and pooling as exact dense layers, residual
//! branches from any value, clear errors for unknown operators (`fixtures/onnx/make_fixtures.py`
//! and `make_branch_fixtures.py` made the files and the reference outputs with onnx's own
//! evaluator).

use linregions::formats::network_to_json;
use linregions::import::read_onnx;
use linregions::internals::num::{Q, from_f64_exact, qi, to_f64};
use linregions::{Domain, Options, enumerate};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> Result<linregions::Network, linregions::import::ImportError> {
    read_onnx(&std::fs::read(root().join("fixtures/onnx").join(name)).unwrap())
}

/// The network's first output within `tol` of `fixtures/onnx/{name}.expected.json`'s at each
/// of its points (floats taken exactly).
fn matches_expected(net: &linregions::Network, name: &str, tol: f64) {
    let path = root().join(format!("fixtures/onnx/{name}.expected.json"));
    let cases: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in cases.as_array().unwrap() {
        let x: Vec<Q> = case["x"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| from_f64_exact(v.as_f64().unwrap()).unwrap())
            .collect();
        let (y, want) = (to_f64(&net.eval(&x)[0]), case["y"][0].as_f64().unwrap());
        assert!((y - want).abs() < tol, "{name}: {y} vs {want} at {x:?}");
    }
}

#[test]
fn gemm_matmul_add_equals_the_safetensors_net() {
    let onnx = load("mlp.onnx").unwrap();
    let st = linregions::import::read_safetensors(
        &std::fs::read(root().join("fixtures/torch/mlp.safetensors")).unwrap(),
    )
    .unwrap();
    use linregions::import::ArchItem;
    let arch = [ArchItem::Linear(None), ArchItem::Relu, ArchItem::Linear(None)];
    let torch = linregions::import::sequential(&st, None, Some(&arch), &qi(0)).unwrap();
    assert_eq!(network_to_json(&onnx), network_to_json(&torch));
}

#[test]
fn batch_norm_leaky_relu_dropout_flatten() {
    let net = load("bn_leaky.onnx").unwrap();
    assert_eq!(net.shape_string(), "2-3-2");
    assert_eq!(net.hidden()[0].slope, Q::new(1.into(), 8.into()));
    assert_eq!(
        net.hidden()[0].dense.bias,
        vec![Q::new((-1).into(), 2.into()), Q::new(3.into(), 2.into()), Q::new((-5).into(), 2.into())]
    );
    assert_eq!(net.output().weight[0], vec![qi(1), qi(0), qi(-1)]);
}

#[test]
fn convolution_and_pooling_match_the_reference_evaluator() {
    let net = load("cnn.onnx").unwrap();
    assert_eq!(net.input_dim(), 16);
    assert_eq!(net.layer_sizes(), vec![32]);
    matches_expected(&net, "cnn", 1e-5);
    // Its regions on a plane through three images.
    let e0: Vec<Q> = (0..16).map(|i| Q::new((i as i64 % 5 - 2).into(), 4.into())).collect();
    let u: Vec<Q> = (0..16).map(|i| if i % 3 == 0 { qi(1) } else { qi(0) }).collect();
    let v: Vec<Q> = (0..16).map(|i| if i % 4 == 1 { qi(1) } else { qi(0) }).collect();
    let sliced = net.on_plane(&e0, &u, &v);
    let e = enumerate(&sliced, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&sliced).unwrap();
    assert!(e.regions.len() > 1);
}

#[test]
fn residual_branches_from_signed_values_and_unknown_operators() {
    // relu(x) + x: the input, negative too, is carried past the branch's ReLU unchanged.
    let net = load("residual.onnx").unwrap();
    assert_eq!((net.layer_sizes(), net.has_carries()), (vec![2], true));
    let x = [Q::new((-3).into(), 2.into()), qi(2)];
    assert_eq!(net.eval(&x), vec![Q::new((-3).into(), 2.into()), qi(4)]);
    let e = enumerate(&net, &Domain::Whole { dim: 2 }, &Options::default()).unwrap();
    assert_eq!(e.regions.len(), 4);
    // A branch from a Gemm output that begins with a batch norm (the norm is a layer of the
    // branch, not folded into the Gemm computing the carried values); two branches summed, a
    // residual block from the sum and a concatenation with the input. Both match their
    // float64 outputs (make_branch_fixtures.py), and the regions of the second verify.
    // Padded max and average pooling, the global pools, a max over features, and a 1D
    // convolution and pools match onnx's float32 evaluator (make_pool_fixtures.py).
    for (name, sizes, tol) in [
        ("residual_bn", vec![4, 4], 1e-12),
        ("dag", vec![6, 3], 1e-12),
        ("pools", vec![56, 24, 14, 5, 1, 1], 1e-6),
        ("pools1d", vec![12, 6], 1e-6),
    ] {
        let net = load(&format!("{name}.onnx")).unwrap();
        assert_eq!(net.layer_sizes(), sizes, "{name}");
        matches_expected(&net, name, tol);
    }
    // The network files with conv, avgpool and maxpool nodes written from cnn.onnx and
    // pools1d.onnx (make_pool_fixtures.py): the same networks, byte for byte.
    for name in ["cnn", "pools1d"] {
        let text = std::fs::read_to_string(root().join(format!("fixtures/onnx/{name}_nodes.json"))).unwrap();
        let nodes = linregions::parse_network(&text).unwrap();
        assert_eq!(
            network_to_json(&nodes),
            network_to_json(&load(&format!("{name}.onnx")).unwrap()),
            "{name}"
        );
    }
    let net = load("dag.onnx").unwrap();
    let dom = linregions::formats::parse_box("-2:2", 2).unwrap();
    let e = enumerate(&net, &dom, &Options::default()).unwrap();
    let doc = linregions::formats::regions_json(&net, &dom, &e, None, None);
    assert!(linregions::verify(&net, &dom, &linregions::formats::parse_regions(&doc).unwrap()).unwrap().ok());
    let e = load("sigmoid.onnx").unwrap_err();
    assert!(e.to_string().contains("operator Sigmoid is not supported"), "{e}");
    assert!(read_onnx(b"not a model").is_err());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linregions"))
        .args(["enumerate", "fixtures/onnx/sigmoid.onnx"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sigmoid.onnx: Sigmoid node"));
}

/// A non-finite float attribute (LeakyRelu's `alpha` made NaN, then infinite, in the bytes
/// of `bn_leaky.onnx`) is an error naming the node and the attribute, never a ReLU or a
/// zero weight.
#[test]
fn non_finite_attributes_are_errors() {
    let bytes = std::fs::read(root().join("fixtures/onnx/bn_leaky.onnx")).unwrap();
    // AttributeProto.f (field 2, fixed32) = 0.125f32.
    let pat = [0x15u8, 0x00, 0x00, 0x00, 0x3e];
    let at = bytes.windows(5).position(|w| w == pat).expect("alpha = 0.125 in the file") + 1;
    for bad in [f32::NAN, f32::INFINITY] {
        let mut b = bytes.clone();
        b[at..at + 4].copy_from_slice(&bad.to_le_bytes());
        let e = read_onnx(&b).expect_err("non-finite alpha").to_string();
        assert!(e.contains("attribute `alpha`") && e.contains("non-finite"), "{e}");
    }
}
