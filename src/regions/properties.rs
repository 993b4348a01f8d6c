//! The region properties of the study (Zhang & Wu, ICLR 2020) and more: inspheres,
//! hyperplane directions, the decision boundary inside each region, and how related the
//! affine maps of neighbouring regions are.
//!
//! Exact where the quantity is rational (classes, boundary presence, boundary pieces,
//! squared distances, Hamming distances); irrational quantities (cosines, distances, norms
//! ratios) are computed from exact rationals through certified square-root bounds and
//! reported as decimals accurate to ~1e-15. Definitions with formulas are in STUDY.md.

use crate::arith::intdot::{Limbs, abs_cos_f64};
use crate::arith::num::{Q, Z, common_denominator, dot, norm2_sq, to_f64};
use crate::geometry::{Grouped, Halfspaces, Insphere, LinfInsphere, Source, group_rows};
use crate::network::{Dense, Network, Pattern};
use crate::regions::boundary::{Prepared, Proof, Sightings, somewhere_negative, somewhere_negative_told};
use crate::regions::enumerate::{Enumeration, Region};
use num_traits::{Signed, Zero};

pub use crate::arith::intdot::sqrt_f64;

/// `|cos|` of the angle between two non-zero vectors, from the exact `cos²`.
pub fn abs_cos(a: &[Q], b: &[Q]) -> Option<f64> {
    let (na, nb) = (norm2_sq(a), norm2_sq(b));
    if na.is_zero() || nb.is_zero() {
        return None;
    }
    let ab = dot(a, b);
    Some(sqrt_f64(&(&ab * &ab / (na * nb))))
}

/// Signed cosine of two non-zero vectors.
pub fn cos(a: &[Q], b: &[Q]) -> Option<f64> {
    abs_cos(a, b).map(|c| if dot(a, b).is_negative() { -c } else { c })
}

/// A fixed vector as integers (scaled by its common denominator, in limbs for many dot
/// products) with its squared norm: the cosines with many others, each from one integer dot
/// product. `cos²` is the same rational as [`abs_cos`] and [`cos`] take, and
/// [`abs_cos_f64`] gives the same `f64` as they do.
struct IntVector {
    v: Limbs,
    n: Z,
}

impl IntVector {
    fn new(a: &[Q]) -> IntVector {
        let v = common_denominator(a).0;
        let n = v.iter().map(|x| x * x).sum();
        IntVector { v: Limbs::new(&v), n }
    }

    /// `|cos|` with `b`.
    fn abs_cos(&self, b: &IntVector) -> Option<f64> {
        self.cos_parts(b).map(|(c, _)| c)
    }

    /// The signed cosine.
    fn cos(&self, b: &IntVector) -> Option<f64> {
        self.cos_parts(b).map(|(c, neg)| if neg { -c } else { c })
    }

    /// `|cos|` and whether the dot product is negative.
    fn cos_parts(&self, b: &IntVector) -> Option<(f64, bool)> {
        if self.n.is_zero() || b.n.is_zero() {
            return None;
        }
        let ab = self.v.dot(&b.v);
        Some((abs_cos_f64(&ab, &self.n, &b.n), ab.is_negative()))
    }
}

/// Mean, min and max of a list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(v: &[f64]) -> Option<Stats> {
        if v.is_empty() {
            return None;
        }
        Some(Stats {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// A piece of the decision boundary inside a region: `{x in R : normal·x = offset}` with the
/// two classes tied there (and no other class above them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryPiece {
    pub classes: (usize, usize),
    pub normal: Vec<Q>,
    pub offset: Q,
    /// Exact vertices of the piece (a (d-1)-polytope) when the region is bounded and the
    /// input has at most [`PIECE_VERTICES_DIM`] dimensions (their number grows exponentially
    /// with the dimension).
    pub vertices: Option<Vec<Vec<Q>>>,
}

/// Properties of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionProps {
    pub id: usize,
    pub inradius_l2: Option<(Q, Q)>,
    pub inradius_linf: Option<Q>,
    pub facets: usize,
    /// Neuron facets by the layer of their shallowest source neuron.
    pub facets_by_layer: Vec<usize>,
    pub domain_facets: usize,
    /// Pairwise `|cos|` of the neuron facets' normals.
    pub facet_cos: Option<Stats>,
    /// `|cos|` between each neuron facet's normal and the decision boundary's normal, in
    /// facet order (neuron facets only), and their statistics.
    pub boundary_cos_each: Vec<f64>,
    pub boundary_cos: Option<Stats>,
    pub boundary: bool,
    /// Classes that are the argmax on an open part of the region.
    pub classes: Vec<usize>,
    /// The class of a region without boundary.
    pub predicted: Option<usize>,
    pub pieces: Vec<BoundaryPiece>,
    /// Squared distance (exact) from the L2 insphere centre to the nearest boundary
    /// hyperplane of a piece in the region, and the distance.
    pub boundary_distance: Option<(Q, f64)>,
    /// Squared distance (exact) from the L2 insphere centre (the interior point of an
    /// unbounded region) to the nearest boundary piece of **any** region of the
    /// enumeration, and the distance; `None` when the domain holds no boundary or the
    /// region was analysed alone (data points).
    pub global_boundary_distance: Option<(Q, f64)>,
    pub neighbors: usize,
    pub neighbor_grad_cos: Option<f64>,
    pub neighbor_rel_change: Option<f64>,
    pub neighbor_hamming: Option<f64>,
    /// The evidence of every class and piece decision, when asked for and the network has
    /// two or more outputs.
    pub certificates: Option<BoundaryCertificates>,
}

