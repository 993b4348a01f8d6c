use crate::arith::filter;
use crate::arith::num::{Q, Z, common_denominator, dot, norm1, norm2_sq, q_new, sqrt_bounds, ten_pow_neg};
use crate::lp::{LpOutcome, maximize_primal as maximize};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

use super::{halfspaces::*, insphere::*, points::*};
use crate::arith::minors::*;
use crate::arith::num::qi;
use crate::lp::guided::*;

/// The per-thread norm bounds are the square-root bounds of the same row and precision,
/// for rows seen before, at another precision, and past the memo's cap.
#[test]
fn remembered_norm_bounds_are_the_square_root_bounds() {
    let mut rng = crate::network::random::SplitMix64(41);
    let rows: Vec<Vec<Q>> =
        (0..NORM_BOUNDS_CAP + 500).map(|_| (0..2).map(|_| qi(rng.small_int(1 << 20))).collect()).collect();
    for round in 0..2 {
        for (t, r) in rows.iter().enumerate().step_by(if round == 0 { 1 } else { 37 }) {
            let bits = [40, 108, 140][t % 3];
            assert_eq!(norm_bounds(r, bits), sqrt_bounds(&norm2_sq(r), bits), "{r:?} {bits}");
            let other = [108, 140, 40][t % 3];
            assert_eq!(norm_bounds(r, other), sqrt_bounds(&norm2_sq(r), other));
        }
    }
}

fn hs(rows: &[(&[i64], i64)]) -> Halfspaces {
    let g = group_rows(
        rows.iter()
            .enumerate()
            .map(|(i, (a, b))| (a.iter().map(|&v| qi(v)).collect(), qi(*b), Source::Domain(i))),
    );
    match g {
        Grouped::Rows(h) => h,
        Grouped::Empty => panic!("empty"),
    }
}

#[test]
fn groups_scaled_duplicates() {
    let h = hs(&[(&[1, 0], 1), (&[2, 0], 2), (&[0, 1], 1), (&[-1, 0], 1), (&[0, -1], 1)]);
    assert_eq!(h.len(), 4);
    let i = h.a.iter().position(|r| r == &vec![qi(1), qi(0)]).unwrap();
    assert_eq!(h.sources[i], vec![Source::Domain(0), Source::Domain(1)]);
}

#[test]
fn square_with_redundant_rows() {
    // Unit square |x|,|y| <= 1 plus redundant x + y <= 5 and x + y <= 2 (touches a corner).
    let h = hs(&[(&[1, 0], 1), (&[-1, 0], 1), (&[0, 1], 1), (&[0, -1], 1), (&[1, 1], 5), (&[1, 1], 2)]);
    let Interior::Point(c) = h.interior_point(2) else { panic!() };
    let f = h.facets(&c);
    assert_eq!(f.len(), 4);
    for (i, p) in &f {
        let s = h.slacks(p);
        assert!(s[*i].is_zero());
        assert!(s.iter().enumerate().all(|(j, v)| j == *i || v.is_positive()));
    }
    assert!(h.is_bounded(2));
    assert_eq!(h.linf_insphere(2), LinfInsphere::Finite { center: vec![qi(0), qi(0)], radius: qi(1) });
    let Insphere::Finite { center, radius_lower, radius_upper } = h.l2_insphere(2, 30) else { panic!() };
    assert!(radius_lower <= qi(1) && qi(1) <= radius_upper);
    assert!(h.contains_ball(&center, &radius_lower));
}

#[test]
fn triangle_insphere_is_certified() {
    // x >= 0, y >= 0, x + y <= 1: r* = 1/(2+sqrt 2) = 0.2928932188...
    let h = hs(&[(&[-1, 0], 0), (&[0, -1], 0), (&[1, 1], 1)]);
    let Insphere::Finite { center, radius_lower, radius_upper } = h.l2_insphere(2, 30) else { panic!() };
    assert!(h.contains_ball(&center, &radius_lower));
    // r* satisfies (2 + sqrt2) r = 1, i.e. (1 - 2r)^2 = 2 r^2 with r < 1/2.
    let f = |r: &Q| (qi(1) - qi(2) * r) * (qi(1) - qi(2) * r) - qi(2) * r * r;
    // f is decreasing near r*, so f(lo) >= 0 >= f(hi).
    assert!(!f(&radius_lower).is_negative() && !f(&radius_upper).is_positive());
    assert!(&radius_upper - &radius_lower <= ten_pow_neg(30));
    assert_eq!(
        h.linf_insphere(2),
        LinfInsphere::Finite {
            center: vec![q_new(1.into(), 4.into()), q_new(1.into(), 4.into())],
            radius: q_new(1.into(), 4.into())
        }
    );
}

#[test]
fn degenerate_vertex_with_many_lines() {
    // Square plus three lines through the corner (1,1), none cutting the square.
    let h = hs(&[
        (&[1, 0], 1),
        (&[-1, 0], 1),
        (&[0, 1], 1),
        (&[0, -1], 1),
        (&[1, 1], 2),
        (&[1, 2], 3),
        (&[2, 1], 3),
    ]);
    let Interior::Point(c) = h.interior_point(2) else { panic!() };
    let f: Vec<usize> = h.facets(&c).into_iter().map(|x| x.0).collect();
    assert_eq!(f.len(), 4);
    for i in f {
        assert!(h.a[i].iter().filter(|v| !v.is_zero()).count() == 1);
    }
}

