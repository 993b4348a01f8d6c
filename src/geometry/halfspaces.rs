//! H-polyhedra `{x : a_i·x <= b_i}` with labelled rows: canonical grouping of rows that
//! define the same half-space, slacks, interior points.
//!
//! Invariants: rows of a [`Halfspaces`] are primitive integer rows (coprime entries, stored
//! as rationals), pairwise distinct, sorted, never zero; every decision is an exact LP
//! outcome or an exact comparison.

use crate::arith::num::{Q, Z, common_denominator, dot, norm1, primitive_row, q_new};
use crate::lp::{LpOutcome, maximize_primal as maximize};
use crate::network::NeuronId;
use num_traits::{One, Signed, Zero};
use std::collections::BTreeMap;

/// Where a constraint row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A hidden neuron `(activation layer, index)`.
    Neuron(NeuronId),
    /// Row `r` of the domain's `a x <= b` description.
    Domain(usize),
}

/// A facet point as a facet method finds it, before [`Halfspaces::simplify_facet_point_over`]
/// rounds it (the same rounded point whatever the form).
#[derive(Debug, Clone)]
pub(crate) enum FacetPoint {
    /// `nums / den`, one positive denominator, not reduced (the polar hull's edge middles).
    Over(Vec<Z>, Z),
    /// In lowest terms.
    Reduced(Vec<Q>),
    /// A certified float guess: the point `x / l` on the row's hyperplane
    /// ([`Halfspaces::on_hyperplane`]) whose coordinates other than the solved axis are
    /// `r_i / 2^bits`.
    Grid { r: Vec<Z>, bits: usize, x: Vec<Z>, l: Z },
}

impl FacetPoint {
    /// The point in lowest terms.
    pub(crate) fn reduced(self) -> Vec<Q> {
        match self {
            FacetPoint::Reduced(p) => p,
            FacetPoint::Over(x, l) | FacetPoint::Grid { x, l, .. } => reduced(x, &l),
        }
    }
}

/// The point `x / l` (`l > 0`) in lowest terms.
pub(crate) fn reduced(x: Vec<Z>, l: &Z) -> Vec<Q> {
    x.into_iter().map(|v| q_new(v, l.clone())).collect()
}

/// A polyhedron given by grouped, canonical half-spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Halfspaces {
    pub a: Vec<Vec<Q>>,
    pub b: Vec<Q>,
    /// The sources of each row (sorted; several when rows coincide as half-spaces).
    pub sources: Vec<Vec<Source>>,
}

/// Outcome of grouping raw rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouped {
    Rows(Halfspaces),
    /// A row `0·x <= b` with `b < 0`: the set is empty.
    Empty,
}

/// Outcome of looking for a strictly interior point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interior {
    /// A rational point strictly inside every row.
    Point(Vec<Q>),
    /// Non-empty but contained in a hyperplane.
    LowerDimensional,
    Empty,
}

/// Group raw rows `(a, b, source)` into canonical half-spaces; zero rows with `b >= 0` are
/// dropped (they hold everywhere).
///
/// ```
/// use linregions::{Grouped, Q, Source, group_rows};
/// let q = |v: i64| Q::from_integer(v.into());
/// // The unit square, with one row given twice at different scales.
/// let rows = vec![
///     (vec![q(1), q(0)], q(1), Source::Domain(0)),
///     (vec![q(2), q(0)], q(2), Source::Domain(1)),
///     (vec![q(-1), q(0)], q(0), Source::Domain(2)),
///     (vec![q(0), q(1)], q(1), Source::Domain(3)),
///     (vec![q(0), q(-1)], q(0), Source::Domain(4)),
/// ];
/// let Grouped::Rows(h) = group_rows(rows) else { panic!() };
/// assert_eq!(h.len(), 4); // the duplicate is one half-space with two sources
/// let half = Q::new(1.into(), 2.into());
/// assert_eq!(h.facets(&[half.clone(), half]).len(), 4);
/// ```
pub fn group_rows(rows: impl IntoIterator<Item = (Vec<Q>, Q, Source)>) -> Grouped {
    group_primitive(rows.into_iter().map(|(a, b, src)| {
        let (pa, pb) = primitive_row(&a, &b);
        (pa, pb, src)
    }))
}

