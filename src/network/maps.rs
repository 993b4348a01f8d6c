//! The exact affine maps of a pattern: every hidden neuron's pre-activation and the logits,
//! as scaled integer rows.

use super::{model::*, rows::*};
use crate::arith::num::{Q, W256, Z};
use num_traits::{One, ToPrimitive, Zero};
use std::sync::Arc;

/// The exact affine maps of a network on the region of one pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternMaps {
    /// The layers' rows as computed (shared with the walk's cache), with their `f64` images
    /// for the float filters of [`Network::cross`].
    pub(crate) layers: Vec<Arc<LayerRows>>,
    /// The logits: `weight x + bias`.
    pub logits: Dense,
}

impl PatternMaps {
    /// Pre-activation of every hidden neuron, in pattern order, as integer rows `(a, c)`
    /// with `a·x + c = λ_l · z(x)` for a positive factor `λ_l` per layer.
    pub fn pre(&self) -> impl Iterator<Item = &(Vec<Z>, Z)> {
        self.layers.iter().flat_map(|l| l.rows().iter())
    }

    /// The pre-activation rows `(a, c)` divided by the gcd of their entries (same order as
    /// `pre`): `a·x + c` has the sign of the neuron's pre-activation.
    pub fn primitive_pre(&self) -> impl Iterator<Item = &(Vec<Z>, Z)> {
        self.layers.iter().flat_map(|l| l.prim().iter())
    }

    /// [`Self::pre`] with each row's floats `(â, ĉ)` (each within `2u` relative).
    pub fn pre_f(&self) -> impl Iterator<Item = (&(Vec<Z>, Z), &[f64])> {
        self.layers.iter().flat_map(|l| l.rows().iter().zip(l.floats.chunks(l.d1)))
    }

    /// The first neuron (flat index) that is identically zero on the region yet marked
    /// active in `p`: such a pattern is not canonical (its bit must be 0). Carried values
    /// (`carried`, [`Network::is_carried`]) are always marked active and are skipped.
    pub(crate) fn zero_but_active(&self, p: &Pattern, carried: &[bool]) -> Option<usize> {
        self.pre()
            .enumerate()
            .position(|(k, (a, c))| p.0[k] && !carried[k] && c.is_zero() && a.iter().all(Zero::is_zero))
    }
}

impl Network {
    /// [`PatternMaps::zero_but_active`] of `p`'s maps: the first neuron (flat index) that is
    /// identically zero on the region of `p` yet marked active (not canonical).
    pub fn zero_but_active(&self, p: &Pattern) -> Option<usize> {
        self.pattern_maps(p).zero_but_active(p, &self.carried)
    }

    /// The exact affine maps on the region of pattern `p`. The pre-activations are
    /// computed on the integer copy of the network, so each is the true pre-activation
    /// times a positive factor (equal within a layer): signs, zero sets and half-spaces are
    /// exact. The logits are the true map.
    pub fn pattern_maps(&self, p: &Pattern) -> PatternMaps {
        self.pattern_maps_with(p, None)
    }

