//! The plane fast path of region analysis. A region of a wide network has one row per
//! neuron, yet only a handful of facets: in two dimensions, the work per row must be a few
//! float operations, not rational arithmetic. Given the point just across a facet (the
//! walk's hint), `prefilter` finds the same interior point and the same small dyadic
//! point as the general path (`interior_from_hint` then [`Halfspaces::simplify_interior`]),
//! then drops every row that is certainly not a facet, and groups only the rest.
//!
//! Each step takes a minimum or a sign over all rows; floats with proven error bounds
//! ([`crate::arith::filter`]) decide it for most rows and exact integers for the few the bounds
//! leave open, so the results are the general path's, exactly:
//! - slacks at the hint and the rates along the normal decide which rows the step across
//!   may meet; the step is the exact minimum of `slack / rate` over the rows whose float
//!   lower bound is not above the best float upper bound;
//! - the dyadic rounding uses the exact minimum of `slack / ||a||_1` the same way;
//! - redundant rows by polarity (see [`Halfspaces::facets_2d`]): at any interior point (the
//!   step's point, whose slacks the rounding computes anyway) the facets are the hull
//!   vertices of the polar points `a_i / s_i` and the origin. Points extreme in eight
//!   directions span a convex polygon (checked: every vertex strictly left of every other
//!   edge); a polar point certified strictly inside it is inside the hull of the others, so
//!   its row is not a facet (Akl–Toussaint); a square about the origin certified inside the
//!   polygon settles most points with one comparison. A second pass does the same
//!   against the float hull of the points left (a guess, certified the same way), so about
//!   as many rows survive as there are facets. Rows coinciding with a facet have the same
//!   polar point and are never dropped, so the facets keep all their sources.
//! - rows may be any positive multiple of their primitive form (every ratio and sign above
//!   is scale-invariant); only the survivors are made primitive and grouped.
//!
//! Any doubt (a row tight at the hint that the step does not leave, a zero row, a value the
//! filter cannot bound) returns `None`, and the caller takes the general path.
//!
//! With many rows, the steps first run on the rows nearest the hint only (`screened`):
//! every other row is then certified, by one bounded comparison, too far from the hint to
//! change the step, the rounding or the hull, so a region of a 4,473-neuron layer costs
//! one float dot product a row.

use crate::arith::filter::{self, Approx, down, up, z_to_f64};
use crate::arith::num::{Q, Z, common_denominator, dot, primitive_ints, step_along_over};
use crate::geometry::{Grouped, Halfspaces, Source, group_primitive, round_dyadic_over};
use num_traits::{Signed, Zero};
use std::cmp::Ordering;

/// A row `A·x <= B` of a plane region, by reference: `A = -a, B = c` when `neg` (an active
/// neuron, `a·x + c >= 0`), else `A = a, B = -c`. `f` holds `(â, ĉ)`, the floats of
/// `(a, c)`. The row may be any positive multiple of the primitive one: every ratio and
/// sign used here is scale-invariant, and [`PlaneRow::owned`] makes it primitive.
#[derive(Clone, Copy)]
pub(crate) struct PlaneRow<'a> {
    pub a: &'a [Z],
    pub c: &'a Z,
    pub f: &'a [f64],
    pub neg: bool,
    pub src: Source,
}

impl PlaneRow<'_> {
    /// `den · (B - A·x)` at `x = xs / den`: `±(a·xs + c·den)`.
    fn slack(&self, xs: &[Z], den: &Z) -> Z {
        let z: Z = self.a.iter().zip(xs).map(|(a, x)| a * x).sum::<Z>() + self.c * den;
        if self.neg { z } else { -z }
    }

    fn slack_f(&self, xs: &[Approx], den: f64) -> Approx {
        filter::signed(filter::dot(&self.f[..2], xs, 1, 0, self.f[2] * den), !self.neg)
    }

    /// `A·n`.
    fn rate(&self, nz: &[Z]) -> Z {
        let r: Z = self.a.iter().zip(nz).map(|(a, x)| a * x).sum();
        if self.neg { -r } else { r }
    }

    fn rate_f(&self, nz: &[Approx]) -> Approx {
        filter::signed(filter::dot(&self.f[..2], nz, 1, 0, 0.0), self.neg)
    }

    /// The row in primitive integer form, as grouping wants it.
    fn owned(&self) -> (Vec<Z>, Z, Source) {
        let ints: Vec<Z> = if self.neg {
            self.a.iter().map(|v| -v).chain([self.c.clone()]).collect()
        } else {
            self.a.iter().cloned().chain([-self.c]).collect()
        };
        let (a, b) = primitive_ints(ints);
        (a, b, self.src)
    }

    /// `a = 0`, read from the floats (a non-zero integer never converts to 0).
    fn is_zero(&self) -> bool {
        self.f[..2].iter().all(|v| *v == 0.0)
    }
}

