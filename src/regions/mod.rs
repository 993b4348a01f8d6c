//! Regions of a network in a domain: the exact walk over facets (every region, or a stream),
//! the 2D mesh partition, linear regions (unions with one affine map), per-region
//! properties of the study, the independent checker of a claimed enumeration, and the
//! comparison with other tools' answers.
//!
//! Imports `arith`, `lp`, `network`, `geometry`; does no I/O.

mod boundary;
pub mod compare;
pub mod enumerate;
pub mod linear;
pub mod local;
pub mod mesh;
mod met;
pub mod partition;
pub mod properties;
pub mod shard;
pub mod summary;
pub mod verify;

/// An invariant that [`Enumeration::sanity_check`](enumerate::Enumeration::sanity_check)
/// or [`Partition::sanity_check`](mesh::Partition::sanity_check) found broken: a bug in
/// this crate, never a property of the input (please report it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanityError(pub String);

impl std::fmt::Display for SanityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant broken: {}", self.0)
    }
}

impl std::error::Error for SanityError {}
