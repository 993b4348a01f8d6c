//! The boundary LPs of a region: is there a point of the region where given affine maps are
//! all negative (a class predicted, a boundary piece met)? Answered exactly, by witnesses
//! (points checked in rationals) or weak-duality certificates (multipliers checked in
//! integers), from float proposals (the active-set and interior-point methods) and, past
//! 16 inputs, from the points already seen ([`Sightings`]); the exact simplex decides what
//! no proposal certifies.

use super::enumerate::Region;
use crate::arith::filter::z_to_f64;
use crate::arith::minors::solve_columns;
use crate::arith::num::{Q, Z, common_denominator, dot, from_f64_exact, primitive_row, to_f64};
use crate::lp::guided::{FloatLp, float_lp_point};
use crate::lp::{LpOutcome, maximize_primal};
use num_traits::{One, Signed, Zero};

/// Is there a point of the region where every `g(x) = w·x + c` in `strict` is `< 0`? (Then
/// an open set has it, the region being full-dimensional.) First the region's interior point
/// as a witness; else the LP maximise `t` subject to the region, `w·x + t <= -c`, `t <= 1`,
/// proposed by floats and certified exactly ([`certified_vertex`]), or solved exactly.
///
/// Past 16 inputs (`prepared` given) the interior-point certificates come first
/// ([`ipm_max_is_positive`]) and the interior point is tried only where floats say it serves.
pub(super) fn somewhere_negative(
    r: &Region,
    d: usize,
    strict: &[(Vec<Q>, Q)],
    prepared: Option<&Prepared>,
) -> bool {
    somewhere_negative_told(r, d, strict, prepared, false).0
}

/// The evidence of a [`somewhere_negative`] answer, checkable without solving anything.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Proof {
    /// A point of the region where every strict row is `< 0`.
    Point(Vec<Q>),
    /// Multipliers `y >= 0` on rows of the LP over `(x, t)` in primitive integer form, by
    /// position: the region's facets, then the strict rows (`w·x + t <= -c`), then the cap
    /// `t <= 1`. `Σ y_i row_i = (0, λ)` with `λ > 0` and `Σ y_i b_i <= 0`: `t <= 0` on the
    /// whole LP.
    Dual(Vec<(usize, Q)>),
}

/// [`somewhere_negative`] with the witness of a `true` from the interior-point method (a
/// point of the region, floats at their exact values, where every row of `strict` is `< 0`)
/// and, when `want`, the evidence of the answer (the exact simplex then keeps its dual
/// multipliers).
pub(super) fn somewhere_negative_told(
    r: &Region,
    d: usize,
    strict: &[(Vec<Q>, Q)],
    prepared: Option<&Prepared>,
    want: bool,
) -> (bool, Option<Vec<f64>>, Option<Proof>) {
    let at_interior = |p: Option<&Prepared>| match p {
        // A float look first: the interior point's coordinates have long denominators.
        Some(p) => strict.iter().all(|(w, c)| {
            to_f64(c) + w.iter().zip(&p.interior_f).map(|(u, v)| to_f64(u) * v).sum::<f64>() < 0.0
        }),
        None => true,
    };
    let interior = prepared.and_then(|p| p.short_interior.as_deref()).unwrap_or(&r.interior_point);
    if at_interior(prepared) && strict.iter().all(|(w, c)| (dot(w, interior) + c).is_negative()) {
        return (true, None, want.then(|| Proof::Point(interior.to_vec())));
    }
    if let Some(p) = prepared
        && let Some(told) = ipm_max_is_positive(p, d, strict)
    {
        return match told {
            Told::Yes(x) => {
                let proof = want
                    .then(|| Proof::Point(x.iter().map(|&v| from_f64_exact(v).expect("finite")).collect()));
                (true, Some(x), proof)
            }
            Told::No(y) => (false, None, want.then_some(Proof::Dual(y))),
        };
    }
    let (a, b) = negative_lp(r, d, strict);
    if let Some((positive, proof)) = guided_max_is_positive(&a, &b, d, r, strict) {
        return (positive, None, want.then_some(proof));
    }
    let mut cap = vec![Q::zero(); d + 1];
    cap[d] = Q::from_integer(1.into());
    if !want {
        return (somewhere_negative_exact(&a, &b, d), None, None);
    }
    match crate::lp::maximize(&cap, &a, &b) {
        LpOutcome::Optimal { value, x, .. } if value.is_positive() => {
            (true, None, Some(Proof::Point(x[..d].to_vec())))
        }
        LpOutcome::Optimal { duals, .. } => {
            // The duals are on the rows as given; on the primitive rows `s_i·row_i` they are
            // `y_i / s_i`.
            let y = duals
                .into_iter()
                .enumerate()
                .filter(|(_, v)| !v.is_zero())
                .map(|(i, v)| {
                    let (pa, _) = primitive_row(&a[i], &b[i]);
                    let j = pa.iter().position(|u| !u.is_zero()).expect("a row of the LP is not zero");
                    (i, v * &a[i][j] / Q::from_integer(pa[j].clone()))
                })
                .collect();
            (false, None, Some(Proof::Dual(y)))
        }
        _ => unreachable!("the boundary LP is feasible and bounded (t <= 1)"),
    }
}