/// Exact integers as one-component float tuples for [`filter::dot`].
fn tuples(v: &[Z]) -> Vec<Approx> {
    v.iter().map(Approx::of).collect()
}

/// The smallest positive ratio `num/den` among `items` (row, certified float ratio if
/// any): only rows whose float lower bound is not above the best float upper bound are
/// computed exactly (`exact` gives `(num, den)`, both positive).
fn filtered_min(items: &[(usize, Option<Approx>)], exact: impl Fn(usize) -> (Z, Z)) -> Option<(Z, Z)> {
    // Margins of 2^-40 absorb the rounding of `v ± e` itself.
    let hi = items.iter().filter_map(|(_, r)| r.map(|r| r.v + r.e)).fold(f64::INFINITY, f64::min);
    let hi = hi * (1.0 + 1e-12);
    let mut best: Option<(Z, Z)> = None;
    for (i, r) in items {
        if r.is_some_and(|r| (r.v - r.e) * (1.0 - 1e-12) > hi) {
            continue;
        }
        let cand = exact(*i);
        if best.as_ref().is_none_or(|(bn, bd)| &cand.0 * bd < bn * &cand.1) {
            best = Some(cand);
        }
    }
    best
}

/// The rows of a plane region that may be facets, grouped as [`group_primitive`] groups
/// them, and the interior point the general path would use (see the module doc), from the
/// point `p` on the facet just crossed and the normal `n` pointing into the region.
/// `None`: take the general path.
pub(crate) fn prefilter(rows: &[PlaneRow], p: &[Q], n: &[Q]) -> Option<(Halfspaces, Vec<Q>)> {
    if !rows.iter().any(PlaneRow::is_zero) {
        return prefilter_live(rows, p, n);
    }
    let mut live: Vec<PlaneRow> = Vec::with_capacity(rows.len());
    for r in rows {
        if r.is_zero() {
            // `0 <= B`: holds everywhere (dropped by grouping) or nowhere (leave it to the
            // general path, which reports the region empty).
            let b_negative = if r.neg { r.c.is_negative() } else { r.c.is_positive() };
            if b_negative {
                return None;
            }
            continue;
        }
        live.push(*r);
    }
    prefilter_live(&live, p, n)
}

/// [`prefilter`] of rows none of which is zero.
fn prefilter_live(live: &[PlaneRow], p: &[Q], n: &[Q]) -> Option<(Halfspaces, Vec<Q>)> {
    if live.len() >= SCREEN_ROWS
        && let Some(found) = screened(live, p, n, SCREEN_KEEP)
    {
        return found;
    }
    core(live, p, n).map(|c| (c.hs, c.inner))
}

/// From this many rows on, [`screened`] runs first.
const SCREEN_ROWS: usize = 64;
/// The rows nearest the hint that [`screened`] starts from.
const SCREEN_KEEP: usize = 24;

