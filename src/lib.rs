pub mod lp;
pub mod network;
pub mod num;
pub mod polytope;
