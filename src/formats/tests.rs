use crate::arith::num::Q;
use crate::geometry::Domain;

use super::*;

/// The streamed regions and partition documents are byte for byte `to_json_text` of the
/// whole `RegionsOut` / `PartitionOut`: with short arrays on one line (one edge), empty ones (no edges), long
/// ones, linear regions, and the whole space.
#[test]
fn streamed_documents_equal_the_whole_document() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let cut = r#"{"input_dim":2,"layers":[{"type":"dense","weight":[[1,0]],"bias":[0]},{"type":"relu"},{"type":"dense","weight":[[1]],"bias":[0]}]}"#;
    let nets = [
            parse_network(cut).expect("net"),
            parse_network(&cut.replace("\"bias\":[0]}", "\"bias\":[5]}")).expect("net"),
            // Three parallel cuts: three edges, whose one-line form is just over the width.
            parse_network(r#"{"input_dim":2,"layers":[{"type":"dense","weight":[[1,0],[1,0],[1,0]],"bias":["1/2",0,"-1/2"]},{"type":"relu"},{"type":"dense","weight":[[1,1,1]],"bias":[0]}]}"#).expect("net"),
            parse_network(&std::fs::read_to_string(dir.join("small2d.json")).expect("fixture")).expect("net"),
            parse_network(&std::fs::read_to_string(dir.join("dead_unit.json")).expect("fixture")).expect("net"),
            // Documents of several `SPILL`s: written in pieces, the same bytes.
            crate::network::random::gaussian_net(&[2, 8, 8, 1], 3, 0.5),
        ];
    let (mut seen_one_line, mut spilled) = (false, false);
    for net in &nets {
        for domain in [
            Domain::Whole { dim: 2 },
            Domain::Box { lo: vec![crate::arith::num::qi(-1); 2], hi: vec![crate::arith::num::qi(1); 2] },
        ] {
            let e =
                crate::regions::enumerate::enumerate(net, &domain, &Default::default()).expect("enumerates");
            let linear = crate::regions::linear::linear_regions(&e);
            for lin in [None, Some(&linear)] {
                let streamed = regions_json(net, &domain, &e, lin, None);
                let mut regions: Vec<RegionOut> =
                    e.regions.iter().map(|r| region_out(net, r, NeighborStyle::Id)).collect();
                if let Some(l) = lin {
                    for (r, lr) in regions.iter_mut().zip(&l.of_region) {
                        r.linear_region = Some(*lr);
                    }
                }
                let whole = to_json_text(&RegionsOut {
                    format: REGIONS_FORMAT,
                    network: NetworkOut::new(net),
                    domain: DomainOut::new(&domain, e.domain_bounded),
                    complete: e.complete,
                    regions,
                    edges: e
                        .edges()
                        .map(|(a, b, c)| EdgeOut { a, b, neurons: neurons_out(&c.neurons) })
                        .collect(),
                    linear_regions: lin.map(linear_out),
                    plane: None,
                });
                assert_eq!(streamed, whole);
                seen_one_line |= streamed.contains("\"edges\": [{");
                spilled |= streamed.len() > 2 * SPILL;
            }
        }
    }
    assert!(seen_one_line && spilled);
    // The partition document likewise.
    let domain =
        Domain::Box { lo: vec![crate::arith::num::qi(-1); 2], hi: vec![crate::arith::num::qi(1); 2] };
    for net in &nets {
        let p = crate::regions::partition::partition(net, &domain).expect("partitions");
        let whole = to_json_text(&PartitionOut {
            format: PARTITION_FORMAT,
            network: NetworkOut::new(net),
            domain: DomainOut::new(&domain, true),
            complete: p.complete,
            vertices: (0..p.vertices.len()).map(|v| vertex_out(&p, v)).collect(),
            regions: (0..p.faces.len()).map(|id| face_out(net, &p, id)).collect(),
            edges: p.edges,
            plane: None,
        });
        assert_eq!(partition_json(net, &domain, &p, None), whole);
    }
    // A sink that fails: the first error comes back, and nothing is written after it.
    struct Failing(usize);
    impl std::io::Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += 1;
            if self.0 > 1 { Err(std::io::Error::other("full")) } else { Ok(buf.len()) }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let net = nets.last().expect("nets");
    let whole_space = Domain::Whole { dim: 2 };
    let e = crate::regions::enumerate::enumerate(net, &whole_space, &Default::default()).expect("enumerates");
    assert!(regions_json(net, &whole_space, &e, None, None).len() > 4 * SPILL);
    let mut sink = Failing(0);
    let err = write_regions_json(&mut sink, net, &whole_space, &e, None, None).expect_err("the sink fails");
    assert_eq!((err.to_string().as_str(), sink.0), ("full", 2));
}

