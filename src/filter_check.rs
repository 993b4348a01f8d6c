//! Exact checks of the float filters ([`crate::arith::filter`]) on inputs decoded from bytes, shared
//! by the property tests (`tests/filters.rs`, seeded bytes) and the cargo-fuzz targets
//! (`fuzz/fuzz_targets/`, libFuzzer's bytes). Each check runs one filter and the exact
//! computation (BigInt / rationals) and panics if the filter decided a sign the exact
//! arithmetic does not give, or if a stated error bound `|v - v̂| <= e` does not hold.
//!
//! The decoders span the whole `f64` range on purpose: subnormals, values next to the
//! overflow threshold, integers of 1,000-10,000 bits (whose conversion is infinite),
//! rounding ties, and near-ties built by construction (a point a tiny offset off a line, a
//! sum that cancels up to a tiny rest, a nearly singular matrix).

use crate::arith::filter::{self, Approx};
use crate::arith::num::{Q, Z};
use num_bigint::Sign;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// A reader of fuzz bytes; past the end it reads zeros (every input decodes).
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |acc, i| acc | (u64::from(self.byte()) << (8 * i)))
    }

    /// An integer over the whole range: small, 64-bit, next to powers of two (around 2^1024
    /// too), runs of ones (rounding ties, sticky bits), random up to 10,240 bits.
    pub fn int(&mut self) -> Z {
        let sel = self.byte();
        let negative = sel & 0x80 != 0;
        let k = |s: &mut Self| usize::from(s.byte()) * 5 % 1110;
        let z = match sel % 8 {
            0 => Z::from(self.byte() % 16),
            1 => Z::from(self.u64()),
            2 => (Z::one() << k(self)) + Z::from(self.byte() as i8),
            3 => {
                let limbs = 1 + usize::from(self.byte()) % 160;
                (0..limbs).fold(Z::zero(), |acc, _| (acc << 64) + Z::from(self.u64()))
            }
            4 => {
                let ones = 1 + usize::from(self.byte()) % 200;
                ((Z::one() << ones) - 1) << usize::from(self.byte())
            }
            5 => {
                let t = k(self) + 60;
                (Z::one() << t) + (Z::one() << (t - 53)) + Z::from(self.byte() % 3) - 1
            }
            6 => Z::from(self.u64()) << k(self),
            _ => (Z::from(self.u64()) * Z::from(self.u64())) << usize::from(self.byte() % 128),
        };
        if negative { -z } else { z }
    }

    /// A non-zero positive integer.
    pub fn pos_int(&mut self) -> Z {
        let z = self.int().abs();
        if z.is_zero() { Z::one() } else { z }
    }

    /// A finite float over the whole range: any bit pattern, subnormals, next to `f64::MAX`,
    /// powers of two from `2^-1074` to `2^1023`, small integers, zeros.
    pub fn float(&mut self) -> f64 {
        let sel = self.byte();
        let x = match sel % 8 {
            0 => f64::from_bits(self.u64()),
            1 => f64::from_bits(self.u64() & ((1u64 << 52) - 1)), // subnormal (or zero)
            2 => f64::from_bits(f64::MAX.to_bits() - u64::from(self.byte())),
            3 => f64::from(self.byte() as i8),
            4 => {
                // 2^e for e in -1074..=1023.
                let e = (i64::from(self.byte()) * 256 + i64::from(self.byte())) % 2098 - 1074;
                if e >= -1022 {
                    f64::from_bits(((e + 1023) as u64) << 52)
                } else {
                    f64::from_bits(1u64 << (e + 1074))
                }
            }
            5 => filter::z_to_f64(&self.int()),
            6 => 0.0,
            _ => f64::from_bits((u64::from(self.byte()) * 8 % 2047) << 52 | (self.u64() >> 12)),
        };
        let x = if x.is_finite() { x } else { 1.0 };
        if sel & 0x80 != 0 { -x } else { x }
    }

    /// An exact rational: a float's exact value, an integer, a quotient of integers, or a
    /// float plus a tiny offset (a near-tie with the float).
    pub fn rational(&mut self) -> Q {
        match self.byte() % 4 {
            0 => exact(self.float()),
            1 => Q::from_integer(self.int()),
            2 => Q::new(self.int(), self.pos_int()),
            _ => {
                let base = exact(self.float());
                let off = Q::new(self.int(), self.pos_int() << (usize::from(self.byte()) * 4));
                base + off
            }
        }
    }

    /// An approximation of `x` as the filters receive one: `v` the nearest float or one a
    /// few units away, `e >= |x - v|` (sometimes widened), or the converted-integer form
    /// of [`Approx::of`] when `x` is an integer.
    pub fn approx_of(&mut self, x: &Q) -> Approx {
        let sel = self.byte();
        if sel.is_multiple_of(4) && x.is_integer() {
            return Approx::of(x.numer());
        }
        let mut v = x.to_f64().unwrap_or(f64::NAN);
        if !v.is_finite() {
            return Approx { v: f64::INFINITY, e: f64::INFINITY };
        }
        for _ in 0..(sel / 4) % 3 {
            v = if sel & 0x80 != 0 { v.next_up() } else { v.next_down() };
        }
        if !v.is_finite() {
            return Approx { v, e: f64::INFINITY };
        }
        let mut e = upper(&(x - exact(v)).abs());
        if sel % 4 == 1 {
            e = (e * 3.0).next_up();
        }
        Approx { v, e }
    }

    /// A rational and an approximation of it.
    pub fn approx(&mut self) -> (Q, Approx) {
        let x = self.rational();
        let a = self.approx_of(&x);
        (x, a)
    }
}

