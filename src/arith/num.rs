//! Exact numbers: the rational type, parsing of exact decimal / fraction text, `p/q` printing,
//! primitive integer rows and certified square-root bounds.
//!
//! Invariant: nothing in this module rounds. The only inexact function is [`to_f64`], used
//! for human-readable summaries and never for a decision.

use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::fmt;

/// The exact rational number type used throughout the crate.
pub type Q = BigRational;
/// Arbitrary precision integers.
pub type Z = BigInt;

/// Largest absolute decimal exponent accepted in text such as `1e-3` (so that a hostile
/// `1e999999999` cannot exhaust memory).
pub const MAX_EXPONENT: i64 = 4096;
/// Largest number of characters accepted in one number literal: past any number a network
/// needs, and enough for the exact rationals linregions itself writes for networks with
/// huge weights (a 2-6-4-1 net with weights of 1e±1000 has centres of 16,000 characters),
/// so that `verify` reads every document `enumerate` writes; a hostile literal still cannot
/// make parsing run long (decimal parsing is quadratic: ~0.1 s at this length).
pub const MAX_LITERAL_LEN: usize = 1_000_000;

/// Why a number literal was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumError {
    /// Not of the form `[-+]digits[.digits][e[-+]digits]` or `[-+]digits/digits`.
    Syntax(String),
    /// `p/0`.
    ZeroDenominator(String),
    /// Exponent outside `±MAX_EXPONENT`.
    ExponentTooLarge(String),
    /// Literal longer than [`MAX_LITERAL_LEN`].
    TooLong(usize),
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumError::Syntax(s) => {
                write!(f, "`{s}` is not an exact number (expected e.g. 3, -3/4, 0.25, 1e-3, -2.5E2)")
            }
            NumError::ZeroDenominator(s) => write!(f, "`{s}` has a zero denominator"),
            NumError::ExponentTooLarge(s) => {
                write!(f, "`{s}` has an exponent beyond ±{MAX_EXPONENT}")
            }
            NumError::TooLong(n) => {
                write!(f, "number literal of {n} characters exceeds {MAX_LITERAL_LEN}")
            }
        }
    }
}

impl std::error::Error for NumError {}

fn parse_int_digits(s: &str) -> Option<BigInt> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    BigInt::parse_bytes(s.as_bytes(), 10)
}

/// Parse an exact rational from text: `3`, `-3/4`, `0.25`, `.5`, `1e-3`, `-2.5E2`, `+7`.
/// Decimals are read as exact decimals (`0.1` is 1/10).
///
/// ```
/// use linregions::{fmt_q, parse_rational};
/// assert_eq!(fmt_q(&parse_rational("0.1").unwrap()), "1/10"); // exact decimal, not a binary float
/// assert_eq!(fmt_q(&parse_rational("-2.5E2").unwrap()), "-250");
/// assert!(parse_rational("1/0").is_err());
/// ```
pub fn parse_rational(text: &str) -> Result<Q, NumError> {
    let s = text.trim();
    if s.len() > MAX_LITERAL_LEN {
        return Err(NumError::TooLong(s.len()));
    }
    let syntax = || NumError::Syntax(text.to_string());
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let value = if let Some((p, q)) = body.split_once('/') {
        let p = parse_int_digits(p).ok_or_else(syntax)?;
        let q = parse_int_digits(q).ok_or_else(syntax)?;
        if q.is_zero() {
            return Err(NumError::ZeroDenominator(text.to_string()));
        }
        Q::new(p, q)
    } else {
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => {
                let e = &body[i + 1..];
                let (eneg, edigits) = match e.as_bytes().first() {
                    Some(b'-') => (true, &e[1..]),
                    Some(b'+') => (false, &e[1..]),
                    _ => (false, e),
                };
                if edigits.is_empty() || !edigits.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(syntax());
                }
                let trimmed = edigits.trim_start_matches('0');
                let ev: i64 = if trimmed.len() > 12 { i64::MAX } else { trimmed.parse::<i64>().unwrap_or(0) };
                if ev > MAX_EXPONENT {
                    return Err(NumError::ExponentTooLarge(text.to_string()));
                }
                (&body[..i], if eneg { -ev } else { ev })
            }
            None => (body, 0),
        };
        let (ip, fp) = match mantissa.split_once('.') {
            Some((a, b)) => (a, b),
            None => (mantissa, ""),
        };
        if ip.is_empty() && fp.is_empty() {
            return Err(syntax());
        }
        if !ip.bytes().all(|c| c.is_ascii_digit()) || !fp.bytes().all(|c| c.is_ascii_digit()) {
            return Err(syntax());
        }
        let digits = format!("{ip}{fp}");
        let n = BigInt::parse_bytes(digits.as_bytes(), 10).ok_or_else(syntax)?;
        let e = exp - fp.len() as i64;
        let ten = BigInt::from(10u32);
        if e >= 0 {
            Q::from_integer(n * num_traits::pow(ten, e as usize))
        } else {
            Q::new(n, num_traits::pow(ten, (-e) as usize))
        }
    };
    Ok(if neg { -value } else { value })
}

