//! Region geometry for one pattern and the adjacency walk that enumerates every
//! full-dimensional region of a domain.
//!
//! Invariants of an [`Enumeration`]: regions are sorted by pattern and `regions[i].id == i`;
//! patterns are distinct; every facet without a domain source has a neighbour, and the
//! neighbour has the same hyperplane (opposite side) as a facet pointing back; the graph
//! has one node per region (node index = id) and one edge per adjacent pair.
//! [`Enumeration::sanity_check`] verifies all of this exactly.

use crate::arith::num::primitive_row;
use crate::arith::num::{Q, Z, to_f64};
use crate::geometry::HIGH_DIM;
use crate::geometry::domain::{Domain, DomainError};
use crate::geometry::{
    FacetPoint, Grouped, Halfspaces, Insphere, Interior, LinfInsphere, Source, group_primitive, group_rows,
};
use crate::network::pattern_at;
use crate::network::{Dense, MapsCache, Network, NeuronId, Pattern, PatternMaps};
use crate::regions::SanityError;
use crate::regions::mesh::{Limit, MeshProgress, partition_capped_until};
use crate::regions::met::{Met, pack};
pub use crate::regions::summary::Summary;
use crate::regions::summary::SummaryAcc;
use crate::regions::verify::RegionIn;
use num_traits::{One, Signed, Zero};
use petgraph::graph::{NodeIndex, UnGraph};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Regions analysed in parallel at a time (the walk order does not depend on it).
const WALK_BATCH: usize = 256;
use std::fmt;

/// Options of an enumeration: start from `Options::default()` and change what you need.
///
/// ```
/// use linregions::Options;
/// let opts = Options::default().digits(10).volumes(true).mesh(false).max_regions(Some(100));
/// assert_eq!((opts.digits, opts.volumes, opts.mesh, opts.max_regions), (10, true, false, Some(100)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The L2 insphere bounds satisfy `upper - lower <= 10^-digits · max(1, upper)`.
    pub digits: u32,
    /// Compute exact vertices and volumes of bounded regions.
    pub volumes: bool,
    /// On a bounded plane domain, [`enumerate`] takes the regions from the exact mesh
    /// ([`crate::regions::partition::partition`]) and only measures them, instead of walking facets: the
    /// same output, faster. [`stream`] does too while the mesh stays within
    /// [`STREAM_MESH_FACES`] faces, and walks otherwise (bounded memory). `false` forces
    /// the facet walk (cross-checks, benchmarks).
    pub mesh: bool,
    /// Stop after this many regions: the first `n` regions of the walk order, the same for
    /// every thread count. The result says it is not complete.
    pub max_regions: Option<usize>,
    /// Stop at this time: the regions finished by then (a prefix of the walk order; which
    /// prefix depends on the machine). Checked before each region is analysed and after
    /// each is finished; a region in progress is finished first, and building a plane
    /// domain's mesh is not interrupted.
    pub deadline: Option<std::time::Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Options { digits: 30, volumes: false, mesh: true, max_regions: None, deadline: None }
    }
}

impl Options {
    /// Decimal digits of the L2 insphere bounds (default 30).
    pub fn digits(mut self, digits: u32) -> Self {
        self.digits = digits;
        self
    }

    /// Exact vertices and volumes of bounded regions (default off).
    pub fn volumes(mut self, volumes: bool) -> Self {
        self.volumes = volumes;
        self
    }

    /// Regions of a bounded plane domain from the exact mesh (default on); `false` forces
    /// the facet walk.
    pub fn mesh(mut self, mesh: bool) -> Self {
        self.mesh = mesh;
        self
    }

    /// Stop after `n` regions (default: never).
    pub fn max_regions(mut self, n: Option<usize>) -> Self {
        self.max_regions = n;
        self
    }

    /// Stop at `t` (default: never).
    pub fn deadline(mut self, t: Option<std::time::Instant>) -> Self {
        self.deadline = t;
        self
    }

    pub(crate) fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|t| std::time::Instant::now() >= t)
    }

    /// Whether a walk that has finished `done` regions must stop.
    fn must_stop(&self, done: usize) -> bool {
        self.max_regions.is_some_and(|n| done >= n) || self.past_deadline()
    }
}

/// One facet of a region: the region lies on the side `a·x <= b` (primitive integers).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facet {
    pub a: Vec<Q>,
    pub b: Q,
    /// Every neuron and domain row defining this half-space on the region, sorted.
    pub sources: Vec<Source>,
    /// A rational point in the relative interior of the facet.
    pub point: Vec<Q>,
    /// The pattern across the facet; `None` when the facet lies on the domain boundary.
    pub neighbor_pattern: Option<Pattern>,
    /// Region id across the facet (filled in by the walk).
    pub neighbor: Option<usize>,
}

impl Facet {
    /// True if the facet lies on the boundary of the domain.
    pub fn on_domain_boundary(&self) -> bool {
        self.sources.iter().any(|s| matches!(s, Source::Domain(_)))
    }
}

/// Everything computed for one full-dimensional region.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Region {
    pub id: usize,
    pub pattern: Pattern,
    /// A rational point strictly inside (the L-inf insphere centre, or for regions
    /// containing arbitrarily large cubes the centre of a cube of radius 1 nearest the
    /// origin).
    pub interior_point: Vec<Q>,
    pub bounded: bool,
    /// Irredundant facets, sorted by `(a, b)`.
    pub facets: Vec<Facet>,
    /// The logits on the region: `weight x + bias`.
    pub logits: Dense,
    pub insphere: Insphere,
    pub insphere_linf: LinfInsphere,
    /// Exact vertices (sorted) of a bounded region, when volumes were asked for.
    pub vertices: Option<Vec<Vec<Q>>>,
    /// Exact volume of a bounded region, when volumes were asked for.
    pub volume: Option<Q>,
}

impl Region {
    /// The region's facets as half-spaces.
    pub fn halfspaces(&self) -> Halfspaces {
        Halfspaces {
            a: self.facets.iter().map(|f| f.a.clone()).collect(),
            b: self.facets.iter().map(|f| f.b.clone()).collect(),
            sources: self.facets.iter().map(|f| f.sources.clone()).collect(),
        }
    }
}

