//! Integer linear algebra: determinants (cofactors to order 5 in checked 256-bit integers,
//! Bareiss beyond), shared minors, Cramer's rule, rank, null spaces.

use crate::arith::num::{Q, W256, Z, common_denominator};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// Cramer's numerators for `M·x = b` (`M` square): `X_j = det(M with column j replaced by
/// b)`, so `M·X = det(M)·b`.
pub(crate) fn cramer(m: &[Vec<Z>], b: &[Z]) -> Vec<Z> {
    (0..m.len())
        .map(|j| {
            let mj: Vec<Vec<Z>> = m
                .iter()
                .zip(b)
                .map(|(row, bi)| {
                    let mut row = row.clone();
                    row[j] = bi.clone();
                    row
                })
                .collect();
            det_int(mj)
        })
        .collect()
}

/// The `(n-1) × (n-1)` minors of an `n × n` integer matrix, computed on demand with every
/// smaller minor shared (orders up to 8; larger ones minor by minor):
/// [`Minors::get`]`(t, c)` is the determinant of the matrix without row `t` and column `c`
/// (the others in order). Each minor is expanded along its first row into minors one order
/// lower, which are kept; so the 25 minors of a `5 × 5` matrix take about 280 products,
/// against about 750 for 25 separate `4 × 4` expansions. When every entry fits in `i64`
/// the minors are computed in checked 256-bit integers (a `4 × 4` minor of 63-bit entries
/// needs at most 257 bits, so overflow is rare), and the whole matrix goes back to BigInt
/// on the first overflow.
pub struct Minors<'a> {
    pub(crate) m: &'a [Vec<Z>],
    /// Minors of order `>= 2` by `(rows << 8) | cols` (bit masks).
    pub(crate) memo: rustc_hash::FxHashMap<u16, Z>,
    /// The entries as `i64` while the fixed-width path holds.
    pub(crate) small: Option<Vec<Vec<i64>>>,
    pub(crate) memo_small: rustc_hash::FxHashMap<u16, W256>,
}

