//! Exact linear programming: maximise `c·x` subject to `A x <= b`, `x` free.
//!
//! A dense dictionary simplex in the textbook form of Chvátal, run fraction-free on integers
//! (Edmonds / Bareiss integer pivoting, as in lrs): every row is scaled to integers and all
//! dictionary entries share one denominator, the current basis determinant. Structure:
//! slack variables `s = b - A x >= 0` start basic, the free variables are pivoted into the
//! basis first (a free variable whose column vanishes spans a lineality direction), a
//! phase 1 with one artificial variable finds a feasible dictionary, and phase 2 optimises.
//! Both phases use Bland's rule (smallest-index entering and leaving variable), so the
//! method terminates under any degeneracy: the LPs of this crate are very degenerate
//! (with zero biases every first-layer hyperplane passes through the origin).
//!
//! Invariants: the outcome is data ([`LpOutcome`]), never an error or a panic; `Optimal`
//! carries a primal point and dual multipliers that certify optimality exactly
//! (`A x <= b`, `y >= 0`, `Aᵀ y = c`, `b·y = c·x = value`; see [`certify`]).

use crate::arith::num::{Q, Z, dot};
use num_traits::{One, Signed, Zero};

/// Result of [`maximize`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LpOutcome {
    /// An optimal vertex-or-face point `x`, its `value`, and dual multipliers `duals`
    /// (one per row, `>= 0`, `Aᵀ duals = c`, `b·duals = value`).
    Optimal { x: Vec<Q>, value: Q, duals: Vec<Q> },
    /// No `x` satisfies `A x <= b`.
    Infeasible,
    /// `c·x` is unbounded above on a non-empty feasible set.
    Unbounded,
}