/// `p/q` text of a rational, integers without `/1`.
pub fn fmt_q(q: &Q) -> String {
    let mut out = String::new();
    push_q(q, &mut out);
    out
}

/// The decimal text of an integer (its `Display`, faster below 2^63).
pub fn fmt_z(z: &Z) -> String {
    let mut out = String::new();
    push_z(z, &mut out);
    out
}

/// [`fmt_q`] appended to `out`.
pub fn push_q(q: &Q, out: &mut String) {
    push_z(q.numer(), out);
    if !q.denom().is_one() {
        out.push('/');
        push_z(q.denom(), out);
    }
}

/// The decimal digits of `z` appended to `out` (the same text as its `Display`): through a
/// machine integer when it fits in 64 bits, whose formatting allocates nothing.
pub fn push_z(z: &Z, out: &mut String) {
    use std::fmt::Write as _;
    match z.to_i64() {
        Some(v) => write!(out, "{v}"),
        None => write!(out, "{z}"),
    }
    .expect("writing to a String")
}

/// Nearest `f64` of a rational, for display only (never for a decision).
pub fn to_f64(q: &Q) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

/// The exact value of a binary float (`0.1f64` is 3602879701896397/36028797018963968).
/// Returns `None` for NaN and infinities.
pub fn from_f64_exact(x: f64) -> Option<Q> {
    Q::from_float(x)
}

/// Exact value of an `f32` (widening to f64 is exact).
pub fn from_f32_exact(x: f32) -> Option<Q> {
    Q::from_float(x as f64)
}

/// Scale `(a, b)` by a positive rational so that all entries are coprime integers.
/// The half-space `a·x <= b` is unchanged; two rows define the same half-space exactly
/// when their primitive forms are equal (if `a != 0`). Returns all zeros for a zero row.
pub fn primitive_row(a: &[Q], b: &Q) -> (Vec<Z>, Z) {
    let mut l = BigInt::one();
    for v in a.iter().chain(std::iter::once(b)) {
        l = lcm_pos(&l, v.denom());
    }
    let ints: Vec<Z> = if l.is_one() {
        a.iter().chain(std::iter::once(b)).map(|v| v.numer().clone()).collect()
    } else {
        a.iter().chain(std::iter::once(b)).map(|v| v.numer() * (&l / v.denom())).collect()
    };
    primitive_ints(ints)
}

/// `(a, b)` of integers (`b` last in `ints`) divided by the gcd of the entries (a zero row
/// stays zero): the integer part of [`primitive_row`].
pub fn primitive_ints(ints: Vec<Z>) -> (Vec<Z>, Z) {
    let mut ints = match primitive_small(ints) {
        Ok(small) => small,
        Err(ints) => {
            let g = content(&ints);
            if g.is_zero() || g.is_one() { ints } else { ints.into_iter().map(|v| v / &g).collect() }
        }
    };
    let bb = ints.pop().unwrap_or_default();
    (ints, bb)
}

/// The fast path of [`primitive_row`]: when every entry fits in an `i128`, the gcd is a
/// binary gcd on machine words (num-bigint's gcd on multi-limb numbers dominated
/// profiles), and coprime entries are returned as they are (no copy). `Err(ints)` (given
/// back) when an entry does not fit.
fn primitive_small(ints: Vec<Z>) -> Result<Vec<Z>, Vec<Z>> {
    let small = |v: &Z| v.to_i128().filter(|x| *x != i128::MIN);
    let mut g = 0u128;
    for v in &ints {
        match small(v) {
            Some(x) => g = gcd_u128(g, x.unsigned_abs()),
            None => return Err(ints),
        }
    }
    if g <= 1 {
        return Ok(ints);
    }
    let g = g as i128; // g <= |v| < 2^127 for some entry
    Ok(ints.iter().map(|v| Z::from(small(v).expect("fits: checked above") / g)).collect())
}

/// A signed 256-bit integer, sign and magnitude (little-endian limbs), for fixed-width
/// fast paths (`polytope::Minors`, the mesh's crossing points): products by an `i64`, full
/// products of two `i128`s, and sums, each reporting overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct W256 {
    pub(crate) neg: bool,
    pub(crate) mag: [u64; 4],
}

impl W256 {
    pub(crate) const ZERO: W256 = W256 { neg: false, mag: [0; 4] };

    pub(crate) fn from_i128(v: i128) -> W256 {
        let m = v.unsigned_abs();
        W256 { neg: v < 0, mag: [m as u64, (m >> 64) as u64, 0, 0] }
    }

    /// The full product `a·b` of two `i128`s (at most 254 bits of magnitude: never overflows).
    pub(crate) fn mul_i128(a: i128, b: i128) -> W256 {
        let (x, y) = (a.unsigned_abs(), b.unsigned_abs());
        let (x0, x1, y0, y1) = (x as u64 as u128, x >> 64, y as u64 as u128, y >> 64);
        let (p00, p01, p10, p11) = (x0 * y0, x0 * y1, x1 * y0, x1 * y1);
        // Column sums with carries: p01 and p10 straddle limbs 1 and 2.
        let mid = (p00 >> 64) + (p01 as u64 as u128) + (p10 as u64 as u128);
        let high = (p01 >> 64) + (p10 >> 64) + (p11 as u64 as u128) + (mid >> 64);
        let mag = [p00 as u64, mid as u64, high as u64, ((p11 >> 64) + (high >> 64)) as u64];
        W256 { neg: (a < 0) != (b < 0) && mag != [0; 4], mag }
    }