impl<'a> Minors<'a> {
    pub fn new(m: &'a [Vec<Z>]) -> Minors<'a> {
        assert!(m.iter().all(|r| r.len() == m.len()), "Minors: a square matrix");
        let small = if m.len() <= 8 {
            m.iter()
                .map(|r| r.iter().map(num_traits::ToPrimitive::to_i64).collect::<Option<Vec<i64>>>())
                .collect()
        } else {
            None
        };
        Minors { m, memo: Default::default(), small, memo_small: Default::default() }
    }

    /// The determinant without row `t` and column `c`.
    pub fn get(&mut self, t: usize, c: usize) -> Z {
        if self.m.len() > 8 {
            // Beyond the masks' width: one elimination per minor.
            let drop = |v: &[Z], k: usize| -> Vec<Z> {
                v.iter().enumerate().filter(|&(j, _)| j != k).map(|(_, x)| x.clone()).collect()
            };
            let rows = self.m.iter().enumerate().filter(|&(i, _)| i != t);
            return det_int(rows.map(|(_, r)| drop(r, c)).collect());
        }
        let full = ((1u16 << self.m.len()) - 1) as u8;
        let (rows, cols) = (full & !(1 << t), full & !(1 << c));
        match rows.count_ones() {
            0 => Z::one(),
            1 => self.m[rows.trailing_zeros() as usize][cols.trailing_zeros() as usize].clone(),
            _ => {
                if self.small.is_some() {
                    if let Some(v) = self.ensure_small(rows, cols) {
                        return v.to_z();
                    }
                    self.small = None;
                    self.memo_small.clear();
                }
                self.ensure(rows, cols);
                self.memo[&key(rows, cols)].clone()
            }
        }
    }

    /// [`Self::ensure`] in checked 256-bit integers: the minor, or `None` on overflow.
    pub(crate) fn ensure_small(&mut self, rows: u8, cols: u8) -> Option<W256> {
        if let Some(v) = self.memo_small.get(&key(rows, cols)) {
            return Some(*v);
        }
        let r0 = rows.trailing_zeros() as usize;
        let rest = rows & (rows - 1);
        let value = {
            let m = self.small.as_ref().expect("fixed-width path");
            if rest.count_ones() == 1 {
                let r1 = rest.trailing_zeros() as usize;
                let c0 = cols.trailing_zeros() as usize;
                let c1 = (cols & (cols - 1)).trailing_zeros() as usize;
                let p = i128::from(m[r0][c0]) * i128::from(m[r1][c1]);
                let q = i128::from(m[r0][c1]) * i128::from(m[r1][c0]);
                // Each product is at most 2^126 in magnitude; the difference may not fit i128.
                W256::from_i128(p).checked_sub(W256::from_i128(q))
            } else {
                None
            }
        };
        let value = match value {
            Some(v) => v,
            None => {
                let mut value = W256::ZERO;
                let mut bits = cols;
                let mut minus = false;
                while bits != 0 {
                    let c = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let entry = self.small.as_ref().expect("fixed-width path")[r0][c];
                    if entry != 0 {
                        let sub = self.ensure_small(rest, cols & !(1 << c))?;
                        let term = sub.mul_i64(entry)?;
                        value = if minus { value.checked_sub(term)? } else { value.checked_add(term)? };
                    }
                    minus = !minus;
                }
                value
            }
        };
        self.memo_small.insert(key(rows, cols), value);
        Some(value)
    }

    /// Puts the minor on `rows × cols` (equal sizes, at least 2) into the memo.
    pub(crate) fn ensure(&mut self, rows: u8, cols: u8) {
        if self.memo.contains_key(&key(rows, cols)) {
            return;
        }
        let m = self.m;
        let r0 = rows.trailing_zeros() as usize;
        let rest = rows & (rows - 1);
        let value = if rest.count_ones() == 1 {
            let r1 = rest.trailing_zeros() as usize;
            let c0 = cols.trailing_zeros() as usize;
            let c1 = (cols & (cols - 1)).trailing_zeros() as usize;
            &m[r0][c0] * &m[r1][c1] - &m[r0][c1] * &m[r1][c0]
        } else {
            let mut value = Z::zero();
            let mut bits = cols;
            let mut minus = false;
            while bits != 0 {
                let c = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if !m[r0][c].is_zero() {
                    let sub_cols = cols & !(1 << c);
                    self.ensure(rest, sub_cols);
                    let term = &m[r0][c] * &self.memo[&key(rest, sub_cols)];
                    if minus { value -= term } else { value += term }
                }
                minus = !minus;
            }
            value
        };
        self.memo.insert(key(rows, cols), value);
    }
}

pub(crate) fn key(rows: u8, cols: u8) -> u16 {
    (rows as u16) << 8 | cols as u16
}

/// Determinant of a square integer matrix: cofactor expansion up to order 5, else
/// fraction-free Bareiss elimination.
pub fn det_int(m: Vec<Vec<Z>>) -> Z {
    let n = m.len();
    // Small orders by cofactor expansion (no exact divisions).
    match n {
        0 => return Z::one(),
        1 => return m[0][0].clone(),
        2 => return &m[0][0] * &m[1][1] - &m[0][1] * &m[1][0],
        3 => {
            let minor = |a: usize, b: usize| &m[1][a] * &m[2][b] - &m[1][b] * &m[2][a];
            return &m[0][0] * minor(1, 2) - &m[0][1] * minor(0, 2) + &m[0][2] * minor(0, 1);
        }
        4 => {
            // Laplace expansion along the first two rows: Σ ± det(top 2×2) · det(bottom 2×2)
            // over the six column pairs.
            let top = |a: usize, b: usize| &m[0][a] * &m[1][b] - &m[0][b] * &m[1][a];
            let bot = |a: usize, b: usize| &m[2][a] * &m[3][b] - &m[2][b] * &m[3][a];
            return top(0, 1) * bot(2, 3) - top(0, 2) * bot(1, 3)
                + top(0, 3) * bot(1, 2)
                + top(1, 2) * bot(0, 3)
                - top(1, 3) * bot(0, 2)
                + top(2, 3) * bot(0, 1);
        }
        5 => {
            // Laplace expansion along the first two rows: Σ (-1)^(1+a+b) · det(rows 0-1, cols
            // a, b) · det(rows 2-4, the other three columns); the 3×3 factors from the ten
            // 2×2 minors of rows 3-4. About 80 products and no division (elimination needs
            // about 60 products and 30 exact divisions, which cost more).
            let lo = |a: usize, b: usize| &m[3][a] * &m[4][b] - &m[3][b] * &m[4][a];
            let mut low: [[Z; 5]; 5] = Default::default();
            for a in 0..5 {
                for b in a + 1..5 {
                    low[a][b] = lo(a, b);
                }
            }
            let mut det = Z::zero();
            for a in 0..5 {
                for b in a + 1..5 {
                    let [p, q, r] = {
                        let mut rest = (0..5).filter(|&c| c != a && c != b);
                        [(); 3].map(|_| rest.next().expect("three columns remain"))
                    };
                    let bottom = &m[2][p] * &low[q][r] - &m[2][q] * &low[p][r] + &m[2][r] * &low[p][q];
                    let term = (&m[0][a] * &m[1][b] - &m[0][b] * &m[1][a]) * bottom;
                    if (a + b) % 2 == 0 { det -= term } else { det += term }
                }
            }
            return det;
        }
        _ => {}
    }
    det_bareiss(m)
}

/// Determinant by fraction-free Bareiss elimination (any order; [`det_int`] takes orders up
/// to 5 by cofactor expansion).
pub(crate) fn det_bareiss(mut m: Vec<Vec<Z>>) -> Z {
    let n = m.len();
    let mut sign = false;
    let mut prev = Z::one();
    for col in 0..n {
        let Some(p) = (col..n).find(|&r| !m[r][col].is_zero()) else { return Z::zero() };
        if p != col {
            m.swap(col, p);
            sign = !sign;
        }
        for r in col + 1..n {
            for s in col + 1..n {
                let v = &m[r][s] * &m[col][col] - &m[r][col] * &m[col][s];
                m[r][s] = v / &prev;
            }
        }
        prev = m[col][col].clone();
    }
    let det = m.get(n.wrapping_sub(1)).map_or(Z::one(), |r| r[n - 1].clone());
    if sign { -det } else { det }
}

/// Solves `M·y = b` for an `n × r` integer matrix of full column rank (`r <= n`) by
/// fraction-free (Bareiss) elimination with row pivoting and back substitution in integers:
/// `Some((D, Y))` with `M·Y = D·b`, `D != 0` (so `y = Y / D` exactly; for a square `M`,
/// `D` is a nonzero multiple of `det M`, not always `±det M`), or `None` when the columns are
/// dependent or the system has no solution. `O(n r^2)` integer operations: the way to solve
/// one system past the orders where [`Minors`] shares every minor.
///
/// Sparse rows or columns (the box's unit rows, in a basis or transposed) are eliminated
/// first ([`sparse_pivots`]): only the Schur complement on the other rows and columns is
/// solved by elimination, so a basis of many box rows costs as little as its other rows.
pub fn solve_columns(m: &[Vec<Z>], b: &[Z]) -> Option<(Z, Vec<Z>)> {
    let n = m.len();
    let r = m.first().map_or(0, Vec::len);
    if r == 0 || r > n || m.iter().any(|row| row.len() != r) || b.len() != n {
        return None;
    }
    let pivots = sparse_pivots(m);
    if pivots.is_empty() {
        return solve_dense(m, b);
    }
    // M = [M_SJ M_SK; M_TJ M_TK] with M_SJ diagonal (the pivots (i, j)). For x_J =
    // M_SJ⁻¹ (b_S - M_SK x_K), the rows T give (M_TK - M_TJ M_SJ⁻¹ M_SK) x_K = b_T - M_TJ
    // M_SJ⁻¹ b_S: each row t scaled by L_t, the lcm of the pivots it meets, to stay integral.
    let mut pivot_of_row = vec![None; n];
    let mut pivot_of_col = vec![None; r];
    for (p, &(i, j)) in pivots.iter().enumerate() {
        pivot_of_row[i] = Some(p);
        pivot_of_col[j] = Some(p);
    }
    let k_cols: Vec<usize> = (0..r).filter(|&j| pivot_of_col[j].is_none()).collect();
    let t_rows: Vec<usize> = (0..n).filter(|&i| pivot_of_row[i].is_none()).collect();
    let row_nz: Vec<Vec<usize>> = pivots
        .iter()
        .map(|&(i, _)| k_cols.iter().copied().filter(|&k| !m[i][k].is_zero()).collect())
        .collect();
    let mut reduced: Vec<Vec<Z>> = Vec::with_capacity(t_rows.len());
    let mut rhs: Vec<Z> = Vec::with_capacity(t_rows.len());
    for &t in &t_rows {
        let met: Vec<usize> = (0..pivots.len()).filter(|&p| !m[t][pivots[p].1].is_zero()).collect();
        let lt = lcm_of(met.iter().map(|&p| &m[pivots[p].0][pivots[p].1]));
        let mut row: Vec<Z> = k_cols.iter().map(|&k| &m[t][k] * &lt).collect();
        let mut bt = &b[t] * &lt;
        for &p in &met {
            let (i, j) = pivots[p];
            // f = M_tj · L_t / M_ij, an integer.
            let f = &m[t][j] * (&lt / &m[i][j]);
            for &k in &row_nz[p] {
                let at = k_cols.binary_search(&k).expect("a K column");
                row[at] -= &f * &m[i][k];
            }
            bt -= &f * &b[i];
        }
        reduced.push(row);
        rhs.push(bt);
    }
    let (dk, yk) = if k_cols.is_empty() {
        // Every unknown is a pivot's: the other rows must hold as they are.
        if rhs.iter().any(|v| !v.is_zero()) {
            return None;
        }
        (Z::one(), Vec::new())
    } else {
        solve_dense(&reduced, &rhs)?
    };
    // Back: X_j = (D' b_i - Σ_K M_ik Y'_k) · (L / M_ij), Y_k = Y'_k · L, D = D' · L.
    let l = lcm_of(pivots.iter().map(|&(i, j)| &m[i][j]));
    let mut y = vec![Z::zero(); r];
    for (at, &k) in k_cols.iter().enumerate() {
        y[k] = &yk[at] * &l;
    }
    for (p, &(i, j)) in pivots.iter().enumerate() {
        let mut v = &dk * &b[i];
        for &k in &row_nz[p] {
            let at = k_cols.binary_search(&k).expect("a K column");
            v -= &m[i][k] * &yk[at];
        }
        y[j] = v * (&l / &m[i][j]);
    }
    Some((dk * l, y))
}

/// The (positive) least common multiple of nonzero integers, `1` for none.
fn lcm_of<'a>(values: impl Iterator<Item = &'a Z>) -> Z {
    values.fold(Z::one(), |acc, v| {
        if v.magnitude().is_one() || acc.is_multiple_of(v) { acc } else { acc.lcm(v).abs() }
    })
}