/// The exact value of a finite float.
pub fn exact(x: f64) -> Q {
    Q::from_float(x).expect("finite")
}

/// The least float `>=` the non-negative rational `q` (infinite past the range).
pub fn upper(q: &Q) -> f64 {
    let mut f = q.to_f64().unwrap_or(f64::INFINITY);
    if f.is_nan() {
        f = f64::INFINITY;
    }
    while f.is_finite() && exact(f) < *q {
        f = f.next_up();
    }
    f
}

fn sign_of(q: &Q) -> i8 {
    match q.numer().sign() {
        Sign::Minus => -1,
        Sign::NoSign => 0,
        Sign::Plus => 1,
    }
}

/// `|x - v̂| <= e` whenever both are finite, and a decided sign is the exact one.
pub fn check_bound(what: &str, x: &Q, a: Approx) {
    if let Some(s) = a.sign() {
        assert_eq!(s, sign_of(x), "{what}: sign {s} of {a:?}, exact {x}");
    }
    if a.v.is_finite() && a.e.is_finite() {
        assert!((x - exact(a.v)).abs() <= exact(a.e), "{what}: {x} outside {a:?}");
    }
}

fn check_order(what: &str, got: Option<Ordering>, want: Ordering) {
    if let Some(o) = got {
        assert_eq!(o, want, "{what}");
    }
}

/// The filter a fuzz input exercises, by its first byte.
pub fn check_any(data: &[u8]) {
    let mut b = Bytes::new(data);
    match b.byte() % 10 {
        0 => check_ratio(&mut b),
        1 => check_quotient(&mut b),
        2 => check_compare(&mut b),
        3 => check_orient2d(&mut b),
        4 => check_dot(&mut b),
        5 => check_dot_converted(&mut b),
        6 => check_det(&mut b),
        7 => check_dot_ints(&mut b),
        8 => check_arith(&mut b),
        _ => check_conversion(&mut b),
    }
}

/// [`filter::ratio`]: the quotient of two approximations.
pub fn check_ratio(b: &mut Bytes) {
    let (xn, an) = b.approx();
    let (xd, ad) = b.approx();
    if let Some(r) = filter::ratio(an, ad) {
        assert!(!xd.is_zero(), "ratio decided a zero denominator: {ad:?}");
        check_bound("ratio", &(xn / xd), r);
    }
}

