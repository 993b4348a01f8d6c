//! A float primal-dual interior-point method (Mehrotra's predictor-corrector) for
//! `max c·z` s.t. `G z <= h` when most rows are box-like: one nonzero outside the last
//! column (the radius column of the insphere LPs). Those rows make the normal matrix
//! `Gᵀ D G` an arrowhead (a diagonal with a last row and column), solved in `O(n)`; the
//! few dense rows (a network's neurons) add a low-rank term handled by the Woodbury
//! identity, so a step costs `O(n k²)` for `k` dense rows instead of `O(m n²)`.
//!
//! A proposal only: the rows it finds tight are certified exactly by the caller.

/// The last iterate of [`ipm_max`]: the point `z`, the slacks `s = h - G z` and the
/// multipliers `λ` (`Gᵀλ ≈ c`, `λ >= 0`).
pub(crate) struct Ipm {
    pub(crate) z: Vec<f64>,
    pub(crate) s: Vec<f64>,
    pub(crate) lambda: Vec<f64>,
    /// Why the method stopped.
    pub(crate) stop: Stop,
}

/// Why [`ipm_max_until`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Converged: small gap and residuals.
    Optimal,
    /// A primal feasible iterate (to the tolerance) with objective past the goal.
    PrimalPast,
    /// The dual objective with its residual clearly below the goal; `z` may be far from
    /// feasible.
    DualBelow,
    /// The arithmetic broke down: the last iterate near the optimum with small residuals.
    Stalled,
}

impl Ipm {
    /// The rows whose multiplier exceeds their slack (`λ_i > s_i`), at most `n` of them
    /// (else none): near a converged optimum, the support of a strictly complementary
    /// multiplier vector, which is small at a degenerate optimum where [`Self::tight_rows`]
    /// must take rows without a multiplier.
    pub(crate) fn support_rows(&self, n: usize) -> Vec<usize> {
        let rows: Vec<usize> = (0..self.s.len()).filter(|&i| self.lambda[i] > self.s[i]).collect();
        if rows.len() > n { Vec::new() } else { rows }
    }

    /// The `n` rows most clearly tight (smallest `s_i / λ_i`): the optimal basis when the
    /// optimum is a non-degenerate vertex.
    pub(crate) fn tight_rows(&self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.s.len()).collect();
        order.sort_by(|&i, &j| {
            (self.s[i] / self.lambda[i]).total_cmp(&(self.s[j] / self.lambda[j])).then(i.cmp(&j))
        });
        order.truncate(n);
        order.sort_unstable();
        order
    }
}

/// The rows as the normal matrix sees them: `n` unknowns, the box-like rows' one nonzero
/// below `last` (the radius column, or `n` without one), the dense rows' indices.
#[derive(Clone, Copy)]
struct Structure<'a> {
    g: &'a [Vec<f64>],
    shapes: &'a [Shape],
    dense: &'a [usize],
    n: usize,
    last: usize,
}

/// How a row enters the normal matrix.
enum Shape {
    /// `α` at column `j`, `β` in the last column, zero elsewhere.
    Box {
        j: usize,
        alpha: f64,
        beta: f64,
    },
    Dense,
}

/// Maximises `c·z` s.t. `G z <= h` from `z0` (any point: the slacks start at least 1).
/// With `radius_column` the last column is the radius of an insphere LP (any entries);
/// without, every column is a coordinate and box-like rows have one nonzero in all.
/// `None` when the method breaks down before it is near the optimum.
pub(crate) fn ipm_max(g: &[Vec<f64>], h: &[f64], c: &[f64], z0: &[f64], radius_column: bool) -> Option<Ipm> {
    ipm_max_until(g, h, c, z0, radius_column, None)
}

