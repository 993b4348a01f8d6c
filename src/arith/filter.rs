//! Floating-point filters with proven error bounds (the geo/robust idea): a float
//! computation that either decides a sign for certain or says "don't know", in which case
//! the caller redoes the work exactly.
//!
//! Invariant: a filter never returns a sign that the exact computation would not return,
//! for any input in the whole `f64` range (subnormals, underflow to zero, overflow to
//! infinity, integers whose conversion is infinite). Every value it carries is a pair
//! `(v̂, e)` with `|v - v̂| <= e` for the exact `v`; a sign is taken only when `|v̂| > e`
//! (both finite), and a zero only when every term is exactly zero. Any non-finite value
//! (an infinite conversion, an overflow, a NaN) makes the filter undecided.
//!
//! ## How the bounds are computed
//! Two rules, used throughout (derivations in `docs/algorithms.md`, "Float filters"):
//! - **Bounds round up.** A bound is a sum of products and quotients of non-negative floats.
//!   Computed with `up` after each operation (round to nearest, then one step up), the
//!   result is at least the exact expression: the exact result of one correctly rounded
//!   operation lies within one ulp of the float, whatever the range (a result that
//!   underflows to zero is below the smallest subnormal `η = 2^-1074`; one that overflows
//!   gives `+inf`, and the filter gives up).
//! - **A rounded value carries its ulp.** A value `r = fl(x ∘ y)` differs from `x ∘ y` by at
//!   most `ulp(r) = next_up(|r|) - |r|` (computed exactly), subnormal results included.
//!
//! The dot products ([`dot`], [`dot_converted`], [`dot_approx`]) are the hot path and use
//! Higham's relative bound instead, with an absolute term for the subnormal range:
//! their row entries are *converted integers* (`0` or `|ŵ| >= 1`, each within `ρ|ŵ|` of
//! the exact integer, `ρ = 2^-50`: [`z_to_f64`] rounds once, within `u = 2^-53`). For
//! `z = Σ w_i x_i + c` computed as `ẑ = fl(Σ ŵ_i x̂_i + ĉ)` in `n + 1` additions:
//!
//! ```text
//! |z - ẑ| <= (3ρ + γ_{n+2}) T + (1 + 2ρ) P + (2n + 4) η,
//!            T = Σ |ŵ_i||x̂_i| + |ĉ|,  P = Σ |ŵ_i| e_i,  γ_k = k u / (1 - k u)
//! ```
//!
//! (Higham, Accuracy and Stability, §3.1; each product that lands in the subnormal range
//! adds at most `η/2`, additions there are exact). `T` and `P` are sums of non-negative
//! products computed in floats; for fewer than `2^20` terms their relative rounding error is
//! below `2^-30`, so the relative part is multiplied by `1 + 2^-20`, and the last addition
//! rounds up. Since `|ŵ| >= 1`, a non-zero term cannot vanish: `T = P = 0` means every term
//! is exactly zero.

use crate::arith::num::Z;
use num_traits::One;

const U: f64 = f64::EPSILON / 2.0;
const RHO: f64 = 1.0 / (1u64 << 50) as f64;
const SLACK: f64 = 1.0 + 1.0 / (1u64 << 20) as f64;
/// The smallest positive subnormal, `2^-1074`.
const ETA: f64 = f64::from_bits(1);
/// The fast paths' range: values in `[SAFE_LOW, SAFE_HIGH]` (or zero) keep every product,
/// quotient and error term of `ratio` and `orient2d` a normal number, so relative error
/// bounds hold there; outside it the bounds round up operation by operation.
const SAFE_LOW: f64 =
    1.0 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64; // 2^-400
const SAFE_HIGH: f64 =
    (1u128 << 100) as f64 * (1u128 << 100) as f64 * (1u128 << 100) as f64 * (1u128 << 100) as f64; // 2^400
/// The smallest denominator of `ratio`'s fast path (`2^-100`).
const SAFE_DEN: f64 = 1.0 / (1u128 << 100) as f64;
/// The relative margin of the fast paths (`2^-40`), above their few roundings of `u` each.
const FAST_SLACK: f64 = 1.0 / (1u64 << 40) as f64;
/// The most terms a dot product's bound is proven for (the `2^-30` relative rounding of
/// `T` and `P`).
const MAX_TERMS: usize = 1 << 20;

/// `x` moved one step up: at least the exact result of the operation that gave `x`
/// (round to nearest). `+inf` and NaN stay as they are.
#[inline(always)]
pub(crate) fn up(x: f64) -> f64 {
    x.next_up()
}

/// `x` moved one step down: at most the exact result of the operation that gave `x`.
#[inline(always)]
pub(crate) fn down(x: f64) -> f64 {
    x.next_down()
}

/// `a + b` rounded up (non-negative operands).
#[inline(always)]
fn add_up(a: f64, b: f64) -> f64 {
    up(a + b)
}

/// `a · b` rounded up (non-negative operands).
#[inline(always)]
fn mul_up(a: f64, b: f64) -> f64 {
    up(a * b)
}

/// One unit in the last place of `|r|` (exact): at least the rounding error of an
/// operation whose correctly rounded result is `r`; `η` for `r = 0`, non-finite for a
/// non-finite `r`.
#[inline(always)]
fn ulp(r: f64) -> f64 {
    let a = r.abs();
    a.next_up() - a
}

