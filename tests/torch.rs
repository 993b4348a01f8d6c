//! Models as PyTorch users save them, written by torch 2.15 itself
//! (`fixtures/torch/make_torch_fixtures.py`): `torch.save` state_dicts and checkpoints,
//! safetensors with custom module names, ONNX from the default (dynamo) exporter with
//! external data and from the legacy exporter. Each network matches torch's float64 outputs
//! at random points; every file that is not a state_dict is refused with advice.

use linregions::Network;
use linregions::formats::network_to_json;
use linregions::import::{
    self, Format, parse_arch, read_onnx, read_onnx_with, read_torch, sequential, sniff,
};
use linregions::internals::num::{Q, from_f64_exact, qi, to_f64};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures").join(path)).unwrap()
}

/// The network of an ONNX fixture, its external data read from beside it.
fn onnx(name: &str) -> Network {
    read_onnx_with(&bytes(&format!("onnx/{name}")), &mut |loc| {
        std::fs::read(root().join("fixtures/onnx").join(loc)).map_err(|e| e.to_string())
    })
    .unwrap()
}

fn torch_net(name: &str, arch: &str) -> Network {
    let file = read_torch(&bytes(&format!("torch/{name}"))).unwrap();
    sequential(&file.tensors, None, Some(&parse_arch(arch).unwrap()), &eps()).unwrap()
}

/// PyTorch's default batch norm epsilon, as the nearest double.
fn eps() -> Q {
    from_f64_exact(1e-5).unwrap()
}

const CUSTOM: &str = "linear,bn,leaky_relu:0.1,dropout,linear,relu,linear";

/// The network's exact outputs equal torch's float64 outputs up to rounding: of float64
/// arithmetic for torch.save and safetensors files (which hold torch's own parameters); of
/// float32 for ONNX, which stores batch norm's epsilon and LeakyReLU's slope as float32
/// attributes (0.1 becomes 0.100000001490116..., and the exact network is the file's).
fn matches_torch(net: &Network, expected: &str) {
    let tol = if expected.starts_with("onnx/") { 1e-7 } else { 1e-12 };
    let doc: serde_json::Value = serde_json::from_slice(&bytes(expected)).unwrap();
    let points = doc["points"].as_array().unwrap();
    assert!(points.len() >= 5);
    for (p, y) in points.iter().zip(doc["outputs"].as_array().unwrap()) {
        let x: Vec<Q> =
            p.as_array().unwrap().iter().map(|v| from_f64_exact(v.as_f64().unwrap()).unwrap()).collect();
        let out = net.eval(&x);
        let y = y.as_array().unwrap();
        assert_eq!(out.len(), y.len());
        for (o, t) in out.iter().zip(y) {
            let (o, t) = (to_f64(o), t.as_f64().unwrap());
            assert!((o - t).abs() <= tol * (1.0 + t.abs()), "{expected}: {o} vs torch {t}");
        }
    }
}

#[test]
fn a_torch_save_state_dict_is_the_same_net_as_its_safetensors() {
    let pt = torch_net("mlp.pt", "linear,relu,linear");
    let st = import::read_safetensors(&bytes("torch/mlp.safetensors")).unwrap();
    let st = sequential(&st, None, Some(&parse_arch("linear,relu,linear").unwrap()), &qi(0)).unwrap();
    assert_eq!(network_to_json(&pt), network_to_json(&st));
}