/// The prefilter on the rows nearest `p` only, when the others are certified not to
/// matter: `Some(result)` is [`core`]'s result on all the rows, `None` means run it.
///
/// Let `δ_i = s_i(p) / ||a_i||_1`, the L∞ distance from `p` to row `i`'s line. Run [`core`]
/// on a set `C` of rows: the `keep` ([`SCREEN_KEEP`] but in tests) smallest float `δ_i`, and
/// any row the floats cannot place. Let `E >= eps·||nz||_∞` bound the step to the stepped
/// point, `R >=` the `rho` found, and `t` the certified square of the polar points. A row
/// outside `C` with
/// `δ_i > K = max(2E, R + E, 1/(t·den0) + E)` changes nothing:
/// - the ray `p + τ·nz` reaches its line at `τ >= δ_i / ||nz||_∞ > 2·eps`, after the first
///   row of `C` (at `2·eps`): the step is the same;
/// - at the stepped point its L∞ distance is above `δ_i - E > R`: `rho` is the same;
/// - its polar point `a_i / (den0 · s_i)` has coordinates below `||a_i||_1 / (den0 · s_i)
///   < t`: strictly inside the square, so inside the hull of `C`'s points and not a facet,
///   nor a copy of one (a copy has a facet's polar point, a vertex).
///
/// So `C`'s result is the whole result. `δ_i > K` is certified by the slack's error bound
/// and every other operation rounded outwards; the rows that fail it join `C` (twice at
/// most), then the whole set runs.
fn screened(rows: &[PlaneRow], p: &[Q], n: &[Q], keep: usize) -> Option<Option<(Halfspaces, Vec<Q>)>> {
    let (px, den) = common_denominator(p);
    let (px_f, den_f) = (tuples(&px), z_to_f64(&den));
    let den_a = Approx::of(&den);
    let den_hi = up(den_a.v + den_a.e);
    // Each row's slack at p (scaled by `den`) and the upper bound of its `||a||_1`.
    let slacks: Vec<(Approx, f64)> = rows
        .iter()
        .map(|r| {
            let norm = filter::abs_sum(&r.f[..2]);
            (r.slack_f(&px_f, den_f), up(norm.v + norm.e))
        })
        .collect();
    let mut keys: Vec<(f64, usize)> = slacks
        .iter()
        .enumerate()
        .map(|(i, (s, norm))| {
            let lo = s.v - s.e;
            (if lo > 0.0 && lo.is_finite() { s.v / norm } else { f64::NEG_INFINITY }, i)
        })
        .collect();
    let keep = keep.min(rows.len() - 1);
    keys.select_nth_unstable_by(keep, |a, b| a.0.total_cmp(&b.0));
    let mut in_c = vec![false; rows.len()];
    for &(_, i) in &keys[..keep] {
        in_c[i] = true;
    }
    for _round in 0..3 {
        let sub: Vec<PlaneRow> = rows.iter().zip(&in_c).filter(|(_, c)| **c).map(|(r, _)| *r).collect();
        let Some(found) = core(&sub, p, n) else { return Some(None) };
        let k_den = screen_bound(&found, den_hi)?;
        let mut grew = false;
        for (i, (s, norm)) in slacks.iter().enumerate() {
            if in_c[i] {
                continue;
            }
            // Certified: s_i(p)·den >= s.v - s.e > K·den·||a_i||_1.
            let far = down(s.v - s.e) > up(k_den * norm);
            if !far {
                in_c[i] = true;
                grew = true;
            }
        }
        if !grew {
            return Some(Some((found.hs, found.inner)));
        }
        if in_c.iter().filter(|c| **c).count() > rows.len() / 2 {
            return None;
        }
    }
    None
}

/// `K·den` of [`screened`] rounded up (`den_hi >= den`), or `None` when a bound is
/// missing (no row met along `n`, no certified square) or not finite.
fn screen_bound(c: &Core, den_hi: f64) -> Option<f64> {
    let (tn, td) = c.eps.as_ref()?;
    let nmax: Z = c.nz.iter().map(|v| v.abs()).max()?;
    let ub = |num: &Z, den: &Z| filter::ratio(Approx::of(num), Approx::of(den)).map(|r| up(r.v + r.e));
    let e = ub(&(tn * nmax), td)?;
    let (rn, rd) = c.rho.as_ref()?;
    let r = ub(rn, rd)?;
    let t = c.t?;
    let d0 = Approx::of(&c.den0);
    let d0_lo = down(d0.v - d0.e);
    let t_den = down(t * d0_lo);
    if t_den.is_nan() || t_den <= 0.0 {
        return None;
    }
    let pq = up(1.0 / t_den);
    let k = up(up(2.0 * e).max(up(r + e)).max(up(pq + e)));
    let kd = up(k * den_hi);
    (kd.is_finite() && e.is_finite()).then_some(kd)
}