/// A BigInt as `f64` (relative error `<= u`, correctly rounded), infinite when out of range.
pub fn z_to_f64(z: &Z) -> f64 {
    let (m, k) = z_parts(z);
    if k == 0 {
        m
    } else if k > 960 {
        if m == 0.0 { 0.0 } else { m * f64::INFINITY }
    } else {
        // k is in 1..=960: an exact power of two, and the product is exact (or infinite).
        m * f64::from_bits(((k + 1023) as u64) << 52)
    }
}

/// `z ≈ m·2^k`: `m` the top 64 bits of `|z|` with a sticky bit for the rest, converted once
/// (correctly rounded: relative error `<= u`), with its sign; `k = 0` for integers of at
/// most 64 bits. The value num-bigint's `to_f64` gives, without its pass over every limb,
/// and without its overflow: the scale stays apart for integers of any size.
fn z_parts(z: &Z) -> (f64, i64) {
    let mag = z.magnitude();
    let bits = mag.bits();
    let (v, k) = if bits <= 64 {
        (mag.iter_u64_digits().next().unwrap_or(0) as f64, 0)
    } else {
        let mut limbs = mag.iter_u64_digits().rev();
        let hi = limbs.next().unwrap_or(0);
        let lo = limbs.next().unwrap_or(0);
        let lz = hi.leading_zeros();
        let (top, lost) = if lz == 0 { (hi, lo) } else { ((hi << lz) | (lo >> (64 - lz)), lo << lz) };
        let sticky = lost != 0 || limbs.any(|d| d != 0);
        // Round to odd, then once to nearest: the correctly rounded value.
        ((top | u64::from(sticky)) as f64, (bits - 64) as i64)
    };
    (if z.sign() == num_bigint::Sign::Minus { -v } else { v }, k)
}

/// `x·2^k` by steps of at most `2^±1000`: exact while the result is a normal number; when
/// it is not, within `η` of `x·2^k` (each step that lands in the subnormal range rounds by
/// at most `η/2`, and every later step scales that error down), or infinite on overflow.
fn scale2(mut x: f64, mut k: i64) -> f64 {
    const BIG: f64 = f64::from_bits((1023 + 1000) << 52); // 2^1000
    const SMALL: f64 = f64::from_bits((1023 - 1000) << 52); // 2^-1000
    while k > 1000 && x.is_finite() && x != 0.0 {
        x *= BIG;
        k -= 1000;
    }
    while k < -1000 && x != 0.0 {
        x *= SMALL;
        k += 1000;
    }
    if k.abs() > 1000 {
        return x;
    }
    // 2^k in two exact factors (each a normal power of two).
    let (k1, k2) = (k / 2, k - k / 2);
    let p = |k: i64| f64::from_bits(((k + 1023) as u64) << 52);
    x * p(k1) * p(k2)
}

/// Integers as floats scaled by one power of two, `ŵ_j ≈ w_j·2^-k`, with the largest
/// `|ŵ_j|` in `[1, 2^64]` (all zero: `k = 0`): for *proposals* whose ratios matter, not the
/// scale (directions, normalised rows). Finite for integers of any size; entries more
/// than ~2^1074 times smaller than the largest become 0.
pub fn scaled_ints(w: &[Z]) -> (Vec<f64>, i64) {
    let parts: Vec<(f64, i64)> = w.iter().map(z_parts).collect();
    let k = parts.iter().filter(|(m, _)| *m != 0.0).map(|&(_, k)| k).max().unwrap_or(0);
    (parts.into_iter().map(|(m, kj)| scale2(m, kj - k)).collect(), k)
}

/// `n/d ≈ m·2^e` as a float guess apart from its scale (no bound claimed): finite for
/// integers of any size.
pub fn ratio_parts(n: &Z, d: &Z) -> (f64, i64) {
    let ((a, ka), (b, kb)) = (z_parts(n), z_parts(d));
    (a / b, ka - kb)
}

/// `x·2^k` (exact while the result is a normal number).
pub fn times_pow2(x: f64, k: i64) -> f64 {
    scale2(x, k)
}

/// A rational as `f64` for *guesses* only (no error bound is claimed; within a few ulps
/// when the value is in range, whatever the sizes of numerator and denominator): much
/// cheaper than a correctly rounded conversion of a rational with large parts.
pub fn guess(q: &crate::arith::num::Q) -> f64 {
    if q.denom().is_one() {
        z_to_f64(q.numer())
    } else {
        let ((n, kn), (d, kd)) = (z_parts(q.numer()), z_parts(q.denom()));
        scale2(n / d, kn - kd)
    }
}

/// An exact integer approximated: `|v - v̂| <= e`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Approx {
    pub v: f64,
    pub e: f64,
}

impl Approx {
    /// An exact integer converted (error `ρ|v̂|`; infinite beyond the `f64` range).
    pub fn of(z: &Z) -> Approx {
        let v = z_to_f64(z);
        Approx { v, e: RHO * v.abs() }
    }

    /// A float converted from an exact integer (error `ρ|v̂|`, as in [`Approx::of`]).
    pub fn converted(v: f64) -> Approx {
        Approx { v, e: RHO * v.abs() }
    }

    /// The sign if the bound decides it: `Some(1)`, `Some(-1)`, `Some(0)` (exactly zero), or
    /// `None` (undecided, or a non-finite value).
    pub fn sign(self) -> Option<i8> {
        if !(self.v.is_finite() && self.e.is_finite()) {
            None
        } else if self.e == 0.0 && self.v == 0.0 {
            Some(0)
        } else if self.v > self.e {
            Some(1)
        } else if -self.v > self.e {
            Some(-1)
        } else {
            None
        }
    }