#[test]
fn custom_module_names_batch_norm_leaky_relu_dropout_match_torch() {
    let pt = torch_net("custom.pt", CUSTOM);
    matches_torch(&pt, "torch/custom.expected.json");
    // The checkpoint dict holds the same state_dict under "model".
    let ck = read_torch(&bytes("torch/checkpoint.pt")).unwrap();
    assert_eq!(ck.under_key.as_deref(), Some("model"));
    let ck = sequential(&ck.tensors, None, Some(&parse_arch(CUSTOM).unwrap()), &eps()).unwrap();
    assert_eq!(network_to_json(&ck), network_to_json(&pt));
    // safetensors sorts the names (bn1 first): the modules are named in --arch.
    let st = import::read_safetensors(&bytes("torch/custom.safetensors")).unwrap();
    assert_eq!(st[0].0, "bn1.bias");
    let e = sequential(&st, None, Some(&parse_arch(CUSTOM).unwrap()), &eps()).unwrap_err();
    assert!(e.to_string().contains("bn1: --arch says linear here, the module is a bn"), "{e}");
    let named = "linear@fc1,bn@bn1,leaky_relu:0.1,dropout,linear@fc2,relu,linear@fc3";
    let m = import::sequential_mapped(&st, None, Some(&parse_arch(named).unwrap()), &eps()).unwrap();
    assert_eq!(network_to_json(&m.network), network_to_json(&pt));
    assert_eq!(m.mapping[0], "fc1: linear 3 -> 8");
    assert_eq!(m.mapping[1], "bn1: batch norm (folded)");
}

#[test]
fn names_without_indices_need_arch_and_the_error_gives_one() {
    let file = read_torch(&bytes("torch/custom.pt")).unwrap();
    let e = sequential(&file.tensors, None, None, &eps()).unwrap_err().to_string();
    assert!(e.contains("--arch linear@fc1,bn@bn1,relu,linear@fc2,relu,linear@fc3"), "{e}");
    // An nn.Sequential's indices say where the activation is, not which.
    let file = read_torch(&bytes("torch/mlp.pt")).unwrap();
    let e = sequential(&file.tensors, None, None, &eps()).unwrap_err().to_string();
    assert!(e.contains("--arch linear,relu,linear"), "{e}");
    // Indices far past the modules' count are names, not a Sequential's (the gaps would be
    // a list that long: a fuzzer's file with index 99662173420 exhausted memory).
    let mut far = file.tensors.clone();
    for (name, _) in far.iter_mut() {
        *name = name.replacen('2', "99662173420", 1);
    }
    let e = sequential(&far, None, None, &eps()).unwrap_err().to_string();
    assert!(e.contains("do not say how the modules are chained") && e.contains("linear@99662173420"), "{e}");
    // A named module that is not in the file, or named twice.
    let e = sequential(&file.tensors, None, Some(&parse_arch("linear@fc1,relu,linear").unwrap()), &eps());
    assert!(e.unwrap_err().to_string().contains("does not have (0, 2)"));
    let e = sequential(&file.tensors, None, Some(&parse_arch("linear@0,relu,linear@0").unwrap()), &eps());
    assert!(e.unwrap_err().to_string().contains("twice"));
}

#[test]
fn strided_views_are_read_through_their_strides_and_offsets() {
    let file = read_torch(&bytes("torch/strided.pt")).unwrap();
    let expected: serde_json::Value = serde_json::from_slice(&bytes("torch/strided.expected.json")).unwrap();
    for (name, t) in &file.tensors {
        let flat: Vec<f64> = match &expected[name] {
            serde_json::Value::Array(rows) if rows.iter().all(|r| r.is_array()) => {
                rows.iter().flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap())).collect()
            }
            serde_json::Value::Array(v) => v.iter().map(|v| v.as_f64().unwrap()).collect(),
            other => panic!("{name}: {other}"),
        };
        assert_eq!(t.values.iter().map(to_f64).collect::<Vec<_>>(), flat, "{name}");
    }
    assert_eq!(file.tensors[0].1.shape, vec![3, 2]); // the transpose of a 2x3 storage
}

#[test]
fn files_that_are_not_state_dicts_are_refused_with_advice() {
    let e = read_torch(&bytes("torch/whole_model.pt")).unwrap_err().to_string();
    assert!(e.contains("pickled Python object (__main__.Custom)") && e.contains("state_dict()"), "{e}");
    assert_eq!(sniff(&bytes("torch/legacy.pt")), Format::Pickle);
    // Every truncation of an archive is an error, never a panic.
    let pt = bytes("torch/mlp.pt");
    for k in (0..pt.len()).step_by(7) {
        assert!(read_torch(&pt[..k]).is_err());
    }
}

