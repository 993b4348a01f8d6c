#![no_main]
//! Small 2D networks at the filters' edges through `enumerate` (mesh and walk), `partition`
//! and `verify`: see `linregions::filter_check::check_paths`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    linregions::filter_check::check_paths(&mut linregions::filter_check::Bytes::new(data));
});
