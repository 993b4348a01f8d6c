//! `verify` passes on every fixture's enumeration and reports every planted mistake under
//! the right check; exact volumes sum to the domain's; linear regions merge as derived by
//! hand.

use linregions::formats::{parse_regions, regions_json};
use linregions::internals::num::qi;
use linregions::linear_regions;
use linregions::verify::{CHECKS, verify};
use linregions::{Domain, Network, Options, enumerate, parse_network};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Network {
    parse_network(&std::fs::read_to_string(root().join("fixtures").join(name)).unwrap()).unwrap()
}

fn nets() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "net-2-16-16-1.json")
        .collect();
    v.sort();
    v
}

#[test]
fn verify_passes_on_every_fixture_enumeration() {
    let opts = Options::default().volumes(true);
    for name in nets() {
        let net = fixture(&name);
        let d = net.input_dim();
        for domain in [Domain::default_box(d), Domain::Whole { dim: d }] {
            let e = enumerate(&net, &domain, &opts).unwrap();
            e.sanity_check(&net).unwrap();
            let file = parse_regions(&regions_json(&net, &domain, &e, None, None)).unwrap();
            let report = verify(&net, &domain, &file).unwrap();
            assert!(
                report.ok(),
                "{name} {domain:?}: {:?}",
                report.checks.iter().filter(|c| !c.failures.is_empty()).collect::<Vec<_>>()
            );
            if let Domain::Box { .. } = domain {
                assert_eq!(e.volumes_sum_to(&domain), Some(true), "{name}: volumes must sum to the box's");
            }
        }
    }
}

#[test]
fn volumes_sum_on_a_polytope_domain() {
    let net = fixture("net-3-6-6-1.json");
    // The simplex x, y, z >= -1, x + y + z <= 1 (edges of length 4): volume 4^3 / 6 = 32/3.
    let domain = Domain::Polytope {
        a: vec![
            vec![qi(-1), qi(0), qi(0)],
            vec![qi(0), qi(-1), qi(0)],
            vec![qi(0), qi(0), qi(-1)],
            vec![qi(1), qi(1), qi(1)],
        ],
        b: vec![qi(1), qi(1), qi(1), qi(1)],
    };
    assert_eq!(domain.volume(), Some(linregions::Q::new(32.into(), 3.into())));
    let e = enumerate(&net, &domain, &Options::default().volumes(true)).unwrap();
    e.sanity_check(&net).unwrap();
    assert!(e.regions.len() > 10);
    assert_eq!(e.volumes_sum_to(&domain), Some(true));
}

#[test]
fn every_check_has_a_fixture_that_it_catches() {
    let net = fixture("small2d.json");
    let dir = root().join("fixtures/verify");
    let ok = parse_regions(&std::fs::read_to_string(dir.join("small2d.ok.json")).unwrap()).unwrap();
    let domain = ok.domain.clone().unwrap();
    assert!(verify(&net, &domain, &ok).unwrap().ok());
    for (name, _) in CHECKS {
        let path = dir.join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no fixture for check {name}"));
        let file = parse_regions(&text).unwrap();
        let report = verify(&net, &domain, &file).unwrap();
        let check = report.check(name);
        assert!(!check.failures.is_empty(), "check {name} missed its planted mistake");
        assert!(!report.ok());
    }
    // The dropped region is named as missing.
    let file = parse_regions(&std::fs::read_to_string(dir.join("closure.json")).unwrap()).unwrap();
    let report = verify(&net, &domain, &file).unwrap();
    assert_eq!(report.missing.len(), 1);
    assert_eq!(net.pattern_strings(&report.missing[0]), ok.regions.last().unwrap().pattern);
}

