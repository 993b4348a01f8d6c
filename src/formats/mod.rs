//! Text formats, one file each: text in, text out, no file access (the CLI reads and writes
//! files), so every format is tested as strings.
//!
//! Every rational on the wire is a string `"p/q"` (integers without `/1`); input numbers may
//! be such strings, exact decimals (`"0.25"`, `"1e-3"`) or JSON numbers read as the exact
//! decimal value of their literal. The fields are documented in README.md ("Formats").
//! Imports the core (`arith` … `regions`), never the CLI.

mod compare_in;
mod graph;
mod json;
mod layout;
mod nodes;
mod regions;
mod regions_in;
mod report;
mod shard;
mod stats;
#[cfg(test)]
mod tests;

pub use crate::geometry::plane::Plane;
pub use crate::regions::verify::{FacetIn, RegionIn, RegionsFile};
pub use compare_in::*;
pub use graph::*;
pub use json::*;
pub use regions::*;
pub use regions_in::*;
pub use report::*;
pub use shard::*;
pub use stats::*;
