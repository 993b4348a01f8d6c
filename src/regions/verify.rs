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
        if let Some(k) = net.zero_but_active(p) {
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
                    // An incomplete document: the neighbour was not reached.
                    None if !file.complete => None,
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
        && file.complete
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
    /// False for the document of a run a limit stopped: [`verify`] then checks the regions
    /// it holds (each exact, each neighbour it names) but not that they are all.
    pub complete: bool,
}

/// Checks a region's [`BoundaryCertificates`](crate::regions::properties::BoundaryCertificates) from the network alone: the region's rows are
/// re-derived from `pattern` and `domain`, its logits too, and nothing in `certs` is trusted.
/// The decisions must cover every class candidate (each output that is the lowest index
/// among the outputs equal to it on the region) and every pair of classes, and agree with
/// the reported `classes` and `pieces`. Each piece of evidence is checked exactly:
/// - a class's witness: a point of the region (closed) where every output not equal to the
///   class is strictly below it;
/// - a piece's witness: a point of the region where its two outputs are apart and both
///   strictly above every output equal to neither; a tie: a point strictly inside the region
///   where the two are equal and strictly above the others;
/// - multipliers (a decision that does not hold): `y >= 0` on rows of the question's LP
///   (maximise `t` over the region with `f_p - f_q + t <= 0` for the question's pairs, `t <=
///   1`), in primitive integer form, summing to `(0, λ)` with `λ > 0` and `Σ y_i b_i <= 0`,
///   so that no point of the region has every pair apart. A class `j`'s pairs are `(m, j)`
///   for every `m` not equal to `j`; a piece `(i, j)`'s are `(m, i)` for every `m` equal to
///   neither and `(i, j)` (`j` above `i` above the rest: empty, with both classes present,
///   exactly when the piece is absent).
///
/// `Err` names the first decision that fails and why.
///
/// ```
/// use linregions::{Domain, Options, Q, check_boundary_certificates, local_properties, locate_points};
/// let net = linregions::random::gaussian_net(&[2, 6, 3], 1, 0.5);
/// let domain = Domain::default_box(2);
/// let x = vec![vec![Q::new(3.into(), 10.into()), Q::new(3.into(), 5.into())]];
/// let (e, _) = locate_points(&net, &domain, &x, &Options::default()).unwrap();
/// let p = &local_properties(&net, &e, true)[0];
/// let pieces: Vec<(usize, usize)> = p.pieces.iter().map(|pc| pc.classes).collect();
/// let certs = p.certificates.as_ref().expect("asked for");
/// let pattern = &e.regions[0].pattern;
/// assert!(check_boundary_certificates(&net, &domain, pattern, &p.classes, &pieces, certs).is_ok());
/// ```
pub fn check_boundary_certificates(
    net: &Network,
    domain: &Domain,
    pattern: &Pattern,
    classes: &[usize],
    pieces: &[(usize, usize)],
    certs: &crate::regions::properties::BoundaryCertificates,
) -> Result<(), String> {
    use crate::regions::properties::{Evidence, LpRow};
    let d = net.input_dim();
    let (grouped, logits) = region_rows(net, &domain.rows(), pattern);
    let Grouped::Rows(hs) = grouped else { return Err("the pattern's polytope is empty".into()) };
    let prim: Vec<(Vec<crate::arith::num::Z>, crate::arith::num::Z)> =
        hs.a.iter().zip(&hs.b).map(|(a, b)| primitive_row(a, b)).collect();
    let by_source: BTreeMap<Source, usize> =
        hs.sources.iter().enumerate().flat_map(|(i, ss)| ss.iter().map(move |s| (*s, i))).collect();
    let k = logits.bias.len();
    if k < 2 {
        return Err("certificates need two or more outputs".into());
    }
    let same = |m: usize, j: usize| logits.bias[m] == logits.bias[j] && logits.weight[m] == logits.weight[j];
    let reps: Vec<usize> = (0..k).filter(|&j| !(0..j).any(|m| same(m, j))).collect();
    let f = |x: &[Q]| -> Vec<Q> {
        logits.weight.iter().zip(&logits.bias).map(|(w, b)| crate::arith::num::dot(w, x) + b).collect()
    };
    let in_region = |x: &[Q], strictly: bool| {
        x.len() == d
            && hs.a.iter().zip(&hs.b).all(|(a, b)| {
                let v = crate::arith::num::dot(a, x);
                if strictly { v < *b } else { v <= *b }
            })
    };
    // The question's rows `f_p - f_q + t <= 0`, primitive.
    let below = |p: usize, q: usize| {
        let mut w: Vec<Q> = logits.weight[p].iter().zip(&logits.weight[q]).map(|(u, v)| u - v).collect();
        w.push(Q::from_integer(1.into()));
        primitive_row(&w, &(&logits.bias[q] - &logits.bias[p]))
    };
    let dual_holds = |y: &[(LpRow, Q)], allowed: &dyn Fn(usize, usize) -> bool| -> Result<(), String> {
        let mut sum = vec![Q::zero(); d + 1];
        let mut bound = Q::zero();
        for (row, v) in y {
            if v.is_negative() {
                return Err(format!("a negative multiplier {}", fmt_q(v)));
            }
            let (a, b): (Vec<crate::arith::num::Z>, crate::arith::num::Z) = match row {
                LpRow::Region(s) => {
                    let i = *by_source.get(s).ok_or_else(|| format!("{s:?} is not a row of the region"))?;
                    (prim[i].0.iter().cloned().chain([0.into()]).collect(), prim[i].1.clone())
                }
                LpRow::Below(p, q) if *p < k && *q < k && allowed(*p, *q) => below(*p, *q),
                LpRow::Below(p, q) => {
                    return Err(format!("row below({p}, {q}) is not one of the question's"));
                }
                LpRow::Cap => {
                    ((0..=d).map(|j| crate::arith::num::Z::from(u8::from(j == d))).collect(), 1.into())
                }
            };
            for (sj, aj) in sum.iter_mut().zip(&a) {
                *sj += v * Q::from_integer(aj.clone());
            }
            bound += v * Q::from_integer(b);
        }
        if !sum[..d].iter().all(Zero::is_zero) || !sum[d].is_positive() {
            return Err("the multipliers do not sum to a positive multiple of e_t".into());
        }
        if bound.is_positive() {
            return Err(format!("the bound {} is positive", fmt_q(&bound)));
        }
        Ok(())
    };
    let said: Vec<usize> = certs.classes.iter().map(|c| c.what).collect();
    if said != reps {
        return Err(format!("the class decisions cover {said:?}, not the candidates {reps:?}"));
    }
    let present: Vec<usize> = certs.classes.iter().filter(|c| c.holds).map(|c| c.what).collect();
    if present != classes {
        return Err(format!("the certified classes {present:?} are not the reported {classes:?}"));
    }
    for c in &certs.classes {
        let j = c.what;
        let fail = |why: String| format!("class {j}: {why}");
        match (&c.evidence, c.holds) {
            (Evidence::Witness(x), true) => {
                if !in_region(x, false) {
                    return Err(fail("the witness is not in the region".into()));
                }
                let v = f(x);
                if !(0..k).filter(|&m| !same(m, j)).all(|m| v[m] < v[j]) {
                    return Err(fail("the class is not alone on top at the witness".into()));
                }
            }
            (Evidence::Multipliers(y), false) => {
                dual_holds(y, &|p, q| q == j && !same(p, j)).map_err(fail)?
            }
            _ => return Err(fail("the evidence does not fit the answer".into())),
        }
    }
    let pairs: Vec<(usize, usize)> = (0..present.len())
        .flat_map(|a| (a + 1..present.len()).map(move |b| (a, b)))
        .map(|(a, b)| (present[a], present[b]))
        .collect();
    let said: Vec<(usize, usize)> = certs.pieces.iter().map(|c| c.what).collect();
    if said != pairs {
        return Err(format!("the piece decisions cover {said:?}, not the pairs of classes {pairs:?}"));
    }
    let found: Vec<(usize, usize)> = certs.pieces.iter().filter(|c| c.holds).map(|c| c.what).collect();
    if found != pieces {
        return Err(format!("the certified pieces {found:?} are not the reported {pieces:?}"));
    }
    for c in &certs.pieces {
        let (i, j) = c.what;
        let fail = |why: String| format!("piece {i}-{j}: {why}");
        let rest = |v: &[Q], top: &Q| (0..k).filter(|&m| !same(m, i) && !same(m, j)).all(|m| v[m] < *top);
        match (&c.evidence, c.holds) {
            (Evidence::Witness(x), true) => {
                if !in_region(x, false) {
                    return Err(fail("the witness is not in the region".into()));
                }
                let v = f(x);
                if v[i] == v[j] || !rest(&v, &v[i].clone().min(v[j].clone())) {
                    return Err(fail("the two outputs are not apart on top at the witness".into()));
                }
            }
            (Evidence::Tie(x), true) => {
                if !in_region(x, true) {
                    return Err(fail("the tie point is not strictly inside the region".into()));
                }
                let v = f(x);
                if v[i] != v[j] || !rest(&v, &v[i]) {
                    return Err(fail("the two outputs do not tie on top at the point".into()));
                }
            }
            (Evidence::Multipliers(y), false) => {
                dual_holds(y, &|p, q| (p, q) == (i, j) || (q == i && !same(p, i) && !same(p, j)))
                    .map_err(fail)?
            }
            _ => return Err(fail("the evidence does not fit the answer".into())),
        }
    }
    Ok(())
}