    /// Exactly zero.
    pub const ZERO: Approx = Approx { v: 0.0, e: 0.0 };

    fn is_exact_zero(self) -> bool {
        self.v == 0.0 && self.e == 0.0
    }

    /// `a - b` for two converted integers (each within `ρ|·|`), one rounding.
    pub fn difference(a: f64, b: f64) -> Approx {
        let v = a - b;
        if a == b {
            return Approx { v, e: if a == 0.0 { 0.0 } else { mul_up(2.0 * RHO, a.abs()) } };
        }
        Approx { v, e: add_up(mul_up(RHO, add_up(a.abs(), b.abs())), ulp(v)) }
    }

    /// `self + a·b` with its bound: `|AB - âb̂| <= |â|e_b + |b̂|e_a + e_a e_b`, plus the ulps
    /// of the product and of the sum.
    pub fn add_product(self, a: Approx, b: Approx) -> Approx {
        if a.is_exact_zero() || b.is_exact_zero() {
            return self;
        }
        let p = a.v * b.v;
        let v = self.v + p;
        let mut e = add_up(self.e, mul_up(a.v.abs(), b.e));
        e = add_up(e, mul_up(b.v.abs(), a.e));
        e = add_up(e, mul_up(a.e, b.e));
        e = add_up(e, ulp(p));
        Approx { v, e: add_up(e, ulp(v)) }
    }

    /// Exactly one.
    pub const ONE: Approx = Approx { v: 1.0, e: 0.0 };

    /// `f · self` for a converted integer factor `f̂` (`|f - f̂| <= ρ|f̂|`):
    /// `|f x - f̂ x̂| <= |f̂| e + ρ|f̂|(|x̂| + e)`, plus the ulp of the product.
    pub fn times(self, f: f64) -> Approx {
        if f == 0.0 {
            return Approx { v: 0.0, e: 0.0 };
        }
        if f == 1.0 {
            return self;
        }
        let v = f * self.v;
        let fa = f.abs();
        let e = add_up(mul_up(fa, self.e), mul_up(RHO, mul_up(fa, add_up(self.v.abs(), self.e))));
        Approx { v, e: add_up(e, ulp(v)) }
    }
}

/// `-a` (exact: the bound is unchanged).
impl std::ops::Neg for Approx {
    type Output = Approx;
    fn neg(self) -> Approx {
        Approx { v: -self.v, e: self.e }
    }
}

/// One integer layer in floats: rows of `ŵ`, biases `b̂`, and the activation factors.
#[derive(Debug, Clone)]
pub struct FloatLayer {
    pub weight: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
    /// `q̂` (active) and `p̂` (inactive).
    pub q: f64,
    pub p: f64,
}

impl FloatLayer {
    pub fn new(weight: &[Vec<Z>], bias: &[Z], q: &Z, p: &Z) -> FloatLayer {
        FloatLayer {
            weight: weight.iter().map(|r| r.iter().map(z_to_f64).collect()).collect(),
            bias: bias.iter().map(z_to_f64).collect(),
            q: z_to_f64(q),
            p: z_to_f64(p),
        }
    }

    /// Whether every constant is finite (otherwise the filter is never used).
    pub fn is_finite(&self) -> bool {
        self.weight.iter().flatten().chain(&self.bias).all(|v| v.is_finite())
            && self.q.is_finite()
            && self.p.is_finite()
    }
}

/// The float copy of a network's integer layers, or `None` when a constant is out of the
/// `f64` range (then every evaluation is exact). Derived data: equality ignores it.
#[derive(Debug, Clone)]
pub struct FloatNet(pub Option<Vec<FloatLayer>>);

impl PartialEq for FloatNet {
    fn eq(&self, _: &FloatNet) -> bool {
        true
    }
}
impl Eq for FloatNet {}

/// `Σ_i row_i · h_i[t] + c` for component `t` of the tuples `h` of `k` components each,
/// stored one after another (`h_i[t]` is `h[i·k + t]`), with its error bound. The row holds
/// converted integers; `c` is `bias · scale` (both converted: a product of two converted
/// integers) for the value component and 0 otherwise.
#[inline]
pub fn dot(row: &[f64], h: &[Approx], k: usize, t: usize, c: f64) -> Approx {
    dot_iter(row, h[t..].iter().step_by(k).copied(), c)
}

/// The sum of [`dot`] over any sequence of approximations (the module doc's bound).
#[inline]
fn dot_iter(row: &[f64], h: impl Iterator<Item = Approx>, c: f64) -> Approx {
    let mut v = c;
    let mut big_t = c.abs();
    let mut big_p = 0.0;
    for (w, x) in row.iter().zip(h) {
        debug_assert!(*w == 0.0 || w.abs() >= 1.0 || !w.is_finite(), "row entries are converted integers");
        v += w * x.v;
        big_t += (w * x.v).abs();
        big_p += w.abs() * x.e;
    }
    if big_t == 0.0 && big_p == 0.0 {
        // Every term exactly zero (a non-zero term has `|ŵ x̂| >= |x̂| >= η`).
        return Approx { v, e: if v == 0.0 { 0.0 } else { f64::INFINITY } };
    }
    if row.len() >= MAX_TERMS {
        return Approx { v, e: f64::INFINITY };
    }
    let n = row.len() as f64;
    let gamma = (n + 3.0) * U;
    let rel = ((3.0 * RHO + gamma) * big_t + (1.0 + 2.0 * RHO) * big_p) * SLACK;
    Approx { v, e: add_up(rel, (2.0 * n + 4.0) * ETA) }
}