/// A row of a boundary question's LP over `(x, t)` (maximise `t` over the region with
/// `f_p - f_q + t <= 0` for the question's pairs and `t <= 1`), in primitive integer form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum LpRow {
    /// The region's row from this source (a neuron's side or a domain row; `t` coefficient 0).
    Region(Source),
    /// `f_p - f_q + t <= 0`: output `p` below output `q`.
    Below(usize, usize),
    /// `t <= 1`.
    Cap,
}

/// The evidence of one decision, checkable without an LP
/// ([`crate::regions::verify::check_boundary_certificates`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// A point of the region (closed) where the class is alone on top; for a piece, where its
    /// two outputs are the two on top, apart, above every other output not equal to them.
    Witness(Vec<Q>),
    /// A point strictly inside the region where the piece's two outputs tie above every
    /// other output not equal to them.
    Tie(Vec<Q>),
    /// Multipliers `y >= 0` on the question's LP rows with `Σ y_i row_i = (0, λ)`, `λ > 0`,
    /// and `Σ y_i b_i <= 0`: `t <= 0` everywhere, so no point has every pair apart (for a
    /// class `j`: every other output below `j`; for a piece `(i, j)`: `j` above `i` above
    /// every other).
    Multipliers(Vec<(LpRow, Q)>),
}

/// One decision with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<T> {
    pub what: T,
    pub holds: bool,
    pub evidence: Evidence,
}

/// The evidence of a region's classes (every output that is the lowest index among those
/// equal to it on the region) and pieces (every pair of classes).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryCertificates {
    pub classes: Vec<Decision<usize>>,
    pub pieces: Vec<Decision<(usize, usize)>>,
}

/// A boundary LP's proof as a certificate: positions in the LP become rows by name
/// (`labels` names the question's strict rows in order).
fn evidence_of(r: &Region, proof: Proof, labels: &[LpRow]) -> Evidence {
    match proof {
        Proof::Point(x) => Evidence::Witness(x),
        Proof::Dual(y) => {
            let nf = r.facets.len();
            Evidence::Multipliers(
                y.into_iter()
                    .map(|(i, v)| {
                        let row = if i < nf {
                            LpRow::Region(r.facets[i].sources[0])
                        } else if i < nf + labels.len() {
                            labels[i - nf].clone()
                        } else {
                            LpRow::Cap
                        };
                        (row, v)
                    })
                    .collect(),
            )
        }
    }
}

/// Properties of one edge of the region graph.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeProps {
    pub a: usize,
    pub b: usize,
    /// Cosine of the logit gradients (weight matrices flattened).
    pub grad_cos: Option<f64>,
    /// `||A_a - A_b||_F / max(||A_a||_F, ||A_b||_F)` for the affine maps `A = [W | b]`.
    pub rel_change: Option<f64>,
    pub hamming: usize,
}

fn flat_map(logits: &Dense) -> Vec<Q> {
    logits.weight.iter().zip(&logits.bias).flat_map(|(w, b)| w.iter().cloned().chain([b.clone()])).collect()
}

fn flat_grad(logits: &Dense) -> Vec<Q> {
    logits.weight.iter().flatten().cloned().collect()
}

/// `f_i - f_j` (`i < j`) from `table`, computed on first use.
fn diffs_of<'t>(
    table: &'t [Vec<std::cell::OnceCell<(Vec<Q>, Q)>>],
    r: &Region,
    i: usize,
    j: usize,
) -> &'t (Vec<Q>, Q) {
    table[i][j].get_or_init(|| diff(r, i, j))
}

/// Logit difference `f_i - f_j` as `(weight, bias)`; for one output (`j = usize::MAX`) the
/// logit itself.
pub(super) fn diff(r: &Region, i: usize, j: usize) -> (Vec<Q>, Q) {
    let w = &r.logits.weight;
    let b = &r.logits.bias;
    if j == usize::MAX {
        return (w[i].clone(), b[i].clone());
    }
    (w[i].iter().zip(&w[j]).map(|(x, y)| x - y).collect(), &b[i] - &b[j])
}

