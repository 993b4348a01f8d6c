//! Many exact dot products between fixed integer vectors, and the `|cos|` of two of them as
//! the same `f64` the exact square-root bounds give, without reducing `cos²` by a gcd.
//!
//! [`Limbs`] keeps a vector's entries as 32-bit limbs with their signs, so a dot product is
//! `Σ_{k,l} 2^(32(k+l)) Σ_i ±a_ik b_il`: machine products summed in 128 bits (a sum of `n`
//! products below `2^64` stays below `2^128` for `n < 2^63`), one `BigInt` assembled at the
//! end. [`abs_cos_f64`] proposes `|cos|` in floats and certifies, by two integer products,
//! that every value within `2^-64` of the true `|cos|` rounds to the proposal: then the
//! exact route (certified bounds `2^-64` apart, each rounded to `f64`, averaged) gives that
//! same proposal. Otherwise it takes the exact route.

use crate::arith::num::{Q, Z, sqrt_bounds, to_f64};
use num_bigint::{BigUint, Sign};
use num_traits::{Signed, ToPrimitive, Zero};

/// An integer vector as sign and 32-bit limbs (`width` limbs an entry, least significant
/// first), its nonzero entries only.
#[derive(Debug, Clone)]
pub struct Limbs {
    width: usize,
    /// `(index, negative)` of each nonzero entry, increasing index.
    entries: Vec<(usize, bool)>,
    /// `width` limbs per nonzero entry, in `entries` order.
    limbs: Vec<u32>,
    /// Dense `entry position + 1` per index (0: a zero entry), for the other side's lookup.
    slot: Vec<u32>,
}

impl Limbs {
    pub fn new(v: &[Z]) -> Limbs {
        let width = v.iter().map(|z| z.magnitude().iter_u32_digits().len()).max().unwrap_or(0).max(1);
        let mut entries = Vec::new();
        let mut limbs = Vec::new();
        let mut slot = vec![0u32; v.len()];
        for (i, z) in v.iter().enumerate() {
            if z.is_zero() {
                continue;
            }
            entries.push((i, z.is_negative()));
            slot[i] = entries.len() as u32;
            let start = limbs.len();
            limbs.extend(z.magnitude().iter_u32_digits());
            limbs.resize(start + width, 0);
        }
        Limbs { width, entries, limbs, slot }
    }

    /// The exact dot product with `other` (same length).
    pub fn dot(&self, other: &Limbs) -> Z {
        let (a, b) = if self.entries.len() <= other.entries.len() { (self, other) } else { (other, self) };
        let (wa, wb) = (a.width, b.width);
        // Positive and negative sums per limb offset: each term is below 2^64, at most
        // min(wa, wb) terms an entry per offset, so far below 2^128 for any vector length.
        let mut pos = vec![0u128; wa + wb];
        let mut neg = vec![0u128; wa + wb];
        for (ea, &(i, na)) in a.entries.iter().enumerate() {
            let Some(&s) = b.slot.get(i) else { continue };
            if s == 0 {
                continue;
            }
            let eb = s as usize - 1;
            let nb = b.entries[eb].1;
            let la = &a.limbs[ea * wa..(ea + 1) * wa];
            let lb = &b.limbs[eb * wb..(eb + 1) * wb];
            let acc = if na != nb { &mut neg } else { &mut pos };
            for (k, &x) in la.iter().enumerate() {
                if x == 0 {
                    continue;
                }
                for (l, &y) in lb.iter().enumerate() {
                    acc[k + l] += u128::from(u64::from(x) * u64::from(y));
                }
            }
        }
        let mut out = Z::zero();
        for j in (0..wa + wb).rev() {
            out <<= 32;
            out += Z::from(pos[j]) - Z::from(neg[j]);
        }
        out
    }
}

/// `sqrt(q)` for a rational `q >= 0` as `f64`: the average of certified bounds `2^-64` apart,
/// each rounded to `f64` (display accuracy).
pub fn sqrt_f64(q: &Q) -> f64 {
    let (lo, hi) = sqrt_bounds(q, 64);
    (to_f64(&lo) + to_f64(&hi)) / 2.0
}

