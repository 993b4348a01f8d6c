//! H-polyhedra `{x : a_i·x <= b_i}` with labelled rows: canonical grouping of rows that
//! define the same half-space, interior points, irredundant facets with relative-interior
//! points, boundedness, and the L-inf (exact) and L2 (certified) inspheres.
//!
//! Invariants: rows of a [`Halfspaces`] are primitive integer rows (coprime entries, stored
//! as rationals), pairwise distinct, sorted, never zero; every decision is an exact LP
//! outcome or an exact comparison.

use crate::filter::{self, Approx};
use crate::lp::{LpOutcome, PointOutcome, maximize_point, maximize_primal as maximize};
use crate::network::NeuronId;
use crate::num::{
    Q, W256, Z, common_denominator, dot, norm1, norm2_sq, primitive_row, q_new, sqrt_bounds, ten_pow_neg,
};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use std::collections::BTreeMap;

/// Where a constraint row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A hidden neuron `(activation layer, index)`.
    Neuron(NeuronId),
    /// Row `r` of the domain's `a x <= b` description.
    Domain(usize),
}

/// A facet point as a facet method finds it, before [`Halfspaces::simplify_facet_point_over`]
/// rounds it (the same rounded point whatever the form).
#[derive(Debug, Clone)]
pub(crate) enum FacetPoint {
    /// `nums / den`, one positive denominator, not reduced (the polar hull's edge middles).
    Over(Vec<Z>, Z),
    /// In lowest terms.
    Reduced(Vec<Q>),
    /// A certified float guess: the point `x / l` on the row's hyperplane
    /// ([`Halfspaces::on_hyperplane`]) whose coordinates other than the solved axis are
    /// `r_i / 2^bits`.
    Grid { r: Vec<Z>, bits: usize, x: Vec<Z>, l: Z },
}

impl FacetPoint {
    /// The point in lowest terms.
    pub(crate) fn reduced(self) -> Vec<Q> {
        match self {
            FacetPoint::Reduced(p) => p,
            FacetPoint::Over(x, l) | FacetPoint::Grid { x, l, .. } => reduced(x, &l),
        }
    }
}

/// The point `x / l` (`l > 0`) in lowest terms.
pub(crate) fn reduced(x: Vec<Z>, l: &Z) -> Vec<Q> {
    x.into_iter().map(|v| q_new(v, l.clone())).collect()
}

/// A polyhedron given by grouped, canonical half-spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Halfspaces {
    pub a: Vec<Vec<Q>>,
    pub b: Vec<Q>,
    /// The sources of each row (sorted; several when rows coincide as half-spaces).
    pub sources: Vec<Vec<Source>>,
}

/// Outcome of grouping raw rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouped {
    Rows(Halfspaces),
    /// A row `0·x <= b` with `b < 0`: the set is empty.
    Empty,
}

/// Outcome of looking for a strictly interior point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interior {
    /// A rational point strictly inside every row.
    Point(Vec<Q>),
    /// Non-empty but contained in a hyperplane.
    LowerDimensional,
    Empty,
}

/// Certified Euclidean insphere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insphere {
    /// `radius_lower <= r* <= radius_upper`; the ball of radius `radius_lower` about
    /// `center` lies inside (checkable exactly by squares, see [`Halfspaces::contains_ball`]).
    /// `center` is optimal for the LP with the norms' upper bounds, the one nearest the
    /// origin when that LP has several.
    Finite { center: Vec<Q>, radius_lower: Q, radius_upper: Q },
    /// The region contains balls of every radius.
    Unbounded,
}

/// Exact largest inscribed axis-aligned cube (`radius` is half its side); `center` is the
/// one nearest the origin when several cubes of that size fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinfInsphere {
    Finite { center: Vec<Q>, radius: Q },
    Unbounded,
}

/// The rows of `rows_f` (the integer rows as `f64`) that may be met first by the ray `inner + t·dz` (a superset of the true
/// first hits): float bounds `lo_j <= t_j = S_j / (a_j·D) <= hi_j` (`filter`) discard
/// every row with `lo_j` above the smallest `hi`; rows whose rate sign floats cannot
/// decide stay in. The exact ratio test then runs on the few left.
fn first_hit_candidates(slack_f: &[Approx], rows_f: &[Vec<f64>], dz: &[Z]) -> Vec<usize> {
    let dzf: Vec<Approx> = dz.iter().map(Approx::of).collect();
    let mut bounds: Vec<(usize, f64, f64)> = Vec::with_capacity(rows_f.len());
    let mut undecided = Vec::new();
    for (j, (row, &sl)) in rows_f.iter().zip(slack_f).enumerate() {
        let rate = filter::dot(row, &dzf, 1, 0, 0.0);
        match rate.sign() {
            Some(1) => {}
            Some(_) => continue,
            None => {
                undecided.push(j);
                continue;
            }
        }
        // rate > e_rate: interval division, every operation rounded outwards (one step down
        // or up after rounding to nearest: valid in the subnormal range too).
        let lo = ((sl.v - sl.e).next_down() / (rate.v + rate.e).next_up()).next_down();
        let hi = ((sl.v + sl.e).next_up() / (rate.v - rate.e).next_down()).next_up();
        if !(lo.is_finite() && hi.is_finite()) {
            undecided.push(j);
            continue;
        }
        bounds.push((j, lo, hi));
    }
    let top = bounds.iter().map(|b| b.2).fold(f64::INFINITY, f64::min);
    let mut out: Vec<usize> =
        bounds.into_iter().filter(|b| b.1 <= top).map(|b| b.0).chain(undecided).collect();
    out.sort_unstable();
    out
}

/// Outcome of [`Halfspaces::clarkson_guess`]: row `k` is implied by the facets found, or
/// the vertex `X / D` of the found facets lies beyond it.
enum Guess {
    Redundant,
    Beyond((Vec<Z>, Z)),
}

/// A primal active-set method for `max c·x` s.t. `a_i·x <= b_i` in floats, from a strictly
/// feasible `x`: returns `d` rows tight at a vertex where `c` is a non-negative combination
/// of their normals, or `None` (unbounded, degenerate stall, ill-conditioned). Only a guess:
/// every use is certified exactly.
fn float_active_set(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> Option<Vec<usize>> {
    match float_lp(a, b, c, x0) {
        FloatLp::Vertex(w) => Some(w),
        _ => None,
    }
}

/// What the float active-set method found (guesses only).
enum FloatLp {
    /// `d` rows tight at an optimal vertex.
    Vertex(Vec<usize>),
    /// A direction along which the objective grows and no row blocks, and the rows active
    /// when it was found (the direction is the objective projected on their null space).
    Ray(Vec<f64>, Vec<usize>),
    /// An optimal point where fewer than `d` rows (those given) are tight.
    Face(Vec<usize>),
    Fail,
}

/// [`float_active_set`], also reporting an improving direction no row blocks.
fn float_lp(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> FloatLp {
    float_lp_point(a, b, c, x0).0
}

/// [`float_lp`] and the last point it reached (the optimum for `Vertex` and `Face`).
fn float_lp_point(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> (FloatLp, Vec<f64>) {
    let d = c.len();
    let mut x = x0.to_vec();
    let mut w: Vec<usize> = Vec::with_capacity(d + 1);
    let mut active = vec![false; a.len()];
    let norm1: Vec<f64> = a.iter().map(|ai| ai.iter().map(|v| v.abs()).sum::<f64>()).collect();
    let scale = c.iter().map(|v| v.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut proj = Projection {
        g: Vec::with_capacity(d * (d + 1)),
        lambda: Vec::with_capacity(d),
        p: Vec::with_capacity(d),
    };
    for _ in 0..(4 * a.len() + 4 * d) {
        // Multipliers λ of c on the active normals (least squares) and the residual p.
        if !proj.solve(a, &w, c) {
            return (FloatLp::Fail, x);
        }
        let (lambda, p) = (&proj.lambda, &proj.p);
        let pn = p.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if pn <= 1e-9 * scale {
            let Some((i, &min)) = lambda.iter().enumerate().min_by(|x, y| x.1.total_cmp(y.1)) else {
                return (FloatLp::Fail, x);
            };
            if min >= -1e-12 * scale {
                return (if w.len() == d { FloatLp::Vertex(w) } else { FloatLp::Face(w) }, x);
            }
            active[w.remove(i)] = false;
            continue;
        }
        if w.len() >= d {
            return (FloatLp::Fail, x);
        }
        // Ratio test along p.
        let mut best: Option<(f64, usize)> = None;
        for (i, (ai, bi)) in a.iter().zip(b).enumerate() {
            if active[i] {
                continue;
            }
            let rate: f64 = ai.iter().zip(p).map(|(u, v)| u * v).sum();
            if rate <= 1e-12 * norm1[i] * pn {
                continue;
            }
            let slack = bi - ai.iter().zip(&x).map(|(u, v)| u * v).sum::<f64>();
            let t = slack.max(0.0) / rate;
            if best.is_none_or(|(bt, _)| t < bt) {
                best = Some((t, i));
            }
        }
        let Some((t, i)) = best else { return (FloatLp::Ray(proj.p, w), x) };
        for (xj, pj) in x.iter_mut().zip(p) {
            *xj += t * pj;
        }
        w.push(i);
        active[i] = true;
    }
    (FloatLp::Fail, x)
}

/// Work space of [`Projection::solve`], reused across the steps of one float LP.
#[derive(Default)]
struct Projection {
    /// The normal equations, `k` rows of `k + 1` entries.
    g: Vec<f64>,
    lambda: Vec<f64>,
    p: Vec<f64>,
}

impl Projection {
    /// For active rows `w`: least-squares multipliers `λ` with `A_Wᵀ λ ≈ c` and the residual
    /// `p = c - A_Wᵀ λ` (the projection of `c` on the rows' null space). `false` if singular
    /// or not finite.
    fn solve(&mut self, a: &[Vec<f64>], w: &[usize], c: &[f64]) -> bool {
        let k = w.len();
        let cols = k + 1;
        // Normal equations (A_W A_Wᵀ) λ = A_W c, solved by Gaussian elimination.
        let g = &mut self.g;
        g.clear();
        for r in 0..k {
            for s in 0..k {
                g.push(a[w[r]].iter().zip(&a[w[s]]).map(|(u, v)| u * v).sum());
            }
            g.push(a[w[r]].iter().zip(c).map(|(u, v)| u * v).sum());
        }
        for col in 0..k {
            let Some(piv) =
                (col..k).max_by(|&x, &y| g[x * cols + col].abs().total_cmp(&g[y * cols + col].abs()))
            else {
                return false;
            };
            if g[piv * cols + col].abs() < 1e-300 {
                return false;
            }
            if piv != col {
                for s in 0..cols {
                    g.swap(col * cols + s, piv * cols + s);
                }
            }
            for r in 0..k {
                if r != col {
                    let f = g[r * cols + col] / g[col * cols + col];
                    for s in col..=k {
                        g[r * cols + s] -= f * g[col * cols + s];
                    }
                }
            }
        }
        self.lambda.clear();
        self.lambda.extend((0..k).map(|r| g[r * cols + k] / g[r * cols + r]));
        self.p.clear();
        self.p.extend_from_slice(c);
        for (l, &i) in self.lambda.iter().zip(w) {
            for (pj, aj) in self.p.iter_mut().zip(&a[i]) {
                *pj -= l * aj;
            }
        }
        self.lambda.iter().chain(&self.p).all(|v| v.is_finite())
    }
}

/// The exact check of a float LP guess for `max c·x` s.t. `a_i·x <= b_i` (integer rows):
/// the vertex `X / D` (`D > 0`) where the rows `basis` are tight, if it satisfies every row
/// and `c = Σ y_i a_i` over the basis with every `y_i >= 0` (`> 0` when `strict`). Then the
/// vertex is optimal (weak duality), and with `strict` the only optimum. By Cramer's rule:
/// `X_j` replaces column `j` of `A_B` by `b_B`, `y_i ∝` `A_B` with row `i` replaced by `c`.
fn certified_vertex(rows: &[(Vec<Z>, Z)], basis: &[usize], c: &[Z], strict: bool) -> Option<(Vec<Z>, Z)> {
    let n = c.len();
    if basis.len() != n {
        return None;
    }
    let mw: Vec<Vec<Z>> = basis.iter().map(|&i| rows[i].0.clone()).collect();
    let det = det_int(mw.clone());
    if det.is_zero() {
        return None;
    }
    let sign = if det.is_negative() { -1 } else { 1 };
    // For c = e_r (the radius LPs) row i replaced by c leaves the cofactor
    // (-1)^(i+r)·det(M without row i and column r): one order lower.
    let unit = {
        let mut nz = c.iter().enumerate().filter(|(_, v)| !v.is_zero());
        match (nz.next(), nz.next()) {
            (Some((r, v)), None) if v.is_one() => Some(r),
            _ => None,
        }
    };
    for i in 0..n {
        let yi: Z = match unit {
            Some(r) => {
                let minor: Vec<Vec<Z>> = mw
                    .iter()
                    .enumerate()
                    .filter(|(t, _)| *t != i)
                    .map(|(_, row)| {
                        row.iter().enumerate().filter(|(u, _)| *u != r).map(|(_, v)| v.clone()).collect()
                    })
                    .collect();
                let m = det_int(minor);
                if (i + r) % 2 == 1 { -m * sign } else { m * sign }
            }
            None => {
                let mut mi = mw.clone();
                mi[i] = c.to_vec();
                det_int(mi) * sign
            }
        };
        if yi.is_negative() || (strict && yi.is_zero()) {
            return None;
        }
    }
    let bw: Vec<Z> = basis.iter().map(|&i| rows[i].1.clone()).collect();
    let x: Vec<Z> = cramer(&mw, &bw).into_iter().map(|v| v * sign).collect();
    let dd: Z = det * sign;
    if rows.iter().any(|(r, b)| r.iter().zip(&x).map(|(u, v)| u * v).sum::<Z>() > b * &dd) {
        return None;
    }
    Some((x, dd))
}

/// An exact improving direction for `max c·x` s.t. `a_i·x <= b_i` (integer rows) from the
/// float method's active rows `w`: `c` projected on the null space of those rows, computed
/// exactly, then checked: `a_i·v <= 0` for every row and `c·v > 0` (the LP is unbounded).
/// `None` if the check fails.
fn exact_ray(rows: &[(Vec<Z>, Z)], w: &[usize], c: &[Z]) -> Option<Vec<Z>> {
    let k = w.len();
    let dotz = |x: &[Z], y: &[Z]| -> Z { x.iter().zip(y).map(|(u, v)| u * v).sum() };
    // In integers: G = A_W A_Wᵀ, λ' = adj(G)·A_W c by Cramer, v = det(G)·c - A_Wᵀ λ'
    // (the projection times det G; its sign fixed so that v points along c).
    let g: Vec<Vec<Z>> =
        (0..k).map(|r| (0..k).map(|t| dotz(&rows[w[r]].0, &rows[w[t]].0)).collect()).collect();
    let rhs: Vec<Z> = (0..k).map(|r| dotz(&rows[w[r]].0, c)).collect();
    let det = det_int(g.clone());
    if det.is_zero() && k > 0 {
        return None;
    }
    let mut v: Vec<Z> = c.iter().map(|x| x * &det).collect();
    for (lambda, &i) in cramer(&g, &rhs).iter().zip(w) {
        for (vj, aj) in v.iter_mut().zip(&rows[i].0) {
            *vj -= lambda * aj;
        }
    }
    if det.is_negative() {
        v.iter_mut().for_each(|x| *x = -&*x);
    }
    (rows.iter().all(|(a, _)| !dotz(a, &v).is_positive()) && dotz(c, &v).is_positive()).then_some(v)
}

/// Cramer's numerators for `M·x = b` (`M` square): `X_j = det(M with column j replaced by
/// b)`, so `M·X = det(M)·b`.
fn cramer(m: &[Vec<Z>], b: &[Z]) -> Vec<Z> {
    (0..m.len())
        .map(|j| {
            let mj: Vec<Vec<Z>> = m
                .iter()
                .zip(b)
                .map(|(row, bi)| {
                    let mut row = row.clone();
                    row[j] = bi.clone();
                    row
                })
                .collect();
            det_int(mj)
        })
        .collect()
}

/// The `(n-1) × (n-1)` minors of an `n × n` integer matrix, computed on demand with every
/// smaller minor shared (orders up to 8; larger ones minor by minor):
/// [`Minors::get`]`(t, c)` is the determinant of the matrix without row `t` and column `c`
/// (the others in order). Each minor is expanded along its first row into minors one order
/// lower, which are kept; so the 25 minors of a `5 × 5` matrix take about 280 products,
/// against about 750 for 25 separate `4 × 4` expansions. When every entry fits in `i64`
/// the minors are computed in checked 256-bit integers (a `4 × 4` minor of 63-bit entries
/// needs at most 257 bits, so overflow is rare), and the whole matrix goes back to BigInt
/// on the first overflow.
pub struct Minors<'a> {
    m: &'a [Vec<Z>],
    /// Minors of order `>= 2` by `(rows << 8) | cols` (bit masks).
    memo: rustc_hash::FxHashMap<u16, Z>,
    /// The entries as `i64` while the fixed-width path holds.
    small: Option<Vec<Vec<i64>>>,
    memo_small: rustc_hash::FxHashMap<u16, W256>,
}

impl<'a> Minors<'a> {
    pub fn new(m: &'a [Vec<Z>]) -> Minors<'a> {
        assert!(m.iter().all(|r| r.len() == m.len()), "Minors: a square matrix");
        let small = if m.len() <= 8 {
            m.iter()
                .map(|r| r.iter().map(num_traits::ToPrimitive::to_i64).collect::<Option<Vec<i64>>>())
                .collect()
        } else {
            None
        };
        Minors { m, memo: Default::default(), small, memo_small: Default::default() }
    }

    /// The determinant without row `t` and column `c`.
    pub fn get(&mut self, t: usize, c: usize) -> Z {
        if self.m.len() > 8 {
            // Beyond the masks' width: one elimination per minor.
            let drop = |v: &[Z], k: usize| -> Vec<Z> {
                v.iter().enumerate().filter(|&(j, _)| j != k).map(|(_, x)| x.clone()).collect()
            };
            let rows = self.m.iter().enumerate().filter(|&(i, _)| i != t);
            return det_int(rows.map(|(_, r)| drop(r, c)).collect());
        }
        let full = ((1u16 << self.m.len()) - 1) as u8;
        let (rows, cols) = (full & !(1 << t), full & !(1 << c));
        match rows.count_ones() {
            0 => Z::one(),
            1 => self.m[rows.trailing_zeros() as usize][cols.trailing_zeros() as usize].clone(),
            _ => {
                if self.small.is_some() {
                    if let Some(v) = self.ensure_small(rows, cols) {
                        return v.to_z();
                    }
                    self.small = None;
                    self.memo_small.clear();
                }
                self.ensure(rows, cols);
                self.memo[&key(rows, cols)].clone()
            }
        }
    }

    /// [`Self::ensure`] in checked 256-bit integers: the minor, or `None` on overflow.
    fn ensure_small(&mut self, rows: u8, cols: u8) -> Option<W256> {
        if let Some(v) = self.memo_small.get(&key(rows, cols)) {
            return Some(*v);
        }
        let r0 = rows.trailing_zeros() as usize;
        let rest = rows & (rows - 1);
        let value = {
            let m = self.small.as_ref().expect("fixed-width path");
            if rest.count_ones() == 1 {
                let r1 = rest.trailing_zeros() as usize;
                let c0 = cols.trailing_zeros() as usize;
                let c1 = (cols & (cols - 1)).trailing_zeros() as usize;
                let p = i128::from(m[r0][c0]) * i128::from(m[r1][c1]);
                let q = i128::from(m[r0][c1]) * i128::from(m[r1][c0]);
                // Each product is at most 2^126 in magnitude; the difference may not fit i128.
                W256::from_i128(p).checked_sub(W256::from_i128(q))
            } else {
                None
            }
        };
        let value = match value {
            Some(v) => v,
            None => {
                let mut value = W256::ZERO;
                let mut bits = cols;
                let mut minus = false;
                while bits != 0 {
                    let c = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let entry = self.small.as_ref().expect("fixed-width path")[r0][c];
                    if entry != 0 {
                        let sub = self.ensure_small(rest, cols & !(1 << c))?;
                        let term = sub.mul_i64(entry)?;
                        value = if minus { value.checked_sub(term)? } else { value.checked_add(term)? };
                    }
                    minus = !minus;
                }
                value
            }
        };
        self.memo_small.insert(key(rows, cols), value);
        Some(value)
    }

    /// Puts the minor on `rows × cols` (equal sizes, at least 2) into the memo.
    fn ensure(&mut self, rows: u8, cols: u8) {
        if self.memo.contains_key(&key(rows, cols)) {
            return;
        }
        let m = self.m;
        let r0 = rows.trailing_zeros() as usize;
        let rest = rows & (rows - 1);
        let value = if rest.count_ones() == 1 {
            let r1 = rest.trailing_zeros() as usize;
            let c0 = cols.trailing_zeros() as usize;
            let c1 = (cols & (cols - 1)).trailing_zeros() as usize;
            &m[r0][c0] * &m[r1][c1] - &m[r0][c1] * &m[r1][c0]
        } else {
            let mut value = Z::zero();
            let mut bits = cols;
            let mut minus = false;
            while bits != 0 {
                let c = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if !m[r0][c].is_zero() {
                    let sub_cols = cols & !(1 << c);
                    self.ensure(rest, sub_cols);
                    let term = &m[r0][c] * &self.memo[&key(rest, sub_cols)];
                    if minus { value -= term } else { value += term }
                }
                minus = !minus;
            }
            value
        };
        self.memo.insert(key(rows, cols), value);
    }
}

fn key(rows: u8, cols: u8) -> u16 {
    (rows as u16) << 8 | cols as u16
}

/// Determinant of a square integer matrix: cofactor expansion up to order 5, else
/// fraction-free Bareiss elimination.
pub fn det_int(m: Vec<Vec<Z>>) -> Z {
    let n = m.len();
    // Small orders by cofactor expansion (no exact divisions).
    match n {
        0 => return Z::one(),
        1 => return m[0][0].clone(),
        2 => return &m[0][0] * &m[1][1] - &m[0][1] * &m[1][0],
        3 => {
            let minor = |a: usize, b: usize| &m[1][a] * &m[2][b] - &m[1][b] * &m[2][a];
            return &m[0][0] * minor(1, 2) - &m[0][1] * minor(0, 2) + &m[0][2] * minor(0, 1);
        }
        4 => {
            // Laplace expansion along the first two rows: Σ ± det(top 2×2) · det(bottom 2×2)
            // over the six column pairs.
            let top = |a: usize, b: usize| &m[0][a] * &m[1][b] - &m[0][b] * &m[1][a];
            let bot = |a: usize, b: usize| &m[2][a] * &m[3][b] - &m[2][b] * &m[3][a];
            return top(0, 1) * bot(2, 3) - top(0, 2) * bot(1, 3)
                + top(0, 3) * bot(1, 2)
                + top(1, 2) * bot(0, 3)
                - top(1, 3) * bot(0, 2)
                + top(2, 3) * bot(0, 1);
        }
        5 => {
            // Laplace expansion along the first two rows: Σ (-1)^(1+a+b) · det(rows 0-1, cols
            // a, b) · det(rows 2-4, the other three columns); the 3×3 factors from the ten
            // 2×2 minors of rows 3-4. About 80 products and no division (elimination needs
            // about 60 products and 30 exact divisions, which cost more).
            let lo = |a: usize, b: usize| &m[3][a] * &m[4][b] - &m[3][b] * &m[4][a];
            let mut low: [[Z; 5]; 5] = Default::default();
            for a in 0..5 {
                for b in a + 1..5 {
                    low[a][b] = lo(a, b);
                }
            }
            let mut det = Z::zero();
            for a in 0..5 {
                for b in a + 1..5 {
                    let [p, q, r] = {
                        let mut rest = (0..5).filter(|&c| c != a && c != b);
                        [(); 3].map(|_| rest.next().expect("three columns remain"))
                    };
                    let bottom = &m[2][p] * &low[q][r] - &m[2][q] * &low[p][r] + &m[2][r] * &low[p][q];
                    let term = (&m[0][a] * &m[1][b] - &m[0][b] * &m[1][a]) * bottom;
                    if (a + b) % 2 == 0 { det -= term } else { det += term }
                }
            }
            return det;
        }
        _ => {}
    }
    det_bareiss(m)
}

/// Determinant by fraction-free Bareiss elimination (any order; [`det_int`] takes orders up
/// to 5 by cofactor expansion).
fn det_bareiss(mut m: Vec<Vec<Z>>) -> Z {
    let n = m.len();
    let mut sign = false;
    let mut prev = Z::one();
    for col in 0..n {
        let Some(p) = (col..n).find(|&r| !m[r][col].is_zero()) else { return Z::zero() };
        if p != col {
            m.swap(col, p);
            sign = !sign;
        }
        for r in col + 1..n {
            for s in col + 1..n {
                let v = &m[r][s] * &m[col][col] - &m[r][col] * &m[col][s];
                m[r][s] = v / &prev;
            }
        }
        prev = m[col][col].clone();
    }
    let det = m.get(n.wrapping_sub(1)).map_or(Z::one(), |r| r[n - 1].clone());
    if sign { -det } else { det }
}

/// The rank of a rational matrix (fraction-free elimination on the rows scaled to integers).
pub fn rank(rows: &[Vec<Q>]) -> usize {
    let mut m: Vec<Vec<Z>> = rows.iter().map(|r| common_denominator(r).0).collect();
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for col in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][col].is_zero()) else { continue };
        m.swap(r, p);
        let pivot = m[r].clone();
        for row in m.iter_mut().skip(r + 1) {
            if row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (x, pv) in row.iter_mut().zip(&pivot) {
                *x = &*x * &pivot[col] - &f * pv;
            }
            // Keep the entries small: divide the row by its content.
            let g = crate::num::content(row);
            if !g.is_zero() && !g.is_one() {
                for x in row.iter_mut() {
                    *x = &*x / &g;
                }
            }
        }
        r += 1;
    }
    r
}

/// An integer basis of the null space `{v : r·v = 0 for every row r}` in `d` dimensions:
/// fraction-free Gauss-Jordan (each row kept primitive), one vector per free column.
fn null_space(rows: &[Vec<Z>], d: usize) -> Vec<Vec<Z>> {
    let mut m: Vec<Vec<Z>> = rows.to_vec();
    let mut pivots: Vec<usize> = Vec::new();
    let mut r = 0;
    for col in 0..d {
        let Some(p) = (r..m.len()).find(|&i| !m[i][col].is_zero()) else { continue };
        m.swap(r, p);
        let pivot = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i == r || row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (x, pv) in row.iter_mut().zip(&pivot) {
                *x = &*x * &pivot[col] - &f * pv;
            }
            let g = crate::num::content(row);
            if !g.is_zero() && !g.is_one() {
                for x in row.iter_mut() {
                    *x = &*x / &g;
                }
            }
        }
        pivots.push(col);
        r += 1;
    }
    // Row k reads p_k·v_{c_k} + Σ_free m[k][f]·v_f = 0: with v_f = L (the lcm of the |p_k|)
    // for one free f and 0 for the others, v_{c_k} = -m[k][f]·L / p_k.
    let l =
        pivots.iter().enumerate().fold(Z::one(), |acc, (k, &c)| crate::num::lcm_pos(&acc, &m[k][c].abs()));
    (0..d)
        .filter(|c| !pivots.contains(c))
        .map(|free| {
            let mut v = vec![Z::zero(); d];
            v[free] = l.clone();
            for (k, &pc) in pivots.iter().enumerate() {
                v[pc] = -(&m[k][free] * &l) / &m[k][pc];
            }
            let g = crate::num::content(&v);
            v.into_iter().map(|x| x / &g).collect()
        })
        .collect()
}

