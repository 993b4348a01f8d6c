//! Numbers: exact rationals and integers, the integer ladders (`i64` → `i128` → 256-bit →
//! BigInt) and the float filters that decide signs quickly with proven error bounds.
//!
//! Owns: parsing and printing exact numbers, integer kernels (dot products, determinants,
//! minors, rank), every float filter and its bound. Imports nothing else of the crate: this is
//! the bottom layer.

mod dixon;
pub mod filter;
pub mod intdot;
pub mod minors;
pub mod num;
