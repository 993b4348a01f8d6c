//! Inspheres: the largest inscribed axis-aligned cube (L-inf, exact) and the largest
//! inscribed ball (L2, certified rational bounds on an irrational radius).

use super::halfspaces::*;
use crate::arith::filter;
use crate::arith::minors::*;
use crate::arith::num::{Q, Z, common_denominator, norm1, norm2_sq, q_new, sqrt_bounds, ten_pow_neg};
use crate::lp::guided::*;
use crate::lp::ipm::ipm_max;
use crate::lp::{LpOutcome, maximize_primal as maximize};
use num_traits::{One, Signed, Zero};

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

impl Halfspaces {
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
        self.linf_insphere_bounded_from(d, None)
    }

    /// [`Self::linf_insphere_bounded`] with the float LP started at the centre `start` (any
    /// point: the radius there is the largest every row allows) instead of the origin.
    pub(crate) fn linf_insphere_bounded_from(
        &self,
        d: usize,
        start: Option<&[f64]>,
    ) -> (LinfInsphere, Option<bool>) {
        let w: Vec<Q> = self.a.iter().map(|r| norm1(r)).collect();
        match self.max_radius_told(d, &w, start) {
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
    pub(crate) fn max_radius_told(
        &self,
        d: usize,
        w: &[Q],
        start: Option<&[f64]>,
    ) -> (Option<(Vec<Q>, Q)>, bool) {
        let ipm = start.and_then(|c| self.radius_ipm_guess(d, w, c));
        if let Some((basis, _)) = &ipm {
            match self.certify_radius(d, w, basis, true) {
                Some((c, r)) if c.is_empty() => return (Some((self.nearest_center(d, w, &r), r)), false),
                Some(unique) => return (Some(unique), true),
                None => {}
            }
        }
        // The active-set method from the interior-point method's last centre (near the
        // optimum: few steps) when it did not settle it, then from the given centre.
        let starts = [ipm.as_ref().map(|(_, z)| &z[..d]), start];
        for (t, from) in starts.into_iter().enumerate() {
            if t == 0 && from.is_none() {
                continue;
            }
            match self.radius_guess(d, w, from) {
                FloatLp::Vertex(basis) => match self.certify_radius(d, w, &basis, true) {
                    Some((c, r)) if c.is_empty() => return (Some((self.nearest_center(d, w, &r), r)), false),
                    Some(unique) => return (Some(unique), true),
                    None => {}
                },
                // A face of optimal centres (fewer than d + 1 tight rows).
                FloatLp::Face(rows, exit) => {
                    if let Some((r, c)) = self.certify_face(d, w, &rows) {
                        return (Some((c, r)), false);
                    }
                    // Not a face of optima: the vertex where the row that blocks the
                    // objective's remaining direction joins.
                    if let Some(i) = exit {
                        let basis: Vec<usize> = rows.iter().copied().chain([i]).collect();
                        match self.certify_radius(d, w, &basis, true) {
                            Some((c, r)) if c.is_empty() => {
                                return (Some((self.nearest_center(d, w, &r), r)), false);
                            }
                            Some(unique) => return (Some(unique), true),
                            None => {}
                        }
                    }
                }
                FloatLp::Ray(p, _) if self.certify_unbounded_radius(&p) => return (None, false),
                _ => {}
            }
        }
        let told = self.max_radius_exact(d, w).map(|(_, r)| (self.nearest_center(d, w, &r), r));
        (told, false)
    }

    /// The point nearest the origin of `{c : a_i·c <= b_i - w_i·r}`: for the optimal radius
    /// `r` of the radius LP with weights `w`, the optimal centre nearest the origin (unique;
    /// see `lp::nearest`). Panics if that set is empty (`r` above the optimum).
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
        crate::lp::nearest::nearest(d, &rows, &hn, &(l * r.denom()))
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
    pub(crate) fn certify_unbounded_radius(&self, p: &[f64]) -> bool {
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
    pub(crate) fn max_radius_exact(&self, d: usize, w: &[Q]) -> Option<(Vec<Q>, Q)> {
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
    pub(crate) fn max_radius_guided(&self, d: usize, w: &[Q]) -> Option<(Vec<Q>, Q)> {
        match self.radius_guess(d, w, None) {
            FloatLp::Vertex(basis) => self.certify_radius(d, w, &basis, true).filter(|(c, _)| !c.is_empty()),
            _ => None,
        }
    }

    /// The rows of the radius LP that the interior-point method ([`ipm_max`]) finds tight
    /// from the centre `start`: `d + 1` rows to certify. `None` unless every coordinate has
    /// a box-like row (one nonzero: the box's faces), which the method needs.
    pub(crate) fn radius_ipm_guess(
        &self,
        d: usize,
        w: &[Q],
        start: &[f64],
    ) -> Option<(Vec<usize>, Vec<f64>)> {
        if !self.is_integral() {
            return None;
        }
        let (af, bf) = self.radius_rows_f(w);
        let z0: Vec<f64> = start.iter().copied().chain([largest_radius_at(&af, &bf, start) - 1.0]).collect();
        if !z0.iter().all(|v| v.is_finite()) {
            return None;
        }
        let obj: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
        let found = ipm_max(&af, &bf, &obj, &z0, true)?;
        Some((found.tight_rows(d + 1), found.z))
    }

    /// The optimum of the radius LP (weights `w`) when a float method ends on a face with
    /// the tight rows `face` (fewer than `d + 1`: the optimal centres are not unique), with
    /// the optimal centre nearest the origin: multipliers `y >= 0` on those rows with
    /// `Σ y_i (a_i, w_i) = (0, 1)` (one fraction-free solve of the tall system) bound every
    /// radius by `r* = Σ y_i b_i` (weak duality), and a centre with radius `r*` exists iff
    /// [`Self::nearest_point`] finds one. `None` unless both hold.
    pub(crate) fn certify_face(&self, d: usize, w: &[Q], face: &[usize]) -> Option<(Q, Vec<Q>)> {
        if face.is_empty() || !self.is_integral() {
            return None;
        }
        let (pw, l) = common_denominator(w);
        let m: Vec<Vec<Z>> = (0..=d)
            .map(|j| {
                face.iter()
                    .map(|&i| if j < d { self.a[i][j].numer().clone() } else { pw[i].clone() })
                    .collect()
            })
            .collect();
        let rhs: Vec<Z> = (0..=d).map(|j| if j < d { Z::zero() } else { l.clone() }).collect();
        let (den, y) = solve_columns(&m, &rhs)?;
        let negative = den.is_negative();
        if y.iter().any(|v| if negative { v.is_positive() } else { v.is_negative() }) {
            return None;
        }
        let value: Z = y.iter().zip(face).map(|(v, &i)| v * self.b[i].numer()).sum();
        let r = q_new(value, den);
        let c = self.nearest_point(d, w, &r)?;
        Some((r, c))
    }

    /// The radius LP's rows as floats, each divided by its weight (the same LP, comparable
    /// scales for the float methods): `(a_i / w_i, 1)` and `b_i / w_i`.
    fn radius_rows_f(&self, w: &[Q]) -> (Vec<Vec<f64>>, Vec<f64>) {
        let to_f = filter::guess;
        self.a
            .iter()
            .zip(&self.b)
            .zip(w)
            .map(|((r, b), wi)| {
                let s = to_f(wi);
                (r.iter().map(|v| to_f(v) / s).chain(std::iter::once(1.0)).collect(), to_f(b) / s)
            })
            .unzip()
    }

    /// The float active-set guess of [`Self::max_radius_guided`]: `d + 1` rows, or a ray.
    /// From the centre `start` when given (with the radius every row allows there), else
    /// from the origin with a radius below every row's.
    pub(crate) fn radius_guess(&self, d: usize, w: &[Q], start: Option<&[f64]>) -> FloatLp {
        if !self.is_integral() {
            return FloatLp::Fail;
        }
        let (af, bf) = self.radius_rows_f(w);
        let x0: Vec<f64> = match start {
            Some(c) => c.iter().copied().chain([largest_radius_at(&af, &bf, c)]).collect(),
            // At c = 0 with a radius every row allows.
            None => {
                let r0 = bf.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
                (0..=d).map(|j| if j == d { r0 } else { 0.0 }).collect()
            }
        };
        if !x0.iter().all(|v| v.is_finite()) {
            return FloatLp::Fail;
        }
        let obj: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
        float_lp(&af, &bf, &obj, &x0)
    }

    /// The exact check of [`Self::max_radius_guided`] for the rows `basis`: the optimal
    /// radius, with the centre when `with_center` and every multiplier is strictly positive
    /// (the unique optimum); else the centre is empty (zero multipliers certify the value,
    /// which does not depend on the vertex, but not a unique centre).
    pub(crate) fn certify_radius(
        &self,
        d: usize,
        w: &[Q],
        basis: &[usize],
        with_center: bool,
    ) -> Option<(Vec<Q>, Q)> {
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
    pub(crate) fn certify_radii(
        &self,
        d: usize,
        ws: &[(&[Q], bool)],
        basis: &[usize],
    ) -> Vec<Option<(Vec<Q>, Q)>> {
        if basis.len() != d + 1 || !self.is_integral() {
            return vec![None; ws.len()];
        }
        if d + 1 > SHARED_MINORS_ORDER {
            return ws
                .iter()
                .map(|&(w, with_center)| self.certify_radius_solved(d, w, basis, with_center))
                .collect();
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
        let mut rows_ab: Option<super::points::FloatRowsAb> = None;
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
                // Every row holds at the vertex (the basis rows with equality, by Cramer's rule).
                let rows_ab = rows_ab.get_or_insert_with(|| self.float_rows_ab());
                self.ball_at_vertex(d, basis, &pw, &l, (x, xr, dd), rows_ab, with_center && !zero)
            })
            .collect();
        drop(minors);
        RADII_MINORS.with(|c| *c.borrow_mut() = Some(RadiiMinors { full, cof, ncof }));
        told
    }

    /// The ball `(centre, radius)` at the vertex `(X, X_r) / D` (`D > 0`) of a radius LP whose
    /// weights are `pw / l`, if the vertex satisfies every row off the basis:
    /// `a_k·X + P_k·X_r <= b_k·D`, by a float filter when it decides, else in integers.
    /// `rows_ab` are [`Self::float_rows_ab`]; the centre is empty unless `with_center`.
    #[allow(clippy::too_many_arguments)]
    fn ball_at_vertex(
        &self,
        d: usize,
        basis: &[usize],
        pw: &[Z],
        l: &Z,
        (x, xr, dd): (Vec<Z>, Z, Z),
        rows_ab: &[Vec<f64>],
        with_center: bool,
    ) -> Option<(Vec<Q>, Q)> {
        let (xr, dd) = (&xr, &dd);
        let fx: Vec<f64> =
            x.iter().chain([xr]).map(filter::z_to_f64).chain([-filter::z_to_f64(dd)]).collect();
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
                    let lhs: Z = (0..d).map(|j| self.a[k][j].numer() * &x[j]).sum::<Z>() + &pw[k] * xr;
                    lhs <= self.b[k].numer() * dd
                }
            }
        });
        if !feasible {
            return None;
        }
        let r = q_new(xr * l, dd.clone());
        let center =
            if with_center { x.into_iter().map(|v| q_new(v, dd.clone())).collect() } else { Vec::new() };
        Some((center, r))
    }

    /// [`Self::certify_radii`] for one weight vector by two fraction-free solves of the
    /// basis system `M = [A_B | w_B]` (`O(d^3)` each) instead of every minor (`O(d^5)`): the
    /// vertex `(x, r) = M^-1 b_B` and the multipliers `y = M^-T e_r`, whose signs certify
    /// optimality. The same vertex, so the same answer.
    fn certify_radius_solved(
        &self,
        d: usize,
        w: &[Q],
        basis: &[usize],
        with_center: bool,
    ) -> Option<(Vec<Q>, Q)> {
        let (pw, l) = common_denominator(w);
        let num = |i: usize, j: usize| self.a[i][j].numer().clone();
        let m: Vec<Vec<Z>> =
            basis.iter().map(|&i| (0..d).map(|j| num(i, j)).chain([pw[i].clone()]).collect()).collect();
        let mt: Vec<Vec<Z>> = (0..=d).map(|j| m.iter().map(|row| row[j].clone()).collect()).collect();
        let e: Vec<Z> = (0..=d).map(|j| Z::from(u8::from(j == d))).collect();
        let (dt, y) = solve_columns(&mt, &e)?;
        // y_t = Y_t / det: every multiplier of max r must be >= 0; a zero one leaves the value
        // certified but the vertex perhaps not the only optimum.
        let mut zero = false;
        if y.iter().any(|yt| {
            let s = if dt.is_negative() { -yt.signum() } else { yt.signum() };
            zero |= s.is_zero();
            s.is_negative()
        }) {
            return None;
        }
        let b: Vec<Z> = basis.iter().map(|&i| self.b[i].numer().clone()).collect();
        let (mut dd, mut x) = solve_columns(&m, &b)?;
        if dd.is_negative() {
            dd = -dd;
            x.iter_mut().for_each(|v| *v = -&*v);
        }
        let xr = x.pop().expect("d + 1 unknowns");
        self.ball_at_vertex(d, basis, &pw, &l, (x, xr, dd), &self.float_rows_ab(), with_center && !zero)
    }

    /// Certified Euclidean insphere with `radius_upper - radius_lower <=
    /// 10^-digits · max(1, radius_upper)`: the LP is solved with every `||a_i||_2`
    /// replaced by a rational upper bound (a feasible ball: the lower radius) and by a
    /// rational lower bound (a relaxation: the upper radius); bounds tighten until the gap
    /// meets the tolerance.
    ///
    /// ```
    /// use linregions::{Grouped, Insphere, Q, Source, group_rows};
    /// let q = |v: i64| Q::from_integer(v.into());
    /// // The triangle x >= 0, y >= 0, x + y <= 1: inradius (2 - sqrt 2) / 2 = 0.2928...
    /// let rows = vec![
    ///     (vec![q(-1), q(0)], q(0), Source::Domain(0)),
    ///     (vec![q(0), q(-1)], q(0), Source::Domain(1)),
    ///     (vec![q(1), q(1)], q(1), Source::Domain(2)),
    /// ];
    /// let Grouped::Rows(h) = group_rows(rows) else { panic!() };
    /// let Insphere::Finite { center, radius_lower, radius_upper } = h.l2_insphere(2, 12) else { panic!() };
    /// let r = 1.0 - std::f64::consts::SQRT_2 / 2.0;
    /// let f = |q: &Q| linregions::num::to_f64(q);
    /// assert!(f(&radius_lower) <= r && r <= f(&radius_upper) && f(&radius_upper) - f(&radius_lower) < 1e-11);
    /// assert!(h.contains_ball(&center, &radius_lower)); // the lower bound's ball fits, checked exactly
    /// ```
    pub fn l2_insphere(&self, d: usize, digits: u32) -> Insphere {
        self.l2_insphere_from(d, digits, None)
    }

    /// [`Self::l2_insphere`] with the float LP started at the centre `start`.
    pub(crate) fn l2_insphere_from(&self, d: usize, digits: u32, start: Option<&[f64]>) -> Insphere {
        let tol = ten_pow_neg(digits);
        let mut bits = (digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 8;
        loop {
            let Some((center, radius_lower, radius_upper)) = self.l2_bounds_from(d, bits, start) else {
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
        self.l2_bounds_from(d, bits, None)
    }

    /// [`Self::l2_bounds`] with the float LP started at the centre `start`.
    pub(crate) fn l2_bounds_from(
        &self,
        d: usize,
        bits: u32,
        start: Option<&[f64]>,
    ) -> Option<(Vec<Q>, Q, Q)> {
        let (lo, hi): (Vec<Q>, Vec<Q>) = self.a.iter().map(|r| norm_bounds(r, bits)).unzip();
        // Both LPs differ only far below float precision: one float guess serves both.
        let certify = |b: &[usize]| {
            let mut told = self.certify_radii(d, &[(&hi, true), (&lo, false)], b);
            let lo_told = told.pop().flatten();
            (told.pop().flatten(), lo_told)
        };
        let ipm = start.and_then(|c| self.radius_ipm_guess(d, &hi, c));
        let from_ipm = ipm.as_ref().map(|(b, _)| certify(b));
        // Each LP's answer from the first guess that certifies it (a certified optimum is the
        // same whichever basis shows it).
        let (mut hi_told, mut lo_told) = from_ipm.unwrap_or((None, None));
        // Then the active-set method from the given centre, and from the interior-point
        // method's if that differs.
        let starts = [start, ipm.as_ref().map(|(_, z)| &z[..d])];
        for (t, from) in starts.into_iter().enumerate() {
            if (hi_told.is_some() && lo_told.is_some()) || (t == 1 && from.is_none()) {
                break;
            }
            match self.radius_guess(d, &hi, from) {
                FloatLp::Vertex(b) => {
                    let (h, l) = certify(&b);
                    hi_told = hi_told.or(h);
                    lo_told = lo_told.or(l);
                }
                // A face of optimal centres (fewer than d + 1 tight rows): each LP's optimum
                // from multipliers on the face's rows and a centre at that radius.
                FloatLp::Face(rows, exit) => {
                    if hi_told.is_none() {
                        hi_told = self.certify_face(d, &hi, &rows).map(|(r, c)| (c, r));
                    }
                    if lo_told.is_none() {
                        lo_told = self.certify_face(d, &lo, &rows).map(|(r, c)| (c, r));
                    }
                    // Not a face of optima: the vertex where the blocking row joins.
                    if let (Some(i), true) = (exit, hi_told.is_none() || lo_told.is_none()) {
                        let basis: Vec<usize> = rows.iter().copied().chain([i]).collect();
                        let (h, l) = certify(&basis);
                        hi_told = hi_told.or(h);
                        lo_told = lo_told.or(l);
                    }
                }
                FloatLp::Ray(p, _) if self.certify_unbounded_radius(&p) => return None,
                _ => {}
            }
        }
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
pub(crate) struct RadiiMinors {
    pub(crate) full: Vec<Vec<Z>>,
    pub(crate) cof: Vec<Z>,
    pub(crate) ncof: Option<Vec<Vec<Z>>>,
}

thread_local! {
    static RADII_MINORS: std::cell::RefCell<Option<RadiiMinors>> = const { std::cell::RefCell::new(None) };
    /// [`norm_bounds`] by `(||a||², bits)`, per thread, emptied when it reaches
    /// [`NORM_BOUNDS_CAP`] entries.
    static NORM_BOUNDS: std::cell::RefCell<rustc_hash::FxHashMap<(Q, u32), (Q, Q)>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// The largest order of `[A_B | b_B]` whose minors [`Minors`] computes all at once (it shares
/// them up to order 8); past it, [`Halfspaces::certify_radius_solved`] solves the system.
const SHARED_MINORS_ORDER: usize = 8;

/// Entries of the per-thread [`norm_bounds`] memo (a few hundred bytes each).
pub(crate) const NORM_BOUNDS_CAP: usize = 1 << 14;

/// `sqrt_bounds(||a||², bits)`, remembered per thread: regions of a walk share most of their
/// facet rows (a first layer's rows are every region's), and the integer square root is a
/// few big divisions. Found only by an equal key, so results never depend on it.
pub(crate) fn norm_bounds(a: &[Q], bits: u32) -> (Q, Q) {
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

/// The largest radius every row of [`Halfspaces::radius_rows_f`] allows at the centre `c`:
/// `min_i b_i - a_i·c` (weights 1 after the division).
fn largest_radius_at(af: &[Vec<f64>], bf: &[f64], c: &[f64]) -> f64 {
    af.iter()
        .zip(bf)
        .map(|(a, b)| b - a.iter().zip(c).map(|(u, v)| u * v).sum::<f64>())
        .fold(f64::INFINITY, f64::min)
}
