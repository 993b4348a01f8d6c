//! The three paths of a 2D enumeration — `enumerate` (regions from the exact mesh), the facet
//! walk (`Options { mesh: false }`) and `partition` — on generated networks built to sit at
//! the edges of the float filters: near-concurrent lines (offsets 1e-20 ... 1e-40),
//! coefficients 1e±150 ... 1e±400 (past the f64 range), tiny boxes (1e-150) and far boxes
//! ([1e15, 1e15 + 1]). Every run must give byte-identical regions documents for the two
//! enumerations, the same regions and facets as the partition (whose vertices are sorted
//! by exact (x, y)), a document `verify` accepts, and, for one hidden layer on the whole
//! plane, the count of the line arrangement computed independently here.

use linregions::internals::num::{Q, Z};
use linregions::random::SplitMix64;
use linregions::{Domain, Network, Options, enumerate, parse_network};
use num_traits::{One, Signed, Zero};
use std::collections::{BTreeMap, BTreeSet};

/// A decimal or rational text for `m · 10^e` (exact).
fn sci(m: i64, e: i32) -> String {
    format!("{m}e{e}")
}

/// A network JSON with one hidden layer of ReLUs given as lines `a·x + b`, and an output
/// layer of small integers; optionally a second hidden layer.
fn net_json(rows: &[(String, String, String)], second: Option<&[Vec<i64>]>, rng: &mut SplitMix64) -> String {
    let w: Vec<String> = rows.iter().map(|(a, b, _)| format!("[\"{a}\",\"{b}\"]")).collect();
    let bias: Vec<String> = rows.iter().map(|(_, _, c)| format!("\"{c}\"")).collect();
    let mut layers = vec![
        format!("{{\"type\":\"dense\",\"weight\":[{}],\"bias\":[{}]}}", w.join(","), bias.join(",")),
        "{\"type\":\"relu\"}".to_string(),
    ];
    let mut width = rows.len();
    if let Some(m) = second {
        let w: Vec<String> = m
            .iter()
            .map(|r| format!("[{}]", r.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(",")))
            .collect();
        let bias: Vec<String> = m.iter().map(|_| format!("\"{}\"", rng.small_int(2))).collect();
        layers.push(format!(
            "{{\"type\":\"dense\",\"weight\":[{}],\"bias\":[{}]}}",
            w.join(","),
            bias.join(",")
        ));
        layers.push("{\"type\":\"relu\"}".to_string());
        width = m.len();
    }
    let out: Vec<String> = (0..width).map(|_| format!("\"{}\"", 1 + rng.small_int(2).abs())).collect();
    layers.push(format!("{{\"type\":\"dense\",\"weight\":[[{}]],\"bias\":[\"0\"]}}", out.join(",")));
    format!("{{\"input_dim\":2,\"layers\":[{}]}}", layers.join(","))
}

/// The number of regions of the arrangement of the lines `a·x + b = 0` in the plane (no zero
/// normals): `1 + n + Σ_p (m_p - 1)` over the intersection points `p` of `m_p >= 2` distinct
/// lines, with coinciding lines counted once (Euler / Zaslavsky).
fn arrangement_regions(lines: &[[Q; 3]]) -> usize {
    // Distinct lines, as primitive rational rows normalised by their first non-zero entry.
    let mut distinct: Vec<[Q; 3]> = Vec::new();
    for l in lines {
        let lead = if l[0].is_zero() { l[1].clone() } else { l[0].clone() };
        let n = [&l[0] / &lead, &l[1] / &lead, &l[2] / &lead];
        if !distinct.contains(&n) {
            distinct.push(n);
        }
    }
    let mut points: BTreeMap<(Q, Q), BTreeSet<usize>> = BTreeMap::new();
    for i in 0..distinct.len() {
        for j in i + 1..distinct.len() {
            let (p, q) = (&distinct[i], &distinct[j]);
            let det = &p[0] * &q[1] - &p[1] * &q[0];
            if det.is_zero() {
                continue;
            }
            let x = (-&p[2] * &q[1] + &p[1] * &q[2]) / &det;
            let y = (-&p[0] * &q[2] + &p[2] * &q[0]) / &det;
            let s = points.entry((x, y)).or_default();
            s.insert(i);
            s.insert(j);
        }
    }
    1 + distinct.len() + points.values().map(|s| s.len() - 1).sum::<usize>()
}

