//! Compare another tool's output with the exact enumeration and say exactly where it is
//! wrong: missing, spurious and duplicate patterns; mislabelled points; polytopes whose
//! facets or inradius differ.
//!
//! Every verdict on our side is exact. The only tolerance is `rtol`, used to compare the
//! other tool's float facets and inradii with ours (a statement about the other tool's
//! rounding, never about the regions).

use crate::arith::num::{Q, to_f64};
use crate::geometry::domain::Domain;
use crate::geometry::{Grouped, Halfspaces, Insphere, Interior, Source, group_rows};
use crate::network::pattern_at;
use crate::network::{Network, NeuronId, Pattern};
use crate::regions::enumerate::{Enumeration, region_rows};
use std::collections::{BTreeMap, BTreeSet};

/// Why another tool's pattern is not one of our regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spurious {
    /// No point of the domain has this pattern.
    Empty,
    /// The pattern's polytope is lower-dimensional (a piece of a boundary).
    LowerDimensional,
    /// Full-dimensional in the whole space, but it does not meet the domain's interior.
    OutsideDomain,
    /// A neuron identically zero on the region is marked 1 (the region exists under the
    /// pattern with that bit 0).
    NonCanonical(NeuronId),
}

/// Result of comparing pattern lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PatternDiff {
    pub matched: usize,
    pub missing: Vec<Pattern>,
    pub spurious: Vec<(Pattern, Option<Spurious>)>,
    pub duplicates: Vec<Pattern>,
}

impl PatternDiff {
    pub fn ok(&self) -> bool {
        self.missing.is_empty() && self.spurious.is_empty() && self.duplicates.is_empty()
    }
}

/// Why `p` is not a region of `domain` (`None` if it is one).
pub fn classify(net: &Network, domain: &Domain, p: &Pattern) -> Option<Spurious> {
    let d = net.input_dim();
    if let Some(k) = net.zero_but_active(p) {
        return Some(Spurious::NonCanonical(net.neuron_id(k)));
    }
    let full = |rows: &[(Vec<Q>, Q)]| match region_rows(net, rows, p).0 {
        Grouped::Empty => Interior::Empty,
        Grouped::Rows(hs) => hs.interior_point(d),
    };
    if let Interior::Point(_) = full(&domain.rows()) {
        return None;
    }
    Some(match full(&[]) {
        Interior::Point(_) => Spurious::OutsideDomain,
        Interior::LowerDimensional => Spurious::LowerDimensional,
        Interior::Empty => Spurious::Empty,
    })
}

/// Compare another tool's list of patterns with ours.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, compare::compare_patterns, enumerate};
/// let domain = Domain::default_box(2);
/// let e = enumerate(&net, &domain, &Options::default()).unwrap();
/// let mut theirs: Vec<_> = e.regions.iter().map(|r| r.pattern.clone()).collect();
/// theirs.pop(); // another tool missed a region
/// let diff = compare_patterns(&net, &domain, &e, &theirs);
/// assert!(!diff.ok());
/// ```
pub fn compare_patterns(net: &Network, domain: &Domain, e: &Enumeration, theirs: &[Pattern]) -> PatternDiff {
    let ours: BTreeSet<&Pattern> = e.regions.iter().map(|r| &r.pattern).collect();
    let mut seen: BTreeSet<&Pattern> = BTreeSet::new();
    let mut diff = PatternDiff::default();
    for p in theirs {
        if !seen.insert(p) {
            if !diff.duplicates.contains(p) {
                diff.duplicates.push(p.clone());
            }
            continue;
        }
        if ours.contains(p) {
            diff.matched += 1;
        } else {
            diff.spurious.push((p.clone(), classify(net, domain, p)));
        }
    }
    diff.missing = ours.into_iter().filter(|p| !seen.contains(p)).cloned().collect();
    diff
}

/// A label another tool gave a point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Pattern(Pattern),
    /// The other tool's own region name; checked for consistency (one label per region).
    Opaque(String),
}

