//! Scaled integer rows of each layer (`i64` → `i128` → BigInt), their rank-one updates
//! across a flipped neuron, and the per-walk cache of layer rows.

use super::model::*;
use crate::arith::filter::{self, Approx, FloatLayer, FloatNet, z_to_f64};
use crate::arith::num::{Q, Z};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

/// The output weights over one denominator `l` (the lcm of theirs), times the last hidden
/// layer's activation factors: `weight[o][k] = l·W[o][k]·f` for `f = q` (`active`) and
/// `f = p` (`inactive`); with no hidden layer both are `l·W`. Saves the lcm and the
/// divisions on every region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogitInts {
    pub(crate) l: Z,
    pub(crate) active: Vec<Vec<Z>>,
    pub(crate) inactive: Vec<Vec<Z>>,
    /// `(active, inactive)` as `i64` when every entry fits (derived): the logits of rows that
    /// fit `i128` are then summed in `i128` or 256-bit integers.
    pub(crate) small: Option<(SmallMatrix, SmallMatrix)>,
}

/// A matrix of `i64` entries, rows of columns.
pub(crate) type SmallMatrix = Vec<Vec<i64>>;

impl LogitInts {
    pub(crate) fn new(output: &Dense, last: Option<&IntLayer>) -> LogitInts {
        let l = output.weight.iter().flatten().fold(Z::one(), |acc, v| acc.lcm(v.denom()));
        let one = Z::one();
        let scaled = |f: &Z| -> Vec<Vec<Z>> {
            output
                .weight
                .iter()
                .map(|row| row.iter().map(|w| w.numer() * (&l / w.denom()) * f).collect())
                .collect()
        };
        let (q, p) = last.map_or((&one, &one), |il| (&il.q, &il.p));
        let (active, inactive) = (scaled(q), scaled(p));
        let small_of = |m: &Vec<Vec<Z>>| -> Option<SmallMatrix> {
            m.iter().map(|row| row.iter().map(|v| v.to_i64()).collect()).collect()
        };
        let small = small_of(&active).zip(small_of(&inactive));
        LogitInts { active, inactive, l, small }
    }
}

/// A hidden layer scaled to integers: `weight = L·W`, `bias = L·b` with `L` the lcm of the
/// layer's denominators, and the slope `p/q` as the pair `(q, p)` with `q > 0`. Running
/// the network on these (and multiplying active outputs by `q`, inactive by `p`) scales
/// every pre-activation of layer `l` by a positive factor, so all signs are unchanged;
/// the running factor `scale` multiplies the biases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IntLayer {
    pub(crate) weight: Vec<Vec<Z>>,
    pub(crate) bias: Vec<Z>,
    /// Factor by which this layer multiplies the running scale: `L·q`.
    pub(crate) factor: Z,
    /// `weight` as `i64` when every entry fits (derived): matrix-vector products of the
    /// rank-one updates run in `i128` when the vector fits in `i64` too.
    pub(crate) small: Option<Vec<Vec<i64>>>,
    pub(crate) q: Z,
    pub(crate) p: Z,
}

pub(crate) fn float_copy(ints: &[IntLayer]) -> FloatNet {
    let layers: Vec<FloatLayer> =
        ints.iter().map(|l| FloatLayer::new(&l.weight, &l.bias, &l.q, &l.p)).collect();
    FloatNet(layers.iter().all(FloatLayer::is_finite).then_some(layers))
}

impl IntLayer {
    pub(crate) fn new(h: &HiddenLayer) -> IntLayer {
        let mut l = Z::one();
        for v in h.dense.weight.iter().flatten().chain(&h.dense.bias) {
            l = l.lcm(v.denom());
        }
        let int = |v: &Q| v.numer() * (&l / v.denom());
        let q = h.slope.denom().clone();
        let p = h.slope.numer().clone();
        let weight: Vec<Vec<Z>> = h.dense.weight.iter().map(|r| r.iter().map(int).collect()).collect();
        let small =
            weight.iter().map(|r| r.iter().map(|v| v.to_i64()).collect::<Option<Vec<i64>>>()).collect();
        IntLayer { small, weight, bias: h.dense.bias.iter().map(int).collect(), factor: &l * &q, q, p }
    }
}

