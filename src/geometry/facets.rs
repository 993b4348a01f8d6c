//! Irredundant facets with relative-interior points: float LPs propose, each answer is
//! certified exactly (witness point or Farkas certificate), Clarkson's method for the rest;
//! the 2D special case by angular sweeps.

use super::HIGH_DIM;
use super::halfspaces::*;
use super::points::FloatRowsAb;
use crate::arith::filter::{self, Approx};
use crate::arith::minors::*;
use crate::arith::num::{Q, Z, common_denominator, dot, q_new};
use crate::lp::guided::*;
use crate::lp::ipm::ipm_max;
use crate::lp::{PointOutcome, maximize_point};
use num_traits::{One, Signed, Zero};

/// Past [`HIGH_DIM`] inputs, [`Halfspaces::facets_guided`] caps the active-set method of each
/// row at this many steps and asks the interior-point method about the rows left.
const HIGH_DIM_STEPS: usize = 256;

impl Halfspaces {
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
        rows_f: &FloatRowsAb,
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
    pub(crate) fn facets_guided(&self, inner: &[Q]) -> Vec<(usize, FacetPoint)> {
        let (n, d) = (self.len(), inner.len());
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
        let sparse = SparseRows::new(&af);
        let mut gram = GramColumns::new(&sparse);
        let slacks: Vec<f64> = (0..n).map(|k| bf[k] - sparse.dot(k, &inner_f)).collect();
        for k in 0..n {
            let slack = slacks[k];
            if !(slack > 0.0 && slack.is_finite()) {
                continue;
            }
            // The foot of the perpendicular from `inner` to row k, when the float ray along
            // a_k meets row k clearly first: a facet point to certify without the LP.
            let first = (0..n).all(|i| {
                let g = gram.entry(&sparse, i, k);
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
            // Row k moved out by its slack: the optimum is beyond row k iff it is a facet,
            // and the method may stop once half way there.
            moved[k] = bf[k] + slack;
            // In high dimension a facet is reached in a few steps; a row still short after
            // `HIGH_DIM_STEPS` is likely redundant, and the interior-point method proposes
            // the optimal vertex's rows (a Farkas certificate to check) at a fraction of the
            // active-set method's pivots.
            let cap = (d > HIGH_DIM).then_some(HIGH_DIM_STEPS);
            // The start slacks: those at `inner`, row k's moved out by its slack.
            let start = |k: usize| -> Vec<f64> {
                let mut s = slacks.clone();
                s[k] += slack;
                s
            };
            let objective = RowObjective { k, gram: &mut gram, slack: start(k) };
            let (mut out, mut x) =
                float_lp_rows_gram(&sparse, &moved, objective, &inner_f, Some(bf[k] + 0.5 * slack), cap);
            if cap.is_some() && matches!(out, FloatLp::Fail) {
                if let Some(ipm) = ipm_max(&af, &moved, &af[k], &inner_f, false) {
                    // An optimum beyond row k: the crossing from `inner` is a facet point to
                    // certify; else the tight rows may prove row k implied.
                    let beyond = sparse.dot(k, &ipm.z) - bf[k];
                    let settle = if beyond > 0.0 {
                        let t = slack / (slack + beyond);
                        let q: Vec<f64> = inner_f.iter().zip(&ipm.z).map(|(c, v)| c + t * (v - c)).collect();
                        self.certified_facet_point(k, &q, &rows_ab).map(|p| found.push((k, p))).is_some()
                    } else {
                        // The multipliers' support first: at a face of optima (free
                        // directions, common in high dimension) the `d` smallest ratios
                        // take rows that carry no multiplier and the square system
                        // refuses; the support's tall system has the certificate.
                        let implied_by = |w: &[usize]| !w.is_empty() && !w.contains(&k) && self.implied(k, w);
                        implied_by(&ipm.support_rows(d)) || implied_by(&ipm.tight_rows(d))
                    };
                    if settle {
                        moved[k] = bf[k];
                        settled[k] = true;
                        continue;
                    }
                }
                let objective = RowObjective { k, gram: &mut gram, slack: start(k) };
                (out, x) =
                    float_lp_rows_gram(&sparse, &moved, objective, &inner_f, Some(bf[k] + 0.5 * slack), None);
            }
            moved[k] = bf[k];
            let beyond = sparse.dot(k, &x) - bf[k];
            let w = match out {
                FloatLp::Vertex(w) | FloatLp::Face(w, _) | FloatLp::Reached(w) => w,
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
    pub(crate) fn certified_facet_point(
        &self,
        k: usize,
        q: &[f64],
        rows_f: &FloatRowsAb,
    ) -> Option<FacetPoint> {
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
    pub(crate) fn simplify_grid_point(
        &self,
        k: usize,
        r: &[Z],
        bits: usize,
        x: &[Z],
        l: &Z,
        rows_f: &FloatRowsAb,
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
    pub(crate) fn edge_point(&self, k: usize, ends: [Option<usize>; 2], inner: &[Q]) -> (Vec<Z>, Z) {
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
    pub(crate) fn facets_clarkson_from(
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
            let den = lo
                .iter()
                .chain(&hi)
                .flatten()
                .fold(Z::one(), |acc, v| crate::arith::num::lcm_pos(&acc, v.denom()));
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
    /// zero and checked on the other columns (past 5 dimensions by one solve,
    /// [`Self::implied_solved`]). `false` if no such `y` exists or the rows of `w` are
    /// dependent. Rows must be integral.
    pub(crate) fn implied(&self, k: usize, w: &[usize]) -> bool {
        // The float filter expands determinants by cofactors (`n!` products): orders up to 5.
        if w.len() == self.a[k].len()
            && w.len() <= 5
            && let Some(told) = self.implied_filtered(k, w)
        {
            return told;
        }
        self.implied_exact(k, w)
    }

    /// [`Self::implied`] in integers only.
    pub(crate) fn implied_exact(&self, k: usize, w: &[usize]) -> bool {
        // Past order 5 a determinant is an elimination (`det_int`): one solve of the system
        // costs less than the r + 1 determinants of Cramer's rule (6-8-8-1: 18% of the walk).
        if self.a[k].len() > 5 { self.implied_solved(k, w) } else { self.implied_cramer(k, w) }
    }

    /// [`Self::implied_exact`] by Cramer's rule on the first set of `|w|` columns whose
    /// minor is not zero (determinants by cofactors up to order 5).
    pub(crate) fn implied_cramer(&self, k: usize, w: &[usize]) -> bool {
        let d = self.a[k].len();
        let r = w.len();
        if r == 0 || r > d {
            return false;
        }
        if d > 16 {
            return self.implied_solved(k, w);
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

    /// [`Self::implied_exact`] by one fraction-free solve of `Σ y_t a_t = a_k` over the rows
    /// `w` (no search over column sets: the way past 5 dimensions). The multipliers are
    /// unique when the rows are independent, so this is the same test.
    pub(crate) fn implied_solved(&self, k: usize, w: &[usize]) -> bool {
        let d = self.a[k].len();
        let m: Vec<Vec<Z>> =
            (0..d).map(|c| w.iter().map(|&i| self.a[i][c].numer().clone()).collect()).collect();
        let ak: Vec<Z> = self.a[k].iter().map(|v| v.numer().clone()).collect();
        let Some((det, y)) = solve_columns(&m, &ak) else { return false };
        let sign = Z::from(if det.is_negative() { -1 } else { 1 });
        if y.iter().any(|yt| (yt * &sign).is_negative()) {
            return false;
        }
        let yb: Z = y.iter().zip(w).map(|(yt, &i)| yt * self.b[i].numer()).sum::<Z>() * &sign;
        yb <= self.b[k].numer() * (det * &sign)
    }

    /// [`Self::implied`] for `d` rows `w` decided by float filters ([`filter::det`]), or
    /// `None` when a sign is too close to call (then the integers decide).
    pub(crate) fn implied_filtered(&self, k: usize, w: &[usize]) -> Option<bool> {
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
    pub(crate) fn implied_filtered4(
        &self,
        k: usize,
        w: &[usize],
        rows: &[&[Approx]],
        ak: &[Approx],
    ) -> Option<bool> {
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
    pub(crate) fn clarkson_guess(
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
}