/// What is wrong with one labelled point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointIssue {
    /// The point's pattern is `truth`, not the label.
    WrongPattern { index: usize, truth: Pattern },
    /// The point lies where these neurons vanish: on a region boundary.
    OnBoundary { index: usize, neurons: Vec<NeuronId> },
    /// One opaque label covers points of several of our regions.
    LabelSplitsRegions { label: String, patterns: Vec<Pattern> },
    /// Points of one of our regions carry several opaque labels.
    RegionHasLabels { pattern: Pattern, labels: Vec<String> },
}

/// Result of comparing labelled points.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PointDiff {
    pub correct: usize,
    pub issues: Vec<PointIssue>,
}

impl PointDiff {
    pub fn wrong(&self) -> usize {
        self.issues.iter().filter(|i| !matches!(i, PointIssue::OnBoundary { .. })).count()
    }
    pub fn boundary(&self) -> usize {
        self.issues.iter().filter(|i| matches!(i, PointIssue::OnBoundary { .. })).count()
    }
}

/// Check labelled points by exact evaluation.
pub fn compare_points(net: &Network, points: &[(Vec<Q>, Label)]) -> PointDiff {
    let mut diff = PointDiff::default();
    let mut by_label: BTreeMap<String, BTreeSet<Pattern>> = BTreeMap::new();
    let mut by_region: BTreeMap<Pattern, BTreeSet<String>> = BTreeMap::new();
    for (index, (x, label)) in points.iter().enumerate() {
        let (truth, zeros) = net.lex_pattern(x, &[]);
        if !zeros.is_empty() {
            diff.issues.push(PointIssue::OnBoundary { index, neurons: zeros });
            continue;
        }
        match label {
            Label::Pattern(p) if *p == truth => diff.correct += 1,
            Label::Pattern(_) => diff.issues.push(PointIssue::WrongPattern { index, truth }),
            Label::Opaque(s) => {
                by_label.entry(s.clone()).or_default().insert(truth.clone());
                by_region.entry(truth).or_default().insert(s.clone());
                diff.correct += 1;
            }
        }
    }
    for (label, pats) in by_label {
        if pats.len() > 1 {
            diff.issues.push(PointIssue::LabelSplitsRegions { label, patterns: pats.into_iter().collect() });
        }
    }
    for (pattern, labels) in by_region {
        if labels.len() > 1 {
            diff.issues.push(PointIssue::RegionHasLabels { pattern, labels: labels.into_iter().collect() });
        }
    }
    diff
}

/// Another tool's polytope: rows `a x <= b` (their floats, read as exact values), and
/// optionally its pattern and inradius.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherRegion {
    pub a: Vec<Vec<Q>>,
    pub b: Vec<Q>,
    pub pattern: Option<Pattern>,
    pub inradius: Option<f64>,
}

/// What is wrong with one of the other tool's polytopes.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionIssue {
    /// The polytope is empty or not full-dimensional.
    Degenerate { index: usize },
    /// It matches none of our regions (its interior point's region has another pattern
    /// than it claims, or the claimed pattern is not a region).
    Unmatched { index: usize },
    /// Facet sets differ: ours not found in theirs, theirs not found in ours (as unit
    /// normals and offsets, `rtol`).
    Facets { index: usize, region: usize, missing: usize, extra: usize },
    /// Inradius off by more than `rtol` (relative).
    Inradius { index: usize, region: usize, theirs: f64, ours: f64 },
}

/// Result of comparing polytopes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionDiff {
    pub matched: usize,
    pub issues: Vec<RegionIssue>,
    /// Our regions no polytope matched.
    pub missing: Vec<usize>,
}