/// [`ipm_max`] that may stop early when only the optimum's side of `goal` is asked: once a
/// (primal feasible) iterate has `c·z > goal`, or the dual objective with its residual is
/// clearly below `goal`. The caller certifies either way.
pub(crate) fn ipm_max_until(
    g: &[Vec<f64>],
    h: &[f64],
    c: &[f64],
    z0: &[f64],
    radius_column: bool,
    goal: Option<f64>,
) -> Option<Ipm> {
    let (m, n) = (g.len(), c.len());
    if n < 2 || m == 0 || g.iter().any(|row| row.len() != n) || h.len() != m || z0.len() != n {
        return None;
    }
    // Rows scaled to unit length (the method is not scale-invariant); s and λ scaled back.
    let norms: Vec<f64> = g.iter().map(|row| row.iter().map(|v| v * v).sum::<f64>().sqrt()).collect();
    if norms.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    let g: Vec<Vec<f64>> = g.iter().zip(&norms).map(|(row, s)| row.iter().map(|v| v / s).collect()).collect();
    let h: Vec<f64> = h.iter().zip(&norms).map(|(v, s)| v / s).collect();
    let mut found = ipm_covered(Lp { g: &g, h: &h, c, z0, radius_column, goal })?;
    for (i, s) in norms.iter().enumerate() {
        found.s[i] *= s;
        found.lambda[i] /= s;
    }
    Some(found)
}

/// The arguments of [`ipm_max_until`].
#[derive(Clone, Copy)]
struct Lp<'a> {
    g: &'a [Vec<f64>],
    h: &'a [f64],
    c: &'a [f64],
    z0: &'a [f64],
    radius_column: bool,
    goal: Option<f64>,
}

/// [`ipm_max`] on rows of unit length.
fn ipm_covered(lp: Lp) -> Option<Ipm> {
    let Lp { g, h, c, z0, radius_column, .. } = lp;
    let (m, n) = (g.len(), c.len());
    // A coordinate without a box-like row gets two far artificial ones (|z_j| <= B, past
    // where the optimum of a bounded LP lies): the structure the method needs. Only the
    // original rows are reported.
    let coords = if radius_column { n - 1 } else { n };
    let mut covered = vec![false; coords];
    for row in g {
        let mut nz = (0..coords).filter(|&j| row[j] != 0.0);
        if let (Some(j), None) = (nz.next(), nz.next()) {
            covered[j] = true;
        }
    }
    if covered.iter().all(|&v| v) {
        return ipm_structured(lp);
    }
    let big = 1e4 * (1.0 + z0.iter().map(|v| v.abs()).fold(0.0, f64::max));
    let (mut ga, mut ha) = (g.to_vec(), h.to_vec());
    for j in (0..coords).filter(|&j| !covered[j]) {
        for sign in [1.0, -1.0] {
            let mut row = vec![0.0; n];
            row[j] = sign;
            ga.push(row);
            ha.push(big);
        }
    }
    let mut found = ipm_structured(Lp { g: &ga, h: &ha, ..lp })?;
    found.s.truncate(m);
    found.lambda.truncate(m);
    Some(found)
}

