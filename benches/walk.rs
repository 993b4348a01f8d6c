//! Micro and macro benchmarks (divan): the exact LP, one region's analysis, whole walks.
//! Run with `cargo bench`. Numbers and the comparison with other tools: BENCHMARKS.md.

use linregions::internals::lp::maximize;
use linregions::internals::num::qi;
use linregions::internals::regions::enumerate::analyze_region;
use linregions::pattern_at;
use linregions::random::{SplitMix64, gaussian_net};
use linregions::{Domain, Options, Q, enumerate};

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

/// The facets of one region's rows in the plane: the polar hull (what `facets` uses in 2D)
/// against Clarkson's method on the same rows and interior point. Same answer (tested);
/// the ratio of the two medians is the lever's measured gain.
#[divan::bench(args = ["hull", "clarkson"])]
fn facets_2d_64(bencher: divan::Bencher, method: &str) {
    use linregions::internals::geometry::{Grouped, Interior};
    use linregions::internals::regions::enumerate::region_rows;
    let net = gaussian_net(&[2, 64, 64, 1], 16, 0.5);
    let domain = Domain::Box { lo: vec![qi(-10); 2], hi: vec![qi(10); 2] };
    let p = pattern_at(&net, &[Q::new(1.into(), 3.into()), Q::new(1.into(), 7.into())]).0;
    let (Grouped::Rows(hs), _) = region_rows(&net, &domain.rows(), &p) else { panic!("empty region") };
    let Interior::Point(c) = hs.interior_point(2) else { panic!("flat region") };
    let c = hs.simplify_interior(&c);
    match method {
        "hull" => bencher.bench(|| hs.facets_2d(divan::black_box(&c)).len()),
        _ => bencher.bench(|| hs.facets_clarkson(divan::black_box(&c)).len()),
    }
}

/// Streaming the walk (regions dropped) against keeping every region.
#[divan::bench(args = ["stream", "keep"], sample_count = 5)]
fn walk_2_32_32(bencher: divan::Bencher, mode: &str) {
    let net = gaussian_net(&[2, 32, 32, 1], 1, 0.5);
    let domain = Domain::Box { lo: vec![qi(-4); 2], hi: vec![qi(4); 2] };
    // The facet walk both ways (on a box both would otherwise take the mesh).
    let opts = Options::default().mesh(false);
    match mode {
        "stream" => bencher.bench(|| linregions::stream(&net, &domain, &opts, |_, _| {}).unwrap().regions),
        _ => bencher.bench(|| enumerate(&net, &domain, &opts).unwrap().regions.len()),
    }
}

/// The rational reduction: Lehmer's gcd (`num::gcd_big`, what `q_new` uses) against
/// num-bigint's binary gcd, on two 320-bit numbers with a 64-bit common factor.
#[divan::bench(args = ["lehmer", "num-bigint"])]
fn gcd_320_bits(bencher: divan::Bencher, method: &str) {
    use num_bigint::BigUint;
    use num_integer::Integer;
    let mut rng = SplitMix64(3);
    let mut word = || BigUint::from(rng.next_u64());
    let g = word();
    let a = (0..4).fold(BigUint::from(1u32), |acc, _| (acc << 64usize) + word()) * &g;
    let b = (0..4).fold(BigUint::from(1u32), |acc, _| (acc << 64usize) + word()) * &g;
    match method {
        "lehmer" => bencher.bench(|| linregions::internals::num::gcd_big(divan::black_box(&a), &b)),
        _ => bencher.bench(|| divan::black_box(&a).gcd(&b)),
    }
}