/// A certified answer of [`ipm_max_is_positive`].
#[derive(Debug, PartialEq)]
enum Told {
    /// With the witness: a point of the region (floats at their exact values).
    Yes(Vec<f64>),
    /// With the multipliers ([`Proof::Dual`]).
    No(Vec<(usize, Q)>),
}

/// Exact points of a region (past 16 inputs) with their logits, and what the segments
/// between them show, exactly: the outputs on top on an open part of a segment (classes:
/// predicted near a point of the region, so on an open subset of it) and the pairs of
/// outputs tied on top, above every other, at a point strictly inside (boundary pieces: the
/// piece's hyperplane meets the interior of its polytope there). Each LP answered `true`
/// adds its witness, so one LP's point may settle other questions.
///
/// Outputs are the representatives `reps` (the lowest index of each set of outputs equal
/// on the region); answers are sets, so they do not depend on the order of the points.
pub(super) struct Sightings {
    reps: Vec<usize>,
    /// Each point: the representatives' logits, whether it is strictly inside, its
    /// coordinates.
    points: Vec<(Vec<Q>, bool, Vec<Q>)>,
    /// Each class seen, and where: the point `p + s (q - p)` of points `p`, `q` (a point of
    /// the region where the class is alone on top).
    pub(super) classes: std::collections::BTreeMap<usize, (usize, usize, Q)>,
    /// Each piece seen, and where: a point strictly inside where its outputs tie above
    /// every other.
    pub(super) pieces: std::collections::BTreeMap<(usize, usize), (usize, usize, Q)>,
}

impl Sightings {
    pub(super) fn new(reps: Vec<usize>) -> Sightings {
        Sightings { reps, points: Vec::new(), classes: Default::default(), pieces: Default::default() }
    }

    /// Adds the point `x` of the region by its logits (every output's) and scans the
    /// segments from it to every point before.
    pub(super) fn add(&mut self, x: Vec<Q>, logits: &[Q], strictly_inside: bool) {
        let new: Vec<Q> = self.reps.iter().map(|&m| logits[m].clone()).collect();
        self.points.push((new, strictly_inside, x));
        let last = self.points.len() - 1;
        self.scan(last, last);
        for t in 0..last {
            self.scan(t, last);
        }
    }

    /// [`Self::add`] of the float point `x` (at its exact value) of the region.
    pub(super) fn add_float(&mut self, r: &Region, p: &Prepared, x: &[f64]) {
        let Some((ys, l)) = dyadic(x) else { return };
        let y: Vec<Q> = ys.iter().map(|v| Q::new(v.clone(), l.clone())).collect();
        let logits: Vec<Q> =
            r.logits.weight.iter().zip(&r.logits.bias).map(|(w, b)| dot(w, &y) + b).collect();
        let inside = p.holds_over(&ys, &l, true);
        self.add(y, &logits, inside);
    }

    /// The point `p + s (q - p)` of a sighting.
    pub(super) fn point(&self, &(p, q, ref s): &(usize, usize, Q)) -> Vec<Q> {
        let (x, y) = (&self.points[p].2, &self.points[q].2);
        if s.is_zero() || p == q {
            return x.clone();
        }
        x.iter().zip(y).map(|(u, v)| u + s * (v - u)).collect()
    }

