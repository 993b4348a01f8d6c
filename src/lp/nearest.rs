//! The point of a polyhedron `{x : g_i·x <= h_i}` nearest the origin (Euclidean), exactly.
//!
//! Several measures have optimal sets with more than one point (the centres of the largest
//! cubes or balls of a region that is long in some direction; the centres of unit cubes in a
//! region that holds cubes of every size). linregions reports the optimal point nearest the
//! origin: it is unique (a strictly convex objective), does not depend on how an LP was
//! solved, and another tool can compute it.
//!
//! The minimiser `x*` of `||x||² / 2` is characterised by the KKT conditions: with `S` the
//! rows tight at `x*` (any linearly independent subset carrying the multipliers),
//! `x* = -Σ_{i∈S} μ_i g_i` with every `μ_i >= 0`, `g_i·x* = h_i` on `S`, and every row holds.
//! Any `(S, μ)` meeting them is a certificate (no uniqueness or non-degeneracy needed):
//! `certify` checks one in integers. The rows `S` are proposed by the dual active-set
//! method of Goldfarb and Idnani run in floats ([`nearest`]); if the check fails, the same
//! method runs in exact rationals (finite: each full step raises the dual objective).

use crate::arith::minors::Minors;
use crate::arith::num::{Q, Z, q_new};
use num_traits::{Signed, Zero};

/// The arithmetic the active-set method needs: exact rationals, or floats with a tolerance.
pub(crate) trait Field: Clone {
    fn zero() -> Self;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn div(&self, o: &Self) -> Self;
    /// Strictly positive (for floats: beyond `tol`; the float rows are unit vectors).
    fn positive(&self, tol: &Self) -> bool;
    /// Magnitude for choosing a pivot (exact: any non-zero entry is as good).
    fn weight(&self) -> f64;
    fn lt(&self, o: &Self) -> bool;
    /// The tolerance scale of a quantity of size `v` (exact: zero).
    fn tol(v: &Self) -> Self;
}

impl Field for f64 {
    fn zero() -> Self {
        0.0
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn div(&self, o: &Self) -> Self {
        self / o
    }
    fn positive(&self, tol: &Self) -> bool {
        *self > *tol
    }
    fn weight(&self) -> f64 {
        self.abs()
    }
    fn lt(&self, o: &Self) -> bool {
        self < o
    }
    fn tol(v: &Self) -> Self {
        1e-11 * (1.0 + v.abs())
    }
}

impl Field for Q {
    fn zero() -> Self {
        <Q as Zero>::zero()
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn div(&self, o: &Self) -> Self {
        self / o
    }
    fn positive(&self, _tol: &Self) -> bool {
        Signed::is_positive(self)
    }
    fn weight(&self) -> f64 {
        if Zero::is_zero(self) { 0.0 } else { 1.0 }
    }
    fn lt(&self, o: &Self) -> bool {
        self < o
    }
    fn tol(_v: &Self) -> Self {
        <Q as Zero>::zero()
    }
}

fn dot<T: Field>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::zero(), |acc, (x, y)| acc.add(&x.mul(y)))
}

/// Solves `k·y = v` for a small square `k` by elimination (`None` if singular).
pub(crate) fn solve<T: Field>(mut k: Vec<Vec<T>>, mut v: Vec<T>) -> Option<Vec<T>> {
    let n = v.len();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| {
            k[i][col].weight().partial_cmp(&k[j][col].weight()).unwrap_or(std::cmp::Ordering::Equal)
        })?;
        if k[p][col].weight() == 0.0 {
            return None;
        }
        k.swap(col, p);
        v.swap(col, p);
        for r in col + 1..n {
            let f = k[r][col].div(&k[col][col]);
            for c in col..n {
                let t = f.mul(&k[col][c]);
                k[r][c] = k[r][c].sub(&t);
            }
            let t = f.mul(&v[col]);
            v[r] = v[r].sub(&t);
        }
    }
    let mut y = vec![T::zero(); n];
    for r in (0..n).rev() {
        let mut s = v[r].clone();
        for c in r + 1..n {
            s = s.sub(&k[r][c].mul(&y[c]));
        }
        y[r] = s.div(&k[r][r]);
    }
    Some(y)
}