    /// `self · k`, or `None` past 256 bits of magnitude.
    pub(crate) fn mul_i64(self, k: i64) -> Option<W256> {
        let f = k.unsigned_abs() as u128;
        let mut mag = [0u64; 4];
        let mut carry = 0u128;
        for (o, &x) in mag.iter_mut().zip(&self.mag) {
            let t = x as u128 * f + carry;
            *o = t as u64;
            carry = t >> 64;
        }
        (carry == 0).then_some(W256 { neg: self.neg != (k < 0), mag })
    }

    fn add_mag(a: &[u64; 4], b: &[u64; 4]) -> Option<[u64; 4]> {
        let mut out = [0u64; 4];
        let mut carry = false;
        for i in 0..4 {
            let (s1, c1) = a[i].overflowing_add(b[i]);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            out[i] = s2;
            carry = c1 || c2;
        }
        (!carry).then_some(out)
    }

    /// `a - b` for magnitudes `a >= b`.
    fn sub_mag(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for i in 0..4 {
            let (d1, b1) = a[i].overflowing_sub(b[i]);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            out[i] = d2;
            borrow = b1 || b2;
        }
        out
    }

    pub(crate) fn checked_add(self, o: W256) -> Option<W256> {
        if self.neg == o.neg {
            return Some(W256 { neg: self.neg, mag: Self::add_mag(&self.mag, &o.mag)? });
        }
        // Opposite signs: the larger magnitude keeps its sign.
        let larger = self.mag.iter().rev().cmp(o.mag.iter().rev()) != std::cmp::Ordering::Less;
        let (big, small) = if larger { (self, o) } else { (o, self) };
        let mag = Self::sub_mag(&big.mag, &small.mag);
        Some(W256 { neg: big.neg && mag != [0; 4], mag })
    }

    pub(crate) fn checked_sub(self, o: W256) -> Option<W256> {
        self.checked_add(W256 { neg: !o.neg, mag: o.mag })
    }

    pub(crate) fn to_z(self) -> Z {
        if self.mag[2] == 0 && self.mag[3] == 0 {
            let z = Z::from(u128::from(self.mag[0]) | (u128::from(self.mag[1]) << 64));
            return if self.neg { -z } else { z };
        }
        let mag = num_bigint::BigUint::from_slice(&[
            self.mag[0] as u32,
            (self.mag[0] >> 32) as u32,
            self.mag[1] as u32,
            (self.mag[1] >> 32) as u32,
            self.mag[2] as u32,
            (self.mag[2] >> 32) as u32,
            self.mag[3] as u32,
            (self.mag[3] >> 32) as u32,
        ]);
        let z = Z::from(mag);
        if self.neg { -z } else { z }
    }
}

/// `n / d` in lowest terms with `d > 0` (as `Q::new`), reduced by [`gcd_big`]. Panics if
/// `d` is zero.
pub fn q_new(n: Z, d: Z) -> Q {
    assert!(!d.is_zero(), "zero denominator");
    let g = gcd_big(n.magnitude(), d.magnitude());
    let (n, d) = if g.is_one() {
        (n, d)
    } else {
        let g = BigInt::from_biguint(Sign::Plus, g);
        (n / &g, d / &g)
    };
    if d.is_negative() { Q::new_raw(-n, -d) } else { Q::new_raw(n, d) }
}

/// Bits `shift ..` of the little-endian limbs `u` (at most 64 of them), without allocating.
fn bits_from(u: &[u64], shift: u64) -> u64 {
    let (w, s) = ((shift / 64) as usize, shift % 64);
    let lo = u.get(w).copied().unwrap_or(0);
    let hi = u.get(w + 1).copied().unwrap_or(0);
    if s == 0 { lo } else { (lo >> s) | (hi << (64 - s)) }
}

fn bit_len(u: &[u64]) -> u64 {
    u.last().map_or(0, |top| 64 * u.len() as u64 - u64::from(top.leading_zeros()))
}

/// Lehmer's inner loop on the leading 61 bits `x >= y` of two numbers: the cofactors
/// `(a, b, c, d)` of Euclid's steps whose quotients are certain (both bracketing quotients
/// `(x + a) / (y + c)` and `(x + b) / (y + d)` agree). Every value stays below `2^62` in
/// magnitude (cofactors are bounded by the leading parts), so `i64` holds them.
fn lehmer_cofactors(mut x: i64, mut y: i64) -> (i128, i128, i128, i128) {
    let (mut aa, mut bb, mut cc, mut dd) = (1i64, 0i64, 0i64, 1i64);
    while y + cc > 0 && y + dd > 0 && x + aa >= 0 && x + bb >= 0 {
        let q = (x + aa) / (y + cc);
        if q != (x + bb) / (y + dd) {
            break;
        }
        (aa, cc) = (cc, aa - q * cc);
        (bb, dd) = (dd, bb - q * dd);
        (x, y) = (y, x - q * y);
    }
    (aa.into(), bb.into(), cc.into(), dd.into())
}

