//! Float proposals for the exact LPs (an active set, a vertex, a ray, the first rows a ray
//! meets) and their exact certification: a proposal is used only once checked exactly.

use crate::arith::filter::{self, Approx};
use crate::arith::minors::*;
use crate::arith::num::Z;
use num_traits::{One, Signed, Zero};

/// The rows of `rows_f` (the integer rows as `f64`) that may be met first by the ray `inner + t·dz` (a superset of the true
/// first hits): float bounds `lo_j <= t_j = S_j / (a_j·D) <= hi_j` (`filter`) discard
/// every row with `lo_j` above the smallest `hi`; rows whose rate sign floats cannot
/// decide stay in. The exact ratio test then runs on the few left.
pub(crate) fn first_hit_candidates(slack_f: &[Approx], rows_f: &[Vec<f64>], dz: &[Z]) -> Vec<usize> {
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
pub(crate) enum Guess {
    Redundant,
    Beyond((Vec<Z>, Z)),
}

/// A primal active-set method for `max c·x` s.t. `a_i·x <= b_i` in floats, from a strictly
/// feasible `x`: returns `d` rows tight at a vertex where `c` is a non-negative combination
/// of their normals, or `None` (unbounded, degenerate stall, ill-conditioned). Only a guess:
/// every use is certified exactly.
pub(crate) fn float_active_set(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> Option<Vec<usize>> {
    match float_lp(a, b, c, x0) {
        FloatLp::Vertex(w) => Some(w),
        _ => None,
    }
}

/// What the float active-set method found (guesses only).
pub(crate) enum FloatLp {
    /// `d` rows tight at an optimal vertex.
    Vertex(Vec<usize>),
    /// A direction along which the objective grows and no row blocks, and the rows active
    /// when it was found (the direction is the objective projected on their null space).
    Ray(Vec<f64>, Vec<usize>),
    /// An optimal point where fewer than `d` rows (those given) are tight. With `d - 1` rows
    /// the objective's projection on their null space is below the method's tolerance but
    /// may not be zero: the row that blocks a step along it, if any, is given too (with the
    /// tight rows, a vertex to certify when the face itself is not optimal).
    Face(Vec<usize>, Option<usize>),
    /// The point asked for was reached ([`float_lp_rows`] with a goal), with these rows tight.
    Reached(Vec<usize>),
    Fail,
}

/// [`float_active_set`], also reporting an improving direction no row blocks.
pub(crate) fn float_lp(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> FloatLp {
    float_lp_point(a, b, c, x0).0
}

/// [`float_lp`] and the last point it reached (the optimum for `Vertex` and `Face`).
pub(crate) fn float_lp_point(a: &[Vec<f64>], b: &[f64], c: &[f64], x0: &[f64]) -> (FloatLp, Vec<f64>) {
    float_lp_rows(&SparseRows::new(a), b, c, x0, None, None)
}

/// Float rows with the positions of their nonzero entries where they are few (the box's
/// rows are unit vectors): products with them touch only those entries. Built once for
/// many LPs over the same rows.
pub(crate) struct SparseRows<'a> {
    pub(crate) a: &'a [Vec<f64>],
    nz: Vec<Option<Vec<u32>>>,
    /// `||a_i||_1` (the scale of the ratio test's threshold).
    norm1: Vec<f64>,
}

impl<'a> SparseRows<'a> {
    /// A row is kept sparse when at most a quarter of its entries are nonzero.
    pub(crate) fn new(a: &'a [Vec<f64>]) -> Self {
        let nz = a
            .iter()
            .map(|row| {
                let idx: Vec<u32> = (0..row.len()).filter(|&j| row[j] != 0.0).map(|j| j as u32).collect();
                (4 * idx.len() <= row.len()).then_some(idx)
            })
            .collect();
        let norm1 = a.iter().map(|ai| ai.iter().map(|v| v.abs()).sum::<f64>()).collect();
        SparseRows { a, nz, norm1 }
    }

    /// `a_i·v`.
    #[inline]
    pub(crate) fn dot(&self, i: usize, v: &[f64]) -> f64 {
        let row = &self.a[i];
        match &self.nz[i] {
            Some(idx) => idx.iter().map(|&j| row[j as usize] * v[j as usize]).sum(),
            None => super::fdot(row, v),
        }
    }

    /// `a_i·a_k`.
    pub(crate) fn dot_rows(&self, i: usize, k: usize) -> f64 {
        if self.nz[i].is_none() { self.dot(k, &self.a[i]) } else { self.dot(i, &self.a[k]) }
    }
}

/// Columns of the Gram matrix `A Aᵀ` of [`SparseRows`], for many LPs whose objective is one
/// of the rows: the active-set method's direction is then `p = a_k - Σ μ_j a_{w_j}` (`μ` the
/// multipliers of the active rows), so its rates `A p` are `G_k - Σ μ_j G_{w_j}`, `O(m k)` a
/// step instead of `O(m d)` (`m` rows, `k` active, `d` dimensions). A dense row's column is
/// kept once computed; a sparse row's is formed when needed from its few entries and the
/// matching columns of `A` (kept transposed, so each is contiguous).
pub(crate) struct GramColumns {
    dense: Vec<Option<Vec<f64>>>,
    /// `A`'s columns (`d` of length `m`), for the sparse rows' Gram columns.
    transposed: Vec<Vec<f64>>,
}

impl GramColumns {
    pub(crate) fn new(rows: &SparseRows) -> Self {
        let d = rows.a.first().map_or(0, Vec::len);
        let mut transposed = vec![vec![0.0; rows.a.len()]; d];
        for (i, row) in rows.a.iter().enumerate() {
            for (col, &v) in transposed.iter_mut().zip(row) {
                col[i] = v;
            }
        }
        GramColumns { dense: vec![None; rows.a.len()], transposed }
    }

    /// Computes row `w`'s column if it is dense and not kept yet.
    fn ensure(&mut self, rows: &SparseRows, w: usize) {
        if rows.nz[w].is_none() && self.dense[w].is_none() {
            self.dense[w] = Some((0..rows.a.len()).map(|i| rows.dot_rows(i, w)).collect());
        }
    }

    /// `G(i, w) = a_i·a_w` (after [`Self::ensure`] for `w`).
    pub(crate) fn entry(&mut self, rows: &SparseRows, i: usize, w: usize) -> f64 {
        self.ensure(rows, w);
        match &self.dense[w] {
            Some(col) => col[i],
            None => rows.dot_rows(i, w),
        }
    }

    /// `out += s · G_w` (after [`Self::ensure`] for `w`).
    fn add_column(&self, rows: &SparseRows, w: usize, s: f64, out: &mut [f64]) {
        match (&self.dense[w], &rows.nz[w]) {
            (Some(col), _) => out.iter_mut().zip(col).for_each(|(o, g)| *o += s * g),
            (None, Some(idx)) => {
                // G(i, w) = Σ_j a_w[j] a_i[j] over w's nonzeros, summed as `dot_rows` sums.
                let aw = &rows.a[w];
                match idx.as_slice() {
                    [j] => {
                        let (v, col) = (aw[*j as usize], &self.transposed[*j as usize]);
                        out.iter_mut().zip(col).for_each(|(o, a)| *o += s * (v * a));
                    }
                    _ => {
                        for (i, o) in out.iter_mut().enumerate() {
                            let g: f64 =
                                idx.iter().map(|&j| aw[j as usize] * self.transposed[j as usize][i]).sum();
                            *o += s * g;
                        }
                    }
                }
            }
            (None, None) => unreachable!("a dense column is computed before use"),
        }
    }
}

/// The objective of [`float_lp_rows_gram`]: row `k`, with the Gram columns, and the slacks
/// at the start point (the same for many LPs over the same rows from the same point).
pub(crate) struct RowObjective<'g> {
    pub(crate) k: usize,
    pub(crate) gram: &'g mut GramColumns,
    pub(crate) slack: Vec<f64>,
}

/// The active-set method of [`float_lp`] on [`SparseRows`]. With `reach`, it also stops
/// (with [`FloatLp::Reached`]) at the first point where `c·x >= reach`; with `max_steps`,
/// it fails after that many steps (else after `4(m + d)`).
///
/// The projection of `c` on the null space of the active rows is kept by an orthogonal
/// factorization `A_Wᵀ = Q R` updated as rows enter (Gram-Schmidt, twice) and leave (Givens
/// rotations): `O(k d)` per step instead of forming and solving the normal equations
/// (`O(k² d)`). The slacks are updated along each step; the ratio test costs one product
/// per row, over the nonzero entries of sparse rows.
pub(crate) fn float_lp_rows(
    rows: &SparseRows,
    b: &[f64],
    c: &[f64],
    x0: &[f64],
    reach: Option<f64>,
    max_steps: Option<usize>,
) -> (FloatLp, Vec<f64>) {
    active_set(rows, b, c, x0, reach, max_steps, None)
}

/// [`float_lp_rows`] for `max a_k·x` (`c` is row `k` of `rows`), its rates from the Gram
/// columns ([`GramColumns`]) and its start slacks given.
pub(crate) fn float_lp_rows_gram(
    rows: &SparseRows,
    b: &[f64],
    objective: RowObjective,
    x0: &[f64],
    reach: Option<f64>,
    max_steps: Option<usize>,
) -> (FloatLp, Vec<f64>) {
    active_set(rows, b, &rows.a[objective.k], x0, reach, max_steps, Some(objective))
}

fn active_set(
    rows: &SparseRows,
    b: &[f64],
    c: &[f64],
    x0: &[f64],
    reach: Option<f64>,
    max_steps: Option<usize>,
    mut objective: Option<RowObjective>,
) -> (FloatLp, Vec<f64>) {
    let a = rows.a;
    let d = c.len();
    let mut x = x0.to_vec();
    let mut w: Vec<usize> = Vec::with_capacity(d + 1);
    let mut active = vec![false; a.len()];
    let norm1 = &rows.norm1;
    let scale = c.iter().map(|v| v.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut slack: Vec<f64> = match objective.as_mut() {
        Some(o) => {
            o.gram.ensure(rows, o.k);
            std::mem::take(&mut o.slack)
        }
        None => (0..a.len()).map(|i| b[i] - rows.dot(i, &x)).collect(),
    };
    let mut rates = vec![0.0; a.len()];
    let mut qr = Qr::new(c);
    let mut cx: f64 = c.iter().zip(&x).map(|(u, v)| u * v).sum();
    for _ in 0..max_steps.unwrap_or(4 * a.len() + 4 * d) {
        let p = &qr.p;
        let pn = p.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if !pn.is_finite() {
            return (FloatLp::Fail, x);
        }
        if pn <= 1e-9 * scale {
            let lambda = qr.multipliers();
            let Some((i, &min)) = lambda.iter().enumerate().min_by(|x, y| x.1.total_cmp(y.1)) else {
                return (FloatLp::Fail, x);
            };
            if !lambda.iter().all(|v| v.is_finite()) {
                return (FloatLp::Fail, x);
            }
            if min >= -1e-12 * scale {
                if w.len() == d {
                    return (FloatLp::Vertex(w), x);
                }
                let exit =
                    if w.len() + 1 == d && pn > 0.0 { blocking_row(rows, &slack, &active, p) } else { None };
                return (FloatLp::Face(w, exit), x);
            }
            active[w.remove(i)] = false;
            qr.remove(i);
            continue;
        }
        if w.len() >= d {
            return (FloatLp::Fail, x);
        }
        // Ratio test along p.
        if let Some(o) = objective.as_ref() {
            // p = a_k - Σ μ_j a_{w_j}: the rates from the Gram columns.
            rates.fill(0.0);
            o.gram.add_column(rows, o.k, 1.0, &mut rates);
            for (&wj, mu) in w.iter().zip(qr.multipliers()) {
                o.gram.add_column(rows, wj, -mu, &mut rates);
            }
        }
        let mut best: Option<(f64, usize)> = None;
        for i in 0..a.len() {
            if active[i] {
                continue;
            }
            let rate = if objective.is_some() { rates[i] } else { rows.dot(i, p) };
            rates[i] = rate;
            if rate <= 1e-12 * norm1[i] * pn {
                continue;
            }
            let t = slack[i].max(0.0) / rate;
            if best.is_none_or(|(bt, _)| t < bt) {
                best = Some((t, i));
            }
        }
        let cp: f64 = p.iter().map(|v| v * v).sum();
        if let Some(target) = reach {
            let t_goal = (target - cx) / cp;
            if best.is_none_or(|(t, _)| t >= t_goal) {
                // The goal is met on this step: stop at the blocking row (further along),
                // or at the goal when no row blocks (or it was met before the step).
                let t = if t_goal <= 0.0 { 0.0 } else { best.map_or(t_goal, |(t, _)| t) };
                for (xj, pj) in x.iter_mut().zip(p) {
                    *xj += t * pj;
                }
                return (FloatLp::Reached(w), x);
            }
        }
        let Some((t, i)) = best else { return (FloatLp::Ray(qr.p, w), x) };
        for (xj, pj) in x.iter_mut().zip(p) {
            *xj += t * pj;
        }
        cx += t * cp;
        for j in 0..a.len() {
            if !active[j] {
                slack[j] -= t * rates[j];
            }
        }
        slack[i] = 0.0;
        if !qr.push(&a[i]) {
            return (FloatLp::Fail, x);
        }
        if let Some(o) = objective.as_mut() {
            o.gram.ensure(rows, i);
        }
        w.push(i);
        active[i] = true;
    }
    (FloatLp::Fail, x)
}

/// The inactive row met first along the direction `p` (any length) from the point with
/// these slacks, if one is.
fn blocking_row(rows: &SparseRows, slack: &[f64], active: &[bool], p: &[f64]) -> Option<usize> {
    let pn = p.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let unit: Vec<f64> = p.iter().map(|v| v / pn).collect();
    let mut best: Option<(f64, usize)> = None;
    for i in (0..rows.a.len()).filter(|&i| !active[i]) {
        let rate = rows.dot(i, &unit);
        if !(rate > 1e-12 * rows.norm1[i]) {
            continue;
        }
        let t = slack[i].max(0.0) / rate;
        if best.is_none_or(|(bt, _)| t < bt) {
            best = Some((t, i));
        }
    }
    best.map(|(_, i)| i)
}

/// Two passes of modified Gram-Schmidt: `v` made orthogonal to each of `q` in turn, the
/// coefficients added to `col`. On x86-64 with AVX the same code runs on 256-bit registers
/// (the same sums in the same order: the same bits).
fn orthogonalize(q: &[Vec<f64>], v: &mut [f64], col: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the processor has AVX (checked just above).
        return unsafe { orthogonalize_avx(q, v, col) };
    }
    orthogonalize_passes(q, v, col)
}

/// [`orthogonalize`] compiled for AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn orthogonalize_avx(q: &[Vec<f64>], v: &mut [f64], col: &mut [f64]) {
    orthogonalize_passes(q, v, col)
}