#[test]
fn the_default_onnx_exporter_with_external_data_matches_torch() {
    for name in [
        "dynamo_mlp",
        "dynamo_cnn",
        "unflatten",
        "legacy_unflatten",
        "legacy_custom",
        "dynamic_cnn",
        "legacy_dynamic_cnn_op13",
        "legacy_dynamic_cnn_op20",
        "maxpool_cnn",
        "legacy_maxpool_cnn",
        "residual_mlp",
        "legacy_residual_mlp",
        "concat_mlp",
        "legacy_concat_mlp",
    ] {
        let net = onnx(&format!("{name}.onnx"));
        matches_torch(&net, &format!("onnx/{name}.expected.json"));
    }
    // Without its data file the model says which file it needs.
    let e = read_onnx(&bytes("onnx/dynamo_mlp.onnx")).unwrap_err().to_string();
    assert!(e.contains("external data `dynamo_mlp.onnx.data`"), "{e}");
    // A location outside the model's folder is refused before anything is read.
    let mut asked = false;
    let e = read_onnx_with(&bytes("onnx/escape.onnx"), &mut |_| {
        asked = true;
        Ok(vec![])
    })
    .unwrap_err();
    assert!(e.to_string().contains("not a relative path inside the model's folder"), "{e}");
    assert!(!asked);
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linregions")).args(args).current_dir(root()).output().unwrap()
}

