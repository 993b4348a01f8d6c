//! Networks that are not a chain: a directed acyclic graph of dense, activation, identity,
//! add and concat nodes, lowered to the chain of layers the core works on, exactly. Read by
//! the network file's `nodes` and by the ONNX reader.
//!
//! A node's depth is the number of activations on its longest path from the input; the
//! activations of depth `k` make activation layer `k` (in node order), and every value read
//! at a later depth than its own is carried past the layers between unchanged
//! ([`LayerSpec::ActivationWithCarry`]: no pattern bit, no boundary). The chain computes the
//! graph's function, and its neurons are the graph's activations.

use super::image::max_tree;
use super::{Dense, LayerSpec};
use crate::arith::num::Q;
use num_traits::Zero;
use std::fmt;

/// What a graph node computes from the values it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphOp {
    /// `W x + b` of its one input (`W` `[out][in]`).
    Dense(Dense),
    /// A (leaky) ReLU of its one input, inactive slope `slope` (0: ReLU).
    Activation { slope: Q },
    /// Its one input unchanged.
    Identity,
    /// `scale[i]·x[i] + shift[i]` of its one input, value by value (a batch norm, a bias).
    Diagonal { scale: Vec<Q>, shift: Vec<Q> },
    /// The sum of its inputs (two or more, of one width).
    Add,
    /// Its inputs one after another (two or more).
    Concat,
}

/// A node: its op and the values it reads (`0` is the network's input, `i + 1` node `i`'s
/// output; only earlier nodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    pub op: GraphOp,
    pub reads: Vec<usize>,
}

/// A graph on `input_dim` inputs whose value `output` (a node's, `i + 1`) is the network's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub input_dim: usize,
    pub nodes: Vec<GraphNode>,
    pub output: usize,
}

/// A problem with one node of a graph (`node` indexes [`Graph::nodes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub node: usize,
    /// The field at fault: `reads`, `weight`, `op` or `name` (a node the output does not use).
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {}, {}: {}", self.node, self.field, self.problem)
    }
}

impl std::error::Error for GraphError {}

/// The most values a node may have, and the most weights of one lowered layer (as for a
/// convolution's dense layer, [`super::image`]): beyond, the lowering is an error, not an
/// exhausted memory.
const MAX_WIDTH: usize = 1 << 24;
const MAX_WEIGHTS: usize = 1 << 24;

/// A value as an affine map of the current stage: `len` of its slots from `at` (a value
/// computed there or carried), or rows `a` and constants `c`.
#[derive(Clone)]
enum Rep {
    Slots { at: usize, len: usize },
    Rows(Vec<Vec<Q>>, Vec<Q>),
}

impl Rep {
    fn len(&self) -> usize {
        match self {
            Rep::Slots { len, .. } => *len,
            Rep::Rows(_, c) => c.len(),
        }
    }

    /// Rows and constants over a stage of `width` slots.
    fn rows(&self, width: usize) -> (Vec<Vec<Q>>, Vec<Q>) {
        match self {
            Rep::Slots { at, len } => {
                let rows = (0..*len)
                    .map(|k| {
                        let mut row = vec![Q::zero(); width];
                        row[at + k] = Q::from_integer(1.into());
                        row
                    })
                    .collect();
                (rows, vec![Q::zero(); *len])
            }
            Rep::Rows(a, c) => (a.clone(), c.clone()),
        }
    }

    /// `d` applied to the value: `W·a` and `W·c + b`, over the nonzero weights only.
    fn dense(&self, d: &Dense, width: usize) -> Rep {
        let mut rows = Vec::with_capacity(d.weight.len());
        let mut consts = Vec::with_capacity(d.weight.len());
        for (w, b) in d.weight.iter().zip(&d.bias) {
            let nz: Vec<(usize, &Q)> = w.iter().enumerate().filter(|(_, x)| !x.is_zero()).collect();
            let mut row = vec![Q::zero(); width];
            let mut c = b.clone();
            match self {
                Rep::Slots { at, .. } => {
                    for &(i, wi) in &nz {
                        row[at + i] = wi.clone();
                    }
                }
                Rep::Rows(a, cs) => {
                    for &(i, wi) in &nz {
                        for (r, x) in row.iter_mut().zip(&a[i]) {
                            if !x.is_zero() {
                                *r += wi * x;
                            }
                        }
                        c += wi * &cs[i];
                    }
                }
            }
            rows.push(row);
            consts.push(c);
        }
        Rep::Rows(rows, consts)
    }
}