impl LpOutcome {
    /// The optimal value, if any.
    pub fn value(&self) -> Option<&Q> {
        match self {
            LpOutcome::Optimal { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Which kind of variable a dictionary variable is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Free,
    Slack,
    Artificial,
}

/// A dictionary with integer entries over the common denominator `den > 0`:
/// `basic[i] = (beta[i] + sum_j alpha[i][j] * nonbasic[j]) / den`, objective
/// `(obj_v + sum_j obj[j] * nonbasic[j]) / den`. Every entry is a minor of the integer input
/// system (Bareiss / Edmonds), so the divisions in [`IDict::pivot`] are exact.
struct IDict {
    d: usize,
    m: usize,
    basic: Vec<usize>,
    beta: Vec<Z>,
    alpha: Vec<Vec<Z>>,
    nonbasic: Vec<usize>,
    obj_v: Z,
    obj: Vec<Z>,
    den: Z,
    /// Columns that may enter (free lineality columns and dropped artificials may not).
    col_live: Vec<bool>,
}

impl IDict {
    fn kind(&self, var: usize) -> Kind {
        if var < self.d {
            Kind::Free
        } else if var < self.d + self.m {
            Kind::Slack
        } else {
            Kind::Artificial
        }
    }

    fn row_constrained(&self, i: usize) -> bool {
        self.kind(self.basic[i]) != Kind::Free
    }

    /// Fraction-free pivot: the entering column `e` replaces the basic variable of row `r`.
    fn pivot(&mut self, r: usize, e: usize) {
        let p = self.alpha[r][e].clone();
        debug_assert!(!p.is_zero());
        let neg = p.is_negative();
        let den = std::mem::replace(&mut self.den, p.abs());
        let row_r = self.alpha[r].clone();
        let beta_r = self.beta[r].clone();
        // x' = sign(p) * (x * p - f * row_r[j]) / den, exact.
        let update = |x: &Z, f: &Z, rj: &Z| -> Z {
            let num = x * &p - f * rj;
            debug_assert!((&num % &den).is_zero(), "Bareiss division must be exact");
            let q = num / &den;
            if neg { -q } else { q }
        };
        for i in 0..self.alpha.len() {
            if i == r {
                continue;
            }
            let f = self.alpha[i][e].clone();
            for (j, rj) in row_r.iter().enumerate() {
                if j != e {
                    self.alpha[i][j] = update(&self.alpha[i][j], &f, rj);
                }
            }
            self.beta[i] = update(&self.beta[i], &f, &beta_r);
            self.alpha[i][e] = if neg { -f } else { f };
        }
        let f = self.obj[e].clone();
        for (j, rj) in row_r.iter().enumerate() {
            if j != e {
                self.obj[j] = update(&self.obj[j], &f, rj);
            }
        }
        self.obj_v = update(&self.obj_v, &f, &beta_r);
        self.obj[e] = if neg { -f } else { f };
        for (j, v) in self.alpha[r].iter_mut().enumerate() {
            if j == e {
                *v = if neg { -den.clone() } else { den.clone() };
            } else if !neg {
                *v = -std::mem::take(v);
            }
        }
        if !neg {
            self.beta[r] = -std::mem::take(&mut self.beta[r]);
        }
        std::mem::swap(&mut self.basic[r], &mut self.nonbasic[e]);
    }

    /// Bland's rule simplex on the current objective. Returns false if unbounded.
    fn optimize(&mut self) -> bool {
        loop {
            let mut enter: Option<usize> = None;
            for j in 0..self.nonbasic.len() {
                if self.col_live[j]
                    && self.obj[j].is_positive()
                    && enter.is_none_or(|e| self.nonbasic[j] < self.nonbasic[e])
                {
                    enter = Some(j);
                }
            }
            let Some(e) = enter else { return true };
            // Leaving: minimum ratio beta_i / -alpha_ie, ties by smallest basic variable.
            let mut leave: Option<usize> = None;
            for i in 0..self.alpha.len() {
                if !self.row_constrained(i) || !self.alpha[i][e].is_negative() {
                    continue;
                }
                let better = match leave {
                    None => true,
                    Some(k) => {
                        // beta_i / -a_ie  vs  beta_k / -a_ke, both denominators positive.
                        let lhs = &self.beta[i] * -&self.alpha[k][e];
                        let rhs = &self.beta[k] * -&self.alpha[i][e];
                        lhs < rhs || (lhs == rhs && self.basic[i] < self.basic[k])
                    }
                };
                if better {
                    leave = Some(i);
                }
            }
            match leave {
                None => return false,
                Some(r) => self.pivot(r, e),
            }
        }
    }
}

/// Positive integer scale `s` making every entry of `v` an integer when multiplied by it
/// (the lcm of the denominators), and the scaled integers.
fn integer_scaled(v: &[Q]) -> (Z, Vec<Z>) {
    let l = v.iter().fold(Z::one(), |acc, x| crate::arith::num::lcm_pos(&acc, x.denom()));
    let ints = v.iter().map(|x| x.numer() * (&l / x.denom())).collect();
    (l, ints)
}

/// Maximise `c·x` subject to `a[i]·x <= b[i]` for every row, `x` free. `c.len()` is the
/// dimension; every row must have that length.
///
/// Each row (and `c`) is scaled by a positive integer to integer data, and the simplex runs
/// on a fraction-free integer dictionary: no gcd is ever taken during pivoting.
pub fn maximize(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> LpOutcome {
    solve(c, a, b, true)
}

/// [`maximize`] without the dual multipliers (`duals` is empty): for callers that need only
/// the point and the value, it saves reducing one fraction per row.
pub fn maximize_primal(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> LpOutcome {
    solve(c, a, b, false)
}

/// Run the simplex to an optimal dictionary, or say why there is none.
fn run(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> Result<(IDict, Vec<Z>, Z), LpOutcome> {
    let d = c.len();
    let m = a.len();
    assert_eq!(b.len(), m, "lp: b has {} entries for {} rows", b.len(), m);
    let mut row_scale = Vec::with_capacity(m);
    let mut alpha = Vec::with_capacity(m);
    let mut beta = Vec::with_capacity(m);
    for (row, bi) in a.iter().zip(b) {
        assert_eq!(row.len(), d, "lp: row length differs from c");
        let mut full = row.clone();
        full.push(bi.clone());
        let (s, mut ints) = integer_scaled(&full);
        beta.push(ints.pop().expect("b entry"));
        alpha.push(ints.into_iter().map(|v| -v).collect::<Vec<Z>>());
        row_scale.push(s);
    }
    let (c_scale, c_int) = integer_scaled(c);
    let mut dict = IDict {
        d,
        m,
        basic: (d..d + m).collect(),
        beta,
        alpha,
        nonbasic: (0..d).collect(),
        obj_v: Z::zero(),
        obj: vec![Z::zero(); d],
        den: Z::one(),
        col_live: vec![true; d],
    };
    // Step A: pivot every free variable into the basis where its column allows.
    for j in 0..d {
        let col = dict.nonbasic.iter().position(|&v| v == j).expect("free var is nonbasic");
        let row = (0..m).find(|&i| dict.row_constrained(i) && !dict.alpha[i][col].is_zero());
        match row {
            Some(r) => dict.pivot(r, col),
            None => dict.col_live[col] = false, // lineality direction
        }
    }
    // Phase 1 if the current basic solution violates a slack.
    let worst = (0..m)
        .filter(|&i| dict.row_constrained(i) && dict.beta[i].is_negative())
        .min_by(|&i, &k| dict.beta[i].cmp(&dict.beta[k]).then(dict.basic[i].cmp(&dict.basic[k])));
    if let Some(r) = worst {
        let art = d + m;
        for i in 0..m {
            let v = if dict.row_constrained(i) { dict.den.clone() } else { Z::zero() };
            dict.alpha[i].push(v);
        }
        dict.nonbasic.push(art);
        dict.col_live.push(true);
        dict.obj = vec![Z::zero(); dict.nonbasic.len()];
        let acol = dict.nonbasic.len() - 1;
        dict.obj[acol] = -dict.den.clone();
        dict.obj_v = Z::zero();
        dict.pivot(r, acol);
        let bounded = dict.optimize();
        debug_assert!(bounded, "phase 1 is bounded by 0");
        if dict.obj_v.is_negative() {
            return Err(LpOutcome::Infeasible);
        }
        // Drive the artificial out of the basis if it stayed there (at value 0).
        if let Some(r) = dict.basic.iter().position(|&v| v == art) {
            let col = (0..dict.nonbasic.len())
                .filter(|&j| dict.col_live[j] && !dict.alpha[r][j].is_zero())
                .min_by_key(|&j| dict.nonbasic[j]);
            match col {
                Some(e) => dict.pivot(r, e),
                None => dict.beta[r] = Z::zero(), // the row reads art = 0 identically
            }
        }
        if let Some(acol) = dict.nonbasic.iter().position(|&v| v == art) {
            dict.col_live[acol] = false;
            for row in dict.alpha.iter_mut() {
                row[acol] = Z::zero();
            }
        }
    }
    // Phase 2 objective in terms of the nonbasic variables.
    let ncols = dict.nonbasic.len();
    dict.obj_v = Z::zero();
    dict.obj = vec![Z::zero(); ncols];
    for (j, cj) in c_int.iter().enumerate() {
        if cj.is_zero() {
            continue;
        }
        if let Some(i) = dict.basic.iter().position(|&v| v == j) {
            dict.obj_v += cj * &dict.beta[i];
            for k in 0..ncols {
                if !dict.alpha[i][k].is_zero() {
                    dict.obj[k] += cj * &dict.alpha[i][k];
                }
            }
        } else {
            let col = dict.nonbasic.iter().position(|&v| v == j).expect("nonbasic");
            dict.obj[col] += cj * &dict.den;
        }
    }
    for k in 0..ncols {
        if dict.kind(dict.nonbasic[k]) == Kind::Free && !dict.obj[k].is_zero() {
            return Err(LpOutcome::Unbounded);
        }
    }
    if !dict.optimize() {
        return Err(LpOutcome::Unbounded);
    }
    Ok((dict, row_scale, c_scale))
}

/// An optimal point as integers over one positive denominator, unreduced: `x = num / den`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointOutcome {
    Optimal { num: Vec<Z>, den: Z },
    Infeasible,
    Unbounded,
}

/// [`maximize`] returning only the optimal point, as unreduced integers over the basis
/// determinant: no gcd at all (for callers that keep working in integers).
pub fn maximize_point(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> PointOutcome {
    match run(c, a, b) {
        Ok((dict, _, _)) => {
            let d = c.len();
            let mut num = vec![Z::zero(); d];
            for (i, &v) in dict.basic.iter().enumerate() {
                if v < d {
                    num[v] = dict.beta[i].clone();
                }
            }
            PointOutcome::Optimal { num, den: dict.den }
        }
        Err(LpOutcome::Infeasible) => PointOutcome::Infeasible,
        Err(_) => PointOutcome::Unbounded,
    }
}

fn solve(c: &[Q], a: &[Vec<Q>], b: &[Q], want_duals: bool) -> LpOutcome {
    let d = c.len();
    let m = a.len();
    let (dict, row_scale, c_scale) = match run(c, a, b) {
        Ok(x) => x,
        Err(outcome) => return outcome,
    };
    // Free variables left nonbasic (lineality) sit at 0.
    let mut x = vec![Q::zero(); d];
    for (i, &v) in dict.basic.iter().enumerate() {
        if v < d {
            x[v] = crate::arith::num::q_new(dict.beta[i].clone(), dict.den.clone());
        }
    }
    let value = crate::arith::num::q_new(dict.obj_v.clone(), &dict.den * &c_scale);
    if !want_duals {
        debug_assert!(a.iter().zip(b).all(|(row, bi)| dot(row, &x) <= *bi) && dot(c, &x) == value);
        return LpOutcome::Optimal { x, value, duals: Vec::new() };
    }
    let mut duals = vec![Q::zero(); m];
    for (k, &v) in dict.nonbasic.iter().enumerate() {
        if dict.kind(v) == Kind::Slack {
            let i = v - d;
            duals[i] = crate::arith::num::q_new(-&dict.obj[k] * &row_scale[i], &dict.den * &c_scale);
        }
    }
    debug_assert!(certify(c, a, b, &x, &value, &duals), "lp certificate failed");
    LpOutcome::Optimal { x, value, duals }
}

/// Check an optimality certificate exactly: primal feasibility, dual feasibility and equal
/// objective values. Used by tests and by debug builds after every solve.
pub fn certify(c: &[Q], a: &[Vec<Q>], b: &[Q], x: &[Q], value: &Q, duals: &[Q]) -> bool {
    if a.iter().zip(b).any(|(row, bi)| dot(row, x) > *bi) {
        return false;
    }
    if duals.iter().any(|y| y.is_negative()) {
        return false;
    }
    for (j, cj) in c.iter().enumerate() {
        let s = a.iter().zip(duals).fold(Q::zero(), |acc, (row, y)| acc + &row[j] * y);
        if s != *cj {
            return false;
        }
    }
    dot(c, x) == *value && dot(b, duals) == *value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::num::qi;

    fn rows(v: &[&[i64]]) -> Vec<Vec<Q>> {
        v.iter().map(|r| r.iter().map(|&x| qi(x)).collect()).collect()
    }
    fn vq(v: &[i64]) -> Vec<Q> {
        v.iter().map(|&x| qi(x)).collect()
    }

    #[test]
    fn hand_solved_square() {
        // max x + y on the unit box [0,1]^2: value 2 at (1,1).
        let a = rows(&[&[1, 0], &[0, 1], &[-1, 0], &[0, -1]]);
        let out = maximize(&vq(&[1, 1]), &a, &vq(&[1, 1, 0, 0]));
        match out {
            LpOutcome::Optimal { x, value, duals } => {
                assert_eq!(x, vq(&[1, 1]));
                assert_eq!(value, qi(2));
                assert_eq!(duals, vq(&[1, 1, 0, 0]));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn hand_solved_phase1_needed() {
        // max -x s.t. x >= 3 (i.e. -x <= -3), x <= 10: value -3 at x = 3.
        let a = rows(&[&[-1], &[1]]);
        let out = maximize(&vq(&[-1]), &a, &vq(&[-3, 10]));
        assert_eq!(out.value(), Some(&qi(-3)));
    }

    #[test]
    fn infeasible_and_unbounded() {
        let a = rows(&[&[1], &[-1]]);
        assert_eq!(maximize(&vq(&[1]), &a, &vq(&[-1, -1])), LpOutcome::Infeasible);
        let a = rows(&[&[-1, 0]]);
        assert_eq!(maximize(&vq(&[1, 0]), &a, &vq(&[0])), LpOutcome::Unbounded);
        // Lineality direction in the objective: unbounded.
        let a = rows(&[&[1, 0]]);
        assert_eq!(maximize(&vq(&[0, 1]), &a, &vq(&[0])), LpOutcome::Unbounded);
        // Lineality direction not in the objective: optimal.
        assert_eq!(maximize(&vq(&[1, 0]), &a, &vq(&[5])).value(), Some(&qi(5)));
        // No rows at all.
        assert_eq!(maximize(&vq(&[0, 0]), &[], &[]).value(), Some(&qi(0)));
        assert_eq!(maximize(&vq(&[1, 0]), &[], &[]), LpOutcome::Unbounded);
    }

    #[test]
    fn infeasible_with_lineality() {
        // y free and absent; x <= -1 and x >= 1.
        let a = rows(&[&[1, 0], &[-1, 0]]);
        assert_eq!(maximize(&vq(&[0, 1]), &a, &vq(&[-1, -1])), LpOutcome::Infeasible);
    }

    #[test]
    fn heavy_degeneracy_many_lines_through_origin() {
        // 12 half-planes through the origin bounding a cone, plus a cap: max y.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for k in 1..=12i64 {
            a.push(vq(&[k, -1])); // y >= k x
            b.push(qi(0));
            a.push(vq(&[-k, -1])); // y >= -k x
            b.push(qi(0));
        }
        a.push(vq(&[0, 1]));
        b.push(qi(7));
        let out = maximize(&vq(&[1, 1]), &a, &b);
        // Feasible cone near the y axis: y >= 12|x|; max x + y with y <= 7 -> x = 7/12.
        assert_eq!(out.value(), Some(&(qi(7) + Q::new(7.into(), 12.into()))));
    }

    /// Brute force: enumerate all vertices (d-subsets of rows), keep feasible ones, take
    /// the max of c·x. Valid when the feasible set is a non-empty polytope.
    fn brute_force(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> Option<Q> {
        let d = c.len();
        let m = a.len();
        let mut best: Option<Q> = None;
        let mut idx: Vec<usize> = (0..d).collect();
        loop {
            // Solve the d x d system by Gaussian elimination.
            let mut mat: Vec<Vec<Q>> = idx
                .iter()
                .map(|&i| {
                    let mut r = a[i].clone();
                    r.push(b[i].clone());
                    r
                })
                .collect();
            let mut ok = true;
            for col in 0..d {
                let Some(p) = (col..d).find(|&r| !mat[r][col].is_zero()) else {
                    ok = false;
                    break;
                };
                mat.swap(col, p);
                let pv = mat[col][col].clone();
                for v in mat[col].iter_mut() {
                    *v = &*v / &pv;
                }
                for r in 0..d {
                    if r != col && !mat[r][col].is_zero() {
                        let f = mat[r][col].clone();
                        let prow = mat[col].clone();
                        for (v, pv) in mat[r].iter_mut().zip(prow) {
                            *v -= &f * pv;
                        }
                    }
                }
            }
            if ok {
                let x: Vec<Q> = (0..d).map(|r| mat[r][d].clone()).collect();
                if a.iter().zip(b).all(|(row, bi)| dot(row, &x) <= *bi) {
                    let v = dot(c, &x);
                    if best.as_ref().is_none_or(|bv| v > *bv) {
                        best = Some(v);
                    }
                }
            }
            // next combination
            let mut k = d;
            while k > 0 && idx[k - 1] == m - d + k - 1 {
                k -= 1;
            }
            if k == 0 {
                return best;
            }
            idx[k - 1] += 1;
            for t in k..d {
                idx[t] = idx[t - 1] + 1;
            }
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
            z ^ (z >> 31)
        }
        fn small(&mut self, k: i64) -> i64 {
            (self.next() % (2 * k as u64 + 1)) as i64 - k
        }
    }

    #[test]
    fn random_lps_match_brute_force() {
        let mut rng = Rng(7);
        let mut counts = [0usize; 3];
        for _ in 0..400 {
            let d = 1 + (rng.next() % 3) as usize;
            let m = d + (rng.next() % 6) as usize;
            let mut a = Vec::new();
            let mut b = Vec::new();
            for _ in 0..m {
                a.push((0..d).map(|_| qi(rng.small(3))).collect::<Vec<_>>());
                // Many zero right-hand sides for degeneracy.
                b.push(qi(if rng.next() % 2 == 0 { 0 } else { rng.small(4) }));
            }
            // Bound the region by a box so that brute force is valid when feasible.
            for j in 0..d {
                let mut e = vec![qi(0); d];
                e[j] = qi(1);
                a.push(e.clone());
                b.push(qi(5));
                e[j] = qi(-1);
                a.push(e);
                b.push(qi(5));
            }
            let c: Vec<Q> = (0..d).map(|_| qi(rng.small(3))).collect();
            let out = maximize(&c, &a, &b);
            let bf = brute_force(&c, &a, &b);
            match (&out, &bf) {
                (LpOutcome::Optimal { x, value, duals }, Some(v)) => {
                    assert_eq!(value, v);
                    assert!(certify(&c, &a, &b, x, value, duals));
                    counts[0] += 1;
                }
                (LpOutcome::Infeasible, None) => counts[1] += 1,
                other => panic!("mismatch {other:?} for c={c:?} a={a:?} b={b:?}"),
            }
            // Unbounded variant: drop the box; compare with a huge box.
            let a2 = a[..m].to_vec();
            let b2 = b[..m].to_vec();
            let out2 = maximize(&c, &a2, &b2);
            if let LpOutcome::Unbounded = out2 {
                counts[2] += 1;
                let boxed = |k: i64| {
                    let mut a3 = a2.clone();
                    let mut b3 = b2.clone();
                    for j in 0..d {
                        let mut e = vec![qi(0); d];
                        e[j] = qi(1);
                        a3.push(e.clone());
                        b3.push(qi(k));
                        e[j] = qi(-1);
                        a3.push(e);
                        b3.push(qi(k));
                    }
                    maximize(&c, &a3, &b3).value().expect("feasible").clone()
                };
                assert!(boxed(1000) > boxed(100), "unbounded: value must grow with the box");
            } else if let LpOutcome::Optimal { value, .. } = &out2 {
                if let Some(v) = out.value() {
                    assert!(value >= v, "dropping rows cannot lower the maximum");
                }
            }
        }
        assert!(counts.iter().all(|&k| k > 20), "cover every outcome: {counts:?}");
    }

    #[test]
    fn integer_pivoting_agrees_with_rational_reference() {
        let mut rng = Rng(11);
        let mut kinds = [0usize; 3];
        for _ in 0..600 {
            let d = 1 + (rng.next() % 4) as usize;
            let m = (rng.next() % 9) as usize;
            let frac = |rng: &mut Rng| Q::new(rng.small(5).into(), (1 + rng.next() % 6).into());
            let a: Vec<Vec<Q>> = (0..m).map(|_| (0..d).map(|_| frac(&mut rng)).collect()).collect();
            let b: Vec<Q> =
                (0..m).map(|_| if rng.next() % 3 == 0 { qi(0) } else { frac(&mut rng) }).collect();
            let c: Vec<Q> = (0..d).map(|_| frac(&mut rng)).collect();
            let fast = maximize(&c, &a, &b);
            let slow = crate::lp::reference::maximize_rational(&c, &a, &b);
            // Row scaling changes phase 1's choices, so degenerate optima may differ in x and
            // duals; kind and value must agree and both must certify.
            match (&fast, &slow) {
                (LpOutcome::Optimal { x, value, duals }, LpOutcome::Optimal { value: v2, .. }) => {
                    assert_eq!(value, v2, "c={c:?} a={a:?} b={b:?}");
                    assert!(certify(&c, &a, &b, x, value, duals));
                }
                _ => assert_eq!(fast, slow, "c={c:?} a={a:?} b={b:?}"),
            }
            kinds[match fast {
                LpOutcome::Optimal { .. } => 0,
                LpOutcome::Infeasible => 1,
                LpOutcome::Unbounded => 2,
            }] += 1;
        }
        assert!(kinds.iter().all(|&k| k > 30), "{kinds:?}");
    }
}