#[test]
fn plane_facets_agree_with_clarkson_on_degenerate_random_sets() {
    // Small integer rows (many parallel, coinciding, through shared vertices), bounded
    // and unbounded; the polar hull must find exactly Clarkson's facets, each with a
    // point strictly inside every other row.
    let mut rng = crate::network::random::SplitMix64(11);
    let mut seen = 0;
    for t in 0..400 {
        let m = 1 + (t % 9);
        let rows: Vec<(Vec<i64>, i64)> =
            (0..m).map(|_| (vec![rng.small_int(2), rng.small_int(2)], rng.small_int(3))).collect();
        let refs: Vec<(&[i64], i64)> = rows.iter().map(|(a, b)| (a.as_slice(), *b)).collect();
        let g = group_rows(
            refs.iter()
                .enumerate()
                .map(|(i, (a, b))| (a.iter().map(|&v| qi(v)).collect(), qi(*b), Source::Domain(i))),
        );
        let Grouped::Rows(h) = g else { continue };
        let Interior::Point(c) = h.interior_point(2) else { continue };
        let c = h.simplify_interior(&c);
        let plane = h.facets_2d(&c);
        let general = h.facets_clarkson(&c);
        let idx = |f: &[(usize, Vec<Q>)]| f.iter().map(|(i, _)| *i).collect::<Vec<_>>();
        assert_eq!(idx(&plane), idx(&general), "rows {rows:?}");
        assert_relative_interior(&h, &plane);
        seen += plane.len();
    }
    assert!(seen > 300, "saw {seen} facets");
}

/// Every facet point is on its row and strictly inside every other row.
fn assert_relative_interior(h: &Halfspaces, found: &[(usize, Vec<Q>)]) {
    for (k, p) in found {
        let s = h.slacks(p);
        assert!(s[*k].is_zero(), "{p:?} off row {k} of {:?} {:?}", h.a, h.b);
        let inside = s.iter().enumerate().all(|(i, v)| i == *k || v.is_positive());
        assert!(inside, "{p:?} on a ridge of row {k} of {:?} {:?}", h.a, h.b);
    }
}

#[test]
fn guided_facets_agree_with_one_lp_per_row() {
    // The float-classified, certified facets (d = 3, 4, 5) and Clarkson's method with
    // float guesses against the direct LP per row, on small-integer rows (parallel, coinciding, many through one vertex) and on
    // wide rows (entries up to 2^40, as a network's); every point is on its row and
    // strictly inside the others.
    let mut rng = crate::network::random::SplitMix64(77);
    let mut seen = 0;
    for t in 0..300 {
        let d = 3 + t % 3;
        let m = 4 + (t % 13);
        let wide = t % 4 == 3;
        let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
            .map(|i| {
                let a = (0..d)
                    .map(|_| if wide { qi(rng.next_u64() as i64 >> 24) } else { qi(rng.small_int(2)) })
                    .collect();
                let b = if wide { qi((rng.next_u64() >> 25) as i64 + 1) } else { qi(rng.small_int(2) + 2) };
                (a, b, Source::Domain(i))
            })
            .collect();
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let Interior::Point(c) = h.interior_point(d) else { continue };
        let c = h.simplify_interior(&c);
        let want: Vec<usize> = (0..h.len()).filter(|&k| h.facet_point(k, d).is_some()).collect();
        // The guided method, and Clarkson's alone (its fallback).
        for got in [h.facets(&c), h.facets_clarkson(&c)] {
            assert_eq!(got.iter().map(|(i, _)| *i).collect::<Vec<_>>(), want, "{:?} {:?}", h.a, h.b);
            assert_relative_interior(&h, &got);
        }
        seen += want.len();
    }
    assert!(seen > 900, "saw {seen} facets");
}

#[test]
fn filtered_farkas_agrees_with_the_integers() {
    // Random row sets, a random candidate k and random d other rows (dependent ones
    // too): whenever the float filter decides, it decides as the integers do.
    let mut rng = crate::network::random::SplitMix64(78);
    let (mut decided, mut implied) = (0, 0);
    for t in 0..3000 {
        // Orders 2 to 8: the filter decides up to 5, the one-solve test past 5.
        let d = 2 + t % 7;
        let m = d + 2 + t % 5;
        let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
            .map(|i| {
                let a = (0..d)
                    .map(|_| qi(if t % 2 == 0 { rng.small_int(3) } else { rng.next_u64() as i64 >> 20 }))
                    .collect();
                (a, qi(rng.small_int(9) + 10), Source::Domain(i))
            })
            .collect();
        let mut h = Halfspaces {
            a: rows.iter().map(|r| r.0.clone()).collect(),
            b: rows.iter().map(|r| r.1.clone()).collect(),
            sources: rows.iter().map(|r| vec![r.2]).collect(),
        };
        let k = (rng.next_u64() % m as u64) as usize;
        let w: Vec<usize> = (0..m).filter(|&i| i != k).take(d).collect();
        if t % 3 == 0 {
            // Row k a non-negative combination of the rows of w, b_k near the bound.
            let y: Vec<Q> = w.iter().map(|_| qi(rng.small_int(2).abs())).collect();
            h.a[k] = (0..d).map(|j| y.iter().zip(&w).map(|(yi, &i)| yi * &h.a[i][j]).sum()).collect();
            h.b[k] = y.iter().zip(&w).map(|(yi, &i)| yi * &h.b[i]).sum::<Q>() + qi(rng.small_int(1));
        }
        let exact = h.implied_exact(k, &w);
        // The one-solve test (used past 5 dimensions) agrees with the column-set search, and
        // on subsets of w (fewer rows than dimensions).
        assert_eq!(h.implied_solved(k, &w), h.implied_cramer(k, &w), "{:?} {:?} k={k} w={w:?}", h.a, h.b);
        assert_eq!(h.implied_solved(k, &w[1..]), h.implied_cramer(k, &w[1..]));
        if let Some(told) = h.implied_filtered(k, &w) {
            assert_eq!(told, exact, "{:?} {:?} k={k} w={w:?}", h.a, h.b);
            decided += 1;
        }
        implied += usize::from(exact);
    }
    assert!(decided > 2000 && implied > 500, "decided {decided}, implied {implied}");
}