/// [`filter::quotient`]: `n / w` of integers of any size.
pub fn check_quotient(b: &mut Bytes) {
    let (n, w) = (b.int(), b.pos_int());
    check_bound("quotient", &Q::new(n.clone(), w.clone()), filter::quotient(&n, &w));
}

/// [`filter::compare`], half the time of two values a tiny offset apart.
pub fn check_compare(b: &mut Bytes) {
    let (xa, a) = b.approx();
    let xb = if b.byte().is_multiple_of(2) {
        b.rational()
    } else {
        &xa + Q::new(b.int(), b.pos_int() << 400usize)
    };
    let bb = b.approx_of(&xb);
    check_order("compare", filter::compare(a, bb), xa.cmp(&xb));
}

/// [`filter::orient2d`], half the time with `r` a tiny offset off the line `pq`.
pub fn check_orient2d(b: &mut Bytes) {
    let p = [b.rational(), b.rational()];
    let q = [b.rational(), b.rational()];
    let r = if b.byte().is_multiple_of(2) {
        [b.rational(), b.rational()]
    } else {
        let t = Q::new(b.int(), b.pos_int());
        let off = Q::new(b.int(), b.pos_int() << (usize::from(b.byte()) * 4));
        [&p[0] + &t * (&q[0] - &p[0]) + &off, &p[1] + &t * (&q[1] - &p[1])]
    };
    // A third of the time all in the range where the products are subnormal.
    let (p, q, r) = if b.byte().is_multiple_of(3) {
        let tiny = Q::new(Z::one(), Z::one() << (480 + usize::from(b.byte()) % 90));
        let s = |v: [Q; 2]| [&v[0] * &tiny, &v[1] * &tiny];
        (s(p), s(q), s(r))
    } else {
        (p, q, r)
    };
    let det = (&q[0] - &p[0]) * (&r[1] - &p[1]) - (&q[1] - &p[1]) * (&r[0] - &p[0]);
    let ap = [b.approx_of(&p[0]), b.approx_of(&p[1])];
    let aq = [b.approx_of(&q[0]), b.approx_of(&q[1])];
    let ar = [b.approx_of(&r[0]), b.approx_of(&r[1])];
    let got = filter::orient2d(ap, aq, ar);
    assert_ne!(got, Some(Ordering::Equal), "orient2d never says Equal");
    check_order("orient2d", got, det.numer().sign().cmp(&Sign::NoSign));
}

/// [`filter::dot`] and [`filter::dot_approx`]: converted integer rows against
/// approximations, half the time with a constant that cancels the sum up to a small rest.
pub fn check_dot(b: &mut Bytes) {
    let n = 1 + usize::from(b.byte()) % 8;
    let w: Vec<Z> = (0..n).map(|_| b.int()).collect();
    let xs: Vec<(Q, Approx)> = (0..n).map(|_| b.approx()).collect();
    let sum: Q = w.iter().zip(&xs).map(|(w, (x, _))| Q::from_integer(w.clone()) * x).sum();
    let (bias, scale) = if b.byte().is_multiple_of(2) {
        (-sum.floor().to_integer() + Z::from(b.byte() % 3) - 1, Z::one())
    } else {
        (b.int(), b.pos_int())
    };
    let row: Vec<f64> = w.iter().map(filter::z_to_f64).collect();
    let h: Vec<Approx> = xs.iter().map(|(_, a)| *a).collect();
    let c = filter::z_to_f64(&bias) * filter::z_to_f64(&scale);
    let exact_c = Q::from_integer(&bias * &scale);
    check_bound("dot", &(&sum + exact_c), filter::dot(&row, &h, 1, 0, c));
    check_bound("dot_approx", &sum, filter::dot_approx(&row, &h));
}

