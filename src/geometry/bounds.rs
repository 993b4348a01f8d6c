//! Coordinate bounds, boundedness and recession rays of a polyhedron, certified exactly.

use super::halfspaces::*;
use crate::arith::filter;
use crate::arith::minors::*;
use crate::arith::num::{Q, Z, q_new};
use crate::lp::guided::*;
use crate::lp::{LpOutcome, maximize_primal as maximize};
use num_traits::{One, Signed, Zero};

impl Halfspaces {
    /// [`Self::bounds`] from float guesses made at the interior point `inner_f`, each
    /// certified exactly: a vertex by [`certified_vertex`] (the value is unique even when the
    /// vertex is not), an unbounded direction by [`exact_ray`]; the simplex otherwise. Same
    /// values. Rows must be integral.
    pub(crate) fn bounds_guided(&self, d: usize, inner_f: &[f64]) -> (Vec<Option<Q>>, Vec<Option<Q>>) {
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
                    FloatLp::Face(..) | FloatLp::Reached(_) | FloatLp::Fail => None,
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
    pub(crate) fn is_bounded_exact(&self, d: usize) -> bool {
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
    pub(crate) fn recession_ray_guided(&self, d: usize) -> bool {
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
    pub(crate) fn recession_ray_from(&self, d: usize, af: &[Vec<f64>], v: &[f64]) -> bool {
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
        let Some(z) = crate::lp::nearest::solve(gram, rhs) else { return false };
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
}
