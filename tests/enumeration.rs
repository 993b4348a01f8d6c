//! Known answers (Zaslavsky, 2D box formula), degenerate fixtures with hand-derived answers,
//! and property tests on random small integer networks against brute force.

use linregions::internals::geometry::{Grouped, Interior};
use linregions::internals::num::{Q, dot, qi};
use linregions::internals::regions::enumerate::region_rows;
use linregions::random::{SplitMix64, gaussian_net, integer_net};
use linregions::{Domain, Enumeration, Network, Options, Pattern, Source, enumerate, pattern_at};
use num_traits::{Signed, Zero};
use std::collections::BTreeSet;

fn binom(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

fn run(net: &Network, domain: &Domain) -> Enumeration {
    let e = enumerate(net, domain, &Options::default()).expect("enumerate");
    e.sanity_check(net).expect("sanity");
    e
}

fn fixture(name: &str) -> Network {
    let text = std::fs::read_to_string(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    linregions::parse_network(&text).unwrap()
}

fn unit_box(d: usize) -> Domain {
    Domain::default_box(d)
}

#[test]
fn zaslavsky_one_hidden_layer_whole_space() {
    for &(n, d, seed) in &[(3, 1, 1), (5, 2, 2), (8, 2, 3), (6, 3, 4), (7, 3, 5), (5, 4, 6), (7, 4, 7)] {
        let net = gaussian_net(&[d, n, 1], seed, 0.5);
        let e = run(&net, &Domain::Whole { dim: d });
        let expected: u64 = (0..=d as u64).map(|i| binom(n as u64, i)).sum();
        let bounded = e.regions.iter().filter(|r| r.bounded).count() as u64;
        assert_eq!(e.regions.len() as u64, expected, "regions for n={n}, d={d}");
        assert_eq!(bounded, binom(n as u64 - 1, d as u64), "bounded for n={n}, d={d}");
        // A bounded region has a finite insphere.
        for r in e.regions.iter().filter(|r| r.bounded) {
            assert!(matches!(r.insphere, linregions::Insphere::Finite { .. }));
        }
    }
}

/// `1 + (#lines crossing the open box) + (#crossings inside the open box)` for lines in
/// general position (checked exactly: no crossing on the boundary, no three concurrent).
#[test]
fn lines_in_a_box() {
    for seed in 0..6u64 {
        let n = 4 + seed as usize;
        let net = gaussian_net(&[2, n, 1], 100 + seed, 0.5);
        let h = &net.hidden()[0].dense;
        let lines: Vec<(Vec<Q>, Q)> = h.weight.iter().cloned().zip(h.bias.iter().cloned()).collect();
        let corners = [[-1, -1], [-1, 1], [1, -1], [1, 1]].map(|c| vec![qi(c[0]), qi(c[1])]);
        let crosses = |(w, b): &(Vec<Q>, Q)| {
            let v: Vec<Q> = corners.iter().map(|c| dot(w, c) + b).collect();
            v.iter().any(|x| x.is_positive()) && v.iter().any(|x| x.is_negative())
        };
        let n_cross = lines.iter().filter(|l| crosses(l)).count();
        let mut inside = 0;
        let mut points = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (&lines[i], &lines[j]);
                let det = &a.0[0] * &b.0[1] - &a.0[1] * &b.0[0];
                assert!(!det.is_zero());
                let x = (-&a.1 * &b.0[1] + &b.1 * &a.0[1]) / &det;
                let y = (-&a.0[0] * &b.1 + &b.0[0] * &a.1) / &det;
                assert!(x.abs() != qi(1) && y.abs() != qi(1), "crossing on the boundary");
                if x.abs() < qi(1) && y.abs() < qi(1) {
                    inside += 1;
                }
                points.push((x, y));
            }
        }
        let distinct: BTreeSet<_> = points.iter().cloned().collect();
        assert_eq!(distinct.len(), points.len(), "three concurrent lines");
        let e = run(&net, &unit_box(2));
        assert_eq!(e.regions.len(), 1 + n_cross + inside, "seed {seed}");
    }
}

fn bits(s: &str) -> Pattern {
    Pattern(s.chars().map(|c| c == '1').collect())
}

