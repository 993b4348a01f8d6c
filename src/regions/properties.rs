//! The region properties of the study (Zhang & Wu, ICLR 2020) and more: inspheres,
//! hyperplane directions, the decision boundary inside each region, and how related the
//! affine maps of neighbouring regions are.
//!
//! Exact where the quantity is rational (classes, boundary presence, boundary pieces,
//! squared distances, Hamming distances); irrational quantities (cosines, distances, norms
//! ratios) are computed from exact rationals through certified square-root bounds and
//! reported as decimals accurate to ~1e-15. Definitions with formulas are in STUDY.md.

use crate::arith::filter::z_to_f64;
use crate::arith::minors::solve_columns;
use crate::arith::num::{Q, Z, dot, from_f64_exact, norm2_sq, primitive_row, sqrt_bounds, to_f64};
use crate::geometry::{Grouped, Halfspaces, Insphere, LinfInsphere, Source, group_rows};
use crate::lp::guided::{FloatLp, float_lp_point};
use crate::lp::{LpOutcome, maximize_primal};
use crate::network::{Dense, Network, Pattern};
use crate::regions::enumerate::{Enumeration, Region};
use num_traits::{Signed, Zero};

/// `sqrt(q)` for a rational `q >= 0`, from certified bounds 2^-64 apart (display accuracy).
pub fn sqrt_f64(q: &Q) -> f64 {
    let (lo, hi) = sqrt_bounds(q, 64);
    (to_f64(&lo) + to_f64(&hi)) / 2.0
}

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
    pub neighbors: usize,
    pub neighbor_grad_cos: Option<f64>,
    pub neighbor_rel_change: Option<f64>,
    pub neighbor_hamming: Option<f64>,
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

/// Logit difference `f_i - f_j` as `(weight, bias)`; for one output (`j = usize::MAX`) the
/// logit itself.
fn diff(r: &Region, i: usize, j: usize) -> (Vec<Q>, Q) {
    let w = &r.logits.weight;
    let b = &r.logits.bias;
    if j == usize::MAX {
        return (w[i].clone(), b[i].clone());
    }
    (w[i].iter().zip(&w[j]).map(|(x, y)| x - y).collect(), &b[i] - &b[j])
}

/// Rows of the region plus `extra` rows `(a, b)` meaning `a x <= b`.
fn with_rows(r: &Region, extra: &[(Vec<Q>, Q)]) -> Grouped {
    let base = r.facets.iter().map(|f| (f.a.clone(), f.b.clone(), Source::Domain(0)));
    let more = extra.iter().map(|(a, b)| (a.clone(), b.clone(), Source::Domain(1)));
    group_rows(base.chain(more))
}

/// Is there a point of the region where every `g(x) = w·x + c` in `strict` is `< 0`? (Then
/// an open set has it, the region being full-dimensional.) First the region's interior point
/// as a witness; else the LP maximise `t` subject to the region, `w·x + t <= -c`, `t <= 1`,
/// proposed by floats and certified exactly ([`certified_vertex`]), or solved exactly.
fn somewhere_negative(r: &Region, d: usize, strict: &[(Vec<Q>, Q)]) -> bool {
    if strict.iter().all(|(w, c)| (dot(w, &r.interior_point) + c).is_negative()) {
        return true;
    }
    let (a, b) = negative_lp(r, d, strict);
    if let Some(positive) = guided_max_is_positive(&a, &b, d, r, strict) {
        return positive;
    }
    somewhere_negative_exact(&a, &b, d)
}

/// The rows of [`somewhere_negative`]'s LP over `(x, t)`.
fn negative_lp(r: &Region, d: usize, strict: &[(Vec<Q>, Q)]) -> (Vec<Vec<Q>>, Vec<Q>) {
    let mut a: Vec<Vec<Q>> = Vec::new();
    let mut b: Vec<Q> = Vec::new();
    for f in &r.facets {
        let mut row = f.a.clone();
        row.push(Q::zero());
        a.push(row);
        b.push(f.b.clone());
    }
    for (w, c) in strict {
        let mut row = w.clone();
        row.push(Q::from_integer(1.into()));
        a.push(row);
        b.push(-c);
    }
    let mut cap = vec![Q::zero(); d + 1];
    cap[d] = Q::from_integer(1.into());
    a.push(cap);
    b.push(Q::from_integer(1.into()));
    (a, b)
}

