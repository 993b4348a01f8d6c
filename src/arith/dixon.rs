//! Exact solution of a non-singular integer system by p-adic lifting (Dixon, 1982): the way
//! past the orders where fraction-free elimination's growing entries dominate (a basis of
//! ~500 dense rows in 784 dimensions).
//!
//! With `p = 2^61 - 1` and `A` invertible mod `p` (its LU factors mod `p` are found once),
//! the residuals `r_0 = b`, `x_i = A^-1 r_i mod p`, `r_{i+1} = (r_i - A x_i) / p` (exact
//! divisions) give `A (Σ x_i p^i) ≡ b (mod p^k)`. Cramer's rule bounds every numerator and
//! the denominator of `A^-1 b` by Hadamard's `H = Π_i ||(A_i, b_i)||`, so once `p^k > 2 H²`
//! each coordinate is the unique fraction with both parts at most `H` congruent to the
//! lifted value (rational reconstruction). `A x_i` is computed on 32-bit limbs of `A` with
//! 128-bit sums, so a step costs `O(n² · limbs)` machine operations.

use super::num::Z;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

const P: u64 = (1 << 61) - 1;

fn reduce(x: u128) -> u64 {
    // 2^61 ≡ 1 (mod P).
    let r = (x as u64 & P) + (x >> 61) as u64;
    let r = (r & P) + (r >> 61);
    if r >= P { r - P } else { r }
}

fn mul(a: u64, b: u64) -> u64 {
    reduce(a as u128 * b as u128)
}

fn sub(a: u64, b: u64) -> u64 {
    if a >= b { a - b } else { a + P - b }
}