/// The body of [`orthogonalize`].
#[inline(always)]
fn orthogonalize_passes(q: &[Vec<f64>], v: &mut [f64], col: &mut [f64]) {
    for _ in 0..2 {
        for (t, q) in q.iter().enumerate() {
            let s: f64 = super::fdot(q, v);
            col[t] += s;
            for (vj, qj) in v.iter_mut().zip(q) {
                *vj -= s * qj;
            }
        }
    }
}

/// `A_Wᵀ = Q R` for the active rows `W` (in order), `Qᵀc` and the residual
/// `p = c - Q Qᵀ c`: the projection of `c` on the null space of the active rows.
struct Qr<'c> {
    c: &'c [f64],
    /// The orthonormal columns of `Q`.
    q: Vec<Vec<f64>>,
    /// The columns of the upper triangular `R` (`k` entries each; below the diagonal 0).
    r: Vec<Vec<f64>>,
    qc: Vec<f64>,
    p: Vec<f64>,
}

impl<'c> Qr<'c> {
    fn new(c: &'c [f64]) -> Self {
        Qr { c, q: Vec::new(), r: Vec::new(), qc: Vec::new(), p: c.to_vec() }
    }

    /// Appends row `a`; `false` if it is (numerically) dependent on the active rows.
    fn push(&mut self, a: &[f64]) -> bool {
        let k = self.q.len();
        let mut v = a.to_vec();
        let mut col = vec![0.0; k + 1];
        orthogonalize(&self.q, &mut v, &mut col);
        let norm_a = a.iter().map(|u| u * u).sum::<f64>().sqrt();
        let nv = v.iter().map(|u| u * u).sum::<f64>().sqrt();
        if !(nv.is_finite() && nv > 1e-13 * norm_a) {
            return false;
        }
        v.iter_mut().for_each(|u| *u /= nv);
        col[k] = nv;
        for column in &mut self.r {
            column.push(0.0);
        }
        self.r.push(col);
        let qc: f64 = v.iter().zip(self.c).map(|(u, w)| u * w).sum();
        for (pj, vj) in self.p.iter_mut().zip(&v) {
            *pj -= qc * vj;
        }
        self.qc.push(qc);
        self.q.push(v);
        true
    }