/// What [`core`] found, with the values [`screened`] bounds the other rows by.
struct Core {
    hs: Halfspaces,
    inner: Vec<Q>,
    /// The step `eps` (numerator, denominator) along `nz`; `None`: no row is met (step 1).
    eps: Option<(Z, Z)>,
    nz: Vec<Z>,
    /// The smallest `slack / ||a||_1` at the stepped point.
    rho: Option<(Z, Z)>,
    /// The stepped point's denominator (the polar points are `a_i / (den0 · s_i)`).
    den0: Z,
    /// A certified square `[-t, t]^2` strictly inside the hull of the polar points.
    t: Option<f64>,
}

/// The prefilter over `rows` (none of them zero), as the module doc describes.
fn core(rows: &[PlaneRow], p: &[Q], n: &[Q]) -> Option<Core> {
    // The step across the facet: every row must be slack at p, or tight and decreasing
    // along n; the step is half the distance to the first row met along n.
    let (px, den) = common_denominator(p);
    let (nz, _) = common_denominator(n);
    let (px_f, nz_f, den_f) = (tuples(&px), tuples(&nz), z_to_f64(&den));
    let mut meets: Vec<(usize, Option<Approx>)> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let s = r.slack_f(&px_f, den_f);
        if s.sign() != Some(1) {
            let s = r.slack(&px, &den);
            if s.is_zero() && r.rate(&nz).is_negative() {
                continue;
            }
            if !s.is_positive() {
                return None;
            }
        }
        let rate = r.rate_f(&nz_f);
        match rate.sign() {
            Some(1) => meets.push((i, filter::ratio(s, rate).filter(|_| s.sign() == Some(1)))),
            Some(_) => {}
            None => {
                if r.rate(&nz).is_positive() {
                    meets.push((i, None));
                }
            }
        }
    }
    // inner0 = p + eps·n with eps = V / (2·den·R) (or 1).
    let eps = filtered_min(&meets, |i| (rows[i].slack(&px, &den), rows[i].rate(&nz)));
    let eps = eps.map(|(v, rate)| (v, &den * rate * 2));
    // As integers over one denominator, not reduced (only its value matters below).
    let (xs0, den0) = step_along_over(&px, &den, eps.as_ref().map(|(n, d)| (n, d)), &nz);

    // One pass at inner0 (strictly inside the region): the slacks give the dyadic rounding
    // (rho = min slack_i / ||a_i||_1) and the polar points (the facets are the hull
    // vertices of the polar points at any interior point, so inner0 serves as well as the
    // rounded point).
    let (xs0_f, den0_f) = (tuples(&xs0), z_to_f64(&den0));
    let norm1 = |r: &PlaneRow| -> Z { r.a.iter().map(|v| v.abs()).sum() };
    let mut fits: Vec<(usize, Option<Approx>)> = Vec::with_capacity(rows.len());
    let mut polar: Vec<Option<[Approx; 2]>> = Vec::with_capacity(rows.len() + 1);
    for (i, r) in rows.iter().enumerate() {
        let mut s = r.slack_f(&xs0_f, den0_f);
        fits.push((i, filter::ratio(s, filter::abs_sum(&r.f[..2]))));
        if s.sign() != Some(1) {
            let exact = r.slack(&xs0, &den0);
            if !exact.is_positive() {
                // rho <= 0 below: the general path decides.
                return None;
            }
            s = Approx::of(&exact);
        }
        let coord = |j: usize| filter::ratio(filter::signed(Approx::converted(r.f[j]), r.neg), s);
        polar.push(coord(0).zip(coord(1)).map(|(x, y)| [x, y]));
    }
    let rho = filtered_min(&fits, |i| (rows[i].slack(&xs0, &den0), &den0 * norm1(&rows[i])));
    if rho.as_ref().is_some_and(|(rn, _)| !rn.is_positive()) {
        return None;
    }
    let inner = round_dyadic_over(&xs0, &den0, rho.as_ref());

    // The rows certainly inside the hull of the polar points.
    polar.push(Some([Approx { v: 0.0, e: 0.0 }; 2])); // the origin
    let (keep, t) = not_strictly_inside(&polar);
    let survivors = rows.iter().zip(&keep).filter(|(_, k)| **k).map(|(r, _)| r.owned());
    match group_primitive(survivors) {
        Grouped::Rows(hs) => Some(Core { hs, inner, eps, nz, rho, den0, t }),
        Grouped::Empty => None,
    }
}