/// The outcome of computing the region of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegionOutcome {
    Full(Box<Region>),
    /// The pattern's polyhedron is non-empty but lies in a hyperplane.
    LowerDimensional,
    /// No point of the domain has this pattern.
    Empty,
}

/// Edge weight of the region graph: the neurons whose bit differs between the two
/// patterns and the shared hyperplane (`a·x <= b` is the side of the smaller id).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Crossing {
    pub neurons: Vec<NeuronId>,
    pub a: Vec<Q>,
    pub b: Q,
}

/// The result of an enumeration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Enumeration {
    pub regions: Vec<Region>,
    /// Node weight = region id (equal to the node index); edges sorted by `(a, b)` ids.
    pub graph: UnGraph<usize, Crossing>,
    pub domain_bounded: bool,
    /// False when a limit ([`Options::max_regions`], [`Options::deadline`]) stopped the walk:
    /// `regions` are then some of the regions (each complete and exact), and a facet whose
    /// neighbour was not reached has `neighbor: None` with its `neighbor_pattern` kept.
    pub complete: bool,
}

/// Errors of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnumerateError {
    Domain(DomainError),
    /// The walk met a state that the theory excludes (a bug): reported, never hidden.
    Internal(String),
    /// The regions given to [`stream_resume`] are not the start of this network's walk on
    /// this domain (another network, domain or file).
    Resume(String),
}

impl fmt::Display for EnumerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnumerateError::Domain(e) => write!(f, "{e}"),
            EnumerateError::Internal(s) => write!(f, "internal inconsistency (please report): {s}"),
            EnumerateError::Resume(s) => write!(f, "cannot resume: {s}"),
        }
    }
}

impl std::error::Error for EnumerateError {}

/// The constraint rows of the region of `pattern` in `domain`, grouped.
pub fn region_rows(net: &Network, domain_rows: &[(Vec<Q>, Q)], pattern: &Pattern) -> (Grouped, Dense) {
    let maps = net.pattern_maps(pattern);
    (rows_of_maps(net, domain_rows, pattern, &maps), maps.logits)
}

/// The region's rows from the maps of its pattern.
fn rows_of_maps(
    net: &Network,
    domain_rows: &[(Vec<Q>, Q)],
    pattern: &Pattern,
    maps: &PatternMaps,
) -> Grouped {
    // The cached primitive rows, oriented: active z >= 0 is -a·x <= c, inactive a·x <= -c.
    // Carried values are never a side.
    let neuron_rows =
        maps.primitive_pre().enumerate().filter(|(k, _)| !net.is_carried(*k)).map(|(k, (a, c))| {
            let src = Source::Neuron(net.neuron_id(k));
            if pattern.0[k] { (a.iter().map(|v| -v).collect(), c.clone(), src) } else { (a.clone(), -c, src) }
        });
    let dom = domain_rows.iter().enumerate().map(|(i, (a, b))| {
        let (pa, pb) = primitive_row(a, b);
        (pa, pb, Source::Domain(i))
    });
    group_primitive(neuron_rows.chain(dom))
}

/// The plane fast path ([`crate::geometry::plane::prefilter`]): the rows that may be facets and the
/// interior point, as the general path finds them, without grouping every row.
fn plane_prefilter(
    net: &Network,
    domain_rows: &[(Vec<Q>, Q)],
    pattern: &Pattern,
    maps: &PatternMaps,
    p: &[Q],
    n: &[Q],
) -> Option<(Halfspaces, Vec<Q>)> {
    // Domain rows a·x <= b as (a, c = -b) with floats.
    let dom: Vec<(Vec<Z>, Z, Vec<f64>)> = domain_rows
        .iter()
        .map(|(a, b)| {
            let (pa, pb) = primitive_row(a, b);
            let c = -pb;
            let f = pa.iter().chain(std::iter::once(&c)).map(crate::arith::filter::z_to_f64).collect();
            (pa, c, f)
        })
        .collect();
    let mut rows: Vec<crate::geometry::plane::PlaneRow> = Vec::with_capacity(net.num_bits() + dom.len());
    rows.extend(
        maps.pre_f()
            .enumerate()
            .filter(|(k, _)| !net.is_carried(*k))
            .map(|(k, ((a, c), f))| crate::geometry::plane::PlaneRow {
                a,
                c,
                f,
                neg: pattern.0[k],
                src: Source::Neuron(net.neuron_id(k)),
            })
            .chain(dom.iter().enumerate().map(|(i, (a, c, f))| crate::geometry::plane::PlaneRow {
                a,
                c,
                f,
                neg: false,
                src: Source::Domain(i),
            })),
    );
    crate::geometry::plane::prefilter(&rows, p, n)
}

/// A strictly interior point `p + eps·n` just across a facet, if the rows allow it
/// (every row tight at `p` must strictly decrease along `n`).
fn interior_from_hint(hs: &Halfspaces, p: &[Q], n: &[Q]) -> Option<(Vec<Z>, Z)> {
    let (sl, den) = hs.scaled_slacks(p);
    let (nz, _) = crate::arith::num::common_denominator(n);
    // eps = min S_i / (den · a_i·N) over rows that shrink along N, as (num, den).
    let mut eps: Option<(Z, Z)> = None;
    for (a, s) in hs.a.iter().zip(sl) {
        let rate: Z = a.iter().zip(&nz).map(|(ai, v)| ai.numer() * v).sum();
        if s.is_negative() || (s.is_zero() && !rate.is_negative()) {
            return None;
        }
        if s.is_positive() && rate.is_positive() {
            let cand = (s, &den * rate);
            if eps.as_ref().is_none_or(|(en, ed)| &cand.0 * ed < en * &cand.1) {
                eps = Some(cand);
            }
        }
    }
    // Half the distance to the first row met along N.
    let (px, den) = crate::arith::num::common_denominator(p);
    let eps = eps.map(|(en, ed)| (en, ed * 2));
    Some(crate::arith::num::step_along_over(&px, &den, eps.as_ref().map(|(n, d)| (n, d)), &nz))
}