impl Graph {
    /// The chain of layers computing the graph (see the module's documentation), or the
    /// first node at fault: a read of a later node, widths that do not fit, a node the output
    /// does not use, activations of different slopes at one depth. `name(v)` names value `v`
    /// in the messages.
    pub fn lower(&self, name: &dyn Fn(usize) -> String) -> Result<Vec<LayerSpec>, GraphError> {
        let n = self.nodes.len();
        let fail = |node: usize, field: &'static str, problem: String| GraphError { node, field, problem };
        if self.output == 0 || self.output > n {
            return Err(fail(
                n.saturating_sub(1),
                "output",
                format!("value {} is not a node's", self.output),
            ));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let arity_ok = match node.op {
                GraphOp::Add | GraphOp::Concat => node.reads.len() >= 2,
                _ => node.reads.len() == 1,
            };
            if !arity_ok {
                return Err(fail(i, "reads", format!("reads {} values", node.reads.len())));
            }
            if let Some(&r) = node.reads.iter().find(|&&r| r > i) {
                return Err(fail(i, "reads", format!("reads `{}`, not defined before it", name(r))));
            }
        }
        // Every node must feed the output.
        let mut used = vec![false; n + 1];
        used[self.output] = true;
        for i in (0..n).rev() {
            if used[i + 1] {
                for &r in &self.nodes[i].reads {
                    used[r] = true;
                }
            }
        }
        if let Some(i) = (0..n).find(|&i| !used[i + 1]) {
            return Err(fail(i, "name", format!("is not used by the output `{}`", name(self.output))));
        }
        // Widths and depths, value by value (0: the input).
        let mut width = vec![self.input_dim];
        let mut depth = vec![0usize];
        for (i, node) in self.nodes.iter().enumerate() {
            let ws: Vec<usize> = node.reads.iter().map(|&r| width[r]).collect();
            let d = node.reads.iter().map(|&r| depth[r]).max().unwrap_or(0);
            let (w, d) = match &node.op {
                GraphOp::Dense(dense) => {
                    if let Some(r) = dense.weight.iter().position(|row| row.len() != ws[0]) {
                        return Err(fail(
                            i,
                            "weight",
                            format!(
                                "row {r} has {} entries, the node's input has {} values",
                                dense.weight[r].len(),
                                ws[0]
                            ),
                        ));
                    }
                    if dense.weight.is_empty() || dense.bias.len() != dense.weight.len() {
                        return Err(fail(
                            i,
                            "weight",
                            "needs one bias entry per row of a non-empty weight".into(),
                        ));
                    }
                    (dense.weight.len(), d)
                }
                GraphOp::Activation { .. } => (ws[0], d + 1),
                GraphOp::Identity => (ws[0], d),
                GraphOp::Diagonal { scale, shift } => {
                    if scale.len() != ws[0] || shift.len() != ws[0] {
                        return Err(fail(
                            i,
                            "weight",
                            format!("{} scales and {} shifts for {} values", scale.len(), shift.len(), ws[0]),
                        ));
                    }
                    (ws[0], d)
                }
                GraphOp::Add => {
                    if let Some(k) = ws.iter().position(|w| *w != ws[0]) {
                        return Err(fail(
                            i,
                            "reads",
                            format!(
                                "adds {} values of `{}` to the {} of `{}`",
                                ws[k],
                                name(node.reads[k]),
                                ws[0],
                                name(node.reads[0])
                            ),
                        ));
                    }
                    (ws[0], d)
                }
                GraphOp::Concat => (ws.iter().fold(0usize, |acc, w| acc.saturating_add(*w)), d),
            };
            if w > MAX_WIDTH {
                return Err(fail(i, "reads", format!("has {w} values, more than {MAX_WIDTH}")));
            }
            width.push(w);
            depth.push(d);
        }
        let slope = |i: usize| match &self.nodes[i].op {
            GraphOp::Activation { slope } => Some(slope),
            _ => None,
        };
        // The last depth at which each value is read (an activation reads its input at its
        // own depth minus one); the output is read at the last depth.
        let top = depth[self.output];
        let mut need = vec![None::<usize>; n + 1];
        need[self.output] = Some(top);
        for (i, node) in self.nodes.iter().enumerate() {
            let at = depth[i + 1] - usize::from(slope(i).is_some());
            for &r in &node.reads {
                need[r] = Some(need[r].map_or(at, |m| m.max(at)));
            }
        }
        let mut value: Vec<Option<Rep>> = vec![None; n + 1];
        value[0] = Some(Rep::Slots { at: 0, len: self.input_dim });
        let mut layers: Vec<LayerSpec> = Vec::new();
        let mut stage_width = self.input_dim;
        for k in 0..=top {
            if k > 0 {
                // Activation layer k: its activations' inputs, then every value carried past it.
                let acts: Vec<usize> = (0..n).filter(|&i| slope(i).is_some() && depth[i + 1] == k).collect();
                let s0 = slope(acts[0]).expect("an activation").clone();
                if let Some(&j) = acts.iter().find(|&&j| slope(j) != Some(&s0)) {
                    return Err(fail(
                        j,
                        "op",
                        format!(
                            "has slope {}, `{}` at the same depth {k} has {s0}: one depth's activations share a \
                             slope",
                            slope(j).expect("an activation"),
                            name(acts[0] + 1)
                        ),
                    ));
                }
                let carried: Vec<usize> =
                    (0..=n).filter(|&v| depth[v] < k && need[v].is_some_and(|m| m >= k)).collect();
                let m: usize =
                    acts.iter().map(|&j| width[j + 1]).chain(carried.iter().map(|&v| width[v])).sum();
                if m.saturating_mul(stage_width + 1) > MAX_WEIGHTS {
                    return Err(fail(
                        acts[0],
                        "reads",
                        format!(
                            "activation layer {k} and its carried values take {m} x {} weights, more than {MAX_WEIGHTS}",
                            stage_width + 1
                        ),
                    ));
                }
                let (mut weight, mut bias) = (Vec::with_capacity(m), Vec::with_capacity(m));
                for v in acts.iter().map(|&j| self.nodes[j].reads[0]).chain(carried.iter().copied()) {
                    let (a, c) = value[v].as_ref().expect("read at this depth").rows(stage_width);
                    weight.extend(a);
                    bias.extend(c);
                }
                let activated: usize = acts.iter().map(|&j| width[j + 1]).sum();
                layers.push(LayerSpec::Dense(Dense { weight, bias }));
                layers.push(if m == activated {
                    LayerSpec::Activation { slope: s0 }
                } else {
                    LayerSpec::ActivationWithCarry { slope: s0, carry: m - activated }
                });
                // The values of the new stage; those no longer read are dropped.
                let mut at = 0;
                for v in acts.iter().map(|&j| j + 1).chain(carried.iter().copied()) {
                    value[v] = Some(Rep::Slots { at, len: width[v] });
                    at += width[v];
                }
                for (v, slot) in value.iter_mut().enumerate() {
                    if need[v].is_none_or(|m| m < k) {
                        *slot = None;
                    }
                }
                stage_width = m;
            }
            // The affine nodes of depth k, from values of this stage.
            for (i, node) in self.nodes.iter().enumerate() {
                if depth[i + 1] != k || slope(i).is_some() {
                    continue;
                }
                if width[i + 1].saturating_mul(stage_width + 1) > MAX_WEIGHTS {
                    return Err(fail(
                        i,
                        "reads",
                        format!(
                            "takes {} x {} weights, more than {MAX_WEIGHTS}",
                            width[i + 1],
                            stage_width + 1
                        ),
                    ));
                }
                let ins: Vec<&Rep> =
                    node.reads.iter().map(|&r| value[r].as_ref().expect("read at this depth")).collect();
                let v: Rep = match &node.op {
                    GraphOp::Dense(d) => ins[0].dense(d, stage_width),
                    GraphOp::Diagonal { scale, shift } => {
                        let (mut a, mut c) = ins[0].rows(stage_width);
                        for ((row, ci), (s, t)) in a.iter_mut().zip(c.iter_mut()).zip(scale.iter().zip(shift))
                        {
                            for x in row.iter_mut().filter(|x| !x.is_zero()) {
                                *x *= s;
                            }
                            *ci = &*ci * s + t;
                        }
                        Rep::Rows(a, c)
                    }
                    GraphOp::Add => {
                        let (mut a, mut c) = ins[0].rows(stage_width);
                        for v in &ins[1..] {
                            match v {
                                Rep::Slots { at, len } => {
                                    for (k, row) in a.iter_mut().enumerate().take(*len) {
                                        row[at + k] += Q::from_integer(1.into());
                                    }
                                }
                                Rep::Rows(b, d) => {
                                    for (sr, br) in a.iter_mut().zip(b) {
                                        for (x, y) in sr.iter_mut().zip(br) {
                                            *x += y;
                                        }
                                    }
                                    for (x, y) in c.iter_mut().zip(d) {
                                        *x += y;
                                    }
                                }
                            }
                        }
                        Rep::Rows(a, c)
                    }
                    GraphOp::Concat => {
                        let (mut a, mut c) = (Vec::new(), Vec::new());
                        for v in &ins {
                            let (va, vc) = v.rows(stage_width);
                            a.extend(va);
                            c.extend(vc);
                        }
                        Rep::Rows(a, c)
                    }
                    _ => ins[0].clone(),
                };
                debug_assert_eq!(v.len(), width[i + 1]);
                value[i + 1] = Some(v);
            }
        }
        let (weight, bias) =
            value[self.output].take().expect("the output is read at the last depth").rows(stage_width);
        layers.push(LayerSpec::Dense(Dense { weight, bias }));
        Ok(layers)
    }
}