/// `Σ a_i b_i` for integers converted to `f64` on both sides (each within `ρ|v̂|`): every
/// product has relative error `<= 3ρ` and the `n - 1` additions add `γ_n T` (the bound of
/// the module doc with `P = 0`, all error in the products). Products of converted integers
/// are `0` or at least 1: nothing underflows.
#[inline]
pub fn dot_converted(a: &[f64], b: &[f64]) -> Approx {
    let mut v = 0.0;
    let mut big_t = 0.0;
    for (x, y) in a.iter().zip(b) {
        let p = x * y;
        v += p;
        big_t += p.abs();
    }
    if a.len() >= MAX_TERMS {
        return Approx { v, e: f64::INFINITY };
    }
    let gamma = (a.len() as f64 + 1.0) * U;
    Approx { v, e: (3.0 * RHO + gamma) * big_t * SLACK }
}

/// `Σ v_i r_i` for integers `v_i` converted to `f64` (within `ρ|v̂_i|`) and approximations
/// `r_i`: the bound of [`dot`] (`T = Σ|v̂_i r̂_i|`, `P = Σ|v̂_i| e_i`).
#[inline]
pub fn dot_approx(v: &[f64], r: &[Approx]) -> Approx {
    dot_iter(v, r.iter().copied(), 0.0)
}

/// A quotient `n/w` of integers with `w > 0`, e.g. a polar point's coordinate `a_i/s_i`,
/// for integers of any size: both are converted apart from their scales (relative error
/// `u` each), divided (`u`) and scaled back (exact, or one rounding of at most `η` in the
/// subnormal range), so `8u|v̂| + 2^-1022` bounds the error. `0/w` is exact; a result
/// beyond the `f64` range is infinite (undecided).
pub fn quotient(n: &Z, w: &Z) -> Approx {
    if num_traits::Zero::is_zero(n) {
        return Approx { v: 0.0, e: 0.0 };
    }
    let ((a, ka), (b, kb)) = (z_parts(n), z_parts(w));
    let v = scale2(a / b, ka - kb);
    Approx { v, e: 8.0 * U * v.abs() + f64::MIN_POSITIVE }
}

/// The sign of `Σ a_i x_i` for integers of any size, as an ordering against zero, when the
/// bound decides it. Each product is taken apart from its scale (`m_a m_x·2^(k_a + k_x)`:
/// two conversions within `u`, the product within `u`, so within `4u|p̂|`), scaled to the
/// largest scale (exact, or within `η` in the subnormal range) and summed (`γ_n T`):
/// `|Σ - v̂| <= (4u + γ_n) T + 2nη` in units of the largest scale.
pub fn dot_ints(a: &[&Z], x: &[&Z]) -> Option<std::cmp::Ordering> {
    let n = a.len().min(x.len());
    if n >= MAX_TERMS {
        return None;
    }
    let mut terms: Vec<(f64, i64)> = Vec::with_capacity(n);
    for (ai, xi) in a.iter().zip(x) {
        let ((ma, ka), (mx, kx)) = (z_parts(ai), z_parts(xi));
        let p = ma * mx;
        if p != 0.0 {
            terms.push((p, ka + kx));
        }
    }
    let Some(top) = terms.iter().map(|&(_, k)| k).max() else {
        return Some(std::cmp::Ordering::Equal);
    };
    let (mut v, mut big_t) = (0.0f64, 0.0f64);
    for (p, k) in terms {
        let s = scale2(p, k - top);
        v += s;
        big_t += s.abs();
    }
    let nf = n as f64;
    let bound = add_up((4.0 * U + (nf + 1.0) * U) * big_t * SLACK, 2.0 * nf * ETA);
    decide(v, bound)
}

/// The quotient `n/d` of two approximations when `d` is certainly non-zero
/// (`|d̂| > e_d`): `|n/d - n̂/d̂| <= (e_n + |n̂/d̂| e_d) / (|d̂| - e_d)`, plus the ulp of the
/// division, every operation of the bound rounded up (the denominator down). `None` when `d`
/// may be zero or a value is not finite.
#[inline]
pub fn ratio(n: Approx, d: Approx) -> Option<Approx> {
    let ad = d.v.abs();
    if !(n.v.is_finite() && n.e.is_finite() && ad.is_finite() && d.e.is_finite()) {
        return None;
    }
    let den_hat = ad - d.e;
    let positive = den_hat > 0.0; // false for NaN too
    if !positive {
        return None;
    }
    let v = n.v / d.v;
    if !v.is_finite() {
        return None;
    }
    let num_hat = n.e + v.abs() * d.e;
    // Fast path: numerator and denominator far from the subnormal range, so every operation
    // of the bound has a relative error of at most `u` (the absolute error `η/2` of a product
    // that underflows is below `u` times the sum it joins); five roundings, covered by
    // `1 + 2^-40`, and the last sum's rounding by the factor 2 in `ulp(v̂)`.
    // (`v̂` normal, or exactly zero with `n̂ = 0`: then `|n̂/d̂| <= |v̂|(1 + u)`.)
    let v_normal = if n.v == 0.0 { true } else { v.abs() >= SAFE_LOW };
    if v_normal && (num_hat == 0.0 || num_hat >= SAFE_LOW) && den_hat >= SAFE_DEN && num_hat < SAFE_HIGH {
        let e = num_hat / den_hat * (1.0 + FAST_SLACK) + ulp(v);
        return e.is_finite().then_some(Approx { v, e });
    }
    let den = den_hat.next_down();
    let q = up(v.abs()); // >= |n̂/d̂|
    let num = add_up(n.e, mul_up(q, d.e));
    let e = add_up(up(num / den), ulp(v));
    (e.is_finite() && den > 0.0).then_some(Approx { v, e })
}

