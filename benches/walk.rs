//! Micro and macro benchmarks (divan): the exact LP, one region's analysis, whole walks.
//! Run with `cargo bench`. Numbers and the comparison with other tools: BENCHMARKS.md.

use linregions::enumerate::{analyze_region, pattern_at};
use linregions::num::qi;
use linregions::random::{SplitMix64, gaussian_net};
use linregions::{Domain, Options, Q, enumerate, maximize};

fn main() {
    divan::main();
}

/// A degenerate 3-variable LP with 24 rows (half through the origin), as in facet tests.
#[divan::bench]
fn lp_24x3(bencher: divan::Bencher) {
    let mut rng = SplitMix64(1);
    let a: Vec<Vec<Q>> = (0..24).map(|_| (0..3).map(|_| qi(rng.small_int(9))).collect()).collect();
    let b: Vec<Q> =
        (0..24).map(|i| if i % 2 == 0 { qi(0) } else { qi(rng.small_int(9).abs() + 1) }).collect();
    let c: Vec<Q> = vec![qi(1), qi(2), qi(-1)];
    bencher.bench(|| maximize(divan::black_box(&c), &a, &b));
}

/// Everything computed for one region of a 2-16-16-1 network (f32-exact weights).
#[divan::bench(args = [16, 32, 64])]
fn region_2d(bencher: divan::Bencher, width: usize) {
    let net = gaussian_net(&[2, width, width, 1], 16, 0.5);
    let domain = Domain::Box { lo: vec![qi(-10); 2], hi: vec![qi(10); 2] };
    let rows = domain.rows();
    let p = pattern_at(&net, &[Q::new(1.into(), 3.into()), Q::new(1.into(), 7.into())]).0;
    let opts = Options::default();
    bencher.bench(|| analyze_region(&net, &rows, true, &p, None, &opts, None));
}

/// Whole enumerations.
#[divan::bench(args = ["2-8-8-1", "2-16-16-1", "3-6-6-1"], sample_count = 5)]
fn walk(bencher: divan::Bencher, shape: &str) {
    let dims: Vec<usize> = shape.split('-').map(|s| s.parse().unwrap()).collect();
    let net = gaussian_net(&dims, 1, 0.5);
    let domain = Domain::Box { lo: vec![qi(-4); dims[0]], hi: vec![qi(4); dims[0]] };
    bencher.bench(|| enumerate(&net, &domain, &Options::default()).unwrap().regions.len());
}
