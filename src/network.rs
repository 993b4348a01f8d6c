//! Piecewise-linear networks: validated structure, exact evaluation, activation patterns,
//! the exact affine maps of a pattern and the lexicographic sign rule used for crossing.
//!
//! Invariants: a [`Network`] is always valid (shapes agree, at least one input); consecutive
//! dense layers are composed exactly at construction, so hidden layers alternate
//! dense → activation and the logits are one final affine map.

use crate::filter::{self, Approx, FloatLayer, FloatNet, z_to_f64};
use crate::num::{Q, W256, Z, common_denominator, dot};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rustc_hash::FxHashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A dense layer `y = W x + b`, `W` stored `[out][in]` (PyTorch's layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dense {
    pub weight: Vec<Vec<Q>>,
    pub bias: Vec<Q>,
}

impl Dense {
    pub fn out_dim(&self) -> usize {
        self.bias.len()
    }
    fn in_dim(&self) -> usize {
        self.weight.first().map_or(0, |r| r.len())
    }
    /// Exact composition `self ∘ inner`.
    fn compose(&self, inner: &Dense) -> Dense {
        let weight = self
            .weight
            .iter()
            .map(|row| {
                (0..inner.in_dim())
                    .map(|j| row.iter().zip(&inner.weight).fold(Q::zero(), |acc, (w, ir)| acc + w * &ir[j]))
                    .collect()
            })
            .collect();
        let bias = self.weight.iter().zip(&self.bias).map(|(row, b)| dot(row, &inner.bias) + b).collect();
        Dense { weight, bias }
    }
    fn identity(n: usize) -> Dense {
        let weight =
            (0..n).map(|i| (0..n).map(|j| if i == j { Q::one() } else { Q::zero() }).collect()).collect();
        Dense { weight, bias: vec![Q::zero(); n] }
    }
}

/// One layer as written in a network file, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSpec {
    Dense(Dense),
    /// ReLU is slope 0; leaky ReLU any rational slope.
    Activation {
        slope: Q,
    },
}

/// A dense layer followed by a (leaky) ReLU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenLayer {
    pub dense: Dense,
    /// Slope on the inactive side: 0 for ReLU.
    pub slope: Q,
}

/// A validated piecewise-linear network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    input_dim: usize,
    hidden: Vec<HiddenLayer>,
    /// The logits as an affine map of the last hidden layer's outputs (or of the input).
    output: Dense,
    /// Integer copy of the hidden layers for sign decisions (derived from `hidden`).
    ints: Vec<IntLayer>,
    /// Float copy of `ints` for filtered sign decisions (derived).
    floats: FloatNet,
    /// The output weights as integers for the logits (derived).
    logit_ints: LogitInts,
}

/// The output weights over one denominator `l` (the lcm of theirs), times the last hidden
/// layer's activation factors: `weight[o][k] = l·W[o][k]·f` for `f = q` (`active`) and
/// `f = p` (`inactive`); with no hidden layer both are `l·W`. Saves the lcm and the
/// divisions on every region.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LogitInts {
    l: Z,
    active: Vec<Vec<Z>>,
    inactive: Vec<Vec<Z>>,
    /// `(active, inactive)` as `i64` when every entry fits (derived): the logits of rows that
    /// fit `i128` are then summed in `i128` or 256-bit integers.
    small: Option<(SmallMatrix, SmallMatrix)>,
}

/// A matrix of `i64` entries, rows of columns.
type SmallMatrix = Vec<Vec<i64>>;

impl LogitInts {
    fn new(output: &Dense, last: Option<&IntLayer>) -> LogitInts {
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
struct IntLayer {
    weight: Vec<Vec<Z>>,
    bias: Vec<Z>,
    /// Factor by which this layer multiplies the running scale: `L·q`.
    factor: Z,
    /// `weight` as `i64` when every entry fits (derived): matrix-vector products of the
    /// rank-one updates run in `i128` when the vector fits in `i64` too.
    small: Option<Vec<Vec<i64>>>,
    q: Z,
    p: Z,
}

fn float_copy(ints: &[IntLayer]) -> FloatNet {
    let layers: Vec<FloatLayer> =
        ints.iter().map(|l| FloatLayer::new(&l.weight, &l.bias, &l.q, &l.p)).collect();
    FloatNet(layers.iter().all(FloatLayer::is_finite).then_some(layers))
}

impl IntLayer {
    fn new(h: &HiddenLayer) -> IntLayer {
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

/// A structural problem in a network description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError {
    /// Index of the layer in the `layers` list, if the problem belongs to one.
    pub layer: Option<usize>,
    /// The field at fault (`input_dim`, `weight`, `bias`, `type`, `slope`, `layers`).
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layer {
            Some(l) => write!(f, "layer {l}, field `{}`: {}", self.field, self.problem),
            None => write!(f, "field `{}`: {}", self.field, self.problem),
        }
    }
}

impl std::error::Error for NetworkError {}

/// An activation pattern: one bit per hidden neuron, layer after layer (`true` = active).
/// Ordered lexicographically, which is the order of the wire strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pattern(pub Vec<bool>);

/// A hidden neuron: (activation layer counted from 0, index in the layer).
pub type NeuronId = (usize, usize);

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
    /// active in `p`: such a pattern is not canonical (its bit must be 0).
    pub fn zero_but_active(&self, p: &Pattern) -> Option<usize> {
        self.pre().enumerate().position(|(k, (a, c))| p.0[k] && c.is_zero() && a.iter().all(Zero::is_zero))
    }
}

impl Network {
    /// Validate a layer list and build the network: composes consecutive dense layers.
    pub fn from_layers(input_dim: usize, layers: Vec<LayerSpec>) -> Result<Network, NetworkError> {
        if input_dim == 0 {
            return Err(NetworkError {
                layer: None,
                field: "input_dim",
                problem: "must be at least 1".into(),
            });
        }
        if layers.is_empty() {
            return Err(NetworkError {
                layer: None,
                field: "layers",
                problem: "is empty: a network needs at least one dense layer".into(),
            });
        }
        let mut width = input_dim;
        let mut hidden = Vec::new();
        let mut pending: Option<Dense> = None;
        let mut last_was_activation = false;
        for (i, layer) in layers.into_iter().enumerate() {
            match layer {
                LayerSpec::Dense(dense) => {
                    if dense.bias.is_empty() {
                        return Err(NetworkError {
                            layer: Some(i),
                            field: "bias",
                            problem: "is empty: a dense layer needs at least one output".into(),
                        });
                    }
                    if dense.weight.len() != dense.bias.len() {
                        return Err(NetworkError {
                            layer: Some(i),
                            field: "weight",
                            problem: format!(
                                "has {} rows but `bias` has {} entries (weight is [out][in])",
                                dense.weight.len(),
                                dense.bias.len()
                            ),
                        });
                    }
                    for (r, row) in dense.weight.iter().enumerate() {
                        if row.len() != width {
                            return Err(NetworkError {
                                layer: Some(i),
                                field: "weight",
                                problem: format!(
                                    "row {r} has {} entries but the layer's input has width {width}",
                                    row.len()
                                ),
                            });
                        }
                    }
                    width = dense.out_dim();
                    pending = Some(match pending.take() {
                        Some(inner) => dense.compose(&inner),
                        None => dense,
                    });
                    last_was_activation = false;
                }
                LayerSpec::Activation { slope } => {
                    let Some(dense) = pending.take() else {
                        let problem = if last_was_activation {
                            "activation follows another activation; put a dense layer between"
                        } else {
                            "activation comes first; a dense layer must precede it"
                        };
                        return Err(NetworkError { layer: Some(i), field: "type", problem: problem.into() });
                    };
                    hidden.push(HiddenLayer { dense, slope });
                    last_was_activation = true;
                }
            }
        }
        let output = pending.unwrap_or_else(|| Dense::identity(width));
        let ints: Vec<IntLayer> = hidden.iter().map(IntLayer::new).collect();
        let floats = float_copy(&ints);
        let logit_ints = LogitInts::new(&output, ints.last());
        Ok(Network { input_dim, hidden, output, ints, floats, logit_ints })
    }