    /// Drops the `i`-th active row: its column of `R` goes, Givens rotations make `R`
    /// triangular again (rotating `Q` alike), and the last column of `Q` leaves.
    fn remove(&mut self, i: usize) {
        self.r.remove(i);
        let k = self.q.len();
        for t in i..k - 1 {
            let (f, g) = (self.r[t][t], self.r[t][t + 1]);
            let h = f.hypot(g);
            if h == 0.0 {
                continue;
            }
            let (cs, sn) = (f / h, g / h);
            for col in &mut self.r[t..] {
                let (x, y) = (col[t], col[t + 1]);
                col[t] = cs * x + sn * y;
                col[t + 1] = cs * y - sn * x;
            }
            let (lo, hi) = self.q.split_at_mut(t + 1);
            for (x, y) in lo[t].iter_mut().zip(hi[0].iter_mut()) {
                let (u, v) = (*x, *y);
                *x = cs * u + sn * v;
                *y = cs * v - sn * u;
            }
        }
        self.q.pop();
        for col in &mut self.r {
            col.pop();
        }
        // Qᵀc and the residual afresh (no drift from the rotations).
        self.qc = self.q.iter().map(|q| q.iter().zip(self.c).map(|(u, v)| u * v).sum()).collect();
        self.p.copy_from_slice(self.c);
        for (q, &s) in self.q.iter().zip(&self.qc) {
            for (pj, qj) in self.p.iter_mut().zip(q) {
                *pj -= s * qj;
            }
        }
    }