    /// [`Network::pattern_maps`] reusing the rows of each layer computed for an earlier
    /// pattern with the same bits in the layers before it (layer 0's rows never change;
    /// deeper rows are shared by all regions of a cell of the shallower layers).
    pub fn pattern_maps_with(&self, p: &Pattern, cache: Option<&MapsCache>) -> PatternMaps {
        assert_eq!(p.0.len(), self.num_bits(), "pattern length");
        let d = self.input_dim;
        let identity = self.layer_inputs(0, None);
        // Rows (a, c) of the scaled input h' = scale·h of layer l as functions of x. Built only
        // when a layer's rows must be composed (no cache, or a cache miss without a rank-one
        // neighbour).
        let inputs = |prev: &Option<(Arc<LayerRows>, usize)>, l: usize| -> Vec<(Vec<Z>, Z)> {
            self.layer_inputs(l, prev.as_ref().map(|(rows, start)| (&**rows, &p.0[*start..])))
        };
        let mut scale = Z::one();
        let mut layers = Vec::with_capacity(self.ints.len());
        let mut k = 0;
        // Raw rows of the previous layer and where its bits start.
        let mut prev: Option<(Arc<LayerRows>, usize)> = None;
        for (l, layer) in self.ints.iter().enumerate() {
            let rows = match cache {
                None => Arc::new(LayerRows::new(compose_int(layer, &inputs(&prev, l), &scale, d))),
                Some(c) => {
                    let key = p.0[..k].to_vec();
                    let hit = c.layers[l].lock().expect("cache lock").get(&key).cloned();
                    match hit {
                        Some(r) => r,
                        None => {
                            let r = Arc::new(
                                (l > 0).then(|| self.rank_one(c, l, &key, &layers)).flatten().unwrap_or_else(
                                    || LayerRows::new(compose_int(layer, &inputs(&prev, l), &scale, d)),
                                ),
                            );
                            c.insert(l, key, r.clone());
                            r
                        }
                    }
                }
            };
            layers.push(rows.clone());
            prev = Some((rows, k));
            k += layer.bias.len();
            scale *= &layer.factor;
        }
        // Logits in integers: W = W_int / L, h = f·rows / scale, one reduction per entry. The
        // sums Σ_k w_ok·(a_k, c_k) in `i128` or 256-bit integers when the rows fit `i128`.
        let wide = prev.as_ref().and_then(|(rows, start)| self.logit_sums_wide(rows, &p.0[*start..]));
        let sums = wide.unwrap_or_else(|| {
            let last: Vec<(&Vec<Z>, &Z, bool)> = match &prev {
                None => identity.iter().map(|(a, c)| (a, c, true)).collect(),
                Some((rows, start)) => {
                    rows.rows().iter().zip(&p.0[*start..]).map(|((a, c), &act)| (a, c, act)).collect()
                }
            };
            self.logit_sums_of(&last)
        });
        PatternMaps { layers, logits: self.logits_of_sums(sums, &scale) }
    }

    /// The logits from their integer sums `Σ_k w_ok·(a_k, c_k)` (`scale` the running scale
    /// after every hidden layer): `W = W_int / L`, `h = f·rows / scale`, one reduction per
    /// entry.
    pub(crate) fn logits_of_sums(&self, sums: Vec<Vec<Z>>, scale: &Z) -> Dense {
        let den = &self.logit_ints.l * scale;
        let (weight, bias): (Vec<Vec<Q>>, Vec<Q>) = sums
            .into_iter()
            .zip(&self.output.bias)
            .map(|(mut acc, b)| {
                let c = acc.pop().expect("d + 1 sums");
                // c/den + b = (c·b_d + b_n·den) / (den·b_d), reduced once.
                let bias = crate::arith::num::q_new(c * b.denom() + b.numer() * &den, &den * b.denom());
                (acc.into_iter().map(|v| crate::arith::num::q_new(v, den.clone())).collect(), bias)
            })
            .unzip();
        Dense { weight, bias }
    }