/// Whether outputs `m` and `j` are equal as affine maps on the region (they tie everywhere
/// in it).
fn same_output(r: &Region, m: usize, j: usize) -> bool {
    m == j || (r.logits.bias[m] == r.logits.bias[j] && r.logits.weight[m] == r.logits.weight[j])
}

/// Rows of the region plus `extra` rows `(a, b)` meaning `a x <= b`.
fn with_rows(r: &Region, extra: &[(Vec<Q>, Q)]) -> Grouped {
    let base = r.facets.iter().map(|f| (f.a.clone(), f.b.clone(), Source::Domain(0)));
    let more = extra.iter().map(|(a, b)| (a.clone(), b.clone(), Source::Domain(1)));
    group_rows(base.chain(more))
}

/// The piece `{x in R : g(x) = 0, other rows <= 0}` if it is (d-1)-dimensional. Both
/// `classes` must be classes of the region (predicted on open subsets of it).
fn piece(
    r: &Region,
    d: usize,
    g: &(Vec<Q>, Q),
    others: &[(Vec<Q>, Q)],
    classes: (usize, usize),
    prepared: Option<&Prepared>,
) -> Option<BoundaryPiece> {
    if g.0.iter().all(Zero::is_zero) {
        return None;
    }
    // g(x) = w·x + c = 0  <=>  w·x <= -c and -w·x <= c.
    let (w, c) = g;
    if prepared.is_some() {
        // The hyperplane meets the interior of R ∩ {others < 0} iff that open set has points
        // on both sides of it (convexity): boundary-LP questions, certified as above,
        // instead of the exact facet LP (no vertices are kept past 6 inputs anyway). The
        // side where g = f_i - f_j > 0 is {f_i > f_m for every m not equal to i} (an output
        // equal to j on R is below f_i where f_j is): the open set where class i is
        // predicted, which is not empty, `i` being a class (for one output, g = f and the
        // side f > 0 is class 1's). So only the other side is asked.
        // The side g < 0.
        // `others` are rows `a·x <= b`: strictly, `a·x - b < 0`.
        let mut rows: Vec<(Vec<Q>, Q)> = others.iter().map(|(a, b)| (a.clone(), -b)).collect();
        rows.push((w.clone(), c.clone()));
        let yes = somewhere_negative(r, d, &rows, prepared);
        return yes.then(|| BoundaryPiece { classes, normal: w.clone(), offset: -c, vertices: None });
    }
    let mut hs: Halfspaces = match with_rows(r, others) {
        Grouped::Rows(h) => h,
        Grouped::Empty => return None,
    };
    let k = hs.len();
    hs.a.push(w.clone());
    hs.b.push(-c);
    hs.sources.push(vec![]);
    hs.facet_point(k, d)?;
    let others = hs.subset(&(0..k).collect::<Vec<_>>());
    let vertices = (r.bounded && d <= PIECE_VERTICES_DIM)
        .then(|| crate::geometry::vrep::vertices_on(&others, d, Some((w, &-c))));
    Some(BoundaryPiece { classes, normal: w.clone(), offset: -c, vertices })
}

/// The largest input dimension in which boundary pieces get their exact vertices.
pub const PIECE_VERTICES_DIM: usize = 6;

fn argmax(values: &[Q]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Properties of every region and edge of an enumeration.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate, properties::properties};
/// let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
/// let (regions, edges) = properties(&net, &e);
/// assert_eq!((regions.len(), edges.len()), (4, 4));
/// assert!(regions.iter().all(|r| r.inradius_l2.as_ref().is_some_and(|(lo, hi)| lo <= hi)));
/// ```
pub fn properties(net: &Network, e: &Enumeration) -> (Vec<RegionProps>, Vec<EdgeProps>) {
    let d = net.input_dim();
    let layers = net.layer_sizes().len();
    let edges: Vec<EdgeProps> = e
        .edges()
        .map(|(a, b, c)| {
            let (ra, rb) = (&e.regions[a], &e.regions[b]);
            let (ma, mb) = (flat_map(&ra.logits), flat_map(&rb.logits));
            let delta: Vec<Q> = ma.iter().zip(&mb).map(|(x, y)| x - y).collect();
            let big = std::cmp::max(norm2_sq(&ma), norm2_sq(&mb));
            EdgeProps {
                a,
                b,
                grad_cos: cos(&flat_grad(&ra.logits), &flat_grad(&rb.logits)),
                rel_change: (!big.is_zero()).then(|| sqrt_f64(&(norm2_sq(&delta) / big))),
                hamming: c.neurons.len(),
            }
        })
        .collect();
    let props = e
        .regions
        .iter()
        .map(|r| {
            let neighbors: Vec<(&Pattern, &Dense)> = r
                .facets
                .iter()
                .filter_map(|f| f.neighbor)
                .map(|n| (&e.regions[n].pattern, &e.regions[n].logits))
                .collect();
            region_props(d, layers, r, &neighbors, false)
        })
        .collect::<Vec<RegionProps>>();
    let global = global_boundary_distances(e, &props);
    let props = props
        .into_iter()
        .zip(global)
        .map(|(p, g)| RegionProps { global_boundary_distance: g, ..p })
        .collect();
    (props, edges)
}

