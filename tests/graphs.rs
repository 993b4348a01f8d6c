//! Networks given as graphs of named nodes (`nodes` files): random directed acyclic graphs of
//! dense, relu / leaky_relu, identity, add and concat nodes on 2 and 3 inputs (skips from the
//! input, forks, branches inside branches, sums of computed values, activations of
//! activations) are lowered to the chain with carried values, and checked against this
//! file's own evaluation of the graph: the same outputs at random points, each region's
//! pattern the graph's activation signs at its interior point, every sampled point's signs
//! a region's pattern; `verify` accepts the regions, and in 2D the enumeration's three paths
//! agree (`filter_check::check_paths_on`). Then errors, and answers worked out by hand.

use linregions::internals::num::Q;
use linregions::random::SplitMix64;
use linregions::{Domain, Options, enumerate, parse_network};
use num_traits::{Signed, Zero};
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
enum Op {
    Dense(Vec<Vec<i64>>, Vec<i64>),
    Act,
    Identity,
    Add,
    Concat,
}

#[derive(Clone, Debug)]
struct Node {
    op: Op,
    /// Indices of the values read: 0 is the input, `i + 1` node `i`.
    reads: Vec<usize>,
    width: usize,
}

struct Graph {
    input_dim: usize,
    nodes: Vec<Node>,
    /// The slope of every activation (one per graph: a depth's activations share it).
    slope: Q,
    slope_text: Option<&'static str>,
}

fn q(v: i64) -> Q {
    Q::from_integer(v.into())
}

impl Graph {
    fn random(rng: &mut SplitMix64, input_dim: usize) -> Graph {
        let leaky = rng.next_u64().is_multiple_of(3);
        let (slope, slope_text) =
            if leaky { (Q::new(1.into(), 4.into()), Some("1/4")) } else { (q(0), None) };
        let mut widths = vec![input_dim];
        let mut nodes: Vec<Node> = Vec::new();
        let pick = |rng: &mut SplitMix64, n: usize| (rng.next_u64() % n as u64) as usize;
        let count = 4 + pick(rng, 5);
        while nodes.len() < count {
            let v = pick(rng, widths.len());
            let kind = pick(rng, 10);
            let node = match kind {
                0..=3 => {
                    let out = 1 + pick(rng, 3);
                    let w = (0..out).map(|_| (0..widths[v]).map(|_| rng.small_int(2)).collect()).collect();
                    let b = (0..out).map(|_| rng.small_int(2)).collect();
                    Node { op: Op::Dense(w, b), reads: vec![v], width: out }
                }
                4..=6 => Node { op: Op::Act, reads: vec![v], width: widths[v] },
                7 => Node { op: Op::Identity, reads: vec![v], width: widths[v] },
                8 => {
                    let same: Vec<usize> = (0..widths.len()).filter(|&u| widths[u] == widths[v]).collect();
                    let k = 2 + pick(rng, 2);
                    let reads: Vec<usize> = (0..k).map(|_| same[pick(rng, same.len())]).collect();
                    Node { op: Op::Add, reads, width: widths[v] }
                }
                _ => {
                    let u = pick(rng, widths.len());
                    Node { op: Op::Concat, reads: vec![v, u], width: widths[v] + widths[u] }
                }
            };
            widths.push(node.width);
            nodes.push(node);
        }
        // Every node feeds the output: the values nobody reads, concatenated, then a dense.
        let mut read = vec![false; widths.len()];
        for n in &nodes {
            for &r in &n.reads {
                read[r] = true;
            }
        }
        let sinks: Vec<usize> = (1..widths.len()).filter(|&v| !read[v]).collect();
        let last = if sinks.len() == 1 {
            sinks[0]
        } else {
            let width = sinks.iter().map(|&v| widths[v]).sum();
            nodes.push(Node { op: Op::Concat, reads: sinks, width });
            widths.push(width);
            widths.len() - 1
        };
        let w = vec![(0..widths[last]).map(|_| rng.small_int(3)).collect()];
        nodes.push(Node { op: Op::Dense(w, vec![rng.small_int(2)]), reads: vec![last], width: 1 });
        Graph { input_dim, nodes, slope, slope_text }
    }

    fn name(v: usize) -> String {
        if v == 0 { "input".into() } else { format!("n{}", v - 1) }
    }

