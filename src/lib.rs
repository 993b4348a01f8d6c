//! # linregions
//!
//! Exact enumeration of the linear regions of small piecewise-linear (ReLU / leaky-ReLU)
//! networks, in rational arithmetic: every sign, facet, adjacency and count is decided
//! exactly, and every irrational quantity (the Euclidean insphere radius) comes with
//! certified rational bounds.
//!
//! ```
//! use linregions::{Domain, Options, enumerate, parse_network};
//! let net = parse_network(r#"{"input_dim": 1, "layers": [
//!     {"type": "dense", "weight": [["1"], ["-1"]], "bias": ["0", "1/2"]},
//!     {"type": "relu"},
//!     {"type": "dense", "weight": [["1", "1"]], "bias": ["0"]}]}"#).unwrap();
//! let e = enumerate(&net, &Domain::default_box(1), &Options::default()).unwrap();
//! assert_eq!(e.regions.len(), 3); // breakpoints at 0 and 1/2 inside [-1, 1]
//! e.sanity_check(&net).unwrap();
//! ```
//!
//! For a 2-input network on a bounded domain, [`partition`] gives the same regions as exact
//! polygons by mesh splitting, much faster (no per-region measures).
//!
//! The core (numbers, LP, polytopes, networks, enumeration) does no I/O; [`wire`] holds the
//! text formats; the `linregions` binary is a thin CLI over both. See ARCHITECTURE.md.

pub mod compare;
pub mod domain;
pub mod enumerate;
pub mod filter;
#[doc(hidden)]
pub mod filter_check;
pub mod import;
pub mod linear;
pub mod lp;
pub mod mesh;
pub mod nearest;
pub mod network;
pub mod num;
pub mod onnx;
mod plane;
pub mod polytope;
pub mod properties;
pub mod random;
pub mod render;
pub mod train;
pub mod verify;
pub mod vrep;
pub mod wire;

pub use domain::{Domain, DomainError};
pub use enumerate::{
    Crossing, EnumerateError, Enumeration, Facet, Options, Region, RegionOutcome, Summary, analyze_region,
    enumerate, enumerate_with, pattern_at,
};
pub use lp::{LpOutcome, maximize};
pub use mesh::{Partition, PartitionError, partition};
pub use network::{Dense, LayerSpec, Network, NeuronId, Pattern};
pub use num::{Q, fmt_q, parse_rational};
pub use polytope::{Halfspaces, Insphere, LinfInsphere, Source};
pub use wire::{WireError, parse_domain, parse_network};