/// The centre a region's distances are measured from: its L2 insphere centre, or its
/// interior point when unbounded.
fn centre_of(r: &Region) -> &[Q] {
    match &r.insphere {
        Insphere::Finite { center, .. } => center,
        Insphere::Unbounded => &r.interior_point,
    }
}

/// Rows `a·x <= b` of the boundary piece `f_i = f_j` of a region besides its facets and the
/// piece's hyperplane: `f_m - f_i <= 0` for every output `m` not equal (as an affine map on
/// the region) to `f_i` or `f_j`. None for one output.
fn piece_others(r: &Region, (i, j): (usize, usize)) -> Vec<(Vec<Q>, Q)> {
    let k = r.logits.bias.len();
    if k == 1 {
        return vec![];
    }
    (0..k)
        .filter(|&m| !same_output(r, m, i) && !same_output(r, m, j))
        .map(|m| {
            let (w, c) = diff(r, m, i);
            (w, -c)
        })
        .collect()
}

/// For every region, the exact squared distance from its centre ([`centre_of`]) to the
/// nearest boundary piece of any region, and the distance: the global distance to the
/// decision boundary of the enumerated domain.
///
/// A piece is the polytope `{x in R : g(x) = 0, f_m <= f_i}`; the distance from `c` is that
/// of the origin to the translated polytope ([`crate::lp::nearest::nearest`], exact).
/// Pieces are taken in the order of their hyperplanes' distances (exact lower bounds) and
/// the search stops when the bound passes the best distance found.
pub fn global_boundary_distances(e: &Enumeration, props: &[RegionProps]) -> Vec<Option<(Q, f64)>> {
    // Each piece as integer rows (a_int·x <= b_int) with its normal and offset.
    struct PieceRows {
        g: Vec<Vec<Z>>,
        h: Vec<Z>,
        normal: Vec<Q>,
        offset: Q,
        norm_sq: Q,
    }
    let int_row = |a: &[Q], b: &Q| {
        let mut v = a.to_vec();
        v.push(b.clone());
        let (mut ints, _) = common_denominator(&v);
        let h = ints.pop().expect("the right-hand side");
        (ints, h)
    };
    let mut pieces: Vec<PieceRows> = Vec::new();
    for p in props {
        let r = &e.regions[p.id];
        for pc in &p.pieces {
            let (mut g, mut h) = (Vec::new(), Vec::new());
            let neg: Vec<Q> = pc.normal.iter().map(|v| -v).collect();
            let rows = r
                .facets
                .iter()
                .map(|f| (f.a.clone(), f.b.clone()))
                .chain(piece_others(r, pc.classes))
                .chain([(pc.normal.clone(), pc.offset.clone()), (neg, -&pc.offset)]);
            for (a, b) in rows {
                let (gi, hi) = int_row(&a, &b);
                g.push(gi);
                h.push(hi);
            }
            let norm_sq = norm2_sq(&pc.normal);
            pieces.push(PieceRows { g, h, normal: pc.normal.clone(), offset: pc.offset.clone(), norm_sq });
        }
    }
    if pieces.is_empty() {
        return vec![None; props.len()];
    }
    props
        .iter()
        .map(|p| {
            let c = centre_of(&e.regions[p.id]);
            let d = c.len();
            let mut order: Vec<(Q, usize)> = pieces
                .iter()
                .enumerate()
                .map(|(k, pc)| {
                    let g = dot(&pc.normal, c) - &pc.offset;
                    (&g * &g / &pc.norm_sq, k)
                })
                .collect();
            order.sort();
            let mut best: Option<Q> = None;
            for (bound, k) in order {
                if best.as_ref().is_some_and(|b| *b <= bound) {
                    break;
                }
                let pc = &pieces[k];
                // Rows for y = x - c: g·y <= h - g·c.
                let h: Vec<Q> =
                    pc.g.iter()
                        .zip(&pc.h)
                        .map(|(gi, hi)| Q::from_integer(hi.clone()) - dot_zq(gi, c))
                        .collect();
                let (hn, l) = common_denominator(&h);
                if let Some(y) = crate::lp::nearest::nearest(d, &pc.g, &hn, &l) {
                    let dist = norm2_sq(&y);
                    if best.as_ref().is_none_or(|b| dist < *b) {
                        best = Some(dist);
                    }
                }
            }
            best.map(|sq| {
                let f = sqrt_f64(&sq);
                (sq, f)
            })
        })
        .collect()
}