/// Group raw rows `(a, b, source)` into canonical half-spaces; zero rows with `b >= 0` are
/// dropped (they hold everywhere).
pub fn group_rows(rows: impl IntoIterator<Item = (Vec<Q>, Q, Source)>) -> Grouped {
    group_primitive(rows.into_iter().map(|(a, b, src)| {
        let (pa, pb) = primitive_row(&a, &b);
        (pa, pb, src)
    }))
}

/// [`group_rows`] for rows already in primitive integer form `a·x <= b` (as
/// [`primitive_row`] makes them).
pub fn group_primitive(rows: impl IntoIterator<Item = (Vec<Z>, Z, Source)>) -> Grouped {
    let mut map: BTreeMap<(Vec<Z>, Z), Vec<Source>> = BTreeMap::new();
    for (a, b, src) in rows {
        if a.iter().all(|v| v.is_zero()) {
            if b.is_negative() {
                return Grouped::Empty;
            }
            continue;
        }
        map.entry((a, b)).or_default().push(src);
    }
    let mut hs = Halfspaces { a: Vec::new(), b: Vec::new(), sources: Vec::new() };
    for ((a, b), mut src) in map {
        src.sort();
        src.dedup();
        hs.a.push(a.into_iter().map(Q::from_integer).collect());
        hs.b.push(Q::from_integer(b));
        hs.sources.push(src);
    }
    Grouped::Rows(hs)
}