/// `|ab| / sqrt(na · nb)` (`na`, `nb > 0`), exactly the `f64` that
/// `sqrt_f64(&Q::new(ab², na·nb))` gives, found without the reduction when a float proposal
/// can be certified (see the module docs).
pub fn abs_cos_f64(ab: &Z, na: &Z, nb: &Z) -> f64 {
    if ab.is_zero() {
        return 0.0;
    }
    let p = ab.magnitude() * ab.magnitude();
    let n = na.magnitude() * nb.magnitude();
    if let Some(r) = certified_sqrt_quotient(&p, &n) {
        return r;
    }
    sqrt_f64(&Q::new(Z::from_biguint(Sign::Plus, p), Z::from_biguint(Sign::Plus, n)))
}

/// `sqrt(p/n)` rounded to nearest `f64`, when `2^-40 <= sqrt(p/n) <= 1 + 2^-53` and every
/// value within `2^-64` of it rounds to the same `f64`; `None` otherwise.
fn certified_sqrt_quotient(p: &BigUint, n: &BigUint) -> Option<f64> {
    if n.is_zero() {
        return None;
    }
    // Proposal from the leading 64 bits of each side (relative error a few 2^-53).
    let top = |x: &BigUint| -> (f64, i64) {
        let s = x.bits().saturating_sub(64);
        ((x >> s).to_u64().map_or(f64::NAN, |m| m as f64), s as i64)
    };
    let ((mp, sp), (mn, sn)) = (top(p), top(n));
    let mut e = sp - sn;
    let mut ratio = mp / mn;
    if e % 2 != 0 {
        ratio *= 2.0;
        e -= 1;
    }
    if !(-200..=4).contains(&e) {
        return None;
    }
    let guess = ratio.sqrt() * 2f64.powi((e / 2) as i32);
    // Candidates around the guess; at most one passes.
    let mut cand =
        [guess, guess.next_up(), guess.next_down(), guess.next_up().next_up(), guess.next_down().next_down()];
    cand.sort_by(|a, b| a.total_cmp(b));
    let p_scaled = p << 188usize;
    cand.into_iter().find(|&r| rounds_to(r, &p_scaled, n))
}

