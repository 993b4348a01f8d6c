//! The JSON writer's throughput against serde_json's own on the same data (divan): the
//! regions of 2-64-64-1 in [-10,10]^2 (seed 1), as `enumerate --json` writes them. Run with
//! `cargo bench --bench json`; bytes/s are printed beside the times. Numbers: BENCHMARKS.md.

use linregions::formats::{NeighborStyle, RegionOut, region_out, regions_json, to_json_text};
use linregions::internals::num::qi;
use linregions::random::gaussian_net;
use linregions::{Domain, Enumeration, Network, enumerate};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

fn data() -> &'static (Network, Domain, Enumeration, Vec<RegionOut>) {
    static DATA: OnceLock<(Network, Domain, Enumeration, Vec<RegionOut>)> = OnceLock::new();
    DATA.get_or_init(|| {
        let net = gaussian_net(&[2, 64, 64, 1], 1, 0.5);
        let domain = Domain::Box { lo: vec![qi(-10); 2], hi: vec![qi(10); 2] };
        let e = enumerate(&net, &domain, &Default::default()).expect("enumerates");
        let out = e.regions.iter().map(|r| region_out(&net, r, NeighborStyle::Id)).collect();
        (net, domain, e, out)
    })
}

fn bytes(text: &str) -> divan::counter::BytesCount {
    divan::counter::BytesCount::new(text.len())
}

/// The whole document from the enumeration, as `enumerate --json` makes it (the exact
/// values formatted, the layout, in parallel chunks).
#[divan::bench(sample_count = 10)]
fn document(bencher: divan::Bencher) {
    let (net, domain, e, _) = data();
    let n = regions_json(net, domain, e, None, None).len();
    bencher.counter(divan::counter::BytesCount::new(n)).bench(|| regions_json(net, domain, e, None, None));
}

/// Our layout of the region structs (strings made): one thread.
#[divan::bench(sample_count = 10)]
fn layout(bencher: divan::Bencher) {
    let out = &data().3;
    bencher.counter(bytes(&to_json_text(out))).bench(|| to_json_text(out));
}

/// serde_json, compact, of the same structs.
#[divan::bench(sample_count = 10)]
fn serde_json_compact(bencher: divan::Bencher) {
    let out = &data().3;
    bencher
        .counter(bytes(&serde_json::to_string(out).unwrap()))
        .bench(|| serde_json::to_string(out).unwrap());
}

/// serde_json, pretty (every array element on its own line), of the same structs.
#[divan::bench(sample_count = 10)]
fn serde_json_pretty(bencher: divan::Bencher) {
    let out = &data().3;
    bencher
        .counter(bytes(&serde_json::to_string_pretty(out).unwrap()))
        .bench(|| serde_json::to_string_pretty(out).unwrap());
}

/// Making the region structs (the exact values as strings), which the writer then lays out.
#[divan::bench(sample_count = 10)]
fn region_structs(bencher: divan::Bencher) {
    let (net, _, e, _) = data();
    bencher.bench(|| e.regions.iter().map(|r| region_out(net, r, NeighborStyle::Id)).collect::<Vec<_>>());
}