fn patterns(e: &Enumeration) -> Vec<Pattern> {
    e.regions.iter().map(|r| r.pattern.clone()).collect()
}

#[test]
fn degenerate_duplicate_neurons_form_one_facet() {
    for (name, shared) in [("duplicate_neuron.json", (0, 1)), ("scaled_duplicate.json", (0, 1))] {
        let net = fixture(name);
        let e = run(&net, &unit_box(2));
        assert_eq!(e.regions.len(), 4, "{name}");
        // The two coinciding neurons always have equal bits and flip together.
        for r in &e.regions {
            assert_eq!(r.pattern.0[shared.0], r.pattern.0[shared.1], "{name}");
        }
        let multi: Vec<_> = e.edges().filter(|(_, _, c)| c.neurons.len() == 2).collect();
        assert_eq!(multi.len(), 2, "{name}: two crossings flip both duplicates");
        for r in &e.regions {
            for f in &r.facets {
                if f.sources.contains(&Source::Neuron((0, shared.0))) {
                    assert!(
                        f.sources.contains(&Source::Neuron((0, shared.1))),
                        "{name}: one facet, both sources"
                    );
                }
            }
        }
    }
}

#[test]
fn degenerate_opposite_neuron() {
    let net = fixture("opposite_neuron.json");
    let e = run(&net, &unit_box(2));
    assert_eq!(e.regions.len(), 4);
    for r in &e.regions {
        assert_ne!(r.pattern.0[0], r.pattern.0[1], "opposite neurons have opposite bits");
    }
}

#[test]
fn degenerate_dead_and_constant_neurons() {
    let net = fixture("dead_neuron.json");
    let e = run(&net, &unit_box(2));
    assert_eq!(patterns(&e), vec![bits("00010"), bits("00110"), bits("10010"), bits("10110")]);
    // Constant neurons never appear as facet sources.
    for r in &e.regions {
        for f in &r.facets {
            for s in &f.sources {
                assert!(!matches!(s, Source::Neuron((0, 1 | 3 | 4))));
            }
        }
    }
}

#[test]
fn degenerate_all_biases_zero() {
    let e = run(&fixture("zero_biases.json"), &unit_box(2));
    assert_eq!(e.regions.len(), 10); // 5 lines through the origin: 2n sectors
    let e = run(&fixture("zero_biases.json"), &Domain::Whole { dim: 2 });
    assert_eq!(e.regions.len(), 10);
    assert!(e.regions.iter().all(|r| !r.bounded));
    // 4 generic planes through the origin of R^3: 2 * (C(3,0) + C(3,1) + C(3,2)) = 14.
    let e = run(&fixture("zero_biases_3d.json"), &Domain::Whole { dim: 3 });
    assert_eq!(e.regions.len(), 14);
}

#[test]
fn degenerate_lines_through_corners_and_along_faces() {
    let net = fixture("box_corners_faces.json");
    let e = run(&net, &unit_box(2));
    assert_eq!(e.regions.len(), 4); // the two diagonals; the face lines cut nothing
    // The neuron x - 1 lies on the domain face x <= 1 (row 1): one facet, both sources.
    let with_face = e
        .regions
        .iter()
        .flat_map(|r| &r.facets)
        .filter(|f| f.sources == vec![Source::Neuron((0, 2)), Source::Domain(1)])
        .count();
    assert_eq!(with_face, 1); // only the triangle x > |y| touches x = 1
    // Whole space: 5 lines, two triple points, 1 + 5 + (1 + 2 + 2 + 1 + 1) = 13.
    assert_eq!(run(&net, &Domain::Whole { dim: 2 }).regions.len(), 13);
}

#[test]
fn degenerate_three_concurrent_lines() {
    let net = fixture("three_concurrent.json");
    assert_eq!(run(&net, &unit_box(2)).regions.len(), 6);
    assert_eq!(run(&net, &Domain::Whole { dim: 2 }).regions.len(), 6);
}