/// Pivots `(i, j)` for [`solve_columns`]: nonzero entries in a sparse row or a sparse
/// column (at most two nonzeros), chosen greedily so that the pivots' submatrix is
/// diagonal (no pivot row has a nonzero in another pivot's column).
fn sparse_pivots(m: &[Vec<Z>]) -> Vec<(usize, usize)> {
    const SPARSE: usize = 2;
    let (n, r) = (m.len(), m[0].len());
    if n < 8 {
        return Vec::new();
    }
    let row_nz: Vec<Vec<usize>> =
        m.iter().map(|row| (0..r).filter(|&j| !row[j].is_zero()).collect()).collect();
    let mut col_nz: Vec<Vec<usize>> = vec![Vec::new(); r];
    for (i, nz) in row_nz.iter().enumerate() {
        for &j in nz {
            col_nz[j].push(i);
        }
    }
    let (mut row_used, mut col_used) = (vec![false; n], vec![false; r]);
    let mut pivots = Vec::new();
    // (i, j) keeps the pivot block diagonal if row i meets no pivot column and column j
    // meets no pivot row.
    let mut take = |i: usize, j: usize, row_used: &mut Vec<bool>, col_used: &mut Vec<bool>| {
        if row_used[i]
            || col_used[j]
            || row_nz[i].iter().any(|&c| col_used[c])
            || col_nz[j].iter().any(|&t| row_used[t])
        {
            return;
        }
        row_used[i] = true;
        col_used[j] = true;
        pivots.push((i, j));
    };
    for i in 0..n {
        if row_nz[i].len() <= SPARSE {
            if let Some(&j) = row_nz[i].iter().min_by_key(|&&j| (col_nz[j].len(), j)) {
                take(i, j, &mut row_used, &mut col_used);
            }
        }
    }
    for j in 0..r {
        if col_nz[j].len() <= SPARSE {
            if let Some(&i) = col_nz[j].iter().min_by_key(|&&i| (row_nz[i].len(), i)) {
                take(i, j, &mut row_used, &mut col_used);
            }
        }
    }
    pivots
}