/// Compute the region of `pattern`: facets (with neighbour patterns), inspheres, logits.
/// `hint` is a facet point and outward normal of a neighbour, used to find an interior
/// point without an LP.
/// `cache` (optional) shares layer rows between regions of a walk; results never depend
/// on it.
pub fn analyze_region(
    net: &Network,
    domain_rows: &[(Vec<Q>, Q)],
    domain_bounded: bool,
    pattern: &Pattern,
    hint: Option<(&[Q], &[Q])>,
    opts: &Options,
    cache: Option<&MapsCache>,
) -> RegionOutcome {
    analyze_region_from(net, domain_rows, domain_bounded, pattern, hint, None, opts, cache)
}

/// [`analyze_region`] with `start`, a point that may lie strictly inside the region: used
/// (after an exact check) in place of the interior-point LP past [`HIGH_DIM`] inputs, where
/// that exact LP dominates the cost (99% of a 64-input region); below it the LP's point is
/// always used, so facet points do not depend on how the region was reached. The facets,
/// maps and measures are the region's whatever the start; only the relative-interior point
/// reported on each facet may differ.
#[allow(clippy::too_many_arguments)]
pub(crate) fn analyze_region_from(
    net: &Network,
    domain_rows: &[(Vec<Q>, Q)],
    domain_bounded: bool,
    pattern: &Pattern,
    hint: Option<(&[Q], &[Q])>,
    start: Option<&[Q]>,
    opts: &Options,
    cache: Option<&MapsCache>,
) -> RegionOutcome {
    let d = net.input_dim();
    let maps = net.pattern_maps_with(pattern, cache);
    let fast = if d == 2 {
        hint.and_then(|(p, n)| plane_prefilter(net, domain_rows, pattern, &maps, p, n))
    } else {
        None
    };
    let (hs, inner) = match fast {
        Some(found) => found,
        None => {
            let hs = match rows_of_maps(net, domain_rows, pattern, &maps) {
                Grouped::Rows(h) => h,
                Grouped::Empty => return RegionOutcome::Empty,
            };
            // Rounded at once from the unreduced step off the neighbour's facet point.
            let start = start.filter(|_| d > HIGH_DIM).and_then(|x| strictly_inside_near(&hs, x));
            let inner = match hint.and_then(|(p, n)| interior_from_hint(&hs, p, n)) {
                Some((nums, den)) => hs.simplify_interior_homogeneous(&nums, &den),
                None if start.is_some() => hs.simplify_interior(start.as_ref().expect("checked")),
                None => match hs.interior_point(d) {
                    Interior::Point(c) => hs.simplify_interior(&c),
                    Interior::LowerDimensional => return RegionOutcome::LowerDimensional,
                    Interior::Empty => return RegionOutcome::Empty,
                },
            };
            (hs, inner)
        }
    };
    // The facet points as found (not reduced), rounded at once.
    let found = hs.facet_points(&inner);
    let idx: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
    let fhs = hs.subset(&idx);
    let rows_f = fhs.float_rows_ab();
    let facets: Vec<Facet> = found
        .into_iter()
        .enumerate()
        .map(|(fi, (i, point))| {
            // Rounded (past `HIGH_DIM` a certified grid point is kept: rounding re-checks every
            // row per facet, and there facet points are not canonical anyway).
            let (x, l) = match point {
                FacetPoint::Grid { x, l, .. } if d > HIGH_DIM => (x, l),
                point => fhs.simplify_facet_point_over(fi, &point, &rows_f),
            };
            let sources = hs.sources[i].clone();
            let on_boundary = sources.iter().any(|s| matches!(s, Source::Domain(_)));
            let neighbor_pattern = (!on_boundary).then(|| {
                let (nz, _) = crate::arith::num::common_denominator(&hs.a[i]);
                // The facet's neurons (the shallowest layer's) decide the shallow bits.
                let neurons =
                    || sources.iter().filter_map(|s| if let Source::Neuron(n) = s { Some(*n) } else { None });
                let l0 = neurons().map(|(l, _)| l).min();
                let js: Vec<usize> = neurons().filter(|n| Some(n.0) == l0).map(|n| n.1).collect();
                net.cross_over(&x, &l, &nz, pattern, &maps, cache, l0.map(|l0| (l0, &js[..])))
            });
            let point = crate::geometry::reduced(x, &l);
            Facet { a: hs.a[i].clone(), b: hs.b[i].clone(), sources, point, neighbor_pattern, neighbor: None }
        })
        .collect();
    // In high dimension the radius LPs start from the region's interior point, not the
    // origin (often a corner of the box, where every box row ties).
    let start: Option<Vec<f64>> = (d > HIGH_DIM).then(|| inner.iter().map(to_f64).collect());
    measure_region(d, pattern, &fhs, facets, maps.logits, domain_bounded, opts, start.as_deref())
}

/// A point strictly inside every row of `hs`, near `x` (a point of the closed region): `x`
/// itself, or, when `x` lies on some rows (a data point on a face of the box: the zero
/// pixels of an image), `x + t·u` with `u = -Σ a_i` over those rows and `t` a power of two
/// below every other row's limit, checked exactly. `None` when `x` is outside or `u` does
/// not point inwards for every row through `x` (then the interior-point LP runs).
fn strictly_inside_near(hs: &Halfspaces, x: &[Q]) -> Option<Vec<Q>> {
    let slacks = hs.slacks(x);
    if slacks.iter().any(Q::is_negative) {
        return None;
    }
    let tight: Vec<usize> = (0..slacks.len()).filter(|&i| slacks[i].is_zero()).collect();
    if tight.is_empty() {
        return Some(x.to_vec());
    }
    let u: Vec<Q> = (0..x.len()).map(|j| -tight.iter().map(|&i| &hs.a[i][j]).sum::<Q>()).collect();
    // Rate of each row along u: a_i·u must be < 0 on the rows through x.
    let rates: Vec<Q> = hs.a.iter().map(|a| crate::arith::num::dot(a, &u)).collect();
    if tight.iter().any(|&i| !rates[i].is_negative()) {
        return None;
    }
    // t below min s_i / r_i over the rows that u approaches (r_i > 0).
    let limit = (0..slacks.len()).filter(|&i| rates[i].is_positive()).map(|i| &slacks[i] / &rates[i]).min();
    let mut t = Q::one();
    while limit.as_ref().is_some_and(|l| &t >= l) {
        t /= Q::from_integer(2.into());
    }
    let y: Vec<Q> = x.iter().zip(&u).map(|(xi, ui)| xi + &t * ui).collect();
    hs.slacks(&y).iter().all(Q::is_positive).then_some(y)
}