/// Goldfarb-Idnani for `min ||x||²/2` s.t. `g_i·x <= h_i`: the final active rows and point,
/// or `None` if the rows are infeasible (or, in floats, the method stalled). From `x = 0`
/// with no active rows: repeatedly take the most violated row `p` and move along
/// `z = g_p - Nᵀr` (`N` the active normals, `r = (N Nᵀ)⁻¹ N g_p`), the multipliers by `-r`
/// and `u_p` by the step, until `p` is tight (then `p` joins the active rows) or an active
/// multiplier reaches zero (that row leaves, and `p` is tried again).
fn dual_active_set<T: Field>(d: usize, g: &[Vec<T>], h: &[T]) -> Option<(Vec<usize>, Vec<T>)> {
    let m = g.len();
    let mut act: Vec<usize> = Vec::new();
    let mut u: Vec<T> = Vec::new();
    let mut x = vec![T::zero(); d];
    let norms: Vec<T> = g.iter().map(|r| dot(r, r)).collect();
    let unit: Vec<Option<usize>> = g.iter().map(|r| unit_coordinate(r)).collect();
    // A zero row reads 0 <= h_i: always true or never.
    let zero_row = |i: usize| norms[i].weight() == 0.0;
    if (0..m).any(|i| zero_row(i) && T::zero().sub(&h[i]).positive(&T::tol(&h[i]))) {
        return None;
    }
    // Exact arithmetic terminates (each full step raises the dual objective); floats may
    // stall, so their steps are capped.
    let cap = if T::tol(&T::zero()).weight() > 0.0 { 4 * (m + d) + 16 } else { usize::MAX };
    for _ in 0..cap {
        // The most violated row, relative to its norm (ties: the first).
        let mut p: Option<(usize, T)> = None;
        for i in (0..m).filter(|&i| !zero_row(i)) {
            let s = dot(&g[i], &x).sub(&h[i]);
            if s.positive(&T::tol(&h[i])) {
                let rel = s.mul(&s).div(&norms[i]);
                if p.as_ref().is_none_or(|(_, best)| best.lt(&rel)) {
                    p = Some((i, rel));
                }
            }
        }
        let Some((p, _)) = p else { return Some((act, x)) };
        let mut up = T::zero();
        loop {
            let (r, z) = project(g, &unit, &act, p)?;
            let zz = dot(&z, &z);
            let full = if zz.positive(&T::tol(&T::zero())) {
                Some(dot(&g[p], &x).sub(&h[p]).div(&zz))
            } else {
                None
            };
            let mut partial: Option<(usize, T)> = None;
            for (t, rt) in r.iter().enumerate() {
                if rt.positive(&T::tol(rt)) {
                    let ratio = u[t].div(rt);
                    if partial.as_ref().is_none_or(|(_, best)| ratio.lt(best)) {
                        partial = Some((t, ratio));
                    }
                }
            }
            let (step, drop) = match (&full, partial) {
                (None, None) => return None,
                (Some(f), Some((t, q))) if q.lt(f) => (q, Some(t)),
                (None, Some((t, q))) => (q, Some(t)),
                (Some(f), _) => (f.clone(), None),
            };
            for (xj, zj) in x.iter_mut().zip(&z) {
                *xj = xj.sub(&step.mul(zj));
            }
            for (ut, rt) in u.iter_mut().zip(&r) {
                *ut = ut.sub(&step.mul(rt));
            }
            up = up.add(&step);
            match drop {
                Some(t) => {
                    act.remove(t);
                    u.remove(t);
                }
                None => {
                    act.push(p);
                    u.push(up);
                    break;
                }
            }
        }
    }
    None
}

/// The coordinate of a row's one nonzero entry (a box row), if it has exactly one.
fn unit_coordinate<T: Field>(row: &[T]) -> Option<usize> {
    let mut nz = row.iter().enumerate().filter(|(_, v)| v.weight() != 0.0);
    match (nz.next(), nz.next()) {
        (Some((j, _)), None) => Some(j),
        _ => None,
    }
}