/// [`ipm_max`] once every coordinate has a box-like row.
fn ipm_structured(lp: Lp) -> Option<Ipm> {
    let Lp { g, h, c, z0, radius_column, goal } = lp;
    let (m, n) = (g.len(), c.len());
    // Box-like rows have one nonzero among the columns before `last`; with a radius column
    // `last` is that column, else one past the end (its entries read as 0).
    let last = if radius_column { n - 1 } else { n };
    let entry = |row: &[f64], j: usize| if j < n { row[j] } else { 0.0 };
    let shapes: Vec<Shape> = g
        .iter()
        .map(|row| {
            let mut nz = (0..last).filter(|&j| row[j] != 0.0);
            match (nz.next(), nz.next()) {
                (Some(j), None) => Shape::Box { j, alpha: row[j], beta: entry(row, last) },
                _ => Shape::Dense,
            }
        })
        .collect();
    let dense: Vec<usize> = (0..m).filter(|&i| matches!(shapes[i], Shape::Dense)).collect();
    let zl = |z: &[f64]| if last < n { z[last] } else { 0.0 };
    let gz = |z: &[f64], i: usize| -> f64 {
        match shapes[i] {
            Shape::Box { j, alpha, beta } => alpha * z[j] + beta * zl(z),
            Shape::Dense => super::fdot(&g[i], z),
        }
    };
    // Gᵀ q.
    let gtq = |q: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; n];
        for (i, &qi) in q.iter().enumerate() {
            match shapes[i] {
                Shape::Box { j, alpha, beta } => {
                    out[j] += alpha * qi;
                    if last < n {
                        out[last] += beta * qi;
                    }
                }
                Shape::Dense => {
                    for (o, v) in out.iter_mut().zip(&g[i]) {
                        *o += v * qi;
                    }
                }
            }
        }
        out
    };
    let mut z = z0.to_vec();
    let mut s: Vec<f64> = (0..m).map(|i| (h[i] - gz(&z, i)).max(1.0)).collect();
    let mut lambda = vec![1.0; m];
    let cn = c.iter().map(|v| v.abs()).fold(1.0, f64::max);
    // The last iterate near the optimum with small residuals: the proposal if the
    // arithmetic breaks down (the normal matrix grows ill-conditioned at the end).
    let mut best: Option<(f64, Ipm)> = None;
    for _ in 0..80 {
        let gl = gtq(&lambda);
        let r_d: Vec<f64> = gl.iter().zip(c).map(|(u, v)| u - v).collect();
        let r_p: Vec<f64> = (0..m).map(|i| gz(&z, i) + s[i] - h[i]).collect();
        let mu = s.iter().zip(&lambda).map(|(u, v)| u * v).sum::<f64>() / m as f64;
        if !mu.is_finite() {
            return None;
        }
        let rd_n = r_d.iter().map(|v| v.abs()).fold(0.0, f64::max);
        // Each row's residual against its own right-hand side (rows have unit length; the
        // far artificial rows' large h must not loosen the others').
        let rp_n = r_p.iter().zip(h).map(|(v, hi)| v.abs() / (1.0 + hi.abs())).fold(0.0, f64::max);
        let obj: f64 = c.iter().zip(&z).map(|(u, v)| u * v).sum();
        if mu <= 1e-14 * (1.0 + obj.abs()) && rd_n <= 1e-11 * cn && rp_n <= 1e-11 {
            return Some(Ipm { z, s, lambda, stop: Stop::Optimal });
        }
        if let Some(goal) = goal {
            // Primal feasible past the goal, or a dual bound (h·λ, off by at most the residual
            // times the iterate's size) clearly below it.
            let dual: f64 = h.iter().zip(&lambda).map(|(u, v)| u * v).sum();
            let zn = z.iter().map(|v| v.abs()).fold(1.0, f64::max);
            let primal_ok = rp_n <= 1e-9 && obj > goal + 1e-9 * (1.0 + goal.abs());
            let dual_ok = dual + 10.0 * rd_n * zn * (n as f64) < goal - 1e-9 * (1.0 + goal.abs());
            if primal_ok || dual_ok {
                let stop = if primal_ok { Stop::PrimalPast } else { Stop::DualBelow };
                return Some(Ipm { z, s, lambda, stop });
            }
        }
        let dd: Vec<f64> = (0..m).map(|i| lambda[i] / s[i]).collect();
        if mu <= 1e-6 * (1.0 + obj.abs()) && rd_n <= 1e-6 * cn && rp_n <= 1e-6 {
            best =
                Some((rd_n, Ipm { z: z.clone(), s: s.clone(), lambda: lambda.clone(), stop: Stop::Stalled }));
        } else if best.as_ref().is_some_and(|(rd, _)| rd_n > 1e3 * rd) {
            break;
        }

        let st = Structure { g, shapes: &shapes, dense: &dense, n, last };
        let normal = if n <= DENSE_UP_TO {
            dense_normal(&st, &dd).map(Solver::Dense)
        } else {
            Normal::new(&st, &dd).map(Solver::Woodbury)
        };
        let Some(normal) = normal else { break };
        // One Newton step for the complementarity target r_c (S Δλ + Λ Δs = r_c).
        let step = |r_c: &[f64]| -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
            let q: Vec<f64> = (0..m).map(|i| (r_c[i] + lambda[i] * r_p[i]) / s[i]).collect();
            let gq = gtq(&q);
            let rhs: Vec<f64> = (0..n).map(|j| -r_d[j] - gq[j]).collect();
            let mut dz = normal.solve(&rhs);
            // One step of iterative refinement against Gᵀ D G applied row by row.
            let gdz: Vec<f64> = (0..m).map(|i| dd[i] * gz(&dz, i)).collect();
            let back = gtq(&gdz);
            let res: Vec<f64> = (0..n).map(|j| rhs[j] - back[j]).collect();
            for (x, y) in dz.iter_mut().zip(normal.solve(&res)) {
                *x += y;
            }
            let ds: Vec<f64> = (0..m).map(|i| -r_p[i] - gz(&dz, i)).collect();
            let dl: Vec<f64> = (0..m).map(|i| (r_c[i] - lambda[i] * ds[i]) / s[i]).collect();
            let ok = dz.iter().chain(&ds).chain(&dl).all(|v| v.is_finite());
            ok.then_some((dz, ds, dl))
        };
        let max_step = |v: &[f64], dv: &[f64]| -> f64 {
            v.iter().zip(dv).filter(|(_, d)| **d < 0.0).map(|(x, d)| -x / d).fold(1.0, f64::min)
        };
        let r_aff: Vec<f64> = (0..m).map(|i| -s[i] * lambda[i]).collect();
        let Some((_, ds_a, dl_a)) = step(&r_aff) else { break };
        let (ap, ad) = (max_step(&s, &ds_a), max_step(&lambda, &dl_a));
        let mu_aff =
            (0..m).map(|i| (s[i] + ap * ds_a[i]) * (lambda[i] + ad * dl_a[i])).sum::<f64>() / m as f64;
        let sigma = (mu_aff / mu).clamp(0.0, 1.0).powi(3);
        let r_c: Vec<f64> = (0..m).map(|i| -s[i] * lambda[i] - ds_a[i] * dl_a[i] + sigma * mu).collect();
        let Some((dz, ds, dl)) = step(&r_c) else { break };
        let ap = (0.995 * max_step(&s, &ds)).min(1.0);
        let ad = (0.995 * max_step(&lambda, &dl)).min(1.0);
        for (x, d) in z.iter_mut().zip(&dz) {
            *x += ap * d;
        }
        for (x, d) in s.iter_mut().zip(&ds) {
            *x += ap * d;
        }
        for (x, d) in lambda.iter_mut().zip(&dl) {
            *x += ad * d;
        }
        if s.iter().chain(&lambda).any(|v| !(*v > 0.0 && v.is_finite())) {
            break;
        }
    }
    best.map(|(_, ipm)| ipm)
}