/// The per-region measures shared by the walk and the plane mesh, from the region's
/// irredundant facets `fhs` (in `facets` order): interior point (the L-inf centre),
/// inspheres, boundedness, and vertices and volume when asked for.
fn measure_region(
    d: usize,
    pattern: &Pattern,
    fhs: &Halfspaces,
    facets: Vec<Facet>,
    logits: Dense,
    domain_bounded: bool,
    opts: &Options,
    start: Option<&[f64]>,
) -> RegionOutcome {
    let (insphere_linf, bounded_told) = fhs.linf_insphere_bounded_from(d, start);
    let interior_point = match &insphere_linf {
        LinfInsphere::Finite { center, .. } => center.clone(),
        LinfInsphere::Unbounded => match fhs.unit_cube_center(d) {
            Some(c) => c,
            None => return RegionOutcome::LowerDimensional,
        },
    };
    // Cubes of every size hold balls of every size (and the other way round): the L2 LP
    // need not run to say so.
    let insphere = match &insphere_linf {
        LinfInsphere::Unbounded => Insphere::Unbounded,
        LinfInsphere::Finite { center, .. } => {
            // The L-inf centre is near the L2 one.
            let c: Option<Vec<f64>> = start.map(|_| center.iter().map(to_f64).collect());
            fhs.l2_insphere_from(d, opts.digits, c.as_deref())
        }
    };
    let bounded = domain_bounded || bounded_told.unwrap_or_else(|| fhs.is_bounded(d));
    let (vertices, volume) = if opts.volumes && bounded {
        let v = crate::geometry::vrep::vertices(fhs, d);
        let vol = crate::geometry::vrep::volume(fhs, &v, d);
        (Some(v), Some(vol))
    } else {
        (None, None)
    };
    RegionOutcome::Full(Box::new(Region {
        id: 0,
        pattern: pattern.clone(),
        interior_point,
        bounded,
        facets,
        logits,
        insphere,
        insphere_linf,
        vertices,
        volume,
    }))
}

/// The region of face `fi` of a plane partition, exactly as [`analyze_region`] computes it:
/// the facets are the face's sides sorted by `(a, b)` (the order of the grouped rows), each
/// facet point the side's midpoint rounded by `simplify_on_facet` (what the polar hull of
/// `facets_2d` gives for a bounded region), the neighbours' patterns read off the mesh, the
/// logits from the face's exact `rows` when they serve. Also returns the face across each
/// facet, in facet order.
fn region_of_face(
    net: &Network,
    part: &crate::regions::mesh::Partition,
    fi: usize,
    rows: &crate::regions::mesh::FaceRows,
    opts: &Options,
    cache: &MapsCache,
) -> (RegionOutcome, Vec<Option<usize>>) {
    let face = &part.faces[fi];
    let m = face.sides.len();
    let qz = |z: &Z| Q::from_integer(z.clone());
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&x, &y| {
        let (sx, sy) = (&face.sides[x], &face.sides[y]);
        sx.a.cmp(&sy.a).then_with(|| sx.b.cmp(&sy.b))
    });
    let fhs = Halfspaces {
        a: order.iter().map(|&k| face.sides[k].a.iter().map(qz).collect()).collect(),
        b: order.iter().map(|&k| qz(&face.sides[k].b)).collect(),
        sources: order.iter().map(|&k| face.sides[k].sources.clone()).collect(),
    };
    let rows_f = fhs.float_rows_ab();
    let facets: Vec<Facet> = order
        .iter()
        .enumerate()
        .map(|(fi2, &k)| {
            let side = &face.sides[k];
            // The midpoint of the homogeneous ends: (X1·D2 + X2·D1) / (2·D1·D2), rounded
            // without reducing it first.
            let (u, w) = (&part.vertices[face.vertices[k]], &part.vertices[face.vertices[(k + 1) % m]]);
            let den = Z::from(2) * &u[2] * &w[2];
            let mid: Vec<Z> = (0..2).map(|t| &u[t] * &w[2] + &w[t] * &u[2]).collect();
            Facet {
                a: fhs.a[fi2].clone(),
                b: fhs.b[fi2].clone(),
                sources: side.sources.clone(),
                point: fhs.simplify_on_facet_homogeneous(fi2, &mid, &den, &rows_f),
                neighbor_pattern: side.neighbor.map(|g| part.faces[g].pattern.clone()),
                neighbor: None,
            }
        })
        .collect();
    // From the mesh's exact rows of the last hidden layer, or of the one before it when
    // there are three hidden layers or more; else composed with the walk's row cache. (With
    // two, the last layer's rows are shared by every face of a cell of the first layer,
    // and the cache hits nearly always: cheaper than a width² product per face.)
    let hidden = net.layer_sizes().len();
    let logits = rows
        .as_ref()
        .filter(|(l, _)| hidden >= 3 || *l + 1 == hidden)
        .and_then(|(l, r)| net.logits_from_rows(&face.pattern, *l, r))
        .unwrap_or_else(|| net.pattern_maps_with(&face.pattern, Some(cache)).logits);
    let across = order.iter().map(|&k| face.sides[k].neighbor).collect();
    (measure_region(2, &face.pattern, &fhs, facets, logits, true, opts, None), across)
}

/// Enumerate every full-dimensional region of `net` in `domain` by a breadth-first walk
/// over facets, then sort by pattern and renumber.
pub fn enumerate(net: &Network, domain: &Domain, opts: &Options) -> Result<Enumeration, EnumerateError> {
    enumerate_with(net, domain, opts, |_, _| {})
}