/// Rows of one layer's scaled pre-activations from the rows `cur` of its scaled input.
impl Network {
    /// Rows of layer `l` for the shallower bits `key` from a cached key that differs in one
    /// neuron `j` of an earlier layer `m` (the layers' rows `below`, of `key`'s pattern):
    /// only that neuron's output factor changes, by `δ = f_new - f_old`, so layer `m + 1`'s
    /// rows move by `u ⊗ raw_j` with `u = δ·W_{m+1}[·][j]`, and each later layer (whose bits
    /// are the same in both keys) maps `u` linearly: `u ← W_t·diag(f_{t-1})·u`. A rank-one
    /// update, O(width·d) plus O(width²) scalar products per layer in between, instead of
    /// O(width²·d) for the full composition. Flips in layer `l - 1` (cheapest) are tried
    /// first. `None` if no such key is cached.
    pub(crate) fn rank_one(
        &self,
        cache: &MapsCache,
        l: usize,
        key: &[bool],
        below: &[Arc<LayerRows>],
    ) -> Option<LayerRows> {
        let starts = self.layer_starts();
        let (base, m, j) = {
            let map = cache.layers[l].lock().expect("cache lock");
            let mut other = key.to_vec();
            let mut found = None;
            'search: for m in (0..l).rev() {
                for b in starts[m]..starts[m] + self.ints[m].bias.len() {
                    other[b] = !other[b];
                    let hit = map.get(&other).cloned();
                    other[b] = !other[b];
                    if let Some(base) = hit {
                        found = Some((base, m, b - starts[m]));
                        break 'search;
                    }
                }
            }
            found?
        };
        Some(self.flip_rows(l, key, below, &base, m, j))
    }

    /// The rank-one update of [`Network::rank_one`] from known rows `base` of layer `l`
    /// whose key differs from `key` exactly in neuron `j` of layer `m < l`.
    pub(crate) fn flip_rows(
        &self,
        l: usize,
        key: &[bool],
        below: &[Arc<LayerRows>],
        base: &LayerRows,
        m: usize,
        j: usize,
    ) -> LayerRows {
        let factor = |layer: usize, active: bool| {
            let il = &self.ints[layer];
            if active { &il.q } else { &il.p }
        };
        let starts = self.layer_starts();
        let bit = |layer: usize, n: usize| key[starts[layer] + n];
        let delta = factor(m, bit(m, j)) - factor(m, !bit(m, j));
        let mut u: Vec<Z> = self.ints[m + 1].weight.iter().map(|w| &w[j] * &delta).collect();
        for t in m + 2..=l {
            let v: Vec<Z> = u.iter().enumerate().map(|(n, x)| x * factor(t - 1, bit(t - 1, n))).collect();
            u = self.mat_vec(t, &v);
        }
        // In i128 when the rows and the update fit (every step checked), else in BigInts.
        let d1 = self.input_dim + 1;
        if let (Some(bw), Some(rw), Some(uw)) =
            (base.wide(), below[m].wide(), u.iter().map(|x| x.to_i128()).collect::<Option<Vec<i128>>>())
        {
            let rj = &rw[j * d1..(j + 1) * d1];
            let out: Option<Vec<i128>> = bw
                .chunks(d1)
                .zip(&uw)
                .flat_map(|(row, &um)| {
                    row.iter().zip(rj).map(move |(&x, &y)| um.checked_mul(y)?.checked_add(x))
                })
                .collect();
            if let Some(out) = out {
                return LayerRows::from_wide(out, d1);
            }
        }
        let (ra, rc) = &below[m].rows()[j];
        LayerRows::new(
            base.rows()
                .iter()
                .zip(&u)
                .map(|((a, c), um)| {
                    if um.is_zero() {
                        return (a.clone(), c.clone());
                    }
                    (a.iter().zip(ra).map(|(x, y)| x + um * y).collect(), c + um * rc)
                })
                .collect(),
        )
    }

    /// The running scale of layer `l`'s rows: the product of the factors of the layers
    /// before it.
    pub(crate) fn scale_of(&self, l: usize) -> Z {
        self.ints[..l].iter().fold(Z::one(), |s, il| s * &il.factor)
    }

    /// One row `i` of layer `l > 0` from the rows `prev` of layer `l - 1` and that layer's
    /// bits `bits` (`scale` = [`Network::scale_of`]`(l)`): O(width·d) instead of the
    /// whole layer.
    pub(crate) fn row_of(
        &self,
        l: usize,
        i: usize,
        bits: &[bool],
        prev: &LayerRows,
        scale: &Z,
    ) -> (Vec<Z>, Z) {
        let il = &self.ints[l];
        let below = &self.ints[l - 1];
        let d = self.input_dim;
        if let (Some(w), Some(rows), Some(q), Some(p)) =
            (&il.small, prev.small(), below.q.to_i64(), below.p.to_i64())
        {
            // Every product w·f·r fits in i128 when w·f does in i64; sums are checked.
            let sum = || -> Option<Vec<i128>> {
                let mut acc = vec![0i128; d + 1];
                for ((&wv, r), &act) in w[i].iter().zip(rows.chunks(d + 1)).zip(bits) {
                    let wf = wv.checked_mul(if act { q } else { p })?;
                    if wf == 0 {
                        continue;
                    }
                    for (x, &rv) in acc.iter_mut().zip(r) {
                        *x = x.checked_add(i128::from(wf) * i128::from(rv))?;
                    }
                }
                Some(acc)
            };
            if let Some(acc) = sum() {
                let a = acc[..d].iter().map(|&v| Z::from(v)).collect();
                return (a, Z::from(acc[d]) + &il.bias[i] * scale);
            }
        }
        if let (Some(w), Some(rows), Some(q), Some(p)) =
            (&il.small, prev.wide(), below.q.to_i64(), below.p.to_i64())
        {
            // Rows beyond i64 but within i128: each r = h·2^64 + l (h signed, 0 <= l < 2^64),
            // and Σ w·f·r = 2^64·Σ w·f·h + Σ w·f·l, both sums in i128 (every step checked).
            let sum = || -> Option<Vec<(i128, i128)>> {
                let mut acc = vec![(0i128, 0i128); d + 1];
                for ((&wv, r), &act) in w[i].iter().zip(rows.chunks(d + 1)).zip(bits) {
                    let wf = i128::from(wv.checked_mul(if act { q } else { p })?);
                    if wf == 0 {
                        continue;
                    }
                    for ((hi, lo), &rv) in acc.iter_mut().zip(r) {
                        *hi = hi.checked_add(wf.checked_mul(rv >> 64)?)?;
                        *lo = lo.checked_add(wf.checked_mul(i128::from(rv as u64))?)?;
                    }
                }
                Some(acc)
            };
            if let Some(acc) = sum() {
                let mut v = acc.into_iter().map(|(hi, lo)| (Z::from(hi) << 64u32) + Z::from(lo));
                let a = v.by_ref().take(d).collect();
                let c = v.next().expect("d + 1 entries") + &il.bias[i] * scale;
                return (a, c);
            }
        }
        let mut a = vec![Z::zero(); d];
        let mut c = &il.bias[i] * scale;
        for ((w, (ra, rc)), &act) in il.weight[i].iter().zip(prev.rows()).zip(bits) {
            let f = if act { &below.q } else { &below.p };
            if w.is_zero() || f.is_zero() {
                continue;
            }
            let wf = if f.is_one() { w.clone() } else { w * f };
            for (av, rv) in a.iter_mut().zip(ra) {
                *av += &wf * rv;
            }
            c += &wf * rc;
        }
        (a, c)
    }

    /// The rows of layer `l > 0` in floats with error bounds (`d + 1` to a row), composed
    /// from the exact rows `prev` of layer `l - 1` and its bits. `None` if a constant is
    /// out of the `f64` range.
    pub(crate) fn float_rows(
        &self,
        l: usize,
        bits: &[bool],
        prev: &LayerRows,
        scale: &Z,
    ) -> Option<Vec<Approx>> {
        let layers = self.floats.0.as_ref()?;
        let (fl, below) = (&layers[l], &layers[l - 1]);
        let w = self.input_dim + 1;
        let h: Vec<Approx> = prev
            .floats
            .chunks(w)
            .zip(bits)
            .flat_map(|(r, &act)| {
                let f = if act { below.q } else { below.p };
                r.iter().map(move |&v| Approx::converted(v).times(f))
            })
            .collect();
        let s = z_to_f64(scale);
        let mut out = Vec::with_capacity(fl.bias.len() * w);
        for (row, b) in fl.weight.iter().zip(&fl.bias) {
            for t in 0..w {
                out.push(filter::dot(row, &h, w, t, if t + 1 == w { b * s } else { 0.0 }));
            }
        }
        Some(out)
    }

    /// [`Network::flip_rows`] in floats: the rows `base` (with bounds) of a key that
    /// differs from `key` exactly in neuron `j` of layer `m < l`, moved by the update
    /// vector carried through the layers in between. `None` if a constant is out of range.
    pub(crate) fn float_flip(
        &self,
        l: usize,
        key: &[bool],
        below: &[Arc<LayerRows>],
        base: &[Approx],
        m: usize,
        j: usize,
    ) -> Option<Vec<Approx>> {
        let layers = self.floats.0.as_ref()?;
        let factor = |layer: usize, active: bool| if active { layers[layer].q } else { layers[layer].p };
        let starts = self.layer_starts();
        let bit = |layer: usize, n: usize| key[starts[layer] + n];
        // δ = f_new - f_old: a difference of two converted integers, exact or within u.
        let (fa, fb) = (factor(m, bit(m, j)), factor(m, !bit(m, j)));
        let delta = Approx::difference(fa, fb);
        let mut u: Vec<Approx> = layers[m + 1]
            .weight
            .iter()
            .map(|w| Approx::ZERO.add_product(Approx::converted(w[j]), delta))
            .collect();
        for t in m + 2..=l {
            let v: Vec<Approx> =
                u.iter().enumerate().map(|(n, x)| x.times(factor(t - 1, bit(t - 1, n)))).collect();
            u = layers[t].weight.iter().map(|w| filter::dot_approx(w, &v)).collect();
        }
        let wd = self.input_dim + 1;
        let r: Vec<Approx> =
            below[m].floats[j * wd..(j + 1) * wd].iter().map(|&x| Approx::converted(x)).collect();
        let mut out = base.to_vec();
        for (row, &um) in out.chunks_mut(wd).zip(&u) {
            if um.v == 0.0 && um.e == 0.0 {
                continue;
            }
            for (x, rc) in row.iter_mut().zip(&r) {
                *x = x.add_product(um, *rc);
            }
        }
        Some(out)
    }

    /// `W_t · v` in integers: in `i128` when the weights and `v` fit in `i64` (each
    /// product fits; a sum that overflows is redone in BigInt), in BigInt otherwise.
    pub(crate) fn mat_vec(&self, t: usize, v: &[Z]) -> Vec<Z> {
        let il = &self.ints[t];
        let big =
            |w: &Vec<Z>| -> Z { w.iter().zip(v).filter(|(_, x)| !x.is_zero()).map(|(wv, x)| wv * x).sum() };
        let vs: Option<Vec<i64>> = v.iter().map(|x| x.to_i64()).collect();
        match (&il.small, vs) {
            (Some(ws), Some(vs)) => ws
                .iter()
                .zip(&il.weight)
                .map(|(w, wz)| {
                    w.iter()
                        .zip(&vs)
                        .try_fold(0i128, |acc, (&a, &b)| acc.checked_add(i128::from(a) * i128::from(b)))
                        .map_or_else(|| big(wz), Z::from)
                })
                .collect(),
            _ => il.weight.iter().map(big).collect(),
        }
    }

    /// The rows `(a, c)` of layer `l`'s scaled input as functions of `x`: the identity for
    /// `l = 0`, else the rows of layer `l - 1` (`prev`, with that layer's bits) times their
    /// activation factors.
    pub(crate) fn layer_inputs(&self, l: usize, prev: Option<(&LayerRows, &[bool])>) -> Vec<(Vec<Z>, Z)> {
        let d = self.input_dim;
        let Some((rows, bits)) = prev else {
            return (0..d)
                .map(|i| {
                    let mut a = vec![Z::zero(); d];
                    a[i] = Z::one();
                    (a, Z::zero())
                })
                .collect();
        };
        let below = &self.ints[l - 1];
        rows.rows()
            .iter()
            .zip(bits)
            .map(|((a, c), &act)| {
                let f = if act { &below.q } else { &below.p };
                if f.is_zero() {
                    (vec![Z::zero(); d], Z::zero())
                } else if f.is_one() {
                    (a.clone(), c.clone())
                } else {
                    (a.iter().map(|v| v * f).collect(), c * f)
                }
            })
            .collect()
    }

    /// Where each hidden layer's bits start in a pattern.
    pub(crate) fn layer_starts(&self) -> Vec<usize> {
        let mut starts = Vec::with_capacity(self.ints.len());
        let mut k = 0;
        for il in &self.ints {
            starts.push(k);
            k += il.bias.len();
        }
        starts
    }

    /// The rows of layer `l` composed in full from the rows `below` of the layers before
    /// it, for the bits `key` of those layers (no cache).
    pub(crate) fn compose_rows(&self, l: usize, key: &[bool], below: &[Arc<LayerRows>]) -> LayerRows {
        let d = self.input_dim;
        let scale = self.scale_of(l);
        let prev = (l > 0).then(|| (&*below[l - 1], &key[self.layer_starts()[l - 1]..]));
        let inputs = self.layer_inputs(l, prev);
        LayerRows::new(compose_int(&self.ints[l], &inputs, &scale, d))
    }
}