/// [`group_rows`] for rows already in primitive integer form `a·x <= b` (as
/// [`primitive_row`] makes them).
pub fn group_primitive(rows: impl IntoIterator<Item = (Vec<Z>, Z, Source)>) -> Grouped {
    let mut map: BTreeMap<(Vec<Z>, Z), Vec<Source>> = BTreeMap::new();
    for (a, b, src) in rows {
        if a.iter().all(|v| v.is_zero()) {
            if b.is_negative() {
                return Grouped::Empty;
            }
            continue;
        }
        map.entry((a, b)).or_default().push(src);
    }
    let mut hs = Halfspaces { a: Vec::new(), b: Vec::new(), sources: Vec::new() };
    for ((a, b), mut src) in map {
        src.sort();
        src.dedup();
        hs.a.push(a.into_iter().map(Q::from_integer).collect());
        hs.b.push(Q::from_integer(b));
        hs.sources.push(src);
    }
    Grouped::Rows(hs)
}

impl Halfspaces {
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// Whether every entry is an integer, as [`group_rows`] makes them (the integer fast
    /// paths below need it; a `Halfspaces` built by hand may not satisfy it).
    pub fn is_integral(&self) -> bool {
        self.a.iter().flatten().chain(&self.b).all(|v| v.is_integer())
    }
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The rows as integer pairs `(a, b)` (the numerators; rows must be integral).
    pub(crate) fn int_rows(&self) -> Vec<(Vec<Z>, Z)> {
        self.a
            .iter()
            .zip(&self.b)
            .map(|(r, b)| (r.iter().map(|v| v.numer().clone()).collect(), b.numer().clone()))
            .collect()
    }

    /// The rows with the given indices (in that order).
    pub fn subset(&self, idx: &[usize]) -> Halfspaces {
        Halfspaces {
            a: idx.iter().map(|&i| self.a[i].clone()).collect(),
            b: idx.iter().map(|&i| self.b[i].clone()).collect(),
            sources: idx.iter().map(|&i| self.sources[i].clone()).collect(),
        }
    }

    /// Slacks as integers over one positive denominator: `b_i - a_i·x = s[i] / den`.
    /// (Rows are integral, so this needs no gcd; use it on hot paths.)
    pub fn scaled_slacks(&self, x: &[Q]) -> (Vec<Z>, Z) {
        let (xs, den) = common_denominator(x);
        let s = self
            .a
            .iter()
            .zip(&self.b)
            .map(|(a, b)| {
                let mut v = b.numer() * &den;
                for (ai, xi) in a.iter().zip(&xs) {
                    if !ai.is_zero() {
                        v -= ai.numer() * xi;
                    }
                }
                v
            })
            .collect();
        (s, den)
    }

    /// Slack `b_i - a_i·x` of every row.
    pub fn slacks(&self, x: &[Q]) -> Vec<Q> {
        self.a.iter().zip(&self.b).map(|(a, b)| b - dot(a, x)).collect()
    }

    /// A point strictly inside (centre of a largest inscribed cube, capped at radius 1),
    /// or why none exists. `d` is the dimension (needed when there are no rows).
    pub fn interior_point(&self, d: usize) -> Interior {
        let (a, b) = self.weighted_rows(d, &self.a.iter().map(|r| norm1(r)).collect::<Vec<_>>());
        let mut a = a;
        let mut b = b;
        let mut cap = vec![Q::zero(); d + 1];
        cap[d] = Q::one();
        a.push(cap);
        b.push(Q::one());
        match maximize(&unit(d + 1, d), &a, &b) {
            LpOutcome::Optimal { mut x, value, .. } => {
                if value.is_positive() {
                    x.truncate(d);
                    Interior::Point(x)
                } else if value.is_zero() {
                    Interior::LowerDimensional
                } else {
                    Interior::Empty
                }
            }
            // Cannot happen (r <= 1 and r -> -inf is feasible); treated as empty.
            LpOutcome::Infeasible | LpOutcome::Unbounded => Interior::Empty,
        }
    }

    /// Rows `a_i·x + w_i·r <= b_i` over `(x, r)`.
    pub(crate) fn weighted_rows(&self, d: usize, w: &[Q]) -> (Vec<Vec<Q>>, Vec<Q>) {
        let a = self
            .a
            .iter()
            .zip(w)
            .map(|(r, wi)| {
                let mut row = Vec::with_capacity(d + 1);
                row.extend(r.iter().cloned());
                row.push(wi.clone());
                row
            })
            .collect();
        (a, self.b.clone())
    }
}

/// The unit vector `e_j` of length `n`.
pub fn unit(n: usize, j: usize) -> Vec<Q> {
    let mut v = vec![Q::zero(); n];
    v[j] = Q::one();
    v
}
