//! Linear programming, exactly: the fraction-free integer simplex, the float proposals it
//! certifies (active sets, vertices, rays, first hits), and the exact nearest point of a
//! polyhedron to a point (minimum-norm problems of the insphere centres).
//!
//! Owns: LP outcomes as data ([`LpOutcome`]), certificates. Imports only `arith`.

pub(crate) mod guided;
pub(crate) mod ipm;
pub(crate) mod nearest;
#[cfg(test)]
mod reference;
mod simplex;

pub use simplex::*;
