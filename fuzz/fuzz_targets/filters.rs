#![no_main]
//! Every float filter against exact arithmetic (the first byte picks the filter): see
//! `linregions::filter_check::check_any`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    linregions::filter_check::check_any(data);
});