/// The projection step of [`dual_active_set`]: `r = (N Nᵀ)⁻¹ N g_p` over the active rows
/// `N` and `z = g_p - Nᵀ r`, with the active unit rows (one nonzero, coordinate `j`) taken
/// out first. They span the coordinates `J` they fix, so `z_J = 0`; the other active rows
/// `D`, restricted to the free coordinates `F`, give `r_D` from their Gram matrix over `F`
/// alone (`K' r_D = G_DF g_pF`, the order of `D` instead of `N`), and each unit row the
/// remainder of its coordinate. The same `r` and `z` as the solve with `N Nᵀ`; `None` if
/// the active rows are dependent (two unit rows on one coordinate, or `K'` singular).
fn project<T: Field>(
    g: &[Vec<T>],
    unit: &[Option<usize>],
    act: &[usize],
    p: usize,
) -> Option<(Vec<T>, Vec<T>)> {
    let d = g[p].len();
    let mut fixed = vec![false; d];
    let mut dense: Vec<usize> = Vec::new();
    for (t, &i) in act.iter().enumerate() {
        match unit[i] {
            Some(j) if !fixed[j] => fixed[j] = true,
            Some(_) => return None,
            None => dense.push(t),
        }
    }
    let free: Vec<usize> = (0..d).filter(|&j| !fixed[j]).collect();
    let dot_f = |a: &[T], b: &[T]| {
        free.iter()
            .fold(T::zero(), |acc, &j| if a[j].weight() == 0.0 { acc } else { acc.add(&a[j].mul(&b[j])) })
    };
    let kk: Vec<Vec<T>> =
        dense.iter().map(|&s| dense.iter().map(|&t| dot_f(&g[act[s]], &g[act[t]])).collect()).collect();
    let rhs: Vec<T> = dense.iter().map(|&s| dot_f(&g[act[s]], &g[p])).collect();
    let rd = solve(kk, rhs)?;
    // z = g_p - Σ_D r_t g_t, then the unit rows take what is left on their coordinates.
    let mut z = g[p].clone();
    for (rt, &t) in rd.iter().zip(&dense) {
        for (zj, gj) in z.iter_mut().zip(&g[act[t]]) {
            if gj.weight() != 0.0 {
                *zj = zj.sub(&rt.mul(gj));
            }
        }
    }
    let mut r = vec![T::zero(); act.len()];
    for (rt, &t) in rd.into_iter().zip(&dense) {
        r[t] = rt;
    }
    for (t, &i) in act.iter().enumerate() {
        if let Some(j) = unit[i] {
            r[t] = z[j].div(&g[i][j]);
            z[j] = T::zero();
        }
    }
    Some((r, z))
}

/// The exact KKT check for the active rows `s` (integer rows `g`, `h_i = hn_i / l`, `l > 0`):
/// with `K = G_S G_Sᵀ` and `U = adj(K)·H_S`, the multipliers are `μ = -U / (l·det K)` and the
/// point `X / (l·det K)` with `X = G_Sᵀ U`. Certified if `det K > 0`, every `U_t <= 0` and
/// every row holds (`g_i·X <= hn_i·det K`); then it is the nearest point.
pub(crate) fn certify(g: &[Vec<Z>], hn: &[Z], l: &Z, s: &[usize]) -> Option<Vec<Q>> {
    let d = g.first().map_or(0, Vec::len);
    let k = s.len();
    if k > d {
        return None;
    }
    // All the minors of K at once (what `certify_minors` shares) cost more than one solve
    // past 4 active rows: 25% of an 8-10-10-1 walk, 8% of a 6-8-8-1 one.
    if k > 4 {
        return certify_solved(g, hn, l, s);
    }
    let kk: Vec<Vec<Z>> = s
        .iter()
        .map(|&i| s.iter().map(|&j| g[i].iter().zip(&g[j]).map(|(a, b)| a * b).sum()).collect())
        .collect();
    certify_minors(g, hn, l, s, &kk)
}

