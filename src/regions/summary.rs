//! The aggregate numbers of an enumeration ([`Summary`]): from a finished [`Enumeration`],
//! or totalled region by region while a walk streams them.

use crate::geometry::Insphere;
use crate::regions::enumerate::{Enumeration, Region};

/// Aggregate numbers of an enumeration, for the human-readable summary. The float fields
/// are for display only.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Summary {
    pub regions: usize,
    pub edges: usize,
    pub bounded: usize,
    pub facets_min: usize,
    pub facets_max: usize,
    pub facets_mean: f64,
    /// Lower certified L2 inradius of the regions with a finite insphere: min, median, max.
    pub inradius: Option<(f64, f64, f64)>,
    /// False when a limit stopped the walk (see [`Enumeration::complete`](crate::regions::enumerate::Enumeration::complete)).
    pub complete: bool,
}

impl Enumeration {
    pub fn summary(&self) -> Summary {
        // As the stream totals it (radii as floats, sorted: the conversion is correctly
        // rounded, so monotone, and sorting the floats picks the floats of the exact order
        // statistics, without sorting big rationals).
        let mut acc = SummaryAcc::default();
        for r in &self.regions {
            acc.add(r);
        }
        Summary { edges: self.graph.edge_count(), complete: self.complete, ..acc.finish() }
    }
}

/// Running totals for [`crate::regions::enumerate::stream`] (radii kept as `f64`, 8 bytes a region, for the median).
#[derive(Default)]
pub(crate) struct SummaryAcc {
    regions: usize,
    edges: usize,
    bounded: usize,
    /// Facet counts: min, max, sum.
    facets: Option<(usize, usize, usize)>,
    radii: Vec<f64>,
}

impl SummaryAcc {
    pub(crate) fn add(&mut self, r: &Region) {
        // Each edge once, from its endpoint with the larger walk id: regions finish in walk-id
        // order, so the other end is finished already (a stopped walk counts only the edges
        // among the regions it finished).
        let earlier = r.facets.iter().filter(|f| f.neighbor.is_some_and(|n| n < r.id)).count();
        self.add_parts(r.facets.len(), earlier, r.bounded, &r.insphere);
    }

    pub(crate) fn add_parts(&mut self, n: usize, earlier: usize, bounded: bool, insphere: &Insphere) {
        self.regions += 1;
        self.edges += earlier;
        self.bounded += usize::from(bounded);
        self.facets = Some(self.facets.map_or((n, n, n), |(lo, hi, sum)| (lo.min(n), hi.max(n), sum + n)));
        if let Insphere::Finite { radius_lower, .. } = insphere {
            self.radii.push(crate::arith::num::to_f64(radius_lower));
        }
    }

    pub(crate) fn finish(mut self) -> Summary {
        self.radii.sort_by(f64::total_cmp);
        let (lo, hi, sum) = self.facets.unwrap_or((0, 0, 0));
        let r = &self.radii;
        Summary {
            regions: self.regions,
            edges: self.edges,
            bounded: self.bounded,
            facets_min: lo,
            facets_max: hi,
            facets_mean: sum as f64 / self.regions.max(1) as f64,
            inradius: (!r.is_empty()).then(|| (r[0], r[(r.len() - 1) / 2], r[r.len() - 1])),
            complete: true,
        }
    }
}