/// [`filter::dot_converted`]: integers on both sides, half the time cancelling.
pub fn check_dot_converted(b: &mut Bytes) {
    let n = 1 + usize::from(b.byte()) % 8;
    let mut a: Vec<Z> = (0..n).map(|_| b.int()).collect();
    let mut x: Vec<Z> = (0..n).map(|_| b.int()).collect();
    if b.byte().is_multiple_of(2) {
        let s: Z = a.iter().zip(&x).map(|(p, q)| p * q).sum();
        a.push(Z::one());
        x.push(-s + Z::from(b.byte() % 3) - 1);
    }
    let exact_sum: Z = a.iter().zip(&x).map(|(p, q)| p * q).sum();
    let af: Vec<f64> = a.iter().map(filter::z_to_f64).collect();
    let xf: Vec<f64> = x.iter().map(filter::z_to_f64).collect();
    check_bound("dot_converted", &Q::from_integer(exact_sum.clone()), filter::dot_converted(&af, &xf));
    let (ar, xr): (Vec<&Z>, Vec<&Z>) = (a.iter().collect(), x.iter().collect());
    check_order("dot_ints", filter::dot_ints(&ar, &xr), exact_sum.sign().cmp(&Sign::NoSign));
}

/// [`filter::det`] (orders 1-5) and [`filter::cofactors4`], half the time nearly singular.
pub fn check_det(b: &mut Bytes) {
    let n = 1 + usize::from(b.byte()) % 5;
    let mut m: Vec<Vec<Z>> = (0..n).map(|_| (0..n).map(|_| b.int()).collect()).collect();
    if n >= 2 && b.byte().is_multiple_of(2) {
        let (s, t) = (Z::from(b.byte() as i8), Z::from(b.byte() as i8));
        let last: Vec<Z> = (0..n).map(|j| &s * &m[0][j] + &t * &m[(1).min(n - 1)][j]).collect();
        m[n - 1] = last;
        m[n - 1][0] += Z::from(b.byte() % 3) - 1;
    }
    let approx: Vec<Vec<Approx>> = m.iter().map(|r| r.iter().map(Approx::of).collect()).collect();
    let rows: Vec<&[Approx]> = approx.iter().map(Vec::as_slice).collect();
    check_bound("det", &Q::from_integer(crate::arith::minors::det_int(m.clone())), filter::det(&rows));
    if n == 4 {
        let cof = filter::cofactors4(&rows);
        for (t, cof_row) in cof.iter().enumerate() {
            for (c, &got) in cof_row.iter().enumerate() {
                let sub: Vec<Vec<Z>> = (0..4)
                    .filter(|&i| i != t)
                    .map(|i| (0..4).filter(|&j| j != c).map(|j| m[i][j].clone()).collect())
                    .collect();
                let minor = crate::arith::minors::det_int(sub);
                let want = if (t + c) % 2 == 1 { -minor } else { minor };
                check_bound("cofactors4", &Q::from_integer(want), got);
            }
        }
    }
}

/// [`filter::dot_ints`]: integers of any size, half the time cancelling.
pub fn check_dot_ints(b: &mut Bytes) {
    check_dot_converted(b);
}

/// [`Approx::of`], [`Approx::times`], [`Approx::difference`], [`Approx::add_product`],
/// [`filter::abs_sum`].
pub fn check_arith(b: &mut Bytes) {
    let z = b.int();
    check_bound("of", &Q::from_integer(z.clone()), Approx::of(&z));
    let (x, a) = b.approx();
    let f = b.int();
    check_bound("times", &(Q::from_integer(f.clone()) * &x), a.times(filter::z_to_f64(&f)));
    let (p, q) = (b.int(), if b.byte().is_multiple_of(2) { z.clone() } else { b.int() });
    check_bound(
        "difference",
        &Q::from_integer(&p - &q),
        Approx::difference(filter::z_to_f64(&p), filter::z_to_f64(&q)),
    );
    let (s, sa) = b.approx();
    let (y, ya) = b.approx();
    check_bound("add_product", &(&s + &x * &y), sa.add_product(a, ya));
    let ws: Vec<Z> = (0..1 + usize::from(b.byte()) % 6).map(|_| b.int()).collect();
    let total: Z = ws.iter().map(|w| w.abs()).sum();
    let wf: Vec<f64> = ws.iter().map(filter::z_to_f64).collect();
    check_bound("abs_sum", &Q::from_integer(total), filter::abs_sum(&wf));
}