/// `out = p·u + q·v` on limbs (`|p|, |q| < 2^61`), `false` if the result is negative.
fn lehmer_combine(u: &[u64], v: &[u64], p: i128, q: i128, out: &mut Vec<u64>) -> bool {
    out.clear();
    let mut acc: i128 = 0;
    for (i, &ui) in u.iter().enumerate() {
        let vi = v.get(i).copied().unwrap_or(0);
        // |p·ui + q·vi| < 2^126 and |acc| < 2^63: no overflow.
        acc += p * i128::from(ui) + q * i128::from(vi);
        out.push(acc as u64);
        acc >>= 64;
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    acc == 0
}

fn from_limbs(u: &[u64]) -> BigUint {
    BigUint::new(u.iter().flat_map(|&w| [w as u32, (w >> 32) as u32]).collect())
}

/// `gcd(a, b)` by Lehmer's algorithm (Knuth, TAOCP vol. 2, §4.5.2, Algorithm L) on 64-bit
/// limbs: Euclid's quotients are taken from the leading 61 bits as long as the two
/// bracketing quotients agree (then they are the true quotients), and applied to the full
/// numbers as one 2×2 step in a single pass over the limbs; a full division step when no
/// quotient is certain. Several times faster than num-bigint's binary gcd, which needs
/// O(bits) passes even against 1, and every rational reduction here uses it. Tested
/// against `num_integer::Integer::gcd`.
pub fn gcd_big(a: &BigUint, b: &BigUint) -> BigUint {
    // A power of two on either side (dyadic denominators: float inputs and weights): the
    // gcd is the smaller power of two dividing both, by trailing zeros alone.
    for (p, other) in [(a, b), (b, a)] {
        if let Some(k) = p.trailing_zeros()
            && p.bits() == k + 1
        {
            return BigUint::one() << other.trailing_zeros().map_or(k, |t| t.min(k));
        }
    }
    // Both in 128 bits, or one: machine words after at most one long division (the other
    // number reduced modulo the short one), no limb vectors.
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    if let Some(s) = small.to_u128() {
        let r = match big.to_u128() {
            Some(x) => x,
            None if s == 0 => return big.clone(),
            None => (big % small).to_u128().expect("a remainder is below the divisor"),
        };
        return BigUint::from(gcd_u128(s, r));
    }
    match lehmer(a, b, None) {
        Gcd::Exact(g) => g,
        Gcd::AtMostBits(_) => unreachable!("no early stop asked for"),
    }
}

/// An upper bound on the bit length of `gcd(a, b)`: at most `target` if it can be shown
/// cheaply (a remainder of Euclid's sequence, which the gcd divides, is that short), else
/// the exact bit length. Lehmer's steps stop as soon as the smaller number has at most
/// `target` bits, so a gcd that is far below the numbers costs a step or two.
pub fn gcd_bits_at_most(a: &BigUint, b: &BigUint, target: u64) -> u64 {
    match lehmer(a, b, Some(target)) {
        Gcd::Exact(g) => g.bits(),
        Gcd::AtMostBits(bits) => bits,
    }
}

enum Gcd {
    Exact(BigUint),
    /// The gcd has at most this many bits (a non-zero remainder that short was reached).
    AtMostBits(u64),
}

/// [`gcd_big`]'s algorithm, stopping early (with a bound) once the smaller number has at
/// most `stop` bits, if asked.
fn lehmer(a: &BigUint, b: &BigUint, stop: Option<u64>) -> Gcd {
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    let (mut u, mut v) = (big.to_u64_digits(), small.to_u64_digits());
    let (mut nu, mut nv) = (Vec::with_capacity(u.len()), Vec::with_capacity(u.len()));
    let short = |v: &[u64]| {
        let bits = v.last().map_or(0, |&w| 64 * v.len() as u64 - u64::from(w.leading_zeros()));
        stop.filter(|&t| bits > 0 && bits <= t).map(|_| bits)
    };
    while v.len() > 1 {
        if let Some(bits) = short(&v) {
            return Gcd::AtMostBits(bits);
        }
        let shift = bit_len(&u) - 61;
        let (aa, bb, cc, dd) = lehmer_cofactors(bits_from(&u, shift) as i64, bits_from(&v, shift) as i64);
        if bb != 0 && lehmer_combine(&u, &v, aa, bb, &mut nu) && lehmer_combine(&u, &v, cc, dd, &mut nv) {
            std::mem::swap(&mut u, &mut nu);
            std::mem::swap(&mut v, &mut nv);
        } else {
            let r = from_limbs(&u) % from_limbs(&v);
            u = std::mem::replace(&mut v, r.to_u64_digits());
        }
    }
    if let Some(bits) = short(&v) {
        return Gcd::AtMostBits(bits);
    }
    let Some(&small) = v.first().filter(|s| **s != 0) else { return Gcd::Exact(from_limbs(&u)) };
    let r = u.iter().rev().fold(0u128, |r, &w| ((r << 64) | u128::from(w)) % u128::from(small));
    Gcd::Exact(BigUint::from(gcd_u128(u128::from(small), r)))
}

/// The gcd of two `u128`s (`gcd(0, 0) = 0`): Euclid's steps while a number needs two
/// words, then the binary method on `u64`.
pub fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    b >>= b.trailing_zeros();
    // Euclid's steps (one division each) until both fit a word, then binary steps on words:
    // a binary step on `u128` costs several on `u64`. Odd parts keep the gcd's odd part.
    while (a | b) > u128::from(u64::MAX) {
        let (x, y) = if a > b { (a, b) } else { (b, a) };
        let r = x % y;
        if r == 0 {
            return y << shift;
        }
        (a, b) = (y, r >> r.trailing_zeros());
    }
    let (mut a, mut b) = (a as u64, b as u64);
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return u128::from(a) << shift;
        }
    }
}

