#![no_main]
//! One group of readers of user input ("compare": see `linregions::filter_check::READER_GROUPS`)
//! on arbitrary bytes: a value or an error, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    linregions::filter_check::check_target("reader_compare", data);
});