impl Halfspaces {
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// Whether every entry is an integer, as [`group_rows`] makes them (the integer fast
    /// paths below need it; a `Halfspaces` built by hand may not satisfy it).
    pub fn is_integral(&self) -> bool {
        self.a.iter().flatten().chain(&self.b).all(|v| v.is_integer())
    }
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The rows as integer pairs `(a, b)` (the numerators; rows must be integral).
    pub(crate) fn int_rows(&self) -> Vec<(Vec<Z>, Z)> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(r, b)| (r.iter().map(|v| v.numer().clone()).collect(), b.numer().clone()))
            .collect()
    }

    /// The rows with the given indices (in that order).
    pub fn subset(&self, idx: &[usize]) -> Halfspaces {
        Halfspaces {
            a: idx.iter().map(|&i| self.a[i].clone()).collect(),
            b: idx.iter().map(|&i| self.b[i].clone()).collect(),
            sources: idx.iter().map(|&i| self.sources[i].clone()).collect(),
        }
    }

    /// Slacks as integers over one positive denominator: `b_i - a_i·x = s[i] / den`.
    /// (Rows are integral, so this needs no gcd; use it on hot paths.)
    pub fn scaled_slacks(&self, x: &[Q]) -> (Vec<Z>, Z) {
        let (xs, den) = common_denominator(x);
        let s = self
            .a
            .iter()
            .zip(&self.b)
            .map(|(a, b)| {
                let mut v = b.numer() * &den;
                for (ai, xi) in a.iter().zip(&xs) {
                    if !ai.is_zero() {
                        v -= ai.numer() * xi;
                    }
                }
                v
            })
            .collect();
        (s, den)
    }

    /// Slack `b_i - a_i·x` of every row.
    pub fn slacks(&self, x: &[Q]) -> Vec<Q> {
        self.a.iter().zip(&self.b).map(|(a, b)| b - dot(a, x)).collect()
    }

    /// A point strictly inside (centre of a largest inscribed cube, capped at radius 1),
    /// or why none exists. `d` is the dimension (needed when there are no rows).
    pub fn interior_point(&self, d: usize) -> Interior {
        let (a, b) = self.weighted_rows(d, &self.a.iter().map(|r| norm1(r)).collect::<Vec<_>>());
        let mut a = a;
        let mut b = b;
        let mut cap = vec![Q::zero(); d + 1];
        cap[d] = Q::one();
        a.push(cap);
        b.push(Q::one());
        match maximize(&unit(d + 1, d), &a, &b) {
            LpOutcome::Optimal { mut x, value, .. } => {
                if value.is_positive() {
                    x.truncate(d);
                    Interior::Point(x)
                } else if value.is_zero() {
                    Interior::LowerDimensional
                } else {
                    Interior::Empty
                }
            }
            // Cannot happen (r <= 1 and r -> -inf is feasible); treated as empty.
            LpOutcome::Infeasible | LpOutcome::Unbounded => Interior::Empty,
        }
    }

    /// Rows `a_i·x + w_i·r <= b_i` over `(x, r)`.
    fn weighted_rows(&self, d: usize, w: &[Q]) -> (Vec<Vec<Q>>, Vec<Q>) {
        let a = self
            .a
            .iter()
            .zip(w)
            .map(|(r, wi)| {
                let mut row = Vec::with_capacity(d + 1);
                row.extend(r.iter().cloned());
                row.push(wi.clone());
                row
            })
            .collect();
        (a, self.b.clone())
    }

    /// A point with small dyadic coordinates (denominator `2^k`, `k` as small as the margin
    /// allows) that is still strictly inside, given a strictly interior `c`. Keeps the sizes
    /// of the numbers along a walk from growing with its length.
    pub fn simplify_interior(&self, c: &[Q]) -> Vec<Q> {
        let (xs, den) = common_denominator(c);
        match self.dyadic_scale_filtered(&xs, &den) {
            Some(k) => round_dyadic_at(c, k),
            None => self.simplify_interior_exact(c),
        }
    }

    /// [`Self::simplify_interior`] of the point `nums / den` (`den > 0`, not necessarily in
    /// lowest terms): the same point, without reducing the input first (the scale and the
    /// rounding depend on the point's value only).
    pub(crate) fn simplify_interior_homogeneous(&self, nums: &[Z], den: &Z) -> Vec<Q> {
        match self.dyadic_scale_filtered(nums, den) {
            Some(k) => round_over_at(nums, den, k),
            None => {
                let c: Vec<Q> = nums.iter().map(|x| q_new(x.clone(), den.clone())).collect();
                self.simplify_interior_exact(&c)
            }
        }
    }

    /// [`Self::simplify_interior`] with the scale decided in integers.
    fn simplify_interior_exact(&self, c: &[Q]) -> Vec<Q> {
        // rho = min_i slack_i / ||a_i||_1 = S_i / (den · N_i), kept as a fraction (num, den).
        let (sl, den) = self.scaled_slacks(c);
        let mut rho: Option<(Z, Z)> = None;
        for (a, si) in self.a.iter().zip(sl) {
            let ni: Z = a.iter().map(|v| v.numer().abs()).sum();
            let cand = (si, &den * ni);
            if rho.as_ref().is_none_or(|(rn, rd)| &cand.0 * rd < rn * &cand.1) {
                rho = Some(cand);
            }
        }
        let out = round_dyadic(c, rho.as_ref());
        debug_assert!(self.slacks(&out).iter().all(|s| s.is_positive()));
        out
    }

    /// The scale `k` of [`round_dyadic`] for [`Self::simplify_interior`] of the point
    /// `xs / den` (`den > 0`, any representation), decided in floats:
    /// `k = max(0, floor(log2(1/rho)))` with `1/rho = max_i den·N_i / S_i`, each ratio with a
    /// proven relative error bound (the slack `S_i` from [`filter::dot_converted`], three
    /// converted integers and two roundings); `None` when the interval of `1/rho` straddles a
    /// power of two or a slack is not certainly positive (then the integers decide).
    fn dyadic_scale_filtered(&self, xs: &[Z], den: &Z) -> Option<usize> {
        if !self.is_integral() {
            return None;
        }
        let mut fx: Vec<f64> = xs.iter().map(filter::z_to_f64).collect();
        let den_f = filter::z_to_f64(den);
        fx.push(-den_f);
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        let d = fx.len() - 1;
        for row in self.float_rows_ab() {
            // S = b·den - a·x = -((a, b)·(x, -den)); the bound is unchanged by the sign.
            let slack = -filter::dot_converted(&row, &fx);
            let n1: f64 = row[..d].iter().map(|v| v.abs()).sum();
            if !(slack.v.is_finite() && slack.v > slack.e && n1.is_finite() && den_f.is_finite()) {
                return None;
            }
            let rel_s = slack.e / (slack.v - slack.e);
            // N_1: d conversions and d - 1 additions of non-negative terms; den: one
            // conversion; the product and the quotient: one rounding each.
            let rel = (rel_s + (d as f64 + 4.0) * 2.0 * f64::EPSILON) * 1.01;
            if rel >= 0.5 {
                return None;
            }
            let r = den_f * n1 / slack.v;
            lo = lo.max(r * (1.0 - 2.0 * rel));
            hi = hi.max(r * (1.0 + 2.0 * rel));
        }
        if !(lo > 0.0 && hi.is_finite()) {
            return None;
        }
        // floor(log2) of both ends must agree (below 1 both give k = 0).
        let k_of = |v: f64| if v < 1.0 { 0 } else { (v.log2().floor()) as i64 };
        let (kl, kh) = (k_of(lo), k_of(hi));
        // log2 near an integer can round either way: keep a margin from the powers of two
        // where k changes (2, 4, 8, ...).
        let near = |v: f64| v >= 1.5 && (v.log2() - v.log2().round()).abs() < 1e-9;
        (kl == kh && !near(lo) && !near(hi)).then_some(kl.max(0) as usize)
    }

    /// A point with small dyadic coordinates in the relative interior of facet `k`, given
    /// such a point `p`; `self` must hold only facets (irredundant rows). All coordinates
    /// but the one with the largest `|a_k[j]|` are rounded to multiples of `2^-bits`, the
    /// last is solved for exactly, and the rounding is refined until every other facet is
    /// strictly slack. Returns `p` itself if no rounding up to the size of `p` works.
    pub fn simplify_on_facet(&self, k: usize, p: &[Q]) -> Vec<Q> {
        self.simplify_on_facet_with(k, p, &self.float_rows_ab())
    }

    /// [`Self::simplify_on_facet`] with the rows as floats ([`Self::float_rows_ab`]) given,
    /// for a caller that rounds a point on every facet.
    pub fn simplify_on_facet_with(&self, k: usize, p: &[Q], rows_f: &[Vec<f64>]) -> Vec<Q> {
        let a = &self.a[k];
        let j = Self::solve_axis(a);
        let max_bits = p.iter().map(|v| v.denom().bits()).max().unwrap_or(0) as usize;
        let integral = self.is_integral();
        if integral {
            let coords: Vec<(&Z, &Z)> = p.iter().map(|v| (v.numer(), v.denom())).collect();
            return self
                .simplify_integral(k, &coords, |bits| bits <= max_bits, rows_f)
                .map_or_else(|| p.to_vec(), |(x, l)| reduced(x, &l));
        }
        let mut bits = 0usize;
        while bits <= max_bits {
            let mut q = round_dyadic_at(p, bits);
            q[j] = Q::zero();
            q[j] = (&self.b[k] - dot(a, &q)) / &a[j];
            let ok = self.scaled_slacks(&q).0.iter().enumerate().all(|(i, s)| i == k || s.is_positive());
            if ok {
                return q;
            }
            bits = next_grid(bits);
        }
        p.to_vec()
    }

    /// [`Self::simplify_on_facet_with`] for a point given as integers over one positive
    /// denominator, `p = nums / den` (e.g. an edge's midpoint from homogeneous vertices),
    /// without reducing it first: the rounding is the same for any representation, and the
    /// refinement's limit (the lowest-terms denominators' bit length) is only bounded from
    /// below, as far as the refinement goes, by gcds stopped early
    /// ([`crate::num::gcd_bits_at_most`]). The same result as `simplify_on_facet_with` on the
    /// reduced point.
    pub fn simplify_on_facet_homogeneous(
        &self,
        k: usize,
        nums: &[Z],
        den: &Z,
        rows_f: &[Vec<f64>],
    ) -> Vec<Q> {
        let (x, l) = self.simplify_over(k, nums, den, rows_f);
        reduced(x, &l)
    }

    /// [`Self::simplify_on_facet_homogeneous`] as integers over one positive denominator,
    /// not reduced.
    fn simplify_over(&self, k: usize, nums: &[Z], den: &Z, rows_f: &[Vec<f64>]) -> (Vec<Z>, Z) {
        if !self.is_integral() {
            return common_denominator(&self.simplify_on_facet_with(k, &reduced(nums.to_vec(), den), rows_f));
        }
        let coords: Vec<(&Z, &Z)> = nums.iter().map(|v| (v, den)).collect();
        let found = self.simplify_integral(k, &coords, self.refinement_limit(nums, den), rows_f);
        found.unwrap_or_else(|| (nums.to_vec(), den.clone()))
    }

    /// The refinement limit of [`Self::simplify_integral`] for the point `nums / den`
    /// (`den > 0`, any representation): whether `bits <= max_i bitlen(den / g_i)` with
    /// `g_i = gcd(num_i, den)`. As `g_i | den`, `bitlen(den / g_i) >= bitlen(den) -
    /// bitlen(g_i)`, so a gcd bound settles it unless the bound is exact (then the
    /// quotient's own length decides).
    fn refinement_limit<'a>(&self, nums: &'a [Z], den: &'a Z) -> impl FnMut(usize) -> bool + 'a {
        let den_u = den.magnitude();
        move |bits: usize| {
            let need = den_u.bits().saturating_sub(bits as u64);
            nums.iter().any(|v| {
                let g = crate::num::gcd_bits_at_most(v.magnitude(), den_u, need);
                g <= need || {
                    let g = crate::num::gcd_big(v.magnitude(), den_u);
                    (den_u / g).bits() >= bits as u64
                }
            })
        }
    }

    /// The refinement of [`Self::simplify_on_facet_with`] on integral rows: coordinates
    /// `num/den` (`den > 0`, any representation) rounded to multiples of `2^-bits` for
    /// `bits = 0, 4, 8, ...` ([`next_grid`]) while `within(bits)`: `bits` is at most the largest
    /// lowest-terms denominator's bit length (asked from `bits = 4` on). The point found as
    /// `X / L` on the hyperplane ([`Self::on_hyperplane`], not reduced); `None` if no
    /// rounding works.
    fn simplify_integral(
        &self,
        k: usize,
        coords: &[(&Z, &Z)],
        mut within: impl FnMut(usize) -> bool,
        rows_f: &[Vec<f64>],
    ) -> Option<(Vec<Z>, Z)> {
        let j = Self::solve_axis(&self.a[k]);
        let mut bits = 0usize;
        let mut grids: Vec<GridRounder> = coords.iter().map(|&(n, d)| GridRounder::new(n, d)).collect();
        loop {
            if bits > 0 && !within(bits) {
                return None;
            }
            let (x, l) = self.on_hyperplane(k, j, bits, grids.iter_mut().map(|g| g.round(bits)));
            if self.strictly_inside_but(k, &x, &l, rows_f) {
                return Some((x, l));
            }
            bits = next_grid(bits);
        }
    }

    /// The coordinate solved for when a point is put on the hyperplane of row `a`: the one
    /// with the largest `|a_j|` (the first such).
    fn solve_axis(a: &[Q]) -> usize {
        (0..a.len()).max_by(|&x, &y| a[x].abs().cmp(&a[y].abs()).then(y.cmp(&x))).expect("d >= 1")
    }

    /// The point `X / L` on the hyperplane of integral row `k` whose coordinates other than
    /// `j` are `r_i / 2^bits` (`r` yields one integer per coordinate; the one for `j` is
    /// ignored): `L = |a_kj|·2^bits`, `X_i = r_i·|a_kj|` and `X_j` solved for, so that
    /// `a_k·X = b_k·L`.
    fn on_hyperplane(&self, k: usize, j: usize, bits: usize, r: impl Iterator<Item = Z>) -> (Vec<Z>, Z) {
        let a = &self.a[k];
        let akj = a[j].numer();
        let mut rest = self.b[k].numer() << bits;
        let mut x: Vec<Z> = Vec::with_capacity(a.len());
        for (i, ri) in r.enumerate() {
            if i == j {
                x.push(Z::zero());
            } else {
                rest -= a[i].numer() * &ri;
                x.push(ri * akj.abs());
            }
        }
        x[j] = if akj.is_negative() { -rest } else { rest };
        (x, akj.abs() << bits)
    }

    /// The integral rows `(a_i, b_i)` as converted floats (`filter::z_to_f64` of the
    /// numerators), the input of the strictly-inside filter of facet points.
    pub fn float_rows_ab(&self) -> Vec<Vec<f64>> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(ai, bi)| ai.iter().chain([bi]).map(|v| filter::z_to_f64(v.numer())).collect())
            .collect()
    }

    /// Whether `b_i·L - a_i·X > 0` for every integral row `i != k`: by a float filter, exact
    /// when it cannot decide (the same answer either way). `rows_f` from
    /// [`Self::float_rows_ab`].
    fn strictly_inside_but(&self, k: usize, x: &[Z], l: &Z, rows_f: &[Vec<f64>]) -> bool {
        let fx: Vec<f64> = x.iter().map(filter::z_to_f64).chain([-filter::z_to_f64(l)]).collect();
        self.a.iter().zip(&self.b).zip(rows_f).enumerate().all(|(i, ((ai, bi), row))| {
            i == k || {
                match filter::dot_converted(row, &fx).sign() {
                    Some(sg) => sg < 0,
                    None => {
                        // Integers past the f64 range (or a near tie): their scales apart.
                        let ints: Vec<&Z> = ai.iter().map(|c| c.numer()).chain([bi.numer()]).collect();
                        let minus_l = -l;
                        let xs: Vec<&Z> = x.iter().chain([&minus_l]).collect();
                        match filter::dot_ints(&ints, &xs) {
                            Some(o) => o.is_lt(),
                            None => {
                                let ax: Z = ai.iter().zip(x).map(|(c, xv)| c.numer() * xv).sum();
                                bi.numer() * l > ax
                            }
                        }
                    }
                }
            }
        })
    }

    /// The rows first met by the ray `inner + t·dir`, `t > 0`, and the point where it
    /// meets them; `slack` holds the scaled slacks at `inner` (see [`Self::scaled_slacks`]).
    /// `None` if the ray never leaves.
    fn shoot(
        &self,
        inner: &[Q],
        slack: &[Z],
        slack_f: &[Approx],
        rows_f: &[Vec<f64>],
        dz: &[Z],
    ) -> Option<(Vec<usize>, Vec<Q>)> {
        // Compare t_j = S_j / (a_j·D) by cross-multiplication (the slack denominator is
        // common); `dz` is an integer direction (any positive multiple has the same hits).
        let mut best: Option<(Z, Z)> = None;
        let mut hits: Vec<usize> = Vec::new();
        for j in first_hit_candidates(slack_f, rows_f, dz) {
            let (rate, s) = (self.a[j].iter().zip(dz).map(|(ai, vi)| ai.numer() * vi).sum::<Z>(), &slack[j]);
            if !rate.is_positive() {
                continue;
            }
            match &best {
                Some((bs, br)) => match (s * br).cmp(&(bs * &rate)) {
                    std::cmp::Ordering::Greater => {}
                    std::cmp::Ordering::Equal => hits.push(j),
                    std::cmp::Ordering::Less => {
                        best = Some((s.clone(), rate));
                        hits = vec![j];
                    }
                },
                None => {
                    best = Some((s.clone(), rate));
                    hits = vec![j];
                }
            }
        }
        let (bs, br) = best?;
        // p = inner + t·D with t = S / (den · a·D): p_j = (X_j · a·D + S · D_j) / (den · a·D)
        // for inner = X / den, one reduction per coordinate.
        let (xs, den) = common_denominator(inner);
        let pd = &den * &br;
        let p = xs.iter().zip(dz).map(|(x, v)| q_new(x * &br + &bs * v, pd.clone())).collect();
        Some((hits, p))
    }

    /// The irredundant rows (facets) with a relative-interior point of each.
    ///
    /// Integral rows in the plane: [`Self::facets_2d`] (a polar hull, no LPs); in `d >= 3`:
    /// `facets_guided` (a float LP per row, each answer certified), then Clarkson for
    /// what is left; other rows: [`Self::facets_clarkson`]. The facet sets agree (tested),
    /// the points may differ (any relative-interior point is valid).
    ///
    /// `inner` must be strictly inside every row. Returns `(row index, point)` sorted by row.
    pub fn facets(&self, inner: &[Q]) -> Vec<(usize, Vec<Q>)> {
        self.facet_points(inner).into_iter().map(|(k, p)| (k, p.reduced())).collect()
    }

    /// [`Self::facets`] with each point as its method found it (not reduced): the walk
    /// rounds them at once ([`Self::simplify_facet_point_over`]).
    pub(crate) fn facet_points(&self, inner: &[Q]) -> Vec<(usize, FacetPoint)> {
        if !self.is_integral() {
            return self.facets_clarkson_from(inner, Vec::new(), vec![false; self.len()]);
        }
        if inner.len() == 2 {
            let hull = self.facets_2d_homogeneous(inner);
            return hull.into_iter().map(|(k, nums, den)| (k, FacetPoint::Over(nums, den))).collect();
        }
        self.facets_guided(inner)
    }

    /// [`Self::simplify_on_facet_with`] of a point as [`Self::facet_points`] gives it: the
    /// same point whatever its form, as integers over one positive denominator, not reduced
    /// (the walk needs it in both forms: reduced for the output, as it is for the crossing).
    pub(crate) fn simplify_facet_point_over(
        &self,
        k: usize,
        p: &FacetPoint,
        rows_f: &[Vec<f64>],
    ) -> (Vec<Z>, Z) {
        match p {
            FacetPoint::Over(nums, den) => self.simplify_over(k, nums, den, rows_f),
            FacetPoint::Reduced(q) => common_denominator(&self.simplify_on_facet_with(k, q, rows_f)),
            FacetPoint::Grid { r, bits, x, l } => self.simplify_grid_point(k, r, *bits, x, l, rows_f),
        }
    }

    /// [`Self::facets`] for `d >= 3` and integral rows: one float LP per row proposes
    /// whether it is a facet, each proposal is certified exactly, and Clarkson's method
    /// ([`Self::facets_clarkson_from`]) decides the rows left over.
    ///
    /// The float LP for row `k` is `max a_k·x` over the other rows and row `k` moved out by
    /// its slack at `inner` (rows scaled to unit length), from `inner`. At an optimum `x`
    /// beyond row `k` (even slightly: small facets), the segment from `inner` to `x` crosses
    /// row `k` strictly inside every other row: that crossing, put exactly on the hyperplane
    /// with its other coordinates rounded to multiples of `2^-bits`, is checked strictly
    /// inside every other row (a facet certificate, [`Self::strictly_inside_but`]).
    /// Otherwise the rows tight at the optimum may certify row `k` implied (Farkas,
    /// [`Self::implied`]). On 4-8-8-1 this settles all but 19 of ~42,000 rows.
    fn facets_guided(&self, inner: &[Q]) -> Vec<(usize, FacetPoint)> {
        let n = self.len();
        let dotf = |x: &[f64], y: &[f64]| -> f64 { x.iter().zip(y).map(|(u, v)| u * v).sum() };
        let inner_f: Vec<f64> = inner.iter().map(filter::guess).collect();
        let mut af: Vec<Vec<f64>> = Vec::with_capacity(n);
        let mut bf: Vec<f64> = Vec::with_capacity(n);
        for (a, b) in self.a.iter().zip(&self.b) {
            let row: Vec<f64> = a.iter().map(filter::guess).collect();
            let norm = dotf(&row, &row).sqrt();
            if !(norm.is_finite() && norm > 0.0) {
                return self.facets_clarkson_from(inner, Vec::new(), vec![false; n]);
            }
            bf.push(filter::guess(b) / norm);
            af.push(row.into_iter().map(|v| v / norm).collect());
        }
        let mut found: Vec<(usize, FacetPoint)> = Vec::new();
        let mut settled = vec![false; n];
        let mut moved = bf.clone();
        let rows_ab = self.float_rows_ab();
        let slacks: Vec<f64> = (0..n).map(|k| bf[k] - dotf(&af[k], &inner_f)).collect();
        for k in 0..n {
            let slack = slacks[k];
            if !(slack > 0.0 && slack.is_finite()) {
                continue;
            }
            // The foot of the perpendicular from `inner` to row k, when the float ray along
            // a_k meets row k clearly first: a facet point to certify without the LP.
            let first = (0..n).all(|i| {
                let g = dotf(&af[i], &af[k]);
                i == k || g <= 0.0 || slack * g < 0.999 * slacks[i]
            });
            if first {
                let q: Vec<f64> = inner_f.iter().zip(&af[k]).map(|(c, v)| c + slack * v).collect();
                if let Some(p) = self.certified_facet_point(k, &q, &rows_ab) {
                    found.push((k, p));
                    settled[k] = true;
                    continue;
                }
            }
            moved[k] = bf[k] + slack;
            let (out, x) = float_lp_point(&af, &moved, &af[k], &inner_f);
            moved[k] = bf[k];
            let beyond = dotf(&af[k], &x) - bf[k];
            let w = match out {
                FloatLp::Vertex(w) | FloatLp::Face(w) => w,
                _ => continue,
            };
            if beyond > 0.0 {
                // The crossing inner + t·(x - inner), t = slack / (slack + beyond).
                let t = slack / (slack + beyond);
                let q: Vec<f64> = inner_f.iter().zip(&x).map(|(c, v)| c + t * (v - c)).collect();
                if let Some(p) = self.certified_facet_point(k, &q, &rows_ab) {
                    found.push((k, p));
                    settled[k] = true;
                    continue;
                }
                if beyond > 0.25 * slack {
                    continue;
                }
            }
            if !w.contains(&k) {
                settled[k] = self.implied(k, &w);
            }
        }
        self.facets_clarkson_from(inner, found, settled)
    }

    /// A point of the relative interior of facet `k` near the float point `q`, certified:
    /// on the hyperplane exactly, strictly inside every other row. `None` if no rounding of
    /// `q` to `2^-4`, `2^-12`, ..., `2^-52` works. A [`FacetPoint::Grid`].
    fn certified_facet_point(&self, k: usize, q: &[f64], rows_f: &[Vec<f64>]) -> Option<FacetPoint> {
        use num_traits::FromPrimitive;
        let j = Self::solve_axis(&self.a[k]);
        for bits in [4usize, 12, 24, 36, 52] {
            let r: Option<Vec<Z>> =
                q.iter().map(|v| Z::from_f64((v * (bits as f64).exp2()).round())).collect();
            let r = r?;
            let (x, l) = self.on_hyperplane(k, j, bits, r.iter().cloned());
            if self.strictly_inside_but(k, &x, &l, rows_f) {
                return Some(FacetPoint::Grid { r, bits, x, l });
            }
        }
        None
    }

    /// [`Self::simplify_on_facet_with`] of the [`FacetPoint::Grid`] point `x / l` of row `k`
    /// (coordinates other than the solved axis `r_i / 2^bits`): the same rounding, by shifts
    /// (no division), and no refinement limit to compute. Rounding at any level at or past
    /// the point's own grid (its coordinates but `j` in lowest terms over `2^g`) gives the
    /// point itself, which is inside; the limit is at least `g + 1` (a lowest-terms
    /// denominator `2^g`). So the refinement ends at the first level that works below `g`,
    /// else with the point itself, whatever the limit.
    fn simplify_grid_point(
        &self,
        k: usize,
        r: &[Z],
        bits: usize,
        x: &[Z],
        l: &Z,
        rows_f: &[Vec<f64>],
    ) -> (Vec<Z>, Z) {
        let j = Self::solve_axis(&self.a[k]);
        let (zero, one, pow) = (Z::zero(), Z::one(), Z::one() << bits);
        let coords: Vec<(&Z, &Z)> =
            r.iter().enumerate().map(|(i, ri)| if i == j { (&zero, &one) } else { (ri, &pow) }).collect();
        // Levels past `bits` are not needed (the guard only bounds the loop).
        let found = self.simplify_integral(k, &coords, |level| level <= bits + 4, rows_f);
        found.unwrap_or_else(|| (x.to_vec(), l.clone()))
    }

    /// [`Self::facets`] in the plane by polarity: with `s_i > 0` the slack of row `i` at
    /// `inner`, the region is `{y : (a_i/s_i)·y <= 1}` in `y = x - inner`, and row `i` is
    /// redundant iff its polar point `a_i/s_i` is a convex combination of the others and the
    /// origin (Farkas). So the facets are the vertices, other than the origin, of the convex
    /// hull of the polar points and the origin: Andrew's monotone chain on homogeneous
    /// integer points `(a_i, s_i)` (exact orientation = sign of a 3×3 integer determinant,
    /// as every `s_i > 0`), O(m log m) instead of LPs. Each facet's point is the middle of its
    /// edge, from the other facets only. Rows must be integral (as [`group_rows`] makes them).
    pub fn facets_2d(&self, inner: &[Q]) -> Vec<(usize, Vec<Q>)> {
        self.facets_2d_homogeneous(inner)
            .into_iter()
            .map(|(k, nums, den)| (k, nums.into_iter().map(|v| q_new(v, den.clone())).collect()))
            .collect()
    }

    /// [`Self::facets_2d`] with each point as integers over one positive denominator, not
    /// reduced (the walk rounds them at once: [`Self::simplify_on_facet_homogeneous`]).
    pub(crate) fn facets_2d_homogeneous(&self, inner: &[Q]) -> Vec<(usize, Vec<Z>, Z)> {
        let (slack, _) = self.scaled_slacks(inner);
        debug_assert!(slack.iter().all(|s| s.is_positive()), "inner point not interior");
        // (x, y, w) homogeneous; index n is the origin.
        let n = self.len();
        let mut pts: Vec<[Z; 3]> =
            self.a.iter().zip(slack).map(|(a, s)| [a[0].numer().clone(), a[1].numer().clone(), s]).collect();
        pts.push([Z::zero(), Z::zero(), Z::one()]);
        // Float approximations with error bounds decide most comparisons (`filter`); the
        // integers decide the rest.
        let approx: Vec<[Approx; 2]> =
            pts.iter().map(|p| [filter::quotient(&p[0], &p[2]), filter::quotient(&p[1], &p[2])]).collect();
        let mut order: Vec<usize> = (0..=n).collect();
        let coord = |i: usize, j: usize, c: usize| {
            filter::compare(approx[i][c], approx[j][c])
                .unwrap_or_else(|| (&pts[i][c] * &pts[j][2]).cmp(&(&pts[j][c] * &pts[i][2])))
        };
        order.sort_by(|&i, &j| coord(i, j, 0).then_with(|| coord(i, j, 1)));
        let orient = |i: usize, j: usize, k: usize| -> std::cmp::Ordering {
            if let Some(o) = filter::orient2d(approx[i], approx[j], approx[k]) {
                return o;
            }
            let (p, q, r) = (&pts[i], &pts[j], &pts[k]);
            let det = &p[0] * (&q[1] * &r[2] - &q[2] * &r[1]) - &p[1] * (&q[0] * &r[2] - &q[2] * &r[0])
                + &p[2] * (&q[0] * &r[1] - &q[1] * &r[0]);
            det.sign().cmp(&num_bigint::Sign::NoSign)
        };
        // Strict hull: collinear points are popped.
        let mut hull: Vec<usize> = Vec::new();
        for pass in 0..2 {
            let start = hull.len();
            let iter: Box<dyn Iterator<Item = &usize>> =
                if pass == 0 { Box::new(order.iter()) } else { Box::new(order.iter().rev()) };
            for &i in iter {
                while hull.len() >= start + 2
                    && orient(hull[hull.len() - 2], hull[hull.len() - 1], i) != std::cmp::Ordering::Greater
                {
                    hull.pop();
                }
                hull.push(i);
            }
            hull.pop(); // the last point starts the other chain
        }
        // `hull` is the counter-clockwise cycle; a facet's neighbours on it are the facets
        // that meet it at the ends of its edge (or the origin / a parallel line: no end).
        let len = hull.len();
        let mut found: Vec<(usize, Vec<Z>, Z)> = (0..len)
            .filter(|&pos| hull[pos] < n)
            .map(|pos| {
                let k = hull[pos];
                let ends = [hull[(pos + len - 1) % len], hull[(pos + 1) % len]];
                let (nums, den) = self.edge_point(k, ends.map(|j| (j < n).then_some(j)), inner);
                (k, nums, den)
            })
            .collect();
        found.sort_by_key(|(i, ..)| *i);
        found.dedup_by_key(|(i, ..)| *i);
        found
    }

    /// A relative-interior point of facet `k` of a plane region whose edge on `k` ends at
    /// its lines with the neighbouring facets `ends` (`None` or a parallel line: no end):
    /// the middle of the two vertices, one unit along the line from a single vertex, or the
    /// projection of `inner` onto the line. As integers over one positive denominator (not
    /// in lowest terms).
    fn edge_point(&self, k: usize, ends: [Option<usize>; 2], inner: &[Q]) -> (Vec<Z>, Z) {
        let (a, b) = (&self.a[k], self.b[k].numer());
        let (a0, a1) = (a[0].numer(), a[1].numer());
        // Vertex with row j as homogeneous integers (x, y, w), w > 0.
        let vertex = |j: usize| -> Option<(Z, Z, Z, usize)> {
            let (c0, c1, cb) = (self.a[j][0].numer(), self.a[j][1].numer(), self.b[j].numer());
            let w = a0 * c1 - a1 * c0;
            if w.is_zero() {
                return None;
            }
            let (x, y) = (b * c1 - cb * a1, a0 * cb - c0 * b);
            Some(if w.is_negative() { (-x, -y, -w, j) } else { (x, y, w, j) })
        };
        let vs: Vec<(Z, Z, Z, usize)> = ends.iter().flatten().filter_map(|&j| vertex(j)).collect();
        match vs.as_slice() {
            [(x1, y1, w1, _), (x2, y2, w2, _), ..] if ends[0] != ends[1] => {
                (vec![x1 * w2 + x2 * w1, y1 * w2 + y2 * w1], Z::from(2) * w1 * w2)
            }
            [(x, y, w, j), ..] if ends[0] != ends[1] => {
                // Along the line, into row j's side: t = ±(-a1, a0) with a_j·t < 0.
                let (c0, c1) = (self.a[*j][0].numer(), self.a[*j][1].numer());
                let sign = if (c1 * a0 - c0 * a1).is_positive() { -1 } else { 1 };
                let (t0, t1) = (-a1 * sign, a0 * sign);
                (vec![x + t0 * w, y + t1 * w], w.clone())
            }
            _ => {
                let shift = (&self.b[k] - dot(a, inner)) / (&a[0] * &a[0] + &a[1] * &a[1]);
                let p: Vec<Q> = inner.iter().zip(a).map(|(c, ai)| c + &shift * ai).collect();
                common_denominator(&p)
            }
        }
    }

    /// [`Self::facets`] in any dimension by exact LPs and rays:
    ///
    /// 1. Rays from `inner` along `±e_j` find a first set of facets (the first row a ray
    ///    meets alone is a facet, and the hit point is in its relative interior).
    /// 2. Exact bounds of the polyhedron of those facets (small LPs) give a box containing
    ///    the region; a row satisfied on the whole box is redundant.
    /// 3. Clarkson's method decides the rest: a candidate is tested by an LP over the facets
    ///    found so far plus itself relaxed by 1; if the optimum violates it, the ray from
    ///    `inner` to the optimum meets a new facet first (ties: the direct LP decides).
    pub fn facets_clarkson(&self, inner: &[Q]) -> Vec<(usize, Vec<Q>)> {
        let found = self.facets_clarkson_from(inner, Vec::new(), vec![false; self.len()]);
        found.into_iter().map(|(k, p)| (k, p.reduced())).collect()
    }

    /// [`Self::facets_clarkson`] given some facets with relative-interior points (`found`)
    /// and the rows already decided (`settled`: those facets and rows known redundant).
    /// Without facets given, axis rays find the first ones.
    fn facets_clarkson_from(
        &self,
        inner: &[Q],
        mut found: Vec<(usize, FacetPoint)>,
        mut settled: Vec<bool>,
    ) -> Vec<(usize, FacetPoint)> {
        let d = inner.len();
        let n = self.len();
        if settled.iter().all(|&s| s) {
            found.sort_by_key(|(i, _)| *i);
            return found;
        }
        let (slack, _) = self.scaled_slacks(inner);
        let slack_f: Vec<Approx> = slack.iter().map(Approx::of).collect();
        debug_assert!(slack.iter().all(|s| s.is_positive()), "inner point not interior");
        let (inner_num, inner_den) = common_denominator(inner);
        let inner_f: Vec<f64> = inner.iter().map(filter::guess).collect();
        // The integer rows as `f64` (each entry within 2u), once for every ray and guess.
        let rows_f: Vec<Vec<f64>> =
            self.a.iter().map(|r| r.iter().map(|v| filter::z_to_f64(v.numer())).collect()).collect();
        let mut is_facet = vec![false; n];
        for (i, _) in &found {
            is_facet[*i] = true;
        }
        for j in 0..d * usize::from(found.is_empty()) {
            for sign in [1i64, -1] {
                let mut dir = vec![Z::zero(); d];
                dir[j] = Z::from(sign);
                if let Some((hits, p)) = self.shoot(inner, &slack, &slack_f, &rows_f, &dir)
                    && hits.len() == 1
                    && !is_facet[hits[0]]
                {
                    is_facet[hits[0]] = true;
                    settled[hits[0]] = true;
                    found.push((hits[0], FacetPoint::Reduced(p)));
                }
            }
        }
        if !found.is_empty() && n > found.len() + 2 * d {
            let seed = self.subset(&found.iter().map(|(i, _)| *i).collect::<Vec<_>>());
            let (lo, hi) = seed.bounds_guided(d, &inner_f);
            // All finite bounds over one denominator, so the test is integer arithmetic.
            let den =
                lo.iter().chain(&hi).flatten().fold(Z::one(), |acc, v| crate::num::lcm_pos(&acc, v.denom()));
            let int = |v: &Option<Q>| v.as_ref().map(|x| x.numer() * (&den / x.denom()));
            let (lo, hi): (Vec<Option<Z>>, Vec<Option<Z>>) =
                (lo.iter().map(int).collect(), hi.iter().map(int).collect());
            for k in 0..n {
                if settled[k] {
                    continue;
                }
                // max of a_k·x over the box (times den), if finite.
                let mut top = Z::zero();
                let mut finite = true;
                for (j, v) in self.a[k].iter().enumerate() {
                    let bound = if v.is_positive() {
                        &hi[j]
                    } else if v.is_negative() {
                        &lo[j]
                    } else {
                        continue;
                    };
                    match bound {
                        Some(x) => top += v.numer() * x,
                        None => {
                            finite = false;
                            break;
                        }
                    }
                }
                if finite && top <= self.b[k].numer() * &den {
                    settled[k] = true; // redundant
                }
            }
        }
        for k in 0..n {
            while !settled[k] && !is_facet[k] {
                // Float guess first (an active-set LP), certified exactly: a redundancy
                // certificate, or a vertex of the known facets beyond row k to aim a ray at.
                match self.clarkson_guess(k, &found, &rows_f, &inner_f) {
                    Some(Guess::Redundant) => break,
                    Some(Guess::Beyond(dir)) => {
                        let dir: Vec<Z> =
                            dir.0.iter().zip(&inner_num).map(|(x, c)| x * &inner_den - c * &dir.1).collect();
                        if let Some((hits, p)) = self.shoot(inner, &slack, &slack_f, &rows_f, &dir)
                            && hits.len() == 1
                            && !is_facet[hits[0]]
                        {
                            is_facet[hits[0]] = true;
                            found.push((hits[0], FacetPoint::Reduced(p)));
                            continue;
                        }
                    }
                    None => {}
                }
                // LP over known facets plus row k relaxed by 1.
                let mut a: Vec<Vec<Q>> = found.iter().map(|(i, _)| self.a[*i].clone()).collect();
                let mut b: Vec<Q> = found.iter().map(|(i, _)| self.b[*i].clone()).collect();
                a.push(self.a[k].clone());
                b.push(&self.b[k] + Q::one());
                // The optimum as integers over the basis determinant: no gcd from here on.
                let (num, den) = match maximize_point(&self.a[k], &a, &b) {
                    PointOutcome::Optimal { num, den } => (num, den),
                    _ => unreachable!("relaxed LP is feasible (inner) and bounded by row k"),
                };
                let value: Z = self.a[k].iter().zip(&num).map(|(ak, x)| ak.numer() * x).sum();
                if value <= self.b[k].numer() * &den {
                    break; // implied by the facets found: redundant
                }
                // den·cden·(x - inner), a positive multiple of the direction to the optimum.
                let dir: Vec<Z> =
                    num.iter().zip(&inner_num).map(|(x, c)| x * &inner_den - c * &den).collect();
                let (hits, p) = self.shoot(inner, &slack, &slack_f, &rows_f, &dir).expect("row k is crossed");
                if hits.len() == 1 {
                    is_facet[hits[0]] = true;
                    found.push((hits[0], FacetPoint::Reduced(p)));
                } else {
                    // The ray met a lower-dimensional face: decide row k directly.
                    match self.facet_point(k, d) {
                        Some(p) => {
                            is_facet[k] = true;
                            found.push((k, FacetPoint::Reduced(p)));
                        }
                        None => break,
                    }
                }
            }
        }
        found.sort_by_key(|(i, _)| *i);
        found
    }

    /// Whether row `k` is implied by the rows `w` (at most `d` of them) by Farkas' lemma,
    /// exactly: `a_k = Σ y_i a_i` over `w` with every `y_i >= 0` and `Σ y_i b_i <= b_k`.
    /// `y` is solved by Cramer's rule on the first set of `|w|` columns whose minor is not
    /// zero and checked on the other columns. `false` if no such `y` exists or the rows of
    /// `w` are dependent. Rows must be integral.
    fn implied(&self, k: usize, w: &[usize]) -> bool {
        if w.len() == self.a[k].len()
            && let Some(told) = self.implied_filtered(k, w)
        {
            return told;
        }
        self.implied_exact(k, w)
    }

    /// [`Self::implied`] in integers only.
    fn implied_exact(&self, k: usize, w: &[usize]) -> bool {
        let d = self.a[k].len();
        let r = w.len();
        if r == 0 || r > d || d > 16 {
            return false;
        }
        let num = |i: usize, c: usize| self.a[i][c].numer();
        let Some((cols, det)) = (0u32..1 << d).filter(|m| m.count_ones() as usize == r).find_map(|mask| {
            let cols: Vec<usize> = (0..d).filter(|c| mask >> c & 1 == 1).collect();
            let det = det_int(w.iter().map(|&i| cols.iter().map(|&c| num(i, c).clone()).collect()).collect());
            (!det.is_zero()).then_some((cols, det))
        }) else {
            return false;
        };
        let sign = if det.is_negative() { -1 } else { 1 };
        // y_t · |det| = sign · det(M_C with row t replaced by a_k restricted to C).
        let mut y: Vec<Z> = Vec::with_capacity(r);
        for t in 0..r {
            let mt: Vec<Vec<Z>> = w
                .iter()
                .enumerate()
                .map(|(s, &i)| cols.iter().map(|&c| num(if s == t { k } else { i }, c).clone()).collect())
                .collect();
            let yt: Z = det_int(mt) * sign;
            if yt.is_negative() {
                return false;
            }
            y.push(yt);
        }
        let dd = det * sign;
        let combination = |c: usize| -> Z { y.iter().zip(w).map(|(yt, &i)| yt * num(i, c)).sum() };
        if (0..d).filter(|c| !cols.contains(c)).any(|c| combination(c) != num(k, c) * &dd) {
            return false;
        }
        let yb: Z = y.iter().zip(w).map(|(yt, &i)| yt * self.b[i].numer()).sum();
        yb <= self.b[k].numer() * dd
    }

    /// [`Self::implied`] for `d` rows `w` decided by float filters ([`filter::det`]), or
    /// `None` when a sign is too close to call (then the integers decide).
    fn implied_filtered(&self, k: usize, w: &[usize]) -> Option<bool> {
        let row = |i: usize| -> Vec<Approx> { self.a[i].iter().map(|v| Approx::of(v.numer())).collect() };
        let m: Vec<Vec<Approx>> = w.iter().map(|&i| row(i)).collect();
        let ak = row(k);
        let mut rows: Vec<&[Approx]> = m.iter().map(|r| r.as_slice()).collect();
        if w.len() == 4 {
            return self.implied_filtered4(k, w, &rows, &ak);
        }
        let det = filter::det(&rows);
        let sign = det.sign()?;
        if sign == 0 {
            return Some(false);
        }
        // Σ y_t b_t - b_k with y_t = det_t / det: its sign times det's as det·(...).
        let mut excess = Approx::ZERO.add_product(det, -Approx::of(self.b[k].numer()));
        for (t, &i) in w.iter().enumerate() {
            rows[t] = &ak;
            let yt = filter::det(&rows);
            rows[t] = &m[t];
            match yt.sign()? * sign {
                s if s < 0 => return Some(false),
                _ => excess = excess.add_product(yt, Approx::of(self.b[i].numer())),
            }
        }
        Some(excess.sign()? * sign <= 0)
    }

    /// [`Self::implied_filtered`] in 4D: `det` and every `det_t` (row `t` replaced by `a_k`)
    /// along one row of the shared cofactors ([`filter::cofactors4`]).
    fn implied_filtered4(&self, k: usize, w: &[usize], rows: &[&[Approx]], ak: &[Approx]) -> Option<bool> {
        let cof = filter::cofactors4(rows);
        let along = |row: &[Approx], t: usize| {
            row.iter().zip(&cof[t]).fold(Approx::ZERO, |acc, (&v, &c)| acc.add_product(v, c))
        };
        let det = along(rows[0], 0);
        let sign = det.sign()?;
        if sign == 0 {
            return Some(false);
        }
        let mut excess = Approx::ZERO.add_product(det, -Approx::of(self.b[k].numer()));
        for (t, &i) in w.iter().enumerate() {
            let yt = along(ak, t);
            match yt.sign()? * sign {
                s if s < 0 => return Some(false),
                _ => excess = excess.add_product(yt, Approx::of(self.b[i].numer())),
            }
        }
        Some(excess.sign()? * sign <= 0)
    }

    /// A float-guided step of Clarkson's method for candidate `k` against the facets
    /// `found`, certified exactly, or `None` (then the exact LP decides). The float
    /// active-set LP `max a_k·x` over the found rows and row `k` relaxed by 1 proposes `d`
    /// tight rows `W`. If `k ∉ W`, Cramer's rule gives `y` with `A_Wᵀ y = a_k`; `y >= 0` and
    /// `b_W·y <= b_k` prove row `k` implied (Farkas). Otherwise the vertex `x_W` is checked
    /// exactly to satisfy every found row and violate row `k`; the ray from the interior
    /// point to it then meets a new facet first (as in the exact step).
    fn clarkson_guess(
        &self,
        k: usize,
        found: &[(usize, FacetPoint)],
        rows_f: &[Vec<f64>],
        inner_f: &[f64],
    ) -> Option<Guess> {
        let mut rows: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
        rows.push(k);
        let af: Vec<Vec<f64>> = rows.iter().map(|&i| rows_f[i].clone()).collect();
        let mut bf: Vec<f64> = rows.iter().map(|&i| filter::guess(&self.b[i])).collect();
        *bf.last_mut()? += 1.0;
        let w = float_active_set(&af, &bf, &af[af.len() - 1], inner_f)?;
        let basis: Vec<usize> = w.iter().map(|&j| rows[j]).collect();
        if !basis.contains(&k) {
            return self.implied(k, &basis).then_some(Guess::Redundant);
        }
        let m: Vec<Vec<Z>> =
            basis.iter().map(|&i| self.a[i].iter().map(|v| v.numer().clone()).collect()).collect();
        let det = det_int(m.clone());
        if det.is_zero() {
            return None;
        }
        let sign = if det.is_negative() { -1 } else { 1 };
        // x_W = M^{-1} b_W as X / D with D = |det| (Cramer on columns).
        let bw: Vec<Z> = basis
            .iter()
            .map(|&i| if i == k { self.b[i].numer() + 1 } else { self.b[i].numer().clone() })
            .collect();
        let x: Vec<Z> = cramer(&m, &bw).into_iter().map(|v| v * sign).collect();
        let dd = &det * sign;
        let ax = |i: usize| -> Z { self.a[i].iter().zip(&x).map(|(a, v)| a.numer() * v).sum() };
        if found.iter().any(|(i, _)| ax(*i) > self.b[*i].numer() * &dd) || ax(k) <= self.b[k].numer() * &dd {
            return None;
        }
        Some(Guess::Beyond((x, dd)))
    }

    /// [`Self::bounds`] from float guesses made at the interior point `inner_f`, each
    /// certified exactly: a vertex by [`certified_vertex`] (the value is unique even when the
    /// vertex is not), an unbounded direction by [`exact_ray`]; the simplex otherwise. Same
    /// values. Rows must be integral.
    fn bounds_guided(&self, d: usize, inner_f: &[f64]) -> (Vec<Option<Q>>, Vec<Option<Q>>) {
        let af: Vec<Vec<f64>> = self.a.iter().map(|r| r.iter().map(filter::guess).collect()).collect();
        let bf: Vec<f64> = self.b.iter().map(filter::guess).collect();
        let rows = self.int_rows();
        let (mut lo, mut hi) = (Vec::with_capacity(d), Vec::with_capacity(d));
        for j in 0..d {
            for sign in [1i64, -1] {
                let c: Vec<Z> = (0..d).map(|t| if t == j { Z::from(sign) } else { Z::zero() }).collect();
                let cf: Vec<f64> = c.iter().map(filter::z_to_f64).collect();
                let told = match float_lp(&af, &bf, &cf, inner_f) {
                    FloatLp::Vertex(basis) => certified_vertex(&rows, &basis, &c, false)
                        .map(|(x, dd)| Some(q_new(x[j].clone(), dd))),
                    FloatLp::Ray(_, w) => exact_ray(&rows, &w, &c).map(|_| None),
                    FloatLp::Face(_) | FloatLp::Fail => None,
                };
                let value = told.unwrap_or_else(|| {
                    let cq: Vec<Q> = c.iter().cloned().map(Q::from_integer).collect();
                    maximize(&cq, &self.a, &self.b).value().map(|v| v * Q::from_integer(Z::from(sign)))
                });
                if sign == 1 { hi.push(value) } else { lo.push(value) }
            }
        }
        (lo, hi)
    }

    /// Exact coordinate bounds `(lo, hi)` of the polyhedron (`None` where unbounded).
    pub fn bounds(&self, d: usize) -> (Vec<Option<Q>>, Vec<Option<Q>>) {
        let mut lo = Vec::with_capacity(d);
        let mut hi = Vec::with_capacity(d);
        for j in 0..d {
            let e = unit(d, j);
            hi.push(maximize(&e, &self.a, &self.b).value().cloned());
            let neg: Vec<Q> = e.iter().map(|v| -v).collect();
            lo.push(maximize(&neg, &self.a, &self.b).value().map(|v| -v));
        }
        (lo, hi)
    }

    /// Is row `k` a facet? If so, a relative-interior point of it: maximise `t` subject to
    /// `a_k·x = b_k`, `a_j·x + t <= b_j` (j != k), `t <= 1`; facet iff `t* > 0`.
    pub fn facet_point(&self, k: usize, d: usize) -> Option<Vec<Q>> {
        let mut a = Vec::with_capacity(self.len() + 2);
        let mut b = Vec::with_capacity(self.len() + 2);
        for j in 0..self.len() {
            let mut row = self.a[j].clone();
            row.push(if j == k { Q::zero() } else { Q::one() });
            a.push(row);
            b.push(self.b[j].clone());
        }
        let mut neg: Vec<Q> = self.a[k].iter().map(|v| -v).collect();
        neg.push(Q::zero());
        a.push(neg);
        b.push(-&self.b[k]);
        a.push(unit(d + 1, d));
        b.push(Q::one());
        match maximize(&unit(d + 1, d), &a, &b) {
            LpOutcome::Optimal { mut x, value, .. } if value.is_positive() => {
                x.truncate(d);
                Some(x)
            }
            _ => None,
        }
    }

    /// Is the polyhedron bounded? A certified recession ray from a float guess says no
    /// (`recession_ray_guided`); otherwise rank and one exact LP decide (`is_bounded_exact`).
    pub fn is_bounded(&self, d: usize) -> bool {
        !self.recession_ray_guided(d) && self.is_bounded_exact(d)
    }

    /// [`Self::is_bounded`] without the float guess. Bounded iff no `y != 0` has `A y <= 0`.
    /// If `A` has rank below `d`, a kernel vector is such a `y`. Otherwise `A y != 0` for
    /// every `y != 0`, so such a `y` exists iff `max (-Σ a_i)·y` subject to `-1 <= a_i·y <= 0`
    /// is positive: one LP (2m rows) instead of one per coordinate direction.
    fn is_bounded_exact(&self, d: usize) -> bool {
        if self.len() <= d || rank(&self.a) < d {
            return false;
        }
        let mut c = vec![Q::zero(); d];
        for row in &self.a {
            for (cj, v) in c.iter_mut().zip(row) {
                *cj -= v;
            }
        }
        let mut a: Vec<Vec<Q>> = self.a.clone();
        a.extend(self.a.iter().map(|r| r.iter().map(|v| -v).collect::<Vec<Q>>()));
        let mut b = vec![Q::zero(); self.len()];
        b.extend(std::iter::repeat_n(Q::one(), self.len()));
        match maximize(&c, &a, &b) {
            LpOutcome::Optimal { value, .. } => !value.is_positive(),
            _ => unreachable!("y = 0 is feasible and the objective is at most m"),
        }
    }

    /// A certified direction of recession, from a float guess. The float LP `max Σ_i
    /// -a_i·v / ||a_i||_1` s.t. `a_i·v <= 0`, `|v_j| <= 1` proposes `v`; the rows nearly tight
    /// at `v` are taken as tight (a region with a finite largest cube has a recession cone
    /// without interior: parallel opposite rows), `v` is rounded inside the exact null space
    /// of those rows (least-squares coefficients, the largest scaled to `2^30`), and the
    /// region is unbounded if every row has `a_i·v' <= 0` exactly with `v' != 0`. `false`
    /// says nothing.
    fn recession_ray_guided(&self, d: usize) -> bool {
        if !self.is_integral() || self.is_empty() {
            return false;
        }
        let to_f = filter::guess;
        let mut af: Vec<Vec<f64>> = self
            .a
            .iter()
            .map(|r| {
                let n: f64 = r.iter().map(|v| to_f(v).abs()).sum();
                r.iter().map(|v| to_f(v) / n).collect()
            })
            .collect();
        let obj: Vec<f64> = (0..d).map(|j| -af.iter().map(|r| r[j]).sum::<f64>()).collect();
        let m = af.len();
        let mut bf = vec![0.0; m];
        for j in 0..d {
            for sign in [1.0, -1.0] {
                let mut row = vec![0.0; d];
                row[j] = sign;
                af.push(row);
                bf.push(1.0);
            }
        }
        let (_, v) = float_lp_point(&af, &bf, &obj, &vec![0.0; d]);
        let value: f64 = obj.iter().zip(&v).map(|(c, x)| c * x).sum();
        if value.is_nan() || value <= 1e-9 || !v.iter().all(|x| x.is_finite()) {
            return false;
        }
        af.truncate(m);
        self.recession_ray_from(d, &af, &v)
    }

    /// The exact part of [`Self::recession_ray_guided`] for a float direction `v` (`af`: the
    /// rows over their L1 norms, as floats): rows with `|af_i·v| <= 1e-7` are taken as tight.
    fn recession_ray_from(&self, d: usize, af: &[Vec<f64>], v: &[f64]) -> bool {
        let dotf = |r: &[f64]| r.iter().zip(v).map(|(a, x)| a * x).sum::<f64>();
        let tight: Vec<Vec<Z>> = (0..af.len())
            .filter(|&i| dotf(&af[i]).abs() <= 1e-7)
            .map(|i| self.a[i].iter().map(|q| q.numer().clone()).collect())
            .collect();
        let basis = null_space(&tight, d);
        if basis.is_empty() {
            return false;
        }
        // v ≈ Σ_k z_k N_k by least squares; then v' = Σ_k round(2^30·z_k) N_k in integers.
        let nf: Vec<Vec<f64>> = basis.iter().map(|n| n.iter().map(filter::z_to_f64).collect()).collect();
        let gram: Vec<Vec<f64>> = nf
            .iter()
            .map(|p| nf.iter().map(|q| p.iter().zip(q).map(|(x, y)| x * y).sum()).collect())
            .collect();
        let rhs: Vec<f64> = nf.iter().map(|p| p.iter().zip(v).map(|(x, y)| x * y).sum()).collect();
        let Some(z) = crate::nearest::solve(gram, rhs) else { return false };
        // The largest coefficient becomes 2^30 (the null vectors' scale is arbitrary).
        let top = z.iter().map(|x| x.abs()).fold(0.0, f64::max);
        if top.is_nan() || top <= 0.0 {
            return false;
        }
        let mut ray = vec![Z::zero(); d];
        for (zk, nk) in z.iter().zip(&basis) {
            let Some(c) = <Z as num_traits::FromPrimitive>::from_f64((zk / top * 2f64.powi(30)).round())
            else {
                return false;
            };
            for (rj, nj) in ray.iter_mut().zip(nk) {
                *rj += &c * nj;
            }
        }
        !ray.iter().all(Z::is_zero)
            && self.a.iter().all(|r| !r.iter().zip(&ray).map(|(a, x)| a.numer() * x).sum::<Z>().is_positive())
    }

    /// Largest inscribed axis-aligned cube, exactly: maximise `r` s.t.
    /// `a_i·c + r·||a_i||_1 <= b_i`.
    pub fn linf_insphere(&self, d: usize) -> LinfInsphere {
        self.linf_insphere_bounded(d).0
    }

    /// [`Self::linf_insphere`] and, when it tells, whether the polyhedron is bounded: an
    /// unbounded LP means cubes of every size fit (unbounded); a certified unique optimum
    /// has `d + 1` tight rows with strictly positive multipliers `y` and `Σ y_i a_i = 0`
    /// (the radius column carries the objective), and those normals span `R^d` (the
    /// `(d+1)×(d+1)` basis is non-singular), so no `v != 0` has every `a_i·v <= 0`: bounded.
    pub fn linf_insphere_bounded(&self, d: usize) -> (LinfInsphere, Option<bool>) {
        let w: Vec<Q> = self.a.iter().map(|r| norm1(r)).collect();
        match self.max_radius_told(d, &w) {
            (Some((center, radius)), unique) => {
                (LinfInsphere::Finite { center, radius }, unique.then_some(true))
            }
            (None, _) => (LinfInsphere::Unbounded, Some(false)),
        }
    }

    /// The radius LP (largest `r` with `a_i·c + r·w_i <= b_i`; `None` if unbounded) and
    /// whether the optimum was certified unique (strictly positive
    /// multipliers).
    ///
    /// The centre is the optimal centre nearest the origin ([`Self::nearest_center`]): the
    /// certified vertex when the optimum is unique, else that point of the optimal set.
    fn max_radius_told(&self, d: usize, w: &[Q]) -> (Option<(Vec<Q>, Q)>, bool) {
        match self.radius_guess(d, w) {
            FloatLp::Vertex(basis) => match self.certify_radius(d, w, &basis, true) {
                Some((c, r)) if c.is_empty() => return (Some((self.nearest_center(d, w, &r), r)), false),
                Some(unique) => return (Some(unique), true),
                None => {}
            },
            FloatLp::Ray(p, _) if self.certify_unbounded_radius(&p) => return (None, false),
            _ => {}
        }
        let told = self.max_radius_exact(d, w).map(|(_, r)| (self.nearest_center(d, w, &r), r));
        (told, false)
    }

    /// The point nearest the origin of `{c : a_i·c <= b_i - w_i·r}`: for the optimal radius
    /// `r` of the radius LP with weights `w`, the optimal centre nearest the origin (unique;
    /// see [`crate::nearest`]). Panics if that set is empty (`r` above the optimum).
    pub fn nearest_center(&self, d: usize, w: &[Q], r: &Q) -> Vec<Q> {
        self.nearest_point(d, w, r).expect("the optimal radius leaves a centre")
    }

    /// The point nearest the origin of `{c : a_i·c <= b_i - w_i·r}` (`None` if empty), exactly,
    /// with every row over one common denominator (rows scaled to integers).
    pub fn nearest_point(&self, d: usize, w: &[Q], r: &Q) -> Option<Vec<Q>> {
        // Rows a_i = A_i / s_i (integers A_i); b and w over their common denominator L; r =
        // R / D. Then A_i·c <= s_i·(b_i - w_i·r) = s_i·(B_i·D - W_i·R) / (L·D).
        let (rows, row_den): (Vec<Vec<Z>>, Vec<Z>) = self.a.iter().map(|a| common_denominator(a)).unzip();
        let m = self.len();
        let mut bw: Vec<Q> = self.b.clone();
        bw.extend(w.iter().cloned());
        let (ints, l) = common_denominator(&bw);
        let (bn, wn) = ints.split_at(m);
        let hn: Vec<Z> = (0..m).map(|i| (&bn[i] * r.denom() - &wn[i] * r.numer()) * &row_den[i]).collect();
        crate::nearest::nearest(d, &rows, &hn, &(l * r.denom()))
    }

    /// The point nearest the origin among the centres of unit cubes (`r = 1` in the L-inf
    /// radius LP) — the interior point of a region that holds cubes of every size.
    pub fn unit_cube_center(&self, d: usize) -> Option<Vec<Q>> {
        let w: Vec<Q> = self.a.iter().map(|r| norm1(r)).collect();
        self.nearest_point(d, &w, &Q::one())
    }

    /// Exact check of a float ray `p = (y, t)` of the radius LP: if `a_i·y' < 0` for every
    /// row, with `y'` the integers nearest to `2^30·y/t`, the LP is unbounded (for any
    /// positive weights: `(y', min_i -a_i·y'/w_i)` is an improving ray no row blocks).
    fn certify_unbounded_radius(&self, p: &[f64]) -> bool {
        let (t, y) = p.split_last().expect("d + 1 entries");
        if !t.is_finite() || *t <= 0.0 || !self.is_integral() {
            return false;
        }
        let Some(y): Option<Vec<Z>> = y
            .iter()
            .map(|v| <Z as num_traits::FromPrimitive>::from_f64((v / t * 2f64.powi(30)).round()))
            .collect()
        else {
            return false;
        };
        self.a.iter().all(|r| r.iter().zip(&y).map(|(a, v)| a.numer() * v).sum::<Z>().is_negative())
    }

    /// [`Self::max_radius_told`] by the exact simplex.
    fn max_radius_exact(&self, d: usize, w: &[Q]) -> Option<(Vec<Q>, Q)> {
        let (a, b) = self.weighted_rows(d, w);
        match maximize(&unit(d + 1, d), &a, &b) {
            LpOutcome::Optimal { mut x, value, .. } => {
                x.truncate(d);
                Some((x, value))
            }
            LpOutcome::Unbounded => None,
            LpOutcome::Infeasible => unreachable!("radius LP is always feasible"),
        }
    }

    /// [`Self::max_radius_told`] from a float guess, when it certifies a *unique* optimum: the
    /// float active-set LP proposes `d + 1` tight rows `W`; Cramer's rule gives their
    /// vertex `(c, r)` and multipliers `y` (`M_Wᵀ y = e_r`). If every row holds at the vertex
    /// and every `y_i > 0`, the vertex is optimal, and it is the only optimum (an optimal
    /// point must make every row with `y_i > 0` tight, and `M_W` is non-singular), so it is
    /// exactly what the exact simplex returns. Otherwise `None`. Rows must be integral.
    #[cfg(test)]
    fn max_radius_guided(&self, d: usize, w: &[Q]) -> Option<(Vec<Q>, Q)> {
        match self.radius_guess(d, w) {
            FloatLp::Vertex(basis) => self.certify_radius(d, w, &basis, true).filter(|(c, _)| !c.is_empty()),
            _ => None,
        }
    }

    /// The float active-set guess of [`Self::max_radius_guided`]: `d + 1` rows, or a ray.
    fn radius_guess(&self, d: usize, w: &[Q]) -> FloatLp {
        if !self.is_integral() {
            return FloatLp::Fail;
        }
        let to_f = filter::guess;
        // Each row divided by its weight (same LP, comparable scales for the float method).
        let (af, bf): (Vec<Vec<f64>>, Vec<f64>) = self
            .a
            .iter()
            .zip(&self.b)
            .zip(w)
            .map(|((r, b), wi)| {
                let s = to_f(wi);
                (r.iter().map(|v| to_f(v) / s).chain(std::iter::once(1.0)).collect(), to_f(b) / s)
            })
            .unzip();
        // Start at c = 0 with a radius every row allows.
        let r0 = bf.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
        let mut x0 = vec![0.0; d + 1];
        x0[d] = r0;
        let obj: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
        float_lp(&af, &bf, &obj, &x0)
    }

    /// The exact check of [`Self::max_radius_guided`] for the rows `basis`: the optimal
    /// radius, with the centre when `with_center` and every multiplier is strictly positive
    /// (the unique optimum); else the centre is empty (zero multipliers certify the value,
    /// which does not depend on the vertex, but not a unique centre).
    fn certify_radius(&self, d: usize, w: &[Q], basis: &[usize], with_center: bool) -> Option<(Vec<Q>, Q)> {
        self.certify_radii(d, &[(w, with_center)], basis).pop().flatten()
    }

    /// [`Self::certify_radius`] for several weight vectors at one basis (the two L2 LPs
    /// share their float guess), sharing the work that does not depend on the weights.
    ///
    /// In the variable `r' = r / L`, with `w_i = P_i / L` over a common denominator, the rows
    /// `a_i·c + P_i·r' <= b_i` are integral and only the last column depends on the weights.
    /// So, by cofactor expansion along that column, with `M_t` the `d × d` minor of the basis
    /// normals without row `t` and `N_tj` the same with column `j` replaced by `b`:
    /// `det = Σ_t ε_t P_t M_t`, the multipliers `y_t = ε_t M_t / det`, the vertex
    /// `c_j = Σ_t ε_t P_t N_tj / det` and `r' = Σ_t ε_t b_t M_t / det` (`ε_t = (-1)^(t+d)`).
    /// The minors are computed once for all weights; each weight vector then needs sums of
    /// `d + 1` products and its row check. Same vertex and multipliers as Cramer's rule on
    /// the full rows. (The centre is empty unless asked for and unique.)
    fn certify_radii(&self, d: usize, ws: &[(&[Q], bool)], basis: &[usize]) -> Vec<Option<(Vec<Q>, Q)>> {
        if basis.len() != d + 1 || !self.is_integral() {
            return vec![None; ws.len()];
        }
        let num = |i: usize, j: usize| self.a[i][j].numer();
        // The basis rows with b as the last column: M_t drops row t and column d; N_tj drops
        // row t and column j and has b in place j, i.e. (-1)^(d-1-j) times the minor without
        // row t and column j (b moved from place j to the end).
        let full: Vec<Vec<Z>> = basis
            .iter()
            .map(|&i| (0..d).map(|j| num(i, j).clone()).chain([self.b[i].numer().clone()]).collect())
            .collect();
        let signed = |t: usize, v: Z| if (t + d) % 2 == 1 { -v } else { v };
        // The minors depend on `full` only: the L2 LP's optimal basis is almost always the
        // L-inf one's, certified just before on this thread (the same matrix).
        let cached = RADII_MINORS.with(|c| c.borrow_mut().take()).filter(|m| m.full == full);
        let mut minors: Option<Minors> = None;
        let (cof, mut ncof) = match cached {
            Some(m) => (m.cof, m.ncof),
            None => {
                let mi = minors.insert(Minors::new(&full));
                ((0..=d).map(|t| signed(t, mi.get(t, d))).collect::<Vec<Z>>(), None)
            }
        };
        // N_tj (signed) on first use: only a vertex that passes the multiplier test needs it.
        let rnum: Z = basis.iter().zip(&cof).map(|(&i, ct)| self.b[i].numer() * ct).sum();
        // The rows as floats for the feasibility filter, on first use (as ncof).
        let mut rows_ab: Option<Vec<Vec<f64>>> = None;
        let told = ws
            .iter()
            .map(|&(w, with_center)| {
                let (pw, l) = common_denominator(w);
                let det: Z = basis.iter().zip(&cof).map(|(&i, ct)| &pw[i] * ct).sum();
                if det.is_zero() {
                    return None;
                }
                let negative = det.is_negative();
                // sign(y_t) = sign(cof_t) · sign(det); a zero multiplier leaves the value
                // certified but the vertex perhaps not the only optimum.
                let mut zero = false;
                if cof.iter().any(|ct| {
                    let s = if negative { -ct.signum() } else { ct.signum() };
                    zero |= s.is_zero();
                    s.is_negative()
                }) {
                    return None;
                }
                let ncof = ncof.get_or_insert_with(|| {
                    let mi = minors.get_or_insert_with(|| Minors::new(&full));
                    (0..=d)
                        .map(|t| {
                            (0..d)
                                .map(|j| {
                                    let v = mi.get(t, j);
                                    signed(t, if (d - 1 - j) % 2 == 1 { -v } else { v })
                                })
                                .collect()
                        })
                        .collect()
                });
                let fix = |v: Z| if negative { -v } else { v };
                let x: Vec<Z> = (0..d)
                    .map(|j| fix(basis.iter().enumerate().map(|(t, &i)| &pw[i] * &ncof[t][j]).sum()))
                    .collect();
                let xr = fix(rnum.clone());
                let dd = fix(det);
                // Every row holds at the vertex: a_k·X + P_k·X_r <= b_k·D. The basis rows hold
                // with equality (Cramer's rule); the others by a float filter when it decides.
                let fx: Vec<f64> =
                    x.iter().chain([&xr]).map(filter::z_to_f64).chain([-filter::z_to_f64(&dd)]).collect();
                let rows_ab = rows_ab.get_or_insert_with(|| self.float_rows_ab());
                let mut row = vec![0.0; d + 2];
                let feasible = (0..self.len()).all(|k| {
                    if basis.contains(&k) {
                        return true;
                    }
                    row[..d].copy_from_slice(&rows_ab[k][..d]);
                    row[d] = filter::z_to_f64(&pw[k]);
                    row[d + 1] = rows_ab[k][d];
                    match filter::dot_converted(&row, &fx).sign() {
                        Some(s) if s != 0 => s < 0,
                        _ => {
                            let lhs: Z = (0..d).map(|j| num(k, j) * &x[j]).sum::<Z>() + &pw[k] * &xr;
                            lhs <= self.b[k].numer() * &dd
                        }
                    }
                });
                if !feasible {
                    return None;
                }
                let r = q_new(xr * l, dd.clone());
                let center = if with_center && !zero {
                    x.into_iter().map(|v| q_new(v, dd.clone())).collect()
                } else {
                    Vec::new()
                };
                Some((center, r))
            })
            .collect();
        drop(minors);
        RADII_MINORS.with(|c| *c.borrow_mut() = Some(RadiiMinors { full, cof, ncof }));
        told
    }

    /// Certified Euclidean insphere with `radius_upper - radius_lower <=
    /// 10^-digits · max(1, radius_upper)`: the LP is solved with every `||a_i||_2`
    /// replaced by a rational upper bound (a feasible ball: the lower radius) and by a
    /// rational lower bound (a relaxation: the upper radius); bounds tighten until the gap
    /// meets the tolerance.
    pub fn l2_insphere(&self, d: usize, digits: u32) -> Insphere {
        let tol = ten_pow_neg(digits);
        let mut bits = (digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 8;
        loop {
            let Some((center, radius_lower, radius_upper)) = self.l2_bounds(d, bits) else {
                return Insphere::Unbounded;
            };
            // upper - lower <= 10^-digits · max(1, upper), in integers (no reductions):
            // 10^digits · (un·ld - ln·ud) <= max(un, ud) · ld.
            let (un, ud) = (radius_upper.numer(), radius_upper.denom());
            let (ln, ld) = (radius_lower.numer(), radius_lower.denom());
            let gap = un * ld - ln * ud;
            if gap * tol.denom() <= un.max(ud) * ld {
                return Insphere::Finite { center, radius_lower, radius_upper };
            }
            bits += 32;
        }
    }

    /// The L2 insphere LP solved with the norms bounded to `bits` extra bits: a feasible
    /// `(center, lower)` and an `upper >= r*`; `None` if the region holds balls of every
    /// radius.
    pub fn l2_bounds(&self, d: usize, bits: u32) -> Option<(Vec<Q>, Q, Q)> {
        let (lo, hi): (Vec<Q>, Vec<Q>) = self.a.iter().map(|r| norm_bounds(r, bits)).unzip();
        // Both LPs differ only far below float precision: one float guess serves both.
        let basis = match self.radius_guess(d, &hi) {
            FloatLp::Vertex(b) => Some(b),
            FloatLp::Ray(p, _) if self.certify_unbounded_radius(&p) => return None,
            _ => None,
        };
        let (hi_told, lo_told) = match &basis {
            Some(b) => {
                let mut told = self.certify_radii(d, &[(&hi, true), (&lo, false)], b);
                let lo_told = told.pop().flatten();
                (told.pop().flatten(), lo_told)
            }
            None => (None, None),
        };
        // A unique optimum gives its vertex; else the optimal centre nearest the origin.
        let (center, lower) = match hi_told {
            Some((c, r)) if c.is_empty() => (self.nearest_center(d, &hi, &r), r),
            Some(found) => found,
            None => {
                let r = self.max_radius_exact(d, &hi)?.1;
                (self.nearest_center(d, &hi, &r), r)
            }
        };
        let upper = match lo_told {
            Some((_, upper)) => upper,
            None => self.max_radius_exact(d, &lo).expect("bounded if the other is").1,
        };
        Some((center, lower, upper))
    }

    /// Decide exactly whether `r* <= claimed` for the Euclidean inradius `r*`, by
    /// tightening the bounds until `claimed` is above an upper bound or below a feasible
    /// radius. `None` if undecided at 8192 bits (only possible when `claimed` equals an
    /// irrational `r*` to that precision).
    pub fn l2_radius_at_most(&self, d: usize, claimed: &Q) -> Option<bool> {
        let mut bits = 64;
        while bits <= 8192 {
            let Some((_, lower, upper)) = self.l2_bounds(d, bits) else { return Some(false) };
            if *claimed >= upper {
                return Some(true);
            }
            if *claimed < lower {
                return Some(false);
            }
            bits *= 2;
        }
        None
    }

    /// Exact check that the closed ball `B(center, radius)` lies in every half-space:
    /// `b_i - a_i·c >= 0` and `(b_i - a_i·c)² >= radius²·||a_i||²`.
    pub fn contains_ball(&self, center: &[Q], radius: &Q) -> bool {
        let r2 = radius * radius;
        self.slacks(center).iter().zip(&self.a).all(|(s, a)| !s.is_negative() && s * s >= &r2 * norm2_sq(a))
    }
}

