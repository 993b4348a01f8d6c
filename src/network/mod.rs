//! The network: validated model, exact evaluation, activation patterns, the exact affine maps
//! of a pattern as scaled integer rows, and the lexicographic sign rule that decides the
//! pattern of a point and of the region across a facet.
//!
//! Owns: [`Network`], [`Pattern`], [`PatternMaps`], seeded random networks. Imports only
//! `arith`; knows nothing of polytopes or domains.

pub mod blocks;
mod crossing;
pub mod graph;
pub(crate) mod image;
mod maps;
mod model;
pub mod random;
mod rows;
#[cfg(test)]
mod tests;

pub use crossing::*;
pub use maps::*;
pub use model::*;
pub use rows::*;