fn dot_zq(a: &[Z], x: &[Q]) -> Q {
    a.iter().zip(x).filter(|(u, _)| !u.is_zero()).map(|(u, v)| v * u).sum()
}

/// The properties of one region from the region itself and its neighbours' patterns and
/// logits (in facet order): all a region's measures need, so the same function serves the
/// enumeration and the local analysis of data points.
pub(crate) fn region_props(
    d: usize,
    layers: usize,
    r: &Region,
    neighbors: &[(&Pattern, &Dense)],
    certify: bool,
) -> RegionProps {
    let neuron_facets: Vec<&crate::regions::enumerate::Facet> =
        r.facets.iter().filter(|f| f.sources.iter().any(|s| matches!(s, Source::Neuron(_)))).collect();
    let mut facets_by_layer = vec![0; layers];
    for f in &neuron_facets {
        if let Some(Source::Neuron((l, _))) = f.sources.iter().find(|s| matches!(s, Source::Neuron(_))) {
            facets_by_layer[*l] += 1;
        }
    }
    // |cos| of every pair from the rows as integers with their squared norms, each computed
    // once: cos² = (A·B)² / (|A|²|B|²), the same rational as `abs_cos` takes.
    let ints: Vec<IntVector> = neuron_facets.iter().map(|f| IntVector::new(&f.a)).collect();
    let mut pair_cos = Vec::new();
    for i in 0..ints.len() {
        for j in i + 1..ints.len() {
            pair_cos.extend(ints[i].abs_cos(&ints[j]));
        }
    }
    // Classes and boundary. Past 16 inputs the facets are made ready once for the LPs.
    let prepared = (d > crate::geometry::HIGH_DIM).then(|| Prepared::new(r));
    let k = r.logits.bias.len();
    let at_interior: Vec<Q> =
        r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &r.interior_point) + b).collect();
    // One output: no certificates (`BoundaryCertificates` covers two or more).
    let mut certificates = None;
    let (classes, pieces, normal) = if k == 1 {
        let f = diff(r, 0, usize::MAX);
        // Class 1 where f > 0, class 0 where f <= 0 (as `logit > 0` predicts); on an open set
        // `f <= 0` means `f < 0` unless f is identically 0 on the region (then class 0).
        let neg = (f.0.iter().map(|v| -v).collect::<Vec<Q>>(), -&f.1);
        let mut classes = Vec::new();
        let zero = f.0.iter().all(Zero::is_zero) && f.1.is_zero();
        if zero || somewhere_negative(r, d, std::slice::from_ref(&f), prepared.as_ref()) {
            classes.push(0);
        }
        if somewhere_negative(r, d, &[neg], prepared.as_ref()) {
            classes.push(1);
        }
        let pieces: Vec<BoundaryPiece> = if classes.len() == 2 {
            piece(r, d, &f, &[], (0, 1), prepared.as_ref()).into_iter().collect()
        } else {
            vec![]
        };
        (classes, pieces, Some(f.0))
    } else {
        let top = argmax(&at_interior);
        // Each difference f_m - f_j once (the LPs below ask for most of them several times).
        let table: Vec<Vec<std::cell::OnceCell<(Vec<Q>, Q)>>> =
            (0..k).map(|_| (0..k).map(|_| std::cell::OnceCell::new()).collect()).collect();
        let diffs = |m: usize, j: usize| -> (Vec<Q>, Q) {
            if m > j {
                let (w, c) = diffs_of(&table, r, j, m);
                (w.iter().map(|v| -v).collect(), -c)
            } else {
                diffs_of(&table, r, m, j).clone()
            }
        };
        let mut classes = Vec::new();
        let mut class_certs: Vec<Decision<usize>> = Vec::new();
        let mut piece_certs: Vec<Decision<(usize, usize)>> = Vec::new();
        // Past 16 inputs, points of the region seen so far answer some questions without LPs.
        let reps: Vec<usize> = (0..k).filter(|&j| !(0..j).any(|m| same_output(r, m, j))).collect();
        let mut seen = prepared.as_ref().map(|_| {
            let mut seen = Sightings::new(reps.clone());
            seen.add(r.interior_point.clone(), &at_interior, true);
            seen
        });
        for &j in &reps {
            // Class j is predicted (the argmax, the lowest index winning ties) on an open
            // set iff no output equal to it has a lower index and, on an open set,
            // f_m - f_j < 0 for every output m not equal to it (an open set where
            // f_m <= f_j has points where the inequality is strict, f_m - f_j not being 0).
            if let Some((seen, at)) = seen.as_ref().and_then(|s| s.classes.get(&j).map(|at| (s, at))) {
                if certify {
                    class_certs.push(Decision {
                        what: j,
                        holds: true,
                        evidence: Evidence::Witness(seen.point(at)),
                    });
                }
                classes.push(j);
                continue;
            }
            let labels: Vec<LpRow> =
                (0..k).filter(|&m| !same_output(r, m, j)).map(|m| LpRow::Below(m, j)).collect();
            let rows: Vec<(Vec<Q>, Q)> =
                (0..k).filter(|&m| !same_output(r, m, j)).map(|m| diffs(m, j)).collect();
            let (yes, witness, proof) = somewhere_negative_told(r, d, &rows, prepared.as_ref(), certify);
            if let (Some(seen), Some(p), Some(x)) = (seen.as_mut(), prepared.as_ref(), witness) {
                seen.add_float(r, p, &x);
            }
            if let Some(proof) = proof {
                class_certs.push(Decision { what: j, holds: yes, evidence: evidence_of(r, proof, &labels) });
            }
            if yes {
                classes.push(j);
            }
        }
        let mut pieces = Vec::new();
        for (x, &i) in classes.iter().enumerate() {
            for &j in &classes[x + 1..] {
                let g = diffs(i, j);
                if let Some((s, at)) = seen.as_ref().and_then(|s| s.pieces.get(&(i, j)).map(|at| (s, at))) {
                    if certify {
                        piece_certs.push(Decision {
                            what: (i, j),
                            holds: true,
                            evidence: Evidence::Tie(s.point(at)),
                        });
                    }
                    pieces.push(BoundaryPiece { classes: (i, j), normal: g.0, offset: -g.1, vertices: None });
                    continue;
                }
                // Outputs equal to i or j are equal to both on the piece: no constraint.
                let kept: Vec<usize> =
                    (0..k).filter(|&m| !same_output(r, m, i) && !same_output(r, m, j)).collect();
                let others: Vec<(Vec<Q>, Q)> = kept
                    .iter()
                    .map(|&m| {
                        let (w, c) = diffs(m, i);
                        (w, -c)
                    })
                    .collect();
                // The question behind the piece (see `piece`): a point where f_j > f_i > the
                // others.
                let side: Vec<(Vec<Q>, Q)> = kept.iter().map(|&m| diffs(m, i)).chain([g.clone()]).collect();
                let labels: Vec<LpRow> =
                    kept.iter().map(|&m| LpRow::Below(m, i)).chain([LpRow::Below(i, j)]).collect();
                if prepared.is_some() {
                    let (yes, witness, proof) =
                        somewhere_negative_told(r, d, &side, prepared.as_ref(), certify);
                    if let (Some(seen), Some(p), Some(x)) = (seen.as_mut(), prepared.as_ref(), witness) {
                        seen.add_float(r, p, &x);
                    }
                    if let Some(proof) = proof {
                        piece_certs.push(Decision {
                            what: (i, j),
                            holds: yes,
                            evidence: evidence_of(r, proof, &labels),
                        });
                    }
                    if yes {
                        pieces.push(BoundaryPiece {
                            classes: (i, j),
                            normal: g.0.clone(),
                            offset: -&g.1,
                            vertices: None,
                        });
                    }
                } else {
                    let found = piece(r, d, &g, &others, (i, j), None);
                    if certify {
                        let (yes, _, proof) = somewhere_negative_told(r, d, &side, None, true);
                        debug_assert_eq!(yes, found.is_some(), "a piece and its question");
                        let proof = proof.expect("asked for");
                        piece_certs.push(Decision {
                            what: (i, j),
                            holds: yes,
                            evidence: evidence_of(r, proof, &labels),
                        });
                    }
                    pieces.extend(found);
                }
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| at_interior[b].cmp(&at_interior[a]).then(a.cmp(&b)));
        let normal = diff(r, top, order[1]).0;
        certificates = certify.then_some(BoundaryCertificates { classes: class_certs, pieces: piece_certs });
        (classes, pieces, Some(normal))
    };
    let boundary = classes.len() > 1;
    let predicted = if classes.len() == 1 { Some(classes[0]) } else { None };
    let boundary_cos_each: Vec<f64> = match &normal {
        Some(n) => {
            let unit = IntVector::new(n);
            ints.iter().filter_map(|f| unit.abs_cos(f)).collect()
        }
        None => vec![],
    };
    let boundary_cos = Stats::of(&boundary_cos_each);
    let center = match &r.insphere {
        Insphere::Finite { center, .. } => center.clone(),
        Insphere::Unbounded => r.interior_point.clone(),
    };
    // (n·c - o)² / |n|² in integers (c = X/D, (n, o) = (N, O)/s): (N·X - O·D)² / (D² |N|²),
    // one reduction per piece (the centre's denominators are long); the same rational.
    let (cx, cd) = common_denominator(&center);
    let boundary_distance = pieces
        .iter()
        .map(|p| {
            let mut no = p.normal.clone();
            no.push(p.offset.clone());
            let (ints, _) = common_denominator(&no);
            let (n, o) = ints.split_at(center.len());
            let g: Z =
                n.iter().zip(&cx).filter(|(u, _)| !u.is_zero()).map(|(u, v)| u * v).sum::<Z>() - &o[0] * &cd;
            let nn: Z = n.iter().map(|v| v * v).sum();
            Q::new(&g * &g, &cd * &cd * nn)
        })
        .min()
        .map(|sq| {
            let f = sqrt_f64(&sq);
            (sq, f)
        });
    // Neighbours.
    let own = flat_map(&r.logits);
    let own_n = norm2_sq(&own);
    let own_grad = IntVector::new(&flat_grad(&r.logits));
    let gc: Vec<f64> = neighbors
        .iter()
        .filter_map(|(_, l)| {
            let g = IntVector::new(&flat_grad(l));
            own_grad.cos(&g)
        })
        .collect();
    let rc: Vec<f64> = if own_n.is_zero() {
        vec![]
    } else {
        // |own - l|² / |own|² in integers (own = O/s, l = N/t): Σ (O t - N s)² / (s t)², one
        // reduction at the end (rational sums would reduce at every term); the same rational.
        let (o, so) = common_denominator(&own);
        neighbors
            .iter()
            .map(|(_, l)| {
                let (nl, sl) = common_denominator(&flat_map(l));
                let sum: Z = o.iter().zip(&nl).map(|(x, y)| x * &sl - y * &so).map(|v| &v * &v).sum();
                let den = &so * &sl;
                sqrt_f64(&(Q::new(sum, &den * &den) / &own_n))
            })
            .collect()
    };
    let hm: Vec<f64> = neighbors
        .iter()
        .map(|(p, _)| (0..r.pattern.0.len()).filter(|&k| r.pattern.0[k] != p.0[k]).count() as f64)
        .collect();
    RegionProps {
        id: r.id,
        inradius_l2: match &r.insphere {
            Insphere::Finite { radius_lower, radius_upper, .. } => {
                Some((radius_lower.clone(), radius_upper.clone()))
            }
            Insphere::Unbounded => None,
        },
        inradius_linf: match &r.insphere_linf {
            LinfInsphere::Finite { radius, .. } => Some(radius.clone()),
            LinfInsphere::Unbounded => None,
        },
        facets: r.facets.len(),
        facets_by_layer,
        domain_facets: r.facets.len() - neuron_facets.len(),
        facet_cos: Stats::of(&pair_cos),
        boundary_cos_each,
        boundary_cos,
        boundary,
        classes,
        predicted,
        pieces,
        boundary_distance,
        global_boundary_distance: None,
        neighbors: neighbors.len(),
        neighbor_grad_cos: Stats::of(&gc).map(|s| s.mean),
        neighbor_rel_change: Stats::of(&rc).map(|s| s.mean),
        neighbor_hamming: Stats::of(&hm).map(|s| s.mean),
        certificates,
    }
}