    /// The upper envelope of the lines `f_m(s) = p_m + s (q_m - p_m)` on `s` in `[0, 1]`
    /// (the logits along the segment from point `pi` to point `qi`, points of the region):
    /// the line on top of an open interval is a class; two lines alone on top at a point
    /// strictly inside (one end strictly inside makes every point but the other end so) are
    /// a piece. A segment where two outputs coincide is left (nothing is concluded from a
    /// tie).
    fn scan(&mut self, pi: usize, qi: usize) {
        let (p, p_inside) = (&self.points[pi].0, self.points[pi].1);
        let (q, q_inside) = (&self.points[qi].0, self.points[qi].1);
        let k = p.len();
        let slope: Vec<Q> = (0..k).map(|m| &q[m] - &p[m]).collect();
        let inside_at = |s: &Q| {
            if s.is_zero() {
                p_inside
            } else if s.is_one() {
                q_inside
            } else {
                p_inside || q_inside
            }
        };
        let mut classes: Vec<(usize, Q)> = Vec::new();
        let mut pieces: Vec<((usize, usize), Q)> = Vec::new();
        // The lines on top at s = 0, then the one of them that stays on top just after.
        let top0 = p.iter().max().expect("outputs");
        let tied: Vec<usize> = (0..k).filter(|&m| &p[m] == top0).collect();
        match tied.len() {
            1 => classes.push((tied[0], Q::zero())),
            2 if p_inside => pieces.push(((tied[0], tied[1]), Q::zero())),
            _ => {}
        }
        if let Some(mut cur) = Self::steepest(&tied, &slope) {
            let mut s = Q::zero();
            while s < Q::one() {
                // The first line to pass `cur` after s: among the steeper ones, the earliest
                // crossing p_cur + s slope_cur = p_m + s slope_m.
                let mut next: Option<(Q, Vec<usize>)> = None;
                for m in (0..k).filter(|&m| slope[m] > slope[cur]) {
                    let at = (&p[cur] - &p[m]) / (&slope[m] - &slope[cur]);
                    match &mut next {
                        Some((best, ms)) if at == *best => ms.push(m),
                        Some((best, _)) if at > *best => {}
                        _ => next = Some((at, vec![m])),
                    }
                }
                // On top of the open interval (s, next) (or (s, 1]): its middle.
                let end = next.as_ref().map_or(Q::one(), |(at, _)| at.clone().min(Q::one()));
                classes.push((cur, (&s + &end) / Q::from_integer(2.into())));
                match next {
                    Some((at, ms)) if at <= Q::one() => {
                        debug_assert!(at > s);
                        if ms.len() == 1 && inside_at(&at) {
                            pieces.push(((cur.min(ms[0]), cur.max(ms[0])), at.clone()));
                        }
                        let Some(steepest) = Self::steepest(&ms, &slope) else { break };
                        cur = steepest;
                        s = at;
                    }
                    _ => break,
                }
            }
        }
        for (m, s) in classes {
            self.classes.entry(self.reps[m]).or_insert((pi, qi, s));
        }
        for ((a, b), s) in pieces {
            self.pieces.entry((self.reps[a], self.reps[b])).or_insert((pi, qi, s));
        }
    }

    /// The line of `ms` with the largest slope, `None` if two share it (they coincide
    /// where they tie).
    fn steepest(ms: &[usize], slope: &[Q]) -> Option<usize> {
        let top = ms.iter().map(|&m| &slope[m]).max()?;
        let mut with = ms.iter().filter(|&&m| &slope[m] == top);
        let first = *with.next()?;
        with.next().is_none().then_some(first)
    }
}

/// The rows of [`somewhere_negative`]'s LP over `(x, t)`.
fn negative_lp(r: &Region, d: usize, strict: &[(Vec<Q>, Q)]) -> (Vec<Vec<Q>>, Vec<Q>) {
    let mut a: Vec<Vec<Q>> = Vec::new();
    let mut b: Vec<Q> = Vec::new();
    for f in &r.facets {
        let mut row = f.a.clone();
        row.push(Q::zero());
        a.push(row);
        b.push(f.b.clone());
    }
    for (w, c) in strict {
        let mut row = w.clone();
        row.push(Q::from_integer(1.into()));
        a.push(row);
        b.push(-c);
    }
    let mut cap = vec![Q::zero(); d + 1];
    cap[d] = Q::from_integer(1.into());
    a.push(cap);
    b.push(Q::from_integer(1.into()));
    (a, b)
}

fn somewhere_negative_exact(a: &[Vec<Q>], b: &[Q], d: usize) -> bool {
    let mut cap = vec![Q::zero(); d + 1];
    cap[d] = Q::from_integer(1.into());
    matches!(maximize_primal(&cap, a, b), LpOutcome::Optimal { value, .. } if value.is_positive())
}