/// The normal matrix `Gᵀ D G = A + U Uᵀ`: `A` from the box-like rows (an arrowhead:
/// diagonal `δ`, last column `e`, corner `ρ`), `U` the dense rows scaled by `√D`.
struct Normal {
    delta: Vec<f64>,
    e: Vec<f64>,
    /// `ρ - Σ e_j² / δ_j`, the arrowhead's Schur complement on the last entry.
    schur: f64,
    /// The dense rows scaled by `√D_i`, `k` rows of `n`.
    u: Vec<Vec<f64>>,
    /// `A⁻¹ U` by columns (`k` vectors of `n`).
    w: Vec<Vec<f64>>,
    /// The Cholesky factor (lower, row-major `k × k`) of `I + Uᵀ A⁻¹ U`.
    chol: Vec<f64>,
}

impl Normal {
    fn new(st: &Structure, dd: &[f64]) -> Option<Normal> {
        let Structure { g, shapes, dense, n, last } = *st;
        let (mut delta, mut e) = (vec![0.0; last], vec![0.0; last]);
        let mut on: Vec<Vec<usize>> = vec![Vec::new(); last];
        for (i, shape) in shapes.iter().enumerate() {
            if let Shape::Box { j, alpha, beta } = *shape {
                delta[j] += dd[i] * alpha * alpha;
                e[j] += dd[i] * alpha * beta;
                on[j].push(i);
            }
        }
        // ρ - Σ e_j²/δ_j without cancellation: every box-like row belongs to one coordinate,
        // whose 2×2 block [[δ_j, e_j], [e_j, ρ_j]] has determinant Σ_{i<k} D_i D_k (α_i β_k -
        // α_k β_i)² (Cauchy-Binet), so the complement is Σ det_j / δ_j, all terms >= 0.
        let mut schur = 0.0;
        for (j, rows) in on.iter().enumerate() {
            let mut det = 0.0;
            for (x, &i) in rows.iter().enumerate() {
                for &k in &rows[x + 1..] {
                    if let (Shape::Box { alpha: ai, beta: bi, .. }, Shape::Box { alpha: ak, beta: bk, .. }) =
                        (&shapes[i], &shapes[k])
                    {
                        det += dd[i] * dd[k] * (ai * bk - ak * bi).powi(2);
                    }
                }
            }
            schur += det / delta[j];
        }
        // Without a radius column `A` is the diagonal alone (`schur` unused).
        let arrow_ok = last == n || (schur > 0.0 && schur.is_finite());
        if !(arrow_ok && delta.iter().all(|v| *v > 0.0 && v.is_finite())) {
            return None;
        }
        let u: Vec<Vec<f64>> =
            dense.iter().map(|&i| g[i].iter().map(|v| v * dd[i].sqrt()).collect()).collect();
        let mut normal = Normal { delta, e, schur, u, w: Vec::new(), chol: Vec::new() };
        normal.w = normal.u.iter().map(|col| normal.arrow_solve(col)).collect();
        let k = normal.u.len();
        let mut kk = vec![0.0; k * k];
        // The lower triangle in tiles of `TILE` rows of U and of W, each pair of tiles small
        // enough for the core's cache (every entry is the same `fdot` as untiled).
        const TILE: usize = 32;
        // Within a tile, two rows against two columns at a time (`fdot2x2`: the same bits).
        let (u, w) = (&normal.u, &normal.w);
        let mut put = |a: usize, b: usize, v: f64| kk[a * k + b] = v + if a == b { 1.0 } else { 0.0 };
        for a0 in (0..k).step_by(TILE) {
            for b0 in (0..=a0).step_by(TILE) {
                let a_end = (a0 + TILE).min(k);
                let mut a = a0;
                while a < a_end {
                    if a + 1 == a_end {
                        for b in b0..(b0 + TILE).min(a + 1) {
                            put(a, b, super::fdot(&u[a], &w[b]));
                        }
                        break;
                    }
                    // Rows a and a + 1: columns up to a + 1 (the lower triangle).
                    let b_end = (b0 + TILE).min(a + 2);
                    let mut b = b0;
                    while b + 1 < b_end {
                        let [v00, v01, v10, v11] = super::fdot2x2(&u[a], &u[a + 1], &w[b], &w[b + 1]);
                        if b < a {
                            put(a, b + 1, v01);
                        }
                        put(a, b, v00);
                        put(a + 1, b, v10);
                        put(a + 1, b + 1, v11);
                        b += 2;
                    }
                    if b < b_end {
                        if b <= a {
                            put(a, b, super::fdot(&u[a], &w[b]));
                        }
                        put(a + 1, b, super::fdot(&u[a + 1], &w[b]));
                    }
                    a += 2;
                }
            }
        }
        if !cholesky(&mut kk, k) {
            return None;
        }
        normal.chol = kk;
        Some(normal)
    }