#[test]
fn degenerate_deeper_neuron_coincides_with_shallower() {
    // Layer 1: relu(x), relu(y). Layer 2: g0 = relu(x) (zero on x < 0, equal to x on x > 0),
    // g1 = relu(x) - 1/2.
    let net = fixture("deep_coincident.json");
    let e = run(&net, &unit_box(2));
    assert_eq!(e.regions.len(), 6);
    for r in &e.regions {
        assert_eq!(r.pattern.0[0], r.pattern.0[2], "g0 is active exactly where x > 0");
        for f in &r.facets {
            if f.a == vec![qi(1), qi(0)] && f.b.is_zero() || f.a == vec![qi(-1), qi(0)] && f.b.is_zero() {
                if r.pattern.0[0] {
                    // On x > 0 the deeper neuron shares the hyperplane x = 0.
                    assert_eq!(f.sources, vec![Source::Neuron((0, 0)), Source::Neuron((1, 0))]);
                } else {
                    // On x < 0 it is identically zero: not a source.
                    assert_eq!(f.sources, vec![Source::Neuron((0, 0))]);
                }
            }
        }
    }
    // Crossing x = 0 flips a first- and a second-layer neuron together.
    assert!(e.edges().any(|(_, _, c)| c.neurons == vec![(0, 0), (1, 0)]));
}

#[test]
fn leaky_relu_fixture_is_consistent() {
    let net = fixture("leaky.json");
    let e = run(&net, &unit_box(2));
    assert_eq!(e.regions.len(), 10);
    // The affine map of each region equals the network at its interior point.
    for r in &e.regions {
        let y: Vec<Q> =
            r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &r.interior_point) + b).collect();
        assert_eq!(y, net.eval(&r.interior_point));
    }
}

/// Brute force over all 2^N patterns: a pattern is a region iff its polyhedron is
/// full-dimensional and every neuron that is identically zero there is marked 0.
fn brute_force_patterns(net: &Network, domain: &Domain) -> BTreeSet<Pattern> {
    let n = net.num_neurons();
    let d = net.input_dim();
    let rows = domain.rows();
    let mut out = BTreeSet::new();
    for mask in 0u32..(1 << n) {
        let p = Pattern((0..n).map(|k| mask >> (n - 1 - k) & 1 == 1).collect());
        if net.zero_but_active(&p).is_some() {
            continue;
        }
        if let (Grouped::Rows(hs), _) = region_rows(net, &rows, &p)
            && let Interior::Point(_) = hs.interior_point(d)
        {
            out.insert(p);
        }
    }
    out
}

#[test]
fn property_random_integer_nets_match_brute_force() {
    let shapes: &[&[usize]] =
        &[&[2, 3, 1], &[2, 4, 1], &[2, 3, 3, 1], &[2, 2, 2, 2, 1], &[3, 3, 2, 1], &[1, 3, 2, 1]];
    let mut rng = SplitMix64(99);
    let mut total = 0;
    for (si, dims) in shapes.iter().enumerate() {
        for seed in 0..8u64 {
            let net = integer_net(dims, 1000 * si as u64 + seed, 2);
            let d = dims[0];
            for domain in [Domain::Box { lo: vec![qi(-2); d], hi: vec![qi(2); d] }, Domain::Whole { dim: d }]
            {
                let e = run(&net, &domain);
                total += e.regions.len();
                let found: BTreeSet<Pattern> = patterns(&e).into_iter().collect();
                assert_eq!(found.len(), e.regions.len(), "patterns unique");
                assert_eq!(found, brute_force_patterns(&net, &domain), "{dims:?} seed {seed} {domain:?}");
                // Facets (the polar hull in 2D, Clarkson otherwise) equal the set found by one LP per row.
                for r in &e.regions {
                    let (Grouped::Rows(hs), _) = region_rows(&net, &domain.rows(), &r.pattern) else {
                        panic!()
                    };
                    let brute: Vec<(Vec<Q>, Q)> = (0..hs.len())
                        .filter(|&k| hs.facet_point(k, d).is_some())
                        .map(|k| (hs.a[k].clone(), hs.b[k].clone()))
                        .collect();
                    let mine: Vec<(Vec<Q>, Q)> =
                        r.facets.iter().map(|f| (f.a.clone(), f.b.clone())).collect();
                    assert_eq!(mine, brute);
                    // L2 radius between the L-inf radius and sqrt(d) times it.
                    if let (
                        linregions::Insphere::Finite { radius_lower, radius_upper, .. },
                        linregions::LinfInsphere::Finite { radius, .. },
                    ) = (&r.insphere, &r.insphere_linf)
                    {
                        assert!(radius_upper >= radius);
                        assert!(radius_lower * radius_lower <= qi(d as i64) * radius * radius);
                    }
                }
                // Random rational points of the open box: the region found by evaluation is enumerated and
                // the point satisfies its facets.
                for _ in 0..30 {
                    let x: Vec<Q> = (0..d).map(|_| Q::new(rng.small_int(39).into(), 20.into())).collect();
                    let (p, _) = pattern_at(&net, &x);
                    let r = e.regions.iter().find(|r| r.pattern == p).expect("region of a point");
                    for f in &r.facets {
                        assert!(dot(&f.a, &x) <= f.b);
                    }
                }
            }
        }
    }
    assert!(total > 300, "the property test must see many regions, saw {total}");
}