/// For each point (the last one, the origin, is not asked about), false if it is certainly
/// strictly inside the convex hull of the others: first against the polygon of the points
/// extreme in eight directions (cheap, drops most points), then against the float hull of
/// the points left. `None` points are kept. Also the largest half-width `t` of a square
/// `[-t, t]^2` certified strictly inside the hull (either polygon's, see [`square_inside`]).
fn not_strictly_inside(pts: &[Option<[Approx; 2]>]) -> (Vec<bool>, Option<f64>) {
    let m = pts.len() - 1;
    let mut keep = vec![true; m];
    let dirs: [(f64, f64); 8] = [
        (1.0, 0.0),
        (1.0, 1.0),
        (0.0, 1.0),
        (-1.0, 1.0),
        (-1.0, 0.0),
        (-1.0, -1.0),
        (0.0, -1.0),
        (1.0, -1.0),
    ];
    // The extreme point in each direction, in one pass (the last of equal ones, as
    // `max_by` takes).
    let mut best: [Option<(usize, f64)>; 8] = [None; 8];
    for (i, p) in pts.iter().enumerate() {
        let Some(p) = p else { continue };
        for ((dx, dy), b) in dirs.iter().zip(best.iter_mut()) {
            let v = dx * p[0].v + dy * p[1].v;
            if b.is_none_or(|(_, w)| v.total_cmp(&w).is_ge()) {
                *b = Some((i, v));
            }
        }
    }
    let mut poly: Vec<usize> = Vec::with_capacity(8);
    for b in best {
        let Some((i, _)) = b else { return (keep, None) };
        if poly.last() != Some(&i) && poly.first() != Some(&i) {
            poly.push(i);
        }
    }
    let t8 = drop_inside(pts, &poly, &mut keep);
    // The float hull (Andrew's monotone chain on the float values) of the points left and
    // the origin: a guess, certified by `drop_inside`.
    let mut left: Vec<usize> = (0..m).filter(|&i| keep[i] && pts[i].is_some()).chain([m]).collect();
    let v = |i: usize| pts[i].map(|p| (p[0].v, p[1].v)).expect("known");
    left.sort_by(|&a, &b| v(a).0.total_cmp(&v(b).0).then(v(a).1.total_cmp(&v(b).1)));
    let cross = |o: usize, a: usize, b: usize| {
        let (o, a, b) = (v(o), v(a), v(b));
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<usize> = Vec::with_capacity(16);
    for pass in 0..2 {
        let start = hull.len();
        let seq: Box<dyn Iterator<Item = &usize>> =
            if pass == 0 { Box::new(left.iter()) } else { Box::new(left.iter().rev()) };
        for &i in seq {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], i) <= 0.0 {
                hull.pop();
            }
            hull.push(i);
        }
        hull.pop();
    }
    let t = drop_inside(pts, &hull, &mut keep);
    let t = match (t8, t) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    (keep, t)
}

/// Marks `false` every point certainly strictly inside the polygon `poly` (indices into
/// `pts`, counter-clockwise), provided the polygon is certified convex: each vertex strictly
/// left of every edge it is not on. Otherwise nothing changes. Returns the half-width of
/// the square [`square_inside`] certified, if any.
fn drop_inside(pts: &[Option<[Approx; 2]>], poly: &[usize], keep: &mut [bool]) -> Option<f64> {
    let k = poly.len();
    if k < 3 {
        return None;
    }
    let at = |i: usize| pts[i].expect("polygon points are known");
    let left = |j: usize, i: usize| {
        filter::orient2d(at(poly[j]), at(poly[(j + 1) % k]), at(i)) == Some(Ordering::Greater)
    };
    let convex = (0..k).all(|j| (0..k).filter(|&t| t != j && t != (j + 1) % k).all(|t| left(j, poly[t])));
    if !convex {
        return None;
    }
    let t = square_inside(pts, poly);
    for (i, kp) in keep.iter_mut().enumerate() {
        let Some(p) = pts[i].filter(|_| *kp) else { continue };
        // In the open square (|x|, |y| < t) whatever the errors: inside (so not a vertex of
        // the polygon). The factor covers the rounding of `|v| + e` (`|x| <= |v| + e <=
        // fl(|v| + e)·(1 + 2^-53)`).
        let in_square = t.is_some_and(|t| p.iter().all(|c| (c.v.abs() + c.e) * (1.0 + 1e-15) < t));
        if in_square || (!poly.contains(&i) && (0..k).all(|j| left(j, i))) {
            *kp = false;
        }
    }
    t
}