/// The minors of [`Halfspaces::certify_radii`]'s last matrix (basis rows with `b`), kept
/// per thread for the next call: the L2 insphere's optimal basis is nearly always the L-inf
/// one's, certified just before (1,395 of 3,270 calls on 4-8-8-1). Found only by an equal
/// matrix, so results never depend on it.
struct RadiiMinors {
    full: Vec<Vec<Z>>,
    cof: Vec<Z>,
    ncof: Option<Vec<Vec<Z>>>,
}

thread_local! {
    static RADII_MINORS: std::cell::RefCell<Option<RadiiMinors>> = const { std::cell::RefCell::new(None) };
    /// [`norm_bounds`] by `(||a||², bits)`, per thread, emptied when it reaches
    /// [`NORM_BOUNDS_CAP`] entries.
    static NORM_BOUNDS: std::cell::RefCell<rustc_hash::FxHashMap<(Q, u32), (Q, Q)>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Entries of the per-thread [`norm_bounds`] memo (a few hundred bytes each).
const NORM_BOUNDS_CAP: usize = 1 << 14;

/// `sqrt_bounds(||a||², bits)`, remembered per thread: regions of a walk share most of their
/// facet rows (a first layer's rows are every region's), and the integer square root is a
/// few big divisions. Found only by an equal key, so results never depend on it.
fn norm_bounds(a: &[Q], bits: u32) -> (Q, Q) {
    let key = (norm2_sq(a), bits);
    if let Some(found) = NORM_BOUNDS.with(|m| m.borrow().get(&key).cloned()) {
        return found;
    }
    let found = sqrt_bounds(&key.0, bits);
    NORM_BOUNDS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= NORM_BOUNDS_CAP {
            m.clear();
        }
        m.insert(key, found.clone());
    });
    found
}