    /// The logits (the exact affine map) on the region of pattern `p`, from the exact rows
    /// `below` of hidden layer `l` for `p`'s bits, when `l` is the last hidden layer or the
    /// one before it (`None` otherwise). From the one before, the last layer is not composed
    /// (a width² product of big integers per region): with `u_oj = Σ_k w_ok·W_kj` and
    /// `β_o = Σ_k w_ok·b_k` over the last layer's neurons `k` (`w_ok` the output weight
    /// times `k`'s activation factor), the sums are `Σ_j u_oj·f_j·R_j + β_o·scale`, `R_j`
    /// the rows below and `f_j` their activation factors; `u` in `i128` when it fits. The
    /// same map as [`Network::pattern_maps`]' logits.
    pub(crate) fn logits_from_rows(&self, p: &Pattern, l: usize, below: &LayerRows) -> Option<Dense> {
        let n_layers = self.ints.len();
        let starts = self.layer_starts();
        let scale = self.scale_of(n_layers);
        if l + 1 == n_layers {
            let bits = &p.0[starts[l]..];
            let sums = self.logit_sums_wide(below, bits).unwrap_or_else(|| self.logit_sums_big(below, bits));
            return Some(self.logits_of_sums(sums, &scale));
        }
        if l + 2 != n_layers {
            return None;
        }
        let (last, lower) = (&self.ints[l + 1], &self.ints[l]);
        let (top, under) = (&p.0[starts[l + 1]..], &p.0[starts[l]..starts[l + 1]]);
        let li = &self.logit_ints;
        let d1 = self.input_dim + 1;
        let last_scale = self.scale_of(l + 1);
        let width = lower.bias.len();
        let sums = (0..self.output.bias.len())
            .map(|o| {
                let w = |k: usize| if top[k] { &li.active[o][k] } else { &li.inactive[o][k] };
                // u_o in i128 when the weights fit i64 (each product < 2^126, sums checked).
                let small: Option<Vec<i128>> =
                    li.small.as_ref().zip(last.small.as_ref()).and_then(|((a, i), wm)| {
                        let wo = |k: usize| if top[k] { a[o][k] } else { i[o][k] };
                        (0..width)
                            .map(|j| {
                                wm.iter().enumerate().try_fold(0i128, |acc, (k, row)| {
                                    acc.checked_add(i128::from(wo(k)) * i128::from(row[j]))
                                })
                            })
                            .collect()
                    });
                let beta: Z = last.bias.iter().enumerate().map(|(k, b)| w(k) * b).sum();
                // Σ_j u_oj·f_j·R_j in 256-bit integers when u and the rows fit i128.
                let wide = small.as_ref().and_then(|u| {
                    let rows = below.wide()?;
                    let (fq, fp) = (lower.q.to_i128()?, lower.p.to_i128()?);
                    let mut acc = vec![W256::ZERO; d1];
                    for ((&uj, r), &act) in u.iter().zip(rows.chunks(d1)).zip(under) {
                        let uf = uj.checked_mul(if act { fq } else { fp })?;
                        if uf == 0 {
                            continue;
                        }
                        for (x, &v) in acc.iter_mut().zip(r) {
                            *x = x.checked_add(W256::mul_i128(uf, v))?;
                        }
                    }
                    Some(acc.into_iter().map(W256::to_z).collect::<Vec<Z>>())
                });
                let mut acc = wide.unwrap_or_else(|| {
                    let u: Vec<Z> = match &small {
                        Some(u) => u.iter().map(|&v| Z::from(v)).collect(),
                        None => (0..width)
                            .map(|j| last.weight.iter().enumerate().map(|(k, row)| w(k) * &row[j]).sum())
                            .collect(),
                    };
                    let mut acc = vec![Z::zero(); d1];
                    for ((uj, (a, c)), &act) in u.iter().zip(below.rows()).zip(under) {
                        let f = if act { &lower.q } else { &lower.p };
                        if uj.is_zero() || f.is_zero() {
                            continue;
                        }
                        let uf = if f.is_one() { uj.clone() } else { uj * f };
                        for (x, r) in acc.iter_mut().zip(a.iter().chain([c])) {
                            *x += &uf * r;
                        }
                    }
                    acc
                });
                acc[d1 - 1] += beta * &last_scale;
                acc
            })
            .collect();
        Some(self.logits_of_sums(sums, &scale))
    }
}

/// A region's logit sums, kept to give the logits of its neighbours by rank-one updates
/// ([`Network::flipped_logits`]).
pub(crate) struct FlipBase {
    sums: Vec<Vec<Z>>,
    scale: Z,
}

impl Network {
    /// The [`FlipBase`] of the region of pattern `p` (its maps `maps`); `None` without hidden
    /// layers.
    pub(crate) fn flip_base(&self, p: &Pattern, maps: &PatternMaps) -> Option<FlipBase> {
        let n = self.ints.len();
        let last = maps.layers.get(n.checked_sub(1)?)?;
        let bits = &p.0[self.layer_starts()[n - 1]..];
        let sums = self.logit_sums_wide(last, bits).unwrap_or_else(|| self.logit_sums_big(last, bits));
        Some(FlipBase { sums, scale: self.scale_of(n) })
    }