#[test]
fn linear_regions_merge_dead_and_cancelling_units() {
    let cases = [
        // name, activation regions, linear regions, convex linear regions
        ("dead_unit.json", 4, 2, 2),        // the y-neuron has output weight 0
        ("cancelling.json", 4, 2, 2),       // relu(x+y) - relu(x+y) cancels
        ("deep_coincident.json", 6, 3, 3),  // output depends on x only
        ("nonconvex_linear.json", 5, 3, 2), // relu(min(x, y)): its zero set is an L
        ("small2d.json", 4, 4, 4),          // all maps differ
    ];
    for (name, regions, linear, convex) in cases {
        let net = fixture(name);
        let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
        e.sanity_check(&net).unwrap();
        let l = linear_regions(&e);
        assert_eq!(e.regions.len(), regions, "{name}");
        assert_eq!(l.members.len(), linear, "{name}");
        assert_eq!(l.convex.iter().filter(|c| **c).count(), convex, "{name}");
        // Members of one linear region share the affine map; neighbours in different ones differ.
        for (a, b, _) in e.edges() {
            let same = e.regions[a].logits == e.regions[b].logits;
            assert_eq!(same, l.of_region[a] == l.of_region[b], "{name}");
        }
    }
}

/// Completeness is not vacuous: a file with no regions (or without the start region) fails
/// `closure`, with no other check to catch it.
#[test]
fn an_empty_regions_file_is_not_complete() {
    let net = fixture("small2d.json");
    let dir = root().join("fixtures/verify");
    let mut file = parse_regions(&std::fs::read_to_string(dir.join("small2d.ok.json")).unwrap()).unwrap();
    let domain = file.domain.clone().unwrap();
    file.regions.clear();
    file.edges.clear();
    let report = verify(&net, &domain, &file).unwrap();
    assert!(!report.ok());
    assert_eq!(report.check("closure").failures.len(), 1, "{report:?}");
}

/// A plane slice is checked against the plane given: its plane and every
/// `interior_point_input`; verified without a plane, it fails `plane`.
#[test]
fn plane_files_are_checked_against_their_plane() {
    use linregions::formats::{Plane, parse_three_points};
    use linregions::verify_slice;
    let net = fixture("net-3-6-6-1.json");
    let pts =
        parse_three_points(&std::fs::read_to_string(root().join("fixtures/plane3.csv")).unwrap(), 3).unwrap();
    let diff =
        |a: &[linregions::Q], b: &[linregions::Q]| a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>();
    let plane = Plane { origin: pts[0].clone(), u: diff(&pts[1], &pts[0]), v: diff(&pts[2], &pts[0]) };
    let sliced = net.on_plane(&plane.origin, &plane.u, &plane.v);
    let domain = Domain::default_box(2);
    let e = enumerate(&sliced, &domain, &Options::default()).unwrap();
    let text = regions_json(&sliced, &domain, &e, None, Some(&plane));
    let file = parse_regions(&text).unwrap();
    assert!(verify_slice(&sliced, &domain, &file, Some(&plane)).unwrap().ok());
    assert!(!verify(&sliced, &domain, &file).unwrap().check("plane").failures.is_empty());
    let mut moved = plane.clone();
    moved.origin[0] += qi(1);
    assert!(!verify_slice(&sliced, &domain, &file, Some(&moved)).unwrap().check("plane").failures.is_empty());
    let mut tampered = file.clone();
    tampered.regions[0].interior_point_input.as_mut().unwrap()[0] += qi(1);
    let report = verify_slice(&sliced, &domain, &tampered, Some(&plane)).unwrap();
    assert_eq!(report.check("plane").failures.len(), 1);
}

/// A domain whose arrays do not fit together is an error, not a panic.
#[test]
fn misshapen_domains_are_errors() {
    use linregions::DomainError;
    let net = fixture("small2d.json");
    let dir = root().join("fixtures/verify");
    let file = parse_regions(&std::fs::read_to_string(dir.join("small2d.ok.json")).unwrap()).unwrap();
    let ragged = Domain::Polytope { a: vec![vec![qi(1), qi(0)], vec![qi(0)]], b: vec![qi(1), qi(1)] };
    let long_b =
        Domain::Polytope { a: vec![vec![qi(1), qi(0)], vec![qi(0), qi(1)]], b: vec![qi(1), qi(1), qi(5)] };
    let short_hi = Domain::Box { lo: vec![qi(-1), qi(-1)], hi: vec![qi(1)] };
    for dom in [ragged, long_b, short_hi] {
        match verify(&net, &dom, &file) {
            Err(DomainError::Shape(msg)) => assert!(!msg.is_empty()),
            other => panic!("{dom:?}: {other:?}"),
        }
    }
}