pub(crate) fn compose_int(layer: &IntLayer, cur: &[(Vec<Z>, Z)], scale: &Z, d: usize) -> Vec<(Vec<Z>, Z)> {
    layer
        .weight
        .iter()
        .zip(&layer.bias)
        .map(|(row, b)| {
            let mut a = vec![Z::zero(); d];
            let mut c = b * scale;
            for (w, (ra, rc)) in row.iter().zip(cur) {
                if w.is_zero() {
                    continue;
                }
                for (av, rv) in a.iter_mut().zip(ra) {
                    if !rv.is_zero() {
                        *av += w * rv;
                    }
                }
                if !rc.is_zero() {
                    c += w * rc;
                }
            }
            (a, c)
        })
        .collect()
}

/// The pre-activation rows of one layer as functions of the input (integers over the
/// layer's running scale), with their `f64` images flattened `d + 1` to a row, and the
/// primitive form of each row (divided by the gcd of its entries) computed on first use:
/// the plane path needs it only for the few rows that may be facets.
#[derive(Debug)]
pub(crate) struct LayerRows {
    /// The rows as BigInts (on first use when built from `wide`).
    pub(crate) rows: std::sync::OnceLock<Vec<(Vec<Z>, Z)>>,
    /// The rows as `i128`, `d + 1` to a row, when every entry fits (set when built from
    /// `i128` arithmetic, else on first use): a rank-one update then needs no allocation per
    /// entry.
    pub(crate) wide: std::sync::OnceLock<Option<Vec<i128>>>,
    pub(crate) floats: Vec<f64>,
    /// Entries per row (`d + 1`).
    pub(crate) d1: usize,
    pub(crate) prim: std::sync::OnceLock<Vec<(Vec<Z>, Z)>>,
    /// The rows as `i64`, `d + 1` to a row, when every entry fits (on first use).
    pub(crate) small: std::sync::OnceLock<Option<Vec<i64>>>,
    /// The largest `|entry|` of `wide` (on first use).
    pub(crate) wide_max: std::sync::OnceLock<u128>,
}

