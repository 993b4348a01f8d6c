//! `compare` catches every planted mistake in `fixtures/compare/` (see its README), through
//! the library and through the real binary.

use linregions::compare::{
    PointIssue, RegionIssue, Spurious, classify, compare_patterns, compare_points, compare_regions,
};
use linregions::formats::{
    parse_other_patterns, parse_other_points, parse_other_regions, parse_pattern_text, parse_relucent,
};
use linregions::{Domain, Enumeration, Network, Options, enumerate, parse_network};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

fn setup() -> (Network, Domain, Enumeration) {
    let net = parse_network(&read("fixtures/small2d.json")).unwrap();
    let dom = Domain::default_box(2);
    let e = enumerate(&net, &dom, &Options::default()).unwrap();
    e.sanity_check(&net).unwrap();
    (net, dom, e)
}

#[test]
fn patterns_missing_spurious_duplicate() {
    let (net, dom, e) = setup();
    let p = |s: &str| parse_pattern_text(&net, s).unwrap();
    let diff = compare_patterns(
        &net,
        &dom,
        &e,
        &parse_other_patterns(&net, &read("fixtures/compare/patterns.txt")).unwrap(),
    );
    assert_eq!(diff.matched, 3);
    assert_eq!(diff.missing, vec![p("100")]);
    assert_eq!(diff.duplicates, vec![p("110")]);
    assert_eq!(
        diff.spurious,
        vec![(p("111"), Some(Spurious::OutsideDomain)), (p("001"), Some(Spurious::OutsideDomain))]
    );
    let json = parse_other_patterns(&net, &read("fixtures/compare/patterns.json")).unwrap();
    let diff = compare_patterns(&net, &dom, &e, &json);
    assert_eq!((diff.matched, diff.missing.len(), diff.spurious.len()), (3, 1, 1));
    let clean = compare_patterns(
        &net,
        &dom,
        &e,
        &parse_other_patterns(&net, &read("fixtures/compare/clean.txt")).unwrap(),
    );
    assert!(clean.ok());
}

#[test]
fn spurious_reasons_are_exact() {
    // Opposite neurons z and -z can never both be active: the polytope is a line.
    let net = parse_network(&read("fixtures/opposite_neuron.json")).unwrap();
    let dom = Domain::default_box(2);
    assert_eq!(
        classify(&net, &dom, &parse_pattern_text(&net, "111").unwrap()),
        Some(Spurious::LowerDimensional)
    );
    // The zero neuron (0:1) of dead_neuron.json marked active.
    let net = parse_network(&read("fixtures/dead_neuron.json")).unwrap();
    assert_eq!(
        classify(&net, &dom, &parse_pattern_text(&net, "11110").unwrap()),
        Some(Spurious::NonCanonical((0, 1)))
    );
    // The constant -1 neuron (0:4) active: empty everywhere.
    assert_eq!(classify(&net, &dom, &parse_pattern_text(&net, "10011").unwrap()), Some(Spurious::Empty));
    assert_eq!(classify(&net, &dom, &parse_pattern_text(&net, "10010").unwrap()), None);
}

#[test]
fn points_wrong_boundary_and_label_consistency() {
    let (net, _, _) = setup();
    let pts = parse_other_points(&net, &read("fixtures/compare/points.csv")).unwrap();
    assert_eq!(pts.len(), 6, "the header line is skipped");
    let diff = compare_points(&net, &pts);
    assert_eq!(diff.correct, 4);
    assert_eq!(diff.issues.len(), 2);
    assert!(
        matches!(&diff.issues[0], PointIssue::OnBoundary { index: 4, neurons } if neurons == &vec![(0, 0)])
    );
    assert!(
        matches!(&diff.issues[1], PointIssue::WrongPattern { index: 5, truth } if *truth == parse_pattern_text(&net, "000").unwrap())
    );
    let labels = parse_other_points(&net, &read("fixtures/compare/points-labels.json")).unwrap();
    let diff = compare_points(&net, &labels);
    assert!(
        diff.issues.iter().any(|i| matches!(i, PointIssue::LabelSplitsRegions { label, .. } if label == "A"))
    );
    assert!(diff.issues.iter().any(|i| matches!(i, PointIssue::RegionHasLabels { labels, .. } if labels == &vec!["C".to_string(), "D".to_string()])));
}

#[test]
fn regions_facets_inradius_and_missing() {
    let (net, _, e) = setup();
    let theirs = parse_other_regions(&net, &read("fixtures/compare/regions.json")).unwrap();
    let diff = compare_regions(&net, &e, &theirs, 1e-6);
    assert_eq!(diff.matched, 3);
    assert_eq!(diff.missing, vec![2]);
    assert_eq!(diff.issues.len(), 2);
    assert!(matches!(diff.issues[0], RegionIssue::Facets { index: 0, region: 0, missing: 1, extra: 0 }));
    assert!(matches!(diff.issues[1], RegionIssue::Inradius { index: 1, region: 1, .. }));
    // A loose tolerance forgives the inradius, never the facet.
    let loose = compare_regions(&net, &e, &theirs, 0.2);
    assert_eq!(loose.issues.len(), 1);
}

#[test]
fn relucent_export_is_read() {
    let (net, dom, e) = setup();
    let (pats, regions) = parse_relucent(&net, &read("fixtures/compare/relucent.json")).unwrap();
    assert_eq!(pats.len(), 4);
    assert_eq!(regions.len(), 1);
    let diff = compare_patterns(&net, &dom, &e, &pats);
    assert_eq!((diff.matched, diff.missing.len(), diff.spurious.len()), (3, 1, 1));
    let rd = compare_regions(&net, &e, &regions, 1e-6);
    assert_eq!((rd.matched, rd.issues.len()), (1, 0));
}

#[test]
fn cli_exit_codes_and_summary() {
    let run = |file: &str, format: &str| {
        Command::new(env!("CARGO_BIN_EXE_linregions"))
            .args(["compare", "fixtures/small2d.json", "--other", file, "--format", format])
            .current_dir(root())
            .output()
            .unwrap()
    };
    let o = run("fixtures/compare/patterns.txt", "patterns");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 matched, 1 missing, 2 spurious"));
    let o = run("fixtures/compare/clean.txt", "patterns");
    assert_eq!(o.status.code(), Some(0));
    let o = run("fixtures/compare/points.csv", "regions");
    assert_eq!(o.status.code(), Some(2), "a file in the wrong format is bad input");
}
