//! Input domains: a box, a polytope `{x : a x <= b}`, or the whole space.
//!
//! Invariant: a domain that passed [`Domain::validate`] is full-dimensional; its rows are
//! numbered as in [`Domain::rows`] and those numbers appear as `{"domain": row}` sources.

use crate::arith::num::{Q, fmt_q};
use crate::geometry::{Grouped, Interior, Source, group_rows, unit};
use std::fmt;

/// The input domain of an enumeration.
///
/// ```
/// use linregions::{Domain, Q};
/// let q = |v: i64| Q::from_integer(v.into());
/// let square = Domain::Box { lo: vec![q(0), q(0)], hi: vec![q(1), q(1)] };
/// assert_eq!(square.dim(), 2);
/// assert_eq!(square.validate(2), Ok(true)); // valid for 2 inputs, and bounded
/// assert_eq!(Domain::Whole { dim: 2 }.validate(2), Ok(false)); // valid, unbounded
/// assert!(Domain::Box { lo: vec![q(1)], hi: vec![q(0)] }.validate(1).is_err()); // empty
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// `lo[j] <= x_j <= hi[j]`; rows `2j` is `-x_j <= -lo[j]`, row `2j+1` is `x_j <= hi[j]`.
    Box { lo: Vec<Q>, hi: Vec<Q> },
    /// Rows `a[i]·x <= b[i]`, numbered as given.
    Polytope { a: Vec<Vec<Q>>, b: Vec<Q> },
    /// The whole input space of dimension `dim`.
    Whole { dim: usize },
}

/// Why a domain cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    Dimension {
        expected: usize,
        got: usize,
    },
    /// `lo` and `hi` as `p/q` text.
    EmptyInterval {
        coord: usize,
        lo: String,
        hi: String,
    },
    Empty,
    LowerDimensional,
    /// The arrays do not fit together: a box whose `lo` and `hi` differ in length, a polytope
    /// with a row of another length or a different number of entries in `b` than rows in `a`.
    Shape(String),
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainError::Dimension { expected, got } => {
                write!(f, "domain has dimension {got} but the network's input has {expected}")
            }
            DomainError::EmptyInterval { coord, lo, hi } => {
                write!(f, "coordinate {coord}: interval {lo}:{hi} needs LO < HI")
            }
            DomainError::Empty => write!(f, "the domain is empty"),
            DomainError::Shape(what) => write!(f, "{what}"),
            DomainError::LowerDimensional => write!(
                f,
                "the domain is lower-dimensional (contained in a hyperplane); regions would not be full-dimensional"
            ),
        }
    }
}

impl std::error::Error for DomainError {}

impl Domain {
    /// `[-1, 1]^d`, the default domain.
    pub fn default_box(d: usize) -> Domain {
        Domain::Box { lo: vec![Q::from_integer((-1).into()); d], hi: vec![Q::from_integer(1.into()); d] }
    }

    /// The triangle `s >= 0, t >= 0, s + t <= 1`: the default domain of a plane slice
    /// through three points (the triangle they span).
    pub fn unit_triangle() -> Domain {
        let q = |v: i64| Q::from_integer(v.into());
        Domain::Polytope {
            a: vec![vec![q(-1), q(0)], vec![q(0), q(-1)], vec![q(1), q(1)]],
            b: vec![q(0), q(0), q(1)],
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            Domain::Box { lo, .. } => lo.len(),
            Domain::Polytope { a, .. } => a.first().map_or(0, |r| r.len()),
            Domain::Whole { dim } => *dim,
        }
    }

    /// The domain as rows `a·x <= b` (empty for the whole space).
    pub fn rows(&self) -> Vec<(Vec<Q>, Q)> {
        match self {
            Domain::Box { lo, hi } => {
                let d = lo.len();
                let mut out = Vec::with_capacity(2 * d);
                for j in 0..d {
                    let e = unit(d, j);
                    out.push((e.iter().map(|v| -v).collect(), -&lo[j]));
                    out.push((e, hi[j].clone()));
                }
                out
            }
            Domain::Polytope { a, b } => a.iter().cloned().zip(b.iter().cloned()).collect(),
            Domain::Whole { .. } => Vec::new(),
        }
    }

    /// Check the domain against the input dimension: full-dimensional, non-empty.
    /// Returns whether it is bounded.
    pub fn validate(&self, input_dim: usize) -> Result<bool, DomainError> {
        self.check_shape()?;
        if self.dim() != input_dim {
            return Err(DomainError::Dimension { expected: input_dim, got: self.dim() });
        }
        if let Domain::Box { lo, hi } = self {
            for (j, (l, h)) in lo.iter().zip(hi).enumerate() {
                if l >= h {
                    return Err(DomainError::EmptyInterval { coord: j, lo: fmt_q(l), hi: fmt_q(h) });
                }
            }
            // Every interval open: a full-dimensional bounded box (no LP needed).
            return Ok(true);
        }
        let rows = self.rows().into_iter().enumerate().map(|(i, (a, b))| (a, b, Source::Domain(i)));
        let hs = match group_rows(rows) {
            Grouped::Rows(h) => h,
            Grouped::Empty => return Err(DomainError::Empty),
        };
        match hs.interior_point(input_dim) {
            Interior::Point(_) => {}
            Interior::LowerDimensional => return Err(DomainError::LowerDimensional),
            Interior::Empty => return Err(DomainError::Empty),
        }
        Ok(match self {
            Domain::Box { .. } => true,
            Domain::Whole { .. } => false,
            Domain::Polytope { .. } => hs.is_bounded(input_dim),
        })
    }