#[test]
fn mean_and_sample_deviation() {
    assert_eq!(super::stats::mean_sd(&[1.0, 3.0]), "2.0000 ± 1.4142");
    assert_eq!(super::stats::mean_sd(&[2.5]), "2.5000");
    assert_eq!(super::stats::mean_sd(&[]), "-");
}

#[test]
fn a_data_header_is_the_first_row_of_words() {
    // Whatever its number of fields; only the first row.
    assert_eq!(parse_data_csv("x\n1,2\n", 2).unwrap().len(), 1);
    assert_eq!(parse_data_csv("# note\nx,y,label\n1,2,a\n", 2).unwrap().len(), 1);
    assert!(parse_data_csv("x\ny\n1,2\n", 2).unwrap_err().to_string().contains("line 2"));
    assert!(parse_data_csv("1,2\nx,y\n", 2).unwrap_err().to_string().contains("line 2"));
}

/// A `nodes` network: a chain of named nodes is the `layers` network; a residual block
/// (add, concat in either order) carries its input exactly; forks, activations of inputs and
/// of activations are graphs like any other (`tests/graphs.rs` has random ones); errors name
/// the node and field at fault.
#[test]
fn network_nodes_lower_to_the_chain() {
    let dense = |name: &str, src: &str, w: &str, b: &str| {
        format!(r#"{{"name": "{name}", "op": "dense", "input": "{src}", "weight": {w}, "bias": {b}}}"#)
    };
    let relu = |name: &str, src: &str| format!(r#"{{"name": "{name}", "op": "relu", "input": "{src}"}}"#);
    let doc = |nodes: &[String], extra: &str| {
        format!(r#"{{"input_dim": 2, "nodes": [{}]{extra}}}"#, nodes.join(", "))
    };
    let d0 = dense("d0", "input", r#"[["1", "0"], ["0", "1"]]"#, r#"["0", "-1"]"#);
    let r0 = relu("r0", "d0");
    let chain = doc(&[d0.clone(), r0.clone(), dense("out", "r0", r#"[["1", "-2"]]"#, r#"["1/2"]"#)], "");
    let layers = r#"{"input_dim": 2, "layers": [{"type": "dense", "weight": [["1", "0"], ["0", "1"]], "bias": ["0", "-1"]},
        {"type": "relu"}, {"type": "dense", "weight": [["1", "-2"]], "bias": ["1/2"]}]}"#;
    assert_eq!(parse_network(&chain).unwrap(), parse_network(layers).unwrap());
    // out(r0 + relu(d1(r0))): r0's two values carried past the second ReLU (no bits).
    let block = |join: &str, width: usize| {
        let out_w = format!("[[{}]]", vec!["\"1\""; width].join(", "));
        doc(
            &[
                d0.clone(),
                r0.clone(),
                dense("d1", "r0", r#"[["1", "1"], ["-1", "2"]]"#, r#"["0", "0"]"#),
                relu("r1", "d1"),
                join.to_string(),
                dense("out", "j", &out_w, r#"["0"]"#),
            ],
            r#", "output": "out""#,
        )
    };
    let x = [Q::new(3.into(), 2.into()), Q::new(5.into(), 2.into())];
    // r0 = (3/2, 3/2), r1 = (3, 3/2).
    let add = parse_network(&block(r#"{"name": "j", "op": "add", "inputs": ["r0", "r1"]}"#, 2)).unwrap();
    assert_eq!((add.layer_sizes(), add.has_carries()), (vec![2, 2], true));
    assert_eq!(add.eval(&x), vec![Q::new(15.into(), 2.into())]);
    for inputs in [r#"["r1", "r0"]"#, r#"["r0", "r1"]"#] {
        let cat = format!(r#"{{"name": "j", "op": "concat", "inputs": {inputs}}}"#);
        assert_eq!(parse_network(&block(&cat, 4)).unwrap().eval(&x), vec![Q::new(15.into(), 2.into())]);
    }
    // Errors: the node, the field, the problem.
    let bad = |text: &str| parse_network(text).unwrap_err().to_string();
    // A fork (two dense nodes read r0) whose ends are never joined feeds nothing: refused.
    let fork = doc(
        &[
            d0.clone(),
            r0.clone(),
            dense("d1", "r0", "[[\"1\", \"1\"]]", "[\"0\"]"),
            dense("d2", "r0", "[[\"1\", \"1\"]]", "[\"0\"]"),
        ],
        "",
    );
    assert!(bad(&fork).contains("nodes[2] (d1).name`: is not used by the output `d2`"), "{}", bad(&fork));
    // A branch from a dense output (negative values too) is carried all the same.
    let from_dense = block(r#"{"name": "j", "op": "add", "inputs": ["d1", "r1"]}"#, 2);
    assert_eq!(parse_network(&from_dense).unwrap().eval(&x), vec![Q::from_integer(9.into())]);
    let open = doc(
        &[d0.clone(), r0.clone(), dense("d1", "r0", "[[\"1\", \"1\"]]", "[\"0\"]")],
        r#", "output": "r0""#,
    );
    assert!(bad(&open).contains("output"), "{}", bad(&open));
    let wrong = doc(&[d0.clone(), relu("r0", "nowhere")], "");
    assert!(bad(&wrong).contains("nodes[1] (r0).input`: `nowhere` is not the input"), "{}", bad(&wrong));
    // relu(relu(d0)) and relu(input): activations read any value.
    let again = doc(&[d0.clone(), r0.clone(), relu("r1", "r0")], "");
    assert_eq!(parse_network(&again).unwrap().layer_sizes(), vec![2, 2]);
    let first = doc(&[relu("r", "input")], "");
    assert_eq!(parse_network(&first).unwrap().eval(&x), x.to_vec());
    let twice = doc(&[d0.clone(), relu("d0", "d0")], "");
    assert!(bad(&twice).contains("names are unique"), "{}", bad(&twice));
    let unknown = doc(&[d0.clone(), r#"{"name": "g", "op": "gelu", "input": "d0"}"#.to_string()], "");
    assert!(bad(&unknown).contains("unknown op `gelu`"), "{}", bad(&unknown));
    let stray = doc(&[r#"{"name": "r", "op": "relu", "input": "input", "slope": "1/2"}"#.to_string()], "");
    assert!(bad(&stray).contains("`slope`") || bad(&stray).contains("slope"), "{}", bad(&stray));
    let short = doc(&[dense("d", "input", r#"[["1"]]"#, r#"["0"]"#)], "");
    assert!(bad(&short).contains("has 1 entries, the node's input has 2"), "{}", bad(&short));
    let sizes = block(r#"{"name": "j", "op": "add", "inputs": ["r0", "r1"]}"#, 2)
        .replace(r#"[["1", "1"], ["-1", "2"]]"#, r#"[["1", "1"]]"#)
        .replace(r#""bias": ["0", "0"]"#, r#""bias": ["0"]"#);
    assert!(
        bad(&sizes).contains("nodes[4] (j).inputs`: adds 1 values of `r1` to the 2 of `r0`"),
        "{}",
        bad(&sizes)
    );
    let both = r#"{"input_dim": 1, "layers": [], "nodes": []}"#;
    assert!(bad(both).contains("one of them"), "{}", bad(both));
}