#[test]
fn cli_tells_formats_by_content_and_prints_the_mapping() {
    let dir = std::env::temp_dir().join(format!("linregions-torch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A torch.save file with a .json name, an ONNX model with its data in another folder.
    let pt = dir.join("model.json");
    std::fs::copy(root().join("fixtures/torch/custom.pt"), &pt).unwrap();
    let out = run(&["convert", pt.to_str().unwrap(), "--arch", CUSTOM, "-o", "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fc1: linear 3 -> 8, bn1: batch norm (folded), leaky_relu 1/10"), "{stderr}");
    let reference = run(&["convert", "fixtures/torch/custom.pt", "--arch", CUSTOM, "-o", "-"]);
    assert_eq!(out.stdout, reference.stdout);
    for f in ["dynamo_mlp.onnx", "dynamo_mlp.onnx.data"] {
        std::fs::copy(root().join("fixtures/onnx").join(f), dir.join(f)).unwrap();
    }
    let out = run(&["inspect", dir.join("dynamo_mlp.onnx").to_str().unwrap(), "--point", "0.5,-0.25"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(dir.join("dynamo_mlp.onnx.data")).unwrap();
    let out = run(&["inspect", dir.join("dynamo_mlp.onnx").to_str().unwrap(), "--point", "0.5,-0.25"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dynamo_mlp.onnx.data`: cannot read"));
    // Refusals: exit 2, the file named, and what to do.
    for (file, says) in [
        ("fixtures/torch/whole_model.pt", "torch.save(model.state_dict(), PATH)"),
        ("fixtures/torch/legacy.pt", "before PyTorch 1.6"),
        ("fixtures/onnx/escape.onnx", "not a relative path"),
        ("fixtures/torch/custom.pt", "--arch linear@fc1,bn@bn1,relu"),
    ] {
        let out = run(&["convert", file, "-o", "-"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(file) && stderr.contains(says), "{file}: {stderr}");
    }
    let junk = dir.join("junk.bin");
    std::fs::write(&junk, [0xff, 0x00, 0x13, 0x37]).unwrap();
    let out = run(&["convert", junk.to_str().unwrap(), "-o", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it begins ff 00 13 37"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn max_pooling_is_a_tree_of_argmax_choices_with_the_exact_regions() {
    // max(relu(x1), relu(x2)) = a + relu(b - a) with a = relu(x1) carried: both inactive;
    // one active (twice); both active, split by x1 = x2: 5 regions, the second layer's bit
    // the argmax choice (1: the second value is larger), each with the right map, and
    // verify accepts them.
    let net = onnx("maxpool.onnx");
    let dom = linregions::formats::parse_box("-1:1", 2).unwrap();
    let e = linregions::enumerate(&net, &dom, &linregions::Options::default()).unwrap();
    let patterns: Vec<Vec<String>> = e.regions.iter().map(|r| net.pattern_strings(&r.pattern)).collect();
    assert_eq!(patterns, [["00", "0"], ["01", "1"], ["10", "0"], ["11", "0"], ["11", "1"]]);
    for r in &e.regions {
        // The map is the larger ReLU at the interior point.
        let x = &r.interior_point;
        let relu = |v: &Q| if *v > qi(0) { v.clone() } else { qi(0) };
        let want = std::cmp::max(relu(&x[0]), relu(&x[1]));
        assert_eq!(net.eval(x)[0], want);
    }
    let doc = linregions::formats::regions_json(&net, &dom, &e, None, None);
    let file = linregions::formats::parse_regions(&doc).unwrap();
    assert!(linregions::verify(&net, &dom, &file).unwrap().ok());
    // Without a ReLU before it: max(x1, x2) = x1 + relu(x2 - x1), two regions split by x1 = x2.
    let net = read_onnx(&bytes("onnx/maxpool_signed.onnx")).unwrap();
    let e = linregions::enumerate(&net, &dom, &linregions::Options::default()).unwrap();
    let maps: Vec<(String, Vec<Q>)> = e
        .regions
        .iter()
        .map(|r| (net.pattern_strings(&r.pattern).concat(), r.logits.weight[0].clone()))
        .collect();
    assert_eq!(maps, [("0".to_string(), vec![qi(1), qi(0)]), ("1".to_string(), vec![qi(0), qi(1)])]);
}

#[test]
fn a_residual_block_from_a_relu_output_is_carried_exactly() {
    // relu(h + fc2(relu(fc1(h)))) with h = relu(fc0(x)) on 2 inputs: h is carried past the
    // branch's ReLU unchanged (no bit, no boundary), so the regions verify, and each
    // region's map is the network's at its interior point (torch's outputs: the test above).
    let net = onnx("residual_mlp.onnx");
    assert_eq!((net.layer_sizes(), net.has_carries()), (vec![8, 8, 8], true));
    let dom = linregions::formats::parse_box("-2:2", 2).unwrap();
    let e = linregions::enumerate(&net, &dom, &linregions::Options::default()).unwrap();
    assert!(e.regions.len() > 5);
    let doc = linregions::formats::regions_json(&net, &dom, &e, None, None);
    assert!(linregions::verify(&net, &dom, &linregions::formats::parse_regions(&doc).unwrap()).unwrap().ok());
    // h is a ReLU output, never negative: the same network with ReLU on the carried values
    // (the file without its `carry` fields) has the same regions, each with a copy of h's
    // bits in place of the carried values.
    let text = network_to_json(&net);
    assert!(text.contains("{\"type\": \"relu\", \"carry\": 8}"), "{text}");
    let copied = linregions::parse_network(&text.replace(", \"carry\": 8", "")).unwrap();
    assert_eq!((copied.layer_sizes(), copied.has_carries()), (vec![8, 16, 8], false));
    let c = linregions::enumerate(&copied, &dom, &linregions::Options::default()).unwrap();
    let strip = |p: Vec<String>| vec![p[0].clone(), p[1][..8].to_string(), p[2].clone()];
    let want: Vec<Vec<String>> =
        c.regions.iter().map(|r| strip(copied.pattern_strings(&r.pattern))).collect();
    let got: Vec<Vec<String>> = e.regions.iter().map(|r| net.pattern_strings(&r.pattern)).collect();
    assert_eq!(got, want);
    for r in &c.regions {
        let p = copied.pattern_strings(&r.pattern);
        assert_eq!(&p[1][8..], p[0].as_str(), "the copies' bits are h's");
    }
}

#[test]
fn residual_and_concatenating_networks_as_state_dicts_and_nodes_match_torch() {
    // The weights of residual_mlp.onnx and concat_mlp.onnx as state_dict files
    // (fixtures/torch/make_residual_safetensors.py): `skip` ... `add` / `cat` carry the ReLU
    // output alongside the branch exactly as the ONNX reader does, so the networks are the
    // ONNX imports' byte for byte, and torch's outputs hold for them.
    let cases = [
        ("residual_mlp", "linear,relu,skip,linear,relu,linear,add,relu,linear"),
        ("concat_mlp", "linear,relu,skip,linear,relu,cat,linear"),
    ];
    for (name, arch) in cases {
        let st = import::read_safetensors(&bytes(&format!("torch/{name}.safetensors"))).unwrap();
        let m = import::sequential_mapped(&st, None, Some(&parse_arch(arch).unwrap()), &eps()).unwrap();
        assert_eq!(network_to_json(&m.network), network_to_json(&onnx(&format!("{name}.onnx"))), "{name}");
        matches_torch(&m.network, &format!("onnx/{name}.expected.json"));
        assert!(m.mapping.iter().any(|s| s.starts_with("skip (carries")), "{:?}", m.mapping);
        // The same network as a network file with named nodes (fixtures/{residual,concat}_nodes.json).
        let short = name.trim_end_matches("_mlp");
        let text = std::fs::read_to_string(root().join(format!("fixtures/{short}_nodes.json"))).unwrap();
        let nodes = linregions::parse_network(&text).unwrap();
        assert_eq!(network_to_json(&nodes), network_to_json(&m.network), "{short}_nodes.json");
    }
    // The residual MLP as a torch.save state_dict (fixtures/torch/make_residual_pt.py
    // writes torch's format without torch): the same network, byte for byte.
    let pt = read_torch(&bytes("torch/residual_mlp.pt")).unwrap();
    let m =
        import::sequential_mapped(&pt.tensors, None, Some(&parse_arch(cases[0].1).unwrap()), &eps()).unwrap();
    assert_eq!(network_to_json(&m.network), network_to_json(&onnx("residual_mlp.onnx")));
    matches_torch(&m.network, "onnx/residual_mlp.expected.json");
    // torch.cat([h, f(h)]): the carried values first.
    let st = import::read_safetensors(&bytes("torch/concat_mlp.safetensors")).unwrap();
    let first = sequential(
        &st,
        None,
        Some(&parse_arch("linear,relu,skip,linear,relu,cat:skip_first,linear").unwrap()),
        &eps(),
    )
    .unwrap();
    let x = [qi(1), qi(-1)];
    assert_ne!(first.eval(&x), onnx("concat_mlp.onnx").eval(&x));
    // Misplaced items: errors naming the problem, never a guess.
    let res = import::read_safetensors(&bytes("torch/residual_mlp.safetensors")).unwrap();
    let bad =
        |a: &str| sequential(&res, None, Some(&parse_arch(a).unwrap()), &eps()).unwrap_err().to_string();
    assert!(bad("linear,relu,linear,relu,linear,add,relu,linear").contains("without a skip"));
    assert!(bad("linear,relu,skip,linear,relu,linear,relu,linear").contains("skip without add"));
    assert!(bad("linear,relu,skip,linear,relu,skip,linear,add,relu,linear").contains("inside another"));
    assert!(bad("linear,relu,skip,add,linear,relu,linear,relu,linear").contains("no linear layer between"));
    let cat = import::read_safetensors(&bytes("torch/concat_mlp.safetensors")).unwrap();
    let e =
        sequential(&cat, None, Some(&parse_arch("linear,relu,skip,linear,relu,add,linear").unwrap()), &eps());
    assert!(e.unwrap_err().to_string().contains("add of the branch's 4 values and the 6 carried"));
    assert!(parse_arch("cat:first").is_err() && parse_arch("skip:2").is_err());
}

#[test]
fn a_cnn_state_dict_with_its_arch_matches_torch() {
    // Conv2d(pad 1), BatchNorm2d (folded per channel), ReLU, MaxPool2d(2), Linear.
    let arch = "image:1x4x4,conv:1:1,bn,relu,maxpool:2,flatten,linear";
    let pt = torch_net("cnn.pt", arch);
    matches_torch(&pt, "torch/cnn.expected.json");
    let st = import::read_safetensors(&bytes("torch/cnn.safetensors")).unwrap();
    let st = sequential(&st, None, Some(&parse_arch(arch).unwrap()), &eps()).unwrap();
    assert_eq!(network_to_json(&st), network_to_json(&pt));
    // Without --arch: the shape is not in the tensors, and the error says what to give.
    let file = read_torch(&bytes("torch/cnn.pt")).unwrap();
    let e = sequential(&file.tensors, None, None, &eps()).unwrap_err().to_string();
    assert!(e.contains("image:CxHxW"), "{e}");
    // A wrong image size, a missing flatten: errors naming the problem.
    let bad = |a: &str| {
        sequential(&file.tensors, None, Some(&parse_arch(a).unwrap()), &eps()).unwrap_err().to_string()
    };
    assert!(bad("image:2x4x4,conv:1:1,bn,relu,maxpool:2,flatten,linear").contains("takes 1 channels"));
    assert!(bad("image:1x4x4,conv:1:1,bn,relu,maxpool:2,linear").contains("add flatten"));
    assert!(
        parse_arch("conv:1").is_err() && parse_arch("image:1x4").is_err() && parse_arch("maxpool:0").is_err()
    );
}

#[test]
fn a_skip_from_a_linear_output_carries_signed_values() {
    // `skip` right after a linear layer (no ReLU: h may be negative), a branch that begins
    // with a ReLU: out(relu(h + fc2(relu(fc1(relu(h)))))) with h = fc0(x), evaluated here
    // from the tensors, exactly.
    let st = import::read_safetensors(&bytes("torch/residual_mlp.safetensors")).unwrap();
    let arch = parse_arch("linear,skip,relu,linear,relu,linear,add,relu,linear").unwrap();
    let net = sequential(&st, None, Some(&arch), &eps()).unwrap();
    assert_eq!((net.layer_sizes(), net.has_carries()), (vec![8, 8, 8], true));
    let t = |name: &str| st.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap();
    let affine = |name: &str, x: &[Q]| -> Vec<Q> {
        let (w, b) = (t(&format!("{name}.weight")), t(&format!("{name}.bias")));
        let n = x.len();
        b.values
            .iter()
            .enumerate()
            .map(|(o, bo)| (0..n).fold(bo.clone(), |acc, i| acc + &w.values[o * n + i] * &x[i]))
            .collect()
    };
    let relu = |v: Vec<Q>| -> Vec<Q> { v.into_iter().map(|z| if z > qi(0) { z } else { qi(0) }).collect() };
    for k in 0..25i64 {
        let x = [Q::new((k % 7 - 3).into(), 2.into()), Q::new((k % 5 - 2).into(), 3.into())];
        let h = affine("fc0", &x);
        let f = affine("fc2", &relu(affine("fc1", &relu(h.clone()))));
        let s: Vec<Q> = h.iter().zip(&f).map(|(a, b)| a + b).collect();
        assert_eq!(net.eval(&x), affine("out", &relu(s)), "at {x:?}");
    }
    let dom = linregions::formats::parse_box("-2:2", 2).unwrap();
    let e = linregions::enumerate(&net, &dom, &linregions::Options::default()).unwrap();
    let doc = linregions::formats::regions_json(&net, &dom, &e, None, None);
    assert!(linregions::verify(&net, &dom, &linregions::formats::parse_regions(&doc).unwrap()).unwrap().ok());
}