/// Equal rows; the floats and primitive forms are derived from them.
impl PartialEq for LayerRows {
    fn eq(&self, other: &LayerRows) -> bool {
        self.rows() == other.rows()
    }
}

impl LayerRows {
    pub(crate) fn new(rows: Vec<(Vec<Z>, Z)>) -> LayerRows {
        let floats =
            rows.iter().flat_map(|(a, c)| a.iter().chain(std::iter::once(c)).map(z_to_f64)).collect();
        let d1 = rows.first().map_or(1, |(a, _)| a.len() + 1);
        LayerRows {
            rows: std::sync::OnceLock::from(rows),
            wide: std::sync::OnceLock::new(),
            floats,
            d1,
            prim: std::sync::OnceLock::new(),
            small: std::sync::OnceLock::new(),
            wide_max: std::sync::OnceLock::new(),
        }
    }

    /// Rows given as `i128`, `d1 = d + 1` to a row.
    pub(crate) fn from_wide(wide: Vec<i128>, d1: usize) -> LayerRows {
        // `as f64` rounds to nearest: within the `2u` that `filter` assumes of a conversion.
        let floats = wide.iter().map(|&v| v as f64).collect();
        LayerRows {
            rows: std::sync::OnceLock::new(),
            wide: std::sync::OnceLock::from(Some(wide)),
            floats,
            d1,
            prim: std::sync::OnceLock::new(),
            small: std::sync::OnceLock::new(),
            wide_max: std::sync::OnceLock::new(),
        }
    }

