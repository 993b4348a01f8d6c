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
use crate::arith::num::{
    Q, Z, common_denominator, dot, from_f64_exact, norm2_sq, primitive_row, sqrt_bounds, to_f64,
};
use crate::geometry::{Grouped, Halfspaces, Insphere, LinfInsphere, Source, group_rows};
use crate::lp::guided::{FloatLp, float_lp_point};
use crate::lp::{LpOutcome, maximize_primal};
use crate::network::{Dense, Network, Pattern};
use crate::regions::enumerate::{Enumeration, Region};
use num_traits::{One, Signed, Zero};

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

/// A fixed vector as integers (scaled by its common denominator) with its squared norm: the
/// cosines with many others, each from one integer dot product. The same rationals as
/// [`abs_cos`] and [`cos`] take, so the same values.
struct IntVector {
    v: Vec<Z>,
    n: Z,
}

impl IntVector {
    fn new(a: &[Q]) -> IntVector {
        let v = common_denominator(a).0;
        let n = v.iter().map(|x| x * x).sum();
        IntVector { v, n }
    }

    /// `|cos|` with the integer vector `b` of squared norm `nb`.
    fn abs_cos(&self, b: &[Z], nb: &Z) -> Option<f64> {
        if self.n.is_zero() || nb.is_zero() {
            return None;
        }
        let ab: Z = self.v.iter().zip(b).filter(|(x, _)| !x.is_zero()).map(|(x, y)| x * y).sum();
        Some(sqrt_f64(&Q::new(&ab * &ab, &self.n * nb)))
    }