/// [`somewhere_negative`] decided by a float active-set guess started at the region's
/// interior point and certified exactly, either way:
/// - `false` by weak duality: multipliers `y >= 0` on the rows active at the float optimum
///   with `Σ y_i a_i = e_t` exactly (one fraction-free solve) and `Σ y_i b_i <= 0` bound `t`
///   by 0 over the whole LP;
/// - `true` by a witness: a rational point near the float optimum (pulled a little towards the
///   interior point) in the region where every `g < 0`, checked exactly.
///
/// `None` when neither certificate holds (then the exact simplex decides).
fn guided_max_is_positive(
    a: &[Vec<Q>],
    b: &[Q],
    d: usize,
    r: &Region,
    strict: &[(Vec<Q>, Q)],
) -> Option<(bool, Proof)> {
    let rows: Vec<(Vec<Z>, Z)> = a.iter().zip(b).map(|(ai, bi)| primitive_row(ai, bi)).collect();
    let af: Vec<Vec<f64>> = rows.iter().map(|(ai, _)| ai.iter().map(z_to_f64).collect()).collect();
    let bf: Vec<f64> = rows.iter().map(|(_, bi)| z_to_f64(bi)).collect();
    let x0: Vec<f64> = r.interior_point.iter().map(to_f64).collect();
    let t0 = strict
        .iter()
        .map(|(w, c)| -to_f64(c) - w.iter().zip(&x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
        .fold(1.0f64, f64::min);
    if !t0.is_finite() {
        return None;
    }
    let start: Vec<f64> = x0.iter().copied().chain([t0 - 1.0 - t0.abs()]).collect();
    let cf: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
    let (guess, at) = float_lp_point(&af, &bf, &cf, &start);
    let active = match guess {
        FloatLp::Vertex(w) | FloatLp::Face(w, _) => w,
        _ => return None,
    };
    // Weak duality: t = Σ y_i a_i·(x, t) <= Σ y_i b_i for every feasible (x, t).
    let m: Vec<Vec<Z>> = (0..=d).map(|j| active.iter().map(|&i| rows[i].0[j].clone()).collect()).collect();
    let e: Vec<Z> = (0..=d).map(|j| Z::from(u8::from(j == d))).collect();
    if let Some((det, y)) = solve_columns(&m, &e) {
        let s = |v: &Z| if det.is_negative() { -v.signum() } else { v.signum() };
        if y.iter().all(|yi| !s(yi).is_negative()) {
            let bound: Z = y.iter().zip(&active).map(|(yi, &i)| yi * &rows[i].1).sum();
            if !s(&bound).is_positive() {
                let ys = y
                    .iter()
                    .zip(&active)
                    .filter(|(v, _)| !v.is_zero())
                    .map(|(v, &i)| (i, Q::new(v.clone(), det.clone())))
                    .collect();
                return Some((false, Proof::Dual(ys)));
            }
        }
    }
    // A witness near the float optimum.
    witness_near(&at[..d], r, strict).map(|x| (true, Proof::Point(x)))
}

/// [`somewhere_negative`] in high dimension, from the float interior-point method
/// ([`ipm_max`]) on its LP, certified exactly either way:
/// - `true` by a witness, as in [`guided_max_is_positive`];
/// - `false` by weak duality with multipliers built from the method's `λ` without a solve:
///   `y_i >= 0` on the neuron facets and the strict rows (the floats' exact values), the cap
///   row's multiplier making the `t` column sum to 1, and the rest of `Σ y_i a_i` in each
///   coordinate taken up by the region's facet on the box face that has the right sign (a
///   row with one nonzero). Then `Σ y_i a_i = e_t` exactly and `t <= Σ y_i b_i` everywhere
///   in the LP: `false` if that bound is `<= 0`.
///
/// `None` when neither holds (a face of the box missing among the facets, or the bound not
/// below 0): the active-set guess and the exact simplex decide.
fn ipm_max_is_positive(p: &Prepared, d: usize, strict: &[(Vec<Q>, Q)]) -> Option<Told> {
    // The LP's rows over (x, t): the facets (prepared), then the strict rows and the cap
    // t <= 1 (`extra`).
    let mut extra: Vec<(Vec<Z>, Z)> = strict
        .iter()
        .map(|(w, c)| {
            let mut row = w.clone();
            row.push(Q::from_integer(1.into()));
            primitive_row(&row, &-c)
        })
        .collect();
    extra.push(((0..=d).map(|j| Z::from(u8::from(j == d))).collect(), Z::from(1)));
    let nf = p.rows.len();
    let row = |i: usize| if i < nf { &p.rows[i] } else { &extra[i - nf] };
    let mut af: Vec<Vec<f64>> = p.rows_f.clone();
    af.extend(extra.iter().map(|(ai, _)| ai.iter().map(z_to_f64).collect()));
    let bf: Vec<f64> = p.rows.iter().chain(&extra).map(|(_, bi)| z_to_f64(bi)).collect();
    let x0 = &p.interior_f;
    let t0 = strict
        .iter()
        .map(|(w, c)| -to_f64(c) - w.iter().zip(x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
        .fold(1.0f64, f64::min);
    if !t0.is_finite() || !af.iter().flatten().chain(&bf).all(|v| v.is_finite()) {
        return None;
    }
    let start: Vec<f64> = x0.iter().copied().chain([t0 - 1.0 - t0.abs()]).collect();
    let cf: Vec<f64> = (0..=d).map(|j| if j == d { 1.0 } else { 0.0 }).collect();
    // The cap row t <= 1 is the t column's box-like row: no radius column.
    // Only the sign of the optimum is asked: the method may stop once it is clear.
    let ipm = crate::lp::ipm::ipm_max_until(&af, &bf, &cf, &start, false, Some(0.0))?;
    if ipm.z[d] > 0.0 && ipm.stop != crate::lp::ipm::Stop::DualBelow {
        // The method's iterates meet the rows only up to a residual: a point near the
        // optimum may miss a nearly tight row. Pulled towards the interior point (inside
        // every facet strictly) by less than the strict rows' margin allows, it is inside.
        let t = ipm.z[d];
        let worst = strict
            .iter()
            .map(|(w, c)| to_f64(c) + w.iter().zip(x0).map(|(u, v)| to_f64(u) * v).sum::<f64>())
            .fold(0.0f64, f64::max);
        let top = 0.5 * t / (t + worst);
        return [0.0, top, top * 1e-2, top * 1e-4, top * 1e-6].iter().find_map(|&alpha| {
            let x: Vec<f64> = ipm.z[..d].iter().zip(x0).map(|(z, c)| z + alpha * (c - z)).collect();
            p.inside(&x, false, &extra).then_some(Told::Yes(x))
        });
    }
    // Multipliers: the floats' exact values on the other facets and the strict rows, as
    // integers `Y_i` over one power of two `2^E` (no fractions to reduce); the box faces
    // among the facets absorb (their own λ is not used).
    let m = nf + extra.len();
    let cap = m - 1;
    let lam: Vec<f64> =
        (0..cap).map(|i| if i >= nf || !p.box_face[i] { ipm.lambda[i].max(0.0) } else { 0.0 }).collect();
    let (y, two_e) = dyadic(&lam)?;
    // The t column: the strict rows carry `T / 2^E`; the cap row `t <= 1` takes what is
    // left, `1 - T / 2^E`. When they pass 1 every multiplier is scaled down by `2^E / T`
    // instead and the cap's is 0: a positive factor, which leaves the bound's sign as it is.
    let t_sum: Z = (nf..cap).map(|i| &y[i] * &row(i).0[d]).sum();
    debug_assert!(row(cap).0[d].is_one() && row(cap).1.is_one());
    let cap_y: Z = if t_sum > two_e { Z::zero() } else { &two_e - &t_sum };
    // 2^E Σ y_i a_i over x, then the box faces take it to zero: the face with a
    // coefficient of the opposite sign gets `-R_j / a_ij >= 0`.
    let mut resid: Vec<Z> = vec![Z::zero(); d];
    for (i, yi) in y.iter().enumerate().filter(|(_, v)| !v.is_zero()) {
        for (rj, aij) in resid.iter_mut().zip(&row(i).0[..d]) {
            if !aij.is_zero() {
                *rj += yi * aij;
            }
        }
    }
    // 2^E times the bound Σ y_i b_i: integers, but for box faces whose coefficient is not ±1.
    let mut bound: Z = y.iter().zip(0..cap).filter(|(v, _)| !v.is_zero()).map(|(v, i)| v * &row(i).1).sum();
    bound += &cap_y;
    let mut fractions = Q::zero();
    let mut absorbed: Vec<(usize, Z, Z)> = Vec::new();
    for (j, rj) in resid.iter().enumerate() {
        if rj.is_zero() {
            continue;
        }
        let i = p.absorb[j][usize::from(rj.is_negative())]?;
        let (a, b) = (&p.rows[i].0[j], &p.rows[i].1);
        if a.is_one() {
            bound -= rj * b;
        } else if (-a).is_one() {
            bound += rj * b;
        } else {
            fractions -= Q::new(rj * b, a.clone());
        }
        absorbed.push((i, -rj, a.clone()));
    }
    if (Q::from_integer(bound) + fractions).is_positive() {
        return None;
    }
    // The multipliers as the certificate states them (over 2^E; the box faces' `-R_j / a_ij`).
    let over = |v: Z| Q::new(v, two_e.clone());
    let mut ys: Vec<(usize, Q)> =
        y.into_iter().enumerate().filter(|(_, v)| !v.is_zero()).map(|(i, v)| (i, over(v))).collect();
    if !cap_y.is_zero() {
        ys.push((cap, over(cap_y)));
    }
    ys.extend(absorbed.into_iter().map(|(i, num, a)| (i, Q::new(num, a * &two_e))));
    ys.sort_by_key(|x| x.0);
    Some(Told::No(ys))
}

/// `x` at its exact binary value, as integers over one power of two `(X, 2^E)`; `None` if an
/// entry is not finite.
pub(super) fn dyadic(x: &[f64]) -> Option<(Vec<Z>, Z)> {
    // v = ±mantissa · 2^exp for every finite v.
    let parts: Vec<(i64, i32)> = x
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                return None;
            }
            let bits = v.to_bits();
            let biased = ((bits >> 52) & 0x7ff) as i32;
            let frac = (bits & ((1u64 << 52) - 1)) as i64;
            let (mant, exp) = if biased == 0 { (frac, -1074) } else { (frac | (1i64 << 52), biased - 1075) };
            Some((if bits >> 63 == 1 { -mant } else { mant }, exp))
        })
        .collect::<Option<_>>()?;
    let shift = parts.iter().filter(|(m, _)| *m != 0).map(|&(_, e)| -e).max().unwrap_or(0).max(0);
    let ints = parts
        .iter()
        .map(|&(m, e)| if m == 0 { Z::zero() } else { Z::from(m) << ((e + shift) as usize) })
        .collect();
    Some((ints, Z::one() << (shift as usize)))
}

/// `Σ a_j x_j` over the common length, skipping zero entries of `a`.
fn int_dot(a: &[Z], x: &[Z]) -> Z {
    a.iter().zip(x).filter(|(u, _)| !u.is_zero()).map(|(u, v)| u * v).sum()
}

/// A region's facets made ready once for the many boundary LPs of high dimension: rows over
/// `(x, t)` as primitive integers (`t` coefficient 0) and as floats, the interior point as
/// floats.
pub(super) struct Prepared {
    /// A point strictly inside with short coordinates (dyadic, near the interior point),
    /// checked exactly, if one was found: the cheap first witness.
    short_interior: Option<Vec<Q>>,
    rows: Vec<(Vec<Z>, Z)>,
    rows_f: Vec<Vec<f64>>,
    /// `(a_i, b_i)` of the facets as converted floats, for the witness filter.
    rows_ab: Vec<Vec<f64>>,
    interior_f: Vec<f64>,
    /// Whether each facet is a box face (one nonzero), and per coordinate the facets on its
    /// faces with a negative and a positive coefficient (the multipliers' absorbers).
    box_face: Vec<bool>,
    absorb: Vec<[Option<usize>; 2]>,
}

impl Prepared {
    pub(super) fn new(r: &Region) -> Prepared {
        let rows: Vec<(Vec<Z>, Z)> = r
            .facets
            .iter()
            .map(|f| {
                let mut a = f.a.clone();
                a.push(Q::zero());
                primitive_row(&a, &f.b)
            })
            .collect();
        let rows_f = rows.iter().map(|(a, _)| a.iter().map(z_to_f64).collect()).collect();
        let rows_ab =
            rows.iter().map(|(a, b)| a[..a.len() - 1].iter().chain([b]).map(z_to_f64).collect()).collect();
        let d = r.interior_point.len();
        let mut box_face = vec![false; rows.len()];
        let mut absorb: Vec<[Option<usize>; 2]> = vec![[None, None]; d];
        for (i, (a, _)) in rows.iter().enumerate() {
            let mut nz = (0..d).filter(|&j| !a[j].is_zero());
            if let (Some(j), None) = (nz.next(), nz.next()) {
                box_face[i] = true;
                absorb[j][usize::from(a[j].is_positive())] = Some(i);
            }
        }
        let mut p = Prepared {
            short_interior: None,
            rows,
            rows_f,
            rows_ab,
            interior_f: r.interior_point.iter().map(to_f64).collect(),
            box_face,
            absorb,
        };
        // The interior point rounded to multiples of 2^-48, if still strictly inside.
        let short: Option<Vec<Q>> = p
            .interior_f
            .iter()
            .map(|&v| from_f64_exact((v * 2f64.powi(48)).round() / 2f64.powi(48)))
            .collect();
        p.short_interior = short.filter(|y| p.holds(y, true));
        p
    }

    /// Whether the rational point `y` satisfies every facet (strictly with `strictly`), by
    /// the float filter when it decides, else in integers.
    fn holds(&self, y: &[Q], strictly: bool) -> bool {
        let (ys, l) = common_denominator(y);
        self.holds_over(&ys, &l, strictly)
    }

    /// [`Self::holds`] of the point `ys / l` (`l > 0`).
    fn holds_over(&self, ys: &[Z], l: &Z, strictly: bool) -> bool {
        let fy: Vec<f64> = ys.iter().map(z_to_f64).chain([-z_to_f64(l)]).collect();
        self.rows.iter().zip(&self.rows_ab).all(|((a, b), ab)| {
            match crate::arith::filter::dot_converted(ab, &fy).sign() {
                Some(s) if s < 0 => true,
                Some(s) if strictly || s > 0 => false,
                _ => {
                    let ay = int_dot(a, ys);
                    if strictly { ay < b * l } else { ay <= b * l }
                }
            }
        })
    }

    /// Whether the float point `x` at its exact binary value is in the region (strictly
    /// with `strictly`) with every strict row `< 0`, exactly: the witness of an
    /// interior-point iterate ([`witness_near`] for a float vertex).
    ///
    /// `strict_int` holds the strict rows `w·x + c < 0` as integer rows `W·x < B` (a
    /// positive multiple, as [`primitive_row`] of `(w, -c)` gives them; entries past `x`'s
    /// length are not read).
    fn inside(&self, x: &[f64], strictly: bool, strict_int: &[(Vec<Z>, Z)]) -> bool {
        let Some((ys, l)) = dyadic(x) else { return false };
        self.holds_over(&ys, &l, strictly) && strict_int.iter().all(|(w, b)| int_dot(w, &ys) < b * &l)
    }
}

/// A witness of [`somewhere_negative`] near the float point `x`: `x + 2^-20·(interior - x)`
/// in floats (off the facets a float vertex lies on), taken at its exact binary value (small
/// denominators, unlike the interior point's), in the region with every `g < 0`, checked
/// exactly.
pub(super) fn witness_near(x: &[f64], r: &Region, strict: &[(Vec<Q>, Q)]) -> Option<Vec<Q>> {
    let pull = 2f64.powi(-20);
    let y: Vec<Q> = x
        .iter()
        .zip(&r.interior_point)
        .map(|(&v, c)| from_f64_exact(v + (to_f64(c) - v) * pull))
        .collect::<Option<_>>()?;
    let inside = r.facets.iter().all(|f| dot(&f.a, &y) <= f.b);
    (inside && strict.iter().all(|(w, c)| (dot(w, &y) + c).is_negative())).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::domain::Domain;
    use crate::regions::enumerate::{Options, enumerate};
    use crate::regions::properties::diff;

    /// The certified float answers of `somewhere_negative` (weak-duality bound or witness)
    /// equal the exact simplex's on the regions of the fixture networks, for the class rows
    /// of every pair of outputs and for random affine rows through the region.
    #[test]
    fn guided_somewhere_negative_equals_the_exact_lp() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut rng = crate::network::random::SplitMix64(5);
        let (mut decided, mut total, mut by_ipm, mut exact_no) = (0, 0, 0, 0);
        for name in ["net-2-8-8-1.json", "net-3-6-6-1.json", "small2d.json", "known_boundary.json"] {
            let net =
                crate::formats::parse_network(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
            let d = net.input_dim();
            let e = enumerate(&net, &Domain::default_box(d), &Options::default()).unwrap();
            for r in &e.regions {
                for _ in 0..4 {
                    let strict: Vec<(Vec<Q>, Q)> = (0..1 + rng.next_u64() % 3)
                        .map(|_| {
                            let w: Vec<Q> =
                                (0..d).map(|_| Q::from_integer(rng.small_int(4).into())).collect();
                            let at = dot(&w, &r.interior_point);
                            (w, -at + Q::new(rng.small_int(3).into(), 4.into()))
                        })
                        .collect();
                    let (a, b) = negative_lp(r, d, &strict);
                    let exact = somewhere_negative_exact(&a, &b, d);
                    total += 1;
                    if let Some((told, proof)) = guided_max_is_positive(&a, &b, d, r, &strict) {
                        assert_eq!(told, exact, "{name} region {} rows {strict:?}", r.id);
                        assert!(proof_holds(r, d, &strict, &proof, told), "{name} region {}", r.id);
                        decided += 1;
                    }
                    if let Some(told) = ipm_max_is_positive(&Prepared::new(r), d, &strict) {
                        assert_eq!(
                            matches!(told, Told::Yes(_)),
                            exact,
                            "ipm: {name} region {} rows {strict:?}",
                            r.id
                        );
                        if let Told::No(y) = told {
                            assert!(proof_holds(r, d, &strict, &Proof::Dual(y), false), "{name} {}", r.id);
                        }
                        by_ipm += 1;
                    }
                    assert_eq!(somewhere_negative(r, d, &strict, None), exact);
                    // Every path's evidence, the exact simplex's duals included.
                    let (told, _, proof) = somewhere_negative_told(r, d, &strict, None, true);
                    assert_eq!(told, exact);
                    assert!(proof_holds(r, d, &strict, &proof.unwrap(), told), "{name} region {}", r.id);
                    let (a1, b1) = negative_lp(r, d, &strict);
                    if let LpOutcome::Optimal { value, .. } = maximize_primal(&unit_t(d), &a1, &b1)
                        && !value.is_positive()
                    {
                        exact_no += 1;
                    }
                }
            }
        }
        assert!(decided * 2 > total, "decided {decided} of {total}");
        assert!(by_ipm * 2 > total, "the interior-point certificates decided {by_ipm} of {total}");
        assert!(exact_no > 0, "no empty case");
    }

    fn unit_t(d: usize) -> Vec<Q> {
        (0..=d).map(|j| Q::from_integer(u8::from(j == d).into())).collect()
    }

    /// The independent check of a [`Proof`] of the answer `yes` to `somewhere_negative`: a
    /// point in the region (every facet) with every strict row `< 0`; or multipliers `y >= 0`
    /// on the LP's primitive rows summing to `(0, λ)`, `λ > 0`, with `Σ y_i b_i <= 0`.
    fn proof_holds(r: &Region, d: usize, strict: &[(Vec<Q>, Q)], proof: &Proof, yes: bool) -> bool {
        match proof {
            Proof::Point(x) => {
                yes && r.facets.iter().all(|f| dot(&f.a, x) <= f.b)
                    && strict.iter().all(|(w, c)| (dot(w, x) + c).is_negative())
            }
            Proof::Dual(y) => {
                let (a, b) = negative_lp(r, d, strict);
                let rows: Vec<(Vec<Z>, Z)> = a.iter().zip(&b).map(|(ai, bi)| primitive_row(ai, bi)).collect();
                let mut sum = vec![Q::zero(); d + 1];
                let mut bound = Q::zero();
                for (i, v) in y {
                    if v.is_negative() {
                        return false;
                    }
                    for (sj, aj) in sum.iter_mut().zip(&rows[*i].0) {
                        *sj += v * Q::from_integer(aj.clone());
                    }
                    bound += v * Q::from_integer(rows[*i].1.clone());
                }
                !yes && sum[..d].iter().all(Zero::is_zero) && sum[d].is_positive() && !bound.is_positive()
            }
        }
    }

    /// `dyadic` is each float's exact value over one power of two: zeros, signs, subnormals,
    /// the extremes of the range, integers and fractions together; `None` for non-finite.
    #[test]
    fn dyadic_is_the_exact_binary_value() {
        let cases: Vec<Vec<f64>> = vec![
            vec![],
            vec![0.0, -0.0],
            vec![1.5, -0.375, 3.0],
            vec![f64::MIN_POSITIVE, 5e-324, -5e-324, 1.0],
            vec![f64::MAX, -f64::MAX, 0.1, 2f64.powi(-1022) * 3.0],
            vec![1e300, 1e-300, -7.0],
        ];
        for x in cases {
            let (ints, den) = dyadic(&x).expect("finite");
            assert!(den.is_positive() && (den.clone() & (&den - 1u8)).is_zero(), "{den} is a power of two");
            for (v, n) in x.iter().zip(&ints) {
                assert_eq!(Q::new(n.clone(), den.clone()), from_f64_exact(*v).unwrap(), "{v:e}");
            }
        }
        assert!(dyadic(&[1.0, f64::NAN]).is_none());
        assert!(dyadic(&[f64::INFINITY]).is_none());
    }

    /// Past 16 inputs (the interior-point certificates' domain): the region at random points
    /// of random 20-6-6-3 nets in the box, every class: the boundary LP decided by
    /// [`ipm_max_is_positive`] as by the exact simplex, and most cases decided by it.
    #[test]
    fn interior_point_certificates_equal_the_exact_lp_in_20_dimensions() {
        let (mut decided, mut total) = (0, 0);
        for (seed, _, r) in crate::regions::local::regions_at_random_points(&[20, 6, 6, 3], 3, 3, 40) {
            for j in 0..3 {
                let strict: Vec<(Vec<Q>, Q)> = (0..3).filter(|&m| m != j).map(|m| diff(&r, m, j)).collect();
                let (a, b) = negative_lp(&r, 20, &strict);
                let exact = somewhere_negative_exact(&a, &b, 20);
                total += 1;
                if let Some(told) = ipm_max_is_positive(&Prepared::new(&r), 20, &strict) {
                    assert_eq!(matches!(told, Told::Yes(_)), exact, "seed {seed} class {j}");
                    decided += 1;
                }
            }
        }
        assert!(decided * 4 >= total * 3, "decided {decided} of {total}");
    }
}