    /// The raw rows `(a, c)`.
    pub(crate) fn rows(&self) -> &[(Vec<Z>, Z)] {
        self.rows.get_or_init(|| {
            let wide = self.wide.get().and_then(|w| w.as_ref()).expect("rows from BigInts or i128");
            wide.chunks(self.d1).map(Self::big_row).collect()
        })
    }

    /// One `i128` row `(a, c)` as BigInts.
    pub(crate) fn big_row(r: &[i128]) -> (Vec<Z>, Z) {
        let (c, a) = r.split_last().expect("d + 1 entries");
        (a.iter().map(|&v| Z::from(v)).collect(), Z::from(*c))
    }

    /// Row `i` as BigInts (without building the others when the rows are `i128`).
    pub(crate) fn row(&self, i: usize) -> (Vec<Z>, Z) {
        if self.rows.get().is_none()
            && let Some(Some(w)) = self.wide.get()
        {
            return Self::big_row(&w[i * self.d1..(i + 1) * self.d1]);
        }
        self.rows()[i].clone()
    }

    /// The rows as `i128` when every entry fits.
    pub(crate) fn wide(&self) -> Option<&[i128]> {
        self.wide
            .get_or_init(|| {
                self.rows().iter().flat_map(|(a, c)| a.iter().chain([c])).map(|v| v.to_i128()).collect()
            })
            .as_deref()
    }

