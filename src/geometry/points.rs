//! Small rational points: interior and facet points rounded to the coarsest dyadic grid that
//! keeps them strictly inside (the numbers of a walk stay small).

use super::halfspaces::*;
use crate::arith::filter::{self, Approx};
use crate::arith::num::{Q, Z, common_denominator, dot, q_new};
use crate::lp::guided::*;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// The integral rows `(a_i, b_i)` of a [`Halfspaces`] as floats
/// ([`Halfspaces::float_rows_ab`]), with the positions of the nonzero `a_ij` of the rows
/// that have few (the box's rows): the strictly-inside filter sums only those.
#[derive(Debug, Clone)]
pub struct FloatRowsAb {
    rows: Vec<Vec<f64>>,
    nz: Vec<Option<Vec<u32>>>,
}

impl std::ops::Deref for FloatRowsAb {
    type Target = [Vec<f64>];
    fn deref(&self) -> &[Vec<f64>] {
        &self.rows
    }
}

impl Halfspaces {
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
    pub(crate) fn simplify_interior_exact(&self, c: &[Q]) -> Vec<Q> {
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
    pub(crate) fn dyadic_scale_filtered(&self, xs: &[Z], den: &Z) -> Option<usize> {
        if !self.is_integral() {
            return None;
        }
        let mut fx: Vec<f64> = xs.iter().map(filter::z_to_f64).collect();
        let den_f = filter::z_to_f64(den);
        fx.push(-den_f);
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        let d = fx.len() - 1;
        for row in self.float_rows_ab().rows {
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
    pub fn simplify_on_facet_with(&self, k: usize, p: &[Q], rows_f: &FloatRowsAb) -> Vec<Q> {
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
    /// ([`crate::arith::num::gcd_bits_at_most`]). The same result as `simplify_on_facet_with` on the
    /// reduced point.
    pub fn simplify_on_facet_homogeneous(
        &self,
        k: usize,
        nums: &[Z],
        den: &Z,
        rows_f: &FloatRowsAb,
    ) -> Vec<Q> {
        let (x, l) = self.simplify_over(k, nums, den, rows_f);
        reduced(x, &l)
    }

    /// [`Self::simplify_on_facet_homogeneous`] as integers over one positive denominator,
    /// not reduced.
    pub(crate) fn simplify_over(&self, k: usize, nums: &[Z], den: &Z, rows_f: &FloatRowsAb) -> (Vec<Z>, Z) {
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
    pub(crate) fn refinement_limit<'a>(&self, nums: &'a [Z], den: &'a Z) -> impl FnMut(usize) -> bool + 'a {
        let den_u = den.magnitude();
        move |bits: usize| {
            let need = den_u.bits().saturating_sub(bits as u64);
            nums.iter().any(|v| {
                let g = crate::arith::num::gcd_bits_at_most(v.magnitude(), den_u, need);
                g <= need || {
                    let g = crate::arith::num::gcd_big(v.magnitude(), den_u);
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
    pub(crate) fn simplify_integral(
        &self,
        k: usize,
        coords: &[(&Z, &Z)],
        mut within: impl FnMut(usize) -> bool,
        rows_f: &FloatRowsAb,
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
    pub(crate) fn solve_axis(a: &[Q]) -> usize {
        (0..a.len()).max_by(|&x, &y| a[x].abs().cmp(&a[y].abs()).then(y.cmp(&x))).expect("d >= 1")
    }

    /// The point `X / L` on the hyperplane of integral row `k` whose coordinates other than
    /// `j` are `r_i / 2^bits` (`r` yields one integer per coordinate; the one for `j` is
    /// ignored): `L = |a_kj|·2^bits`, `X_i = r_i·|a_kj|` and `X_j` solved for, so that
    /// `a_k·X = b_k·L`.
    pub(crate) fn on_hyperplane(
        &self,
        k: usize,
        j: usize,
        bits: usize,
        r: impl Iterator<Item = Z>,
    ) -> (Vec<Z>, Z) {
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
    pub fn float_rows_ab(&self) -> FloatRowsAb {
        let rows: Vec<Vec<f64>> = self
            .a
            .iter()
            .zip(&self.b)
            .map(|(ai, bi)| ai.iter().chain([bi]).map(|v| filter::z_to_f64(v.numer())).collect())
            .collect();
        let nz = self
            .a
            .iter()
            .map(|ai| {
                let idx: Vec<u32> = (0..ai.len()).filter(|&j| !ai[j].is_zero()).map(|j| j as u32).collect();
                (4 * idx.len() <= ai.len()).then_some(idx)
            })
            .collect();
        FloatRowsAb { rows, nz }
    }

    /// Whether `b_i·L - a_i·X > 0` for every integral row `i != k`: by a float filter, exact
    /// when it cannot decide (the same answer either way). `rows_f` from
    /// [`Self::float_rows_ab`].
    pub(crate) fn strictly_inside_but(&self, k: usize, x: &[Z], l: &Z, rows_f: &FloatRowsAb) -> bool {
        let fx: Vec<f64> = x.iter().map(filter::z_to_f64).chain([-filter::z_to_f64(l)]).collect();
        let (mut row_nz, mut fx_nz) = (Vec::new(), Vec::new());
        self.a.iter().zip(&self.b).zip(&rows_f.rows).enumerate().all(|(i, ((ai, bi), row))| {
            i == k || {
                // A sparse row: the same sum without its zero terms (its own bound).
                let approx = match &rows_f.nz[i] {
                    Some(idx) => {
                        row_nz.clear();
                        fx_nz.clear();
                        row_nz.extend(idx.iter().map(|&j| row[j as usize]).chain([row[row.len() - 1]]));
                        fx_nz.extend(idx.iter().map(|&j| fx[j as usize]).chain([fx[fx.len() - 1]]));
                        filter::dot_converted(&row_nz, &fx_nz)
                    }
                    None => filter::dot_converted(row, &fx),
                };
                match approx.sign() {
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
    pub(crate) fn shoot(
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
}

/// The grid levels a facet point's refinement tries: `bits = 0, 4, 8, ..., 256`, then
/// doubling (`512, 1024, ...`), so that a point that needs thousands of bits (a sliver region
/// of a network with huge weights) takes a dozen steps past 256, not a thousand.
pub(crate) fn next_grid(bits: usize) -> usize {
    if bits < 256 { bits + 4 } else { bits * 2 }
}

/// [`round_to_grid`] of one `n / d` at growing `bits`: past 32 bits, from one quotient
/// `floor(n·2^(B+1)/d)` kept for `bits <= B` (`B` doubled when passed), by shifts:
/// `round(x·2^b) = floor((floor(x·2^(b+1)) + 1) / 2)` and `floor(x·2^(b+1)) =
/// floor(x·2^(B+1)) >> (B - b)` (floors of floors). The same integers as `round_to_grid`,
/// without a long division at every step of a refinement that goes deep.
pub(crate) struct GridRounder<'a> {
    pub(crate) n: &'a Z,
    pub(crate) d: &'a Z,
    pub(crate) cache: Option<(usize, Z)>,
}

impl<'a> GridRounder<'a> {
    pub(crate) fn new(n: &'a Z, d: &'a Z) -> Self {
        GridRounder { n, d, cache: None }
    }

    pub(crate) fn round(&mut self, bits: usize) -> Z {
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
pub(crate) fn round_to_grid(n: &Z, d: &Z, bits: usize) -> Z {
    let e = d.bits() - 1;
    if d.trailing_zeros() == Some(e) {
        let e = e as usize;
        return if bits >= e { n << (bits - e) } else { (n + (Z::one() << (e - bits - 1))) >> (e - bits) };
    }
    let twice: Z = (n << (bits + 1)) + d;
    twice.div_floor(&(d * 2))
}

/// [`round_dyadic`] at a known scale: every coordinate to the nearest multiple of `2^-k`.
pub(crate) fn round_dyadic_at(c: &[Q], k: usize) -> Vec<Q> {
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
pub(crate) fn round_over_at(xs: &[Z], den: &Z, k: usize) -> Vec<Q> {
    let scale = Z::one() << k;
    xs.iter().map(|x| q_new(round_to_grid(x, den, k), scale.clone())).collect()
}

/// The scale `k` of [`round_dyadic`] for the margin `rho = rn / rd` (`0` without one).
pub(crate) fn dyadic_scale(rho: Option<&(Z, Z)>) -> usize {
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