/// The grid levels a facet point's refinement tries: `bits = 0, 4, 8, ..., 256`, then
/// doubling (`512, 1024, ...`), so that a point that needs thousands of bits (a sliver region
/// of a network with huge weights) takes a dozen steps past 256, not a thousand.
fn next_grid(bits: usize) -> usize {
    if bits < 256 { bits + 4 } else { bits * 2 }
}

/// [`round_to_grid`] of one `n / d` at growing `bits`: past 32 bits, from one quotient
/// `floor(n·2^(B+1)/d)` kept for `bits <= B` (`B` doubled when passed), by shifts:
/// `round(x·2^b) = floor((floor(x·2^(b+1)) + 1) / 2)` and `floor(x·2^(b+1)) =
/// floor(x·2^(B+1)) >> (B - b)` (floors of floors). The same integers as `round_to_grid`,
/// without a long division at every step of a refinement that goes deep.
struct GridRounder<'a> {
    n: &'a Z,
    d: &'a Z,
    cache: Option<(usize, Z)>,
}

impl<'a> GridRounder<'a> {
    fn new(n: &'a Z, d: &'a Z) -> Self {
        GridRounder { n, d, cache: None }
    }

    fn round(&mut self, bits: usize) -> Z {
        if bits < 32 || self.d.trailing_zeros() == Some(self.d.bits() - 1) {
            return round_to_grid(self.n, self.d, bits);
        }
        if self.cache.as_ref().is_none_or(|(b, _)| *b < bits) {
            let b = 2 * bits;
            self.cache = Some((b, (self.n << (b + 1)).div_floor(self.d)));
        }
        let (b, q) = self.cache.as_ref().expect("just set");
        ((q >> (b - bits)) + 1) >> 1
    }
}

