//! The textbook rational dictionary simplex (Bland's rule), kept only as an independent
//! oracle for the tests of the fraction-free integer implementation.

use super::{LpOutcome, certify};
use crate::arith::num::Q;
use num_traits::{Signed, Zero};

/// Which kind of variable a dictionary variable is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Free,
    Slack,
    Artificial,
}

struct Dict {
    d: usize,
    m: usize,
    /// Row i: `basic[i] = beta[i] + sum_j alpha[i][j] * nonbasic[j]`.
    basic: Vec<usize>,
    beta: Vec<Q>,
    alpha: Vec<Vec<Q>>,
    nonbasic: Vec<usize>,
    /// Objective `obj_v + sum_j obj[j] * nonbasic[j]`.
    obj_v: Q,
    obj: Vec<Q>,
    /// Columns that may enter (free lineality columns and dropped artificials may not).
    col_live: Vec<bool>,
}

impl Dict {
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

    fn pivot(&mut self, r: usize, e: usize) {
        let piv = self.alpha[r][e].clone();
        debug_assert!(!piv.is_zero());
        let inv = Q::from_integer(1.into()) / &piv;
        // New row r expresses the entering variable.
        let neg_inv = -inv.clone();
        self.beta[r] = &self.beta[r] * &neg_inv;
        for j in 0..self.alpha[r].len() {
            if j == e {
                self.alpha[r][j] = inv.clone();
            } else if !self.alpha[r][j].is_zero() {
                self.alpha[r][j] = &self.alpha[r][j] * &neg_inv;
            }
        }
        let row_r = self.alpha[r].clone();
        let beta_r = self.beta[r].clone();
        for i in 0..self.alpha.len() {
            if i == r {
                continue;
            }
            let f = self.alpha[i][e].clone();
            if f.is_zero() {
                continue;
            }
            self.beta[i] += &f * &beta_r;
            for (j, rv) in row_r.iter().enumerate() {
                if j == e {
                    self.alpha[i][j] = &f * rv;
                } else if !rv.is_zero() {
                    self.alpha[i][j] += &f * rv;
                }
            }
        }
        let f = self.obj[e].clone();
        if !f.is_zero() {
            self.obj_v += &f * &beta_r;
            for (j, rv) in row_r.iter().enumerate() {
                if j == e {
                    self.obj[j] = &f * rv;
                } else if !rv.is_zero() {
                    self.obj[j] += &f * rv;
                }
            }
        }
        std::mem::swap(&mut self.basic[r], &mut self.nonbasic[e]);
    }

    /// Bland's rule simplex on the current objective. Returns false if unbounded.
    fn optimize(&mut self) -> bool {
        loop {
            // Entering: smallest variable index among live columns with positive cost.
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
            // Leaving: minimum ratio, ties by smallest basic variable index.
            let mut leave: Option<(usize, Q)> = None;
            for i in 0..self.alpha.len() {
                if !self.row_constrained(i) || !self.alpha[i][e].is_negative() {
                    continue;
                }
                let ratio = &self.beta[i] / -&self.alpha[i][e];
                let better = match &leave {
                    None => true,
                    Some((li, lr)) => ratio < *lr || (ratio == *lr && self.basic[i] < self.basic[*li]),
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
            match leave {
                None => return false,
                Some((r, _)) => self.pivot(r, e),
            }
        }
    }
}

/// Maximise `c·x` subject to `a[i]·x <= b[i]` for every row, `x` free. `c.len()` is the
/// dimension; every row must have that length.
pub fn maximize_rational(c: &[Q], a: &[Vec<Q>], b: &[Q]) -> LpOutcome {
    let d = c.len();
    let m = a.len();
    assert_eq!(b.len(), m, "lp: b has {} entries for {} rows", b.len(), m);
    let mut dict = Dict {
        d,
        m,
        basic: (d..d + m).collect(),
        beta: b.to_vec(),
        alpha: a
            .iter()
            .map(|row| {
                assert_eq!(row.len(), d, "lp: row length differs from c");
                row.iter().map(|v| -v).collect()
            })
            .collect(),
        nonbasic: (0..d).collect(),
        obj_v: Q::zero(),
        obj: vec![Q::zero(); d],
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
            let v = if dict.row_constrained(i) { Q::from_integer(1.into()) } else { Q::zero() };
            dict.alpha[i].push(v);
        }
        dict.nonbasic.push(art);
        dict.col_live.push(true);
        dict.obj = vec![Q::zero(); dict.nonbasic.len()];
        let acol = dict.nonbasic.len() - 1;
        dict.obj[acol] = Q::from_integer((-1).into());
        dict.obj_v = Q::zero();
        dict.pivot(r, acol);
        let bounded = dict.optimize();
        debug_assert!(bounded, "phase 1 is bounded by 0");
        if dict.obj_v.is_negative() {
            return LpOutcome::Infeasible;
        }
        // Drive the artificial out of the basis if it stayed there (at value 0).
        if let Some(r) = dict.basic.iter().position(|&v| v == art) {
            let col = (0..dict.nonbasic.len())
                .filter(|&j| dict.col_live[j] && !dict.alpha[r][j].is_zero())
                .min_by_key(|&j| dict.nonbasic[j]);
            match col {
                Some(e) => dict.pivot(r, e),
                None => {
                    // The row reads art = 0 identically; zero it so it never constrains.
                    dict.beta[r] = Q::zero();
                }
            }
        }
        if let Some(acol) = dict.nonbasic.iter().position(|&v| v == art) {
            dict.col_live[acol] = false;
            for row in dict.alpha.iter_mut() {
                row[acol] = Q::zero();
            }
        }
    }
    // Phase 2 objective in terms of the nonbasic variables.
    let ncols = dict.nonbasic.len();
    dict.obj_v = Q::zero();
    dict.obj = vec![Q::zero(); ncols];
    for (j, cj) in c.iter().enumerate() {
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
            dict.obj[col] += cj;
        }
    }
    for k in 0..ncols {
        if dict.kind(dict.nonbasic[k]) == Kind::Free && !dict.obj[k].is_zero() {
            return LpOutcome::Unbounded;
        }
    }
    if !dict.optimize() {
        return LpOutcome::Unbounded;
    }
    let mut x = vec![Q::zero(); d];
    for (i, &v) in dict.basic.iter().enumerate() {
        if v < d {
            x[v] = dict.beta[i].clone();
        }
    }
    // Free variables left nonbasic (lineality) sit at 0; basic rows may depend on them
    // only through those zero columns, so beta is their value.
    let mut duals = vec![Q::zero(); m];
    for (k, &v) in dict.nonbasic.iter().enumerate() {
        if dict.kind(v) == Kind::Slack {
            duals[v - d] = -dict.obj[k].clone();
        }
    }
    let value = dict.obj_v.clone();
    debug_assert!(certify(c, a, b, &x, &value, &duals), "lp certificate failed");
    LpOutcome::Optimal { x, value, duals }
}