/// A half-width `t > 0` such that the closed square `[-t, t]²` is strictly inside the
/// convex polygon `poly` (counter-clockwise): the largest such square by the float edges,
/// shrunk by 10%, then certified by the orientation filter (its four corners strictly
/// left of every edge; the polygon is convex, so the whole square is inside). `None` if the
/// origin is not well inside or the filter does not decide. Polar points of rows far from
/// the region crowd about the origin: one comparison each instead of `k` orientations.
fn square_inside(pts: &[Option<[Approx; 2]>], poly: &[usize]) -> Option<f64> {
    let k = poly.len();
    let at = |j: usize| pts[poly[j % k]].expect("polygon points are known");
    let mut t = f64::INFINITY;
    for j in 0..k {
        let (p, q) = (at(j), at(j + 1));
        let (dx, dy) = (q[0].v - p[0].v, q[1].v - p[1].v);
        // (q - p) × (corner - p) = c0 + (sy·dx - sx·dy)·t >= c0 - (|dx| + |dy|)·t.
        let c0 = dy * p[0].v - dx * p[1].v;
        t = t.min(c0 / (dx.abs() + dy.abs()));
    }
    let t = 0.9 * t;
    if !(t.is_finite() && t > 0.0) {
        return None;
    }
    let corner = |sx: f64, sy: f64| [Approx { v: sx * t, e: 0.0 }, Approx { v: sy * t, e: 0.0 }];
    let corners = [corner(1.0, 1.0), corner(-1.0, 1.0), corner(-1.0, -1.0), corner(1.0, -1.0)];
    let inside = (0..k)
        .all(|j| corners.iter().all(|&c| filter::orient2d(at(j), at(j + 1), c) == Some(Ordering::Greater)));
    inside.then_some(t)
}

/// A plane `x = origin + s·u + t·v` in input space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plane {
    pub origin: Vec<Q>,
    pub u: Vec<Q>,
    pub v: Vec<Q>,
}

impl Plane {
    /// The plane `origin + s·u + t·v`; `None` unless `u` and `v` span a plane (exactly:
    /// `(u·u)(v·v) != (u·v)²`).
    ///
    /// ```
    /// use linregions::{Q, formats::Plane};
    /// let q = |v: i64| Q::from_integer(v.into());
    /// let p = Plane::from_basis(vec![q(0), q(0), q(1)], vec![q(1), q(0), q(0)], vec![q(0), q(1), q(0)]).unwrap();
    /// assert_eq!(p.to_input(&[q(2), q(3)]), vec![q(2), q(3), q(1)]);
    /// assert!(Plane::from_basis(vec![q(0)], vec![q(1)], vec![q(2)]).is_none()); // parallel
    /// ```
    pub fn from_basis(origin: Vec<Q>, u: Vec<Q>, v: Vec<Q>) -> Option<Plane> {
        let (uu, vv, uv) = (dot(&u, &u), dot(&v, &v), dot(&u, &v));
        (&uu * &vv != &uv * &uv).then_some(Plane { origin, u, v })
    }

    /// The plane through three points in coordinates `x = p0 + s·(p1 - p0) + t·(p2 - p0)`;
    /// `None` when the points are collinear.
    pub fn through(p0: &[Q], p1: &[Q], p2: &[Q]) -> Option<Plane> {
        let diff = |a: &[Q], b: &[Q]| a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>();
        Plane::from_basis(p0.to_vec(), diff(p1, p0), diff(p2, p0))
    }