/// `Σ |w_j|` for converted integers `ŵ_j` (each within `ρ|ŵ_j|`, `0` or at least 1): the
/// conversions add `ρ Σ|ŵ|`, the float sum `γ_k Σ|ŵ|`; nothing underflows.
pub fn abs_sum(w: &[f64]) -> Approx {
    let v: f64 = w.iter().map(|x| x.abs()).sum();
    Approx { v, e: (RHO + (w.len() as f64 + 1.0) * U) * v * SLACK }
}

/// `s · a` for an exact sign `s` (no rounding).
pub fn signed(a: Approx, negative: bool) -> Approx {
    if negative { Approx { v: -a.v, e: a.e } } else { a }
}

/// `a` against `b` when the bounds decide it (`None`: too close, or not finite). Equal only
/// for two exact equal values.
#[inline]
pub fn compare(a: Approx, b: Approx) -> Option<std::cmp::Ordering> {
    if a.e == 0.0 && b.e == 0.0 && a.v == b.v && a.v.is_finite() {
        return Some(std::cmp::Ordering::Equal);
    }
    let diff = a.v - b.v;
    decide(diff, add_up(add_up(a.e, b.e), ulp(diff)))
}

/// The sign of `v` if `|v| > bound` (both finite), as an ordering against zero.
fn decide(v: f64, bound: f64) -> Option<std::cmp::Ordering> {
    if !(v.is_finite() && bound.is_finite()) {
        None
    } else if v > bound {
        Some(std::cmp::Ordering::Greater)
    } else if -v > bound {
        Some(std::cmp::Ordering::Less)
    } else {
        None
    }
}

/// The orientation of three approximate plane points: the sign of
/// `(q - p) × (r - p)` when the bound decides it (never `Equal`). Each difference carries
/// the inputs' errors plus its ulp; each product `AB` of two differences differs from
/// `âb̂` by at most `|â|e_b + |b̂|e_a + e_a e_b`; the two products and the final difference
/// add their ulps. Every operation of the bound rounds up.
#[inline]
pub fn orient2d(p: [Approx; 2], q: [Approx; 2], r: [Approx; 2]) -> Option<std::cmp::Ordering> {
    // Fast path: every input value and error zero or in [2^-400, 2^400]. Then a non-zero
    // difference is at least 2^-452, every product of two differences or of a difference
    // and an error lies in [2^-1010, 2^802] (normal), and the relative analysis holds: each
    // difference within `e_x + e_y + u|v̂|`, each product within `|â|e_b + |b̂|e_a + e_a e_b`
    // plus `u|âb̂|`, the final difference `u|det|`, all sums of non-negative terms rounded
    // within a factor `1 + 2^-40`.
    let safe = |x: f64| x == 0.0 || (SAFE_LOW..=SAFE_HIGH).contains(&x.abs());
    if [p, q, r].iter().all(|pt| pt.iter().all(|c| safe(c.v) && safe(c.e))) {
        let sub = |x: Approx, y: Approx| {
            let v = x.v - y.v;
            Approx { v, e: x.e + y.e + U * v.abs() }
        };
        let (a, b) = (sub(q[0], p[0]), sub(r[1], p[1]));
        let (c, d) = (sub(q[1], p[1]), sub(r[0], p[0]));
        let (ab, cd) = (a.v * b.v, c.v * d.v);
        let det = ab - cd;
        let err =
            a.v.abs() * b.e + b.v.abs() * a.e + a.e * b.e + c.v.abs() * d.e + d.v.abs() * c.e + c.e * d.e;
        let bound = (err + 3.0 * U * (ab.abs() + cd.abs())) * (1.0 + FAST_SLACK);
        return decide(det, bound);
    }
    let sub = |x: Approx, y: Approx| {
        let v = x.v - y.v;
        Approx { v, e: add_up(add_up(x.e, y.e), ulp(v)) }
    };
    let (a, b) = (sub(q[0], p[0]), sub(r[1], p[1]));
    let (c, d) = (sub(q[1], p[1]), sub(r[0], p[0]));
    let (ab, cd) = (a.v * b.v, c.v * d.v);
    let det = ab - cd;
    let pair = |x: Approx, y: Approx| {
        add_up(add_up(mul_up(x.v.abs(), y.e), mul_up(y.v.abs(), x.e)), mul_up(x.e, y.e))
    };
    let mut bound = add_up(pair(a, b), pair(c, d));
    bound = add_up(bound, add_up(ulp(ab), ulp(cd)));
    decide(det, add_up(bound, ulp(det)))
}

