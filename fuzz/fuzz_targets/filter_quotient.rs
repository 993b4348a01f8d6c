#![no_main]
//! `filter` against exact arithmetic: see `linregions::filter_check::check_quotient`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    linregions::filter_check::check_quotient(&mut linregions::filter_check::Bytes::new(data));
});
