pub mod lp;
pub mod num;