fn somewhere_negative_exact(a: &[Vec<Q>], b: &[Q], d: usize) -> bool {
    let mut cap = vec![Q::zero(); d + 1];
    cap[d] = Q::from_integer(1.into());
    matches!(maximize_primal(&cap, a, b), LpOutcome::Optimal { value, .. } if value.is_positive())
}

/// [`somewhere_negative`] decided by a float active-set guess started at the region's
/// interior point and certified exactly, either way:
/// - `false` by weak duality: multipliers `y >= 0` on the rows active at the float optimum
///   with `Σ y_i a_i = e_t` exactly (one fraction-free solve) and `Σ y_i b_i <= 0` bound `t`
///   by 0 over the whole LP;
/// - `true` by a witness: a rational point near the float optimum (pulled a little towards the
///   interior point) in the region where every `g < 0`, checked exactly.
///
/// `None` when neither certificate holds (then the exact simplex decides).
fn guided_max_is_positive(
    a: &[Vec<Q>],
    b: &[Q],
    d: usize,
    r: &Region,
    strict: &[(Vec<Q>, Q)],
) -> Option<bool> {
    let rows: Vec<(Vec<Z>, Z)> = a.iter().zip(b).map(|(ai, bi)| primitive_row(ai, bi)).collect();
    let af: Vec<Vec<f64>> = rows.iter().map(|(ai, _)| ai.iter().map(z_to_f64).collect()).collect();
    let bf: Vec<f64> = rows.iter().map(|(_, bi)| z_to_f64(bi)).collect();
    let x0: Vec<f64> = r.interior_point.iter().map(to_f64).collect();
    let t0 = strict
        .iter()
        .map(|(w, c)| -to_f64(c) - w.iter().zip(&x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
        .fold(1.0f64, f64::min);
    if !t0.is_finite() {
        return None;
    }
    let start: Vec<f64> = x0.iter().copied().chain([t0 - 1.0 - t0.abs()]).collect();
    let cf: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
    let (guess, at) = float_lp_point(&af, &bf, &cf, &start);
    let active = match guess {
        FloatLp::Vertex(w) | FloatLp::Face(w) => w,
        _ => return None,
    };
    // Weak duality: t = Σ y_i a_i·(x, t) <= Σ y_i b_i for every feasible (x, t).
    let m: Vec<Vec<Z>> = (0..=d).map(|j| active.iter().map(|&i| rows[i].0[j].clone()).collect()).collect();
    let e: Vec<Z> = (0..=d).map(|j| Z::from(u8::from(j == d))).collect();
    if let Some((det, y)) = solve_columns(&m, &e) {
        let s = |v: &Z| if det.is_negative() { -v.signum() } else { v.signum() };
        if y.iter().all(|yi| !s(yi).is_negative()) {
            let bound: Z = y.iter().zip(&active).map(|(yi, &i)| yi * &rows[i].1).sum();
            if !s(&bound).is_positive() {
                return Some(false);
            }
        }
    }
    // A witness near the float optimum: x + 2^-20·(interior - x), checked exactly.
    let pull = Q::new(Z::from(1), Z::from(1u64 << 20));
    let xq: Option<Vec<Q>> = at[..d].iter().map(|&v| from_f64_exact(v)).collect();
    let xq = xq?;
    let y: Vec<Q> = xq.iter().zip(&r.interior_point).map(|(x, c)| x + (c - x) * &pull).collect();
    let inside = r.facets.iter().all(|f| dot(&f.a, &y) <= f.b);
    (inside && strict.iter().all(|(w, c)| (dot(w, &y) + c).is_negative())).then_some(true)
}

/// The piece `{x in R : g(x) = 0, other rows <= 0}` if it is (d-1)-dimensional.
fn piece(
    r: &Region,
    d: usize,
    g: &(Vec<Q>, Q),
    others: &[(Vec<Q>, Q)],
    classes: (usize, usize),
) -> Option<BoundaryPiece> {
    if g.0.iter().all(Zero::is_zero) {
        return None;
    }
    // g(x) = w·x + c = 0  <=>  w·x <= -c and -w·x <= c.
    let (w, c) = g;
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
            region_props(d, layers, r, &neighbors)
        })
        .collect();
    (props, edges)
}