/// [`enumerate`] with a callback after every region is finished, in walk order. The region
/// passed carries walk ids (discovery order, deterministic), not the final sorted ids: use
/// it to stream results and report progress.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate_with};
/// let mut seen = 0;
/// let e = enumerate_with(&net, &Domain::default_box(2), &Options::default(), |_region, progress| {
///     seen += 1;
///     assert_eq!(progress.regions, seen); // regions finished so far
/// }).unwrap();
/// assert_eq!((seen, e.regions.len()), (4, 4));
/// ```
pub fn enumerate_with(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    on_region: impl FnMut(&Region, &WalkProgress),
) -> Result<Enumeration, EnumerateError> {
    enumerate_observed(net, domain, opts, on_region, &mut |_| {})
}

/// [`enumerate_with`], also telling `on_mesh` how far the mesh is on a bounded plane domain
/// (built before the first region is finished; see [`crate::regions::partition::partition_limited_with`]).
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate_observed};
/// let (mut cuts, mut regions) = (0, 0);
/// let e = enumerate_observed(&net, &Domain::default_box(2), &Options::default(), |_, _| regions += 1, &mut |_| cuts += 1).unwrap();
/// assert_eq!((cuts, regions, e.regions.len()), (3, 4, 4)); // 3 neurons cut, then 4 regions
/// ```
pub fn enumerate_observed(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    mut on_region: impl FnMut(&Region, &WalkProgress),
    on_mesh: &mut dyn FnMut(&MeshProgress),
) -> Result<Enumeration, EnumerateError> {
    let mut regions: Vec<Region> = Vec::new();
    // The regions are all kept, so the mesh's memory (a few kilobytes a face) is no burden.
    let mesh = if opts.mesh { usize::MAX } else { 0 };
    let sink = |r: Region, p: &WalkProgress| {
        on_region(&r, p);
        regions.push(r);
    };
    let (domain_bounded, complete) = walk(net, domain, opts, mesh, sink, on_mesh)?;
    Ok(finish(net, regions, domain_bounded, complete))
}

/// The walk of [`enumerate_with`] without keeping the regions: each region goes to the
/// callback (walk ids) and is dropped, so memory stays at the set of patterns met (a
/// bitset each), the frontier and a bounded row cache, whatever the number of regions. On
/// a bounded plane domain the regions come from the mesh while it holds at most
/// [`STREAM_MESH_FACES`] faces (the same regions, ids and order; about twice as fast), else
/// from the facet walk. Returns the same [`Summary`] as [`Enumeration::summary`].
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, stream};
/// let mut facets = 0;
/// let summary = stream(&net, &Domain::default_box(2), &Options::default(), |r, _| facets += r.facets.len()).unwrap();
/// assert_eq!((summary.regions, facets), (4, 16));
/// ```
pub fn stream(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    on_region: impl FnMut(&Region, &WalkProgress),
) -> Result<Summary, EnumerateError> {
    stream_capped(net, domain, opts, STREAM_MESH_FACES, on_region)
}

/// The most faces [`stream`] lets the mesh hold (about 4 KB a face while it is built, so
/// ~260 MB) before it walks instead: the facet walk's memory stays at a few hundred bytes a
/// region (the million-region runs), the mesh is about twice as fast.
pub const STREAM_MESH_FACES: usize = 1 << 16;

/// [`stream`] with the mesh's face cap given.
fn stream_capped(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    cap: usize,
    mut on_region: impl FnMut(&Region, &WalkProgress),
) -> Result<Summary, EnumerateError> {
    let mut acc = SummaryAcc::default();
    let mesh = if opts.mesh { cap } else { 0 };
    let (_, complete) = walk(
        net,
        domain,
        opts,
        mesh,
        |r, p| {
            on_region(&r, p);
            acc.add(&r);
        },
        &mut |_| {},
    )?;
    Ok(Summary { complete, ..acc.finish() })
}

/// The start of the walk: the region of [`pattern_at`] at the centre of the domain's
/// largest inscribed cube.
pub(crate) fn start_pattern(net: &Network, domain: &Domain) -> Result<Pattern, EnumerateError> {
    let d = net.input_dim();
    let drows = domain.rows();
    let dom_hs = match group_rows(
        drows.iter().enumerate().map(|(i, (a, b))| (a.clone(), b.clone(), Source::Domain(i))),
    ) {
        Grouped::Rows(h) => h,
        Grouped::Empty => return Err(EnumerateError::Domain(DomainError::Empty)),
    };
    let start_point = match dom_hs.interior_point(d) {
        Interior::Point(c) => c,
        _ => return Err(EnumerateError::Domain(DomainError::LowerDimensional)),
    };
    Ok(pattern_at(net, &start_point).0)
}

/// [`walk`] on a bounded plane domain: the regions come from the exact mesh `part`
/// ([`crate::regions::mesh::partition_with_rows`]) and only their measures are computed, visited in the walk's
/// breadth-first order from the walk's start region with neighbours in facet order, so
/// walk ids, regions and everything written are those of the facet walk (tested).
fn walk_mesh(
    net: &Network,
    domain: &Domain,
    part: crate::regions::mesh::Partition,
    rows: Vec<crate::regions::mesh::FaceRows>,
    opts: &Options,
    mut sink: impl FnMut(Region, &WalkProgress),
) -> Result<(bool, bool), EnumerateError> {
    let start = start_pattern(net, domain)?;
    let first = part
        .faces
        .binary_search_by(|f| f.pattern.cmp(&start))
        .map_err(|_| EnumerateError::Internal("the start pattern is not a face of the mesh".into()))?;
    let mut ids: Vec<Option<usize>> = vec![None; part.faces.len()];
    ids[first] = Some(0);
    let mut queue: VecDeque<usize> = VecDeque::from([first]);
    let mut next = 1;
    let mut done = 0;
    let cache = MapsCache::new(net);
    while !queue.is_empty() {
        if opts.must_stop(done) {
            return Ok((true, false));
        }
        let batch: Vec<usize> = queue.drain(..queue.len().min(WALK_BATCH)).collect();
        let outcomes: Vec<Option<(RegionOutcome, Vec<Option<usize>>)>> = batch
            .par_iter()
            .map(|&fi| {
                (!opts.past_deadline()).then(|| region_of_face(net, &part, fi, &rows[fi], opts, &cache))
            })
            .collect();
        let n = batch.len();
        for (k, (fi, outcome)) in batch.into_iter().zip(outcomes).enumerate() {
            // A region skipped at the deadline ends the walk: what was sunk is a prefix.
            let Some((outcome, across)) = outcome else { return Ok((true, false)) };
            let RegionOutcome::Full(mut region) = outcome else {
                return Err(EnumerateError::Internal(format!("face {fi} of the mesh is {outcome:?}")));
            };
            region.id = ids[fi].expect("queued faces have ids");
            // Neighbours in facet order, as the walk meets them.
            for (f, g) in region.facets.iter_mut().zip(across) {
                let Some(g) = g else { continue };
                let nid = *ids[g].get_or_insert_with(|| {
                    queue.push_back(g);
                    next += 1;
                    next - 1
                });
                f.neighbor = Some(nid);
            }
            done += 1;
            sink(*region, &WalkProgress { regions: done, frontier: queue.len() });
            if opts.must_stop(done) {
                return Ok((true, queue.is_empty() && k + 1 == n));
            }
        }
    }
    Ok((true, true))
}

