//! Regions of a network in a domain: the exact walk over facets (every region, or a stream),
//! the 2D mesh partition, linear regions (unions with one affine map), per-region
//! properties of the study, the independent checker of a claimed enumeration, and the
//! comparison with other tools' answers.
//!
//! Imports `arith`, `lp`, `network`, `geometry`; does no I/O.

pub mod compare;
pub mod enumerate;
pub mod linear;
pub mod mesh;
pub mod properties;
pub mod verify;