/// Past this many unknowns [`solve_dense`] lifts p-adically ([`super::dixon`]) before it
/// eliminates: elimination's entries grow to the size of the answer at every step.
const LIFT_FROM: usize = 40;

/// [`solve_dense`] for the tests of other modules.
#[cfg(test)]
pub(crate) fn solve_dense_for_tests(m: &[Vec<Z>], b: &[Z]) -> Option<(Z, Vec<Z>)> {
    eliminate(m, b)
}

/// [`solve_columns`] on the whole matrix: by p-adic lifting past [`LIFT_FROM`] unknowns
/// (falling back to elimination in the rare case it declines), else by elimination.
fn solve_dense(m: &[Vec<Z>], b: &[Z]) -> Option<(Z, Vec<Z>)> {
    if m.first().map_or(0, Vec::len) >= LIFT_FROM {
        use super::dixon::{Lifted, solve_lifted};
        match solve_lifted(m, b) {
            Lifted::Solved(d, y) => return Some((d, y)),
            Lifted::NoSolution => return None,
            Lifted::Declined => {}
        }
    }
    eliminate(m, b)
}

/// [`solve_columns`] by fraction-free elimination on the whole matrix.
fn eliminate(m: &[Vec<Z>], b: &[Z]) -> Option<(Z, Vec<Z>)> {
    let n = m.len();
    let r = m.first().map_or(0, Vec::len);
    if r == 0 || r > n {
        return None;
    }
    let mut a: Vec<Vec<Z>> =
        m.iter().zip(b).map(|(row, bi)| row.iter().cloned().chain([bi.clone()]).collect()).collect();
    let mut prev = Z::one();
    for col in 0..r {
        let p = (col..n).find(|&i| !a[i][col].is_zero())?;
        a.swap(col, p);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot = &top[col];
        for row in rest.iter_mut() {
            for s in col + 1..=r {
                let v = &row[s] * &pivot[col] - &row[col] * &pivot[s];
                row[s] = v / &prev;
            }
            row[col] = Z::zero();
        }
        prev = a[col][col].clone();
    }
    // The rows below the first r are consistent iff their right-hand side vanished.
    if a[r..].iter().any(|row| !row[r].is_zero()) {
        return None;
    }
    let d = a[r - 1][r - 1].clone();
    let mut y = vec![Z::zero(); r];
    for i in (0..r).rev() {
        let mut v = &d * &a[i][r];
        for (j, yj) in y.iter().enumerate().skip(i + 1) {
            v -= &a[i][j] * yj;
        }
        y[i] = v / &a[i][i];
    }
    Some((d, y))
}