#[test]
fn output_is_independent_of_everything_but_the_input() {
    let net = fixture("net-2-8-8-1.json");
    let dom = Domain::Box { lo: vec![qi(-3), qi(-2)], hi: vec![qi(2), qi(3)] };
    let a = linregions::formats::regions_json(&net, &dom, &run(&net, &dom), None, None);
    let b = linregions::formats::regions_json(&net, &dom, &run(&net, &dom), None, None);
    assert_eq!(a, b);
}

#[test]
fn streaming_walk_gives_the_same_regions_and_summary() {
    for (name, domain) in [
        ("net-2-8-8-1.json", Domain::Box { lo: vec![qi(-3), qi(-3)], hi: vec![qi(3), qi(3)] }),
        ("net-3-6-6-1.json", Domain::Whole { dim: 3 }),
    ] {
        let net = fixture(name);
        let opts = Options::default();
        let mut kept = Vec::new();
        let e = linregions::enumerate_with(&net, &domain, &opts, |r, _| kept.push(r.clone())).unwrap();
        let mut streamed = Vec::new();
        let summary = linregions::stream(&net, &domain, &opts, |r, p| {
            assert_eq!(p.regions, streamed.len() + 1);
            streamed.push(r.clone());
        })
        .unwrap();
        // Same regions in the same walk order with the same walk ids, and the same totals.
        assert_eq!(streamed, kept, "{name}");
        assert_eq!(summary, e.summary(), "{name}");
        // The inradius line: the floats of the exact min, median and max lower radii.
        let mut radii: Vec<linregions::Q> = e
            .regions
            .iter()
            .filter_map(|r| match &r.insphere {
                linregions::Insphere::Finite { radius_lower, .. } => Some(radius_lower.clone()),
                linregions::Insphere::Unbounded => None,
            })
            .collect();
        radii.sort();
        let f = linregions::internals::num::to_f64;
        let (lo, mid, hi) = (f(&radii[0]), f(&radii[(radii.len() - 1) / 2]), f(&radii[radii.len() - 1]));
        assert_eq!(summary.inradius, Some((lo, mid, hi)), "{name}");
        e.sanity_check(&net).unwrap();
    }
}

#[test]
fn extreme_magnitudes_fall_back_to_exact_arithmetic() {
    // Weights beyond the f64 range (1e400) and below it (1e-400): every float filter and
    // float guess must give up (infinite or zero images) and the exact path decide. Four
    // neurons in general position in R^3: 1 + 4 + 6 + 4 = 15 regions (Zaslavsky).
    let net = linregions::parse_network(
        r#"{"input_dim": 3, "layers": [
        {"type": "dense", "weight": [["1e400", "2e400", "1"], ["-3e-400", "1e-400", "2"],
                                     ["1", "-1", "1"], ["1", "1", "-1e300"]],
         "bias": ["1e399", "0", "1/3", "1/7"]},
        {"type": "relu"},
        {"type": "dense", "weight": [["1", "1e-300", "-2", "1"]], "bias": ["0"]}]}"#,
    )
    .unwrap();
    let e = run(&net, &Domain::Whole { dim: 3 });
    assert_eq!(e.regions.len(), 15);
    assert_eq!(e.regions.iter().filter(|r| r.bounded).count(), 1); // C(3, 3)
    e.sanity_check(&net).unwrap();
}