struct Case {
    name: String,
    net: Network,
    domain: Domain,
    /// The first layer's lines, when the net has one hidden layer (for the whole-plane count).
    lines: Option<Vec<[Q; 3]>>,
}

fn parse(text: &str) -> Network {
    parse_network(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn q(s: &str) -> Q {
    linregions::parse_rational(s).expect("exact number")
}

fn boxed(lo: &str, hi: &str) -> Domain {
    Domain::Box { lo: vec![q(lo), q(lo)], hi: vec![q(hi), q(hi)] }
}

/// Near-concurrent lines: `k` lines through one rational point, each moved by `0` or
/// `±10^-e` with `e` in 20..40.
fn near_concurrent(rng: &mut SplitMix64, t: usize) -> Case {
    let k = 3 + t % 4;
    let (px, py) = (format!("{}/{}", rng.small_int(3), 3 + t % 5), format!("{}/{}", rng.small_int(2), 7));
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for i in 0..k {
        let (a, b) = (rng.small_int(3), rng.small_int(3));
        let (a, b) = if a == 0 && b == 0 { (1, i as i64) } else { (a, b) };
        // c = -(a px + b py) + δ
        let delta = match rng.next_u64() % 3 {
            0 => Q::zero(),
            1 => Q::new(Z::one(), Z::from(10).pow(20 + (rng.next_u64() % 21) as u32)),
            _ => -Q::new(Z::one(), Z::from(10).pow(20 + (rng.next_u64() % 21) as u32)),
        };
        let c = -(Q::from_integer(Z::from(a)) * q(&px) + Q::from_integer(Z::from(b)) * q(&py)) + delta;
        rows.push((a.to_string(), b.to_string(), linregions::fmt_q(&c)));
        lines.push([Q::from_integer(Z::from(a)), Q::from_integer(Z::from(b)), c]);
    }
    let second: Option<Vec<Vec<i64>>> =
        (t % 3 == 2).then(|| (0..3).map(|_| (0..k).map(|_| rng.small_int(2)).collect()).collect());
    let net = parse(&net_json(&rows, second.as_deref(), rng));
    let domain = if t.is_multiple_of(2) { boxed("-1", "1") } else { Domain::Whole { dim: 2 } };
    Case { name: format!("near-concurrent {t}"), net, domain, lines: second.is_none().then_some(lines) }
}

/// Coefficients `m·10^e` with `|e|` in 150..400 (past the f64 range at 309), a box that
/// holds the lines' crossings.
fn huge(rng: &mut SplitMix64, t: usize) -> Case {
    let exps = [150, 154, 155, 200, 300, 307, 308, 309, 320, 400];
    let e = exps[t % exps.len()];
    let k = 2 + t % 4;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for _ in 0..k {
        let s = |rng: &mut SplitMix64| if rng.next_u64().is_multiple_of(2) { e } else { -e };
        let pick = |rng: &mut SplitMix64| match rng.next_u64() % 3 {
            0 => (rng.small_int(3), 0),
            _ => (rng.small_int(3), s(rng)),
        };
        let (a, ea) = pick(rng);
        let (b, eb) = pick(rng);
        let (a, ea) = if a == 0 && b == 0 { (1, ea) } else { (a, ea) };
        // The bias keeps the line through the box: -(a·10^ea·x0 + b·10^eb·y0) for a point
        // (x0, y0) of small rationals.
        let (x0, y0) =
            (Q::new(Z::from(rng.small_int(3)), Z::from(4)), Q::new(Z::from(rng.small_int(3)), Z::from(4)));
        let (aq, bq) = (q(&sci(a, ea)), q(&sci(b, eb)));
        let c = -(&aq * &x0 + &bq * &y0);
        rows.push((sci(a, ea), sci(b, eb), linregions::fmt_q(&c)));
        lines.push([aq, bq, c]);
    }
    let second: Option<Vec<Vec<i64>>> =
        (t % 4 == 3).then(|| (0..2).map(|_| (0..k).map(|_| rng.small_int(2)).collect()).collect());
    let net = parse(&net_json(&rows, second.as_deref(), rng));
    let domain = if t.is_multiple_of(2) { boxed("-8", "8") } else { Domain::Whole { dim: 2 } };
    Case { name: format!("huge 1e±{e} {t}"), net, domain, lines: second.is_none().then_some(lines) }
}

/// A tiny box `[-s, s]^2` (`s = 10^-150` or `10^-200`) or a far one `[10^15, 10^15 + 1]^2`,
/// with lines through it.
fn tiny_or_far(rng: &mut SplitMix64, t: usize) -> Case {
    let (lo, hi, centre, scale) = match t % 3 {
        0 => ("-1e-150".to_string(), "1e-150".to_string(), Q::zero(), q("1e-150")),
        1 => ("-1e-200".to_string(), "1e-200".to_string(), Q::zero(), q("1e-200")),
        _ => ("1e15".to_string(), "1000000000000001".to_string(), q("1000000000000001/2"), Q::one()),
    };
    let k = 3 + t % 4;
    let mut rows = Vec::new();
    for _ in 0..k {
        let (a, b) = (rng.small_int(3), rng.small_int(3));
        let (a, b) = if a == 0 && b == 0 { (1, 1) } else { (a, b) };
        let (x0, y0) = (
            &centre + &scale * Q::new(Z::from(rng.small_int(4)), Z::from(5)),
            &centre + &scale * Q::new(Z::from(rng.small_int(4)), Z::from(5)),
        );
        let c = -(Q::from_integer(Z::from(a)) * x0 + Q::from_integer(Z::from(b)) * y0);
        rows.push((a.to_string(), b.to_string(), linregions::fmt_q(&c)));
    }
    let second: Option<Vec<Vec<i64>>> =
        (t % 2 == 1).then(|| (0..3).map(|_| (0..k).map(|_| rng.small_int(2)).collect()).collect());
    let net = parse(&net_json(&rows, second.as_deref(), rng));
    Case { name: format!("tiny/far box {t} [{lo}, {hi}]"), net, domain: boxed(&lo, &hi), lines: None }
}

fn check(case: &Case) {
    let (name, net, domain) = (&case.name, &case.net, &case.domain);
    linregions::filter_check::check_paths_on(name, net, domain);
    if let Some(lines) = &case.lines
        && matches!(domain, Domain::Whole { .. })
    {
        let n = enumerate(net, domain, &Options::default()).unwrap().regions.len();
        assert_eq!(n, arrangement_regions(lines), "{name}: count");
    }
}

#[test]
fn near_concurrent_lines_agree_in_every_mode() {
    let mut rng = SplitMix64(2201);
    for t in 0..150 {
        check(&near_concurrent(&mut rng, t));
    }
}

#[test]
fn huge_and_tiny_coefficients_agree_in_every_mode() {
    let mut rng = SplitMix64(2202);
    for t in 0..100 {
        check(&huge(&mut rng, t));
    }
}

#[test]
fn tiny_and_far_boxes_agree_in_every_mode() {
    let mut rng = SplitMix64(2203);
    for t in 0..90 {
        check(&tiny_or_far(&mut rng, t));
    }
}

/// The nets of the issue, with their hand-checked answers (`fixtures/edges/`).
#[test]
fn reported_edge_nets_give_the_exact_answers() {
    let dir = format!("{}/fixtures/edges", env!("CARGO_MANIFEST_DIR"));
    // Four lines y = 1/3, x = 1/7, x + y = 10/21 + 1e-20, x + y = 1/2 + 1e-40: two parallel,
    // the other pairs meet in 5 distinct points: 1 + 4 + 5 = 10 regions; region 1110 (the
    // quadrilateral-like cell above y = 1/3, right of x = 1/7, between the two diagonals) has
    // 4 facets.
    let four = parse(&std::fs::read_to_string(format!("{dir}/four_lines.json")).unwrap());
    for domain in [Domain::Whole { dim: 2 }, boxed("-1", "1")] {
        let c = Case { name: "four lines".into(), net: four.clone(), domain, lines: None };
        check(&c);
    }
    let e = enumerate(&four, &Domain::Whole { dim: 2 }, &Options::default()).unwrap();
    assert_eq!(e.regions.len(), 10);
    let r = e
        .regions
        .iter()
        .find(|r| linregions::pattern_label(&four, &r.pattern) == "1110")
        .expect("region 1110");
    assert_eq!(r.facets.len(), 4);
    // Lines x = 0 and 1e308·x + y = 5e308 in [-8, 8]^2: the second crosses the box along
    // x ≈ 5, both cut it: 3 regions.
    let big = parse(&std::fs::read_to_string(format!("{dir}/e308.json")).unwrap());
    let c = Case { name: "1e308".into(), net: big.clone(), domain: boxed("-8", "8"), lines: None };
    check(&c);
    assert_eq!(enumerate(&big, &boxed("-8", "8"), &Options::default()).unwrap().regions.len(), 3);
    // Biases scaled by 1e-150 in the box [-1e-150, 1e-150]^2 (the partition's vertex order
    // and an asymmetric box that made its sort panic).
    let tiny = parse(&std::fs::read_to_string(format!("{dir}/tiny_biases.json")).unwrap());
    for domain in
        [boxed("-1e-150", "1e-150"), Domain::Box { lo: vec![q("1e-151"); 2], hi: vec![q("1e-150"); 2] }]
    {
        check(&Case { name: "tiny biases".into(), net: tiny.clone(), domain, lines: None });
    }
    // Weights scaled by 10^{-200, 0, 200} (wrong facets before).
    let w200 = parse(&std::fs::read_to_string(format!("{dir}/scaled_1e200.json")).unwrap());
    check(&Case { name: "scaled 1e200".into(), net: w200, domain: boxed("-1", "1"), lines: None });
}

#[test]
fn the_arrangement_count_is_right_on_known_cases() {
    // Three concurrent lines: 6 regions; in general position: 7; two parallel + one: 6.
    let l = |a: i64, b: i64, c: i64| {
        [Q::from_integer(Z::from(a)), Q::from_integer(Z::from(b)), Q::from_integer(Z::from(c))]
    };
    assert_eq!(arrangement_regions(&[l(1, 0, 0), l(0, 1, 0), l(1, 1, 0)]), 6);
    assert_eq!(arrangement_regions(&[l(1, 0, 0), l(0, 1, 0), l(1, 1, -1)]), 7);
    assert_eq!(arrangement_regions(&[l(1, 0, 0), l(1, 0, 1), l(0, 1, 0)]), 6);
    assert_eq!(arrangement_regions(&[l(1, 0, 0), l(2, 0, 0)]), 2);
    let _ = Signed::abs(&Q::one());
}

/// A 2-6-4-1 net with weights `m·10^±1000` (`bench/huge_weights.py 1000`): its regions have
/// facet points and centres of tens of thousands of digits; `verify` must read and accept
/// the document `enumerate` writes (it refused literals past 10,000 characters), and the
/// walk must agree with the mesh.
#[test]
fn huge_weights_round_trip_through_verify() {
    let dir = format!("{}/fixtures/edges", env!("CARGO_MANIFEST_DIR"));
    let net = parse(&std::fs::read_to_string(format!("{dir}/huge_1e1000.json")).unwrap());
    let e = enumerate(&net, &boxed("-1", "1"), &Options::default()).unwrap();
    let doc = linregions::formats::regions_json(&net, &boxed("-1", "1"), &e, None, None);
    assert!(doc.split(['"', ',', '[']).any(|t| t.len() > 10_000), "a literal past the old limit");
    check(&Case { name: "1e±1000".into(), net, domain: boxed("-1", "1"), lines: None });
}

/// The fuzz target `paths` on seeded bytes: 2D nets decoded at the filters' edges.
#[test]
fn decoded_nets_agree_in_every_mode() {
    let mut rng = SplitMix64(2204);
    for _ in 0..120 {
        let data: Vec<u8> = (0..96).map(|_| rng.next_u64() as u8).collect();
        linregions::filter_check::check_paths(&mut linregions::filter_check::Bytes::new(&data));
    }
}