/// [`certify`] by the minors of `K` (its adjugate).
fn certify_minors(g: &[Vec<Z>], hn: &[Z], l: &Z, s: &[usize], kk: &[Vec<Z>]) -> Option<Vec<Q>> {
    let (d, k) = (g.first().map_or(0, Vec::len), s.len());
    let mut minors = Minors::new(kk);
    // adj(K)[i][j] = (-1)^(i+j) · minor(j, i); det K along the first row.
    let mut adj = vec![vec![Z::zero(); k]; k];
    for i in 0..k {
        for j in 0..k {
            let v = minors.get(j, i);
            adj[i][j] = if (i + j) % 2 == 1 { -v } else { v };
        }
    }
    let det: Z = if k == 0 { Z::from(1) } else { (0..k).map(|j| &kk[0][j] * &adj[j][0]).sum() };
    if !det.is_positive() {
        return None;
    }
    let u: Vec<Z> = adj.iter().map(|row| row.iter().zip(s).map(|(a, &i)| a * &hn[i]).sum()).collect();
    if u.iter().any(Signed::is_positive) {
        return None;
    }
    let x: Vec<Z> = (0..d).map(|j| u.iter().zip(s).map(|(ut, &i)| ut * &g[i][j]).sum()).collect();
    // g_i·x <= h_i·det for every row: by a float filter when it decides, else in integers.
    let fx: Vec<f64> = x.iter().chain([&det]).map(crate::arith::filter::z_to_f64).collect();
    let mut row_f = vec![0.0; d + 1];
    let holds = g.iter().zip(hn).all(|(row, hi)| {
        for (r, v) in row_f.iter_mut().zip(row.iter().chain([hi])) {
            *r = crate::arith::filter::z_to_f64(v);
        }
        row_f[d] = -row_f[d];
        match crate::arith::filter::dot_converted(&row_f, &fx).sign() {
            Some(sg) if sg != 0 => sg < 0,
            _ => row.iter().zip(&x).map(|(a, b)| a * b).sum::<Z>() <= hi * &det,
        }
    });
    if !holds {
        return None;
    }
    let den = l * det;
    Some(x.into_iter().map(|v| q_new(v, den.clone())).collect())
}

