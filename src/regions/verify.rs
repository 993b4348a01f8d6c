//! An independent checker of a regions file: it trusts nothing in the file, re-derives every
//! region's polytope from its pattern and the network, and reports each named check with
//! the offending region ids.
//!
//! Invariant: every check is decided exactly; a check passes only when no failure was
//! recorded for it.

use crate::arith::num::{Q, fmt_q, norm1, primitive_row};
use crate::geometry::domain::{Domain, DomainError};
use crate::geometry::plane::Plane;
use crate::geometry::{Grouped, Halfspaces, Insphere, LinfInsphere, Source};
use crate::network::{Dense, Network, NeuronId, Pattern};
use crate::regions::enumerate::region_rows;

use num_traits::{Signed, Zero};
use std::collections::{BTreeMap, BTreeSet};

/// The checks, in report order: `(name, what it checks)`.
pub const CHECKS: &[(&str, &str)] = &[
    ("ids", "region i has id i"),
    ("patterns", "every pattern has the network's shape (one 0/1 string per activation layer)"),
    ("distinct", "patterns are distinct"),
    ("sorted", "regions are sorted by pattern"),
    (
        "full_dimensional",
        "the interior point is strictly inside the pattern's polytope, and no neuron that is identically zero there is marked 1",
    ),
    (
        "facets",
        "facets are exactly the irredundant rows (a·x <= b as primitive integers) with the stated sources",
    ),
    (
        "neighbors",
        "each facet's neighbour is the region found by exact crossing (null on the domain boundary), and links are symmetric",
    ),
    ("edges", "edges are exactly the adjacent pairs, with the neurons whose bits differ"),
    (
        "closure",
        "the region at the domain's interior point is in the file, and every non-domain facet leads to a region in the file (so, the domain being convex, the set is complete)",
    ),
    ("logits", "the affine map equals the network's map on the region"),
    ("bounded", "the bounded flag is right"),
    (
        "insphere_l2",
        "the lower ball lies inside (exact, by squares), lower <= upper, and the upper bound holds",
    ),
    ("insphere_linf", "the cube lies inside and its radius is the exact optimum"),
    ("vertices", "vertices (when present) are the exact vertices"),
    ("volumes", "volumes (when present) are exact and sum to the domain's volume"),
    (
        "plane",
        "a plane slice's plane is the one given, and each interior_point_input is its interior point mapped to input space",
    ),
];

/// One failure of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub region: Option<usize>,
    pub detail: String,
}

/// The outcome of one named check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub description: &'static str,
    pub failures: Vec<Failure>,
}

/// The report of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<Check>,
    /// Patterns reached by crossing that are absent from the file (the missing regions).
    pub missing: Vec<Pattern>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.failures.is_empty())
    }
    /// The check with this name.
    pub fn check(&self, name: &str) -> &Check {
        self.checks.iter().find(|c| c.name == name).expect("known check")
    }
}

struct Recorder {
    failures: BTreeMap<&'static str, Vec<Failure>>,
}

impl Recorder {
    fn fail(&mut self, name: &'static str, region: Option<usize>, detail: impl Into<String>) {
        debug_assert!(CHECKS.iter().any(|(n, _)| *n == name));
        self.failures.entry(name).or_default().push(Failure { region, detail: detail.into() });
    }
}

type Row = (Vec<crate::arith::num::Z>, crate::arith::num::Z);

fn key(a: &[Q], b: &Q) -> Row {
    primitive_row(a, b)
}

/// Check `file` against `net` on `domain`. For a plane slice, use [`verify_slice`]: a file
/// that records a plane fails the `plane` check here.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate, formats, verify};
/// let domain = Domain::default_box(2);
/// let e = enumerate(&net, &domain, &Options::default()).unwrap();
/// let mut doc = formats::regions_json(&net, &domain, &e, None, None);
/// assert!(verify(&net, &domain, &formats::parse_regions(&doc).unwrap()).unwrap().ok());
/// // Drop a region: the file is no longer complete, and verify says so.
/// let mut file = formats::parse_regions(&doc).unwrap();
/// file.regions.pop();
/// let report = verify(&net, &domain, &file).unwrap();
/// assert!(!report.ok() && !report.missing.is_empty());
/// ```
pub fn verify(net: &Network, domain: &Domain, file: &RegionsFile) -> Result<Report, DomainError> {
    verify_slice(net, domain, file, None)
}

