//! The network model: dense layers, activations, validation and composition at
//! construction, exact evaluation, patterns and their wire strings.
//!
//! Invariants: a [`Network`] is always valid (shapes agree, at least one input); consecutive
//! dense layers are composed exactly at construction, so hidden layers alternate
//! dense → activation and the logits are one final affine map.

use super::rows::*;
use crate::arith::filter::FloatNet;
use crate::arith::num::{Q, dot};
use num_traits::{One, Signed, Zero};
use std::fmt;

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
    pub(crate) fn in_dim(&self) -> usize {
        self.weight.first().map_or(0, |r| r.len())
    }
    /// Exact composition `self ∘ inner`.
    pub(crate) fn compose(&self, inner: &Dense) -> Dense {
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
    pub(crate) fn identity(n: usize) -> Dense {
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
    /// An activation on the outputs of the dense layer before it except the last `carry`,
    /// which pass through unchanged: values carried alongside (a residual connection's
    /// input, or any value a later layer reads), with no pattern bit and no boundary.
    ActivationWithCarry {
        slope: Q,
        carry: usize,
    },
}

/// A dense layer followed by a (leaky) ReLU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HiddenLayer {
    pub dense: Dense,
    /// Slope on the inactive side: 0 for ReLU.
    pub slope: Q,
    /// The last `carry` outputs of `dense` pass through unchanged (no activation). They
    /// have no bit on the wire and are never a boundary; inside a [`Pattern`] their bit is
    /// always `true` (their output factor is the active one).
    pub carry: usize,
}

impl HiddenLayer {
    /// Outputs that go through the activation (the pattern's neurons of this layer).
    pub fn activated(&self) -> usize {
        self.dense.out_dim() - self.carry
    }
}

/// A validated piecewise-linear network.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::Q;
/// assert_eq!((net.input_dim(), net.layer_sizes(), net.output_dim()), (2, vec![3], 1));
/// let x = [Q::from_integer(1.into()), Q::from_integer(0.into())];
/// assert_eq!(net.eval(&x), vec![Q::from_integer(5.into())]); // relu(1) + relu(4) + relu(-2), exactly
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub(crate) input_dim: usize,
    pub(crate) hidden: Vec<HiddenLayer>,
    /// The logits as an affine map of the last hidden layer's outputs (or of the input).
    pub(crate) output: Dense,
    /// Integer copy of the hidden layers for sign decisions (derived from `hidden`).
    pub(crate) ints: Vec<IntLayer>,
    /// Float copy of `ints` for filtered sign decisions (derived).
    pub(crate) floats: FloatNet,
    /// The output weights as integers for the logits (derived).
    pub(crate) logit_ints: LogitInts,
    /// For each internal bit (flat, pattern order): whether it belongs to a carried value
    /// (derived; all `false` for a chain without carries).
    pub(crate) carried: Vec<bool>,
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
/// Ordered lexicographically, which is the order of the wire strings. Carried values
/// ([`HiddenLayer::carry`]) hold a bit too, always `true`, after their layer's neurons; the
/// wire strings leave them out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pattern(pub Vec<bool>);

/// A hidden neuron: (activation layer counted from 0, index in the layer).
pub type NeuronId = (usize, usize);