    /// The network restricted to the plane `x = origin + s·u + t·v`: a network of the two
    /// inputs `(s, t)`, composing the embedding into the first dense layer exactly.
    pub fn on_plane(&self, origin: &[Q], u: &[Q], v: &[Q]) -> Network {
        let embed = Dense {
            weight: (0..self.input_dim).map(|i| vec![u[i].clone(), v[i].clone()]).collect(),
            bias: origin.to_vec(),
        };
        let mut hidden = self.hidden.clone();
        let output = match hidden.first_mut() {
            Some(first) => {
                first.dense = first.dense.compose(&embed);
                self.output.clone()
            }
            None => self.output.compose(&embed),
        };
        let ints: Vec<IntLayer> = hidden.iter().map(IntLayer::new).collect();
        let floats = float_copy(&ints);
        let logit_ints = LogitInts::new(&output, ints.last());
        Network { input_dim: 2, hidden, output, ints, floats, logit_ints }
    }

    pub fn input_dim(&self) -> usize {
        self.input_dim
    }
    pub fn hidden(&self) -> &[HiddenLayer] {
        &self.hidden
    }
    /// Final affine map (identity if the file ends with an activation).
    pub fn output(&self) -> &Dense {
        &self.output
    }
    pub fn output_dim(&self) -> usize {
        self.output.out_dim()
    }
    /// Widths of the activation layers.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.hidden.iter().map(|h| h.dense.out_dim()).collect()
    }
    pub fn num_neurons(&self) -> usize {
        self.hidden.iter().map(|h| h.dense.out_dim()).sum()
    }
    /// `(layer, index)` of the flat neuron number `k`.
    pub fn neuron_id(&self, mut k: usize) -> NeuronId {
        for (l, h) in self.hidden.iter().enumerate() {
            if k < h.dense.out_dim() {
                return (l, k);
            }
            k -= h.dense.out_dim();
        }
        panic!("neuron index out of range")
    }
    /// Shape as `2-16-16-1`.
    pub fn shape_string(&self) -> String {
        let mut parts = vec![self.input_dim.to_string()];
        parts.extend(self.layer_sizes().iter().map(|n| n.to_string()));
        parts.push(self.output_dim().to_string());
        parts.join("-")
    }

    /// Pattern strings per layer (`["1011", "01"]`).
    pub fn pattern_strings(&self, p: &Pattern) -> Vec<String> {
        let mut out = Vec::new();
        let mut k = 0;
        for n in self.layer_sizes() {
            out.push(p.0[k..k + n].iter().map(|&b| if b { '1' } else { '0' }).collect());
            k += n;
        }
        out
    }

    /// Parse pattern strings (one per layer); `None` if the shape or characters are wrong.
    pub fn parse_pattern(&self, layers: &[String]) -> Option<Pattern> {
        let sizes = self.layer_sizes();
        if layers.len() != sizes.len() {
            return None;
        }
        let mut bits = Vec::with_capacity(self.num_neurons());
        for (s, &n) in layers.iter().zip(&sizes) {
            if s.len() != n {
                return None;
            }
            for c in s.chars() {
                bits.push(match c {
                    '1' => true,
                    '0' => false,
                    _ => return None,
                });
            }
        }
        Some(Pattern(bits))
    }

    /// Exact logits at a point.
    pub fn eval(&self, x: &[Q]) -> Vec<Q> {
        let mut h: Vec<Q> = x.to_vec();
        for layer in &self.hidden {
            h = affine(&layer.dense, &h)
                .into_iter()
                .map(|z| if z.is_positive() { z } else { z * &layer.slope })
                .collect();
        }
        affine(&self.output, &h)
    }

    /// The pattern of the region containing `p + e·dirs[0] + e²·dirs[1] + ...` for all
    /// small `e > 0`, decided exactly: every neuron carries the tuple (value, derivatives)
    /// and its sign is the sign of the first non-zero entry; all-zero means identically
    /// zero there, which is inactive (`0`). Also returns the neurons whose value at `p`
    /// itself is zero.
    ///
    /// With `dirs` = the outward normal of a facet and `p` a relative-interior point of the
    /// facet, this is the neighbour across the facet (see ARCHITECTURE.md, "Crossing").
    /// With `dirs` = a basis of the input space it names a full-dimensional region at `p`.
    pub fn lex_pattern(&self, p: &[Q], dirs: &[Vec<Q>]) -> (Pattern, Vec<NeuronId>) {
        // Components: value (scaled by the point's common denominator, which the running
        // `scale` carries into the biases) and one per direction (each scaled to integers;
        // directions get no bias). Positive scalings per component keep every lexicographic
        // sign.
        let (px, den) = common_denominator(p);
        let dirs: Vec<Vec<Z>> = dirs.iter().map(|d| common_denominator(d).0).collect();
        let k = dirs.len();
        let h: Vec<Vec<Z>> = (0..self.input_dim)
            .map(|i| {
                let mut t = Vec::with_capacity(k + 1);
                t.push(px[i].clone());
                t.extend(dirs.iter().map(|d| d[i].clone()));
                t
            })
            .collect();
        let (bits, zeros) = self.lex_from(0, h, den);
        (Pattern(bits), zeros)
    }