/// The breadth-first walk shared by [`enumerate_with`] and [`stream`]: every finished region
/// goes to `sink` in walk order. On a bounded plane domain through the mesh while it holds
/// at most `mesh_cap` faces (`0`: never). Returns whether the domain is bounded and
/// whether the walk is complete (no limit of `opts` stopped it).
fn walk(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    mesh_cap: usize,
    mut sink: impl FnMut(Region, &WalkProgress),
    on_mesh: &mut dyn FnMut(&MeshProgress),
) -> Result<(bool, bool), EnumerateError> {
    let d = net.input_dim();
    let domain_bounded = domain.validate(d).map_err(EnumerateError::Domain)?;
    if d == 2 && domain_bounded && mesh_cap > 0 {
        let limit = Limit { cap: mesh_cap, exact: false, deadline: None, progress: Some(on_mesh) };
        let part = partition_capped_until(net, domain, limit)
            .map_err(|e| EnumerateError::Internal(e.to_string()))?;
        if let Some((part, rows)) = part {
            return walk_mesh(net, domain, part, rows, opts, sink);
        }
    }
    let drows = domain.rows();
    let start = start_pattern(net, domain)?;
    let met = Met::by_levels(pack(&start));
    let queue: VecDeque<(usize, Pattern, Hint)> = VecDeque::from([(0, start, None)]);
    let complete = walk_from(net, &drows, domain_bounded, opts, met, queue, 0, &mut sink)?;
    Ok((domain_bounded, complete))
}

/// A region of the walk's queue: walk id, pattern, and the facet it was met across (a point
/// in its relative interior and its normal), which speeds up its analysis.
type Hint = Option<(Vec<Q>, Vec<Q>)>;

/// The facet walk from a state: `ids` holds every pattern met, `queue` the regions met but
/// not finished (in walk-id order), `done` the number finished. Returns whether it ran to
/// the end (no limit of `opts` stopped it).
#[allow(clippy::too_many_arguments)]
fn walk_from(
    net: &Network,
    drows: &[(Vec<Q>, Q)],
    domain_bounded: bool,
    opts: &Options,
    mut met: Met,
    mut queue: VecDeque<(usize, Pattern, Hint)>,
    mut done: usize,
    sink: &mut impl FnMut(Region, &WalkProgress),
) -> Result<bool, EnumerateError> {
    let cache = MapsCache::new(net);
    // Take the queue in batches, analyse a batch in parallel (regions are independent),
    // then assign ids to newly met patterns sequentially in batch order. This is exactly
    // the sequential breadth-first order: walk ids, hints and output do not depend on the
    // number of threads.
    while !queue.is_empty() {
        if opts.must_stop(done) {
            return Ok(false);
        }
        let batch: Vec<(usize, Pattern, Hint)> = queue.drain(..queue.len().min(WALK_BATCH)).collect();
        let outcomes: Vec<Option<RegionOutcome>> = batch
            .par_iter()
            .map(|(_, pattern, hint)| {
                (!opts.past_deadline()).then(|| {
                    analyze_region(
                        net,
                        drows,
                        domain_bounded,
                        pattern,
                        hint.as_ref().map(|(p, n)| (p.as_slice(), n.as_slice())),
                        opts,
                        Some(&cache),
                    )
                })
            })
            .collect();
        let n = batch.len();
        if let Some((first, _, _)) = batch.first() {
            met.forget_before(*first);
        }
        for (k, ((id, pattern, _), outcome)) in batch.into_iter().zip(outcomes).enumerate() {
            // A region skipped at the deadline ends the walk: what was sunk is a prefix.
            let Some(outcome) = outcome else { return Ok(false) };
            let mut region = match outcome {
                RegionOutcome::Full(r) => *r,
                other => {
                    return Err(EnumerateError::Internal(format!(
                        "pattern {:?} reached by the walk is {:?}",
                        net.pattern_strings(&pattern),
                        other
                    )));
                }
            };
            region.id = id;
            for f in region.facets.iter_mut() {
                let Some(np) = &f.neighbor_pattern else {
                    continue;
                };
                let hint = || Some((f.point.clone(), f.a.clone()));
                let nid = met.id(pack(np), id, |next| queue.push_back((next, np.clone(), hint()))).ok_or_else(|| {
                    EnumerateError::Internal(format!(
                        "pattern {:?} met again after its breadth-first level was dropped (neighbour links not symmetric)",
                        net.pattern_strings(np)
                    ))
                })?;
                f.neighbor = Some(nid);
            }
            done += 1;
            sink(region, &WalkProgress { regions: done, frontier: queue.len() });
            if opts.must_stop(done) {
                return Ok(queue.is_empty() && k + 1 == n);
            }
        }
    }
    Ok(true)
}