fn inv(a: u64) -> u64 {
    // a^(P-2) by squaring.
    let (mut base, mut e, mut out) = (a, P - 2, 1u64);
    while e > 0 {
        if e & 1 == 1 {
            out = mul(out, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    out
}

/// `z mod P` in `0..P`.
fn residue(z: &Z) -> u64 {
    // 2^64 ≡ 8 (mod P); digits from the most significant.
    let digits: Vec<u64> = z.magnitude().iter_u64_digits().collect();
    let r = digits.iter().rev().fold(0u64, |acc, &d| reduce(acc as u128 * 8 + (d % P) as u128));
    if z.is_negative() && r != 0 { P - r } else { r }
}

/// The LU factors mod `P` of the rows `rows` of `a` (`r` columns): `None` if singular mod `P`.
struct Lu {
    /// Row `i` of the factor: L below the diagonal (unit diagonal implied), U on and above.
    lu: Vec<Vec<u64>>,
    /// The inverses of U's diagonal.
    diag_inv: Vec<u64>,
    perm: Vec<usize>,
}

impl Lu {
    /// Factors `a` (`n × r`, `n >= r`) mod `P` with row pivoting; `perm[..r]` are the rows
    /// used (independent mod `P`, so independent over the rationals).
    fn new(a: &[Vec<u64>], r: usize) -> Option<Lu> {
        let n = a.len();
        let mut m: Vec<Vec<u64>> = a.to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        for col in 0..r {
            let p = (col..n).find(|&i| m[i][col] != 0)?;
            m.swap(col, p);
            perm.swap(col, p);
            let pinv = inv(m[col][col]);
            let (top, rest) = m.split_at_mut(col + 1);
            let prow = &top[col];
            for row in rest.iter_mut() {
                if row[col] == 0 {
                    continue;
                }
                let f = mul(row[col], pinv);
                row[col] = f;
                for c in col + 1..r {
                    row[c] = sub(row[c], mul(f, prow[c]));
                }
            }
        }
        m.truncate(r);
        let diag_inv = (0..r).map(|i| inv(m[i][i])).collect();
        Some(Lu { lu: m, diag_inv, perm })
    }

    /// `A_S^-1 v mod P` for the square system of the rows used (`v` in their order).
    fn solve(&self, v: &[u64]) -> Vec<u64> {
        let r = self.lu.len();
        let mut y = v.to_vec();
        for i in 0..r {
            let s = (0..i).fold(y[i], |acc, j| sub(acc, mul(self.lu[i][j], y[j])));
            y[i] = s;
        }
        for i in (0..r).rev() {
            let s = (i + 1..r).fold(y[i], |acc, j| sub(acc, mul(self.lu[i][j], y[j])));
            y[i] = mul(s, self.diag_inv[i]);
        }
        y
    }
}

/// What [`solve_lifted`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lifted {
    /// `(D, Y)` with `M·Y = D·b`, `D > 0`: the same `y = Y / D` as any exact method.
    Solved(Z, Vec<Z>),
    /// `r` independent rows have a unique solution that another row refutes.
    NoSolution,
    /// No `r` rows independent mod `2^61 - 1` (dependent columns, or a prime dividing a
    /// minor): elimination decides.
    Declined,
}

/// Solves `M·y = b` (`n × r`, `r <= n`) by lifting on `r` rows independent mod `2^61 - 1`,
/// then checks the other rows exactly.
pub(crate) fn solve_lifted(m: &[Vec<Z>], b: &[Z]) -> Lifted {
    let n = m.len();
    let r = m.first().map_or(0, Vec::len);
    if r == 0 || r > n || b.len() != n {
        return Lifted::Declined;
    }
    let a_mod: Vec<Vec<u64>> = m.iter().map(|row| row.iter().map(residue).collect()).collect();
    let Some(lu) = Lu::new(&a_mod, r) else { return Lifted::Declined };
    let (used, others) = lu.perm.split_at(r);
    // 32-bit limbs of the square system, each signed as its entry: A = Σ_j A_j 2^(32 j).
    let digits: Vec<Vec<(Vec<u32>, bool)>> = used
        .iter()
        .map(|&i| m[i].iter().map(|z| (z.magnitude().iter_u32_digits().collect(), z.is_negative())).collect())
        .collect();
    let planes = digits.iter().flatten().map(|(d, _)| d.len()).max().unwrap_or(0).max(1);
    let limbs: Vec<Vec<Vec<i64>>> = (0..planes)
        .map(|j| {
            digits
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|(d, neg)| {
                            let v = d.get(j).copied().unwrap_or(0) as i64;
                            if *neg { -v } else { v }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    // Hadamard's bound H on numerators and the denominator, as a power of two: 2^h >= H.
    let h: u64 = used
        .iter()
        .map(|&i| {
            let s: Z = m[i].iter().chain([&b[i]]).map(|z| z * z).sum();
            s.bits().div_ceil(2)
        })
        .sum::<u64>()
        + 1;
    // p^k > 2 H^2 with p > 2^60.
    let k = (2 * h + 2).div_ceil(60) as usize;
    let mut res: Vec<Z> = used.iter().map(|&i| b[i].clone()).collect();
    let mut digits: Vec<Vec<u64>> = Vec::with_capacity(k);
    let p_big = Z::from(P);
    for _ in 0..k {
        let v: Vec<u64> = res.iter().map(residue).collect();
        let x = lu.solve(&v);
        // res = (res - A x) / P, exactly.
        for (row, ri) in res.iter_mut().enumerate() {
            let mut ax = Z::zero();
            for plane in limbs.iter().rev() {
                let s: i128 = plane[row].iter().zip(&x).map(|(&l, &xv)| l as i128 * xv as i128).sum();
                ax = (ax << 32) + Z::from(s);
            }
            let diff = &*ri - ax;
            debug_assert!((&diff % &p_big).is_zero());
            *ri = diff / &p_big;
        }
        digits.push(x);
    }
    // y_c = Σ_i x_i[c] p^i by halving: pairs of digits, then pairs of pairs, ...
    let mut pows: Vec<Z> = vec![p_big.clone()];
    while (1usize << pows.len()) < k {
        let last = pows.last().expect("one").clone();
        pows.push(&last * &last);
    }
    let modulus = num_traits::pow(p_big.clone(), k);
    let lifted: Vec<Z> = (0..r)
        .map(|c| {
            let mut vals: Vec<Z> = digits.iter().map(|d| Z::from(d[c])).collect();
            let mut level = 0;
            while vals.len() > 1 {
                vals = vals
                    .chunks(2)
                    .map(|pair| match pair {
                        [lo, hi] => lo + hi * &pows[level],
                        [lo] => lo.clone(),
                        _ => unreachable!(),
                    })
                    .collect();
                level += 1;
            }
            vals.pop().unwrap_or_default()
        })
        .collect();
    // The common denominator: each coordinate times the denominator so far is a fraction
    // with both parts at most H; an integer unless a new factor appears.
    let bound = Z::one() << h;
    let half = &modulus >> 1usize;
    let symmetric = |v: Z| -> Z {
        let v = v.mod_floor(&modulus);
        if v > half { v - &modulus } else { v }
    };
    let mut den = Z::one();
    for y in &lifted {
        let t = symmetric(&den * y);
        if t.abs() <= bound {
            continue;
        }
        // Within Hadamard's bound both always hold; declined (to elimination) otherwise.
        let Some((_, d)) = reconstruct(&t.mod_floor(&modulus), &modulus, &bound) else {
            return Lifted::Declined;
        };
        den *= d;
        if den > bound {
            return Lifted::Declined;
        }
    }
    let y: Vec<Z> = lifted.iter().map(|v| symmetric(&den * v)).collect();
    // Rows not in the square system: they must hold too (else no solution: the square
    // system's solution is unique).
    for &i in others {
        let lhs: Z = m[i].iter().zip(&y).filter(|(a, _)| !a.is_zero()).map(|(a, v)| a * v).sum();
        if lhs != &den * &b[i] {
            return Lifted::NoSolution;
        }
    }
    Lifted::Solved(den, y)
}

/// The fraction `num / den` (`0 < den <= bound`, `|num| <= bound`) congruent to `t` modulo
/// `modulus` (`> 2 bound²`), by the extended Euclidean algorithm stopped half way.
fn reconstruct(t: &Z, modulus: &Z, bound: &Z) -> Option<(Z, Z)> {
    let (mut r0, mut r1) = (modulus.clone(), t.clone());
    let (mut s0, mut s1) = (Z::zero(), Z::one());
    while &r1 > bound {
        let q = &r0 / &r1;
        let r2 = &r0 - &q * &r1;
        let s2 = &s0 - &q * &s1;
        (r0, r1, s0, s1) = (r1, r2, s1, s2);
    }
    let (num, den) = if s1.is_negative() { (-r1, -s1) } else { (r1, s1) };
    (!den.is_zero() && &den <= bound).then_some((num, den))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same solution as fraction-free elimination on random integer systems (square and
    /// tall, small and ~200-bit entries, some with a non-integral solution), and `None`
    /// for an inconsistent tall one.
    #[test]
    fn lifting_equals_elimination() {
        let mut rng = crate::network::random::SplitMix64(61);
        let mut checked = 0;
        for t in 0..60 {
            let r = 1 + t % 12;
            let n = r + (t / 12) % 3;
            let big = t % 2 == 1;
            let entry = |rng: &mut crate::network::random::SplitMix64| -> Z {
                let v = Z::from(rng.small_int(1000));
                if big { v * (Z::one() << 200usize) + Z::from(rng.small_int(1 << 30)) } else { v }
            };
            let mut m: Vec<Vec<Z>> = (0..r).map(|_| (0..r).map(|_| entry(&mut rng)).collect()).collect();
            let mut b: Vec<Z> = (0..r).map(|_| entry(&mut rng)).collect();
            // Extra rows: combinations of the first (consistent), or not (t % 5 == 0).
            for e in r..n {
                let row: Vec<Z> = (0..r).map(|c| &m[0][c] * 2 - &m[e % r][c]).collect();
                let rhs = &b[0] * 2 - &b[e % r] + Z::from(u8::from(t % 5 == 0));
                m.push(row);
                b.push(rhs);
            }
            let want = crate::arith::minors::solve_dense_for_tests(&m, &b);
            let got = solve_lifted(&m, &b);
            match (&want, &got) {
                (Some((dw, yw)), Lifted::Solved(dg, yg)) => {
                    for (a, c) in yw.iter().zip(yg) {
                        assert_eq!(a * dg, c * dw, "t={t}");
                    }
                    checked += 1;
                }
                (None, Lifted::NoSolution | Lifted::Declined) => {}
                _ => panic!("t={t}: {want:?} vs {got:?}"),
            }
        }
        assert!(checked > 30, "{checked}");
    }
}