    /// The input point of plane coordinates `st`.
    pub fn to_input(&self, st: &[Q]) -> Vec<Q> {
        (0..self.origin.len()).map(|i| &self.origin[i] + &st[0] * &self.u[i] + &st[1] * &self.v[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::FromPrimitive;

    /// `(q - p) × (r - p) > 0` exactly, for float points.
    fn left_exact(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> bool {
        let e = |v: f64| Q::from_f64(v).expect("finite");
        let (px, py, qx, qy, rx, ry) = (e(p[0]), e(p[1]), e(q[0]), e(q[1]), e(r[0]), e(r[1]));
        (&qx - &px) * (&ry - &py) - (&qy - &py) * (&rx - &px) > Q::zero()
    }

    /// The screened prefilter gives exactly what the prefilter over every row gives, on
    /// random line arrangements (wide and narrow coefficients, repeated and parallel lines,
    /// rows far beyond the `f64` range), from hints on a facet of random regions.
    #[test]
    fn screening_changes_nothing() {
        let mut rng = crate::network::random::SplitMix64(2026);
        let q = |v: i64| Q::from_integer(v.into());
        let (mut screened_used, mut found) = (0, 0);
        for t in 0..160 {
            let m = 64 + (rng.next_u64() % 300) as usize;
            let span = [9i64, 1000, 1 << 40][t % 3];
            let mut rnd = |k: i64| (rng.next_u64() % (2 * k as u64 + 1)) as i64 - k;
            let mut lines: Vec<(Vec<Z>, Z)> =
                (0..m).map(|_| (vec![Z::from(rnd(span)), Z::from(rnd(span))], Z::from(rnd(span)))).collect();
            // Copies and parallels of a few lines; every 7th case a line beyond f64.
            for k in 0..m / 10 {
                let (a, c) = lines[k].clone();
                lines.push((a.iter().map(|v| v * 3).collect(), &c * 3 + Z::from(k % 2)));
            }
            if t % 7 == 0 {
                let huge = Z::from(1) << 1100usize;
                lines.push((vec![huge.clone(), -&huge], huge * 5));
            }
            // Every 5th case: coefficients of about 2^610 with small perturbations (big
            // scaled slacks, nearly coincident lines, bounds far from 1).
            if t % 5 == 4 {
                let big = Z::from(1) << 600usize;
                for (a, c) in lines.iter_mut() {
                    for v in a.iter_mut() {
                        *v = &*v * &big + Z::from(rnd(3));
                    }
                    *c = &*c * &big + Z::from(rnd(3));
                }
            }
            // A random interior point x0 fixes the signs; p is where the ray from x0
            // along -d first meets a line, and n = d points back inside.
            let x0 = [Q::new(rnd(50).into(), 37.into()), Q::new(rnd(50).into(), 41.into())];
            let d = [q(rnd(20)), q(rnd(20) | 1)];
            let val = |(a, c): &(Vec<Z>, Z), x: &[Q]| -> Q {
                Q::from_integer(a[0].clone()) * &x[0]
                    + Q::from_integer(a[1].clone()) * &x[1]
                    + Q::from_integer(c.clone())
            };
            if lines.iter().any(|l| val(l, &x0).is_zero()) {
                continue;
            }
            let neg: Vec<bool> = lines.iter().map(|l| val(l, &x0).is_positive()).collect();
            // Along x0 - tau·d, line l reaches zero at tau = val / (a·d).
            let hit = lines
                .iter()
                .filter_map(|l| {
                    let ad =
                        Q::from_integer(l.0[0].clone()) * &d[0] + Q::from_integer(l.0[1].clone()) * &d[1];
                    if ad.is_zero() {
                        return None;
                    }
                    let tau = val(l, &x0) / ad;
                    tau.is_positive().then_some(tau)
                })
                .min();
            let Some(tau) = hit else { continue };
            let p: Vec<Q> = (0..2).map(|j| &x0[j] - &tau * &d[j]).collect();
            let floats: Vec<Vec<f64>> =
                lines.iter().map(|(a, c)| vec![z_to_f64(&a[0]), z_to_f64(&a[1]), z_to_f64(c)]).collect();
            let rows: Vec<PlaneRow> = lines
                .iter()
                .zip(&floats)
                .zip(&neg)
                .enumerate()
                .map(|(i, (((a, c), f), &ng))| PlaneRow { a, c, f, neg: ng, src: Source::Neuron((0, i)) })
                .collect();
            let live: Vec<PlaneRow> = rows.iter().filter(|r| !r.is_zero()).copied().collect();
            let whole = core(&live, &p, &d).map(|c| (c.hs, c.inner));
            if whole.is_some() {
                found += 1;
            }
            // With few rows to start from, the bounds decide most of the result.
            for keep in [2, 4, 8] {
                if let Some(r) = screened(&live, &p, &d, keep) {
                    screened_used += 1;
                    assert_eq!(r, whole, "case {t}, {keep} rows kept");
                }
            }
            assert_eq!(prefilter(&rows, &p, &d), whole, "case {t}");
        }
        assert!(found > 100 && screened_used > 120, "{found} {screened_used}");
    }

    /// The certified square is strictly inside the polygon (exactly), is found for polygons
    /// well around the origin, and the points it drops are exactly inside too; a polygon
    /// with the origin on an edge gets no square.
    #[test]
    fn the_square_about_the_origin_is_inside_the_polygon() {
        let mut rng = crate::network::random::SplitMix64(31);
        let mut found = 0;
        for t in 0..150 {
            // A convex polygon: k points on an ellipse about a centre near the origin.
            let k = 3 + (t % 6);
            let (a, b) =
                (0.5 + (rng.next_u64() % 100) as f64 / 10.0, 0.5 + (rng.next_u64() % 100) as f64 / 10.0);
            let c =
                [((rng.next_u64() % 21) as f64 - 10.0) / 40.0, ((rng.next_u64() % 21) as f64 - 10.0) / 40.0];
            let verts: Vec<[f64; 2]> = (0..k)
                .map(|j| {
                    let th =
                        std::f64::consts::TAU * (j as f64 + 0.1 * (rng.next_u64() % 5) as f64) / k as f64;
                    [c[0] + a * th.cos(), c[1] + b * th.sin()]
                })
                .collect();
            let mut pts: Vec<Option<[Approx; 2]>> = verts
                .iter()
                .map(|v| Some([Approx { v: v[0], e: 0.0 }, Approx { v: v[1], e: 0.0 }]))
                .collect();
            // Inner points with small errors, some near the origin.
            let inner: Vec<[f64; 2]> = (0..12)
                .map(|_| {
                    let s = (rng.next_u64() % 1000) as f64 / 1000.0;
                    let th = (rng.next_u64() % 6283) as f64 / 1000.0;
                    [s * th.cos() * a.min(b) * 0.5, s * th.sin() * a.min(b) * 0.5]
                })
                .collect();
            pts.extend(
                inner.iter().map(|p| Some([Approx { v: p[0], e: 1e-12 }, Approx { v: p[1], e: 1e-12 }])),
            );
            let poly: Vec<usize> = (0..k).collect();
            let Some(s) = square_inside(&pts, &poly) else { continue };
            found += 1;
            for corner in [[s, s], [-s, s], [-s, -s], [s, -s]] {
                assert!((0..k).all(|j| left_exact(verts[j], verts[(j + 1) % k], corner)), "{verts:?} {s}");
            }
            let mut keep = vec![true; pts.len()];
            drop_inside(&pts, &poly, &mut keep);
            for (i, p) in inner.iter().enumerate() {
                if !keep[k + i] {
                    // Dropped: inside even at the ends of its error box.
                    for (dx, dy) in [(1e-12, 1e-12), (-1e-12, 1e-12), (-1e-12, -1e-12), (1e-12, -1e-12)] {
                        let r = [p[0] + dx, p[1] + dy];
                        assert!((0..k).all(|j| left_exact(verts[j], verts[(j + 1) % k], r)));
                    }
                }
            }
        }
        assert!(found > 75, "{found}");
        // The origin on an edge: no square.
        let on_edge = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
        let pts: Vec<Option<[Approx; 2]>> =
            on_edge.iter().map(|v| Some([Approx { v: v[0], e: 0.0 }, Approx { v: v[1], e: 0.0 }])).collect();
        assert_eq!(square_inside(&pts, &[0, 1, 2]), None);
    }
}
