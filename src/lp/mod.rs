//! Linear programming, exactly: the fraction-free integer simplex, the float proposals it
//! certifies (active sets, vertices, rays, first hits), and the exact nearest point of a
//! polyhedron to a point (minimum-norm problems of the insphere centres).
//!
//! Owns: LP outcomes as data ([`LpOutcome`]), certificates. Imports only `arith`.

pub(crate) mod guided;
pub(crate) mod ipm;
pub(crate) mod nearest;
#[cfg(test)]
mod reference;
mod simplex;

pub use simplex::*;

/// `Σ a_i b_i` in floats over the common length, summed in eight interleaved partial sums
/// (the compiler vectorizes it; a single running sum is bound by the adder's latency). For
/// the float proposals only: the order of the additions differs from a plain loop.
#[inline]
pub(crate) fn fdot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..8 {
            acc[t] += x[t] * y[t];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// [`fdot`] of two rows against two columns at once: `[a0·b0, a0·b1, a1·b0, a1·b1]`, each
/// summed exactly as `fdot` sums it (the same eight lanes in the same order: the same
/// bits), with each loaded chunk used twice (the normal matrix's inner products are bound
/// by memory traffic). On x86-64 with AVX the lanes are two 256-bit registers per product
/// (multiplies and adds, never fused: the bits do not change).
#[inline]
pub(crate) fn fdot2x2(a0: &[f64], a1: &[f64], b0: &[f64], b1: &[f64]) -> [f64; 4] {
    let n = a0.len();
    if a1.len() != n || b0.len() != n || b1.len() != n {
        return [fdot(a0, b0), fdot(a0, b1), fdot(a1, b0), fdot(a1, b1)];
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the processor has AVX (checked just above).
        return unsafe { fdot2x2_avx(a0, a1, b0, b1) };
    }
    [fdot(a0, b0), fdot(a0, b1), fdot(a1, b0), fdot(a1, b1)]
}

/// [`fdot2x2`] on AVX registers: lanes 0-3 and 4-7 of each product's eight partial sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn fdot2x2_avx(a0: &[f64], a1: &[f64], b0: &[f64], b1: &[f64]) -> [f64; 4] {
    use std::arch::x86_64::*;
    let n = a0.len();
    let r = n - n % 8;
    // SAFETY: every load reads 4 doubles at an offset `i` or `i + 4` with `i + 8 <= r <= n`
    // from slices of length `n` (checked equal by the caller).
    let sums: [[f64; 8]; 4] = unsafe {
        let mut acc = [_mm256_setzero_pd(); 8];
        let mut i = 0;
        while i < r {
            for h in 0..2 {
                let o = i + 4 * h;
                let x0 = _mm256_loadu_pd(a0.as_ptr().add(o));
                let x1 = _mm256_loadu_pd(a1.as_ptr().add(o));
                let y0 = _mm256_loadu_pd(b0.as_ptr().add(o));
                let y1 = _mm256_loadu_pd(b1.as_ptr().add(o));
                acc[h] = _mm256_add_pd(acc[h], _mm256_mul_pd(x0, y0));
                acc[2 + h] = _mm256_add_pd(acc[2 + h], _mm256_mul_pd(x0, y1));
                acc[4 + h] = _mm256_add_pd(acc[4 + h], _mm256_mul_pd(x1, y0));
                acc[6 + h] = _mm256_add_pd(acc[6 + h], _mm256_mul_pd(x1, y1));
            }
            i += 8;
        }
        let mut out = [[0.0f64; 8]; 4];
        for (p, lanes) in out.iter_mut().enumerate() {
            _mm256_storeu_pd(lanes.as_mut_ptr(), acc[2 * p]);
            _mm256_storeu_pd(lanes.as_mut_ptr().add(4), acc[2 * p + 1]);
        }
        out
    };
    let tail = |x: &[f64], y: &[f64]| -> f64 { x[r..].iter().zip(&y[r..]).map(|(u, v)| u * v).sum() };
    let tails = [tail(a0, b0), tail(a0, b1), tail(a1, b0), tail(a1, b1)];
    let mut out = [0.0; 4];
    for (o, (a, t)) in out.iter_mut().zip(sums.iter().zip(tails)) {
        *o = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7])) + t;
    }
    out
}

#[cfg(test)]
mod fdot_tests {
    /// `fdot` is the plain sum where every partial sum is exact (small integers), at every
    /// length around the eight lanes and with slices of unequal length.
    #[test]
    fn fdot_is_the_dot_product() {
        for n in 0..40usize {
            let a: Vec<f64> = (0..n).map(|i| (i as f64) - 7.0).collect();
            let b: Vec<f64> = (0..n + n % 3).map(|i| ((3 * i) % 11) as f64 - 5.0).collect();
            let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert_eq!(super::fdot(&a, &b), plain, "length {n}");
            assert_eq!(super::fdot(&b, &a), plain, "length {n}");
        }
    }

    /// `fdot2x2` gives `fdot`'s bits for each of its four products (floats whose sums
    /// round: any other order of the additions would show), at every length around the
    /// lanes, and falls back to `fdot` for slices of unequal length.
    #[test]
    fn fdot2x2_is_four_fdots_bit_for_bit() {
        let mut seed = 0x9e3779b97f4a7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2f64.powi((seed % 40) as i32 - 20)
        };
        for n in 0..70usize {
            let v: Vec<Vec<f64>> = (0..4).map(|_| (0..n).map(|_| next()).collect()).collect();
            let got = super::fdot2x2(&v[0], &v[1], &v[2], &v[3]);
            let want = [
                super::fdot(&v[0], &v[2]),
                super::fdot(&v[0], &v[3]),
                super::fdot(&v[1], &v[2]),
                super::fdot(&v[1], &v[3]),
            ];
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "length {n}");
        }
        let (a, b) = (vec![1.0, 2.0, 3.0], vec![4.0, 5.0]);
        assert_eq!(super::fdot2x2(&a, &b, &a, &b), [14.0, 14.0, 14.0, 41.0]);
    }
}