    /// The multipliers `λ` with `A_Wᵀ λ = Q Qᵀ c`: `R λ = Qᵀ c` by back-substitution.
    fn multipliers(&self) -> Vec<f64> {
        let k = self.q.len();
        let mut lambda = vec![0.0; k];
        for t in (0..k).rev() {
            let s: f64 = (t + 1..k).map(|u| self.r[u][t] * lambda[u]).sum();
            lambda[t] = (self.qc[t] - s) / self.r[t][t];
        }
        lambda
    }
}

/// The exact check of a float LP guess for `max c·x` s.t. `a_i·x <= b_i` (integer rows):
/// the vertex `X / D` (`D > 0`) where the rows `basis` are tight, if it satisfies every row
/// and `c = Σ y_i a_i` over the basis with every `y_i >= 0` (`> 0` when `strict`). Then the
/// vertex is optimal (weak duality), and with `strict` the only optimum. By Cramer's rule:
/// `X_j` replaces column `j` of `A_B` by `b_B`, `y_i ∝` `A_B` with row `i` replaced by `c`.
pub(crate) fn certified_vertex(
    rows: &[(Vec<Z>, Z)],
    basis: &[usize],
    c: &[Z],
    strict: bool,
) -> Option<(Vec<Z>, Z)> {
    let n = c.len();
    if basis.len() != n {
        return None;
    }
    let mw: Vec<Vec<Z>> = basis.iter().map(|&i| rows[i].0.clone()).collect();
    if n > SOLVE_PAST_ORDER {
        return certified_vertex_solved(rows, basis, mw, c, strict);
    }
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

/// Past this order [`certified_vertex`] solves its two systems by fraction-free elimination
/// (`O(n^3)` each) instead of one determinant per multiplier and coordinate (`O(n^4)`).
const SOLVE_PAST_ORDER: usize = 8;

/// [`certified_vertex`] by two fraction-free solves: the multipliers `A_Bᵀ y = c` and the
/// vertex `A_B x = b_B`. The same unique vertex `X / D`, so the same answer.
fn certified_vertex_solved(
    rows: &[(Vec<Z>, Z)],
    basis: &[usize],
    mw: Vec<Vec<Z>>,
    c: &[Z],
    strict: bool,
) -> Option<(Vec<Z>, Z)> {
    let n = c.len();
    let mt: Vec<Vec<Z>> = (0..n).map(|j| mw.iter().map(|row| row[j].clone()).collect()).collect();
    let (dy, y) = solve_columns(&mt, c)?;
    let negative = dy.is_negative();
    if y.iter().any(|yi| {
        let s = if negative { -yi.signum() } else { yi.signum() };
        s.is_negative() || (strict && s.is_zero())
    }) {
        return None;
    }
    let bw: Vec<Z> = basis.iter().map(|&i| rows[i].1.clone()).collect();
    let (mut dd, mut x) = solve_columns(&mw, &bw)?;
    if dd.is_negative() {
        dd = -dd;
        x.iter_mut().for_each(|v| *v = -&*v);
    }
    if rows.iter().any(|(r, b)| r.iter().zip(&x).map(|(u, v)| u * v).sum::<Z>() > b * &dd) {
        return None;
    }
    Some((x, dd))
}

/// An exact improving direction for `max c·x` s.t. `a_i·x <= b_i` (integer rows) from the
/// float method's active rows `w`: `c` projected on the null space of those rows, computed
/// exactly, then checked: `a_i·v <= 0` for every row and `c·v > 0` (the LP is unbounded).
/// `None` if the check fails.
pub(crate) fn exact_ray(rows: &[(Vec<Z>, Z)], w: &[usize], c: &[Z]) -> Option<Vec<Z>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The solved certificate (used past order 8) equals the determinant one on random
    /// integer LPs of orders 2-8: the same vertex or the same refusal, strict or not.
    #[test]
    fn solved_vertex_certificate_equals_the_determinants() {
        let mut rng = crate::network::random::SplitMix64(99);
        let (mut certified, mut refused) = (0, 0);
        for t in 0..600 {
            let n = 2 + t % 7;
            let m = n + 1 + t % 5;
            let rows: Vec<(Vec<Z>, Z)> = (0..m)
                .map(|_| ((0..n).map(|_| Z::from(rng.small_int(4))).collect(), Z::from(rng.small_int(6) + 7)))
                .collect();
            let basis: Vec<usize> = (0..n).collect();
            // Objectives inside and outside the basis cone, and a unit one.
            let c: Vec<Z> = match t % 3 {
                0 => (0..n).map(|j| rows[..n].iter().map(|r| &r.0[j] * (1 + t as i64 % 2)).sum()).collect(),
                1 => (0..n).map(|_| Z::from(rng.small_int(3))).collect(),
                _ => (0..n).map(|j| Z::from(u8::from(j == t % n))).collect(),
            };
            for strict in [false, true] {
                let mw: Vec<Vec<Z>> = basis.iter().map(|&i| rows[i].0.clone()).collect();
                let a = certified_vertex(&rows, &basis, &c, strict);
                let b = certified_vertex_solved(&rows, &basis, mw, &c, strict);
                assert_eq!(a, b, "t={t} strict={strict}");
                if a.is_some() { certified += 1 } else { refused += 1 }
            }
        }
        assert!(certified > 100 && refused > 100, "certified {certified}, refused {refused}");
    }
}