    /// `A⁻¹ v` for the arrowhead `A`.
    fn arrow_solve(&self, v: &[f64]) -> Vec<f64> {
        let last = self.delta.len();
        if last == v.len() {
            return v.iter().zip(&self.delta).map(|(x, d)| x / d).collect();
        }
        let t: f64 = (0..last).map(|j| self.e[j] * v[j] / self.delta[j]).sum();
        let xr = (v[last] - t) / self.schur;
        let mut x: Vec<f64> = (0..last).map(|j| (v[j] - self.e[j] * xr) / self.delta[j]).collect();
        x.push(xr);
        x
    }

    /// `(A + U Uᵀ)⁻¹ v = y - W (I + Uᵀ W)⁻¹ Uᵀ y` with `y = A⁻¹ v`, `W = A⁻¹ U`.
    fn solve(&self, v: &[f64]) -> Vec<f64> {
        let mut y = self.arrow_solve(v);
        let k = self.u.len();
        if k == 0 {
            return y;
        }
        let mut t: Vec<f64> = self.u.iter().map(|col| super::fdot(col, &y)).collect();
        cholesky_solve(&self.chol, k, &mut t);
        for (col, &ta) in self.w.iter().zip(&t) {
            for (yj, wj) in y.iter_mut().zip(col) {
                *yj -= ta * wj;
            }
        }
        y
    }
}