/// The properties of one region from the region itself and its neighbours' patterns and
/// logits (in facet order): all a region's measures need, so the same function serves the
/// enumeration and the local analysis of data points.
pub(crate) fn region_props(
    d: usize,
    layers: usize,
    r: &Region,
    neighbors: &[(&Pattern, &Dense)],
) -> RegionProps {
    let neuron_facets: Vec<&crate::regions::enumerate::Facet> =
        r.facets.iter().filter(|f| f.sources.iter().any(|s| matches!(s, Source::Neuron(_)))).collect();
    let mut facets_by_layer = vec![0; layers];
    for f in &neuron_facets {
        if let Some(Source::Neuron((l, _))) = f.sources.iter().find(|s| matches!(s, Source::Neuron(_))) {
            facets_by_layer[*l] += 1;
        }
    }
    let mut pair_cos = Vec::new();
    for i in 0..neuron_facets.len() {
        for j in i + 1..neuron_facets.len() {
            pair_cos.extend(abs_cos(&neuron_facets[i].a, &neuron_facets[j].a));
        }
    }
    // Classes and boundary.
    let k = r.logits.bias.len();
    let at_interior: Vec<Q> =
        r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &r.interior_point) + b).collect();
    let (classes, pieces, normal) = if k == 1 {
        let f = diff(r, 0, usize::MAX);
        // Class 0 where f < 0, class 1 where f > 0 (on an open set).
        let neg = (f.0.iter().map(|v| -v).collect::<Vec<Q>>(), -&f.1);
        let mut classes = Vec::new();
        if somewhere_negative(r, d, std::slice::from_ref(&f)) {
            classes.push(0);
        }
        if somewhere_negative(r, d, &[neg]) {
            classes.push(1);
        }
        let pieces: Vec<BoundaryPiece> =
            if classes.len() == 2 { piece(r, d, &f, &[], (0, 1)).into_iter().collect() } else { vec![] };
        (classes, pieces, Some(f.0))
    } else {
        let top = argmax(&at_interior);
        let mut classes = Vec::new();
        for j in 0..k {
            // Class j is the strict argmax somewhere: f_m - f_j < 0 for all m != j.
            let rows: Vec<(Vec<Q>, Q)> = (0..k).filter(|&m| m != j).map(|m| diff(r, m, j)).collect();
            if somewhere_negative(r, d, &rows) {
                classes.push(j);
            }
        }
        let mut pieces = Vec::new();
        for (x, &i) in classes.iter().enumerate() {
            for &j in &classes[x + 1..] {
                let g = diff(r, i, j);
                let others: Vec<(Vec<Q>, Q)> = (0..k)
                    .filter(|&m| m != i && m != j)
                    .map(|m| {
                        let (w, c) = diff(r, m, i);
                        (w, -c)
                    })
                    .collect();
                pieces.extend(piece(r, d, &g, &others, (i, j)));
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| at_interior[b].cmp(&at_interior[a]).then(a.cmp(&b)));
        let normal = diff(r, top, order[1]).0;
        (classes, pieces, Some(normal))
    };
    let boundary = classes.len() > 1;
    let predicted = if classes.len() == 1 { Some(classes[0]) } else { None };
    let boundary_cos_each: Vec<f64> = match &normal {
        Some(n) => neuron_facets.iter().filter_map(|f| abs_cos(&f.a, n)).collect(),
        None => vec![],
    };
    let boundary_cos = Stats::of(&boundary_cos_each);
    let center = match &r.insphere {
        Insphere::Finite { center, .. } => center.clone(),
        Insphere::Unbounded => r.interior_point.clone(),
    };
    let boundary_distance = pieces
        .iter()
        .map(|p| {
            let g = dot(&p.normal, &center) - &p.offset;
            &g * &g / norm2_sq(&p.normal)
        })
        .min()
        .map(|sq| {
            let f = sqrt_f64(&sq);
            (sq, f)
        });
    // Neighbours.
    let own = flat_map(&r.logits);
    let own_n = norm2_sq(&own);
    let gc: Vec<f64> =
        neighbors.iter().filter_map(|(_, l)| cos(&flat_grad(&r.logits), &flat_grad(l))).collect();
    let rc: Vec<f64> = if own_n.is_zero() {
        vec![]
    } else {
        neighbors
            .iter()
            .map(|(_, l)| {
                let delta: Vec<Q> = own.iter().zip(flat_map(l)).map(|(x, y)| x - y).collect();
                sqrt_f64(&(norm2_sq(&delta) / &own_n))
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
        neighbors: neighbors.len(),
        neighbor_grad_cos: Stats::of(&gc).map(|s| s.mean),
        neighbor_rel_change: Stats::of(&rc).map(|s| s.mean),
        neighbor_hamming: Stats::of(&hm).map(|s| s.mean),
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
    pub regions: usize,
    pub bounded: usize,
    pub inradius_l2: Option<Quantiles>,
    pub inradius_linf: Option<Quantiles>,
    pub facets: Option<Quantiles>,
    pub facet_cos: Option<Quantiles>,
    pub boundary_fraction: f64,
    pub boundary_cos: Option<Quantiles>,
    pub boundary_distance: Option<Quantiles>,
    pub neighbor_grad_cos: Option<Quantiles>,
    pub neighbor_rel_change: Option<Quantiles>,
    pub neighbor_hamming: Option<Quantiles>,
}

/// Summarise the properties of the regions `ids` (all when `None`).
pub fn summarize(props: &[RegionProps], e: &Enumeration, ids: Option<&[usize]>) -> StudySummary {
    let sel: Vec<&RegionProps> = match ids {
        Some(ids) => ids.iter().map(|&i| &props[i]).collect(),
        None => props.iter().collect(),
    };
    let n = sel.len();
    StudySummary {
        regions: n,
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
        neighbor_grad_cos: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_grad_cos)),
        neighbor_rel_change: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_rel_change)),
        neighbor_hamming: Quantiles::of(sel.iter().filter_map(|p| p.neighbor_hamming)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::domain::Domain;
    use crate::regions::enumerate::{Options, enumerate};

    /// The certified float answers of `somewhere_negative` (weak-duality bound or witness)
    /// equal the exact simplex's on the regions of the fixture networks, for the class rows
    /// of every pair of outputs and for random affine rows through the region.
    #[test]
    fn guided_somewhere_negative_equals_the_exact_lp() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut rng = crate::network::random::SplitMix64(5);
        let (mut decided, mut total) = (0, 0);
        for name in ["net-2-8-8-1.json", "net-3-6-6-1.json", "small2d.json", "known_boundary.json"] {
            let net =
                crate::formats::parse_network(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
            let d = net.input_dim();
            let e = enumerate(&net, &Domain::default_box(d), &Options::default()).unwrap();
            for r in &e.regions {
                for _ in 0..4 {
                    let strict: Vec<(Vec<Q>, Q)> = (0..1 + rng.next_u64() % 3)
                        .map(|_| {
                            let w: Vec<Q> =
                                (0..d).map(|_| Q::from_integer(rng.small_int(4).into())).collect();
                            let at = dot(&w, &r.interior_point);
                            (w, -at + Q::new(rng.small_int(3).into(), 4.into()))
                        })
                        .collect();
                    let (a, b) = negative_lp(r, d, &strict);
                    let exact = somewhere_negative_exact(&a, &b, d);
                    total += 1;
                    if let Some(told) = guided_max_is_positive(&a, &b, d, r, &strict) {
                        assert_eq!(told, exact, "{name} region {} rows {strict:?}", r.id);
                        decided += 1;
                    }
                    assert_eq!(somewhere_negative(r, d, &strict), exact);
                }
            }
        }
        assert!(decided * 2 > total, "decided {decided} of {total}");
    }
}