/// The maximum of each window of value `v` (`n` values; see [`max_tree`]) as graph nodes,
/// given to `push` (which adds a node reading the values named and returns its value): each
/// level's argmax choices through an activation, its first values alongside, then the sums.
/// Returns the value of the maxima.
pub(crate) fn push_max(
    push: &mut dyn FnMut(GraphOp, Vec<usize>) -> usize,
    v: usize,
    windows: Vec<Vec<usize>>,
    n: usize,
) -> usize {
    let mut at = v;
    let mut pending: Option<Dense> = None;
    for spec in max_tree(windows, n) {
        match spec {
            LayerSpec::Dense(d) => pending = Some(d),
            LayerSpec::ActivationWithCarry { slope, carry } => {
                let mut choices = pending.take().expect("a dense layer before each activation");
                let m = choices.out_dim() - carry;
                let firsts = Dense { weight: choices.weight.split_off(m), bias: choices.bias.split_off(m) };
                let pre = push(GraphOp::Dense(choices), vec![at]);
                let act = push(GraphOp::Activation { slope }, vec![pre]);
                let kept = push(GraphOp::Dense(firsts), vec![at]);
                at = push(GraphOp::Concat, vec![act, kept]);
            }
            LayerSpec::Activation { .. } => unreachable!("max_tree carries each pair's first value"),
        }
    }
    push(GraphOp::Dense(pending.expect("max_tree ends with a dense layer")), vec![at])
}