/// `n / d` (`d > 0`) times `2^bits`, rounded to the nearest integer, halves up: the
/// numerator of the nearest multiple of `2^-bits`. By shifts when `d` is a power of two.
fn round_to_grid(n: &Z, d: &Z, bits: usize) -> Z {
    let e = d.bits() - 1;
    if d.trailing_zeros() == Some(e) {
        let e = e as usize;
        return if bits >= e { n << (bits - e) } else { (n + (Z::one() << (e - bits - 1))) >> (e - bits) };
    }
    let twice: Z = (n << (bits + 1)) + d;
    twice.div_floor(&(d * 2))
}

/// [`round_dyadic`] at a known scale: every coordinate to the nearest multiple of `2^-k`.
fn round_dyadic_at(c: &[Q], k: usize) -> Vec<Q> {
    let scale = Z::one() << k;
    c.iter().map(|v| q_new(round_to_grid(v.numer(), v.denom(), k), scale.clone())).collect()
}

/// `c` rounded to the multiples of `2^-k` for the smallest `k` with `2^-(k+1) < rho`,
/// `rho = rn/rd > 0` the smallest ratio `slack_i / ||a_i||_1` at `c` (no rows: `k = 0`):
/// moving each coordinate by at most `2^-(k+1)` keeps every slack positive.
pub(crate) fn round_dyadic(c: &[Q], rho: Option<&(Z, Z)>) -> Vec<Q> {
    round_dyadic_at(c, dyadic_scale(rho))
}

/// [`round_dyadic`] of the point `xs / den` (`den > 0`, not necessarily in lowest terms):
/// the same point.
pub(crate) fn round_dyadic_over(xs: &[Z], den: &Z, rho: Option<&(Z, Z)>) -> Vec<Q> {
    round_over_at(xs, den, dyadic_scale(rho))
}

/// [`round_dyadic_at`] of the point `xs / den` (`den > 0`, any representation).
fn round_over_at(xs: &[Z], den: &Z, k: usize) -> Vec<Q> {
    let scale = Z::one() << k;
    xs.iter().map(|x| q_new(round_to_grid(x, den, k), scale.clone())).collect()
}

/// The scale `k` of [`round_dyadic`] for the margin `rho = rn / rd` (`0` without one).
fn dyadic_scale(rho: Option<&(Z, Z)>) -> usize {
    // Moving every coordinate by at most 2^-(k+1) < rho keeps every slack positive:
    // the smallest such k satisfies rd < rn · 2^(k+1).
    let mut k: usize = 0;
    if let Some((rn, rd)) = rho {
        debug_assert!(rn.is_positive());
        k = (rd.bits() as i64 - rn.bits() as i64).max(0) as usize;
        while rd >= &(rn << (k + 1)) {
            k += 1;
        }
        while k > 0 && rd < &(rn << k) {
            k -= 1;
        }
    }
    k
}

