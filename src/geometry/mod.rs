//! Polyhedra, exactly: canonical half-spaces, interior and facet points, irredundant facets,
//! boundedness, inspheres, vertices and volumes, domains, and the plane filter of 2D slices.
//!
//! Owns: [`Halfspaces`], [`Domain`], [`Insphere`], [`LinfInsphere`], [`Source`]. Imports
//! `arith`, `lp` and `network` (only [`NeuronId`](crate::network::NeuronId), the label of a
//! row).

mod bounds;
pub mod domain;
mod facets;
mod halfspaces;
mod insphere;
pub mod plane;
mod points;
#[cfg(test)]
mod tests;
pub mod vrep;

pub use domain::*;
pub use halfspaces::*;
pub use insphere::*;
pub(crate) use points::*;

/// Past this many inputs the high-dimensional methods take over: the walk and the region at
/// a point start from the data point, the radius, facet and boundary LPs ask the
/// interior-point method first (docs/algorithms.md, "The region at a point").
pub(crate) const HIGH_DIM: usize = 16;