    /// The signed cosine.
    fn cos(&self, b: &[Z], nb: &Z) -> Option<f64> {
        let ab: Z = self.v.iter().zip(b).map(|(x, y)| x * y).sum();
        self.abs_cos(b, nb).map(|c| if ab.is_negative() { -c } else { c })
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
fn diff(r: &Region, i: usize, j: usize) -> (Vec<Q>, Q) {
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

/// Is there a point of the region where every `g(x) = w·x + c` in `strict` is `< 0`? (Then
/// an open set has it, the region being full-dimensional.) First the region's interior point
/// as a witness; else the LP maximise `t` subject to the region, `w·x + t <= -c`, `t <= 1`,
/// proposed by floats and certified exactly ([`certified_vertex`]), or solved exactly.
///
/// Past 16 inputs (`prepared` given) the interior-point certificates come first
/// ([`ipm_max_is_positive`]) and the interior point is tried only where floats say it serves.
fn somewhere_negative(r: &Region, d: usize, strict: &[(Vec<Q>, Q)], prepared: Option<&Prepared>) -> bool {
    somewhere_negative_seen(r, d, strict, prepared).0
}

/// [`somewhere_negative`] with the witness of a `true` from the interior-point method: a
/// point of the region (floats at their exact values) where every row of `strict` is `< 0`.
fn somewhere_negative_seen(
    r: &Region,
    d: usize,
    strict: &[(Vec<Q>, Q)],
    prepared: Option<&Prepared>,
) -> (bool, Option<Vec<f64>>) {
    let at_interior = |p: Option<&Prepared>| match p {
        // A float look first: the interior point's coordinates have long denominators.
        Some(p) => strict.iter().all(|(w, c)| {
            to_f64(c) + w.iter().zip(&p.interior_f).map(|(u, v)| to_f64(u) * v).sum::<f64>() < 0.0
        }),
        None => true,
    };
    let interior = prepared.and_then(|p| p.short_interior.as_deref()).unwrap_or(&r.interior_point);
    if at_interior(prepared) && strict.iter().all(|(w, c)| (dot(w, interior) + c).is_negative()) {
        return (true, None);
    }
    if let Some(p) = prepared
        && let Some(told) = ipm_max_is_positive(p, d, strict)
    {
        return match told {
            Told::Yes(x) => (true, Some(x)),
            Told::No => (false, None),
        };
    }
    let (a, b) = negative_lp(r, d, strict);
    if let Some(positive) = guided_max_is_positive(&a, &b, d, r, strict) {
        return (positive, None);
    }
    (somewhere_negative_exact(&a, &b, d), None)
}

/// A certified answer of [`ipm_max_is_positive`].
#[derive(Debug, PartialEq)]
enum Told {
    /// With the witness: a point of the region (floats at their exact values).
    Yes(Vec<f64>),
    No,
}

/// Exact points of a region (past 16 inputs) with their logits, and what the segments
/// between them show, exactly: the outputs on top on an open part of a segment (classes:
/// predicted near a point of the region, so on an open subset of it) and the pairs of
/// outputs tied on top, above every other, at a point strictly inside (boundary pieces: the
/// piece's hyperplane meets the interior of its polytope there). Each LP answered `true`
/// adds its witness, so one LP's point may settle other questions.
///
/// Outputs are the representatives `reps` (the lowest index of each set of outputs equal
/// on the region); answers are sets, so they do not depend on the order of the points.
struct Sightings {
    reps: Vec<usize>,
    /// The representatives' logits at each point, and whether it is strictly inside.
    points: Vec<(Vec<Q>, bool)>,
    classes: std::collections::BTreeSet<usize>,
    pieces: std::collections::BTreeSet<(usize, usize)>,
}

impl Sightings {
    fn new(reps: Vec<usize>) -> Sightings {
        Sightings { reps, points: Vec::new(), classes: Default::default(), pieces: Default::default() }
    }

    /// Adds a point of the region by its logits (every output's) and scans the segments
    /// from it to every point before.
    fn add(&mut self, logits: &[Q], strictly_inside: bool) {
        let new: Vec<Q> = self.reps.iter().map(|&m| logits[m].clone()).collect();
        self.scan(&new, &new, strictly_inside, strictly_inside);
        for t in 0..self.points.len() {
            let (old, inside) = self.points[t].clone();
            self.scan(&old, &new, inside, strictly_inside);
        }
        self.points.push((new, strictly_inside));
    }

    /// [`Self::add`] of the float point `x` (at its exact value) of the region.
    fn add_float(&mut self, r: &Region, p: &Prepared, x: &[f64]) {
        let Some((ys, l)) = dyadic(x) else { return };
        let y: Vec<Q> = ys.iter().map(|v| Q::new(v.clone(), l.clone())).collect();
        let logits: Vec<Q> =
            r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &y) + b).collect();
        self.add(&logits, p.holds_over(&ys, &l, true));
    }

    /// The upper envelope of the lines `f_m(s) = p_m + s (q_m - p_m)` on `s` in `[0, 1]`
    /// (the logits along the segment from `p` to `q`, points of the region): the line on
    /// top of an open interval is a class; two lines alone on top at a point strictly
    /// inside (one end strictly inside makes every point but the other end so) are a piece.
    /// A segment where two outputs coincide is left (nothing is concluded from a tie).
    fn scan(&mut self, p: &[Q], q: &[Q], p_inside: bool, q_inside: bool) {
        let k = p.len();
        let slope: Vec<Q> = (0..k).map(|m| &q[m] - &p[m]).collect();
        let inside_at = |s: &Q| {
            if s.is_zero() {
                p_inside
            } else if s.is_one() {
                q_inside
            } else {
                p_inside || q_inside
            }
        };
        // The lines on top at s = 0, then the one of them that stays on top just after.
        let top0 = p.iter().max().expect("outputs");
        let tied: Vec<usize> = (0..k).filter(|&m| &p[m] == top0).collect();
        match tied.len() {
            1 => {
                self.classes.insert(self.reps[tied[0]]);
            }
            2 if p_inside => {
                self.pieces.insert((self.reps[tied[0]], self.reps[tied[1]]));
            }
            _ => {}
        }
        let Some(mut cur) = Self::steepest(&tied, &slope) else { return };
        let mut s = Q::zero();
        while s < Q::one() {
            // The first line to pass `cur` after s: among the steeper ones, the earliest
            // crossing p_cur + s slope_cur = p_m + s slope_m.
            let mut next: Option<(Q, Vec<usize>)> = None;
            for m in (0..k).filter(|&m| slope[m] > slope[cur]) {
                let at = (&p[cur] - &p[m]) / (&slope[m] - &slope[cur]);
                match &mut next {
                    Some((best, ms)) if at == *best => ms.push(m),
                    Some((best, _)) if at > *best => {}
                    _ => next = Some((at, vec![m])),
                }
            }
            // On top of the open interval (s, next) (or (s, 1]).
            match next {
                Some((at, _)) if at > Q::one() => {
                    self.classes.insert(self.reps[cur]);
                    return;
                }
                None => {
                    self.classes.insert(self.reps[cur]);
                    return;
                }
                Some((at, ms)) => {
                    debug_assert!(at > s);
                    self.classes.insert(self.reps[cur]);
                    if ms.len() == 1 && inside_at(&at) {
                        let (a, b) =
                            (self.reps[cur].min(self.reps[ms[0]]), self.reps[cur].max(self.reps[ms[0]]));
                        self.pieces.insert((a, b));
                    }
                    let Some(steepest) = Self::steepest(&ms, &slope) else { return };
                    cur = steepest;
                    s = at;
                }
            }
        }
    }

    /// The line of `ms` with the largest slope, `None` if two share it (they coincide
    /// where they tie).
    fn steepest(ms: &[usize], slope: &[Q]) -> Option<usize> {
        let top = ms.iter().map(|&m| &slope[m]).max()?;
        let mut with = ms.iter().filter(|&&m| &slope[m] == top);
        let first = *with.next()?;
        with.next().is_none().then_some(first)
    }
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
        FloatLp::Vertex(w) | FloatLp::Face(w, _) => w,
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
    // A witness near the float optimum.
    witness_near(&at[..d], r, strict).then_some(true)
}

/// [`somewhere_negative`] in high dimension, from the float interior-point method
/// ([`ipm_max`]) on its LP, certified exactly either way:
/// - `true` by a witness, as in [`guided_max_is_positive`];
/// - `false` by weak duality with multipliers built from the method's `λ` without a solve:
///   `y_i >= 0` on the neuron facets and the strict rows (the floats' exact values), the cap
///   row's multiplier making the `t` column sum to 1, and the rest of `Σ y_i a_i` in each
///   coordinate taken up by the region's facet on the box face that has the right sign (a
///   row with one nonzero). Then `Σ y_i a_i = e_t` exactly and `t <= Σ y_i b_i` everywhere
///   in the LP: `false` if that bound is `<= 0`.
///
/// `None` when neither holds (a face of the box missing among the facets, or the bound not
/// below 0): the active-set guess and the exact simplex decide.
fn ipm_max_is_positive(p: &Prepared, d: usize, strict: &[(Vec<Q>, Q)]) -> Option<Told> {
    // The LP's rows over (x, t): the facets (prepared), then the strict rows and the cap
    // t <= 1 (`extra`).
    let mut extra: Vec<(Vec<Z>, Z)> = strict
        .iter()
        .map(|(w, c)| {
            let mut row = w.clone();
            row.push(Q::from_integer(1.into()));
            primitive_row(&row, &-c)
        })
        .collect();
    extra.push(((0..=d).map(|j| Z::from(u8::from(j == d))).collect(), Z::from(1)));
    let nf = p.rows.len();
    let row = |i: usize| if i < nf { &p.rows[i] } else { &extra[i - nf] };
    let mut af: Vec<Vec<f64>> = p.rows_f.clone();
    af.extend(extra.iter().map(|(ai, _)| ai.iter().map(z_to_f64).collect()));
    let bf: Vec<f64> = p.rows.iter().chain(&extra).map(|(_, bi)| z_to_f64(bi)).collect();
    let x0 = &p.interior_f;
    let t0 = strict
        .iter()
        .map(|(w, c)| -to_f64(c) - w.iter().zip(x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
        .fold(1.0f64, f64::min);
    if !t0.is_finite() || !af.iter().flatten().chain(&bf).all(|v| v.is_finite()) {
        return None;
    }
    let start: Vec<f64> = x0.iter().copied().chain([t0 - 1.0 - t0.abs()]).collect();
    let cf: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
    // The cap row t <= 1 is the t column's box-like row: no radius column.
    // Only the sign of the optimum is asked: the method may stop once it is clear.
    let ipm = crate::lp::ipm::ipm_max_until(&af, &bf, &cf, &start, false, Some(0.0))?;
    if ipm.z[d] > 0.0 && ipm.stop != crate::lp::ipm::Stop::DualBelow {
        // The method's iterates meet the rows only up to a residual: a point near the
        // optimum may miss a nearly tight row. Pulled towards the interior point (inside
        // every facet strictly) by less than the strict rows' margin allows, it is inside.
        let t = ipm.z[d];
        let worst = strict
            .iter()
            .map(|(w, c)| to_f64(c) + w.iter().zip(x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
            .fold(0.0f64, f64::max);
        let top = 0.5 * t / (t + worst);
        return [0.0, top, top * 1e-2, top * 1e-4, top * 1e-6].iter().find_map(|&alpha| {
            let x: Vec<f64> = ipm.z[..d].iter().zip(x0).map(|(z, c)| z + alpha * (c - z)).collect();
            p.inside(&x, false, &extra).then_some(Told::Yes(x))
        });
    }
    // Multipliers: the floats' exact values on the other facets and the strict rows, as
    // integers `Y_i` over one power of two `2^E` (no fractions to reduce); the box faces
    // among the facets absorb (their own λ is not used).
    let m = nf + extra.len();
    let cap = m - 1;
    let lam: Vec<f64> =
        (0..cap).map(|i| if i >= nf || !p.box_face[i] { ipm.lambda[i].max(0.0) } else { 0.0 }).collect();
    let (y, two_e) = dyadic(&lam)?;
    // The t column: the strict rows carry `T / 2^E`; the cap row `t <= 1` takes what is
    // left, `1 - T / 2^E`. When they pass 1 every multiplier is scaled down by `2^E / T`
    // instead and the cap's is 0: a positive factor, which leaves the bound's sign as it is.
    let t_sum: Z = (nf..cap).map(|i| &y[i] * &row(i).0[d]).sum();
    debug_assert!(row(cap).0[d].is_one() && row(cap).1.is_one());
    let cap_y: Z = if t_sum > two_e { Z::zero() } else { &two_e - &t_sum };
    // 2^E Σ y_i a_i over x, then the box faces take it to zero: the face with a
    // coefficient of the opposite sign gets `-R_j / a_ij >= 0`.
    let mut resid: Vec<Z> = vec![Z::zero(); d];
    for (i, yi) in y.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
        for (rj, aij) in resid.iter_mut().zip(&row(i).0[..d]) {
            if !aij.is_zero() {
                *rj += yi * aij;
            }
        }
    }
    // 2^E times the bound Σ y_i b_i: integers, but for box faces whose coefficient is not ±1.
    let mut bound: Z = y.iter().zip(0..cap).filter(|(v, _)| !v.is_zero()).map(|(v, i)| v * &row(i).1).sum();
    bound += cap_y;
    let mut fractions = Q::zero();
    for (j, rj) in resid.iter().enumerate() {
        if rj.is_zero() {
            continue;
        }
        let i = p.absorb[j][usize::from(rj.is_negative())]?;
        let (a, b) = (&p.rows[i].0[j], &p.rows[i].1);
        if a.is_one() {
            bound -= rj * b;
        } else if (-a).is_one() {
            bound += rj * b;
        } else {
            fractions -= Q::new(rj * b, a.clone());
        }
    }
    (!(Q::from_integer(bound) + fractions).is_positive()).then_some(Told::No)
}

/// `x` at its exact binary value, as integers over one power of two `(X, 2^E)`; `None` if an
/// entry is not finite.
fn dyadic(x: &[f64]) -> Option<(Vec<Z>, Z)> {
    // v = ±mantissa · 2^exp for every finite v.
    let parts: Vec<(i64, i32)> = x
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return None;
            }
            let bits = v.to_bits();
            let biased = ((bits >> 52) & 0x7ff) as i32;
            let frac = (bits & ((1u64 << 52) - 1)) as i64;
            let (mant, exp) = if biased == 0 { (frac, -1074) } else { (frac | (1i64 << 52), biased - 1075) };
            Some((if bits >> 63 == 1 { -mant } else { mant }, exp))
        })
        .collect::<Option<_>>()?;
    let shift = parts.iter().filter(|(m, _)| *m != 0).map(|&(_, e)| -e).max().unwrap_or(0).max(0);
    let ints = parts
        .iter()
        .map(|&(m, e)| if m == 0 { Z::zero() } else { Z::from(m) << ((e + shift) as usize) })
        .collect();
    Some((ints, Z::one() << (shift as usize)))
}

/// `Σ a_j x_j` over the common length, skipping zero entries of `a`.
fn int_dot(a: &[Z], x: &[Z]) -> Z {
    a.iter().zip(x).filter(|(u, _)| !u.is_zero()).map(|(u, v)| u * v).sum()
}

/// A region's facets made ready once for the many boundary LPs of high dimension: rows over
/// `(x, t)` as primitive integers (`t` coefficient 0) and as floats, the interior point as
/// floats.
struct Prepared {
    /// A point strictly inside with short coordinates (dyadic, near the interior point),
    /// checked exactly, if one was found: the cheap first witness.
    short_interior: Option<Vec<Q>>,
    rows: Vec<(Vec<Z>, Z)>,
    rows_f: Vec<Vec<f64>>,
    /// `(a_i, b_i)` of the facets as converted floats, for the witness filter.
    rows_ab: Vec<Vec<f64>>,
    interior_f: Vec<f64>,
    /// Whether each facet is a box face (one nonzero), and per coordinate the facets on its
    /// faces with a negative and a positive coefficient (the multipliers' absorbers).
    box_face: Vec<bool>,
    absorb: Vec<[Option<usize>; 2]>,
}

impl Prepared {
    fn new(r: &Region) -> Prepared {
        let rows: Vec<(Vec<Z>, Z)> = r
            .facets
            .iter()
            .map(|f| {
                let mut a = f.a.clone();
                a.push(Q::zero());
                primitive_row(&a, &f.b)
            })
            .collect();
        let rows_f = rows.iter().map(|(a, _)| a.iter().map(z_to_f64).collect()).collect();
        let rows_ab =
            rows.iter().map(|(a, b)| a[..a.len() - 1].iter().chain([b]).map(z_to_f64).collect()).collect();
        let d = r.interior_point.len();
        let mut box_face = vec![false; rows.len()];
        let mut absorb: Vec<[Option<usize>; 2]> = vec![[None, None]; d];
        for (i, (a, _)) in rows.iter().enumerate() {
            let mut nz = (0..d).filter(|&j| !a[j].is_zero());
            if let (Some(j), None) = (nz.next(), nz.next()) {
                box_face[i] = true;
                absorb[j][usize::from(a[j].is_positive())] = Some(i);
            }
        }
        let mut p = Prepared {
            short_interior: None,
            rows,
            rows_f,
            rows_ab,
            interior_f: r.interior_point.iter().map(to_f64).collect(),
            box_face,
            absorb,
        };
        // The interior point rounded to multiples of 2^-48, if still strictly inside.
        let short: Option<Vec<Q>> = p
            .interior_f
            .iter()
            .map(|&v| from_f64_exact((v * 2f64.powi(48)).round() / 2f64.powi(48)))
            .collect();
        p.short_interior = short.filter(|y| p.holds(y, true));
        p
    }

