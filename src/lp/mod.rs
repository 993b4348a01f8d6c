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
}