/// [`certify`] past order 8 by one fraction-free solve instead of every minor of `K`
/// (`O(k³)` against `O(k⁵)`), with the unit rows of `S` (one nonzero: the box's rows, often
/// most of an active set in high dimension) taken out first. A unit row `α e_j` fixes
/// `x_j = h_i / α`; the other rows `N`, restricted to the free coordinates `F`, leave
/// `K' = G_NF G_NFᵀ` and `K' Y = D·H'` with `H'` their right-hand sides less the fixed
/// coordinates' share; `x_F = G_NFᵀ Y / D'`, and each unit row's multiplier is what
/// `x_j` needs beyond the rows `N`. `K'` is a Gram matrix, so non-singular iff positive
/// definite, and it is iff `G_S` has independent rows (distinct unit coordinates, `G_NF` of
/// full row rank): the same multipliers and point as the solve of `K`, so the same answer.
fn certify_solved(g: &[Vec<Z>], hn: &[Z], l: &Z, s: &[usize]) -> Option<Vec<Q>> {
    let d = g.first().map_or(0, Vec::len);
    // The unit rows (coordinate, coefficient), each coordinate at most once.
    let mut fixed: Vec<Option<usize>> = vec![None; d];
    let mut rest: Vec<usize> = Vec::with_capacity(s.len());
    for &i in s {
        let mut nz = g[i].iter().enumerate().filter(|(_, v)| !v.is_zero());
        match (nz.next(), nz.next()) {
            (Some((j, _)), None) => {
                if fixed[j].is_some() {
                    return None;
                }
                fixed[j] = Some(i);
            }
            (None, _) => return None,
            _ => rest.push(i),
        }
    }
    let free: Vec<usize> = (0..d).filter(|&j| fixed[j].is_none()).collect();
    // x_j = hn_i / (l α_i) = (hn_i · M/α_i) / (l M), M the lcm of the coefficients.
    let m_lcm: Z = fixed.iter().flatten().fold(Z::from(1), |acc, &i| {
        let a = g[i].iter().find(|v| !v.is_zero()).expect("a unit row").abs();
        num_integer::Integer::lcm(&acc, &a)
    });
    let fixed_num: Vec<Option<Z>> = (0..d).map(|j| fixed[j].map(|i| &hn[i] * &m_lcm / &g[i][j])).collect();
    // H'_i = hn_i M - Σ_{fixed j} g_ij X_j (over l M), and K' over the free coordinates.
    let hs: Vec<Z> = rest
        .iter()
        .map(|&i| {
            let share: Z = fixed_num
                .iter()
                .zip(&g[i])
                .filter_map(|(x, a)| x.as_ref().filter(|_| !a.is_zero()).map(|x| x * a))
                .sum();
            &hn[i] * &m_lcm - share
        })
        .collect();
    let gf: Vec<Vec<&Z>> = rest.iter().map(|&i| free.iter().map(|&j| &g[i][j]).collect()).collect();
    let (mut den, mut y) = if rest.is_empty() {
        (Z::from(1), Vec::new())
    } else {
        let kk: Vec<Vec<Z>> = gf
            .iter()
            .map(|a| {
                gf.iter()
                    .map(|b| a.iter().zip(b).filter(|(u, _)| !u.is_zero()).map(|(u, v)| *u * *v).sum())
                    .collect()
            })
            .collect();
        crate::arith::minors::solve_columns(&kk, &hs)?
    };
    if den.is_negative() {
        den = -den;
        y.iter_mut().for_each(|v| *v = -&*v);
    }
    if y.iter().any(Signed::is_positive) {
        return None;
    }
    // The point as X / (den · l · M): free coordinates from the rows N, fixed ones scaled.
    let mut x: Vec<Z> = vec![Z::zero(); d];
    for (yt, &i) in y.iter().zip(&rest) {
        if yt.is_zero() {
            continue;
        }
        for &j in &free {
            if !g[i][j].is_zero() {
                x[j] += yt * &g[i][j];
            }
        }
    }
    for j in 0..d {
        let Some(i) = fixed[j] else { continue };
        let xj = fixed_num[j].as_ref().expect("fixed") * &den;
        // The unit row's multiplier: (X_j - Σ_N Y_t g_tj) / α_i, at most zero.
        let others: Z = y.iter().zip(&rest).map(|(yt, &t)| yt * &g[t][j]).sum();
        let excess = &xj - others;
        if !excess.is_zero() && excess.is_positive() == g[i][j].is_positive() {
            return None;
        }
        x[j] = xj;
    }
    let scaled = &den * &m_lcm;
    let holds = g.iter().zip(hn).all(|(row, hi)| {
        row.iter().zip(&x).filter(|(a, _)| !a.is_zero()).map(|(a, b)| a * b).sum::<Z>() <= hi * &scaled
    });
    if !holds {
        return None;
    }
    let den = l * scaled;
    Some(x.into_iter().map(|v| q_new(v, den.clone())).collect())
}

/// The point of `{x : g_i·x <= h_i}` nearest the origin, exactly; `None` if empty. `g` holds
/// integer rows (`d` entries each) and `h_i = hn_i / l` (`l > 0`).
pub fn nearest(d: usize, g: &[Vec<Z>], hn: &[Z], l: &Z) -> Option<Vec<Q>> {
    if let Some((gf, hf)) = float_problem(g, hn, l)
        && let Some((mut s, _)) = dual_active_set(d, &gf, &hf)
    {
        s.sort_unstable();
        if let Some(x) = certify(g, hn, l, &s) {
            return Some(x);
        }
    }
    // Few rows: every independent subset of at most `d` rows is a candidate, and `certify`
    // accepts only the optimum's (some subset carries it: Carathéodory), in integers.
    if few_subsets(g.len(), d) {
        let mut s: Vec<usize> = Vec::with_capacity(d);
        if let Some(x) = certify_subsets(g, hn, l, d, 0, &mut s) {
            return Some(x);
        }
    }
    nearest_exact(d, g, hn, l)
}