/// [`verify`] for a plane slice: `net` is the network on the plane
/// ([`Network::on_plane`]), `plane` the plane it was sliced on; the file must record the
/// same plane, and each region's `interior_point_input` must be its interior point mapped
/// to input space.
pub fn verify_slice(
    net: &Network,
    domain: &Domain,
    file: &RegionsFile,
    plane: Option<&crate::geometry::plane::Plane>,
) -> Result<Report, DomainError> {
    let d = net.input_dim();
    let domain_bounded = domain.validate(d)?;
    let drows = domain.rows();
    let mut rec = Recorder { failures: BTreeMap::new() };
    let n = file.regions.len();

    let patterns: Vec<Option<Pattern>> = file.regions.iter().map(|r| net.parse_pattern(&r.pattern)).collect();
    let mut index: BTreeMap<Pattern, usize> = BTreeMap::new();
    for (i, r) in file.regions.iter().enumerate() {
        if r.id != i {
            rec.fail("ids", Some(i), format!("region at position {i} has id {}", r.id));
        }
        match &patterns[i] {
            None => {
                rec.fail("patterns", Some(i), format!("pattern {:?} does not fit the network", r.pattern))
            }
            Some(p) => {
                if let Some(&j) = index.get(p) {
                    rec.fail("distinct", Some(i), format!("same pattern as region {j}"));
                } else {
                    index.insert(p.clone(), i);
                }
                if i > 0
                    && let Some(prev) = &patterns[i - 1]
                    && prev >= p
                {
                    rec.fail("sorted", Some(i), format!("pattern not after region {}'s", i - 1));
                }
            }
        }
    }

    // Completeness is not vacuous: the walk's start region (the region at the centre of the
    // domain's largest inscribed cube, by the lexicographic rule) must be in the file; the
    // closure check then proves the rest (the domain is convex, so the facet graph is
    // connected).
    if let Ok(start) = crate::regions::enumerate::start_pattern(net, domain)
        && !index.contains_key(&start)
    {
        rec.fail(
            "closure",
            None,
            format!(
                "the region at the domain's interior point ({}) is absent: the file is incomplete",
                pattern_text(net, &start)
            ),
        );
    }
    match (&file.plane, plane) {
        (None, None) => {}
        (Some(_), None) => rec.fail(
            "plane",
            None,
            "the file is a plane slice: verify it on the same plane (--plane or --plane-basis)".to_string(),
        ),
        (None, Some(_)) => rec.fail("plane", None, "a plane was given but the file records none".to_string()),
        (Some(f), Some(p)) => {
            if f != p {
                rec.fail(
                    "plane",
                    None,
                    "the file's plane (origin, u, v) differs from the one given".to_string(),
                );
            }
            for (i, r) in file.regions.iter().enumerate() {
                let want = (r.interior_point.len() == 2).then(|| p.to_input(&r.interior_point));
                if r.interior_point_input.is_none() || r.interior_point_input != want {
                    rec.fail(
                        "plane",
                        Some(i),
                        "interior_point_input is not the interior point in input space",
                    );
                }
            }
        }
    }
    let mut missing: BTreeSet<Pattern> = BTreeSet::new();
    let mut volumes_present = true;
    let mut volume_sum = Q::zero();
    for (i, r) in file.regions.iter().enumerate() {
        let Some(p) = &patterns[i] else {
            volumes_present = false;
            continue;
        };
        let (grouped, logits) = region_rows(net, &drows, p);
        let Grouped::Rows(hs) = grouped else {
            rec.fail("full_dimensional", Some(i), "the pattern's polytope is empty");
            volumes_present = false;
            continue;
        };
        if let Some(k) = net.pattern_maps(p).zero_but_active(p) {
            let (l, m) = net.neuron_id(k);
            rec.fail("full_dimensional", Some(i), format!("neuron {l}:{m} is identically zero but marked 1"));
        }
        if r.interior_point.len() != d {
            rec.fail("full_dimensional", Some(i), "interior point has the wrong dimension");
            volumes_present = false;
            continue;
        }
        let inside = hs.scaled_slacks(&r.interior_point).0.iter().all(Signed::is_positive);
        let inner = if inside {
            r.interior_point.clone()
        } else {
            rec.fail("full_dimensional", Some(i), "interior point is not strictly inside");
            match hs.interior_point(d) {
                crate::geometry::Interior::Point(c) => c,
                _ => {
                    rec.fail("full_dimensional", Some(i), "the pattern's polytope is not full-dimensional");
                    volumes_present = false;
                    continue;
                }
            }
        };
        let found = hs.facets(&hs.simplify_interior(&inner));
        let idx: Vec<usize> = found.iter().map(|(k, _)| *k).collect();
        let fhs: Halfspaces = hs.subset(&idx);

        // Facets: exact set with sources.
        let truth: BTreeMap<Row, Vec<Source>> =
            idx.iter().map(|&k| (key(&hs.a[k], &hs.b[k]), hs.sources[k].clone())).collect();
        let mut claimed: BTreeMap<Row, (Vec<Source>, Option<usize>)> = BTreeMap::new();
        for f in &r.facets {
            if f.a.len() != d || f.a.iter().all(Zero::is_zero) {
                rec.fail("facets", Some(i), "a facet row has the wrong length or is zero");
                continue;
            }
            let mut src = f.sources.clone();
            src.sort();
            claimed.insert(key(&f.a, &f.b), (src, f.neighbor));
        }
        for (row, src) in &truth {
            match claimed.get(row) {
                None => rec.fail("facets", Some(i), format!("missing facet {}", row_text(row))),
                Some((s, _)) if s != src => {
                    rec.fail("facets", Some(i), format!("facet {} has wrong sources", row_text(row)))
                }
                _ => {}
            }
        }
        for row in claimed.keys() {
            if !truth.contains_key(row) {
                rec.fail("facets", Some(i), format!("{} is not a facet", row_text(row)));
            }
        }

        // Neighbours by exact crossing.
        for (k, point) in &found {
            let row = key(&hs.a[*k], &hs.b[*k]);
            let on_boundary = hs.sources[*k].iter().any(|s| matches!(s, Source::Domain(_)));
            let expected = if on_boundary {
                None
            } else {
                let q = net.lex_pattern(point, std::slice::from_ref(&hs.a[*k])).0;
                match index.get(&q) {
                    Some(&j) => Some(j),
                    None => {
                        rec.fail(
                            "closure",
                            Some(i),
                            format!(
                                "crossing {} leads to {} which is absent",
                                row_text(&row),
                                pattern_text(net, &q)
                            ),
                        );
                        missing.insert(q);
                        continue;
                    }
                }
            };
            if let Some((_, nb)) = claimed.get(&row)
                && *nb != expected
            {
                rec.fail(
                    "neighbors",
                    Some(i),
                    format!("facet {}: neighbour {nb:?}, expected {expected:?}", row_text(&row)),
                );
            }
        }

        // Logits, boundedness.
        if r.logits.as_ref() != Some(&logits) {
            rec.fail("logits", Some(i), "affine map differs from the network's");
        }
        let bounded = domain_bounded || fhs.is_bounded(d);
        if r.bounded != Some(bounded) {
            rec.fail("bounded", Some(i), format!("bounded is {:?}, expected {bounded}", r.bounded));
        }

        // Inspheres, against the true facets.
        match &r.insphere {
            Some(Insphere::Finite { center, radius_lower, radius_upper }) => {
                if center.len() != d || !fhs.contains_ball(center, radius_lower) {
                    rec.fail("insphere_l2", Some(i), "the lower ball is not inside");
                } else if radius_lower > radius_upper {
                    rec.fail("insphere_l2", Some(i), "radius_lower > radius_upper");
                } else {
                    match fhs.l2_radius_at_most(d, radius_upper) {
                        Some(true) => {}
                        Some(false) => rec.fail("insphere_l2", Some(i), "radius_upper is below the inradius"),
                        None => rec.fail("insphere_l2", Some(i), "radius_upper undecided at 8192 bits"),
                    }
                }
            }
            Some(Insphere::Unbounded) => {
                if !matches!(fhs.l2_insphere(d, 4), Insphere::Unbounded) {
                    rec.fail("insphere_l2", Some(i), "claimed infinite but the inradius is finite");
                }
            }
            None => rec.fail("insphere_l2", Some(i), "insphere missing"),
        }
        match (&r.insphere_linf, fhs.linf_insphere(d)) {
            (Some(LinfInsphere::Finite { center, radius }), LinfInsphere::Finite { radius: best, .. }) => {
                let fits = center.len() == d
                    && fhs.slacks(center).iter().zip(&fhs.a).all(|(s, a)| *s >= radius * norm1(a));
                if !fits {
                    rec.fail("insphere_linf", Some(i), "the cube is not inside");
                }
                if *radius != best {
                    rec.fail(
                        "insphere_linf",
                        Some(i),
                        format!("radius {} is not the optimum {}", fmt_q(radius), fmt_q(&best)),
                    );
                }
            }
            (Some(LinfInsphere::Unbounded), LinfInsphere::Unbounded) => {}
            (None, _) => rec.fail("insphere_linf", Some(i), "insphere_linf missing"),
            _ => rec.fail("insphere_linf", Some(i), "finite/infinite radius claimed wrongly"),
        }

        // Vertices and volumes when present.
        if bounded && (r.vertices.is_some() || r.volume.is_some()) {
            let verts = crate::geometry::vrep::vertices(&fhs, d);
            if let Some(v) = &r.vertices {
                let mut v = v.clone();
                v.sort();
                if v != verts {
                    rec.fail("vertices", Some(i), "vertex set differs");
                }
            }
            if let Some(vol) = &r.volume {
                let exact = crate::geometry::vrep::volume(&fhs, &verts, d);
                if *vol != exact {
                    rec.fail(
                        "volumes",
                        Some(i),
                        format!("volume {} differs from {}", fmt_q(vol), fmt_q(&exact)),
                    );
                }
                volume_sum += vol;
            } else {
                volumes_present = false;
            }
        } else {
            volumes_present = false;
        }
    }

    // Symmetry of the neighbour links and the edge list.
    let mut from_links: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (i, r) in file.regions.iter().enumerate() {
        for f in &r.facets {
            let Some(j) = f.neighbor else { continue };
            if j >= n {
                rec.fail("neighbors", Some(i), format!("neighbour id {j} out of range"));
                continue;
            }
            if !file.regions[j].facets.iter().any(|g| g.neighbor == Some(i)) {
                rec.fail("neighbors", Some(i), format!("region {j} does not link back"));
            }
            if let (Some(p), Some(q)) = (&patterns[i], &patterns[j]) {
                let flips = (0..p.0.len())
                    .filter(|&k| p.0[k] != q.0[k])
                    .map(|k| net.neuron_id(k))
                    .collect::<Vec<_>>();
                from_links.insert((i.min(j), i.max(j)), flips);
            }
        }
    }
    let mut claimed_edges: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (a, b, neurons) in &file.edges {
        if claimed_edges.insert((*a.min(b), *a.max(b)), neurons.clone()).is_some() {
            rec.fail("edges", Some(*a), format!("edge {a}-{b} listed twice"));
        }
    }
    for (pair, flips) in &from_links {
        match claimed_edges.get(pair) {
            None => rec.fail("edges", Some(pair.0), format!("edge {}-{} missing", pair.0, pair.1)),
            Some(nv) if nv != flips => {
                rec.fail("edges", Some(pair.0), format!("edge {}-{} lists the wrong neurons", pair.0, pair.1))
            }
            _ => {}
        }
    }
    for pair in claimed_edges.keys() {
        if !from_links.contains_key(pair) {
            rec.fail("edges", Some(pair.0), format!("edge {}-{} has no facet link", pair.0, pair.1));
        }
    }

    if volumes_present
        && n > 0
        && let Some(total) = domain.volume()
        && volume_sum != total
    {
        rec.fail(
            "volumes",
            None,
            format!("volumes sum to {}, the domain's volume is {}", fmt_q(&volume_sum), fmt_q(&total)),
        );
    }

    let checks = CHECKS
        .iter()
        .map(|(name, description)| Check {
            name,
            description,
            failures: rec.failures.remove(name).unwrap_or_default(),
        })
        .collect();
    Ok(Report { checks, missing: missing.into_iter().collect() })
}