    /// The lexicographic evaluation from activation layer `start` on, given the tuples `h`
    /// of its input and the running bias scale. Returns the bits of layers `start..` and
    /// the neurons whose value is zero.
    fn lex_from(&self, start: usize, mut h: Vec<Vec<Z>>, mut scale: Z) -> (Vec<bool>, Vec<NeuronId>) {
        let k1 = h.first().map_or(1, Vec::len);
        let hf: Vec<Approx> = h.iter().flat_map(|t| t.iter().map(Approx::of)).collect();
        if let Some(decided) = self.lex_from_float(start, hf, k1, &scale) {
            return decided;
        }
        let k = h.first().map_or(0, |t| t.len().saturating_sub(1));
        let mut bits = Vec::new();
        let mut zeros = Vec::new();
        for (l, layer) in self.ints.iter().enumerate().skip(start) {
            let mut next = Vec::with_capacity(layer.bias.len());
            for (n, (row, b)) in layer.weight.iter().zip(&layer.bias).enumerate() {
                let mut z = vec![Z::zero(); k + 1];
                for (w, hv) in row.iter().zip(&h) {
                    if w.is_zero() {
                        continue;
                    }
                    for (zt, ht) in z.iter_mut().zip(hv) {
                        if !ht.is_zero() {
                            *zt += w * ht;
                        }
                    }
                }
                z[0] += b * &scale;
                if z[0].is_zero() {
                    zeros.push((l, n));
                }
                let active = z.iter().find(|v| !v.is_zero()).is_some_and(|v| v.is_positive());
                bits.push(active);
                let f = if active { &layer.q } else { &layer.p };
                if !f.is_one() {
                    for zt in z.iter_mut() {
                        *zt *= f;
                    }
                }
                next.push(z);
            }
            scale *= &layer.factor;
            h = next;
        }
        (bits, zeros)
    }

    /// [`Network::lex_from`] in floats with proven error bounds (`filter`): the same bits and
    /// zeros when every sign is decided, `None` (redo exactly) as soon as one is not. The
    /// tuples `hf` have `k1` components each, one after another.
    fn lex_from_float(
        &self,
        start: usize,
        mut hf: Vec<Approx>,
        k1: usize,
        scale: &Z,
    ) -> Option<(Vec<bool>, Vec<NeuronId>)> {
        let layers = self.floats.0.as_ref()?;
        let mut scale = scale.clone();
        let mut bits = Vec::new();
        let mut zeros = Vec::new();
        for (l, (fl, il)) in layers.iter().zip(&self.ints).enumerate().skip(start) {
            let s = z_to_f64(&scale);
            let mut next = Vec::with_capacity(fl.bias.len() * k1);
            for (n, (row, b)) in fl.weight.iter().zip(&fl.bias).enumerate() {
                let at = next.len();
                next.extend((0..k1).map(|t| filter::dot(row, &hf, k1, t, if t == 0 { b * s } else { 0.0 })));
                let z = &mut next[at..];
                let mut active = false;
                for (t, zt) in z.iter().enumerate() {
                    match zt.sign()? {
                        0 if t == 0 => zeros.push((l, n)),
                        0 => {}
                        sign => {
                            active = sign > 0;
                            break;
                        }
                    }
                }
                bits.push(active);
                let f = if active { fl.q } else { fl.p };
                for zt in z.iter_mut() {
                    *zt = zt.times(f);
                }
            }
            scale *= &il.factor;
            hf = next;
        }
        Some((bits, zeros))
    }

    /// The pattern across a facet: [`Network::lex_pattern`] at `p` along the normal `n`,
    /// computed from the current region's pre-activation rows `pre` (of
    /// [`Network::pattern_maps`] for `pattern`) as long as the far side agrees with
    /// `pattern` in every earlier layer (then its rows are the same), and by evaluating the
    /// network from the first layer that differs. Same result, O(width·d) instead of
    /// O(width²) per layer that does not change.
    pub fn cross(&self, p: &[Q], n: &[Q], pattern: &Pattern, maps: &PatternMaps) -> Pattern {
        self.cross_with(p, n, pattern, maps, None)
    }

    /// [`Network::cross`] that, once the far side differs, takes each deeper layer's rows
    /// for the far side's bits from the walk's cache when they are there (O(width·d) per
    /// layer instead of O(width²)). Same result.
    pub fn cross_with(
        &self,
        p: &[Q],
        n: &[Q],
        pattern: &Pattern,
        maps: &PatternMaps,
        cache: Option<&MapsCache>,
    ) -> Pattern {
        let (px, den) = common_denominator(p);
        let (nz, _) = common_denominator(n);
        self.cross_over(&px, &den, &nz, pattern, maps, cache, None)
    }