/// The float problem the active-set method proposes from: unit rows (so the tolerances are
/// distances), each row scaled by a power of two before its norm is taken (squares of
/// entries past ~1e154 would overflow), and every right-hand side by one common power of two
/// (the nearest point of `{g·x <= λh}` is `λ` times that of `{g·x <= h}`: the active rows are
/// the same), so rows and distances of any magnitude give finite floats. `None` if some value
/// is still not finite.
fn float_problem(g: &[Vec<Z>], hn: &[Z], l: &Z) -> Option<(Vec<Vec<f64>>, Vec<f64>)> {
    let mut gf = Vec::with_capacity(g.len());
    let mut hs: Vec<(f64, i64)> = Vec::with_capacity(g.len());
    for (r, v) in g.iter().zip(hn) {
        let (row, k) = crate::arith::filter::scaled_ints(r);
        let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 1.0 };
        // h_i / ||g_i|| = (hn_i / l) / (norm · 2^k) as a float times a power of two.
        let (m, e) = crate::arith::filter::ratio_parts(v, l);
        hs.push((m * scale, e - k));
        gf.push(row.iter().map(|x| x * scale).collect::<Vec<f64>>());
    }
    // The common power of two: none while the distances are ordinary floats (the tolerances
    // below are tuned for them), else the one that brings the largest near 1.
    let plain: Vec<f64> = hs.iter().map(|&(m, e)| crate::arith::filter::times_pow2(m, e)).collect();
    let largest = plain.iter().fold(0.0f64, |a, h| a.max(h.abs()));
    let ordinary = largest.is_finite() && (largest == 0.0 || largest > 1e-150);
    let top =
        if ordinary { 0 } else { hs.iter().filter(|(m, _)| *m != 0.0).map(|&(_, e)| e).max().unwrap_or(0) };
    let hf: Vec<f64> = hs
        .iter()
        .map(|&(m, e)| {
            let h = crate::arith::filter::times_pow2(m, e - top);
            // Loosened a little: an optimal set of lower dimension (tight opposite rows) must
            // not come out empty from the rounding of h.
            h + 1e-9 * (1.0 + h.abs())
        })
        .collect();
    gf.iter().flatten().chain(&hf).all(|v| v.is_finite()).then_some((gf, hf))
}

/// Whether `Σ_{k <= d} C(m, k)` is at most 64.
fn few_subsets(m: usize, d: usize) -> bool {
    let (mut total, mut c) = (1u64, 1u64);
    for k in 1..=d.min(m) {
        c = c * (m - k + 1) as u64 / k as u64;
        total += c;
        if total > 64 {
            return false;
        }
    }
    true
}

/// The first subset (extending `s`, rows from `from` on, at most `d` rows) that
/// [`certify`] accepts, in lexicographic order.
fn certify_subsets(
    g: &[Vec<Z>],
    hn: &[Z],
    l: &Z,
    d: usize,
    from: usize,
    s: &mut Vec<usize>,
) -> Option<Vec<Q>> {
    if let Some(x) = certify(g, hn, l, s) {
        return Some(x);
    }
    if s.len() == d {
        return None;
    }
    for i in from..g.len() {
        s.push(i);
        let x = certify_subsets(g, hn, l, d, i + 1, s);
        s.pop();
        if x.is_some() {
            return x;
        }
    }
    None
}

/// [`nearest`] with the right-hand sides as rationals (for the tests).
#[cfg(test)]
pub fn nearest_q(d: usize, g: &[Vec<Z>], h: &[Q]) -> Option<Vec<Q>> {
    let (hn, l) = crate::arith::num::common_denominator(h);
    nearest(d, g, &hn, &l)
}