fn row_text(row: &Row) -> String {
    let a: Vec<String> = row.0.iter().map(|v| v.to_string()).collect();
    format!("[{}]·x <= {}", a.join(", "), row.1)
}

fn pattern_text(net: &Network, p: &Pattern) -> String {
    crate::network::pattern_label(net, p)
}

/// A facet as read from a regions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetIn {
    pub a: Vec<Q>,
    pub b: Q,
    pub sources: Vec<Source>,
    pub neighbor: Option<usize>,
}

/// A region as read from a regions file; fields a checker must not trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionIn {
    pub id: usize,
    pub pattern: Vec<String>,
    pub interior_point: Vec<Q>,
    pub bounded: Option<bool>,
    pub facets: Vec<FacetIn>,
    pub logits: Option<Dense>,
    pub insphere: Option<Insphere>,
    pub insphere_linf: Option<LinfInsphere>,
    pub vertices: Option<Vec<Vec<Q>>>,
    pub volume: Option<Q>,
    /// The interior point in input coordinates (plane slices only).
    pub interior_point_input: Option<Vec<Q>>,
}

/// A regions file (`linregions.regions/1`) as read, for `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionsFile {
    pub domain: Option<Domain>,
    /// The plane of a slice (`origin`, `u`, `v`), when the file is one.
    pub plane: Option<Plane>,
    pub regions: Vec<RegionIn>,
    pub edges: Vec<(usize, usize, Vec<NeuronId>)>,
}