    /// The logits on the region of `q`, a pattern that differs from the region's `p` in one
    /// neuron `j` of layer `m`, from `p`'s logit sums: flipping `j` changes its output factor
    /// by `δ`, so the last layer's rows move by `u ⊗ R_mj` (`u` from `δ·W_{m+1}[·][j]`
    /// through the later layers, as in [`Network::flip_rows`]) and each output's sums by
    /// `(Σ_k w_ok u_k)·R_mj` (for `m` the last layer, by the change of `j`'s output weight).
    /// O(outputs·(width + d)) instead of composing the layers. The same sums, so the same map
    /// as [`Network::pattern_maps`]; `None` if `q` differs in more than one neuron.
    pub(crate) fn flipped_logits(
        &self,
        base: &FlipBase,
        p: &Pattern,
        maps: &PatternMaps,
        q: &Pattern,
    ) -> Option<Dense> {
        let mut diff = p.0.iter().zip(&q.0).enumerate().filter(|(_, (a, b))| a != b).map(|(i, _)| i);
        let (Some(k), None) = (diff.next(), diff.next()) else { return None };
        let (m, j) = self.neuron_id(k);
        let n = self.ints.len();
        let starts = self.layer_starts();
        let li = &self.logit_ints;
        let w = |o: usize, i: usize, act: bool| if act { &li.active[o][i] } else { &li.inactive[o][i] };
        let outputs = base.sums.len();
        let coef: Vec<Z> = if m + 1 == n {
            (0..outputs).map(|o| w(o, j, q.0[k]) - w(o, j, p.0[k])).collect()
        } else {
            let factor = |layer: usize, active: bool| {
                let il = &self.ints[layer];
                if active { &il.q } else { &il.p }
            };
            let delta = factor(m, q.0[k]) - factor(m, p.0[k]);
            let mut u: Vec<Z> = self.ints[m + 1].weight.iter().map(|row| &row[j] * &delta).collect();
            for t in m + 2..n {
                let v: Vec<Z> =
                    u.iter().enumerate().map(|(i, x)| x * factor(t - 1, q.0[starts[t - 1] + i])).collect();
                u = self.mat_vec(t, &v);
            }
            let bits = &q.0[starts[n - 1]..];
            (0..outputs)
                .map(|o| {
                    u.iter()
                        .zip(bits)
                        .enumerate()
                        .filter(|(_, (ui, _))| !ui.is_zero())
                        .map(|(i, (ui, &act))| ui * w(o, i, act))
                        .sum()
                })
                .collect()
        };
        let (ra, rc) = &maps.layers[m].rows()[j];
        let sums: Vec<Vec<Z>> = base
            .sums
            .iter()
            .zip(&coef)
            .map(|(s, c)| {
                if c.is_zero() {
                    return s.clone();
                }
                s.iter()
                    .zip(ra.iter().chain([rc]))
                    .map(|(x, y)| if y.is_zero() { x.clone() } else { x + c * y })
                    .collect()
            })
            .collect();
        Some(self.logits_of_sums(sums, &base.scale))
    }

    /// The integer sums `Σ_k w_ok·(a_k, c_k)` of the logits over rows `(a_k, c_k)` with the
    /// bit of each, in BigInts.
    pub(crate) fn logit_sums_of(&self, last: &[(&Vec<Z>, &Z, bool)]) -> Vec<Vec<Z>> {
        let li = &self.logit_ints;
        (0..self.output.bias.len())
            .map(|o| {
                let mut acc = vec![Z::zero(); self.input_dim + 1];
                for (k, (ra, rc, act)) in last.iter().enumerate() {
                    let wi = if *act { &li.active[o][k] } else { &li.inactive[o][k] };
                    if wi.is_zero() {
                        continue;
                    }
                    for (av, rv) in acc.iter_mut().zip(ra.iter().chain([*rc])) {
                        *av += wi * rv;
                    }
                }
                acc
            })
            .collect()
    }

    /// [`Self::logit_sums_of`] of a layer's rows and its bits.
    pub(crate) fn logit_sums_big(&self, rows: &LayerRows, bits: &[bool]) -> Vec<Vec<Z>> {
        let last: Vec<(&Vec<Z>, &Z, bool)> =
            rows.rows().iter().zip(bits).map(|((a, c), &act)| (a, c, act)).collect();
        self.logit_sums_of(&last)
    }