/// Up to this many unknowns the normal matrix is formed and factored whole (`O(n³)` a
/// step): the Woodbury form loses accuracy where the box-like rows are weak against the
/// dense ones, which small problems afford to avoid.
const DENSE_UP_TO: usize = 320;

/// The Newton system's solver.
enum Solver {
    Woodbury(Normal),
    /// The Cholesky factor of the whole normal matrix (lower, row-major `n × n`).
    Dense(Vec<f64>),
}

impl Solver {
    fn solve(&self, v: &[f64]) -> Vec<f64> {
        match self {
            Solver::Woodbury(normal) => normal.solve(v),
            Solver::Dense(chol) => {
                let mut x = v.to_vec();
                cholesky_solve(chol, v.len(), &mut x);
                x
            }
        }
    }
}

/// `Gᵀ D G` formed whole and factored: box-like rows touch four entries each, dense rows
/// add `D_i g_i g_iᵀ`. A tiny multiple of the diagonal is added if it is not positive definite
/// in floats (a proposal only).
fn dense_normal(st: &Structure, dd: &[f64]) -> Option<Vec<f64>> {
    let Structure { g, shapes, dense, n, last } = *st;
    let mut m = vec![0.0; n * n];
    for (i, shape) in shapes.iter().enumerate() {
        if let Shape::Box { j, alpha, beta } = *shape {
            m[j * n + j] += dd[i] * alpha * alpha;
            if last < n {
                m[j * n + last] += dd[i] * alpha * beta;
                m[last * n + j] += dd[i] * alpha * beta;
                m[last * n + last] += dd[i] * beta * beta;
            }
        }
    }
    for &i in dense {
        let row = &g[i];
        for a in 0..n {
            let f = dd[i] * row[a];
            if f != 0.0 {
                for b in 0..=a {
                    m[a * n + b] += f * row[b];
                }
            }
        }
    }
    let top = (0..n).map(|a| m[a * n + a]).fold(0.0, f64::max);
    if !(top.is_finite() && top > 0.0) {
        return None;
    }
    for shift in [0.0, 1e-12, 1e-9] {
        let mut f = m.clone();
        for a in 0..n {
            f[a * n + a] += shift * top;
        }
        if cholesky(&mut f, n) {
            return Some(f);
        }
    }
    None
}