/// A vector of rationals as integers over one positive common denominator `den`
/// (`v[i] = ints[i] / den`).
pub fn common_denominator(v: &[Q]) -> (Vec<Z>, Z) {
    // Dyadic entries (rounded points, square-root bounds) are common: their lcm is the
    // largest power of two and every factor a shift, with no gcd or division.
    let shifts: Option<Vec<u64>> = v.iter().map(|x| power_of_two(x.denom())).collect();
    if let Some(shifts) = shifts {
        let top = shifts.iter().copied().max().unwrap_or(0);
        let nums = v.iter().zip(&shifts).map(|(x, &k)| x.numer() << (top - k) as usize).collect();
        return (nums, Z::one() << top as usize);
    }
    let den = v.iter().fold(Z::one(), |acc, x| lcm_pos(&acc, x.denom()));
    (
        v.iter()
            .map(|x| if x.denom() == &den { x.numer().clone() } else { x.numer() * (&den / x.denom()) })
            .collect(),
        den,
    )
}

/// `k` if the positive `z` is `2^k`.
fn power_of_two(z: &Z) -> Option<u64> {
    let k = z.trailing_zeros()?;
    (z.bits() == k + 1).then_some(k)
}

/// Squared Euclidean norm.
pub fn norm2_sq(a: &[Q]) -> Q {
    if a.iter().all(Q::is_integer) {
        // Integer sums: rational additions would reduce by a gcd at every step.
        return Q::from_integer(a.iter().map(|v| v.numer() * v.numer()).sum());
    }
    a.iter().fold(Q::zero(), |acc, v| acc + v * v)
}

/// L1 norm.
pub fn norm1(a: &[Q]) -> Q {
    if a.iter().all(Q::is_integer) {
        return Q::from_integer(a.iter().map(|v| v.numer().abs()).sum());
    }
    a.iter().fold(Q::zero(), |acc, v| acc + v.abs())
}

/// `lcm(a, b)` for positive integers, with the common cases (`1`, equal) free and
/// [`gcd_big`] otherwise.
pub fn lcm_pos(a: &Z, b: &Z) -> Z {
    if b.is_one() || a == b {
        a.clone()
    } else if a.is_one() {
        b.clone()
    } else {
        let g = BigInt::from_biguint(Sign::Plus, gcd_big(a.magnitude(), b.magnitude()));
        a / g * b
    }
}

/// The gcd of the entries (0 for none or all zero), by [`gcd_big`], stopping at 1.
pub fn content(v: &[Z]) -> Z {
    let mut g = BigUint::zero();
    for x in v {
        if g.is_one() {
            break;
        }
        if !x.is_zero() {
            g = if g.is_zero() { x.magnitude().clone() } else { gcd_big(&g, x.magnitude()) };
        }
    }
    BigInt::from_biguint(Sign::Plus, g)
}

/// The point `x/den + (tn/td)·dir` (`den, td > 0`) as integers over one positive
/// denominator, not reduced: `(x_i·td + tn·dir_i·den) / (den·td)`, with `t = 1` when `t` is
/// `None`.
pub fn step_along_over(x: &[Z], den: &Z, t: Option<(&Z, &Z)>, dir: &[Z]) -> (Vec<Z>, Z) {
    let one = Z::one();
    let (tn, td) = t.unwrap_or((&one, &one));
    let tnd = tn * den;
    (x.iter().zip(dir).map(|(xi, vi)| xi * td + &tnd * vi).collect(), den * td)
}