/// [`filter::z_to_f64`] is the correctly rounded value ([`correctly_rounded`]), infinite
/// past the range.
pub fn check_conversion(b: &mut Bytes) {
    let z = b.int();
    let want = correctly_rounded(&z);
    let got = filter::z_to_f64(&z);
    assert!(got.to_bits() == want.to_bits(), "z_to_f64({z}) = {got}, want {want}");
}

/// The double nearest to `z` (ties to an even mantissa), infinite past the range: the
/// oracle of the conversion checks, by integer arithmetic only (keep the top 53 bits, round
/// on the exact remainder). num-bigint's `to_f64` is not one: in 0.4.8 it drops set bits
/// of lower limbs from the sticky bit, so a tie in the top 64 bits rounds down where the
/// rest is nonzero (`fixtures/fuzz/filter_conversion/`).
pub fn correctly_rounded(z: &Z) -> f64 {
    let mag = z.magnitude();
    let n = mag.bits();
    let sign = if z.is_negative() { -1.0 } else { 1.0 };
    if n <= 53 {
        return sign * mag.iter_u64_digits().next().unwrap_or(0) as f64;
    }
    let shift = n - 53;
    let mut q = mag >> shift;
    let r = mag - (&q << shift);
    let half = num_bigint::BigUint::from(1u8) << (shift - 1);
    if r > half || (r == half && q.bit(0)) {
        q += 1u8;
    }
    // q <= 2^53 is exact as a double; scale by 2^shift in steps that stay exact.
    let mut v = q.iter_u64_digits().next().unwrap_or(0) as f64;
    let mut left = shift;
    while left > 0 && v.is_finite() {
        let step = left.min(1000);
        v *= 2f64.powi(step as i32);
        left -= step;
    }
    sign * v
}

/// Runs the check of the fuzz target `name` (a folder of `fixtures/fuzz/`) on `data`;
/// `false` for an unknown name.
pub fn check_target(name: &str, data: &[u8]) -> bool {
    let mut b = Bytes::new(data);
    match name {
        "readers" => check_reader(data),
        group if group.starts_with("reader_") => return check_reader_group(&group[7..], data),
        "filters" => check_any(data),
        "paths" => check_paths(&mut b),
        "filter_ratio" => check_ratio(&mut b),
        "filter_quotient" => check_quotient(&mut b),
        "filter_compare" => check_compare(&mut b),
        "filter_orient2d" => check_orient2d(&mut b),
        "filter_dot" => check_dot(&mut b),
        "filter_dot_converted" => check_dot_converted(&mut b),
        "filter_det" => check_det(&mut b),
        "filter_arith" => check_arith(&mut b),
        "filter_conversion" => check_conversion(&mut b),
        _ => return false,
    }
    true
}