/// [`nearest`] by the active-set method in exact rationals (no float guess).
pub fn nearest_exact(d: usize, g: &[Vec<Z>], hn: &[Z], l: &Z) -> Option<Vec<Q>> {
    let gq: Vec<Vec<Q>> = g.iter().map(|r| r.iter().map(|v| Q::from_integer(v.clone())).collect()).collect();
    let h: Vec<Q> = hn.iter().map(|v| q_new(v.clone(), l.clone())).collect();
    dual_active_set(d, &gq, &h).map(|(_, x)| x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::num::qi;

    fn rows(v: &[&[i64]]) -> Vec<Vec<Z>> {
        v.iter().map(|r| r.iter().map(|&x| Z::from(x)).collect()).collect()
    }

    /// The nearest point by brute force: every independent subset of at most `d` rows,
    /// its KKT point checked in exact rationals; the feasible one of least norm.
    fn brute(d: usize, g: &[Vec<Z>], h: &[Q]) -> Option<Vec<Q>> {
        let m = g.len();
        let feasible = |x: &[Q]| {
            g.iter()
                .zip(h)
                .all(|(r, hi)| r.iter().zip(x).map(|(a, b)| Q::from_integer(a.clone()) * b).sum::<Q>() <= *hi)
        };
        let mut best: Option<(Q, Vec<Q>)> = None;
        for mask in 0u32..(1 << m) {
            let s: Vec<usize> = (0..m).filter(|&i| mask >> i & 1 == 1).collect();
            if s.len() > d {
                continue;
            }
            // The point of the affine span {g_S x = h_S} nearest the origin.
            let kk: Vec<Vec<Q>> = s
                .iter()
                .map(|&i| {
                    s.iter()
                        .map(|&j| Q::from_integer(g[i].iter().zip(&g[j]).map(|(a, b)| a * b).sum()))
                        .collect()
                })
                .collect();
            let Some(mu) = solve(kk, s.iter().map(|&i| h[i].clone()).collect()) else { continue };
            let x: Vec<Q> = (0..d)
                .map(|j| s.iter().zip(&mu).map(|(&i, mt)| mt * Q::from_integer(g[i][j].clone())).sum())
                .collect();
            if feasible(&x) {
                let n2: Q = x.iter().map(|v| v * v).sum();
                if best.as_ref().is_none_or(|(b, _)| n2 < *b) {
                    best = Some((n2, x));
                }
            }
        }
        best.map(|(_, x)| x)
    }

    #[test]
    fn certificates_accept_only_the_nearest_point() {
        // Every subset of rows offered to the check: whatever it accepts is the brute-force
        // answer, and some subset is accepted whenever the polyhedron is non-empty.
        let mut rng = crate::network::random::SplitMix64(8);
        for trial in 0..120 {
            let d = 1 + trial % 3;
            let m = 1 + (trial / 3) % 6;
            let g: Vec<Vec<Z>> =
                (0..m).map(|_| (0..d).map(|_| Z::from(rng.small_int(4))).collect()).collect();
            let h: Vec<Q> = (0..m).map(|_| Q::new(Z::from(rng.small_int(9)), Z::from(2))).collect();
            let (hn, l) = crate::arith::num::common_denominator(&h);
            let want = brute(d, &g, &h);
            let mut accepted = 0;
            for mask in 0u32..(1 << m) {
                let s: Vec<usize> = (0..m).filter(|&i| mask >> i & 1 == 1).collect();
                if let Some(x) = certify(&g, &hn, &l, &s) {
                    assert_eq!(Some(&x), want.as_ref(), "{g:?} {h:?} {s:?}");
                    accepted += 1;
                }
            }
            assert_eq!(accepted > 0, want.is_some(), "{g:?} {h:?}");
        }
    }

    #[test]
    fn hand_solved_points() {
        // x >= 1, y >= 2: the corner (1, 2).
        let g = rows(&[&[-1, 0], &[0, -1]]);
        assert_eq!(nearest_q(2, &g, &[qi(-1), qi(-2)]), Some(vec![qi(1), qi(2)]));
        // x + y >= 2 only: (1, 1) on the line.
        let g = rows(&[&[-1, -1]]);
        assert_eq!(nearest_q(2, &g, &[qi(-2)]), Some(vec![qi(1), qi(1)]));
        // The origin is inside: itself.
        let g = rows(&[&[1, 0], &[0, 1], &[-1, -1]]);
        assert_eq!(nearest_q(2, &g, &[qi(1), qi(1), qi(1)]), Some(vec![qi(0), qi(0)]));
        // Empty: x <= -1 and x >= 1.
        let g = rows(&[&[1], &[-1]]);
        assert_eq!(nearest_q(1, &g, &[qi(-1), qi(-1)]), None);
        // A segment (two opposite rows tight): 2x + y = 5 with 0 <= y <= 1 -> y = 1, x = 2.
        let g = rows(&[&[2, 1], &[-2, -1], &[0, -1], &[0, 1]]);
        let h = [qi(5), qi(-5), qi(-1), qi(3)];
        let want = Some(vec![qi(2), qi(1)]);
        assert_eq!(nearest_q(2, &g, &h), want);
        let (hn, l) = crate::arith::num::common_denominator(&h);
        assert_eq!(nearest_exact(2, &g, &hn, &l), want);
    }

    #[test]
    fn agrees_with_brute_force_on_random_polyhedra() {
        // Random rows with some through a common point (degenerate), dimensions 1-4; the
        // float-guided answer, the exact method and the brute force all agree.
        let mut rng = crate::network::random::SplitMix64(3);
        let mut nonempty = 0;
        for trial in 0..300 {
            let d = 1 + trial % 4;
            let m = 1 + (trial / 4) % 9;
            let g: Vec<Vec<Z>> =
                (0..m).map(|_| (0..d).map(|_| Z::from(rng.small_int(5))).collect()).collect();
            let h: Vec<Q> = (0..m)
                .map(|i| {
                    if trial % 3 == 0 && i % 2 == 0 {
                        qi(-3)
                    } else {
                        Q::new(Z::from(rng.small_int(20)), Z::from(3))
                    }
                })
                .collect();
            let want = brute(d, &g, &h);
            assert_eq!(nearest_q(d, &g, &h), want, "{g:?} {h:?}");
            let (hn, l) = crate::arith::num::common_denominator(&h);
            assert_eq!(nearest_exact(d, &g, &hn, &l), want, "{g:?} {h:?}");
            nonempty += want.is_some() as usize;
        }
        assert!(nonempty > 100, "{nonempty}");
    }

    /// Past order 8 the KKT check solves instead of taking every minor: the same point or
    /// the same refusal on 9-12 random rows in 14 dimensions, half of them built so that
    /// every row is active at the nearest point (accepted).
    #[test]
    fn solved_kkt_check_equals_the_minors() {
        let mut rng = crate::network::random::SplitMix64(31);
        let (mut accepted, mut refused) = (0, 0);
        let (mut with_units, mut accepted_units) = (0, 0);
        for t in 0..240 {
            let d = 14;
            let m = 9 + t % 4;
            let mut g: Vec<Vec<Z>> =
                (0..m).map(|_| (0..d).map(|_| Z::from(rng.small_int(5))).collect()).collect();
            // Unit rows (box-like: `α e_j`), taken out before the solve: up to six, on
            // distinct coordinates except when t % 7 == 0 (two on one: dependent, refused).
            if t % 3 != 0 {
                for u in 0..=t % 6 {
                    let j = if t % 7 == 0 && u == 1 { t % d } else { (t + 5 * u) % d };
                    let alpha = [1, -1, 2, -3][(t + u) % 4];
                    g[u] = (0..d).map(|c| Z::from(if c == j { alpha } else { 0 })).collect();
                }
                with_units += 1;
            }
            // Rows through points at distance ~1 (accepted: hn < 0 and the subset is all
            // rows, the origin outside every half-space) or random right-hand sides.
            // Even t: every row tight at x* = -Gᵀμ with μ > 0 (the KKT conditions hold: the
            // nearest point, accepted); odd t: random right-hand sides.
            let hn: Vec<Z> = if t % 2 == 0 {
                let mu: Vec<Z> = (0..m).map(|_| Z::from(1 + rng.small_int(3).abs())).collect();
                let x: Vec<Z> = (0..d).map(|j| -(0..m).map(|i| &mu[i] * &g[i][j]).sum::<Z>()).collect();
                g.iter().map(|row| row.iter().zip(&x).map(|(a, b)| a * b).sum()).collect()
            } else {
                (0..m).map(|_| Z::from(rng.small_int(4))).collect()
            };
            let l = Z::from(1);
            // Every row in S, or all but the last two (their rows then checked as rows).
            let s: Vec<usize> = (0..if t % 4 == 3 { m - 2 } else { m }).collect();
            let kk: Vec<Vec<Z>> = s
                .iter()
                .map(|&i| s.iter().map(|&j| g[i].iter().zip(&g[j]).map(|(a, b)| a * b).sum()).collect())
                .collect();
            let a = certify_minors(&g, &hn, &l, &s, &kk);
            assert_eq!(a, certify_solved(&g, &hn, &l, &s), "t={t}");
            if a.is_some() {
                accepted += 1
            } else {
                refused += 1
            }
            accepted_units += (a.is_some() && t % 3 != 0) as usize;
        }
        assert!(accepted > 20 && refused > 20 && with_units > 100, "accepted {accepted}, refused {refused}");
        assert!(accepted_units > 20, "{accepted_units}");
    }
}