/// Rational bounds `lo <= sqrt(s) <= hi` for a rational `s >= 0`, with
/// `hi - lo <= 2^-bits * (something <= 1 for s>=1)`; exact when `s` is a perfect square.
pub fn sqrt_bounds(s: &Q, bits: u32) -> (Q, Q) {
    debug_assert!(!s.is_negative());
    if s.is_zero() {
        return (Q::zero(), Q::zero());
    }
    // sqrt(p/q) = sqrt(p*q)/q; scale by 4^bits so the integer root carries `bits` bits more.
    let p = s.numer().magnitude();
    let q = s.denom().magnitude();
    let scaled: BigUint = (p * q) << (2 * bits as usize);
    let fl = scaled.sqrt();
    let exact = &fl * &fl == scaled;
    let ce = if exact { fl.clone() } else { &fl + 1u32 };
    if q.is_one() {
        // Over 2^bits: the gcd is a power of two (no general gcd needed).
        let reduce = |n: BigUint| -> Q {
            let k = n.trailing_zeros().map_or(0, |t| t.min(u64::from(bits))) as usize;
            Q::new_raw(BigInt::from_biguint(Sign::Plus, n >> k), BigInt::one() << (bits as usize - k))
        };
        return (reduce(fl), reduce(ce));
    }
    let den = BigInt::from_biguint(Sign::Plus, q << bits as usize);
    (
        Q::new(BigInt::from_biguint(Sign::Plus, fl), den.clone()),
        Q::new(BigInt::from_biguint(Sign::Plus, ce), den),
    )
}

/// `10^-digits` as a rational.
pub fn ten_pow_neg(digits: u32) -> Q {
    Q::new(BigInt::one(), num_traits::pow(BigInt::from(10u32), digits as usize))
}

/// Dot product of two equally long slices.
pub fn dot(a: &[Q], b: &[Q]) -> Q {
    // Zero terms skipped: the box's rows are unit vectors.
    let terms: Vec<(&Q, &Q)> = a.iter().zip(b).filter(|(x, y)| !x.is_zero() && !y.is_zero()).collect();
    if terms.len() <= 8 {
        return terms.into_iter().fold(Q::zero(), |acc, (x, y)| acc + x * y);
    }
    // Many terms: each side over one common denominator and one reduction at the end (a
    // rational sum reduces, with gcds of long numbers, at every term). The same rational.
    let (xs, ys): (Vec<Q>, Vec<Q>) = terms.into_iter().map(|(x, y)| (x.clone(), y.clone())).unzip();
    let ((xn, xd), (yn, yd)) = (common_denominator(&xs), common_denominator(&ys));
    let sum: Z = xn.iter().zip(&yn).map(|(u, v)| u * v).sum();
    Q::new(sum, xd * yd)
}