    /// The integer sums `Σ_k w_ok·(a_k, c_k)` of the logits (`w` the active or inactive
    /// output weight by the bit of row `k`) when the last layer's rows fit `i128` (their
    /// `i128` form made on first use and kept with the rows) and the weights fit `i64`: in
    /// `i128` while nothing overflows, else each product at most 191 bits and the sums checked
    /// in 256-bit integers. `None` (the caller's BigInt path) otherwise.
    pub(crate) fn logit_sums_wide(&self, rows: &LayerRows, bits: &[bool]) -> Option<Vec<Vec<Z>>> {
        let (active, inactive) = self.logit_ints.small.as_ref()?;
        let wide = rows.wide()?;
        let d1 = rows.d1;
        let mut out = Vec::with_capacity(active.len());
        for (wa, wi) in active.iter().zip(inactive) {
            // In `i128` while no product or partial sum overflows (rows and weights of a
            // few dozen bits: every sum of a single-layer net), else in 256 bits. Same sums.
            let bounded = rows
                .small()
                .zip(rows.wide_max())
                .and_then(|(small, vmax)| logit_sum_bounded(small, vmax, d1, bits, wa, wi));
            if let Some(acc) = bounded.or_else(|| logit_sum_i128(wide, d1, bits, wa, wi)) {
                out.push(acc.into_iter().map(Z::from).collect());
                continue;
            }
            let mut acc = vec![W256::ZERO; d1];
            for ((r, &act), (&a, &i)) in wide.chunks(d1).zip(bits).zip(wa.iter().zip(wi)) {
                let w = if act { a } else { i };
                if w == 0 {
                    continue;
                }
                for (x, &v) in acc.iter_mut().zip(r) {
                    *x = x.checked_add(W256::from_i128(v).mul_i64(w)?)?;
                }
            }
            out.push(acc.into_iter().map(W256::to_z).collect());
        }
        Some(out)
    }
}

/// [`logit_sum_i128`] without a check per product, when no product or partial sum can
/// overflow: every row entry fits `i64` (`small`, the rows as `i64`; `vmax` the largest
/// `|v|`: every product fits `i128`) and `vmax · Σ_k max(|active_k|, |inactive_k|) < 2^127`
/// bounds every partial sum. `None` otherwise.
pub(crate) fn logit_sum_bounded(
    small: &[i64],
    vmax: u128,
    d1: usize,
    bits: &[bool],
    active: &[i64],
    inactive: &[i64],
) -> Option<Vec<i128>> {
    let wsum = active
        .iter()
        .zip(inactive)
        .try_fold(0u128, |s, (a, i)| s.checked_add(u128::from(a.unsigned_abs().max(i.unsigned_abs()))))?;
    if vmax > i64::MAX as u128 || vmax.checked_mul(wsum).is_none_or(|b| b > i128::MAX as u128) {
        return None;
    }
    let mut acc = vec![0i128; d1];
    for ((r, &act), (&a, &i)) in small.chunks_exact(d1).zip(bits).zip(active.iter().zip(inactive)) {
        let w = i128::from(if act { a } else { i });
        for (x, &v) in acc.iter_mut().zip(r) {
            // Exact: |v|, |w| < 2^63 and every partial sum is below the bound.
            *x += i128::from(v) * w;
        }
    }
    Some(acc)
}

/// One output's `Σ_k w_k·(a_k, c_k)` over `i128` rows (`d1` to a row; `w_k` from `active`
/// or `inactive` by the bit of row `k`) in `i128`, `None` as soon as a product or a partial
/// sum overflows.
pub(crate) fn logit_sum_i128(
    wide: &[i128],
    d1: usize,
    bits: &[bool],
    active: &[i64],
    inactive: &[i64],
) -> Option<Vec<i128>> {
    let mut acc = vec![0i128; d1];
    for ((r, &act), (&a, &i)) in wide.chunks(d1).zip(bits).zip(active.iter().zip(inactive)) {
        let w = i128::from(if act { a } else { i });
        if w == 0 {
            continue;
        }
        for (x, &v) in acc.iter_mut().zip(r) {
            *x = x.checked_add(v.checked_mul(w)?)?;
        }
    }
    Some(acc)
}
