#![no_main]
//! Every reader of user input (network JSON, domain, box and point text, plane files,
//! regions files, other tools' patterns/points/regions/relucent/regioncam files, data CSV,
//! safetensors, torch.save archives, ONNX (with external data), --arch, stats certificates,
//! --jsonl region lines) on arbitrary bytes: a value or an error, never a panic. See
//! `linregions::filter_check::check_reader`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    linregions::filter_check::check_reader(data);
});