/// Whether `(T1/2^94)² < p/n < (T2/2^94)²` (`p_scaled = p · 2^188`), where `T1/2^94` and
/// `T2/2^94` are the rounding midpoints around `r` moved `2^-64` inward: every value within
/// `2^-64` of `sqrt(p/n)` then rounds to `r`. Requires `2^-40 <= r <= 1 + 2^-53`, so all
/// are integers below `2^96`.
fn rounds_to(r: f64, p_scaled: &BigUint, n: &BigUint) -> bool {
    if !(r.is_finite() && (2f64.powi(-40)..=1.0 + f64::EPSILON / 2.0).contains(&r)) {
        return false;
    }
    // x · 2^94 for x >= 2^-41 normal: its mantissa shifted, exactly (ulp(x) >= 2^-93).
    let scaled = |x: f64| -> u128 {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
        let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
        u128::from(mant) << (exp + 94) as u32
    };
    let (lo, mid, hi) = (scaled(r.next_down()), scaled(r), scaled(r.next_up()));
    let (m_lo, m_hi) = ((lo + mid) / 2, (mid + hi) / 2);
    let t1 = BigUint::from(m_lo + (1u128 << 30));
    let t2 = BigUint::from(m_hi - (1u128 << 30));
    if t1 >= t2 {
        return false;
    }
    &t1 * &t1 * n < *p_scaled && *p_scaled < &t2 * &t2 * n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::random::SplitMix64;
    use num_traits::One;

    /// `1` as the exact route gives it for `cos² = 1` (the bounds are exact).
    fn one() -> f64 {
        sqrt_f64(&Q::one())
    }

    fn big(rng: &mut SplitMix64, bits: u32) -> Z {
        let mut z = Z::zero();
        let mut left = bits;
        while left > 0 {
            let take = left.min(32);
            z = (z << take) + Z::from(rng.next_u64() >> (64 - take));
            left -= take;
        }
        if rng.next_u64() & 1 == 1 { -z } else { z }
    }

    #[test]
    fn limb_dot_is_exact() {
        let mut rng = SplitMix64(7);
        for t in 0..300 {
            let d = 1 + (rng.next_u64() % 40) as usize;
            let (ba, bb) = (1 + (rng.next_u64() % 300) as u32, 1 + (rng.next_u64() % 300) as u32);
            let gen_v = |rng: &mut SplitMix64, bits: u32| -> Vec<Z> {
                (0..d)
                    .map(|_| {
                        let w = 1 + (rng.next_u64() % u64::from(bits)) as u32;
                        if rng.next_u64() % 4 == 0 { Z::zero() } else { big(rng, w) }
                    })
                    .collect()
            };
            let a = gen_v(&mut rng, ba);
            let b = gen_v(&mut rng, bb);
            let want: Z = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert_eq!(Limbs::new(&a).dot(&Limbs::new(&b)), want, "case {t}");
        }
        // All-zero and single-limb edges.
        let z = vec![Z::zero(); 5];
        assert_eq!(Limbs::new(&z).dot(&Limbs::new(&z)), Z::zero());
        let m = vec![Z::from(u32::MAX); 3];
        assert_eq!(
            Limbs::new(&m).dot(&Limbs::new(&m)),
            Z::from(u64::from(u32::MAX) * u64::from(u32::MAX)) * 3
        );
    }

    /// The certified route equals the exact one: random cosines, exact 1, tiny ones, and
    /// cosines built to sit next to a rounding midpoint.
    #[test]
    fn abs_cos_matches_the_exact_route() {
        let mut rng = SplitMix64(11);
        let exact = |ab: &Z, na: &Z, nb: &Z| sqrt_f64(&Q::new(ab * ab, na * nb));
        let mut fast = 0;
        for t in 0..3000 {
            let d = 2 + (rng.next_u64() % 30) as usize;
            let bits = 1 + (rng.next_u64() % 200) as u32;
            let a: Vec<Z> = (0..d).map(|_| big(&mut rng, bits)).collect();
            let mut b: Vec<Z> = (0..d).map(|_| big(&mut rng, bits)).collect();
            if t % 10 == 0 {
                b = a.iter().map(|x| x * 3).collect(); // parallel: cos = 1
            }
            let ab: Z = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let na: Z = a.iter().map(|x| x * x).sum();
            let nb: Z = b.iter().map(|x| x * x).sum();
            if na.is_zero() || nb.is_zero() {
                continue;
            }
            if certified_sqrt_quotient(&(ab.magnitude() * ab.magnitude()), &(na.magnitude() * nb.magnitude()))
                .is_some()
            {
                fast += 1;
            }
            assert_eq!(abs_cos_f64(&ab, &na, &nb).to_bits(), exact(&ab, &na, &nb).to_bits(), "case {t}");
        }
        assert!(fast > 2000, "the certified route served {fast} of 3000");
        assert_eq!(abs_cos_f64(&Z::from(5), &Z::from(5), &Z::from(5)), one());
        // Next to midpoints: c² = m² ± tiny for m the midpoint between two f64s.
        for k in 0..400u64 {
            let r = 0.5 + (k as f64) * 0.00123;
            let m = (Q::from_float(r).unwrap() + Q::from_float(r.next_up()).unwrap())
                / Q::from_integer(Z::from(2));
            for delta in [-3i64, -1, 0, 1, 3] {
                // ab² / (na nb) with na = nb = den² and ab = num (·den): c = m + delta·2^-80.
                let shift = Q::new(Z::from(delta), Z::one() << 80usize);
                let c = &m + shift;
                let (ab, n) = (c.numer().clone(), c.denom().clone());
                assert_eq!(
                    abs_cos_f64(&ab, &n, &n).to_bits(),
                    exact(&ab, &n, &n).to_bits(),
                    "midpoint {k} {delta}"
                );
            }
        }
        // Tiny cosines (below 2^-40) go the exact route.
        let (ab, n) = (Z::one(), Z::one() << 100usize);
        assert_eq!(abs_cos_f64(&ab, &n, &n).to_bits(), exact(&ab, &n, &n).to_bits());
    }
}