/// Each row `(a, b)` as floats `(a, b) / ||a||`, for matching facets within a tolerance.
/// The row is scaled by a power of two first (its integer form's largest entry near 1), so
/// rows of any magnitude give finite unit rows (squares of entries past ~1e154 would
/// overflow, entries below ~1e-154 would vanish).
fn unit_rows(a: &[Vec<Q>], b: &[Q]) -> Vec<Vec<f64>> {
    a.iter()
        .zip(b)
        .map(|(r, bi)| {
            let all: Vec<Q> = r.iter().chain([bi]).cloned().collect();
            let (ints, _) = crate::arith::num::common_denominator(&all);
            let (v, _) = crate::arith::filter::scaled_ints(&ints);
            let n = v[..r.len()].iter().map(|x| x * x).sum::<f64>().sqrt();
            v.iter().map(|x| x / n).collect()
        })
        .collect()
}

fn close(u: &[f64], v: &[f64], rtol: f64) -> bool {
    u.iter().zip(v).all(|(x, y)| (x - y).abs() <= rtol * x.abs().max(y.abs()).max(1.0))
}

/// Match each of the other tool's polytopes to our regions and compare.
pub fn compare_regions(net: &Network, e: &Enumeration, theirs: &[OtherRegion], rtol: f64) -> RegionDiff {
    let d = net.input_dim();
    let ids: BTreeMap<&Pattern, usize> = e.regions.iter().map(|r| (&r.pattern, r.id)).collect();
    let mut diff = RegionDiff::default();
    let mut hit = vec![false; e.regions.len()];
    for (index, o) in theirs.iter().enumerate() {
        let rows =
            o.a.iter()
                .cloned()
                .zip(o.b.iter().cloned())
                .enumerate()
                .map(|(i, (a, b))| (a, b, Source::Domain(i)));
        let hs: Halfspaces = match group_rows(rows) {
            Grouped::Rows(h) => h,
            Grouped::Empty => {
                diff.issues.push(RegionIssue::Degenerate { index });
                continue;
            }
        };
        let Interior::Point(c) = hs.interior_point(d) else {
            diff.issues.push(RegionIssue::Degenerate { index });
            continue;
        };
        let p = match &o.pattern {
            Some(p) => p.clone(),
            None => pattern_at(net, &c).0,
        };
        let Some(&id) = ids.get(&p) else {
            diff.issues.push(RegionIssue::Unmatched { index });
            continue;
        };
        hit[id] = true;
        diff.matched += 1;
        let r = &e.regions[id];
        let their_facets: Vec<usize> =
            hs.facets(&hs.simplify_interior(&c)).into_iter().map(|(i, _)| i).collect();
        let theirs_u = unit_rows(
            &their_facets.iter().map(|&i| hs.a[i].clone()).collect::<Vec<_>>(),
            &their_facets.iter().map(|&i| hs.b[i].clone()).collect::<Vec<_>>(),
        );
        let ours_u = unit_rows(
            &r.facets.iter().map(|f| f.a.clone()).collect::<Vec<_>>(),
            &r.facets.iter().map(|f| f.b.clone()).collect::<Vec<_>>(),
        );
        let missing = ours_u.iter().filter(|u| !theirs_u.iter().any(|v| close(u, v, rtol))).count();
        let extra = theirs_u.iter().filter(|v| !ours_u.iter().any(|u| close(u, v, rtol))).count();
        if missing + extra > 0 {
            diff.issues.push(RegionIssue::Facets { index, region: id, missing, extra });
        }
        if let (Some(t), Insphere::Finite { radius_lower, radius_upper, .. }) = (o.inradius, &r.insphere) {
            let ours = (to_f64(radius_lower) + to_f64(radius_upper)) / 2.0;
            // Written so that a NaN or an infinity on either side counts as a difference.
            let within = (t - ours).abs() <= rtol * ours.abs();
            if !within {
                diff.issues.push(RegionIssue::Inradius { index, region: id, theirs: t, ours });
            }
        }
    }
    diff.missing = (0..e.regions.len()).filter(|&i| !hit[i]).collect();
    diff
}

/// Helper for the CLI and tests: does a region diff show no problem?
impl RegionDiff {
    pub fn ok(&self) -> bool {
        self.issues.is_empty() && self.missing.is_empty()
    }
}