    /// Whether the rational point `y` satisfies every facet (strictly with `strictly`), by
    /// the float filter when it decides, else in integers.
    fn holds(&self, y: &[Q], strictly: bool) -> bool {
        let (ys, l) = common_denominator(y);
        self.holds_over(&ys, &l, strictly)
    }

    /// [`Self::holds`] of the point `ys / l` (`l > 0`).
    fn holds_over(&self, ys: &[Z], l: &Z, strictly: bool) -> bool {
        let fy: Vec<f64> = ys.iter().map(z_to_f64).chain([-z_to_f64(&l)]).collect();
        self.rows.iter().zip(&self.rows_ab).all(|((a, b), ab)| {
            match crate::arith::filter::dot_converted(ab, &fy).sign() {
                Some(s) if s < 0 => true,
                Some(s) if strictly || s > 0 => false,
                _ => {
                    let ay = int_dot(a, ys);
                    if strictly { ay < b * l } else { ay <= b * l }
                }
            }
        })
    }

    /// Whether the float point `x` at its exact binary value is in the region (strictly
    /// with `strictly`) with every strict row `< 0`, exactly: the witness of an
    /// interior-point iterate ([`witness_near`] for a float vertex).
    ///
    /// `strict_int` holds the strict rows `w·x + c < 0` as integer rows `W·x < B` (a
    /// positive multiple, as [`primitive_row`] of `(w, -c)` gives them; entries past `x`'s
    /// length are not read).
    fn inside(&self, x: &[f64], strictly: bool, strict_int: &[(Vec<Z>, Z)]) -> bool {
        let Some((ys, l)) = dyadic(x) else { return false };
        self.holds_over(&ys, &l, strictly) && strict_int.iter().all(|(w, b)| int_dot(w, &ys) < b * &l)
    }
}

/// A witness of [`somewhere_negative`] near the float point `x`: `x + 2^-20·(interior - x)`
/// in floats (off the facets a float vertex lies on), taken at its exact binary value (small
/// denominators, unlike the interior point's), in the region with every `g < 0`, checked
/// exactly.
fn witness_near(x: &[f64], r: &Region, strict: &[(Vec<Q>, Q)]) -> bool {
    let pull = 2f64.powi(-20);
    let y: Option<Vec<Q>> =
        x.iter().zip(&r.interior_point).map(|(&v, c)| from_f64_exact(v + (to_f64(c) - v) * pull)).collect();
    let Some(y) = y else { return false };
    let inside = r.facets.iter().all(|f| dot(&f.a, &y) <= f.b);
    inside && strict.iter().all(|(w, c)| (dot(w, &y) + c).is_negative())
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
    seen: Option<&mut Sightings>,
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
        // The side g < 0; its witness joins the points seen.
        // `others` are rows `a·x <= b`: strictly, `a·x - b < 0`.
        let mut rows: Vec<(Vec<Q>, Q)> = others.iter().map(|(a, b)| (a.clone(), -b)).collect();
        rows.push((w.clone(), c.clone()));
        let (yes, witness) = somewhere_negative_seen(r, d, &rows, prepared);
        if let (Some(seen), Some(p), Some(x)) = (seen, prepared, witness) {
            seen.add_float(r, p, &x);
        }
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
            region_props(d, layers, r, &neighbors)
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
            pair_cos.extend(ints[i].abs_cos(&ints[j].v, &ints[j].n));
        }
    }
    // Classes and boundary. Past 16 inputs the facets are made ready once for the LPs.
    let prepared = (d > crate::geometry::HIGH_DIM).then(|| Prepared::new(r));
    let k = r.logits.bias.len();
    let at_interior: Vec<Q> =
        r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &r.interior_point) + b).collect();
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
            piece(r, d, &f, &[], (0, 1), prepared.as_ref(), None).into_iter().collect()
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
        // Past 16 inputs, points of the region seen so far answer some questions without LPs.
        let reps: Vec<usize> = (0..k).filter(|&j| !(0..j).any(|m| same_output(r, m, j))).collect();
        let mut seen = prepared.as_ref().map(|_| {
            let mut seen = Sightings::new(reps.clone());
            seen.add(&at_interior, true);
            seen
        });
        for &j in &reps {
            // Class j is predicted (the argmax, the lowest index winning ties) on an open
            // set iff no output equal to it has a lower index and, on an open set,
            // f_m - f_j < 0 for every output m not equal to it (an open set where
            // f_m <= f_j has points where the inequality is strict, f_m - f_j not being 0).
            if seen.as_ref().is_some_and(|s| s.classes.contains(&j)) {
                classes.push(j);
                continue;
            }
            let rows: Vec<(Vec<Q>, Q)> =
                (0..k).filter(|&m| !same_output(r, m, j)).map(|m| diffs(m, j)).collect();
            let (yes, witness) = somewhere_negative_seen(r, d, &rows, prepared.as_ref());
            if let (Some(seen), Some(p), Some(x)) = (seen.as_mut(), prepared.as_ref(), witness) {
                seen.add_float(r, p, &x);
            }
            if yes {
                classes.push(j);
            }
        }
        let mut pieces = Vec::new();
        for (x, &i) in classes.iter().enumerate() {
            for &j in &classes[x + 1..] {
                if seen.as_ref().is_some_and(|s| s.pieces.contains(&(i, j))) {
                    pieces.push(BoundaryPiece {
                        classes: (i, j),
                        normal: diffs(i, j).0,
                        offset: -diffs(i, j).1,
                        vertices: None,
                    });
                    continue;
                }
                let g = diffs(i, j);
                // Outputs equal to i or j are equal to both on the piece: no constraint.
                let others: Vec<(Vec<Q>, Q)> = (0..k)
                    .filter(|&m| !same_output(r, m, i) && !same_output(r, m, j))
                    .map(|m| {
                        let (w, c) = diffs(m, i);
                        (w, -c)
                    })
                    .collect();
                pieces.extend(piece(r, d, &g, &others, (i, j), prepared.as_ref(), seen.as_mut()));
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
        Some(n) => {
            let unit = IntVector::new(n);
            ints.iter().filter_map(|f| unit.abs_cos(&f.v, &f.n)).collect()
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
            own_grad.cos(&g.v, &g.n)
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
    use crate::geometry::domain::Domain;
    use crate::regions::enumerate::{Options, enumerate};

    /// The certified float answers of `somewhere_negative` (weak-duality bound or witness)
    /// equal the exact simplex's on the regions of the fixture networks, for the class rows
    /// of every pair of outputs and for random affine rows through the region.
    #[test]
    fn guided_somewhere_negative_equals_the_exact_lp() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut rng = crate::network::random::SplitMix64(5);
        let (mut decided, mut total, mut by_ipm) = (0, 0, 0);
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
                    if let Some(told) = ipm_max_is_positive(&Prepared::new(r), d, &strict) {
                        assert_eq!(
                            matches!(told, Told::Yes(_)),
                            exact,
                            "ipm: {name} region {} rows {strict:?}",
                            r.id
                        );
                        by_ipm += 1;
                    }
                    assert_eq!(somewhere_negative(r, d, &strict, None), exact);
                }
            }
        }
        assert!(decided * 2 > total, "decided {decided} of {total}");
        assert!(by_ipm * 2 > total, "the interior-point certificates decided {by_ipm} of {total}");
    }

    /// `dyadic` is each float's exact value over one power of two: zeros, signs, subnormals,
    /// the extremes of the range, integers and fractions together; `None` for non-finite.
    #[test]
    fn dyadic_is_the_exact_binary_value() {
        let cases: Vec<Vec<f64>> = vec![
            vec![],
            vec![0.0, -0.0],
            vec![1.5, -0.375, 3.0],
            vec![f64::MIN_POSITIVE, 5e-324, -5e-324, 1.0],
            vec![f64::MAX, -f64::MAX, 0.1, 2f64.powi(-1022) * 3.0],
            vec![1e300, 1e-300, -7.0],
        ];
        for x in cases {
            let (ints, den) = dyadic(&x).expect("finite");
            assert!(den.is_positive() && (den.clone() & (&den - 1u8)).is_zero(), "{den} is a power of two");
            for (v, n) in x.iter().zip(&ints) {
                assert_eq!(Q::new(n.clone(), den.clone()), from_f64_exact(*v).unwrap(), "{v:e}");
            }
        }
        assert!(dyadic(&[1.0, f64::NAN]).is_none());
        assert!(dyadic(&[f64::INFINITY]).is_none());
    }

    /// Past 16 inputs the boundary pieces come from the certified boundary LPs, with one side
    /// taken as known (the first class's own open set): the same pieces as the exact facet
    /// LP of the piece, on the regions at random points of random 20-8-8-5 nets.
    #[test]
    fn high_dimensional_pieces_equal_the_exact_facet_lp() {
        let (mut pairs, mut found) = (0, 0);
        for seed in 0..3u64 {
            let net = crate::network::random::gaussian_net(&[20, 8, 8, 5], seed, 0.1);
            let mut rng = crate::network::random::SplitMix64(seed + 70);
            for _ in 0..3 {
                let x: Vec<Q> = (0..20)
                    .map(|_| Q::new(((rng.next_u64() % 999) as i64 + 1).into(), 1000.into()))
                    .collect();
                let r = crate::regions::local::analyze_point(
                    &net,
                    &Domain::default_box(20),
                    &x,
                    &Options::default(),
                )
                .unwrap()
                .region;
                let props = region_props(20, 2, &r, &[]);
                let told: Vec<(usize, usize)> = props.pieces.iter().map(|p| p.classes).collect();
                let mut exact = Vec::new();
                for (t, &i) in props.classes.iter().enumerate() {
                    for &j in &props.classes[t + 1..] {
                        pairs += 1;
                        let g = diff(&r, i, j);
                        if piece(&r, 20, &g, &piece_others(&r, (i, j)), (i, j), None, None).is_some() {
                            exact.push((i, j));
                        }
                    }
                }
                assert_eq!(told, exact, "seed {seed}");
                found += exact.len();
            }
        }
        assert!(found > 0 && found < pairs, "{found} pieces of {pairs} pairs");
    }

    /// Past 16 inputs (the interior-point certificates' domain): the region at random points
    /// of random 20-6-6-3 nets in the box, every class: the boundary LP decided by
    /// [`ipm_max_is_positive`] as by the exact simplex, and most cases decided by it.
    #[test]
    fn interior_point_certificates_equal_the_exact_lp_in_20_dimensions() {
        let (mut decided, mut total) = (0, 0);
        for seed in 0..3u64 {
            let net = crate::network::random::gaussian_net(&[20, 6, 6, 3], seed, 0.1);
            let mut rng = crate::network::random::SplitMix64(seed + 40);
            for _ in 0..3 {
                let x: Vec<Q> = (0..20)
                    .map(|_| Q::new(((rng.next_u64() % 999) as i64 + 1).into(), 1000.into()))
                    .collect();
                let r = crate::regions::local::analyze_point(
                    &net,
                    &Domain::default_box(20),
                    &x,
                    &Options::default(),
                )
                .unwrap()
                .region;
                for j in 0..3 {
                    let strict: Vec<(Vec<Q>, Q)> =
                        (0..3).filter(|&m| m != j).map(|m| diff(&r, m, j)).collect();
                    let (a, b) = negative_lp(&r, 20, &strict);
                    let exact = somewhere_negative_exact(&a, &b, 20);
                    total += 1;
                    if let Some(told) = ipm_max_is_positive(&Prepared::new(&r), 20, &strict) {
                        assert_eq!(matches!(told, Told::Yes(_)), exact, "seed {seed} class {j}");
                        decided += 1;
                    }
                }
            }
        }
        assert!(decided * 4 >= total * 3, "decided {decided} of {total}");
    }
}