/// The Cholesky factor of the symmetric `k × k` matrix `a` (lower triangle read), in place;
/// `false` unless positive definite in floats.
fn cholesky(a: &mut [f64], k: usize) -> bool {
    // Row by row; in each row four entries at a time share the loop over their common
    // prefix (four independent chains for the pipeline). Each entry still subtracts its
    // terms in the order t = 0, 1, ..., so the factor is the one of the plain loop.
    const CHAINS: usize = 4;
    for r in 0..k {
        let mut c0 = 0;
        while c0 <= r {
            let n = CHAINS.min(r + 1 - c0);
            let mut v = [0.0f64; CHAINS];
            for (u, vu) in v.iter_mut().enumerate().take(n) {
                *vu = a[r * k + c0 + u];
            }
            for t in 0..c0 {
                let x = a[r * k + t];
                for (u, vu) in v.iter_mut().enumerate().take(n) {
                    *vu -= x * a[(c0 + u) * k + t];
                }
            }
            for u in 0..n {
                let c = c0 + u;
                let mut vu = v[u];
                for t in c0..c {
                    vu -= a[r * k + t] * a[c * k + t];
                }
                if r == c {
                    if !(vu > 0.0 && vu.is_finite()) {
                        return false;
                    }
                    a[r * k + r] = vu.sqrt();
                } else {
                    a[r * k + c] = vu / a[c * k + c];
                }
            }
            c0 += n;
        }
    }
    true
}

