//! The network file's `nodes`: a graph of named nodes, each reading named tensors, lowered
//! to the chain of layers the core works on. Any directed acyclic graph of dense, relu,
//! leaky_relu, identity, add and concat nodes is read: a node's depth is the number of
//! activations on its longest path from the input, the activations of depth `k` make
//! activation layer `k`, and every value read at a greater depth than its own is carried
//! past the activations between, unchanged ([`crate::network::LayerSpec::ActivationWithCarry`]:
//! no pattern bit, no boundary). The lowering is exact: the chain computes the graph's
//! function, and its neurons are the graph's activations.

use super::WireError;
use super::json::{err, kind, matrix, number, vector};
use crate::arith::num::Q;
use crate::network::{Dense, LayerSpec};
use num_traits::Zero;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The name of the network's input among the tensors a node reads.
const INPUT: &str = "input";

/// The fields each kind of node may have (besides `name` and `op`).
fn allowed(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "dense" | "linear" => &["input", "weight", "bias"],
        "relu" | "identity" => &["input"],
        "leaky_relu" => &["input", "slope"],
        "add" | "concat" => &["inputs"],
        _ => return None,
    })
}

/// The layers of a `nodes` graph on `input_dim` inputs; `output` names the node whose
/// values are the network's (the last node when absent).
pub(crate) fn lower_nodes(
    input_dim: usize,
    nodes: &[Value],
    output: Option<&Value>,
) -> Result<Vec<LayerSpec>, WireError> {
    let at = |i: usize, name: &str, field: &str| {
        if name.is_empty() { format!("nodes[{i}].{field}") } else { format!("nodes[{i}] ({name}).{field}") }
    };
    if nodes.is_empty() {
        return Err(err(None, "nodes", "is empty"));
    }
    // Each node's object, name and op, and the tensors it reads.
    let mut parsed: Vec<(&Map<String, Value>, &str, &str, Vec<&str>)> = Vec::new();
    let mut defined: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, v) in nodes.iter().enumerate() {
        let o = v.as_object().ok_or_else(|| {
            err(None, format!("nodes[{i}]"), format!("expected an object, found {}", kind(v)))
        })?;
        let text = |key: &str, name: &str| -> Result<&str, WireError> {
            match o.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
                Some(v) => Err(err(
                    None,
                    at(i, name, key),
                    format!("expected a non-empty string, found {}", kind(v)),
                )),
                None => Err(err(None, at(i, name, key), "is missing")),
            }
        };
        let name = text("name", "")?;
        let op = text("op", name)?;
        let fields = allowed(op).ok_or_else(|| {
            err(
                None,
                at(i, name, "op"),
                format!("unknown op `{op}` (expected dense, relu, leaky_relu, identity, add or concat)"),
            )
        })?;
        if let Some(k) =
            o.keys().find(|k| !matches!(k.as_str(), "name" | "op") && !fields.contains(&k.as_str()))
        {
            return Err(err(
                None,
                at(i, name, k),
                format!("is not a field of a `{op}` node ({})", fields.join(", ")),
            ));
        }
        if name == INPUT || defined.insert(name, i).is_some() {
            return Err(err(None, at(i, name, "name"), "names another node or the input: names are unique"));
        }
        let reads: Vec<&str> = if fields.contains(&"inputs") {
            match o.get("inputs") {
                Some(Value::Array(a)) if a.len() >= 2 => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .ok_or_else(|| err(None, at(i, name, "inputs"), "expected two or more names"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(err(None, at(i, name, "inputs"), "expected two or more names")),
                None => return Err(err(None, at(i, name, "inputs"), "is missing")),
            }
        } else {
            vec![text("input", name)?]
        };
        for r in &reads {
            if *r != INPUT && defined.get(r).is_none_or(|&j| j == i) {
                return Err(err(
                    None,
                    at(i, name, if fields.contains(&"inputs") { "inputs" } else { "input" }),
                    format!("`{r}` is not the input nor a node listed before this one"),
                ));
            }
        }
        parsed.push((o, name, op, reads));
    }
    let out_name = match output {
        None => parsed.last().expect("not empty").1,
        Some(Value::String(s)) if defined.contains_key(s.as_str()) => s.as_str(),
        Some(v) => return Err(err(None, "output", format!("expected the name of a node, found {v}"))),
    };
    let index: BTreeMap<&str, usize> = parsed.iter().enumerate().map(|(i, p)| (p.1, i)).collect();
    let out = index[out_name];
    // Every node must feed the output (a node that does not is a mistake in the file).
    let mut used = vec![false; parsed.len()];
    used[out] = true;
    for i in (0..parsed.len()).rev() {
        if used[i] {
            for r in parsed[i].3.iter().filter(|r| **r != INPUT) {
                used[index[r]] = true;
            }
        }
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(err(None, at(i, parsed[i].1, "name"), format!("is not used by the output `{out_name}`")));
    }
    // Widths and depths (activations on the longest path from the input), in file order.
    let mut width = vec![0usize; parsed.len()];
    let mut depth = vec![0usize; parsed.len()];
    let w_of = |width: &[usize], r: &str| if r == INPUT { input_dim } else { width[index[r]] };
    let d_of = |depth: &[usize], r: &str| if r == INPUT { 0 } else { depth[index[r]] };
    let mut dense: Vec<Option<Dense>> = vec![None; parsed.len()];
    let mut slope: Vec<Option<Q>> = vec![None; parsed.len()];
    for (i, (o, name, op, reads)) in parsed.iter().enumerate() {
        let field = |f: &str| at(i, name, f);
        let ws: Vec<usize> = reads.iter().map(|r| w_of(&width, r)).collect();
        depth[i] = reads.iter().map(|r| d_of(&depth, r)).max().unwrap_or(0);
        width[i] = match *op {
            "dense" | "linear" => {
                let w = o.get("weight").ok_or_else(|| err(None, field("weight"), "is missing"))?;
                let b = o.get("bias").ok_or_else(|| err(None, field("bias"), "is missing"))?;
                let (weight, bias) = (matrix(w, None, &field("weight"))?, vector(b, None, &field("bias"))?);
                if let Some(r) = weight.iter().position(|r| r.len() != ws[0]) {
                    return Err(err(
                        None,
                        format!("{}[{r}]", field("weight")),
                        format!("has {} entries, the node's input has {} values", weight[r].len(), ws[0]),
                    ));
                }
                if weight.is_empty() || bias.len() != weight.len() {
                    return Err(err(None, field("bias"), "needs one entry per row of a non-empty weight"));
                }
                let n = weight.len();
                dense[i] = Some(Dense { weight, bias });
                n
            }
            "relu" | "leaky_relu" => {
                slope[i] = Some(match o.get("slope") {
                    None => Q::zero(),
                    Some(s) => number(s, None, &field("slope"))?,
                });
                depth[i] += 1;
                ws[0]
            }
            "identity" => ws[0],
            "add" => {
                if let Some(k) = ws.iter().position(|w| *w != ws[0]) {
                    return Err(err(
                        None,
                        field("inputs"),
                        format!("adds {} values of `{}` to the {} of `{}`", ws[k], reads[k], ws[0], reads[0]),
                    ));
                }
                ws[0]
            }
            _ => ws.iter().sum(),
        };
    }
    // The depth at which each value is last read (an activation reads its input at its own
    // depth minus one); the output is read at the last depth.
    let top = depth[out];
    let mut need: BTreeMap<&str, usize> = BTreeMap::new();
    need.insert(out_name, top);
    for (i, (_, _, op, reads)) in parsed.iter().enumerate() {
        let at_depth = if slope[i].is_some() { depth[i] - 1 } else { depth[i] };
        for r in reads {
            let e = need.entry(r).or_insert(0);
            *e = (*e).max(at_depth);
        }
        let _ = op;
    }
    // Each value as an affine map of the current stage (the input, then activation layer
    // `k`'s outputs and the carried values): rows `a`, constants `c`.
    type Affine = (Vec<Vec<Q>>, Vec<Q>);
    let unit = |n: usize, at: usize, len: usize| -> Affine {
        let rows = (0..len)
            .map(|k| {
                (0..n).map(|j| if j == at + k { Q::from_integer(1.into()) } else { Q::zero() }).collect()
            })
            .collect();
        (rows, vec![Q::zero(); len])
    };
    let mut value: BTreeMap<&str, Affine> = BTreeMap::new();
    value.insert(INPUT, unit(input_dim, 0, input_dim));
    let mut layers: Vec<LayerSpec> = Vec::new();
    let mut stage_width = input_dim;
    for k in 0..=top {
        if k > 0 {
            // Activation layer k: its activations' inputs, then every value carried past it.
            let acts: Vec<usize> =
                (0..parsed.len()).filter(|&i| slope[i].is_some() && depth[i] == k).collect();
            let s0 = slope[acts[0]].clone().expect("an activation");
            if let Some(&j) = acts.iter().find(|&&j| slope[j].as_ref() != Some(&s0)) {
                return Err(err(
                    None,
                    at(j, parsed[j].1, "op"),
                    format!(
                        "has slope {}, `{}` at the same depth {}: one depth's activations share a slope",
                        slope[j].as_ref().expect("an activation"),
                        parsed[acts[0]].1,
                        k
                    ),
                ));
            }
            let carried: Vec<&str> = std::iter::once(INPUT)
                .chain(parsed.iter().map(|p| p.1))
                .filter(|v| d_of(&depth, v) < k && need.get(v).is_some_and(|&n| n >= k))
                .collect();
            let mut weight = Vec::new();
            let mut bias = Vec::new();
            for &j in &acts {
                let (a, c) = &value[parsed[j].3[0]];
                weight.extend(a.iter().cloned());
                bias.extend(c.iter().cloned());
            }
            let activated = weight.len();
            for v in &carried {
                let (a, c) = &value[v];
                weight.extend(a.iter().cloned());
                bias.extend(c.iter().cloned());
            }
            let n = weight.len();
            layers.push(LayerSpec::Dense(Dense { weight, bias }));
            layers.push(if n == activated {
                LayerSpec::Activation { slope: s0 }
            } else {
                LayerSpec::ActivationWithCarry { slope: s0, carry: n - activated }
            });
            // The values of the new stage: each activation's outputs, each carried value.
            let mut at_slot = 0;
            for &j in &acts {
                value.insert(parsed[j].1, unit(n, at_slot, width[j]));
                at_slot += width[j];
            }
            for v in &carried {
                let len = w_of(&width, v);
                value.insert(v, unit(n, at_slot, len));
                at_slot += len;
            }
            // Values no longer read are dropped.
            value.retain(|v, _| need.get(v).is_some_and(|&n| n >= k));
            stage_width = n;
        }
        // The affine nodes of depth k, from values of this stage.
        for (i, (_, name, op, reads)) in parsed.iter().enumerate() {
            if depth[i] != k || slope[i].is_some() {
                continue;
            }
            let ins: Vec<&Affine> = reads.iter().map(|r| &value[r]).collect();
            let v: Affine = match *op {
                "dense" | "linear" => {
                    let d = dense[i].as_ref().expect("parsed");
                    let (a, c) = ins[0];
                    let rows = d
                        .weight
                        .iter()
                        .map(|w| {
                            (0..stage_width)
                                .map(|j| w.iter().zip(a).fold(Q::zero(), |acc, (wi, ar)| acc + wi * &ar[j]))
                                .collect()
                        })
                        .collect();
                    let consts = d
                        .weight
                        .iter()
                        .zip(&d.bias)
                        .map(|(w, b)| w.iter().zip(c).fold(b.clone(), |acc, (wi, ci)| acc + wi * ci))
                        .collect();
                    (rows, consts)
                }
                "identity" => ins[0].clone(),
                "add" => {
                    let mut sum = ins[0].clone();
                    for (a, c) in &ins[1..] {
                        for (sr, ar) in sum.0.iter_mut().zip(a) {
                            for (x, y) in sr.iter_mut().zip(ar) {
                                *x += y;
                            }
                        }
                        for (x, y) in sum.1.iter_mut().zip(c) {
                            *x += y;
                        }
                    }
                    sum
                }
                _ => (
                    ins.iter().flat_map(|v| v.0.iter().cloned()).collect(),
                    ins.iter().flat_map(|v| v.1.iter().cloned()).collect(),
                ),
            };
            value.insert(name, v);
        }
    }
    let (weight, bias) = value.remove(out_name).expect("the output is read at the last depth");
    layers.push(LayerSpec::Dense(Dense { weight, bias }));
    Ok(layers)
}