/// Small integer as a rational.
pub fn qi(v: i64) -> Q {
    Q::from_integer(BigInt::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_integer::Integer;

    fn q(n: i64, d: i64) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    /// `dot` over common denominators (past 8 nonzero terms) is the term-by-term rational
    /// sum: random lengths 0-40 with zeros, mixed signs, dyadic and other denominators.
    #[test]
    fn dot_equals_the_term_by_term_sum() {
        let mut rng = crate::network::random::SplitMix64(5);
        for t in 0..300 {
            let n = t % 41;
            let mut entry = |dyadic: bool| {
                let num = rng.small_int(1_000_000) * i64::from(rng.next_u64() % 5 != 0);
                let den =
                    if dyadic { 1i64 << (rng.next_u64() % 40) } else { 1 + (rng.next_u64() % 997) as i64 };
                q(num, den)
            };
            let a: Vec<Q> = (0..n).map(|_| entry(t % 2 == 0)).collect();
            let b: Vec<Q> = (0..n).map(|_| entry(t % 3 == 0)).collect();
            let plain = a.iter().zip(&b).fold(Q::zero(), |acc, (x, y)| acc + x * y);
            assert_eq!(dot(&a, &b), plain, "case {t}");
        }
    }

    /// A random `i128` of a random width (1 to 127 bits, either sign), or an extreme value.
    fn any_i128(rng: &mut crate::network::random::SplitMix64) -> i128 {
        let r = rng.next_u64();
        match r % 16 {
            0 => i128::MAX,
            1 => -i128::MAX,
            2 => 0,
            _ => {
                let v = ((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())) >> (1 + r % 127);
                if r & 64 == 0 { v as i128 } else { -(v as i128) }
            }
        }
    }

    #[test]
    fn wide_products_and_sums_equal_bigint() {
        let mut rng = crate::network::random::SplitMix64(11);
        for _ in 0..20000 {
            let (a, b, c, d) =
                (any_i128(&mut rng), any_i128(&mut rng), any_i128(&mut rng), any_i128(&mut rng));
            let want_ab = BigInt::from(a) * BigInt::from(b);
            let ab = W256::mul_i128(a, b);
            assert_eq!(ab.to_z(), want_ab, "{a} * {b}");
            assert_eq!(ab.neg, want_ab.is_negative(), "sign of {a} * {b} (zero is not negative)");
            let diff = ab.checked_sub(W256::mul_i128(c, d)).expect("255 bits fit");
            assert_eq!(diff.to_z(), want_ab - BigInt::from(c) * BigInt::from(d));
        }
        let m = W256::mul_i128(i128::MAX, -i128::MAX);
        assert_eq!(m.to_z(), -(BigInt::from(i128::MAX) * BigInt::from(i128::MAX)));
    }

    #[test]
    fn small_primitive_rows_agree_with_bigint_gcd() {
        let mut rng = crate::network::random::SplitMix64(3);
        for t in 0..3000 {
            // Entries sharing a random factor, some near the i128 limit, some zero.
            let f = BigInt::from(rng.next_u64() % 1000 + 1) * BigInt::from(1u64 << (t % 40));
            let ints: Vec<Z> = (0..3)
                .map(|i| {
                    let v = BigInt::from(rng.next_u64() as i64 >> (t % 60)) * &f;
                    if (t + i) % 7 == 0 { Z::zero() } else { v }
                })
                .collect();
            let g = ints.iter().fold(BigInt::zero(), |g, v| g.gcd(v));
            let want: Vec<Z> = if g.is_zero() { ints.clone() } else { ints.iter().map(|v| v / &g).collect() };
            match primitive_small(ints.clone()) {
                Ok(got) => assert_eq!(got, want, "{ints:?}"),
                Err(back) => {
                    assert_eq!(back, ints);
                    assert!(ints.iter().any(|v| v.bits() >= 127));
                }
            }
        }
        // Word-size switch: random widths, common factors (odd and powers of two) and extremes.
        for t in 0..20000u32 {
            let w = |r: u64, sh: u32| ((u128::from(r) << 64) | u128::from(r.rotate_left(17))) >> sh;
            let f = u128::from(rng.next_u64() % 5000 + 1) << (t % 9);
            let (x, y) = (w(rng.next_u64(), 1 + t % 127), w(rng.next_u64(), 1 + (t / 7) % 127));
            let (x, y) = if t % 3 == 0 { (x.saturating_mul(f), y.saturating_mul(f)) } else { (x, y) };
            let want = BigInt::from(x).gcd(&BigInt::from(y));
            assert_eq!(BigInt::from(gcd_u128(x, y)), want, "gcd({x}, {y})");
        }
        assert_eq!(gcd_u128(u128::MAX, u128::MAX - 1), 1);
        assert_eq!(gcd_u128(1 << 127, 1 << 100), 1 << 100);
        assert_eq!(gcd_u128(0, 0), 0);
        assert_eq!(gcd_u128(12, 18), 6);
        assert_eq!(gcd_u128(u128::MAX, 3), 3);
        // i128::MIN does not fit the fast path (its absolute value does not fit an i128).
        assert!(primitive_small(vec![Z::from(i128::MIN), Z::from(2)]).is_err());
    }

    #[test]
    fn parses_exact_forms() {
        assert_eq!(parse_rational("3").unwrap(), q(3, 1));
        assert_eq!(parse_rational("-3/4").unwrap(), q(-3, 4));
        assert_eq!(parse_rational("0.25").unwrap(), q(1, 4));
        assert_eq!(parse_rational("0.1").unwrap(), q(1, 10));
        assert_eq!(parse_rational("1e-3").unwrap(), q(1, 1000));
        assert_eq!(parse_rational("-2.5E2").unwrap(), q(-250, 1));
        assert_eq!(parse_rational(".5").unwrap(), q(1, 2));
        assert_eq!(parse_rational("5.").unwrap(), q(5, 1));
        assert_eq!(parse_rational("+7").unwrap(), q(7, 1));
        assert_eq!(parse_rational("6/4").unwrap(), q(3, 2));
        assert_eq!(parse_rational("1e+2").unwrap(), q(100, 1));
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in ["", "-", "abc", "1/", "/2", "1/-2", "1.2.3", "1e", "e5", "1/2/3", "0x10", "1 2"] {
            assert!(
                matches!(parse_rational(bad), Err(NumError::Syntax(_))),
                "{bad:?} should be a syntax error"
            );
        }
        assert!(matches!(parse_rational("3/0"), Err(NumError::ZeroDenominator(_))));
        assert!(matches!(parse_rational("1e5000"), Err(NumError::ExponentTooLarge(_))));
        assert!(matches!(parse_rational("1e99999999999999999999"), Err(NumError::ExponentTooLarge(_))));
        assert!(parse_rational("1e4096").is_ok());
    }

    #[test]
    fn prints_p_over_q() {
        assert_eq!(fmt_q(&q(6, 3)), "2");
        assert_eq!(fmt_q(&q(-3, 6)), "-1/2");
        assert_eq!(fmt_q(&q(0, 5)), "0");
    }

    #[test]
    fn binary_floats_are_exact() {
        assert_eq!(from_f64_exact(0.5).unwrap(), q(1, 2));
        let tenth = from_f64_exact(0.1).unwrap();
        assert_ne!(tenth, q(1, 10));
        assert_eq!(tenth.denom(), &(BigInt::one() << 55usize));
        assert!(from_f64_exact(f64::NAN).is_none());
    }

    #[test]
    fn primitive_rows() {
        let (a, b) = primitive_row(&[q(1, 2), q(-3, 4)], &q(1, 1));
        assert_eq!(a, vec![BigInt::from(2), BigInt::from(-3)]);
        assert_eq!(b, BigInt::from(4));
        let (a2, b2) = primitive_row(&[q(4, 1), q(-6, 1)], &q(8, 1));
        assert_eq!((a2, b2), (a, b));
    }

    #[test]
    fn lehmer_gcd_agrees_with_num_integer() {
        let mut rng = crate::network::random::SplitMix64(21);
        let big = |words: usize, rng: &mut crate::network::random::SplitMix64| -> BigUint {
            let mut v = BigUint::zero();
            for _ in 0..words {
                v = (v << 64usize) + BigUint::from(rng.next_u64());
            }
            v >> (rng.next_u64() % 64) as usize
        };
        let mut stopped = 0;
        for t in 0..3000 {
            let g = big(1 + t % 3, &mut rng) + 1u32;
            let a = big(t % 7, &mut rng) * &g;
            let b = match t % 5 {
                0 => a.clone(),
                1 => &a + &g,
                2 => BigUint::one() << (t % 300),
                _ => big(t % 6, &mut rng) * &g,
            };
            assert_eq!(gcd_big(&a, &b), a.gcd(&b), "{a} {b}");
            assert_eq!(gcd_big(&b, &a), a.gcd(&b));
            // Powers of two against numbers with and without factors of two.
            let (a2, p2) = (&a << (t % 130), BigUint::one() << (t % 170));
            assert_eq!(gcd_big(&a2, &p2), a2.gcd(&p2), "{a2} {p2}");
            assert_eq!(gcd_big(&p2, &a2), a2.gcd(&p2));
            // The early-stopped bound: never below the gcd's length, and at most the target
            // unless it is that length exactly.
            let exact = a.gcd(&b).bits();
            let target = rng.next_u64() % 400;
            let got = gcd_bits_at_most(&a, &b, target);
            assert!(got >= exact && (got <= target || got == exact), "{a} {b} {target}: {got} vs {exact}");
            stopped += usize::from(got != exact);
            // Consecutive Fibonacci numbers: the worst case (every quotient is 1).
        }
        let (mut f0, mut f1) = (BigUint::one(), BigUint::one());
        for _ in 0..700 {
            (f0, f1) = (f1.clone(), &f0 + &f1);
        }
        assert!(stopped > 300, "early stops: {stopped}");
        assert_eq!(gcd_big(&f1, &f0), BigUint::one());
        assert_eq!(gcd_big(&BigUint::zero(), &f0), f0);
        for (n, d) in [(6, -4), (0, 5), (-3, 9), (7, 1)] {
            assert_eq!(q_new(BigInt::from(n), BigInt::from(d)), Q::new(BigInt::from(n), BigInt::from(d)));
        }
    }

    #[test]
    fn sqrt_bounds_bracket() {
        for (n, d) in [(2, 1), (9, 4), (1, 3), (12345, 7), (1, 1)] {
            let s = q(n, d);
            let (lo, hi) = sqrt_bounds(&s, 40);
            assert!(&lo * &lo <= s && s <= &hi * &hi, "{n}/{d}");
            assert!(&hi - &lo <= Q::new(BigInt::one(), BigInt::one() << 39usize));
        }
        // Integer arguments take the power-of-two reduction: same canonical values.
        for n in [2i64, 3, 4, 16, 1 << 40, 12345678901, 1] {
            for bits in [0u32, 1, 7, 64, 110] {
                let (lo, hi) = sqrt_bounds(&q(n, 1), bits);
                let p = BigUint::from(n as u64) << (2 * bits as usize);
                let fl = p.sqrt();
                let ce = if &fl * &fl == p { fl.clone() } else { &fl + 1u32 };
                let den = BigInt::one() << bits as usize;
                assert_eq!(lo, Q::new(BigInt::from(fl), den.clone()), "{n} {bits}");
                assert_eq!(hi, Q::new(BigInt::from(ce), den), "{n} {bits}");
                assert_eq!(format!("{lo}"), format!("{}", Q::new(lo.numer().clone(), lo.denom().clone())));
            }
        }
        let (lo, hi) = sqrt_bounds(&q(9, 4), 10);
        assert_eq!(lo, hi);
        assert_eq!(lo, q(3, 2));
    }

    #[test]
    fn common_denominators_are_least() {
        // Dyadic vectors take the shift path; the others the lcm fold. Both must give the
        // least common denominator and the matching numerators.
        let cases: [&[(i64, i64)]; 6] = [
            &[(1, 2), (3, 8), (-5, 1), (0, 1)],
            &[(7, 1), (-3, 1)],
            &[(1, 3), (1, 4), (5, 6)],
            &[(1, 1 << 40), (-1, 2), (3, 1 << 41)],
            &[(2, 4), (1, 3)],
            &[],
        ];
        for v in cases {
            let v: Vec<Q> = v.iter().map(|&(n, d)| q(n, d)).collect();
            let (nums, den) = common_denominator(&v);
            let lcm = v.iter().fold(BigInt::one(), |acc, x| num_integer::Integer::lcm(&acc, x.denom()));
            assert_eq!(den, lcm, "{v:?}");
            for (x, n) in v.iter().zip(&nums) {
                assert_eq!(Q::new(n.clone(), den.clone()), *x, "{v:?}");
            }
        }
    }
}