/// Resume a streamed walk ([`stream`] with the facet walk) from its first regions, `prior`
/// (walk ids `0..k`, in order, as the `--jsonl` stream wrote them): the regions not yet
/// finished go to `on_region` with the ids and order of an uninterrupted run, and the
/// summary covers all of them. The frontier (the neighbours of `prior` not among them) is
/// rebuilt by analysing again the regions of `prior` it was met from, which must match the
/// file, and region 0 must be this domain's start region: a file of another network or
/// domain is refused ([`EnumerateError::Resume`]).
pub fn stream_resume(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    prior: &[RegionIn],
    mut on_region: impl FnMut(&Region, &WalkProgress),
) -> Result<Summary, EnumerateError> {
    let d = net.input_dim();
    let domain_bounded = domain.validate(d).map_err(EnumerateError::Domain)?;
    let drows = domain.rows();
    let bad = |m: String| EnumerateError::Resume(m);
    let k = prior.len();
    let mut patterns = Vec::with_capacity(k);
    let mut ids: FxHashMap<Box<[u64]>, usize> = FxHashMap::default();
    let mut acc = SummaryAcc::default();
    for (i, r) in prior.iter().enumerate() {
        if r.id != i {
            return Err(bad(format!(
                "line {}: walk id {} where {i} is next (not a stream's start)",
                i + 1,
                r.id
            )));
        }
        let p = net.parse_pattern(&r.pattern).ok_or_else(|| {
            bad(format!("line {}: pattern {:?} does not fit the network", i + 1, r.pattern))
        })?;
        if ids.insert(pack(&p), i).is_some() {
            return Err(bad(format!("line {}: a pattern met twice", i + 1)));
        }
        let earlier = r.facets.iter().filter(|f| f.neighbor.is_some_and(|n| n < i)).count();
        let insphere = r.insphere.clone().unwrap_or(Insphere::Unbounded);
        acc.add_parts(r.facets.len(), earlier, r.bounded.unwrap_or(false), &insphere);
        patterns.push(p);
    }
    if let Some(p) = patterns.first()
        && *p != start_pattern(net, domain)?
    {
        return Err(bad("region 0 is not this domain's start region: another network or domain".into()));
    }
    // The frontier: ids k.. in order, each met first across a facet of a prior region.
    let mut parent_of: BTreeMap<usize, (usize, (Vec<Z>, Z))> = BTreeMap::new();
    for (i, r) in prior.iter().enumerate() {
        for f in &r.facets {
            if let Some(n) = f.neighbor.filter(|&n| n >= k) {
                parent_of.entry(n).or_insert_with(|| (i, crate::arith::num::primitive_row(&f.a, &f.b)));
            }
        }
    }
    if parent_of.keys().copied().ne(k..k + parent_of.len()) {
        return Err(bad(format!(
            "the neighbours named past region {} are not ids {k}, {}, ...",
            k.max(1) - 1,
            k + 1
        )));
    }
    let parents: Vec<usize> =
        parent_of.values().map(|(i, _)| *i).collect::<BTreeSet<_>>().into_iter().collect();
    let cache = MapsCache::new(net);
    let analysed: Vec<RegionOutcome> = parents
        .par_iter()
        .map(|&i| analyze_region(net, &drows, domain_bounded, &patterns[i], None, opts, Some(&cache)))
        .collect();
    let again: BTreeMap<usize, Region> = parents
        .iter()
        .zip(analysed)
        .map(|(&i, o)| match o {
            RegionOutcome::Full(r) => Ok((i, *r)),
            other => Err(bad(format!("region {i} of the file is {other:?} here: another network or domain"))),
        })
        .collect::<Result<_, _>>()?;
    let mut queue: VecDeque<(usize, Pattern, Hint)> = VecDeque::new();
    if k == 0 {
        // Nothing written yet: the walk from its start.
        let start = start_pattern(net, domain)?;
        ids.insert(pack(&start), 0);
        queue.push_back((0, start, None));
    }
    for (&n, (i, row)) in &parent_of {
        let r = &again[i];
        if r.facets.len() != prior[*i].facets.len() {
            return Err(bad(format!(
                "region {i} has {} facets here, {} in the file",
                r.facets.len(),
                prior[*i].facets.len()
            )));
        }
        let f = r
            .facets
            .iter()
            .find(|f| crate::arith::num::primitive_row(&f.a, &f.b) == *row)
            .ok_or_else(|| bad(format!("region {i}: the facet to region {n} is not a facet here")))?;
        let np = f.neighbor_pattern.clone().ok_or_else(|| {
            bad(format!("region {i}: the facet to region {n} is on the domain's boundary here"))
        })?;
        if ids.insert(pack(&np), n).is_some() {
            return Err(bad(format!("region {n}'s pattern is also an earlier region's")));
        }
        queue.push_back((n, np, Some((f.point.clone(), f.a.clone()))));
    }
    let mut sink = |r: Region, p: &WalkProgress| {
        on_region(&r, p);
        acc.add(&r);
    };
    let complete = walk_from(net, &drows, domain_bounded, opts, Met::keeping_all(ids), queue, k, &mut sink)?;
    Ok(Summary { complete, ..acc.finish() })
}

/// Progress of a walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkProgress {
    pub regions: usize,
    pub frontier: usize,
}

/// Sort by pattern, renumber, and build the graph.
fn finish(net: &Network, mut regions: Vec<Region>, domain_bounded: bool, complete: bool) -> Enumeration {
    regions.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    // Walk ids of regions met but not finished (a stopped walk) map to none.
    let mut new_id: FxHashMap<usize, usize> = FxHashMap::default();
    for (i, r) in regions.iter().enumerate() {
        new_id.insert(r.id, i);
    }
    for (i, r) in regions.iter_mut().enumerate() {
        r.id = i;
        for f in r.facets.iter_mut() {
            f.neighbor = f.neighbor.and_then(|n| new_id.get(&n).copied());
        }
    }
    let mut graph = UnGraph::with_capacity(regions.len(), 0);
    for r in &regions {
        graph.add_node(r.id);
    }
    let mut edges: Vec<(usize, usize, Crossing)> = Vec::new();
    for r in &regions {
        for f in &r.facets {
            if let Some(n) = f.neighbor
                && n > r.id
            {
                let other = &regions[n].pattern;
                let neurons = (0..r.pattern.0.len())
                    .filter(|&k| r.pattern.0[k] != other.0[k])
                    .map(|k| net.neuron_id(k))
                    .collect();
                edges.push((r.id, n, Crossing { neurons, a: f.a.clone(), b: f.b.clone() }));
            }
        }
    }
    edges.sort_by_key(|e| (e.0, e.1));
    for (a, b, w) in edges {
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), w);
    }
    Enumeration { regions, graph, domain_bounded, complete }
}