    /// [`Network::cross_with`] of the point `px / den` (`den > 0`, any representation) and
    /// a positive multiple `nz` of the normal: the same pattern (only signs of values and
    /// slopes decide, and scaling the point's integers and its denominator together, or the
    /// normal, scales them by a positive factor).
    ///
    /// `facet`, when the point is in the relative interior of a facet of the region of
    /// `pattern` (the normal its outward normal), names the facet's neurons: `facet = (l0,
    /// js)` with `l0` the shallowest layer among them and `js` their indices in it. Then the
    /// layers before `l0` keep their bits and layer `l0` flips exactly `js`, so they are not
    /// evaluated, and nothing is when `l0` is the last hidden layer (see
    /// [`Network::cross_bits_known`]). Same pattern.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cross_over(
        &self,
        px: &[Z],
        den: &Z,
        nz: &[Z],
        pattern: &Pattern,
        maps: &PatternMaps,
        cache: Option<&MapsCache>,
        facet: Option<(usize, &[usize])>,
    ) -> Pattern {
        if let Some((l0, js)) = facet
            && l0 + 1 == self.ints.len()
        {
            return Pattern(self.cross_bits_known(pattern, l0, js));
        }
        let known = facet.map_or(0, |(l0, _)| l0);
        let d = self.input_dim;
        // Float images for the filter: the point and the normal, one component each.
        let px_f: Vec<Approx> = px.iter().map(Approx::of).collect();
        let nz_f: Vec<Approx> = nz.iter().map(Approx::of).collect();
        let den_f = z_to_f64(den);
        let exact = |a: &[Z], c: &Z| -> (Z, Z) {
            // The rows are integers over the layer's running scale.
            let v: Z = a.iter().zip(px).map(|(ai, x)| ai * x).sum::<Z>() + c * den;
            let dv: Z = a.iter().zip(nz).map(|(ai, x)| ai * x).sum();
            (v, dv)
        };
        let mut bits = Vec::with_capacity(self.num_neurons());
        let mut scale = den.clone();
        let mut k = 0;
        // Once the far side differs: the previous layer's rows and float tuples (value,
        // derivative) of its outputs.
        let mut far: Option<(Arc<LayerRows>, Vec<Approx>)> = None;
        let mut on_far = false;
        for (l, layer) in self.ints.iter().enumerate() {
            if l < known {
                // The same rows as the region's and no value zero at the point: same bits.
                bits.extend_from_slice(&pattern.0[k..k + layer.bias.len()]);
                k += layer.bias.len();
                scale *= &layer.factor;
                continue;
            }
            let rows: Arc<LayerRows> = match far.take() {
                None => maps.layers[l].clone(),
                Some((prev_rows, tuples)) => {
                    let hit =
                        cache.and_then(|c| c.layers[l].lock().expect("cache lock").get(&bits[..k]).cloned());
                    match hit {
                        Some(r) => r,
                        None => {
                            // Deeper layers: in floats from the float tuples, else exactly.
                            if let Some((deeper, _)) = self.lex_from_float(l, tuples, 2, &scale) {
                                bits.extend(deeper);
                                break;
                            }
                            let below = &self.ints[l - 1];
                            let width = below.bias.len();
                            let h: Vec<Vec<Z>> = prev_rows
                                .rows()
                                .iter()
                                .zip(&bits[k - width..k])
                                .map(|((a, c), &act)| {
                                    let (v, dv) = exact(a, c);
                                    let mut z = vec![v, dv];
                                    let f = if act { &below.q } else { &below.p };
                                    if !f.is_one() {
                                        for zt in z.iter_mut() {
                                            *zt *= f;
                                        }
                                    }
                                    z
                                })
                                .collect();
                            bits.extend(self.lex_from(l, h, scale).0);
                            break;
                        }
                    }
                }
            };
            let width = layer.bias.len();
            let mut differs = false;
            let (qf, pf) = (z_to_f64(&layer.q), z_to_f64(&layer.p));
            // (value, slope) of each output, one pair after another.
            let mut tuples: Vec<Approx> = Vec::with_capacity(2 * width);
            for (i, (a, c)) in rows.rows().iter().enumerate() {
                // The value's sign from floats when the bound decides it (most rows are far
                // from the facet point), else exactly; the derivative likewise when needed.
                let rf = &rows.floats[i * (d + 1)..(i + 1) * (d + 1)];
                let row = &rf[..d];
                let value = filter::dot(row, &px_f, 1, 0, rf[d] * den_f);
                let slope = filter::dot(row, &nz_f, 1, 0, 0.0);
                let (active, tuple) = match value.sign() {
                    Some(s) if s != 0 => (s > 0, [value, slope]),
                    _ => {
                        let (v, dv) = exact(a, c);
                        let active = if v.is_zero() {
                            match slope.sign() {
                                Some(s) if s != 0 => s > 0,
                                _ => dv.is_positive(),
                            }
                        } else {
                            v.is_positive()
                        };
                        (active, [Approx::of(&v), Approx::of(&dv)])
                    }
                };
                differs |= active != pattern.0[bits.len()];
                bits.push(active);
                let f = if active { qf } else { pf };
                tuples.extend(tuple.iter().map(|t| t.times(f)));
            }
            k += width;
            scale *= &layer.factor;
            // Once the far side differs, every deeper layer is the far side's (rows from the
            // cache or from the tuples), even where its bits happen to agree with `pattern`.
            on_far |= differs;
            if on_far {
                far = Some((rows, tuples));
            }
        }
        Pattern(bits)
    }

    /// The bits across a facet of the region of `pattern`, up to and including layer `l0`,
    /// the shallowest layer of the facet's neurons, `js` their indices in it: the region's
    /// bits with `js` flipped. Why: near a point `x` in the relative interior of the facet,
    /// a neuron of a layer up to `l0` whose shallower bits agree on both sides has the same
    /// affine function on both sides; if it vanished at `x` without vanishing on the facet
    /// (its zero set a different line through `x`), it would change sign inside the region.
    /// So it is either non-zero at `x` (the same sign across), zero on the whole region (the
    /// same lexicographic bit, 0, across), or vanishes on the facet, i.e. is one of the
    /// facet's neurons, and then takes the opposite sign across (its slope along the
    /// outward normal is non-zero). By induction over the layers, up to `l0`.
    fn cross_bits_known(&self, pattern: &Pattern, l0: usize, js: &[usize]) -> Vec<bool> {
        let start: usize = self.ints[..l0].iter().map(|l| l.bias.len()).sum();
        let end = start + self.ints[l0].bias.len();
        let mut bits = pattern.0[..end].to_vec();
        for &j in js {
            bits[start + j] = !bits[start + j];
        }
        bits
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
        assert_eq!(p.0.len(), self.num_neurons(), "pattern length");
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
    fn logits_of_sums(&self, sums: Vec<Vec<Z>>, scale: &Z) -> Dense {
        let den = &self.logit_ints.l * scale;
        let (weight, bias): (Vec<Vec<Q>>, Vec<Q>) = sums
            .into_iter()
            .zip(&self.output.bias)
            .map(|(mut acc, b)| {
                let c = acc.pop().expect("d + 1 sums");
                // c/den + b = (c·b_d + b_n·den) / (den·b_d), reduced once.
                let bias = crate::num::q_new(c * b.denom() + b.numer() * &den, &den * b.denom());
                (acc.into_iter().map(|v| crate::num::q_new(v, den.clone())).collect(), bias)
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

impl Network {
    /// The integer sums `Σ_k w_ok·(a_k, c_k)` of the logits over rows `(a_k, c_k)` with the
    /// bit of each, in BigInts.
    fn logit_sums_of(&self, last: &[(&Vec<Z>, &Z, bool)]) -> Vec<Vec<Z>> {
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
    fn logit_sums_big(&self, rows: &LayerRows, bits: &[bool]) -> Vec<Vec<Z>> {
        let last: Vec<(&Vec<Z>, &Z, bool)> =
            rows.rows().iter().zip(bits).map(|((a, c), &act)| (a, c, act)).collect();
        self.logit_sums_of(&last)
    }

    /// The integer sums `Σ_k w_ok·(a_k, c_k)` of the logits (`w` the active or inactive
    /// output weight by the bit of row `k`) when the last layer's rows fit `i128` (their
    /// `i128` form made on first use and kept with the rows) and the weights fit `i64`: in
    /// `i128` while nothing overflows, else each product at most 191 bits and the sums checked
    /// in 256-bit integers. `None` (the caller's BigInt path) otherwise.
    fn logit_sums_wide(&self, rows: &LayerRows, bits: &[bool]) -> Option<Vec<Vec<Z>>> {
        let (active, inactive) = self.logit_ints.small.as_ref()?;
        let wide = rows.wide()?;
        let d1 = rows.d1;
        let mut out = Vec::with_capacity(active.len());
        for (wa, wi) in active.iter().zip(inactive) {
            // In `i128` while no product or partial sum overflows (rows and weights of a
            // few dozen bits: every sum of a single-layer net), else in 256 bits. Same sums.
            if let Some(acc) = logit_sum_i128(wide, d1, bits, wa, wi) {
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

/// One output's `Σ_k w_k·(a_k, c_k)` over `i128` rows (`d1` to a row; `w_k` from `active`
/// or `inactive` by the bit of row `k`) in `i128`, `None` as soon as a product or a partial
/// sum overflows.
fn logit_sum_i128(
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
    fn rank_one(
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
    fn mat_vec(&self, t: usize, v: &[Z]) -> Vec<Z> {
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
    fn layer_inputs(&self, l: usize, prev: Option<(&LayerRows, &[bool])>) -> Vec<(Vec<Z>, Z)> {
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

fn compose_int(layer: &IntLayer, cur: &[(Vec<Z>, Z)], scale: &Z, d: usize) -> Vec<(Vec<Z>, Z)> {
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
    rows: std::sync::OnceLock<Vec<(Vec<Z>, Z)>>,
    /// The rows as `i128`, `d + 1` to a row, when every entry fits (set when built from
    /// `i128` arithmetic, else on first use): a rank-one update then needs no allocation per
    /// entry.
    wide: std::sync::OnceLock<Option<Vec<i128>>>,
    floats: Vec<f64>,
    /// Entries per row (`d + 1`).
    d1: usize,
    prim: std::sync::OnceLock<Vec<(Vec<Z>, Z)>>,
    /// The rows as `i64`, `d + 1` to a row, when every entry fits (on first use).
    small: std::sync::OnceLock<Option<Vec<i64>>>,
}

/// Equal rows; the floats and primitive forms are derived from them.
impl PartialEq for LayerRows {
    fn eq(&self, other: &LayerRows) -> bool {
        self.rows() == other.rows()
    }
}

impl LayerRows {
    fn new(rows: Vec<(Vec<Z>, Z)>) -> LayerRows {
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
        }
    }

    /// Rows given as `i128`, `d1 = d + 1` to a row.
    fn from_wide(wide: Vec<i128>, d1: usize) -> LayerRows {
        // `as f64` rounds to nearest: within the `2u` that `filter` assumes of a conversion.
        let floats = wide.iter().map(|&v| v as f64).collect();
        LayerRows {
            rows: std::sync::OnceLock::new(),
            wide: std::sync::OnceLock::from(Some(wide)),
            floats,
            d1,
            prim: std::sync::OnceLock::new(),
            small: std::sync::OnceLock::new(),
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
    fn big_row(r: &[i128]) -> (Vec<Z>, Z) {
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
    fn wide(&self) -> Option<&[i128]> {
        self.wide
            .get_or_init(|| {
                self.rows().iter().flat_map(|(a, c)| a.iter().chain([c])).map(|v| v.to_i128()).collect()
            })
            .as_deref()
    }

    /// The `f64` images of the rows, `d + 1` to a row.
    pub(crate) fn floats(&self) -> &[f64] {
        &self.floats
    }

    fn small(&self) -> Option<&[i64]> {
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
                .map(|(a, c)| crate::num::primitive_ints(a.iter().chain([c]).cloned().collect()))
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
    layers: Vec<Mutex<FxHashMap<Vec<bool>, Arc<LayerRows>>>>,
    /// Entries a layer may hold before it is emptied (memory stays bounded on long walks).
    caps: Vec<usize>,
}

/// Integers (row entries) the cache may hold per layer: about 64 MiB at ~64 bytes each.
const CACHE_INTS_PER_LAYER: usize = 1 << 20;

impl MapsCache {
    pub fn new(net: &Network) -> MapsCache {
        let caps = net
            .hidden
            .iter()
            .map(|h| (CACHE_INTS_PER_LAYER / (h.dense.out_dim() * (net.input_dim + 1)).max(1)).max(64))
            .collect();
        MapsCache { layers: net.hidden.iter().map(|_| Mutex::new(FxHashMap::default())).collect(), caps }
    }

    fn insert(&self, l: usize, key: Vec<bool>, rows: Arc<LayerRows>) {
        let mut map = self.layers[l].lock().expect("cache lock");
        if map.len() >= self.caps[l] {
            map.clear();
        }
        map.insert(key, rows);
    }
}

fn affine(dense: &Dense, x: &[Q]) -> Vec<Q> {
    dense.weight.iter().zip(&dense.bias).map(|(row, b)| dot(row, x) + b).collect()
}

#[cfg(test)]
impl Network {
    /// The rational evaluation of [`Network::lex_pattern`], kept as a test oracle.
    pub(crate) fn lex_pattern_rational(&self, p: &[Q], dirs: &[Vec<Q>]) -> (Pattern, Vec<NeuronId>) {
        let k = dirs.len();
        // h[i] = tuple for input/hidden value i.
        let mut h: Vec<Vec<Q>> = (0..self.input_dim)
            .map(|i| {
                let mut t = Vec::with_capacity(k + 1);
                t.push(p[i].clone());
                t.extend(dirs.iter().map(|d| d[i].clone()));
                t
            })
            .collect();
        let mut bits = Vec::with_capacity(self.num_neurons());
        let mut zeros = Vec::new();
        for (l, layer) in self.hidden.iter().enumerate() {
            let mut next = Vec::with_capacity(layer.dense.out_dim());
            for (n, (row, b)) in layer.dense.weight.iter().zip(&layer.dense.bias).enumerate() {
                let mut z = vec![Q::zero(); k + 1];
                for (w, hv) in row.iter().zip(&h) {
                    if w.is_zero() {
                        continue;
                    }
                    for (zt, ht) in z.iter_mut().zip(hv) {
                        *zt += w * ht;
                    }
                }
                z[0] += b;
                if z[0].is_zero() {
                    zeros.push((l, n));
                }
                let active = z.iter().find(|v| !v.is_zero()).is_some_and(|v| v.is_positive());
                bits.push(active);
                if !active {
                    for zt in z.iter_mut() {
                        *zt = &*zt * &layer.slope;
                    }
                }
                next.push(z);
            }
            h = next;
        }
        (Pattern(bits), zeros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::qi;

    fn dense(w: &[&[i64]], b: &[i64]) -> LayerSpec {
        LayerSpec::Dense(Dense {
            weight: w.iter().map(|r| r.iter().map(|&v| qi(v)).collect()).collect(),
            bias: b.iter().map(|&v| qi(v)).collect(),
        })
    }
    fn relu() -> LayerSpec {
        LayerSpec::Activation { slope: qi(0) }
    }

    #[test]
    fn composes_consecutive_dense_layers() {
        let net = Network::from_layers(
            1,
            vec![dense(&[&[2]], &[1]), dense(&[&[3]], &[-1]), relu(), dense(&[&[1]], &[0])],
        )
        .unwrap();
        assert_eq!(net.layer_sizes(), vec![1]);
        // 3(2x+1)-1 = 6x+2
        assert_eq!(net.hidden()[0].dense.weight[0][0], qi(6));
        assert_eq!(net.hidden()[0].dense.bias[0], qi(2));
        assert_eq!(net.eval(&[qi(1)]), vec![qi(8)]);
        assert_eq!(net.eval(&[qi(-1)]), vec![qi(0)]);
    }

    #[test]
    fn rejects_bad_structure() {
        let e = Network::from_layers(2, vec![relu()]).unwrap_err();
        assert_eq!((e.layer, e.field), (Some(0), "type"));
        let e = Network::from_layers(1, vec![dense(&[&[1]], &[0]), relu(), relu()]).unwrap_err();
        assert_eq!((e.layer, e.field), (Some(2), "type"));
        assert!(e.problem.contains("follows another activation"));
        let e = Network::from_layers(2, vec![dense(&[&[1]], &[0])]).unwrap_err();
        assert_eq!((e.layer, e.field), (Some(0), "weight"));
        let e = Network::from_layers(1, vec![dense(&[&[1], &[2]], &[0])]).unwrap_err();
        assert_eq!((e.layer, e.field), (Some(0), "weight"));
        let e = Network::from_layers(1, vec![dense(&[], &[])]).unwrap_err();
        assert_eq!((e.layer, e.field), (Some(0), "bias"));
        let e = Network::from_layers(0, vec![dense(&[&[1]], &[0])]).unwrap_err();
        assert_eq!(e.field, "input_dim");
    }

    #[test]
    fn pattern_maps_match_evaluation() {
        let net = Network::from_layers(
            2,
            vec![
                dense(&[&[1, -1], &[2, 1], &[0, 1]], &[0, 1, -1]),
                LayerSpec::Activation { slope: Q::new(1.into(), 10.into()) },
                dense(&[&[1, 1, -2], &[-1, 0, 1]], &[1, 0]),
                relu(),
                dense(&[&[3, -1]], &[2]),
            ],
        )
        .unwrap();
        for x in [[3, 1], [-2, 5], [1, -4], [0, 0]] {
            let x: Vec<Q> = x.iter().map(|&v| Q::new(v.into(), 3.into())).collect();
            let e1: Vec<Q> = vec![qi(1), qi(0)];
            let e2: Vec<Q> = vec![qi(0), qi(1)];
            let (p, _) = net.lex_pattern(&x, &[e1, e2]);
            let maps = net.pattern_maps(&p);
            let y: Vec<Q> =
                maps.logits.weight.iter().zip(&maps.logits.bias).map(|(r, b)| dot(r, &x) + b).collect();
            assert_eq!(y, net.eval(&x));
        }
    }

    #[test]
    fn integer_sign_evaluation_matches_rational() {
        let mut rng = crate::random::SplitMix64(5);
        let frac = |rng: &mut crate::random::SplitMix64| {
            Q::new(rng.small_int(4).into(), (1 + rng.next_u64() % 5).into())
        };
        for t in 0..60 {
            let dims = [2 + t % 2, 3, 2, 2];
            let mut layers = Vec::new();
            for (i, w) in dims.windows(2).enumerate() {
                layers.push(LayerSpec::Dense(Dense {
                    weight: (0..w[1]).map(|_| (0..w[0]).map(|_| frac(&mut rng)).collect()).collect(),
                    bias: (0..w[1]).map(|_| frac(&mut rng)).collect(),
                }));
                if i + 2 < dims.len() {
                    let slope = if t % 3 == 0 { qi(0) } else { frac(&mut rng) };
                    layers.push(LayerSpec::Activation { slope });
                }
            }
            let net = Network::from_layers(dims[0], layers).unwrap();
            let d = dims[0];
            for _ in 0..10 {
                let x: Vec<Q> = (0..d).map(|_| frac(&mut rng)).collect();
                let dirs: Vec<Vec<Q>> =
                    (0..1 + t % 3).map(|_| (0..d).map(|_| frac(&mut rng)).collect()).collect();
                assert_eq!(net.lex_pattern(&x, &dirs), net.lex_pattern_rational(&x, &dirs));
                // Scaled pre-activations agree in sign with the true ones at x when the
                // pattern holds at x itself (all values non-zero).
                let (p0, zeros) = net.lex_pattern(&x, &[]);
                if zeros.is_empty() {
                    let maps0 = net.pattern_maps(&p0);
                    for (k, (a, c)) in maps0.pre().enumerate() {
                        let a: Vec<Q> = a.iter().cloned().map(Q::from_integer).collect();
                        assert_eq!((dot(&a, &x) + Q::from_integer(c.clone())).is_positive(), p0.0[k]);
                    }
                }
            }
        }
    }

    /// The same network with every activation a leaky ReLU of slope `slope`.
    fn leaky(net: Network, slope: Q) -> Network {
        let hidden: Vec<HiddenLayer> =
            net.hidden.iter().map(|h| HiddenLayer { dense: h.dense.clone(), slope: slope.clone() }).collect();
        let ints: Vec<IntLayer> = hidden.iter().map(IntLayer::new).collect();
        let logit_ints = LogitInts::new(&net.output, ints.last());
        Network {
            floats: float_copy(&ints),
            input_dim: net.input_dim,
            hidden,
            output: net.output,
            ints,
            logit_ints,
        }
    }

    #[test]
    fn cached_and_rank_one_rows_equal_fresh_rows() {
        // Patterns visited in an order where most cache misses have a one-flip cached
        // neighbour (rank-one update, also through the layers between a flipped neuron and
        // the layer), leaky slopes included; every map equals the fresh one.
        let mut rng = crate::random::SplitMix64(23);
        for t in 0..12u64 {
            let dims = [2 + (t % 2) as usize, 4, 3, 3, 1];
            let mut net = crate::random::integer_net(&dims, t, 3);
            if t % 3 == 0 {
                net = leaky(net, Q::new(1.into(), 5.into()));
            }
            // A full-size cache, and one emptied every few entries.
            let mut small = MapsCache::new(&net);
            small.caps = vec![3; small.caps.len()];
            let cache = MapsCache::new(&net);
            let mut bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 2 == 0).collect();
            for _ in 0..60 {
                let i = (rng.next_u64() % bits.len() as u64) as usize;
                bits[i] = !bits[i];
                let p = Pattern(bits.clone());
                let fresh = net.pattern_maps(&p);
                assert_eq!(net.pattern_maps_with(&p, Some(&cache)), fresh);
                assert_eq!(net.pattern_maps_with(&p, Some(&small)), fresh);
            }
        }
    }

    /// `net` with every weight and bias times `3^k` (entries beyond `i64` and floats that round,
    /// for large `k`).
    fn scaled(net: &Network, k: u32) -> Network {
        let f = Q::from_integer(Z::from(3).pow(k));
        let sc = |d: &Dense| Dense {
            weight: d.weight.iter().map(|r| r.iter().map(|v| v * &f).collect()).collect(),
            bias: d.bias.iter().map(|v| v * &f).collect(),
        };
        let mut specs = Vec::new();
        for h in &net.hidden {
            specs.push(LayerSpec::Dense(sc(&h.dense)));
            specs.push(LayerSpec::Activation { slope: h.slope.clone() });
        }
        specs.push(LayerSpec::Dense(sc(&net.output)));
        Network::from_layers(net.input_dim, specs).unwrap()
    }

    /// `|exact - v̂| <= e`, decided in rationals.
    fn within(exact: &Z, a: Approx) -> bool {
        let v = crate::num::from_f64_exact(a.v).unwrap();
        let e = crate::num::from_f64_exact(a.e).unwrap();
        (Q::from_integer(exact.clone()) - v).abs() <= e
    }

    /// The logits of a pattern composed in rationals, layer by layer (independent of the
    /// integer forms): `W_out·D_L·W_L···D_1·W_1` and the matching bias.
    fn logits_in_rationals(net: &Network, bits: &[bool]) -> Dense {
        let d = net.input_dim();
        // Rows (a, c) of the current layer's input as affine functions of x.
        let mut cur: Vec<(Vec<Q>, Q)> = (0..d).map(|j| (crate::polytope::unit(d, j), Q::zero())).collect();
        let mut k = 0;
        let apply = |w: &[Vec<Q>], b: &[Q], cur: &[(Vec<Q>, Q)]| -> Vec<(Vec<Q>, Q)> {
            w.iter()
                .zip(b)
                .map(|(row, bi)| {
                    let mut a = vec![Q::zero(); d];
                    let mut c = bi.clone();
                    for (wv, (ra, rc)) in row.iter().zip(cur) {
                        for (x, y) in a.iter_mut().zip(ra) {
                            *x += wv * y;
                        }
                        c += wv * rc;
                    }
                    (a, c)
                })
                .collect()
        };
        for h in net.hidden() {
            let pre = apply(&h.dense.weight, &h.dense.bias, &cur);
            cur = pre
                .into_iter()
                .map(|(a, c)| {
                    let f = if bits[k] { Q::one() } else { h.slope.clone() };
                    k += 1;
                    (a.iter().map(|v| v * &f).collect(), c * &f)
                })
                .collect();
        }
        let out = apply(&net.output().weight, &net.output().bias, &cur);
        Dense {
            weight: out.iter().map(|(a, _)| a.clone()).collect(),
            bias: out.into_iter().map(|(_, c)| c).collect(),
        }
    }

    #[test]
    fn logits_equal_the_rational_composition() {
        // Small integer and Gaussian (f32-exact) nets take the 256-bit sums; 3^45-scaled rows
        // and a 2^70 output weight take the BigInt path; leaky slopes and several outputs.
        let mut rng = crate::random::SplitMix64(8);
        let (mut paths, mut u_paths) = ([0usize; 3], [0usize; 2]);
        for t in 0..16u64 {
            let mut net = match t % 2 {
                0 => crate::random::integer_net(&[2, 4, 3, 2], t, 3),
                _ => crate::random::gaussian_net(&[3, 5, 4, 3], t, 0.5),
            };
            match t % 8 {
                2 | 3 => net = leaky(net, Q::new(1.into(), 5.into())),
                4 => net = scaled(&net, 45),
                // Rows of ~80 bits and output weights of ~55: products past i128, within 256.
                6 => {
                    let f = Q::from_integer(Z::from(3).pow(25u32));
                    let mut specs: Vec<LayerSpec> = Vec::new();
                    for h in net.hidden() {
                        let mut dense = h.dense.clone();
                        for v in dense.weight.iter_mut().flatten().chain(dense.bias.iter_mut()) {
                            *v *= &f;
                        }
                        specs.push(LayerSpec::Dense(dense));
                        specs.push(LayerSpec::Activation { slope: h.slope.clone() });
                    }
                    let mut out = net.output().clone();
                    for w in out.weight.iter_mut().flatten() {
                        *w *= Q::from_integer(Z::one() << 52u32);
                    }
                    specs.push(LayerSpec::Dense(out));
                    net = Network::from_layers(net.input_dim(), specs).unwrap();
                }
                5 => {
                    let mut specs: Vec<LayerSpec> = Vec::new();
                    for h in net.hidden() {
                        specs.push(LayerSpec::Dense(h.dense.clone()));
                        specs.push(LayerSpec::Activation { slope: h.slope.clone() });
                    }
                    let mut out = net.output().clone();
                    out.weight[0][0] = Q::from_integer(Z::one() << 70u32);
                    specs.push(LayerSpec::Dense(out));
                    net = Network::from_layers(net.input_dim(), specs).unwrap();
                }
                _ => {}
            }
            let cache = MapsCache::new(&net);
            for _ in 0..12 {
                let bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 3 != 0).collect();
                let p = Pattern(bits.clone());
                let want = logits_in_rationals(&net, &bits);
                let maps = net.pattern_maps(&p);
                assert_eq!(maps.logits, want, "net {t}");
                assert_eq!(net.pattern_maps_with(&p, Some(&cache)).logits, want, "net {t}, cached");
                let start = net.layer_starts()[net.ints.len() - 1];
                let last = maps.layers.last().expect("hidden layers");
                // BigInt (0), 256-bit (1) or i128 (2) sums.
                let narrow = last.wide().zip(net.logit_ints.small.as_ref()).is_some_and(|(w, (a, i))| {
                    (0..a.len()).all(|o| logit_sum_i128(w, last.d1, &bits[start..], &a[o], &i[o]).is_some())
                });
                paths[usize::from(net.logit_sums_wide(last, &bits[start..]).is_some())
                    + usize::from(narrow)] += 1;
                // From the last hidden layer's rows, and from the rows of the one before it
                // (the last layer not composed); no deeper.
                let lh = net.ints.len() - 1;
                assert_eq!(net.logits_from_rows(&p, lh, last), Some(want.clone()), "net {t}, last rows");
                assert_eq!(
                    net.logits_from_rows(&p, lh - 1, &maps.layers[lh - 1]),
                    Some(want),
                    "net {t}, below"
                );
                let small = net.logit_ints.small.is_some() && net.ints[lh].small.is_some();
                u_paths[usize::from(small)] += 1;
            }
        }
        assert!(paths.iter().all(|&n| n >= 12), "BigInt / 256-bit / i128 logits: {paths:?}");
        assert!(u_paths[0] >= 12 && u_paths[1] >= 24, "BigInt / i128 u: {u_paths:?}");
        // Three hidden layers: from the first layer's rows, no logits.
        let net = crate::random::integer_net(&[2, 3, 3, 3, 1], 1, 3);
        let p = Pattern(vec![true; net.num_neurons()]);
        assert_eq!(net.logits_from_rows(&p, 0, &net.pattern_maps(&p).layers[0]), None);
    }

    #[test]
    fn single_float_and_flipped_rows_match_the_exact_rows() {
        // The mesh's row functions against pattern_maps, on small integer nets (i64 / i128
        // paths), the same nets scaled by 3^20 (split i128 sums) and 3^45 (BigInt paths,
        // rounding floats) and leaky slopes;
        // the flipped rows also through their i128 and BigInt forms.
        let mut rng = crate::random::SplitMix64(5);
        let mut paths = [0usize; 2];
        for t in 0..12u64 {
            let mut net = crate::random::integer_net(&[2, 4, 3, 3, 1], t, 3);
            match t % 4 {
                1 => net = scaled(&net, 45),
                2 => net = leaky(net, Q::new(1.into(), 5.into())),
                // Rows between 2^63 and 2^127: row_of's split i128 sums.
                3 => net = scaled(&net, 20),
                _ => {}
            }
            let starts = net.layer_starts();
            for _ in 0..10 {
                let bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 2 == 0).collect();
                let maps = net.pattern_maps(&Pattern(bits.clone()));
                for l in 1..net.ints.len() {
                    let (key, below) = (&bits[..starts[l]], &maps.layers[..l]);
                    let prev_bits = &bits[starts[l - 1]..starts[l]];
                    let scale = net.scale_of(l);
                    let exact = maps.layers[l].rows();
                    assert_eq!(net.compose_rows(l, key, below).rows(), exact);
                    let fl = net.float_rows(l, prev_bits, &maps.layers[l - 1], &scale).unwrap();
                    for (i, (a, c)) in exact.iter().enumerate() {
                        assert_eq!(
                            &net.row_of(l, i, prev_bits, &maps.layers[l - 1], &scale),
                            &(a.clone(), c.clone())
                        );
                        assert!(a.iter().chain([c]).zip(&fl[3 * i..3 * i + 3]).all(|(z, f)| within(z, *f)));
                    }
                    // From the pattern with neuron j of layer m flipped.
                    let m = (rng.next_u64() % l as u64) as usize;
                    let j = (rng.next_u64() % net.ints[m].bias.len() as u64) as usize;
                    let mut other = bits.clone();
                    other[starts[m] + j] = !other[starts[m] + j];
                    let om = net.pattern_maps(&Pattern(other));
                    let flipped = net.flip_rows(l, key, below, &om.layers[l], m, j);
                    // Built in i128 (the wide form set at construction) or in BigInts.
                    paths[usize::from(flipped.wide.get().is_some())] += 1;
                    assert_eq!(flipped.rows(), exact);
                    let base: Vec<Approx> =
                        om.layers[l].floats.iter().map(|&v| Approx::converted(v)).collect();
                    let ff = net.float_flip(l, key, below, &base, m, j).unwrap();
                    let flat = exact.iter().flat_map(|(a, c)| a.iter().chain([c]));
                    assert!(flat.zip(&ff).all(|(z, f)| within(z, *f)));
                }
            }
        }
        assert!(paths[0] > 10 && paths[1] > 10, "BigInt / i128 flips: {paths:?}");
    }

    #[test]
    fn crossing_from_rows_equals_full_evaluation() {
        let mut rng = crate::random::SplitMix64(17);
        for t in 0..40u64 {
            let dims = [2 + (t % 2) as usize, 4, 3, 3, 1];
            let mut net = crate::random::integer_net(&dims, t, 2);
            if t % 4 == 1 {
                net = leaky(net, Q::new(3.into(), 7.into()));
            }
            let d = dims[0];
            for _ in 0..15 {
                let x: Vec<Q> = (0..d).map(|_| Q::new(rng.small_int(6).into(), 3.into())).collect();
                let n: Vec<Q> = (0..d).map(|_| qi(rng.small_int(2))).collect();
                let dirs: Vec<Vec<Q>> =
                    (0..d).map(|j| (0..d).map(|i| qi(i64::from(i == j))).collect()).collect();
                let (p, _) = net.lex_pattern(&x, &dirs);
                let maps = net.pattern_maps(&p);
                let far = net.lex_pattern(&x, std::slice::from_ref(&n)).0;
                assert_eq!(net.cross(&x, &n, &p, &maps), far);
                // With the far side's deeper rows in a cache (half the time) or not.
                let cache = MapsCache::new(&net);
                if rng.next_u64() % 2 == 0 {
                    net.pattern_maps_with(&far, Some(&cache));
                }
                assert_eq!(net.cross_with(&x, &n, &p, &maps, Some(&cache)), far);
                // The point over a larger denominator and a multiple of the normal.
                let (px, den) = common_denominator(&x);
                let (nz, _) = common_denominator(&n);
                let (g, h) = (Z::from(1 + rng.next_u64() % 97), Z::from(1 + rng.next_u64() % 5));
                let px: Vec<Z> = px.iter().map(|v| v * &g).collect();
                let nz: Vec<Z> = nz.iter().map(|v| v * &h).collect();
                assert_eq!(net.cross_over(&px, &(den * &g), &nz, &p, &maps, Some(&cache), None), far);
            }
        }
    }
}