/// Quantiles (min, q25, median, q75, max) and mean of a list (nearest-rank quantiles).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Quantiles {
    pub n: usize,
    pub mean: f64,
    pub min: f64,
    pub q25: f64,
    pub median: f64,
    pub q75: f64,
    pub max: f64,
}

impl Quantiles {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Quantiles> {
        let mut v: Vec<f64> = values.into_iter().collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| v[((p * (v.len() - 1) as f64).round()) as usize];
        Some(Quantiles {
            n: v.len(),
            mean: v.iter().sum::<f64>() / v.len() as f64,
            min: v[0],
            q25: q(0.25),
            median: q(0.5),
            q75: q(0.75),
            max: v[v.len() - 1],
        })
    }
}

/// Aggregates of region properties over a set of regions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StudySummary {
    /// The input dimension of the regions (2 for a plane slice: slice coordinates).
    pub input_dim: usize,
    /// Regions summarised, or data points for a per-sample summary ([`summarize_points`]).
    pub regions: usize,
    /// Whether the summary is per sample: one entry per data point, a region counting once
    /// per point in it.
    pub per_sample: bool,
    /// Distinct regions summarised.
    pub distinct_regions: usize,
    pub bounded: usize,
    pub inradius_l2: Option<Quantiles>,
    pub inradius_linf: Option<Quantiles>,
    pub facets: Option<Quantiles>,
    pub facet_cos: Option<Quantiles>,
    pub boundary_fraction: f64,
    pub boundary_cos: Option<Quantiles>,
    pub boundary_distance: Option<Quantiles>,
    /// The global distance from each region's centre to the decision boundary
    /// ([`global_boundary_distances`]); enumerations only.
    pub global_boundary_distance: Option<Quantiles>,
    /// The fraction of those regions within [`NEAR_BOUNDARY`] of the boundary (decided on the
    /// exact squared distance).
    pub near_boundary_fraction: Option<f64>,
    pub neighbor_grad_cos: Option<Quantiles>,
    pub neighbor_rel_change: Option<Quantiles>,
    pub neighbor_hamming: Option<Quantiles>,
}