/// The three 2D paths on one network and domain: `enumerate` through the mesh and by the
/// walk give byte-identical regions documents, `verify` accepts it, and on a box the
/// partition has the same regions and facets and its vertices are sorted by exact `(x, y)`.
/// Panics with `name` on any difference or error.
pub fn check_paths_on(name: &str, net: &crate::Network, domain: &crate::Domain) {
    use crate::{Domain, Options, enumerate, partition};
    use std::collections::BTreeSet;
    let mesh = enumerate(net, domain, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    mesh.sanity_check(net).unwrap_or_else(|e| panic!("{name}: {e}"));
    let walk = enumerate(net, domain, &Options::default().mesh(false))
        .unwrap_or_else(|e| panic!("{name}: walk: {e}"));
    let doc = crate::formats::regions_json(net, domain, &mesh, None, None);
    assert_eq!(doc, crate::formats::regions_json(net, domain, &walk, None, None), "{name}: walk differs");
    let file = crate::formats::parse_regions(&doc).expect("own document");
    let report = crate::regions::verify::verify(net, domain, &file).expect("domain");
    assert!(report.ok(), "{name}: verify: {report:?}");
    if matches!(domain, Domain::Box { .. }) {
        let p = partition(net, domain).unwrap_or_else(|e| panic!("{name}: partition: {e}"));
        p.sanity_check(net, domain).unwrap_or_else(|e| panic!("{name}: partition: {e}"));
        let pts: Vec<[Q; 2]> = (0..p.vertices.len()).map(|v| p.point(v)).collect();
        assert!(pts.windows(2).all(|w| w[0] < w[1]), "{name}: partition vertices not sorted by (x, y)");
        assert_eq!(p.faces.len(), mesh.regions.len(), "{name}: partition count");
        for (f, r) in p.faces.iter().zip(&mesh.regions) {
            assert_eq!(f.pattern, r.pattern, "{name}");
            let sides: BTreeSet<(Vec<Q>, Q)> = f
                .sides
                .iter()
                .map(|s| {
                    (s.a.iter().map(|v| Q::from_integer(v.clone())).collect(), Q::from_integer(s.b.clone()))
                })
                .collect();
            let facets: BTreeSet<(Vec<Q>, Q)> = r.facets.iter().map(|f| (f.a.clone(), f.b.clone())).collect();
            assert_eq!(sides, facets, "{name}: region {} facets", r.id);
        }
    }
}

/// A small 2D network and domain decoded from bytes, at the filters' edges: 2-5 lines
/// `a·x + b·y + c` with `a, b` small integers or `m·10^±e` (`e` up to 400), each through a
/// point of the domain moved by `0` or `±10^-e` (`e` in 10..60: near-concurrent lines),
/// an optional second hidden layer; the domain a box `[-s, s]^2` (`s` = 1, 1e-150, 1e150),
/// the far box `[1e15, 1e15 + 1]^2`, or the whole plane. Then [`check_paths_on`].
pub fn check_paths(b: &mut Bytes) {
    let (lo, hi, centre, scale) = match b.byte() % 5 {
        0 => (Q::from_integer(Z::from(-1)), Q::one(), Q::zero(), Q::one()),
        1 => {
            let s = Q::new(Z::one(), Z::from(10).pow(150));
            (-&s, s.clone(), Q::zero(), s)
        }
        2 => {
            let s = Q::from_integer(Z::from(10).pow(150));
            (-&s, s.clone(), Q::zero(), s)
        }
        3 => {
            let l = Q::from_integer(Z::from(10).pow(15));
            (l.clone(), &l + Q::one(), &l + Q::new(Z::one(), Z::from(2)), Q::one())
        }
        _ => (Q::zero(), Q::zero(), Q::zero(), Q::one()), // whole plane
    };
    let whole = lo == hi;
    let coef = |b: &mut Bytes| -> Q {
        let m = Z::from(i64::from(b.byte() as i8 % 8));
        match b.byte() % 3 {
            0 => Q::from_integer(m),
            _ => {
                let e = u32::from(b.byte()) * 401 / 255;
                let p = Z::from(10).pow(e);
                if b.byte().is_multiple_of(2) { Q::from_integer(m * p) } else { Q::new(m, p) }
            }
        }
    };
    let k = 2 + usize::from(b.byte()) % 4;
    let mut rows = Vec::new();
    for _ in 0..k {
        let (mut a, c0) = (coef(b), coef(b));
        if a.is_zero() && c0.is_zero() {
            a = Q::one();
        }
        let pick =
            |b: &mut Bytes| &centre + &scale * Q::new(Z::from(i64::from(b.byte() as i8 % 5)), Z::from(5));
        let (x0, y0) = (pick(b), pick(b));
        let delta = match b.byte() % 3 {
            0 => Q::zero(),
            r => {
                let d = Q::new(Z::one(), Z::from(10).pow(10 + u32::from(b.byte()) % 51));
                if r == 1 { d } else { -d }
            }
        };
        let c = -(&a * x0 + &c0 * y0) + delta;
        rows.push([a, c0, c]);
    }
    let w: Vec<String> =
        rows.iter().map(|r| format!("[\"{}\",\"{}\"]", crate::fmt_q(&r[0]), crate::fmt_q(&r[1]))).collect();
    let bias: Vec<String> = rows.iter().map(|r| format!("\"{}\"", crate::fmt_q(&r[2]))).collect();
    let first = format!("{{\"type\":\"dense\",\"weight\":[{}],\"bias\":[{}]}}", w.join(","), bias.join(","));
    let mut layers = vec![first, "{\"type\":\"relu\"}".to_string()];
    let mut width = k;
    if b.byte().is_multiple_of(3) {
        let m = 2 + usize::from(b.byte()) % 2;
        let w: Vec<String> = (0..m)
            .map(|_| {
                format!(
                    "[{}]",
                    (0..k).map(|_| format!("\"{}\"", b.byte() as i8 % 3)).collect::<Vec<_>>().join(",")
                )
            })
            .collect();
        let bias: Vec<String> = (0..m).map(|_| format!("\"{}\"", b.byte() as i8 % 2)).collect();
        layers.push(format!(
            "{{\"type\":\"dense\",\"weight\":[{}],\"bias\":[{}]}}",
            w.join(","),
            bias.join(",")
        ));
        layers.push("{\"type\":\"relu\"}".to_string());
        width = m;
    }
    let out: Vec<String> = (0..width).map(|_| format!("\"{}\"", 1 + b.byte() % 3)).collect();
    layers.push(format!("{{\"type\":\"dense\",\"weight\":[[{}]],\"bias\":[\"0\"]}}", out.join(",")));
    let text = format!("{{\"input_dim\":2,\"layers\":[{}]}}", layers.join(","));
    let net = crate::parse_network(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let domain = if whole {
        crate::Domain::Whole { dim: 2 }
    } else {
        crate::Domain::Box { lo: vec![lo.clone(), lo], hi: vec![hi.clone(), hi] }
    };
    check_paths_on(&text, &net, &domain);
}

/// Every reader of user input on `data` (the first byte picks the reader, the rest is the
/// file): it must return a value or an error, never panic. Shared by the `readers` fuzz
/// target and the mutation test `tests/readers.rs`.
pub fn check_reader(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    read_with(sel, rest, &text);
}

/// The readers grouped as the per-reader fuzz targets run them (`fuzz/fuzz_targets/
/// reader_*.rs`): each group lists [`read_with`] numbers, and [`check_reader_group`]'s first
/// byte picks one of them.
pub const READER_GROUPS: [(&str, &[u8]); 10] = [
    ("network", &[0]),
    ("domain", &[1]),
    ("text", &[2, 3, 4]),
    ("regions", &[5, 18, 19]),
    ("compare", &[6, 7, 8, 9, 17]),
    ("data", &[10, 14]),
    ("safetensors", &[11]),
    ("onnx", &[12, 16]),
    ("arch", &[13]),
    ("torch", &[15]),
];

/// [`check_reader`] restricted to one of [`READER_GROUPS`] (by name): the first byte picks
/// a reader of the group, the rest is the file. False if there is no such group.
pub fn check_reader_group(group: &str, data: &[u8]) -> bool {
    let Some((_, sels)) = READER_GROUPS.iter().find(|(name, _)| *name == group) else {
        return false;
    };
    if let Some((&first, rest)) = data.split_first() {
        let sel = sels[first as usize % sels.len()];
        read_with(sel, rest, &String::from_utf8_lossy(rest));
    }
    true
}

/// The readers by number (see [`check_reader`]); `bytes` for the binary formats, `text`
/// for the others.
pub fn read_with(sel: u8, bytes: &[u8], text: &str) {
    use crate::formats;
    // A small net for the readers that take one (2 inputs, layers of 3 and 1).
    let net = || {
        crate::parse_network(
            r#"{"input_dim":2,"layers":[{"type":"dense","weight":[["1","0"],["0","1"],["1","1"]],"bias":["0","0","-1"]},{"type":"relu"},{"type":"dense","weight":[["1","1","1"]],"bias":["0"]}]}"#,
        )
        .expect("fixed net")
    };
    match sel % 20 {
        0 => drop(formats::parse_network(text)),
        1 => drop(formats::parse_domain(text)),
        2 => drop(formats::parse_box(text, 2)),
        3 => drop(formats::parse_point(text, 3)),
        4 => drop(formats::parse_three_points(text, 3)),
        5 => drop(formats::parse_regions(text)),
        6 => drop(formats::parse_other_patterns(&net(), text)),
        7 => drop(formats::parse_other_points(&net(), text)),
        8 => drop(formats::parse_other_regions(&net(), text)),
        9 => drop(formats::parse_relucent(&net(), text)),
        10 => drop(formats::parse_data_csv(text, 2)),
        11 => {
            if let Ok(t) = crate::import::read_safetensors(bytes) {
                let arch = crate::import::parse_arch("linear,relu,linear").expect("fixed arch");
                drop(crate::import::sequential(&t, None, None, &Q::zero()));
                drop(crate::import::sequential(&t, None, Some(&arch), &Q::zero()));
            }
        }
        12 => drop(crate::import::onnx::read_onnx(bytes)),
        13 => {
            // Applied to a small state_dict (linear modules `a` 2 -> 4, `b` and `c` 4 -> 4, `d`
            // 4 -> 1, and a batch norm `n` of 4), so that the order checks of arbitrary specs
            // (residual blocks, batch norm, pooling, images) run too.
            if let Ok(arch) = crate::import::parse_arch(text) {
                let t = |shape: &[usize]| crate::import::Tensor {
                    shape: shape.to_vec(),
                    values: (0..shape.iter().product::<usize>())
                        .map(|i| Q::from_integer(Z::from(i % 3 + 1)))
                        .collect(),
                };
                let tensors: Vec<(String, crate::import::Tensor)> = [
                    ("a.weight", t(&[4, 2])),
                    ("a.bias", t(&[4])),
                    ("b.weight", t(&[4, 4])),
                    ("n.weight", t(&[4])),
                    ("n.bias", t(&[4])),
                    ("n.running_mean", t(&[4])),
                    ("n.running_var", t(&[4])),
                    ("c.weight", t(&[4, 4])),
                    ("d.weight", t(&[1, 4])),
                ]
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect();
                let eps = Q::new(Z::one(), Z::from(100_000));
                drop(crate::import::sequential(&tensors, None, Some(&arch), &eps));
            }
        }
        14 => drop(formats::parse_stats_certificates(text)),
        15 => {
            if let Ok(f) = crate::import::read_torch(bytes) {
                drop(crate::import::sequential(&f.tensors, None, None, &Q::zero()));
                for spec in ["linear,relu,linear", "image:1x4x4,conv:1:1,bn,relu,maxpool:2,flatten,linear"] {
                    let arch = crate::import::parse_arch(spec).expect("fixed arch");
                    drop(crate::import::sequential(&f.tensors, None, Some(&arch), &Q::zero()));
                }
            }
        }
        17 => drop(formats::parse_regioncam(&net(), text)),
        18 => drop(formats::parse_jsonl_region(text)),
        19 => {
            // A part of a sharded run, and its merge alone (a one-part run, or refused).
            if let Ok(part) = formats::parse_shard(text)
                && let Ok(merged) = formats::merge_shards(vec![part])
            {
                drop(formats::write_merged(&mut Vec::new(), &merged));
            }
        }
        _ => {
            // ONNX whose external data files all hold the same bytes: the input's tail.
            let tail = bytes.get(bytes.len() / 2..).unwrap_or_default().to_vec();
            drop(crate::import::read_onnx_with(bytes, &mut |_| Ok(tail.clone())));
        }
    }
}