/// The determinant of a small square matrix of approximations (rows given), by cofactor
/// expansion along the rows (`n!` products: meant for orders up to 5) with
/// [`Approx::add_product`]'s bound at every step. No allocation.
pub fn det(rows: &[&[Approx]]) -> Approx {
    fn expand(rows: &[&[Approx]], cols: u32) -> Approx {
        let Some((row, rest)) = rows.split_first() else { return Approx::ONE };
        let mut acc = Approx::ZERO;
        let mut negative = false;
        for (c, &v) in row.iter().enumerate() {
            if cols >> c & 1 == 1 {
                let v = if negative { -v } else { v };
                acc = acc.add_product(v, expand(rest, cols & !(1 << c)));
                negative = !negative;
            }
        }
        acc
    }
    assert!(
        rows.iter().all(|r| r.len() == rows.len()) && rows.len() <= 8,
        "det: orders up to 8 (n! products)"
    );
    expand(rows, (1u32 << rows.len()) - 1)
}

/// The signed cofactors `(-1)^(t+c)·det(M without row t and column c)` of a `4 × 4` matrix
/// of approximations, with [`Approx::add_product`]'s bound at every step. The three-by-three
/// minors share the two-by-two minors of the row pairs (2, 3), (1, 3) and (1, 2): about 100
/// products, against 320 for the five `4 × 4` expansions of a Farkas check.
pub fn cofactors4(m: &[&[Approx]]) -> [[Approx; 4]; 4] {
    debug_assert!(m.len() == 4 && m.iter().all(|r| r.len() == 4));
    const PAIRS: [(usize, usize); 3] = [(2, 3), (1, 3), (1, 2)];
    let mut two = [[[Approx::ZERO; 4]; 4]; 3];
    for (p, &(r1, r2)) in PAIRS.iter().enumerate() {
        for a in 0..4 {
            for b in a + 1..4 {
                two[p][a][b] = Approx::ZERO.add_product(m[r1][a], m[r2][b]).add_product(-m[r1][b], m[r2][a]);
            }
        }
    }
    let mut out = [[Approx::ZERO; 4]; 4];
    for (t, row) in out.iter_mut().enumerate() {
        // The other three rows are `top` and a pair, in increasing order.
        let (top, p) = match t {
            0 => (1, 0),
            1 => (0, 0),
            2 => (0, 1),
            _ => (0, 2),
        };
        for (c, slot) in row.iter_mut().enumerate() {
            let mut cols = [0usize; 3];
            for (k, j) in (0..4).filter(|&j| j != c).enumerate() {
                cols[k] = j;
            }
            let mut acc = Approx::ZERO;
            for (idx, &j) in cols.iter().enumerate() {
                let (u, v) = match idx {
                    0 => (cols[1], cols[2]),
                    1 => (cols[0], cols[2]),
                    _ => (cols[0], cols[1]),
                };
                let e = if idx % 2 == 1 { -m[top][j] } else { m[top][j] };
                acc = acc.add_product(e, two[p][u][v]);
            }
            *slot = if (t + c) % 2 == 1 { -acc } else { acc };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigInt;
    use num_traits::ToPrimitive;

    #[test]
    fn signs_are_decided_only_when_certain() {
        let big = BigInt::from(1u64 << 60) + 1; // not representable in f64
        let a = Approx::of(&big);
        assert!(a.e > 0.0 && a.sign() == Some(1));
        // (2^60 + 1) - 2^60 = 1: a float sum cannot see the 1; the filter must not decide.
        let h = vec![Approx::of(&big), Approx::of(&BigInt::from(1u64 << 60))];
        let z = dot(&[1.0, -1.0], &h, 1, 0, 0.0);
        assert_eq!(z.sign(), None);
        // Exact zeros stay exact.
        let zero = vec![Approx { v: 0.0, e: 0.0 }];
        assert_eq!(dot(&[3.0], &zero, 1, 0, 0.0).sign(), Some(0));
        assert_eq!(a.times(0.0).sign(), Some(0));
        assert_eq!(Approx { v: f64::NAN, e: 0.0 }.sign(), None);
    }

    #[test]
    fn plane_predicates_agree_with_exact_integers() {
        // Homogeneous integer points (x, y, w > 0), often exactly or nearly collinear.
        let mut rng = crate::network::random::SplitMix64(8);
        let mut decided = 0;
        for t in 0..5000 {
            let big =
                |rng: &mut crate::network::random::SplitMix64| BigInt::from(rng.next_u64() >> (t % 64)) + 1;
            let p = [BigInt::from(rng.small_int(5)), BigInt::from(rng.small_int(5)), big(&mut rng)];
            let q = [
                BigInt::from(rng.next_u64() as i64 >> 4),
                BigInt::from(rng.next_u64() as i64 >> 4),
                big(&mut rng),
            ];
            // r on the line pq (scaled) or nudged off it by one unit.
            let k = BigInt::from(rng.small_int(3));
            let r: [BigInt; 3] = if t % 2 == 0 {
                [BigInt::from(rng.small_int(9)), BigInt::from(rng.small_int(9)), big(&mut rng)]
            } else {
                [
                    &p[0] * &q[2] * 2 + &k * (&q[0] * &p[2] * 2 - &p[0] * &q[2] * 2) + rng.small_int(1),
                    &p[1] * &q[2] * 2 + &k * (&q[1] * &p[2] * 2 - &p[1] * &q[2] * 2),
                    &p[2] * &q[2] * 2,
                ]
            };
            let exact = {
                let det: BigInt = &p[0] * (&q[1] * &r[2] - &q[2] * &r[1])
                    - &p[1] * (&q[0] * &r[2] - &q[2] * &r[0])
                    + &p[2] * (&q[0] * &r[1] - &q[1] * &r[0]);
                det.sign().cmp(&num_bigint::Sign::NoSign)
            };
            let ap = |v: &[BigInt; 3]| [quotient(&v[0], &v[2]), quotient(&v[1], &v[2])];
            if let Some(o) = orient2d(ap(&p), ap(&q), ap(&r)) {
                assert_eq!(o, exact, "{p:?} {q:?} {r:?}");
                decided += 1;
            }
            let cx = (&p[0] * &q[2]).cmp(&(&q[0] * &p[2]));
            if let Some(o) = compare(quotient(&p[0], &p[2]), quotient(&q[0], &q[2])) {
                assert_eq!(o, cx);
            }
        }
        assert!(decided > 2000 && decided < 4500, "decided {decided}");
    }

    #[test]
    fn ratio_bound_holds_against_exact_rationals() {
        use crate::arith::num::Q;
        let mut rng = crate::network::random::SplitMix64(11);
        let mut decided = 0;
        for t in 0..4000 {
            let n = BigInt::from(rng.next_u64() as i64 >> (t % 60));
            let d = BigInt::from(rng.next_u64() as i64 >> (t % 50)) + 1;
            // Inputs with errors: the exact n, d lie within the stated bounds of the floats.
            let (an, ad) = (Approx::of(&n), Approx::of(&d));
            let widen = |a: Approx, k: f64| Approx {
                v: a.v * (1.0 + k * 1e-13),
                e: a.e + 2.0 * k.abs() * 1e-13 * a.v.abs(),
            };
            let (an, ad) = if t % 3 == 0 { (widen(an, 1.0), widen(ad, -3.0)) } else { (an, ad) };
            let Some(r) = ratio(an, ad) else { continue };
            decided += 1;
            let exact = Q::new(n.clone(), d.clone());
            let lo = Q::from_float(r.v - r.e).unwrap();
            let hi = Q::from_float(r.v + r.e).unwrap();
            assert!(lo <= exact && exact <= hi, "{n}/{d} outside {r:?}");
        }
        assert!(decided > 3000, "decided {decided}");
        // A denominator that may be zero is refused.
        assert!(ratio(Approx { v: 1.0, e: 0.0 }, Approx { v: 1e-9, e: 1e-9 }).is_none());
    }

    #[test]
    fn bound_holds_on_random_integer_dot_products() {
        // Compare against the exact BigInt result on cancelling sums.
        let mut rng = crate::network::random::SplitMix64(5);
        for _ in 0..2000 {
            let n = 1 + (rng.next_u64() % 40) as usize;
            let ws: Vec<BigInt> = (0..n).map(|_| BigInt::from(rng.next_u64() as i64 >> 3)).collect();
            let xs: Vec<BigInt> = (0..n).map(|_| BigInt::from(rng.next_u64() as i64 >> 20)).collect();
            // Half the time the constant cancels the sum up to a small integer.
            let s: BigInt = ws.iter().zip(&xs).map(|(w, x)| w * x).sum();
            let c = if rng.next_u64() % 2 == 0 {
                BigInt::from(rng.small_int(3)) - &s
            } else {
                BigInt::from(rng.next_u64() as i64) * BigInt::from(rng.next_u64() as i64 >> 30)
            };
            let exact: BigInt = &s + &c;
            let row: Vec<f64> = ws.iter().map(z_to_f64).collect();
            // Pairs (x_i, junk_i) one after another: component 0 is read, at stride 2.
            let h: Vec<Approx> =
                xs.iter().flat_map(|x| [Approx::of(x), Approx::converted(rng.next_u64() as f64)]).collect();
            let z = dot(&row, &h, 2, 0, z_to_f64(&c));
            let err = (z_to_f64(&exact) - z.v).abs();
            assert!(err <= z.e * (1.0 + 1e-9) + 1.0, "error {err} above bound {}", z.e);
            if let Some(sign) = z.sign() {
                assert_eq!(i64::from(sign), num_traits::Signed::signum(&exact).to_i64().unwrap());
            }
        }
    }

    #[test]
    fn cofactor_bounds_hold_against_exact_integers() {
        // Every cofactor of 4×4 matrices (random, and nearly singular), as below.
        let mut rng = crate::network::random::SplitMix64(10);
        let mut decided = 0;
        for t in 0..800 {
            let n = 4;
            let mut m: Vec<Vec<BigInt>> = (0..n)
                .map(|_| {
                    (0..n).map(|_| BigInt::from(rng.next_u64() as i64 >> (3 + rng.next_u64() % 50))).collect()
                })
                .collect();
            if t % 2 == 0 {
                let (a, b) = (BigInt::from(rng.small_int(3)), BigInt::from(rng.small_int(3)));
                m[t % 4] = (0..n).map(|j| &a * &m[(t + 1) % 4][j] + &b * &m[(t + 2) % 4][j]).collect();
                m[t % 4][0] += BigInt::from(rng.small_int(1));
            } else {
                // Two rows (one of the shared pairs) nearly parallel: their 2×2 minors cancel.
                let (r1, r2) = [(2, 3), (1, 3), (1, 2)][t % 3];
                let f = BigInt::from(rng.small_int(3));
                m[r2] = (0..n).map(|j| &f * &m[r1][j] + BigInt::from(rng.small_int(1))).collect();
            }
            let approx: Vec<Vec<Approx>> = m.iter().map(|r| r.iter().map(Approx::of).collect()).collect();
            let rows: Vec<&[Approx]> = approx.iter().map(|r| r.as_slice()).collect();
            let got = cofactors4(&rows);
            let q = |x: f64| crate::arith::num::from_f64_exact(x).unwrap();
            for tt in 0..n {
                for c in 0..n {
                    let sub: Vec<Vec<BigInt>> = (0..n)
                        .filter(|&i| i != tt)
                        .map(|i| (0..n).filter(|&j| j != c).map(|j| m[i][j].clone()).collect())
                        .collect();
                    let minor = crate::arith::minors::det_int(sub);
                    let exact = if (tt + c) % 2 == 1 { -minor } else { minor };
                    let g = got[tt][c];
                    let gap = crate::arith::num::Q::from_integer(exact.clone()) - q(g.v);
                    assert!(num_traits::Signed::abs(&gap) <= q(g.e), "{m:?} {tt} {c}: {exact} vs {g:?}");
                    if let Some(sign) = g.sign() {
                        assert_eq!(i64::from(sign), num_traits::Signed::signum(&exact).to_i64().unwrap());
                        decided += 1;
                    }
                }
            }
        }
        assert!(decided > 10000, "decided {decided}");
    }

    #[test]
    fn conversions_are_correctly_rounded() {
        // Every size up to past the f64 range, with and without low bits set (rounding ties
        // and the sticky bit), both signs: the correctly rounded double (an oracle by integer
        // arithmetic, not num-bigint's to_f64, which misses sticky bits in lower limbs).
        let mut rng = crate::network::random::SplitMix64(12);
        for t in 0..4000 {
            let limbs = 1 + t % 18;
            let mut z = BigInt::from(0);
            for _ in 0..limbs {
                z = (z << 64) + BigInt::from(rng.next_u64());
            }
            z >>= (rng.next_u64() % 64) as usize;
            match t % 4 {
                0 => z = (z >> 80usize) << 80usize, // low bits clear
                1 => z = ((z >> 11usize) << 11usize) + BigInt::from(1u64 << 10), // a tie
                _ => {}
            }
            for v in [z.clone(), -z.clone(), z.clone() + 1] {
                let want = crate::filter_check::correctly_rounded(&v);
                assert_eq!(z_to_f64(&v).to_bits(), want.to_bits(), "{v}");
            }
        }
        // A tie in the top 64 bits with the rest set only in a lower limb's high bits (found
        // by fuzzing; num-bigint 0.4.8 rounds it down): rounds up.
        let z: BigInt = "49815489651792771865521184684678278107355213002862124622440343398130935504763801202821871700335919104"
            .parse()
            .unwrap();
        assert_eq!(z_to_f64(&z), 4.9815489651792776e100);
        for shift in [64usize, 100, 127, 128, 200, 900] {
            let tie =
                ((BigInt::from(1u64 << 52) * 2 + 1) << (shift + 11)) + (BigInt::from(1) << (shift + 10));
            for extra in [BigInt::from(0), BigInt::from(1) << (shift / 2 + 3), BigInt::from(1)] {
                let v = &tie + &extra;
                assert_eq!(
                    z_to_f64(&v).to_bits(),
                    crate::filter_check::correctly_rounded(&v).to_bits(),
                    "{v}"
                );
            }
        }
        assert_eq!(z_to_f64(&BigInt::from(0)), 0.0);
        assert_eq!(z_to_f64(&(BigInt::from(1) << 1024usize)), f64::INFINITY);
        assert_eq!(z_to_f64(&-(BigInt::from(1) << 1100usize)), f64::NEG_INFINITY);
    }

    #[test]
    fn determinant_bound_holds_against_exact_integers() {
        // Orders 1-5, entries up to 2^60 (rounded when converted), half the matrices
        // singular or nearly so (a row that is a combination of two others plus 0 or 1).
        let mut rng = crate::network::random::SplitMix64(9);
        let mut decided = 0;
        for t in 0..3000 {
            let n = 1 + t % 5;
            let mut m: Vec<Vec<BigInt>> = (0..n)
                .map(|_| {
                    (0..n).map(|_| BigInt::from(rng.next_u64() as i64 >> (3 + rng.next_u64() % 50))).collect()
                })
                .collect();
            if n >= 3 && t % 2 == 0 {
                let (a, b) = (BigInt::from(rng.small_int(3)), BigInt::from(rng.small_int(3)));
                m[n - 1] = (0..n).map(|j| &a * &m[0][j] + &b * &m[1][j]).collect();
                m[n - 1][0] += BigInt::from(rng.small_int(1));
            }
            let exact = crate::arith::minors::det_int(m.clone());
            let approx: Vec<Vec<Approx>> = m.iter().map(|r| r.iter().map(Approx::of).collect()).collect();
            let rows: Vec<&[Approx]> = approx.iter().map(|r| r.as_slice()).collect();
            let got = det(&rows);
            // |exact - v| <= e, in rationals.
            let q = |x: f64| crate::arith::num::from_f64_exact(x).unwrap();
            let gap = crate::arith::num::Q::from_integer(exact.clone()) - q(got.v);
            assert!(num_traits::Signed::abs(&gap) <= q(got.e), "{m:?}: {exact} vs {got:?}");
            if let Some(sign) = got.sign() {
                assert_eq!(i64::from(sign), num_traits::Signed::signum(&exact).to_i64().unwrap(), "{m:?}");
                decided += 1;
            }
        }
        assert!(decided > 2000, "decided {decided}");
    }
}