    /// Whether the arrays fit together (every row of `a` as long as the first, as many `b`
    /// entries as rows, `lo` as long as `hi`, at least one row).
    pub fn check_shape(&self) -> Result<(), DomainError> {
        match self {
            Domain::Box { lo, hi } if lo.len() != hi.len() => Err(DomainError::Shape(format!(
                "box: `lo` has {} entries but `hi` has {}",
                lo.len(),
                hi.len()
            ))),
            Domain::Polytope { a, b } => {
                if a.is_empty() {
                    return Err(DomainError::Shape("polytope: `a` has no rows".into()));
                }
                if a.len() != b.len() {
                    return Err(DomainError::Shape(format!(
                        "polytope: `a` has {} rows but `b` has {} entries",
                        a.len(),
                        b.len()
                    )));
                }
                let d = a[0].len();
                match a.iter().position(|r| r.len() != d) {
                    Some(i) => Err(DomainError::Shape(format!(
                        "polytope: row a[{i}] has {} entries but a[0] has {d}",
                        a[i].len()
                    ))),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Exact volume of a bounded domain (`None` if unbounded or invalid).
    pub fn volume(&self) -> Option<Q> {
        match self {
            Domain::Box { lo, hi } => {
                Some(lo.iter().zip(hi).fold(Q::from_integer(1.into()), |acc, (l, h)| acc * (h - l)))
            }
            Domain::Whole { .. } => None,
            Domain::Polytope { .. } => {
                let d = self.dim();
                let rows = self.rows().into_iter().enumerate().map(|(i, (a, b))| (a, b, Source::Domain(i)));
                let Grouped::Rows(hs) = group_rows(rows) else { return None };
                let Interior::Point(c) = hs.interior_point(d) else { return None };
                if !hs.is_bounded(d) {
                    return None;
                }
                let idx: Vec<usize> = hs.facets(&c).into_iter().map(|(i, _)| i).collect();
                let f = hs.subset(&idx);
                let v = crate::geometry::vrep::vertices(&f, d);
                Some(crate::geometry::vrep::volume(&f, &v, d))
            }
        }
    }

    /// Short human-readable description (`[-1,1]^2`, `box [0,1]x[-2,3]`, `polytope (5 rows)`).
    pub fn describe(&self) -> String {
        match self {
            Domain::Box { lo, hi } => {
                let same = lo.iter().all(|v| *v == lo[0]) && hi.iter().all(|v| *v == hi[0]);
                if same && !lo.is_empty() {
                    format!("box [{},{}]^{}", fmt_q(&lo[0]), fmt_q(&hi[0]), lo.len())
                } else {
                    let parts: Vec<String> =
                        lo.iter().zip(hi).map(|(l, h)| format!("[{},{}]", fmt_q(l), fmt_q(h))).collect();
                    format!("box {}", parts.join("x"))
                }
            }
            Domain::Polytope { a, .. } => format!("polytope ({} rows)", a.len()),
            Domain::Whole { dim } => format!("whole space R^{dim}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::num::qi;

    #[test]
    fn validation() {
        assert_eq!(Domain::default_box(2).validate(2), Ok(true));
        assert_eq!(Domain::Whole { dim: 3 }.validate(3), Ok(false));
        assert!(matches!(Domain::default_box(2).validate(3), Err(DomainError::Dimension { .. })));
        let bad = Domain::Box { lo: vec![qi(0), qi(1)], hi: vec![qi(1), qi(1)] };
        assert!(matches!(bad.validate(2), Err(DomainError::EmptyInterval { coord: 1, .. })));
        let flat = Domain::Polytope {
            a: vec![vec![qi(1), qi(1)], vec![qi(-1), qi(-1)], vec![qi(1), qi(0)], vec![qi(-1), qi(0)]],
            b: vec![qi(0), qi(0), qi(1), qi(1)],
        };
        assert_eq!(flat.validate(2), Err(DomainError::LowerDimensional));
        let empty = Domain::Polytope { a: vec![vec![qi(1)], vec![qi(-1)]], b: vec![qi(-1), qi(-1)] };
        assert_eq!(empty.validate(1), Err(DomainError::Empty));
        let half = Domain::Polytope { a: vec![vec![qi(1), qi(0)]], b: vec![qi(0)] };
        assert_eq!(half.validate(2), Ok(false));
    }
}