impl Network {
    /// Validate a layer list and build the network: composes consecutive dense layers.
    ///
    /// ```
    /// use linregions::{Dense, LayerSpec, Network, Q};
    /// let q = |v: i64| Q::from_integer(v.into());
    /// let net = Network::from_layers(1, vec![
    ///     LayerSpec::Dense(Dense { weight: vec![vec![q(1)], vec![q(-1)]], bias: vec![q(0), q(0)] }),
    ///     LayerSpec::Activation { slope: q(0) }, // ReLU
    ///     LayerSpec::Dense(Dense { weight: vec![vec![q(1), q(1)]], bias: vec![q(0)] }),
    /// ]).unwrap();
    /// assert_eq!(net.eval(&[q(-3)]), vec![q(3)]); // relu(x) + relu(-x) = |x|
    /// ```
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
            let (slope, carry) = match layer {
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
                    continue;
                }
                LayerSpec::Activation { slope } => (slope, 0),
                LayerSpec::ActivationWithCarry { slope, carry } => (slope, carry),
            };
            let Some(dense) = pending.take() else {
                let problem = if last_was_activation {
                    "activation follows another activation; put a dense layer between"
                } else {
                    "activation comes first; a dense layer must precede it"
                };
                return Err(NetworkError { layer: Some(i), field: "type", problem: problem.into() });
            };
            if carry >= dense.out_dim() {
                return Err(NetworkError {
                    layer: Some(i),
                    field: "carry",
                    problem: format!(
                        "carries {carry} of the {} values before it: at least one must go through \
                         the activation",
                        dense.out_dim()
                    ),
                });
            }
            hidden.push(HiddenLayer { dense, slope, carry });
            last_was_activation = true;
        }
        let output = pending.unwrap_or_else(|| Dense::identity(width));
        let ints: Vec<IntLayer> = hidden.iter().map(IntLayer::new).collect();
        let floats = float_copy(&ints);
        let logit_ints = LogitInts::new(&output, ints.last());
        let carried = carried_bits(&hidden);
        Ok(Network { input_dim, hidden, output, ints, floats, logit_ints, carried })
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
        let carried = self.carried.clone();
        Network { input_dim: 2, hidden, output, ints, floats, logit_ints, carried }
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
    /// Widths of the activation layers: their neurons, the bits of the wire strings (carried
    /// values left out).
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.hidden.iter().map(HiddenLayer::activated).collect()
    }
    /// The neurons of every activation layer (carried values left out).
    pub fn num_neurons(&self) -> usize {
        self.hidden.iter().map(HiddenLayer::activated).sum()
    }
    /// Whether some layer carries values past its activation.
    pub fn has_carries(&self) -> bool {
        self.hidden.iter().any(|h| h.carry > 0)
    }
    /// Every output of each activation layer, carried values included: the layers' widths
    /// inside a [`Pattern`].
    pub(crate) fn widths(&self) -> Vec<usize> {
        self.hidden.iter().map(|h| h.dense.out_dim()).collect()
    }
    /// The length of a [`Pattern`]: every output of every activation layer.
    pub(crate) fn num_bits(&self) -> usize {
        self.carried.len()
    }
    /// Whether bit `k` of a pattern (flat) is a carried value's (always `true`, never a
    /// boundary).
    pub(crate) fn is_carried(&self, k: usize) -> bool {
        self.carried[k]
    }
    /// The pattern of the wire's bits (one per neuron, carried values left out), with the
    /// carried values' bits put back; `None` if the count is wrong.
    pub fn pattern_from_neurons(&self, bits: &[bool]) -> Option<Pattern> {
        if bits.len() != self.num_neurons() {
            return None;
        }
        let mut it = bits.iter();
        Some(Pattern(self.carried.iter().map(|&c| c || *it.next().expect("counted")).collect()))
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

    /// Pattern strings per layer (`["1011", "01"]`), carried values left out.
    pub fn pattern_strings(&self, p: &Pattern) -> Vec<String> {
        let mut out = Vec::new();
        let mut k = 0;
        for h in &self.hidden {
            let n = h.activated();
            out.push(p.0[k..k + n].iter().map(|&b| if b { '1' } else { '0' }).collect());
            k += h.dense.out_dim();
        }
        out
    }

    /// Parse pattern strings (one per layer); `None` if the shape or characters are wrong.
    pub fn parse_pattern(&self, layers: &[String]) -> Option<Pattern> {
        let sizes = self.layer_sizes();
        if layers.len() != sizes.len() {
            return None;
        }
        let mut bits = Vec::with_capacity(self.num_bits());
        for ((s, &n), h) in layers.iter().zip(&sizes).zip(&self.hidden) {
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
            bits.extend((0..h.carry).map(|_| true));
        }
        Some(Pattern(bits))
    }

    /// Exact logits at a point.
    pub fn eval(&self, x: &[Q]) -> Vec<Q> {
        let mut h: Vec<Q> = x.to_vec();
        for layer in &self.hidden {
            let n = layer.activated();
            h = affine(&layer.dense, &h)
                .into_iter()
                .enumerate()
                .map(|(i, z)| if i >= n || z.is_positive() { z } else { z * &layer.slope })
                .collect();
        }
        affine(&self.output, &h)
    }
}

/// [`Network::carried`] of the hidden layers.
fn carried_bits(hidden: &[HiddenLayer]) -> Vec<bool> {
    hidden.iter().flat_map(|h| (0..h.dense.out_dim()).map(move |i| i >= h.activated())).collect()
}

pub(crate) fn affine(dense: &Dense, x: &[Q]) -> Vec<Q> {
    dense.weight.iter().zip(&dense.bias).map(|(row, b)| dot(row, x) + b).collect()
}

/// Pattern strings joined by `|` (`1011|01`), for labels.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Q, pattern_at, pattern_label};
/// let half = Q::new(1.into(), 2.into());
/// let (pattern, vanishing) = pattern_at(&net, &[half.clone(), half]);
/// assert_eq!(pattern_label(&net, &pattern), "110");
/// assert!(vanishing.is_empty());
/// ```
pub fn pattern_label(net: &Network, p: &Pattern) -> String {
    net.pattern_strings(p).join("|")
}