    /// The largest `|entry|` of [`Self::wide`], when the rows fit `i128`.
    pub(crate) fn wide_max(&self) -> Option<u128> {
        let wide = self.wide()?;
        Some(*self.wide_max.get_or_init(|| wide.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0)))
    }

    /// The `f64` images of the rows, `d + 1` to a row.
    pub(crate) fn floats(&self) -> &[f64] {
        &self.floats
    }

    pub(crate) fn small(&self) -> Option<&[i64]> {
        self.small
            .get_or_init(|| match self.wide.get() {
                Some(Some(w)) => w.iter().map(|&v| i64::try_from(v).ok()).collect(),
                _ => self.rows().iter().flat_map(|(a, c)| a.iter().chain([c])).map(|v| v.to_i64()).collect(),
            })
            .as_deref()
    }

    pub(crate) fn prim(&self) -> &[(Vec<Z>, Z)] {
        self.prim.get_or_init(|| {
            self.rows()
                .iter()
                .map(|(a, c)| crate::arith::num::primitive_ints(a.iter().chain([c]).cloned().collect()))
                .collect()
        })
    }
}

/// Shared cache of layer rows keyed by the bits of the layers before (see
/// [`Network::pattern_maps_with`]); safe to use from several threads. Only speed depends on
/// it, never a result.
#[derive(Debug, Default)]
pub struct MapsCache {
    /// Fx hashing: the keys are long bit vectors looked up O(bits) times per miss
    /// (`rank_one`); SipHash cost ~8% of a 2D walk. Never iterated for output.
    pub(crate) layers: Vec<Mutex<FxHashMap<Vec<bool>, Arc<LayerRows>>>>,
    /// Entries a layer may hold before it is emptied (memory stays bounded on long walks).
    pub(crate) caps: Vec<usize>,
}

/// Integers (row entries) the cache may hold per layer: about 64 MiB at ~64 bytes each.
pub(crate) const CACHE_INTS_PER_LAYER: usize = 1 << 20;

impl MapsCache {
    pub fn new(net: &Network) -> MapsCache {
        let caps = net
            .hidden
            .iter()
            .map(|h| (CACHE_INTS_PER_LAYER / (h.dense.out_dim() * (net.input_dim + 1)).max(1)).max(64))
            .collect();
        MapsCache { layers: net.hidden.iter().map(|_| Mutex::new(FxHashMap::default())).collect(), caps }
    }

    pub(crate) fn insert(&self, l: usize, key: Vec<bool>, rows: Arc<LayerRows>) {
        let mut map = self.layers[l].lock().expect("cache lock");
        if map.len() >= self.caps[l] {
            map.clear();
        }
        map.insert(key, rows);
    }
}