/// The rank of a rational matrix (fraction-free elimination on the rows scaled to integers).
pub fn rank(rows: &[Vec<Q>]) -> usize {
    let mut m: Vec<Vec<Z>> = rows.iter().map(|r| common_denominator(r).0).collect();
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for col in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][col].is_zero()) else { continue };
        m.swap(r, p);
        let pivot = m[r].clone();
        for row in m.iter_mut().skip(r + 1) {
            if row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (x, pv) in row.iter_mut().zip(&pivot) {
                *x = &*x * &pivot[col] - &f * pv;
            }
            // Keep the entries small: divide the row by its content.
            let g = crate::arith::num::content(row);
            if !g.is_zero() && !g.is_one() {
                for x in row.iter_mut() {
                    *x = &*x / &g;
                }
            }
        }
        r += 1;
    }
    r
}

/// An integer basis of the null space `{v : r·v = 0 for every row r}` in `d` dimensions:
/// fraction-free Gauss-Jordan (each row kept primitive), one vector per free column.
pub(crate) fn null_space(rows: &[Vec<Z>], d: usize) -> Vec<Vec<Z>> {
    let mut m: Vec<Vec<Z>> = rows.to_vec();
    let mut pivots: Vec<usize> = Vec::new();
    let mut r = 0;
    for col in 0..d {
        let Some(p) = (r..m.len()).find(|&i| !m[i][col].is_zero()) else { continue };
        m.swap(r, p);
        let pivot = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i == r || row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (x, pv) in row.iter_mut().zip(&pivot) {
                *x = &*x * &pivot[col] - &f * pv;
            }
            let g = crate::arith::num::content(row);
            if !g.is_zero() && !g.is_one() {
                for x in row.iter_mut() {
                    *x = &*x / &g;
                }
            }
        }
        pivots.push(col);
        r += 1;
    }
    // Row k reads p_k·v_{c_k} + Σ_free m[k][f]·v_f = 0: with v_f = L (the lcm of the |p_k|)
    // for one free f and 0 for the others, v_{c_k} = -m[k][f]·L / p_k.
    let l = pivots
        .iter()
        .enumerate()
        .fold(Z::one(), |acc, (k, &c)| crate::arith::num::lcm_pos(&acc, &m[k][c].abs()));
    (0..d)
        .filter(|c| !pivots.contains(c))
        .map(|free| {
            let mut v = vec![Z::zero(); d];
            v[free] = l.clone();
            for (k, &pc) in pivots.iter().enumerate() {
                v[pc] = -(&m[k][free] * &l) / &m[k][pc];
            }
            let g = crate::arith::num::content(&v);
            v.into_iter().map(|x| x / &g).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fraction-free solve equals Cramer's rule (determinants one by one) on random
    /// integer systems of orders 1-12, singular ones included, with row swaps forced by zeros.
    #[test]
    fn square_solve_equals_cramer() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |k: i64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % (2 * k as u64 + 1)) as i64 - k
        };
        let mut singular = 0;
        for trial in 0..400 {
            let n = 1 + trial % 12;
            let k = if trial % 3 == 0 { 2 } else { 1 << 20 };
            let mut m: Vec<Vec<Z>> = (0..n).map(|_| (0..n).map(|_| Z::from(next(k))).collect()).collect();
            if trial % 5 == 0 && n > 1 {
                m[0][0] = Z::zero(); // a zero first pivot: a row swap
            }
            if trial % 7 == 0 && n > 1 {
                m[n - 1] = m[0].iter().map(|v| v * 3).collect(); // singular
            }
            let b: Vec<Z> = (0..n).map(|_| Z::from(next(k))).collect();
            let det = det_int(m.clone());
            match solve_columns(&m, &b) {
                None => {
                    assert!(det.is_zero());
                    singular += 1;
                }
                Some((d, x)) => {
                    assert!(!det.is_zero());
                    let want: Vec<Q> = cramer(&m, &b).into_iter().map(|v| Q::new(v, det.clone())).collect();
                    assert_eq!(x.into_iter().map(|v| Q::new(v, d.clone())).collect::<Vec<_>>(), want);
                }
            }
        }
        assert!(singular > 10);
    }

    /// Systems with the box's structure (unit rows, unit rows plus a dense column, unit
    /// columns; square and with extra rows; singular and inconsistent ones): the solve with
    /// sparse pivots eliminated first gives the same solution, or refusal, as elimination on
    /// the whole matrix, and `M·Y = D·b`.
    #[test]
    fn sparse_pivots_solve_like_the_whole_matrix() {
        let mut rng = crate::network::random::SplitMix64(7);
        let (mut solved, mut refused, mut pivoted) = (0, 0, 0);
        for trial in 0..300 {
            let r = 8 + trial % 9;
            let n = r + (trial / 9) % 3;
            let dense_col = trial % 4 == 1;
            let mut m: Vec<Vec<Z>> = (0..n)
                .map(|i| {
                    let unit = i % 3 != 0;
                    (0..r)
                        .map(|j| {
                            if !unit {
                                Z::from(rng.small_int(1 << 20))
                            } else if j == (i * 5 + trial) % r {
                                Z::from([1, -1, 2, -3][i % 4])
                            } else if dense_col && j == r - 1 {
                                Z::from(rng.small_int(3))
                            } else {
                                Z::zero()
                            }
                        })
                        .collect()
                })
                .collect();
            if trial % 3 == 2 {
                // Transposed (square): unit columns.
                m = (0..r).map(|j| m[..r].iter().map(|row| row[j].clone()).collect()).collect();
            }
            let (n, r) = (m.len(), m[0].len());
            let b: Vec<Z> = (0..n).map(|_| Z::from(rng.small_int(9))).collect();
            pivoted += usize::from(!sparse_pivots(&m).is_empty());
            let got = solve_columns(&m, &b);
            let want = solve_dense(&m, &b);
            let as_q = |s: &Option<(Z, Vec<Z>)>| {
                s.as_ref().map(|(d, y)| y.iter().map(|v| Q::new(v.clone(), d.clone())).collect::<Vec<_>>())
            };
            assert_eq!(as_q(&got), as_q(&want), "trial {trial}");
            if let Some((d, y)) = got {
                for (row, bi) in m.iter().zip(&b) {
                    assert_eq!(row.iter().zip(&y).map(|(u, v)| u * v).sum::<Z>(), &d * bi);
                }
                assert_eq!(y.len(), r);
                solved += 1;
            } else {
                refused += 1;
            }
        }
        assert!(solved > 100 && refused > 10 && pivoted > 200, "{solved} {refused} {pivoted}");
    }

    /// The rectangular solve finds the unique solution of consistent full-rank systems (built
    /// from a known `y`), and refuses inconsistent ones and dependent columns.
    #[test]
    fn column_solve_finds_the_unique_solution() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |k: i64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % (2 * k as u64 + 1)) as i64 - k
        };
        for trial in 0..300 {
            let r = 1 + trial % 6;
            let n = r + trial % 4;
            let m: Vec<Vec<Z>> = (0..n).map(|_| (0..r).map(|_| Z::from(next(5))).collect()).collect();
            let y: Vec<Z> = (0..r).map(|_| Z::from(next(9))).collect();
            let b: Vec<Z> = m.iter().map(|row| row.iter().zip(&y).map(|(a, v)| a * v).sum()).collect();
            let full_rank = crate::arith::minors::rank(
                &m.iter()
                    .map(|row| row.iter().map(|v| Q::from_integer(v.clone())).collect())
                    .collect::<Vec<_>>(),
            ) == r;
            match solve_columns(&m, &b) {
                Some((d, yy)) => {
                    assert!(full_rank);
                    assert_eq!(yy, y.iter().map(|v| v * &d).collect::<Vec<_>>());
                }
                None => assert!(!full_rank, "{m:?} {b:?}"),
            }
            if full_rank && n > r {
                // Perturb b off the column space: no solution (the extra rows disagree).
                let mut bad = b.clone();
                bad[n - 1] += 1;
                if let Some((d, yy)) = solve_columns(&m, &bad) {
                    let back: Vec<Z> =
                        m.iter().map(|row| row.iter().zip(&yy).map(|(a, v)| a * v).sum()).collect();
                    assert_eq!(back, bad.iter().map(|v| v * &d).collect::<Vec<_>>(), "a solution must solve");
                }
            }
        }
    }
}