    fn json(&self) -> String {
        let ints =
            |v: &[i64]| format!("[{}]", v.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", "));
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let name = Graph::name(i + 1);
                let input = Graph::name(n.reads[0]);
                match &n.op {
                    Op::Dense(w, b) => {
                        let w: Vec<String> = w.iter().map(|r| ints(r)).collect();
                        format!(
                            r#"{{"name": "{name}", "op": "dense", "input": "{input}", "weight": [{}], "bias": {}}}"#,
                            w.join(", "),
                            ints(b)
                        )
                    }
                    Op::Act => match self.slope_text {
                        None => format!(r#"{{"name": "{name}", "op": "relu", "input": "{input}"}}"#),
                        Some(s) => {
                            format!(r#"{{"name": "{name}", "op": "leaky_relu", "input": "{input}", "slope": "{s}"}}"#)
                        }
                    },
                    Op::Identity => format!(r#"{{"name": "{name}", "op": "identity", "input": "{input}"}}"#),
                    Op::Add | Op::Concat => {
                        let op = if matches!(n.op, Op::Add) { "add" } else { "concat" };
                        let reads: Vec<String> = n.reads.iter().map(|&r| format!("\"{}\"", Graph::name(r))).collect();
                        format!(r#"{{"name": "{name}", "op": "{op}", "inputs": [{}]}}"#, reads.join(", "))
                    }
                }
            })
            .collect();
        format!(r#"{{"input_dim": {}, "nodes": [{}]}}"#, self.input_dim, nodes.join(",\n  "))
    }

    /// Activations on the longest path from the input to each value (the input: 0).
    fn depths(&self) -> Vec<usize> {
        let mut d = vec![0usize];
        for n in &self.nodes {
            let m = n.reads.iter().map(|&r| d[r]).max().unwrap_or(0);
            d.push(m + usize::from(matches!(n.op, Op::Act)));
        }
        d
    }

    /// The output and the pattern at `x`: the activations' signs (`None` for an exact zero),
    /// depth by depth, each depth's activations in file order.
    fn eval(&self, x: &[Q]) -> (Q, Vec<Option<bool>>) {
        let mut vals: Vec<Vec<Q>> = vec![x.to_vec()];
        let mut signs: Vec<(usize, usize, Vec<Option<bool>>)> = Vec::new();
        let depths = self.depths();
        for (i, n) in self.nodes.iter().enumerate() {
            let ins: Vec<&Vec<Q>> = n.reads.iter().map(|&r| &vals[r]).collect();
            let v: Vec<Q> = match &n.op {
                Op::Dense(w, b) => w
                    .iter()
                    .zip(b)
                    .map(|(r, bi)| r.iter().zip(ins[0]).fold(q(*bi), |acc, (wi, xi)| acc + q(*wi) * xi))
                    .collect(),
                Op::Act => {
                    signs.push((
                        depths[i + 1],
                        i,
                        ins[0].iter().map(|z| (!z.is_zero()).then(|| z.is_positive())).collect(),
                    ));
                    ins[0].iter().map(|z| if z.is_positive() { z.clone() } else { z * &self.slope }).collect()
                }
                Op::Identity => ins[0].clone(),
                Op::Add => (0..n.width).map(|k| ins.iter().map(|v| v[k].clone()).sum()).collect(),
                Op::Concat => ins.iter().flat_map(|v| v.iter().cloned()).collect(),
            };
            vals.push(v);
        }
        signs.sort_by_key(|(d, i, _)| (*d, *i));
        (vals.last().unwrap()[0].clone(), signs.into_iter().flat_map(|(_, _, s)| s).collect())
    }
}

/// `count` random graphs on `d` inputs checked against their own evaluation in `[-2, 2]^d`
/// (and, in 2D, the three enumeration paths): (graphs carrying values, graphs of two
/// activation layers or more, regions).
fn check_random_graphs(seed: u64, d: usize, count: usize) -> (usize, usize, usize) {
    let mut rng = SplitMix64(seed);
    let dom = linregions::formats::parse_box("-2:2", d).unwrap();
    let (mut carried, mut deep, mut total) = (0, 0, 0);
    for t in 0..count {
        let g = Graph::random(&mut rng, d);
        let text = g.json();
        let net = parse_network(&text).unwrap_or_else(|e| panic!("graph {t}: {e}\n{text}"));
        carried += usize::from(net.has_carries());
        // The same function at random rational points.
        for _ in 0..20 {
            let x: Vec<Q> =
                (0..d).map(|_| Q::new(rng.small_int(300).into(), (1 + rng.next_u64() % 97).into())).collect();
            assert_eq!(net.eval(&x), vec![g.eval(&x).0], "graph {t} at {x:?}\n{text}");
        }
        let e = enumerate(&net, &dom, &Options::default()).unwrap();
        if d == 2 {
            // Three paths and verify agree.
            linregions::filter_check::check_paths_on(&format!("graph {t}"), &net, &dom);
        } else {
            let doc = linregions::formats::regions_json(&net, &dom, &e, None, None);
            let file = linregions::formats::parse_regions(&doc).unwrap();
            assert!(linregions::verify(&net, &dom, &file).unwrap().ok(), "graph {t}: verify\n{text}");
        }
        // Each region's pattern is the graph's at its interior point; each sampled pattern is a region's.
        total += e.regions.len();
        deep += usize::from(net.layer_sizes().len() > 1);
        let wire = |p: &linregions::Pattern| -> Vec<bool> {
            net.pattern_strings(p).concat().chars().map(|c| c == '1').collect()
        };
        let mut seen = BTreeSet::new();
        for r in &e.regions {
            // Zero at an interior point: zero on the whole region (else it would change sign
            // inside it), whose bit is 0.
            let bits: Vec<bool> = g.eval(&r.interior_point).1.iter().map(|b| b.unwrap_or(false)).collect();
            assert_eq!(bits, wire(&r.pattern), "graph {t}: region {}\n{text}", r.id);
            assert!(seen.insert(wire(&r.pattern)), "graph {t}: a pattern twice");
        }
        for _ in 0..200 {
            let x: Vec<Q> = (0..d).map(|_| Q::new(rng.small_int(1000).into(), 500.into())).collect();
            // Points on a boundary (a zero) are skipped.
            if let Some(bits) = g.eval(&x).1.into_iter().collect::<Option<Vec<bool>>>() {
                assert!(seen.contains(&bits), "graph {t}: the pattern at {x:?} is no region's\n{text}");
            }
        }
    }
    (carried, deep, total)
}

#[test]
fn random_graphs_lower_exactly_and_their_regions_are_the_graphs() {
    // Seed 1906, 2 inputs: 157 of 200 graphs carry values, 71 have two activation layers or
    // more, 822 regions.
    let (carried, deep, total) = check_random_graphs(1906, 2, 200);
    assert!(carried > 100 && deep > 40 && total > 500, "{carried} carry, {deep} deep, {total} regions");
    // 3 inputs, the walk alone, then verify: seed 1907, 46 of 60 carry, 13 deep, 608 regions.
    let (carried, deep, total) = check_random_graphs(1907, 3, 60);
    assert!(carried > 30 && deep > 10 && total > 400, "{carried} carry, {deep} deep, {total} regions");
}

#[test]
fn graph_errors_name_the_node_and_field() {
    let bad = |nodes: &str| {
        parse_network(&format!(r#"{{"input_dim": 2, "nodes": [{nodes}]}}"#)).unwrap_err().to_string()
    };
    let d = r#"{"name": "d", "op": "dense", "input": "input", "weight": [["1", "0"]], "bias": ["0"]}"#;
    // Activations of different slopes at one depth.
    let mixed = format!(
        r#"{d}, {{"name": "a", "op": "relu", "input": "d"}}, {{"name": "b", "op": "leaky_relu", "input": "d", "slope": "1/2"}},
        {{"name": "s", "op": "add", "inputs": ["a", "b"]}}"#
    );
    let e = bad(&mixed);
    assert!(e.contains("nodes[2] (b).op") && e.contains("share a slope"), "{e}");
    // A node the output does not read.
    let dead = format!(
        r#"{d}, {{"name": "a", "op": "relu", "input": "d"}}, {{"name": "o", "op": "identity", "input": "d"}}"#
    );
    let e = bad(&dead);
    assert!(e.contains("nodes[1] (a).name") && e.contains("not used by the output `o`"), "{e}");
    // Widths that double 25 times: an error before any allocation, not an exhausted memory.
    let mut wide = vec![r#"{"name": "c0", "op": "concat", "inputs": ["input", "input"]}"#.to_string()];
    for k in 1..25 {
        wide.push(format!(r#"{{"name": "c{k}", "op": "concat", "inputs": ["c{}", "c{}"]}}"#, k - 1, k - 1));
    }
    let e = bad(&wide.join(", "));
    assert!(e.contains("nodes[23] (c23).op") && e.contains("more than 16777216"), "{e}");
    // Convolutions and pools: the shape must hold the input; kernels and pads must fit.
    let conv = |extra: &str| {
        format!(
            r#"{{"name": "c", "op": "conv", "input": "input", "weight": [[["1", "1"]]], "bias": ["0"]{extra}}}"#
        )
    };
    assert!(
        bad(&conv(r#", "shape": [1, 3]"#))
            .contains("nodes[0] (c).shape`: [1,3] does not hold the input's 2 values")
    );
    assert!(bad(&conv("")).contains("nodes[0] (c).shape`: is missing"));
    let e = bad(&conv(r#", "shape": [1, 2], "padding": [1]"#));
    assert!(e.contains("nodes[0] (c).padding`: expected [begin, end]"), "{e}");
    let pool = r#"{"name": "p", "op": "maxpool", "input": "input", "shape": [1, 2], "kernel": [3]}"#;
    assert!(
        bad(pool).contains("nodes[0] (p).kernel`: kernel 1x3 does not fit the 1x2 input"),
        "{}",
        bad(pool)
    );
    // A max over 10,000 values would take 10^8 weights: an error, not an exhausted memory.
    let max =
        parse_network(r#"{"input_dim": 10000, "nodes": [{"name": "m", "op": "max", "input": "input"}]}"#);
    let e = max.unwrap_err().to_string();
    assert!(e.contains("nodes[0] (m).input`: expands to a dense layer of [10000] x [10000] weights"), "{e}");
    let one = r#"{"name": "s", "op": "add", "inputs": ["input"]}"#;
    assert!(bad(one).contains("two or more names"), "{}", bad(one));
    let sizes = format!(r#"{d}, {{"name": "s", "op": "add", "inputs": ["d", "input"]}}"#);
    assert!(bad(&sizes).contains("adds 2 values of `input` to the 1 of `d`"), "{}", bad(&sizes));
}

#[test]
fn an_input_skip_and_a_nested_branch_by_hand() {
    // out = x0 + relu(x0 - x1) + relu(x1 + relu(x1)) on the whole plane: x0 and x1 are
    // carried past the first activation layer (they are negative too), relu(x0 - x1) past
    // the second. relu(x1) and relu(x1 + relu(x1)) switch together at x1 = 0, so the lines
    // x0 = x1 and x1 = 0 make 4 regions, with the maps worked out by hand.
    // fixtures/skip_nodes.json.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/skip_nodes.json");
    let text = std::fs::read_to_string(path).unwrap();
    let net = parse_network(&text).unwrap();
    // Layer 1: relu(x0 - x1), relu(x1), carrying x1 and x0; layer 2: relu(x1 + relu(x1)),
    // carrying x0 and relu(x0 - x1).
    assert_eq!(net.layer_sizes(), vec![2, 1]);
    let e = enumerate(&net, &Domain::Whole { dim: 2 }, &Options::default()).unwrap();
    let got: Vec<(String, String)> = e
        .regions
        .iter()
        .map(|r| (net.pattern_strings(&r.pattern).join("|"), format!("{:?}", r.logits.weight[0])))
        .collect();
    let w = |a: i64, b: i64| format!("{:?}", vec![q(a), q(b)]);
    assert_eq!(
        got,
        [
            ("00|0".to_string(), w(1, 0)),  // x0 <= x1 <= 0
            ("01|1".to_string(), w(1, 2)),  // x0 <= x1, x1 > 0: x0 + 2 x1
            ("10|0".to_string(), w(2, -1)), // x1 <= 0, x0 > x1: 2 x0 - x1
            ("11|1".to_string(), w(2, 1)),  // x1 > 0, x0 > x1: 2 x0 - x1 + 2 x1
        ]
    );
}

#[test]
fn max_over_features_and_a_1d_max_pool_by_hand() {
    // max(x0, x1, x2) = max(max(x0, x1), x2) on the whole space: 4 regions, the argmax
    // choices' combinations. Where x2 wins, the first choice (x0 or x1) still splits it: two
    // regions with the same map.
    let net = parse_network(r#"{"input_dim": 3, "nodes": [{"name": "m", "op": "max", "input": "input"}]}"#)
        .unwrap();
    let e = enumerate(&net, &Domain::Whole { dim: 3 }, &Options::default()).unwrap();
    let mut maps: Vec<Vec<Q>> = e.regions.iter().map(|r| r.logits.weight[0].clone()).collect();
    maps.sort();
    assert_eq!(
        maps,
        [vec![q(0), q(0), q(1)], vec![q(0), q(0), q(1)], vec![q(0), q(1), q(0)], vec![q(1), q(0), q(0)]]
    );
    // maxpool of [1, 4] by 2: (max(x0, x1), max(x2, x3)) summed, at a point.
    let text = r#"{"input_dim": 4, "nodes": [
        {"name": "p", "op": "maxpool", "input": "input", "shape": [1, 4], "kernel": [2]},
        {"name": "y", "op": "dense", "input": "p", "weight": [["1", "1"]], "bias": ["0"]}]}"#;
    let net = parse_network(text).unwrap();
    assert_eq!(net.layer_sizes(), vec![2]);
    assert_eq!(net.eval(&[q(-3), q(-5), q(2), q(7)]), vec![q(4)]);
}
