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
//! What there is:
//! - **networks**: [`Network`] from [`parse_network`] (JSON), [`Network::from_layers`],
//!   [`random`] nets, or the [`import`] readers (`import::read_network`: PyTorch state_dicts
//!   from safetensors and `torch.save`, ONNX; the format told by content);
//! - **domains**: [`Domain`] (a box, a polytope, the whole space);
//! - **every region**: [`enumerate`] (all kept, with the adjacency graph), [`enumerate_with`]
//!   and [`stream`] (one region at a time, bounded memory; [`stream_resume`] continues one),
//!   [`partition`] (exact polygons of a 2-input network, by mesh splitting, much faster,
//!   without the per-region measures; [`partition_limited`], [`partition_bounded`]); limits
//!   in [`Options`] (`max_regions`, `deadline`) stop a run and mark it not complete;
//! - **one region**: [`analyze_point`] (the region at a point, no enumeration), [`pattern_at`];
//! - **checks and the study**: [`verify()`] (an independent check of a regions file),
//!   [`check_boundary_certificates`] (of the evidence `local_properties` keeps when asked),
//!   [`compare`] (another tool's answer), [`properties`], [`linear_regions`];
//! - **documents**: [`formats`] (every file format, text in and text out); [`render`]
//!   (pictures), [`train`] (the study's small trainer).
//!
//! Cargo features: `cli` (default) builds the binary and turns on `import`, `render` and
//! `train`; with `default-features = false` the library is the exact core and [`formats`].
//! The core does no I/O. See ARCHITECTURE.md for the map, docs/algorithms.md for the proofs.

mod arith;
#[cfg(feature = "import")]
#[doc(hidden)]
pub mod filter_check;
pub mod formats;
mod geometry;
#[cfg(feature = "import")]
pub mod import;
mod lp;
mod network;
mod regions;
#[cfg(feature = "render")]
pub mod render;
#[cfg(feature = "train")]
pub mod train;

/// Exact numbers: rationals parsed from decimal or fraction text and from binary floats at
/// their exact value, printed as `p/q`.
pub mod num {
    pub use crate::arith::num::{
        MAX_EXPONENT, MAX_LITERAL_LEN, NumError, Q, Z, dot, fmt_q, from_f32_exact, from_f64_exact,
        parse_rational, to_f64,
    };
}

/// The kernels, for this crate's own tests, benches and fuzz targets: not part of the API,
/// may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::arith::{filter, minors, num};
    pub mod geometry {
        pub use crate::geometry::*;
    }
    pub mod lp {
        pub use crate::lp::*;
    }
    pub mod network {
        pub use crate::network::*;
    }
    pub mod regions {
        pub use crate::regions::*;
    }
}

pub use formats::{WireError, parse_domain, parse_network};
pub use geometry::{
    Domain, DomainError, Grouped, Halfspaces, Insphere, Interior, LinfInsphere, Source, group_rows,
};
pub use network::{
    Dense, HiddenLayer, LayerSpec, Network, NetworkError, NeuronId, Pattern, PatternMaps, pattern_at,
    pattern_label, random,
};
pub use num::{Q, fmt_q, parse_rational};
pub use regions::enumerate::{
    Crossing, EnumerateError, Enumeration, Facet, Options, Region, RegionOutcome, Summary, WalkProgress,
    enumerate, enumerate_observed, enumerate_with, stream, stream_resume,
};
pub use regions::linear::{LinearRegions, linear_regions};
pub use regions::local::{
    PointError, PointRegion, analyze_point, local_properties, locate_points, locate_points_with, study_points,
};
pub use regions::mesh::{MeshProgress, Partition, PartitionError};
pub use regions::partition::{
    partition, partition_bounded, partition_bounded_with, partition_limited, partition_limited_with,
};
pub use regions::shard::{MAX_SHARDS, Shard, ShardRegions, enumerate_shard, shard_cuts};
pub use regions::verify::{Report, check_boundary_certificates, verify, verify_slice};
pub use regions::{SanityError, compare, properties, verify};