/// The per-sample summary of data points in the regions `ids` (one per point): the paper's
/// averages, where a region met by `k` points counts `k` times.
pub fn summarize_points(props: &[RegionProps], e: &Enumeration, ids: &[usize]) -> StudySummary {
    StudySummary { per_sample: true, ..summarize(props, e, Some(ids)) }
}

/// The distance to the decision boundary under which a region counts as near it in
/// [`StudySummary::near_boundary_fraction`] (decided exactly: squared distance <= 1/100).
pub const NEAR_BOUNDARY: f64 = 0.1;

/// Summarise the properties of the regions `ids` (all when `None`). `ids` may repeat a
/// region: with one id per data point the averages are per sample, as in the paper.
pub fn summarize(props: &[RegionProps], e: &Enumeration, ids: Option<&[usize]>) -> StudySummary {
    let sel: Vec<&RegionProps> = match ids {
        Some(ids) => ids.iter().map(|&i| &props[i]).collect(),
        None => props.iter().collect(),
    };
    let n = sel.len();
    let global: Vec<&(Q, f64)> = sel.iter().filter_map(|p| p.global_boundary_distance.as_ref()).collect();
    let near_sq = Q::new(1.into(), 100.into());
    let mut distinct: Vec<usize> = sel.iter().map(|p| p.id).collect();
    distinct.sort_unstable();
    distinct.dedup();
    StudySummary {
        input_dim: e.regions.first().map_or(0, |r| r.interior_point.len()),
        regions: n,
        per_sample: false,
        distinct_regions: distinct.len(),
        bounded: sel.iter().filter(|p| e.regions[p.id].bounded).count(),
        inradius_l2: Quantiles::of(
            sel.iter().filter_map(|p| p.inradius_l2.as_ref().map(|(lo, _)| to_f64(lo))),
        ),
        inradius_linf: Quantiles::of(sel.iter().filter_map(|p| p.inradius_linf.as_ref().map(to_f64))),
        facets: Quantiles::of(sel.iter().map(|p| p.facets as f64)),
        facet_cos: Quantiles::of(sel.iter().filter_map(|p| p.facet_cos.map(|s| s.mean))),
        boundary_fraction: if n == 0 {
            0.0
        } else {
            sel.iter().filter(|p| p.boundary).count() as f64 / n as f64
        },
        boundary_cos: Quantiles::of(sel.iter().filter_map(|p| p.boundary_cos.map(|s| s.mean))),
        boundary_distance: Quantiles::of(
            sel.iter().filter_map(|p| p.boundary_distance.as_ref().map(|d| d.1)),
        ),
        global_boundary_distance: Quantiles::of(global.iter().map(|g| g.1)),
        near_boundary_fraction: (!global.is_empty())
            .then(|| global.iter().filter(|g| g.0 <= near_sq).count() as f64 / global.len() as f64),
        neighbor_grad_cos: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_grad_cos)),
        neighbor_rel_change: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_rel_change)),
        neighbor_hamming: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_hamming)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past 16 inputs the boundary pieces come from the certified boundary LPs, with one side
    /// taken as known (the first class's own open set): the same pieces as the exact facet
    /// LP of the piece, on the regions at random points of random 20-8-8-5 nets.
    #[test]
    fn high_dimensional_pieces_equal_the_exact_facet_lp() {
        let (mut pairs, mut found) = (0, 0);
        for (seed, _, r) in crate::regions::local::regions_at_random_points(&[20, 8, 8, 5], 3, 3, 70) {
            let props = region_props(20, 2, &r, &[], false);
            let told: Vec<(usize, usize)> = props.pieces.iter().map(|p| p.classes).collect();
            let mut exact = Vec::new();
            for (t, &i) in props.classes.iter().enumerate() {
                for &j in &props.classes[t + 1..] {
                    pairs += 1;
                    let g = diff(&r, i, j);
                    if piece(&r, 20, &g, &piece_others(&r, (i, j)), (i, j), None).is_some() {
                        exact.push((i, j));
                    }
                }
            }
            assert_eq!(told, exact, "seed {seed}");
            found += exact.len();
        }
        assert!(found > 0 && found < pairs, "{found} pieces of {pairs} pairs");
    }
}