/// Solves `L Lᵀ x = b` in place for the factor `l` of [`cholesky`].
fn cholesky_solve(l: &[f64], k: usize, x: &mut [f64]) {
    for a in 0..k {
        let mut v = x[a];
        for b in 0..a {
            v -= l[a * k + b] * x[b];
        }
        x[a] = v / l[a * k + a];
    }
    for a in (0..k).rev() {
        let mut v = x[a];
        for b in a + 1..k {
            v -= l[b * k + a] * x[b];
        }
        x[a] = v / l[a * k + a];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The four-chain Cholesky gives, bit for bit, the factor of the plain row-by-row loop
    /// (and refuses the same matrices).
    #[test]
    fn cholesky_is_the_plain_loop() {
        fn plain(a: &mut [f64], k: usize) -> bool {
            for r in 0..k {
                for c in 0..=r {
                    let mut v = a[r * k + c];
                    for t in 0..c {
                        v -= a[r * k + t] * a[c * k + t];
                    }
                    if r == c {
                        if !(v > 0.0 && v.is_finite()) {
                            return false;
                        }
                        a[r * k + r] = v.sqrt();
                    } else {
                        a[r * k + c] = v / a[c * k + c];
                    }
                }
            }
            true
        }
        let mut rng = crate::network::random::SplitMix64(9);
        for k in 0..40 {
            // M Mᵀ + shift I, with the shift sometimes too small (indefinite after rounding).
            let m: Vec<f64> = (0..k * k).map(|_| rng.normal()).collect();
            let shift = if k % 3 == 0 { -0.5 } else { 0.1 };
            let mut a = vec![0.0; k * k];
            for r in 0..k {
                for c in 0..k {
                    a[r * k + c] = (0..k).map(|t| m[r * k + t] * m[c * k + t]).sum::<f64>()
                        + if r == c { shift } else { 0.0 };
                }
            }
            let (mut x, mut y) = (a.clone(), a);
            let (ok_x, ok_y) = (cholesky(&mut x, k), plain(&mut y, k));
            assert_eq!(ok_x, ok_y, "order {k}");
            if ok_x {
                let bits = |v: &[f64]| v.iter().map(|u| u.to_bits()).collect::<Vec<u64>>();
                assert_eq!(bits(&x), bits(&y), "order {k}");
            }
        }
    }

    /// The normal matrix's `I + Uᵀ W`, formed in tiles two by two, is bit for bit the plain
    /// loop of `fdot`s (then so is its factor), for dense parts of 0 to 75 rows (tiles
    /// full and partial, odd and even ends).
    #[test]
    fn normal_matrix_is_the_plain_loop() {
        let mut rng = crate::network::random::SplitMix64(11);
        for k in (0..76).step_by(3).chain([1, 2, 32, 33, 64, 65]) {
            let n = 5 + k % 7;
            let mut g: Vec<Vec<f64>> = Vec::new();
            for j in 0..n {
                for sign in [1.0, -1.0] {
                    let mut row = vec![0.0; n];
                    row[j] = sign;
                    g.push(row);
                }
            }
            for _ in 0..k {
                g.push((0..n).map(|_| rng.normal()).collect());
            }
            let shapes: Vec<Shape> = (0..g.len())
                .map(|i| {
                    if i < 2 * n {
                        Shape::Box { j: i / 2, alpha: g[i][i / 2], beta: 0.0 }
                    } else {
                        Shape::Dense
                    }
                })
                .collect();
            let dense: Vec<usize> = (2 * n..g.len()).collect();
            let dd: Vec<f64> = (0..g.len()).map(|_| 0.5 + rng.normal().abs()).collect();
            let st = Structure { g: &g, shapes: &shapes, dense: &dense, n, last: n };
            let normal = Normal::new(&st, &dd).expect("positive definite");
            let mut plain = vec![0.0; k * k];
            for a in 0..k {
                for b in 0..=a {
                    plain[a * k + b] =
                        super::super::fdot(&normal.u[a], &normal.w[b]) + if a == b { 1.0 } else { 0.0 };
                }
            }
            assert!(cholesky(&mut plain, k));
            let bits = |v: &[f64]| v.iter().map(|u| u.to_bits()).collect::<Vec<u64>>();
            assert_eq!(bits(&normal.chol), bits(&plain), "{k} dense rows");
        }
    }

    /// On random box-plus-dense radius LPs (the structure of the insphere LPs), the rows the
    /// interior-point method finds tight are those of the active-set method's vertex, and
    /// the objective values agree.
    #[test]
    fn interior_point_finds_the_active_set_vertex() {
        let mut rng = crate::network::random::SplitMix64(5);
        let mut agreed = 0;
        for t in 0..40 {
            let d = 3 + t % 12;
            let k = 1 + t % 5;
            let mut g: Vec<Vec<f64>> = Vec::new();
            let mut h: Vec<f64> = Vec::new();
            for j in 0..d {
                for sign in [1.0, -1.0] {
                    let mut row = vec![0.0; d + 1];
                    row[j] = sign;
                    row[d] = 1.0;
                    g.push(row);
                    h.push(if sign > 0.0 { 1.0 } else { 0.0 });
                }
            }
            for _ in 0..k {
                let mut row: Vec<f64> = (0..d).map(|_| rng.small_int(1000) as f64 / 1000.0).collect();
                let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
                row.iter_mut().for_each(|v| *v /= norm);
                row.push(1.0);
                let b = row[..d].iter().map(|v| v * 0.5).sum::<f64>()
                    + 0.05
                    + (rng.small_int(100) as f64 / 1000.0).abs();
                g.push(row);
                h.push(b);
            }
            let c: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
            let mut z0 = vec![0.5; d];
            z0.push(-1.0);
            let ipm = ipm_max(&g, &h, &c, &z0, true).expect("converges");
            let (out, x) = crate::lp::guided::float_lp_point(&g, &h, &c, &z0);
            let crate::lp::guided::FloatLp::Vertex(w) = out else {
                panic!("t={t}: the active set gives a vertex")
            };
            assert!((ipm.z[d] - x[d]).abs() <= 1e-6, "t={t}: radius {} vs {}", ipm.z[d], x[d]);
            let mut w = w;
            w.sort_unstable();
            agreed += usize::from(ipm.tight_rows(d + 1) == w);
        }
        assert!(agreed >= 36, "the tight rows agreed on {agreed} of 40");
    }
}