#[test]
fn recession_rays_are_certified_only_for_unbounded_regions() {
    // Slabs (opposite parallel rows: recession cones without interior), cones and boxes
    // in 2-4 dimensions: a guided ray only for an unbounded region (the exact LP says so),
    // found for most unbounded ones; null spaces have the right size and are null.
    let mut rng = crate::network::random::SplitMix64(17);
    let (mut found, mut unbounded, mut wild) = (0, 0, 0);
    for t in 0..300 {
        let d = 2 + t % 3;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
        for k in 0..(1 + t % 3) {
            let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(5))).collect();
            rows.push((a.clone(), qi(2 + k as i64), Source::Domain(10 * k)));
            if t % 2 == 0 {
                rows.push((a.iter().map(|v| -v).collect(), qi(1), Source::Domain(10 * k + 1)));
            }
        }
        for i in 0..(t % 4) {
            let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
            rows.push((a, qi(3), Source::Domain(100 + i)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        if !matches!(h.interior_point(d), Interior::Point(_)) {
            continue;
        }
        let ints: Vec<Vec<Z>> = h.a.iter().map(|r| r.iter().map(|v| v.numer().clone()).collect()).collect();
        let null = null_space(&ints, d);
        assert_eq!(null.len(), d - rank(&h.a), "{:?}", h.a);
        for v in &null {
            assert!(ints.iter().all(|r| r.iter().zip(v).map(|(a, x)| a * x).sum::<Z>().is_zero()));
            assert!(!v.iter().all(Z::is_zero));
        }
        // The exact answer, by rank and the LP alone (is_bounded tries the ray first).
        let exact_unbounded = !h.is_bounded_exact(d);
        let ray = h.recession_ray_guided(d);
        assert!(!ray || exact_unbounded, "{:?}", h.a);
        // Arbitrary float directions (most of them wrong) are certified only when right.
        let af: Vec<Vec<f64>> =
            h.a.iter()
                .map(|r| {
                    let n: f64 = r.iter().map(|v| filter::guess(v).abs()).sum();
                    r.iter().map(|v| filter::guess(v) / n).collect()
                })
                .collect();
        for _ in 0..8 {
            let v: Vec<f64> = (0..d).map(|_| rng.small_int(4) as f64 / 4.0).collect();
            if h.recession_ray_from(d, &af, &v) {
                assert!(exact_unbounded, "{:?} {v:?}", h.a);
                wild += 1;
            }
        }
        assert_eq!(h.is_bounded(d), !exact_unbounded, "{:?}", h.a);
        unbounded += usize::from(exact_unbounded);
        found += usize::from(ray);
    }
    assert!(
        unbounded > 60 && found * 2 > unbounded && wild > 20,
        "{found} rays, {wild} wild, {unbounded} unbounded"
    );
}

#[test]
fn homogeneous_facet_points_round_as_the_reduced_ones() {
    // Plane polygons, some thin slivers (facets 2^-s long: the refinement runs deep and
    // sometimes to its limit), facet points given over unreduced denominators (times
    // a random factor): the same point as simplify_on_facet_with on the reduced point,
    // on the facet and strictly inside the other facets.
    let mut rng = crate::network::random::SplitMix64(71);
    let (mut deep, mut limit, mut total) = (0, 0, 0);
    for t in 0..300u32 {
        let s = t % 40;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = vec![
            (vec![qi(1), qi(0)], qi(4), Source::Domain(0)),
            (vec![qi(-1), qi(0)], qi(4), Source::Domain(1)),
        ];
        // Two nearly parallel rows a strip 2^-s wide apart, crossed by random rows.
        let a = vec![qi(rng.small_int(9)), qi(1 + rng.small_int(9).abs())];
        let b = Q::new(Z::from(rng.small_int(50)), Z::from(3));
        let w = Q::new(Z::one(), Z::one() << s);
        rows.push((a.clone(), &b + &w, Source::Domain(2)));
        rows.push((a.iter().map(|v| -v).collect(), -&b, Source::Domain(3)));
        for i in 0..(t % 3) {
            let r = vec![qi(rng.small_int(20)), qi(rng.small_int(20))];
            rows.push((r, qi(10 + rng.small_int(5).abs()), Source::Domain(4 + i as usize)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let Interior::Point(inner) = h.interior_point(2) else { continue };
        let found = h.facets(&inner);
        let idx: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
        let fhs = h.subset(&idx);
        let rows_f = fhs.float_rows_ab();
        for (fi, (_, p)) in found.iter().enumerate() {
            let want = fhs.simplify_on_facet_with(fi, p, &rows_f);
            let (nums, den) = common_denominator(p);
            let g = Z::from(1 + rng.next_u64() % 1000) * (Z::one() << (rng.next_u64() % 9));
            let nums: Vec<Z> = nums.iter().map(|v| v * &g).collect();
            let den = den * &g;
            let got = fhs.simplify_on_facet_homogeneous(fi, &nums, &den, &rows_f);
            assert_eq!(got, want, "net {t} facet {fi}");
            let (x, l) = fhs.simplify_facet_point_over(fi, &FacetPoint::Over(nums, den), &rows_f);
            assert_eq!(reduced(x, &l), want, "net {t} facet {fi} (over)");
            assert_eq!(dot(&fhs.a[fi], &got), fhs.b[fi]);
            let slack = fhs.scaled_slacks(&got).0;
            assert!(slack.iter().enumerate().all(|(i, v)| i == fi || v.is_positive()));
            total += 1;
            deep += usize::from(got.iter().any(|v| v.denom().bits() > 8));
            limit += usize::from(&got == p && got.iter().any(|v| v.denom().bits() > 1));
        }
    }
    assert!(total > 600 && deep > 50 && limit > 0, "{total} points, {deep} deep, {limit} at the limit");
}

#[test]
fn grid_facet_points_round_as_the_reduced_ones() {
    // Facets in d = 3, 4 of random polytopes with thin slivers (deep refinement): every
    // certified float guess (a `Grid` point), and the same point with its grid refined
    // 4 bits (every r_i even: the refinement limit comes from the gcds), rounds to the
    // point simplify_on_facet_with gives for the reduced point.
    let mut rng = crate::network::random::SplitMix64(17);
    let (mut grids, mut deep) = (0, 0);
    for t in 0..200u32 {
        let d = 3 + (t % 2) as usize;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
        for j in 0..d {
            rows.push((unit(d, j), qi(4), Source::Domain(2 * j)));
            rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(4), Source::Domain(2 * j + 1)));
        }
        let a: Vec<Q> = (0..d).map(|_| qi(1 + rng.small_int(9).abs())).collect();
        let w = Q::new(Z::one(), Z::one() << (t % 30));
        rows.push((a.clone(), qi(1) + &w, Source::Domain(50)));
        rows.push((a.iter().map(|v| -v).collect(), qi(-1), Source::Domain(51)));
        for i in 0..(t % 4) {
            let r: Vec<Q> = (0..d).map(|_| qi(rng.small_int(20))).collect();
            rows.push((r, qi(10 + rng.small_int(5).abs()), Source::Domain(60 + i as usize)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let Interior::Point(inner) = h.interior_point(d) else { continue };
        let inner = h.simplify_interior(&inner);
        let found = h.facet_points(&inner);
        let idx: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
        let fhs = h.subset(&idx);
        let rows_f = fhs.float_rows_ab();
        for (fi, (_, p)) in found.iter().enumerate() {
            let FacetPoint::Grid { r, bits, .. } = p else { continue };
            let want = fhs.simplify_on_facet_with(fi, &p.clone().reduced(), &rows_f);
            let round = |p: &FacetPoint| {
                let (x, l) = fhs.simplify_facet_point_over(fi, p, &rows_f);
                reduced(x, &l)
            };
            assert_eq!(round(p), want, "net {t} facet {fi}");
            let j = Halfspaces::solve_axis(&fhs.a[fi]);
            let finer: Vec<Z> = r.iter().map(|v| v << 4).collect();
            let (x, l) = fhs.on_hyperplane(fi, j, bits + 4, finer.iter().cloned());
            let refined = FacetPoint::Grid { r: finer, bits: bits + 4, x, l };
            assert_eq!(round(&refined), want, "net {t} facet {fi} refined");
            grids += 1;
            deep += usize::from(want.iter().any(|v| v.denom().bits() > 8));
        }
    }
    assert!(grids > 300 && deep > 20, "{grids} grid points, {deep} deep");
}

#[test]
fn rounding_to_a_grid_by_shifts_equals_the_division() {
    let mut rng = crate::network::random::SplitMix64(5);
    for t in 0..3000u64 {
        let n = Z::from(rng.small_int(1 << 40)) * (Z::one() << (t % 70) as usize) + rng.small_int(1000);
        let e = (t % 90) as usize;
        let d = if t % 3 == 0 { Z::from(1 + rng.next_u64() % 1000) << e } else { Z::one() << e };
        let bits = (rng.next_u64() % 100) as usize;
        // Halves up: floor((2·n·2^bits + d) / (2·d)).
        let want = ((&n << (bits + 1)) + &d).div_floor(&(&d * 2));
        assert_eq!(round_to_grid(&n, &d, bits), want, "{n} / {d} at {bits}");
    }
    // Exact halves round up, negative ones too.
    assert_eq!(round_to_grid(&Z::from(-3), &Z::from(2), 0), Z::from(-1));
    assert_eq!(round_to_grid(&Z::from(3), &Z::from(2), 0), Z::from(2));
    assert_eq!(round_to_grid(&Z::from(-5), &Z::from(8), 1), Z::from(-1));
}

#[test]
fn filtered_dyadic_scale_equals_the_integers() {
    // Random rows (entries up to 2^40) and interior points with denominators of every
    // size (slacks from tiny to large, scales k from 0 to ~60): the float-decided scale
    // gives the same point as the integers, and it decides most cases.
    let mut rng = crate::network::random::SplitMix64(44);
    let (mut decided, mut total) = (0, 0);
    for t in 0..400 {
        let d = 2 + t % 3;
        let big = 1i64 << (t % 40);
        let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
        for j in 0..d {
            rows.push((unit(d, j), qi(1 + rng.small_int(5).abs()), Source::Domain(2 * j)));
            rows.push((
                unit(d, j).iter().map(|v| -v).collect(),
                qi(1 + rng.small_int(5).abs()),
                Source::Domain(2 * j + 1),
            ));
        }
        for i in 0..(t % 4) {
            let a: Vec<Q> =
                (0..d).map(|_| qi(rng.small_int(big.min(1 << 20)) * (big >> 20).max(1))).collect();
            rows.push((a, qi(big + rng.small_int(big)), Source::Domain(100 + i)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let Interior::Point(c) = h.interior_point(d) else { continue };
        // Move the point towards a facet by a random dyadic-ish factor: small slacks.
        let shrink = Q::new(Z::from(1), Z::from(1u64 << (t % 50)) + Z::from(rng.next_u64() % 7));
        let towards: Vec<Q> = (0..d).map(|j| if j == 0 { Q::one() - &shrink } else { Q::zero() }).collect();
        let lim =
            (0..d).map(|j| if j == 0 { &c[0] + (Q::one() - &c[0]) * &towards[0] } else { c[j].clone() });
        let p: Vec<Q> = lim.collect();
        for point in [c, p] {
            if !h.slacks(&point).iter().all(|s| s.is_positive()) {
                continue;
            }
            total += 1;
            let (xs, den) = common_denominator(&point);
            decided += usize::from(h.dyadic_scale_filtered(&xs, &den).is_some());
            let exact = h.simplify_interior_exact(&point);
            assert_eq!(h.simplify_interior(&point), exact, "{:?} {point:?}", h.a);
            // The same point over a larger, unreduced denominator.
            let m = Z::from(3 + rng.next_u64() % 1000);
            let scaled: Vec<Z> = xs.iter().map(|x| x * &m).collect();
            assert_eq!(h.simplify_interior_homogeneous(&scaled, &(&den * &m)), exact, "{point:?} x{m}");
        }
    }
    assert!(total > 300 && decided * 10 > total * 8, "{decided} of {total} decided");
    // Slacks just beside a power of two (1/rho = 2^j·(1 ± 2^-40)): where floats cannot
    // tell the bucket, the integers must.
    let Grouped::Rows(h) = group_rows(
        (0..2)
            .flat_map(|j| {
                [
                    (unit(2, j), qi(1), Source::Domain(2 * j)),
                    (unit(2, j).iter().map(|v| -v).collect::<Vec<Q>>(), qi(1), Source::Domain(2 * j + 1)),
                ]
            })
            .collect::<Vec<(Vec<Q>, Q, Source)>>(),
    ) else {
        panic!("a box")
    };
    for j in 1..50usize {
        for side in [-1i64, 1] {
            let eps = Q::new(Z::from(1), Z::from(1) << 40usize) * Q::from_integer(Z::from(side));
            let slack = Q::new(Z::from(1), Z::from(1) << j) * (Q::one() + eps);
            let point = vec![Q::one() - slack, Q::zero()];
            assert_eq!(h.simplify_interior(&point), h.simplify_interior_exact(&point), "j {j} side {side}");
        }
    }
}

#[test]
fn centres_are_the_optimal_centres_nearest_the_origin() {
    // Boxes with uneven sides (long in some direction: many L-inf centres), cut by random
    // rows, and a few random rows alone (often unbounded): the reported L-inf and L2
    // centres and the unit-cube centre are optimal and equal the nearest point of the
    // optimal set computed by the exact active-set method (no float guess).
    let mut rng = crate::network::random::SplitMix64(91);
    let (mut several, mut unit_cubes) = (0, 0);
    for t in 0..200 {
        let d = 2 + t % 3;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
        if t % 4 != 3 {
            for j in 0..d {
                let half = 1 + rng.small_int(3).abs() * (1 + (j % 2) as i64);
                rows.push((unit(d, j), qi(half + t as i64 % 3), Source::Domain(2 * j)));
                rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(half), Source::Domain(2 * j + 1)));
            }
        }
        for i in 0..(1 + t % 4) {
            let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
            rows.push((a, qi(2 + rng.small_int(2).abs()), Source::Domain(100 + i)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        if !matches!(h.interior_point(d), Interior::Point(_)) {
            continue;
        }
        let exact_nearest = |w: &[Q], r: &Q| {
            let (rows, hn): (Vec<Vec<Z>>, Vec<Q>) =
                h.a.iter()
                    .zip(&h.b)
                    .zip(w)
                    .map(|((a, b), wi)| (a.iter().map(|v| v.numer().clone()).collect(), b - wi * r))
                    .collect();
            let (hn, l) = common_denominator(&hn);
            crate::lp::nearest::nearest_exact(d, &rows, &hn, &l).expect("the optimal set is not empty")
        };
        let l1: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
        // Balls of every size fit exactly when cubes of every size do (the walk skips
        // the L2 LP when the L-inf one is unbounded).
        let l2 = h.l2_insphere(d, 6);
        assert_eq!(
            matches!(l2, Insphere::Unbounded),
            matches!(h.linf_insphere(d), LinfInsphere::Unbounded),
            "{:?}",
            h.a
        );
        match h.linf_insphere(d) {
            LinfInsphere::Finite { center, radius } => {
                let best = h.max_radius_exact(d, &l1).expect("finite").1;
                assert_eq!(radius, best);
                assert_eq!(center, exact_nearest(&l1, &radius), "{:?}", h.a);
                several += usize::from(h.max_radius_guided(d, &l1).is_none());
            }
            LinfInsphere::Unbounded => {
                let c = h.unit_cube_center(d).expect("cubes of radius 1 fit");
                assert_eq!(c, exact_nearest(&l1, &Q::one()), "{:?}", h.a);
                assert!(h.slacks(&c).iter().zip(&l1).all(|(s, n)| s >= n));
                unit_cubes += 1;
            }
        }
        if let Insphere::Finite { center, radius_lower, .. } = l2 {
            let bits = (6f64 * std::f64::consts::LOG2_10).ceil() as u32 + 8;
            let hi: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), bits).1).collect();
            if h.l2_bounds(d, bits).is_some_and(|(_, lower, _)| lower == radius_lower) {
                assert_eq!(center, exact_nearest(&hi, &radius_lower), "{:?}", h.a);
            }
        }
    }
    assert!(several > 30 && unit_cubes > 20, "{several} with several centres, {unit_cubes} unit cubes");
}

#[test]
fn guided_radius_lp_equals_the_exact_simplex_when_it_answers() {
    // Random polytopes (boxes with cut corners: rectangles have non-unique centres) in
    // 2-4 dimensions, both norms: a guided answer must be the simplex's, exactly.
    let mut rng = crate::network::random::SplitMix64(77);
    let (mut guided, mut declined) = (0, 0);
    let (mut values, mut values_not_unique, mut rejected) = (0, 0, 0);
    for t in 0..240 {
        let d = 2 + t % 3;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = Vec::new();
        for j in 0..d {
            let half = 1 + rng.small_int(3).abs() * (1 + (t % 2) as i64);
            rows.push((unit(d, j), qi(half), Source::Domain(2 * j)));
            rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(half), Source::Domain(2 * j + 1)));
        }
        for i in 0..(t % 5) {
            let a: Vec<Q> = (0..d).map(|_| qi(rng.small_int(3))).collect();
            rows.push((a, qi(1 + rng.small_int(2).abs()), Source::Domain(100 + i)));
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        if !matches!(h.interior_point(d), Interior::Point(_)) {
            continue;
        }
        let l1: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
        let l2: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), 40).1).collect();
        for w in [l1, l2] {
            let (a, b) = h.weighted_rows(d, &w);
            let exact = match maximize(&unit(d + 1, d), &a, &b) {
                LpOutcome::Optimal { mut x, value, .. } => {
                    x.truncate(d);
                    (x, value)
                }
                o => panic!("{o:?}"),
            };
            match h.max_radius_guided(d, &w) {
                Some(g) => {
                    assert_eq!(g, exact, "{:?}", h.a);
                    guided += 1;
                }
                None => declined += 1,
            }
            // Without the centre, zero multipliers are accepted: the value is the
            // optimum's, also where the centre is not unique.
            if let FloatLp::Vertex(basis) = h.radius_guess(d, &w, None)
                && let Some((centre, r)) = h.certify_radius(d, &w, &basis, false)
            {
                assert!(centre.is_empty());
                assert_eq!(r, exact.1, "{:?}", h.a);
                values += 1;
                values_not_unique += usize::from(h.max_radius_guided(d, &w).is_none());
            }
            // Any other d + 1 rows: certified only if they give the optimum too.
            for _ in 0..4 {
                let mut basis: Vec<usize> = (0..h.len()).collect();
                for i in (1..basis.len()).rev() {
                    basis.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
                }
                basis.truncate(d + 1);
                match h.certify_radius(d, &w, &basis, false) {
                    Some((_, r)) => assert_eq!(r, exact.1, "{:?} {basis:?}", h.a),
                    None => rejected += 1,
                }
            }
        }
    }
    assert!(guided > 100 && declined > 20, "{guided} guided, {declined} declined");
    assert!(values > guided && values_not_unique > 20, "{values} values, {values_not_unique} not unique");
    assert!(rejected > 500, "{rejected} random bases rejected");
}

#[test]
fn small_determinants_agree_with_bareiss() {
    // Orders 1-5 take the cofactor formulas; compare with the elimination (also on an
    // order n + 1 block with a unit diagonal entry: the same determinant as its minor).
    let mut rng = crate::network::random::SplitMix64(5);
    for t in 0..500 {
        let n = 1 + t % 5;
        let m: Vec<Vec<Z>> =
            (0..n).map(|_| (0..n).map(|_| Z::from(rng.small_int(50)) << (t % 90)).collect()).collect();
        let mut big = vec![vec![Z::zero(); n + 1]; n + 1];
        big[0][0] = Z::one();
        for i in 0..n {
            for j in 0..n {
                big[i + 1][j + 1] = m[i][j].clone();
            }
        }
        // Hide the unit entry behind a row swap so elimination must pivot.
        big.swap(0, n);
        let sign = -1; // one row swap
        let d = det_int(m.clone());
        assert_eq!(det_bareiss(m.clone()), d, "{m:?}");
        if n >= 3 {
            assert_eq!(det_int(big.clone()) * sign, d, "{m:?}");
            assert_eq!(det_bareiss(big) * sign, d, "{m:?}");
        }
        let q: Vec<Vec<Q>> = m.iter().map(|r| r.iter().cloned().map(Q::from_integer).collect()).collect();
        assert_eq!(d.is_zero(), rank(&q) < n, "{m:?}");
    }
    assert_eq!(det_int(vec![vec![Z::from(2), Z::from(3)], vec![Z::from(5), Z::from(7)]]), Z::from(-1));
    let m = |v: &[&[i64]]| v.iter().map(|r| r.iter().map(|&x| Z::from(x)).collect()).collect::<Vec<Vec<Z>>>();
    assert_eq!(det_int(m(&[&[2, 1], &[1, 3]])), Z::from(5));
    assert_eq!(det_int(m(&[&[0, 1, 0], &[1, 0, 0], &[0, 0, 4]])), Z::from(-4));
    assert_eq!(det_int(m(&[&[1, 2], &[2, 4]])), Z::zero());
    assert_eq!(det_int(vec![]), Z::one());
}

#[test]
fn shared_minors_agree_with_each_minor_by_elimination() {
    // Orders 1-9 (9: past the masks, minor by minor), random and rank-deficient
    // matrices, entries below and above 64 bits and near i64::MAX (256-bit overflow),
    // minors asked in a scrambled order so the memo is filled both ways.
    let mut rng = crate::network::random::SplitMix64(11);
    for trial in 0..120 {
        let n = 1 + trial % 9;
        let mut m: Vec<Vec<Z>> =
            (0..n).map(|_| (0..n).map(|_| Z::from(rng.small_int(9)) << (trial % 70)).collect()).collect();
        if trial % 3 == 0 && n >= 3 {
            m[1] = m[0].iter().map(|v| v * 2).collect(); // rank deficient
        }
        if trial % 4 == 1 {
            m[0][n - 1] = Z::zero(); // a zero the expansion skips
        }
        if trial % 5 == 2 {
            // Entries near i64::MAX: the 256-bit path overflows from order 5 and the
            // matrix goes back to BigInt midway.
            for row in m.iter_mut() {
                for v in row.iter_mut() {
                    *v = Z::from(i64::MAX - rng.small_int(1000).abs())
                        * if rng.small_int(1) < 0 { -1 } else { 1 };
                }
            }
        }
        let mut minors = Minors::new(&m);
        let mut order: Vec<(usize, usize)> = (0..n).flat_map(|t| (0..n).map(move |c| (t, c))).collect();
        order.reverse();
        order.rotate_left(trial % (n * n));
        for (t, c) in order {
            let sub: Vec<Vec<Z>> = (0..n)
                .filter(|&i| i != t)
                .map(|i| (0..n).filter(|&j| j != c).map(|j| m[i][j].clone()).collect())
                .collect();
            let expected = if n == 1 { Z::one() } else { det_bareiss(sub) };
            assert_eq!(minors.get(t, c), expected, "n {n} t {t} c {c} {m:?}");
        }
    }
}

#[test]
fn guided_bounds_equal_the_simplex_bounds() {
    // Few random rows (often unbounded in some directions) and boxes with cuts: the
    // certified float vertices and rays give exactly the simplex's bounds.
    let mut rng = crate::network::random::SplitMix64(33);
    let (mut rays, mut finite) = (0, 0);
    for t in 0..200 {
        let d = 2 + t % 3;
        let mut rows: Vec<(Vec<Q>, Q, Source)> = (0..1 + t % (2 * d))
            .map(|i| {
                (
                    (0..d).map(|_| qi(rng.small_int(4))).collect(),
                    qi(1 + rng.small_int(3).abs()),
                    Source::Domain(i),
                )
            })
            .collect();
        if t % 3 == 0 {
            for j in 0..d {
                rows.push((unit(d, j), qi(2), Source::Domain(50 + j)));
                rows.push((unit(d, j).iter().map(|v| -v).collect(), qi(3), Source::Domain(60 + j)));
            }
        }
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let Interior::Point(c) = h.interior_point(d) else { continue };
        let inner_f: Vec<f64> = c.iter().map(filter::guess).collect();
        let (lo, hi) = h.bounds_guided(d, &inner_f);
        assert_eq!((lo.clone(), hi.clone()), h.bounds(d), "{:?}", h.a);
        // A ray is never certified where the LP is bounded, whatever the active rows.
        let rows = h.int_rows();
        for j in 0..d {
            for (sign, value) in [(1i64, &hi[j]), (-1, &lo[j])] {
                if value.is_some() {
                    let c: Vec<Z> = (0..d).map(|t| Z::from(if t == j { sign } else { 0 })).collect();
                    let w: Vec<usize> =
                        (0..h.len()).filter(|_| rng.next_u64() % 3 == 0).take(d - 1).collect();
                    assert!(exact_ray(&rows, &[], &c).is_none() && exact_ray(&rows, &w, &c).is_none());
                }
            }
        }
        rays += lo.iter().chain(&hi).filter(|v| v.is_none()).count();
        finite += lo.iter().chain(&hi).filter(|v| v.is_some()).count();
    }
    assert!(rays > 100 && finite > 100, "{rays} unbounded, {finite} finite");
}

#[test]
fn unbounded_radius_certificates_are_exact() {
    // Few random rows (often an unbounded radius LP): a certified float ray must mean
    // the exact simplex finds the LP unbounded; random rays never certify a bounded LP.
    let mut rng = crate::network::random::SplitMix64(91);
    let (mut certified, mut bounded_checked) = (0, 0);
    for t in 0..300 {
        let d = 2 + t % 3;
        let rows: Vec<(Vec<Q>, Q, Source)> = (0..1 + t % (d + 2))
            .map(|i| {
                (
                    (0..d).map(|_| qi(rng.small_int(4))).collect(),
                    qi(1 + rng.small_int(3).abs()),
                    Source::Domain(i),
                )
            })
            .collect();
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let l2: Vec<Q> = h.a.iter().map(|r| sqrt_bounds(&norm2_sq(r), 40).1).collect();
        let (a, b) = h.weighted_rows(d, &l2);
        let exact = maximize(&unit(d + 1, d), &a, &b);
        if let FloatLp::Ray(p, _) = h.radius_guess(d, &l2, None)
            && h.certify_unbounded_radius(&p)
        {
            assert_eq!(exact, LpOutcome::Unbounded, "{:?}", h.a);
            certified += 1;
        }
        if exact != LpOutcome::Unbounded {
            for _ in 0..20 {
                let p: Vec<f64> = (0..=d).map(|_| rng.normal()).collect();
                assert!(!h.certify_unbounded_radius(&p), "{:?} {p:?}", h.a);
                bounded_checked += 1;
            }
        }
    }
    assert!(certified > 60 && bounded_checked > 500, "{certified} certified, {bounded_checked} checked");
}

#[test]
fn boundedness_agrees_with_one_lp_per_direction() {
    // Oracle: maximise ±y_j over {A y <= 0, |y_j| <= 1}; bounded iff every optimum is 0.
    let oracle = |h: &Halfspaces, d: usize| {
        let mut a = h.a.clone();
        let mut b = vec![Q::zero(); h.len()];
        for j in 0..d {
            a.push(unit(d, j));
            a.push(unit(d, j).iter().map(|v| -v).collect());
            b.extend([Q::one(), Q::one()]);
        }
        (0..d).all(|j| {
            [1, -1].iter().all(|&s| {
                let mut c = vec![Q::zero(); d];
                c[j] = qi(s);
                !maximize(&c, &a, &b).value().expect("bounded LP").is_positive()
            })
        })
    };
    let mut rng = crate::network::random::SplitMix64(4);
    let (mut bounded, mut unbounded, mut told_count) = (0, 0, 0);
    for t in 0..300 {
        let d = 2 + t % 2;
        let m = 1 + (t % 7);
        let rows: Vec<(Vec<Q>, Q, Source)> = (0..m)
            .map(|i| ((0..d).map(|_| qi(rng.small_int(2))).collect(), qi(1), Source::Domain(i)))
            .collect();
        let Grouped::Rows(h) = group_rows(rows) else { continue };
        let want = oracle(&h, d);
        assert_eq!(h.is_bounded(d), want, "{:?}", h.a);
        // What the L-inf insphere tells (when it tells) agrees too.
        if let (_, Some(told)) = h.linf_insphere_bounded(d) {
            assert_eq!(told, want, "{:?}", h.a);
            told_count += 1;
        }
        if want { bounded += 1 } else { unbounded += 1 }
    }
    assert!(bounded > 20 && unbounded > 20, "{bounded} bounded, {unbounded} unbounded");
    assert!(told_count > 100, "{told_count} told");
    assert_eq!(rank(&[vec![qi(1), qi(2)], vec![qi(2), qi(4)]]), 1);
    assert_eq!(rank(&[vec![qi(0), qi(0)], vec![qi(0), qi(3)], vec![qi(1), qi(0)]]), 2);
}

#[test]
fn interior_outcomes() {
    let flat = hs(&[(&[1, 0], 0), (&[-1, 0], 0), (&[0, 1], 1), (&[0, -1], 1)]);
    assert_eq!(flat.interior_point(2), Interior::LowerDimensional);
    let empty = hs(&[(&[1, 0], -1), (&[-1, 0], -1)]);
    assert_eq!(empty.interior_point(2), Interior::Empty);
    assert!(matches!(group_rows([(vec![qi(0)], qi(-1), Source::Domain(0))]), Grouped::Empty));
}

#[test]
fn unbounded_regions() {
    let wedge = hs(&[(&[-1, 0], 0), (&[0, -1], 0)]);
    assert!(!wedge.is_bounded(2));
    assert_eq!(wedge.l2_insphere(2, 30), Insphere::Unbounded);
    assert_eq!(wedge.linf_insphere(2), LinfInsphere::Unbounded);
    let strip = hs(&[(&[1, 0], 1), (&[-1, 0], 1)]);
    assert!(!strip.is_bounded(2));
    assert!(matches!(strip.linf_insphere(2), LinfInsphere::Finite { .. }));
    let Interior::Point(c) = strip.interior_point(2) else { panic!() };
    assert_eq!(strip.facets(&c).len(), 2);
}

/// A face of optimal centres: in the box [0,4]x[0,1] (one row given scaled by 3) every
/// centre (x, 1/2) with 1/2 <= x <= 7/2 holds the largest cube. The two rows of y give the
/// multipliers, the radius 1/2 and the centre nearest the origin (1/2, 1/2), as the exact
/// simplex and `nearest_center` do; rows that do not carry the optimum are refused.
#[test]
fn a_face_of_optimal_centres_is_certified() {
    let h = hs(&[(&[-1, 0], 0), (&[1, 0], 4), (&[0, -3], 0), (&[0, 1], 1)]);
    let w: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
    let rows_of = |want: &[(i64, i64)]| -> Vec<usize> {
        let mut idx: Vec<usize> = want
            .iter()
            .map(|&(a0, a1)| h.a.iter().position(|r| r[0] == qi(a0) && r[1] == qi(a1)).unwrap())
            .collect();
        idx.sort_unstable();
        idx
    };
    let (r, c) = h.certify_face(2, &w, &rows_of(&[(0, -1), (0, 1)])).expect("certified");
    assert_eq!(r, Q::new(1.into(), 2.into()));
    assert_eq!(c, vec![Q::new(1.into(), 2.into()), Q::new(1.into(), 2.into())]);
    let exact = h.max_radius_exact(2, &w).unwrap().1;
    assert_eq!(r, exact);
    assert_eq!(c, h.nearest_center(2, &w, &exact));
    // The x rows alone cannot make Σ y_i a_i vanish with weight 1 on y: refused.
    assert!(h.certify_face(2, &w, &rows_of(&[(-1, 0), (0, 1)])).is_none());
}

/// A vertex the float method takes for a face: in `{x <= 1, -K x + y <= K, -10 <= y <= 10}`
/// with `K = 10^11` the two rows of x leave the radius a direction (down in y) along which it
/// grows by only `~1/K` per unit, below the method's tolerance, so it stops there (too few
/// rows for a vertex). The face's multipliers do not exist (the x rows alone cannot carry the
/// radius), and the row met along that direction, `y >= -10`, completes the optimal vertex:
/// the radius equals the exact simplex's, without it.
#[test]
fn a_vertex_taken_for_a_face_is_completed_by_the_blocking_row() {
    let k: i64 = 100_000_000_000;
    let h = hs(&[(&[1, 0], 1), (&[-k, 1], k), (&[0, -1], 10), (&[0, 1], 10)]);
    let w: Vec<Q> = h.a.iter().map(|r| norm1(r)).collect();
    let crate::lp::guided::FloatLp::Face(rows, Some(exit)) = h.radius_guess(2, &w, None) else {
        panic!("the float method should stop on the two x rows")
    };
    assert!(h.certify_face(2, &w, &rows).is_none());
    let y_low = h.a.iter().position(|r| r[1] == qi(-1)).unwrap();
    assert_eq!(exit, y_low);
    let exact = h.max_radius_exact(2, &w).unwrap().1;
    let (told, unique) = h.max_radius_told(2, &w, None);
    let (_, r) = told.expect("bounded");
    assert_eq!(r, exact);
    assert!(unique);
    assert!(r > Q::new(1.into(), 2.into()), "the radius grew past the face's point: {r}");
}