impl Enumeration {
    /// The id of the region containing `x` (by [`pattern_at`]'s lexicographic rule on
    /// boundaries); `None` when `x` lies outside `domain` (the enumeration's domain), checked
    /// exactly. Regions are sorted by pattern, so this is a binary search.
    ///
    /// ```
    /// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
    /// use linregions::{Domain, Options, Q, enumerate, pattern_label};
    /// let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
    /// let half = Q::new(1.into(), 2.into());
    /// let id = e.locate(&net, &Domain::default_box(2), &[half.clone(), half]).unwrap();
    /// assert_eq!(pattern_label(&net, &e.regions[id].pattern), "110");
    /// let outside = [Q::from_integer(5.into()), Q::from_integer(0.into())];
    /// assert_eq!(e.locate(&net, &Domain::default_box(2), &outside), None);
    /// ```
    pub fn locate(&self, net: &Network, domain: &Domain, x: &[Q]) -> Option<usize> {
        if x.len() != net.input_dim() || domain.rows().iter().any(|(a, b)| crate::arith::num::dot(a, x) > *b)
        {
            return None;
        }
        let p = pattern_at(net, x).0;
        self.regions.binary_search_by(|r| r.pattern.cmp(&p)).ok().map(|i| self.regions[i].id)
    }

    /// Edges as `(a, b, crossing)` with `a < b`, in graph order (sorted).
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize, &Crossing)> {
        self.graph.edge_indices().map(move |e| {
            let (a, b) = self.graph.edge_endpoints(e).expect("edge");
            (a.index(), b.index(), &self.graph[e])
        })
    }

    /// Exact self-check of every invariant listed in the module docs, plus: each interior
    /// point is strictly inside its facets and has the region's pattern (lexicographic rule),
    /// each L2 ball is inside (by squares), the graph is connected. Returns the first
    /// violation found.
    pub fn sanity_check(&self, net: &Network) -> Result<(), SanityError> {
        self.sanity_errors(net).map_err(SanityError)
    }

    fn sanity_errors(&self, net: &Network) -> Result<(), String> {
        let n = self.regions.len();
        if n == 0 {
            return Err("no regions".into());
        }
        if self.graph.node_count() != n {
            return Err("graph node count differs from region count".into());
        }
        for (i, r) in self.regions.iter().enumerate() {
            if r.id != i {
                return Err(format!("region at index {i} has id {}", r.id));
            }
            if i > 0 && self.regions[i - 1].pattern >= r.pattern {
                return Err(format!("regions {} and {i} are not strictly sorted by pattern", i - 1));
            }
            let hs = r.halfspaces();
            if hs.slacks(&r.interior_point).iter().any(|s| !s.is_positive()) {
                return Err(format!("region {i}: interior point not strictly inside"));
            }
            if pattern_at(net, &r.interior_point).0 != r.pattern {
                return Err(format!("region {i}: network pattern at the interior point differs"));
            }
            if let Insphere::Finite { center, radius_lower, radius_upper } = &r.insphere {
                if !hs.contains_ball(center, radius_lower)
                    || radius_lower > radius_upper
                    || !radius_lower.is_positive()
                {
                    return Err(format!("region {i}: L2 insphere certificate fails"));
                }
            }
            if let LinfInsphere::Finite { center, radius } = &r.insphere_linf {
                let ok = hs
                    .slacks(center)
                    .iter()
                    .zip(&hs.a)
                    .all(|(s, a)| *s >= radius * crate::arith::num::norm1(a));
                if !ok || !radius.is_positive() {
                    return Err(format!("region {i}: L-inf cube not inside"));
                }
            }
            for (k, f) in r.facets.iter().enumerate() {
                if f.on_domain_boundary() == f.neighbor.is_some() {
                    return Err(format!("region {i}: facet neighbour presence wrong"));
                }
                let s = hs.slacks(&f.point);
                if s.iter().enumerate().any(|(j, v)| if j == k { !v.is_zero() } else { !v.is_positive() }) {
                    return Err(format!("region {i}: facet point not in the facet's relative interior"));
                }
                if let Some(nb) = f.neighbor {
                    let back = self.regions[nb].facets.iter().find(|g| g.neighbor == Some(i));
                    let Some(g) = back else {
                        return Err(format!("region {i}: neighbour {nb} has no facet back"));
                    };
                    let neg_a: Vec<Q> = f.a.iter().map(|v| -v).collect();
                    if g.a != neg_a || g.b != -&f.b {
                        return Err(format!("regions {i} and {nb}: shared facet hyperplanes differ"));
                    }
                    if self.graph.find_edge(NodeIndex::new(i), NodeIndex::new(nb)).is_none() {
                        return Err(format!("regions {i} and {nb}: no graph edge"));
                    }
                }
            }
        }
        let adj_edges: usize =
            self.regions.iter().map(|r| r.facets.iter().filter(|f| f.neighbor.is_some()).count()).sum();
        if adj_edges != 2 * self.graph.edge_count() {
            return Err("edge count differs from the facet neighbour links".into());
        }
        if petgraph::algo::connected_components(&self.graph) != 1 {
            return Err("region graph is not connected".into());
        }
        Ok(())
    }

    /// Second completeness certificate for bounded domains: the exact region volumes sum to
    /// the domain's volume. `None` when volumes were not computed or the domain is unbounded.
    pub fn volumes_sum_to(&self, domain: &Domain) -> Option<bool> {
        let total = domain.volume()?;
        let mut sum = Q::zero();
        for r in &self.regions {
            sum += r.volume.as_ref()?;
        }
        Some(sum == total)
    }
}

#[cfg(test)]
#[path = "enumerate_tests.rs"]
mod tests;