/// The unit vector `e_j` of length `n`.
pub fn unit(n: usize, j: usize) -> Vec<Q> {
    let mut v = vec![Q::zero(); n];
    v[j] = Q::one();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::qi;

    /// The per-thread norm bounds are the square-root bounds of the same row and precision,
    /// for rows seen before, at another precision, and past the memo's cap.
    #[test]
    fn remembered_norm_bounds_are_the_square_root_bounds() {
        let mut rng = crate::random::SplitMix64(41);
        let rows: Vec<Vec<Q>> = (0..NORM_BOUNDS_CAP + 500)
            .map(|_| (0..2).map(|_| qi(rng.small_int(1 << 20))).collect())
            .collect();
        for round in 0..2 {
            for (t, r) in rows.iter().enumerate().step_by(if round == 0 { 1 } else { 37 }) {
                let bits = [40, 108, 140][t % 3];
                assert_eq!(norm_bounds(r, bits), sqrt_bounds(&norm2_sq(r), bits), "{r:?} {bits}");
                let other = [108, 140, 40][t % 3];
                assert_eq!(norm_bounds(r, other), sqrt_bounds(&norm2_sq(r), other));
            }
        }
    }

    fn hs(rows: &[(&[i64], i64)]) -> Halfspaces {
        let g = group_rows(
            rows.iter()
                .enumerate()
                .map(|(i, (a, b))| (a.iter().map(|&v| qi(v)).collect(), qi(*b), Source::Domain(i))),
        );
        match g {
            Grouped::Rows(h) => h,
            Grouped::Empty => panic!("empty"),
        }
    }

    #[test]
    fn groups_scaled_duplicates() {
        let h = hs(&[(&[1, 0], 1), (&[2, 0], 2), (&[0, 1], 1), (&[-1, 0], 1), (&[0, -1], 1)]);
        assert_eq!(h.len(), 4);
        let i = h.a.iter().position(|r| r == &vec![qi(1), qi(0)]).unwrap();
        assert_eq!(h.sources[i], vec![Source::Domain(0), Source::Domain(1)]);
    }

    #[test]
    fn square_with_redundant_rows() {
        // Unit square |x|,|y| <= 1 plus redundant x + y <= 5 and x + y <= 2 (touches a corner).
        let h = hs(&[(&[1, 0], 1), (&[-1, 0], 1), (&[0, 1], 1), (&[0, -1], 1), (&[1, 1], 5), (&[1, 1], 2)]);
        let Interior::Point(c) = h.interior_point(2) else { panic!() };
        let f = h.facets(&c);
        assert_eq!(f.len(), 4);
        for (i, p) in &f {
            let s = h.slacks(p);
            assert!(s[*i].is_zero());
            assert!(s.iter().enumerate().all(|(j, v)| j == *i || v.is_positive()));
        }
        assert!(h.is_bounded(2));
        assert_eq!(h.linf_insphere(2), LinfInsphere::Finite { center: vec![qi(0), qi(0)], radius: qi(1) });
        let Insphere::Finite { center, radius_lower, radius_upper } = h.l2_insphere(2, 30) else { panic!() };
        assert!(radius_lower <= qi(1) && qi(1) <= radius_upper);
        assert!(h.contains_ball(&center, &radius_lower));
    }

    #[test]
    fn triangle_insphere_is_certified() {
        // x >= 0, y >= 0, x + y <= 1: r* = 1/(2+sqrt 2) = 0.2928932188...
        let h = hs(&[(&[-1, 0], 0), (&[0, -1], 0), (&[1, 1], 1)]);
        let Insphere::Finite { center, radius_lower, radius_upper } = h.l2_insphere(2, 30) else { panic!() };
        assert!(h.contains_ball(&center, &radius_lower));
        // r* satisfies (2 + sqrt2) r = 1, i.e. (1 - 2r)^2 = 2 r^2 with r < 1/2.
        let f = |r: &Q| (qi(1) - qi(2) * r) * (qi(1) - qi(2) * r) - qi(2) * r * r;
        // f is decreasing near r*, so f(lo) >= 0 >= f(hi).
        assert!(!f(&radius_lower).is_negative() && !f(&radius_upper).is_positive());
        assert!(&radius_upper - &radius_lower <= ten_pow_neg(30));
        assert_eq!(
            h.linf_insphere(2),
            LinfInsphere::Finite {
                center: vec![q_new(1.into(), 4.into()), q_new(1.into(), 4.into())],
                radius: q_new(1.into(), 4.into())
            }
        );
    }

    #[test]
    fn degenerate_vertex_with_many_lines() {
        // Square plus three lines through the corner (1,1), none cutting the square.
        let h = hs(&[
            (&[1, 0], 1),
            (&[-1, 0], 1),
            (&[0, 1], 1),
            (&[0, -1], 1),
            (&[1, 1], 2),
            (&[1, 2], 3),
            (&[2, 1], 3),
        ]);
        let Interior::Point(c) = h.interior_point(2) else { panic!() };
        let f: Vec<usize> = h.facets(&c).into_iter().map(|x| x.0).collect();
        assert_eq!(f.len(), 4);
        for i in f {
            assert!(h.a[i].iter().filter(|v| !v.is_zero()).count() == 1);
        }
    }

    #[test]
    fn plane_facets_agree_with_clarkson_on_degenerate_random_sets() {
        // Small integer rows (many parallel, coinciding, through shared vertices), bounded
        // and unbounded; the polar hull must find exactly Clarkson's facets, each with a
        // point strictly inside every other row.
        let mut rng = crate::random::SplitMix64(11);
        let mut seen = 0;
        for t in 0..400 {
            let m = 1 + (t % 9);
            let rows: Vec<(Vec<i64>, i64)> =
                (0..m).map(|_| (vec![rng.small_int(2), rng.small_int(2)], rng.small_int(3))).collect();
            let refs: Vec<(&[i64], i64)> = rows.iter().map(|(a, b)| (a.as_slice(), *b)).collect();
            let g = group_rows(
                refs.iter()
                    .enumerate()
                    .map(|(i, (a, b))| (a.iter().map(|&v| qi(v)).collect(), qi(*b), Source::Domain(i))),
            );
            let Grouped::Rows(h) = g else { continue };
            let Interior::Point(c) = h.interior_point(2) else { continue };
            let c = h.simplify_interior(&c);
            let plane = h.facets_2d(&c);
            let general = h.facets_clarkson(&c);
            let idx = |f: &[(usize, Vec<Q>)]| f.iter().map(|(i, _)| *i).collect::<Vec<_>>();
            assert_eq!(idx(&plane), idx(&general), "rows {rows:?}");
            assert_relative_interior(&h, &plane);
            seen += plane.len();
        }
        assert!(seen > 300, "saw {seen} facets");
    }

    /// Every facet point is on its row and strictly inside every other row.
    fn assert_relative_interior(h: &Halfspaces, found: &[(usize, Vec<Q>)]) {
        for (k, p) in found {
            let s = h.slacks(p);
            assert!(s[*k].is_zero(), "{p:?} off row {k} of {:?} {:?}", h.a, h.b);
            let inside = s.iter().enumerate().all(|(i, v)| i == *k || v.is_positive());
            assert!(inside, "{p:?} on a ridge of row {k} of {:?} {:?}", h.a, h.b);
        }
    }

    #[test]
    fn guided_facets_agree_with_one_lp_per_row() {
        // The float-classified, certified facets (d = 3, 4, 5) and Clarkson's method with
        // float guesses against the direct LP per row, on small-integer rows (parallel, coinciding, many through one vertex) and on
        // wide rows (entries up to 2^40, as a network's); every point is on its row and
        // strictly inside the others.
        let mut rng = crate::random::SplitMix64(77);
        let mut seen = 0;
        for t in 0..300 {
            let d = 3 + t % 3;
            let m = 4 + (t % 13);
            let wide = t % 4 == 3;
            let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
                .map(|i| {
                    let a = (0..d)
                        .map(|_| if wide { qi(rng.next_u64() as i64 >> 24) } else { qi(rng.small_int(2)) })
                        .collect();
                    let b =
                        if wide { qi((rng.next_u64() >> 25) as i64 + 1) } else { qi(rng.small_int(2) + 2) };
                    (a, b, Source::Domain(i))
                })
                .collect();
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let Interior::Point(c) = h.interior_point(d) else { continue };
            let c = h.simplify_interior(&c);
            let want: Vec<usize> = (0..h.len()).filter(|&k| h.facet_point(k, d).is_some()).collect();
            // The guided method, and Clarkson's alone (its fallback).
            for got in [h.facets(&c), h.facets_clarkson(&c)] {
                assert_eq!(got.iter().map(|(i, _)| *i).collect::<Vec<_>>(), want, "{:?} {:?}", h.a, h.b);
                assert_relative_interior(&h, &got);
            }
            seen += want.len();
        }
        assert!(seen > 900, "saw {seen} facets");
    }

    #[test]
    fn filtered_farkas_agrees_with_the_integers() {
        // Random row sets, a random candidate k and random d other rows (dependent ones
        // too): whenever the float filter decides, it decides as the integers do.
        let mut rng = crate::random::SplitMix64(78);
        let (mut decided, mut implied) = (0, 0);
        for t in 0..3000 {
            let d = 2 + t % 4;
            let m = d + 2 + t % 5;
            let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
                .map(|i| {
                    let a = (0..d)
                        .map(|_| qi(if t % 2 == 0 { rng.small_int(3) } else { rng.next_u64() as i64 >> 20 }))
                        .collect();
                    (a, qi(rng.small_int(9) + 10), Source::Domain(i))
                })
                .collect();
            let mut h = Halfspaces {
                a: rows.iter().map(|r| r.0.clone()).collect(),
                b: rows.iter().map(|r| r.1.clone()).collect(),
                sources: rows.iter().map(|r| vec![r.2]).collect(),
            };
            let k = (rng.next_u64() % m as u64) as usize;
            let w: Vec<usize> = (0..m).filter(|&i| i != k).take(d).collect();
            if t % 3 == 0 {
                // Row k a non-negative combination of the rows of w, b_k near the bound.
                let y: Vec<Q> = w.iter().map(|_| qi(rng.small_int(2).abs())).collect();
                h.a[k] = (0..d).map(|j| y.iter().zip(&w).map(|(yi, &i)| yi * &h.a[i][j]).sum()).collect();
                h.b[k] = y.iter().zip(&w).map(|(yi, &i)| yi * &h.b[i]).sum::<Q>() + qi(rng.small_int(1));
            }
            let exact = h.implied_exact(k, &w);
            if let Some(told) = h.implied_filtered(k, &w) {
                assert_eq!(told, exact, "{:?} {:?} k={k} w={w:?}", h.a, h.b);
                decided += 1;
            }
            implied += usize::from(exact);
        }
        assert!(decided > 2000 && implied > 500, "decided {decided}, implied {implied}");
    }

    #[test]
    fn recession_rays_are_certified_only_for_unbounded_regions() {
        // Slabs (opposite parallel rows: recession cones without interior), cones and boxes
        // in 2-4 dimensions: a guided ray only for an unbounded region (the exact LP says so),
        // found for most unbounded ones; null spaces have the right size and are null.
        let mut rng = crate::random::SplitMix64(17);
        let (mut found, mut unbounded, mut wild) = (0, 0, 0);
        for t in 0..300 {
            let d = 2 + t % 3;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
            for k in 0..(1 + t % 3) {
                let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(5))).collect();
                rows.push((a.clone(), qi(2 + k as i64), Source::Domain(10 * k)));
                if t % 2 == 0 {
                    rows.push((a.iter().map(|v| -v).collect(), qi(1), Source::Domain(10 * k + 1)));
                }
            }
            for i in 0..(t % 4) {
                let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
                rows.push((a, qi(3), Source::Domain(100 + i)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            if !matches!(h.interior_point(d), Interior::Point(_)) {
                continue;
            }
            let ints: Vec<Vec<Z>> =
                h.a.iter().map(|r| r.iter().map(|v| v.numer().clone()).collect()).collect();
            let null = null_space(&ints, d);
            assert_eq!(null.len(), d - rank(&h.a), "{:?}", h.a);
            for v in &null {
                assert!(ints.iter().all(|r| r.iter().zip(v).map(|(a, x)| a * x).sum::<Z>().is_zero()));
                assert!(!v.iter().all(Z::is_zero));
            }
            // The exact answer, by rank and the LP alone (is_bounded tries the ray first).
            let exact_unbounded = !h.is_bounded_exact(d);
            let ray = h.recession_ray_guided(d);
            assert!(!ray || exact_unbounded, "{:?}", h.a);
            // Arbitrary float directions (most of them wrong) are certified only when right.
            let af: Vec<Vec<f64>> =
                h.a.iter()
                    .map(|r| {
                        let n: f64 = r.iter().map(|v| filter::guess(v).abs()).sum();
                        r.iter().map(|v| filter::guess(v) / n).collect()
                    })
                    .collect();
            for _ in 0..8 {
                let v: Vec<f64> = (0..d).map(|_| rng.small_int(4) as f64 / 4.0).collect();
                if h.recession_ray_from(d, &af, &v) {
                    assert!(exact_unbounded, "{:?} {v:?}", h.a);
                    wild += 1;
                }
            }
            assert_eq!(h.is_bounded(d), !exact_unbounded, "{:?}", h.a);
            unbounded += usize::from(exact_unbounded);
            found += usize::from(ray);
        }
        assert!(
            unbounded > 60 && found * 2 > unbounded && wild > 20,
            "{found} rays, {wild} wild, {unbounded} unbounded"
        );
    }

    #[test]
    fn homogeneous_facet_points_round_as_the_reduced_ones() {
        // Plane polygons, some thin slivers (facets 2^-s long: the refinement runs deep and
        // sometimes to its limit), facet points given over unreduced denominators (times
        // a random factor): the same point as simplify_on_facet_with on the reduced point,
        // on the facet and strictly inside the other facets.
        let mut rng = crate::random::SplitMix64(71);
        let (mut deep, mut limit, mut total) = (0, 0, 0);
        for t in 0..300u32 {
            let s = t % 40;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = vec![
                (vec![qi(1), qi(0)], qi(4), Source::Domain(0)),
                (vec![qi(-1), qi(0)], qi(4), Source::Domain(1)),
            ];
            // Two nearly parallel rows a strip 2^-s wide apart, crossed by random rows.
            let a = vec![qi(rng.small_int(9)), qi(1 + rng.small_int(9).abs())];
            let b = Q::new(Z::from(rng.small_int(50)), Z::from(3));
            let w = Q::new(Z::one(), Z::one() << s);
            rows.push((a.clone(), &b + &w, Source::Domain(2)));
            rows.push((a.iter().map(|v| -v).collect(), -&b, Source::Domain(3)));
            for i in 0..(t % 3) {
                let r = vec![qi(rng.small_int(20)), qi(rng.small_int(20))];
                rows.push((r, qi(10 + rng.small_int(5).abs()), Source::Domain(4 + i as usize)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let Interior::Point(inner) = h.interior_point(2) else { continue };
            let found = h.facets(&inner);
            let idx: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
            let fhs = h.subset(&idx);
            let rows_f = fhs.float_rows_ab();
            for (fi, (_, p)) in found.iter().enumerate() {
                let want = fhs.simplify_on_facet_with(fi, p, &rows_f);
                let (nums, den) = common_denominator(p);
                let g = Z::from(1 + rng.next_u64() % 1000) * (Z::one() << (rng.next_u64() % 9));
                let nums: Vec<Z> = nums.iter().map(|v| v * &g).collect();
                let den = den * &g;
                let got = fhs.simplify_on_facet_homogeneous(fi, &nums, &den, &rows_f);
                assert_eq!(got, want, "net {t} facet {fi}");
                let (x, l) = fhs.simplify_facet_point_over(fi, &FacetPoint::Over(nums, den), &rows_f);
                assert_eq!(reduced(x, &l), want, "net {t} facet {fi} (over)");
                assert_eq!(dot(&fhs.a[fi], &got), fhs.b[fi]);
                let slack = fhs.scaled_slacks(&got).0;
                assert!(slack.iter().enumerate().all(|(i, v)| i == fi || v.is_positive()));
                total += 1;
                deep += usize::from(got.iter().any(|v| v.denom().bits() > 8));
                limit += usize::from(&got == p && got.iter().any(|v| v.denom().bits() > 1));
            }
        }
        assert!(total > 600 && deep > 50 && limit > 0, "{total} points, {deep} deep, {limit} at the limit");
    }

    #[test]
    fn grid_facet_points_round_as_the_reduced_ones() {
        // Facets in d = 3, 4 of random polytopes with thin slivers (deep refinement): every
        // certified float guess (a `Grid` point), and the same point with its grid refined
        // 4 bits (every r_i even: the refinement limit comes from the gcds), rounds to the
        // point simplify_on_facet_with gives for the reduced point.
        let mut rng = crate::random::SplitMix64(17);
        let (mut grids, mut deep) = (0, 0);
        for t in 0..200u32 {
            let d = 3 + (t % 2) as usize;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
            for j in 0..d {
                rows.push((unit(d, j), qi(4), Source::Domain(2 * j)));
                rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(4), Source::Domain(2 * j + 1)));
            }
            let a: Vec<Q> = (0..d).map(|_| qi(1 + rng.small_int(9).abs())).collect();
            let w = Q::new(Z::one(), Z::one() << (t % 30));
            rows.push((a.clone(), qi(1) + &w, Source::Domain(50)));
            rows.push((a.iter().map(|v| -v).collect(), qi(-1), Source::Domain(51)));
            for i in 0..(t % 4) {
                let r: Vec<Q> = (0..d).map(|_| qi(rng.small_int(20))).collect();
                rows.push((r, qi(10 + rng.small_int(5).abs()), Source::Domain(60 + i as usize)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let Interior::Point(inner) = h.interior_point(d) else { continue };
            let inner = h.simplify_interior(&inner);
            let found = h.facet_points(&inner);
            let idx: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
            let fhs = h.subset(&idx);
            let rows_f = fhs.float_rows_ab();
            for (fi, (_, p)) in found.iter().enumerate() {
                let FacetPoint::Grid { r, bits, .. } = p else { continue };
                let want = fhs.simplify_on_facet_with(fi, &p.clone().reduced(), &rows_f);
                let round = |p: &FacetPoint| {
                    let (x, l) = fhs.simplify_facet_point_over(fi, p, &rows_f);
                    reduced(x, &l)
                };
                assert_eq!(round(p), want, "net {t} facet {fi}");
                let j = Halfspaces::solve_axis(&fhs.a[fi]);
                let finer: Vec<Z> = r.iter().map(|v| v << 4).collect();
                let (x, l) = fhs.on_hyperplane(fi, j, bits + 4, finer.iter().cloned());
                let refined = FacetPoint::Grid { r: finer, bits: bits + 4, x, l };
                assert_eq!(round(&refined), want, "net {t} facet {fi} refined");
                grids += 1;
                deep += usize::from(want.iter().any(|v| v.denom().bits() > 8));
            }
        }
        assert!(grids > 300 && deep > 20, "{grids} grid points, {deep} deep");
    }

    #[test]
    fn rounding_to_a_grid_by_shifts_equals_the_division() {
        let mut rng = crate::random::SplitMix64(5);
        for t in 0..3000u64 {
            let n = Z::from(rng.small_int(1 << 40)) * (Z::one() << (t % 70) as usize) + rng.small_int(1000);
            let e = (t % 90) as usize;
            let d = if t % 3 == 0 { Z::from(1 + rng.next_u64() % 1000) << e } else { Z::one() << e };
            let bits = (rng.next_u64() % 100) as usize;
            // Halves up: floor((2·n·2^bits + d) / (2·d)).
            let want = ((&n << (bits + 1)) + &d).div_floor(&(&d * 2));
            assert_eq!(round_to_grid(&n, &d, bits), want, "{n} / {d} at {bits}");
        }
        // Exact halves round up, negative ones too.
        assert_eq!(round_to_grid(&Z::from(-3), &Z::from(2), 0), Z::from(-1));
        assert_eq!(round_to_grid(&Z::from(3), &Z::from(2), 0), Z::from(2));
        assert_eq!(round_to_grid(&Z::from(-5), &Z::from(8), 1), Z::from(-1));
    }

    #[test]
    fn filtered_dyadic_scale_equals_the_integers() {
        // Random rows (entries up to 2^40) and interior points with denominators of every
        // size (slacks from tiny to large, scales k from 0 to ~60): the float-decided scale
        // gives the same point as the integers, and it decides most cases.
        let mut rng = crate::random::SplitMix64(44);
        let (mut decided, mut total) = (0, 0);
        for t in 0..400 {
            let d = 2 + t % 3;
            let big = 1i64 << (t % 40);
            let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
            for j in 0..d {
                rows.push((unit(d, j), qi(1 + rng.small_int(5).abs()), Source::Domain(2 * j)));
                rows.push((
                    unit(d, j).iter().map(|v| -v).collect(),
                    qi(1 + rng.small_int(5).abs()),
                    Source::Domain(2 * j + 1),
                ));
            }
            for i in 0..(t % 4) {
                let a: Vec<Q> =
                    (0..d).map(|_| qi(rng.small_int(big.min(1 << 20)) * (big >> 20).max(1))).collect();
                rows.push((a, qi(big + rng.small_int(big)), Source::Domain(100 + i)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let Interior::Point(c) = h.interior_point(d) else { continue };
            // Move the point towards a facet by a random dyadic-ish factor: small slacks.
            let shrink = Q::new(Z::from(1), Z::from(1u64 << (t % 50)) + Z::from(rng.next_u64() % 7));
            let towards: Vec<Q> =
                (0..d).map(|j| if j == 0 { Q::one() - &shrink } else { Q::zero() }).collect();
            let lim =
                (0..d).map(|j| if j == 0 { &c[0] + (Q::one() - &c[0]) * &towards[0] } else { c[j].clone() });
            let p: Vec<Q> = lim.collect();
            for point in [c, p] {
                if !h.slacks(&point).iter().all(|s| s.is_positive()) {
                    continue;
                }
                total += 1;
                let (xs, den) = common_denominator(&point);
                decided += usize::from(h.dyadic_scale_filtered(&xs, &den).is_some());
                let exact = h.simplify_interior_exact(&point);
                assert_eq!(h.simplify_interior(&point), exact, "{:?} {point:?}", h.a);
                // The same point over a larger, unreduced denominator.
                let m = Z::from(3 + rng.next_u64() % 1000);
                let scaled: Vec<Z> = xs.iter().map(|x| x * &m).collect();
                assert_eq!(h.simplify_interior_homogeneous(&scaled, &(&den * &m)), exact, "{point:?} x{m}");
            }
        }
        assert!(total > 300 && decided * 10 > total * 8, "{decided} of {total} decided");
        // Slacks just beside a power of two (1/rho = 2^j·(1 ± 2^-40)): where floats cannot
        // tell the bucket, the integers must.
        let Grouped::Rows(h) = group_rows(
            (0..2)
                .flat_map(|j| {
                    [
                        (unit(2, j), qi(1), Source::Domain(2 * j)),
                        (unit(2, j).iter().map(|v| -v).collect::<Vec<Q>>(), qi(1), Source::Domain(2 * j + 1)),
                    ]
                })
                .collect::<Vec<(Vec<Q>, Q, Source)>>(),
        ) else {
            panic!("a box")
        };
        for j in 1..50usize {
            for side in [-1i64, 1] {
                let eps = Q::new(Z::from(1), Z::from(1) << 40usize) * Q::from_integer(Z::from(side));
                let slack = Q::new(Z::from(1), Z::from(1) << j) * (Q::one() + eps);
                let point = vec![Q::one() - slack, Q::zero()];
                assert_eq!(
                    h.simplify_interior(&point),
                    h.simplify_interior_exact(&point),
                    "j {j} side {side}"
                );
            }
        }
    }

    #[test]
    fn centres_are_the_optimal_centres_nearest_the_origin() {
        // Boxes with uneven sides (long in some direction: many L-inf centres), cut by random
        // rows, and a few random rows alone (often unbounded): the reported L-inf and L2
        // centres and the unit-cube centre are optimal and equal the nearest point of the
        // optimal set computed by the exact active-set method (no float guess).
        let mut rng = crate::random::SplitMix64(91);
        let (mut several, mut unit_cubes) = (0, 0);
        for t in 0..200 {
            let d = 2 + t % 3;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
            if t % 4 != 3 {
                for j in 0..d {
                    let half = 1 + rng.small_int(3).abs() * (1 + (j % 2) as i64);
                    rows.push((unit(d, j), qi(half + t as i64 % 3), Source::Domain(2 * j)));
                    rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(half), Source::Domain(2 * j + 1)));
                }
            }
            for i in 0..(1 + t % 4) {
                let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
                rows.push((a, qi(2 + rng.small_int(2).abs()), Source::Domain(100 + i)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            if !matches!(h.interior_point(d), Interior::Point(_)) {
                continue;
            }
            let exact_nearest = |w: &[Q], r: &Q| {
                let (rows, hn): (Vec<Vec<Z>>, Vec<Q>) =
                    h.a.iter()
                        .zip(&h.b)
                        .zip(w)
                        .map(|((a, b), wi)| (a.iter().map(|v| v.numer().clone()).collect(), b - wi * r))
                        .collect();
                let (hn, l) = common_denominator(&hn);
                crate::nearest::nearest_exact(d, &rows, &hn, &l).expect("the optimal set is not empty")
            };
            let l1: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
            // Balls of every size fit exactly when cubes of every size do (the walk skips
            // the L2 LP when the L-inf one is unbounded).
            let l2 = h.l2_insphere(d, 6);
            assert_eq!(
                matches!(l2, Insphere::Unbounded),
                matches!(h.linf_insphere(d), LinfInsphere::Unbounded),
                "{:?}",
                h.a
            );
            match h.linf_insphere(d) {
                LinfInsphere::Finite { center, radius } => {
                    let best = h.max_radius_exact(d, &l1).expect("finite").1;
                    assert_eq!(radius, best);
                    assert_eq!(center, exact_nearest(&l1, &radius), "{:?}", h.a);
                    several += usize::from(h.max_radius_guided(d, &l1).is_none());
                }
                LinfInsphere::Unbounded => {
                    let c = h.unit_cube_center(d).expect("cubes of radius 1 fit");
                    assert_eq!(c, exact_nearest(&l1, &Q::one()), "{:?}", h.a);
                    assert!(h.slacks(&c).iter().zip(&l1).all(|(s, n)| s >= n));
                    unit_cubes += 1;
                }
            }
            if let Insphere::Finite { center, radius_lower, .. } = l2 {
                let bits = (6f64 * std::f64::consts::LOG2_10).ceil() as u32 + 8;
                let hi: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), bits).1).collect();
                if h.l2_bounds(d, bits).is_some_and(|(_, lower, _)| lower == radius_lower) {
                    assert_eq!(center, exact_nearest(&hi, &radius_lower), "{:?}", h.a);
                }
            }
        }
        assert!(several > 30 && unit_cubes > 20, "{several} with several centres, {unit_cubes} unit cubes");
    }

    #[test]
    fn guided_radius_lp_equals_the_exact_simplex_when_it_answers() {
        // Random polytopes (boxes with cut corners: rectangles have non-unique centres) in
        // 2-4 dimensions, both norms: a guided answer must be the simplex's, exactly.
        let mut rng = crate::random::SplitMix64(77);
        let (mut guided, mut declined) = (0, 0);
        let (mut values, mut values_not_unique, mut rejected) = (0, 0, 0);
        for t in 0..240 {
            let d = 2 + t % 3;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
            for j in 0..d {
                let half = 1 + rng.small_int(3).abs() * (1 + (t % 2) as i64);
                rows.push((unit(d, j), qi(half), Source::Domain(2 * j)));
                rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(half), Source::Domain(2 * j + 1)));
            }
            for i in 0..(t % 5) {
                let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
                rows.push((a, qi(1 + rng.small_int(2).abs()), Source::Domain(100 + i)));
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            if !matches!(h.interior_point(d), Interior::Point(_)) {
                continue;
            }
            let l1: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
            let l2: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), 40).1).collect();
            for w in [l1, l2] {
                let (a, b) = h.weighted_rows(d, &w);
                let exact = match maximize(&unit(d + 1, d), &a, &b) {
                    LpOutcome::Optimal { mut x, value, .. } => {
                        x.truncate(d);
                        (x, value)
                    }
                    o => panic!("{o:?}"),
                };
                match h.max_radius_guided(d, &w) {
                    Some(g) => {
                        assert_eq!(g, exact, "{:?}", h.a);
                        guided += 1;
                    }
                    None => declined += 1,
                }
                // Without the centre, zero multipliers are accepted: the value is the
                // optimum's, also where the centre is not unique.
                if let FloatLp::Vertex(basis) = h.radius_guess(d, &w)
                    && let Some((centre, r)) = h.certify_radius(d, &w, &basis, false)
                {
                    assert!(centre.is_empty());
                    assert_eq!(r, exact.1, "{:?}", h.a);
                    values += 1;
                    values_not_unique += usize::from(h.max_radius_guided(d, &w).is_none());
                }
                // Any other d + 1 rows: certified only if they give the optimum too.
                for _ in 0..4 {
                    let mut basis: Vec<usize> = (0..h.len()).collect();
                    for i in (1..basis.len()).rev() {
                        basis.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
                    }
                    basis.truncate(d + 1);
                    match h.certify_radius(d, &w, &basis, false) {
                        Some((_, r)) => assert_eq!(r, exact.1, "{:?} {basis:?}", h.a),
                        None => rejected += 1,
                    }
                }
            }
        }
        assert!(guided > 100 && declined > 20, "{guided} guided, {declined} declined");
        assert!(values > guided && values_not_unique > 20, "{values} values, {values_not_unique} not unique");
        assert!(rejected > 500, "{rejected} random bases rejected");
    }

    #[test]
    fn small_determinants_agree_with_bareiss() {
        // Orders 1-5 take the cofactor formulas; compare with the elimination (also on an
        // order n + 1 block with a unit diagonal entry: the same determinant as its minor).
        let mut rng = crate::random::SplitMix64(5);
        for t in 0..500 {
            let n = 1 + t % 5;
            let m: Vec<Vec<Z>> =
                (0..n).map(|_| (0..n).map(|_| Z::from(rng.small_int(50)) << (t % 90)).collect()).collect();
            let mut big = vec![vec![Z::zero(); n + 1]; n + 1];
            big[0][0] = Z::one();
            for i in 0..n {
                for j in 0..n {
                    big[i + 1][j + 1] = m[i][j].clone();
                }
            }
            // Hide the unit entry behind a row swap so elimination must pivot.
            big.swap(0, n);
            let sign = -1; // one row swap
            let d = det_int(m.clone());
            assert_eq!(det_bareiss(m.clone()), d, "{m:?}");
            if n >= 3 {
                assert_eq!(det_int(big.clone()) * sign, d, "{m:?}");
                assert_eq!(det_bareiss(big) * sign, d, "{m:?}");
            }
            let q: Vec<Vec<Q>> = m.iter().map(|r| r.iter().cloned().map(Q::from_integer).collect()).collect();
            assert_eq!(d.is_zero(), rank(&q) < n, "{m:?}");
        }
        assert_eq!(det_int(vec![vec![Z::from(2), Z::from(3)], vec![Z::from(5), Z::from(7)]]), Z::from(-1));
        let m =
            |v: &[&[i64]]| v.iter().map(|r| r.iter().map(|&x| Z::from(x)).collect()).collect::<Vec<Vec<Z>>>();
        assert_eq!(det_int(m(&[&[2, 1], &[1, 3]])), Z::from(5));
        assert_eq!(det_int(m(&[&[0, 1, 0], &[1, 0, 0], &[0, 0, 4]])), Z::from(-4));
        assert_eq!(det_int(m(&[&[1, 2], &[2, 4]])), Z::zero());
        assert_eq!(det_int(vec![]), Z::one());
    }

    #[test]
    fn shared_minors_agree_with_each_minor_by_elimination() {
        // Orders 1-9 (9: past the masks, minor by minor), random and rank-deficient
        // matrices, entries below and above 64 bits and near i64::MAX (256-bit overflow),
        // minors asked in a scrambled order so the memo is filled both ways.
        let mut rng = crate::random::SplitMix64(11);
        for trial in 0..120 {
            let n = 1 + trial % 9;
            let mut m: Vec<Vec<Z>> =
                (0..n).map(|_| (0..n).map(|_| Z::from(rng.small_int(9)) << (trial % 70)).collect()).collect();
            if trial % 3 == 0 && n >= 3 {
                m[1] = m[0].iter().map(|v| v * 2).collect(); // rank deficient
            }
            if trial % 4 == 1 {
                m[0][n - 1] = Z::zero(); // a zero the expansion skips
            }
            if trial % 5 == 2 {
                // Entries near i64::MAX: the 256-bit path overflows from order 5 and the
                // matrix goes back to BigInt midway.
                for row in m.iter_mut() {
                    for v in row.iter_mut() {
                        *v = Z::from(i64::MAX - rng.small_int(1000).abs())
                            * if rng.small_int(1) < 0 { -1 } else { 1 };
                    }
                }
            }
            let mut minors = Minors::new(&m);
            let mut order: Vec<(usize, usize)> = (0..n).flat_map(|t| (0..n).map(move |c| (t, c))).collect();
            order.reverse();
            order.rotate_left(trial % (n * n));
            for (t, c) in order {
                let sub: Vec<Vec<Z>> = (0..n)
                    .filter(|&i| i != t)
                    .map(|i| (0..n).filter(|&j| j != c).map(|j| m[i][j].clone()).collect())
                    .collect();
                let expected = if n == 1 { Z::one() } else { det_bareiss(sub) };
                assert_eq!(minors.get(t, c), expected, "n {n} t {t} c {c} {m:?}");
            }
        }
    }

    #[test]
    fn guided_bounds_equal_the_simplex_bounds() {
        // Few random rows (often unbounded in some directions) and boxes with cuts: the
        // certified float vertices and rays give exactly the simplex's bounds.
        let mut rng = crate::random::SplitMix64(33);
        let (mut rays, mut finite) = (0, 0);
        for t in 0..200 {
            let d = 2 + t % 3;
            let mut rows: Vec<(Vec<Q>, Q, Source)> = (0..1 + t % (2 * d))
                .map(|i| {
                    (
                        (0..d).map(|_| qi(rng.small_int(4))).collect(),
                        qi(1 + rng.small_int(3).abs()),
                        Source::Domain(i),
                    )
                })
                .collect();
            if t % 3 == 0 {
                for j in 0..d {
                    rows.push((unit(d, j), qi(2), Source::Domain(50 + j)));
                    rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(3), Source::Domain(60 + j)));
                }
            }
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let Interior::Point(c) = h.interior_point(d) else { continue };
            let inner_f: Vec<f64> = c.iter().map(filter::guess).collect();
            let (lo, hi) = h.bounds_guided(d, &inner_f);
            assert_eq!((lo.clone(), hi.clone()), h.bounds(d), "{:?}", h.a);
            // A ray is never certified where the LP is bounded, whatever the active rows.
            let rows = h.int_rows();
            for j in 0..d {
                for (sign, value) in [(1i64, &hi[j]), (-1, &lo[j])] {
                    if value.is_some() {
                        let c: Vec<Z> = (0..d).map(|t| Z::from(if t == j { sign } else { 0 })).collect();
                        let w: Vec<usize> =
                            (0..h.len()).filter(|_| rng.next_u64() % 3 == 0).take(d - 1).collect();
                        assert!(exact_ray(&rows, &[], &c).is_none() && exact_ray(&rows, &w, &c).is_none());
                    }
                }
            }
            rays += lo.iter().chain(&hi).filter(|v| v.is_none()).count();
            finite += lo.iter().chain(&hi).filter(|v| v.is_some()).count();
        }
        assert!(rays > 100 && finite > 100, "{rays} unbounded, {finite} finite");
    }

    #[test]
    fn unbounded_radius_certificates_are_exact() {
        // Few random rows (often an unbounded radius LP): a certified float ray must mean
        // the exact simplex finds the LP unbounded; random rays never certify a bounded LP.
        let mut rng = crate::random::SplitMix64(91);
        let (mut certified, mut bounded_checked) = (0, 0);
        for t in 0..300 {
            let d = 2 + t % 3;
            let rows: Vec<(Vec<Q>, Q, Source)> = (0..1 + t % (d + 2))
                .map(|i| {
                    (
                        (0..d).map(|_| qi(rng.small_int(4))).collect(),
                        qi(1 + rng.small_int(3).abs()),
                        Source::Domain(i),
                    )
                })
                .collect();
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let l2: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), 40).1).collect();
            let (a, b) = h.weighted_rows(d, &l2);
            let exact = maximize(&unit(d + 1, d), &a, &b);
            if let FloatLp::Ray(p, _) = h.radius_guess(d, &l2)
                && h.certify_unbounded_radius(&p)
            {
                assert_eq!(exact, LpOutcome::Unbounded, "{:?}", h.a);
                certified += 1;
            }
            if exact != LpOutcome::Unbounded {
                for _ in 0..20 {
                    let p: Vec<f64> = (0..=d).map(|_| rng.normal()).collect();
                    assert!(!h.certify_unbounded_radius(&p), "{:?} {p:?}", h.a);
                    bounded_checked += 1;
                }
            }
        }
        assert!(certified > 60 && bounded_checked > 500, "{certified} certified, {bounded_checked} checked");
    }

    #[test]
    fn boundedness_agrees_with_one_lp_per_direction() {
        // Oracle: maximise ±y_j over {A y <= 0, |y_j| <= 1}; bounded iff every optimum is 0.
        let oracle = |h: &Halfspaces, d: usize| {
            let mut a = h.a.clone();
            let mut b = vec![Q::zero(); h.len()];
            for j in 0..d {
                a.push(unit(d, j));
                a.push(unit(d, j).iter().map(|v| -v).collect());
                b.extend([Q::one(), Q::one()]);
            }
            (0..d).all(|j| {
                [1, -1].iter().all(|&s| {
                    let mut c = vec![Q::zero(); d];
                    c[j] = qi(s);
                    !maximize(&c, &a, &b).value().expect("bounded LP").is_positive()
                })
            })
        };
        let mut rng = crate::random::SplitMix64(4);
        let (mut bounded, mut unbounded, mut told_count) = (0, 0, 0);
        for t in 0..300 {
            let d = 2 + t % 2;
            let m = 1 + (t % 7);
            let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
                .map(|i| ((0..d).map(|_| qi(rng.small_int(2))).collect(), qi(1), Source::Domain(i)))
                .collect();
            let Grouped::Rows(h) = group_rows(rows) else { continue };
            let want = oracle(&h, d);
            assert_eq!(h.is_bounded(d), want, "{:?}", h.a);
            // What the L-inf insphere tells (when it tells) agrees too.
            if let (_, Some(told)) = h.linf_insphere_bounded(d) {
                assert_eq!(told, want, "{:?}", h.a);
                told_count += 1;
            }
            if want { bounded += 1 } else { unbounded += 1 }
        }
        assert!(bounded > 20 && unbounded > 20, "{bounded} bounded, {unbounded} unbounded");
        assert!(told_count > 100, "{told_count} told");
        assert_eq!(rank(&[vec![qi(1), qi(2)], vec![qi(2), qi(4)]]), 1);
        assert_eq!(rank(&[vec![qi(0), qi(0)], vec![qi(0), qi(3)], vec![qi(1), qi(0)]]), 2);
    }

    #[test]
    fn interior_outcomes() {
        let flat = hs(&[(&[1, 0], 0), (&[-1, 0], 0), (&[0, 1], 1), (&[0, -1], 1)]);
        assert_eq!(flat.interior_point(2), Interior::LowerDimensional);
        let empty = hs(&[(&[1, 0], -1), (&[-1, 0], -1)]);
        assert_eq!(empty.interior_point(2), Interior::Empty);
        assert!(matches!(group_rows([(vec![qi(0)], qi(-1), Source::Domain(0))]), Grouped::Empty));
    }

    #[test]
    fn unbounded_regions() {
        let wedge = hs(&[(&[-1, 0], 0), (&[0, -1], 0)]);
        assert!(!wedge.is_bounded(2));
        assert_eq!(wedge.l2_insphere(2, 30), Insphere::Unbounded);
        assert_eq!(wedge.linf_insphere(2), LinfInsphere::Unbounded);
        let strip = hs(&[(&[1, 0], 1), (&[-1, 0], 1)]);
        assert!(!strip.is_bounded(2));
        assert!(matches!(strip.linf_insphere(2), LinfInsphere::Finite { .. }));
        let Interior::Point(c) = strip.interior_point(2) else { panic!() };
        assert_eq!(strip.facets(&c).len(), 2);
    }
}
