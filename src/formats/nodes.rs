//! The network file's `nodes`: a graph of named nodes, each reading named tensors, lowered
//! to the chain of layers the core works on. The graph is a chain except for residual
//! blocks: a ReLU output `h` read again by the `add` or `concat` that ends a branch from it
//! (no branch inside another), as `torch` residual MLPs are. `h` is then carried alongside
//! the branch exactly ([`crate::network::blocks`]).

use super::WireError;
use super::json::{err, kind, matrix, number, vector};
use crate::arith::num::Q;
use crate::network::blocks::{Join, close_branch};
use crate::network::{Dense, LayerSpec};
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
                Some(Value::Array(a)) if a.len() == 2 => a
                    .iter()
                    .map(|x| x.as_str().ok_or_else(|| err(None, at(i, name, "inputs"), "expected two names")))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(err(None, at(i, name, "inputs"), "expected two names")),
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
    // How many nodes read each tensor: a ReLU output read twice starts a branch.
    let mut readers: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, _, reads) in &parsed {
        for r in reads {
            *readers.entry(r).or_default() += 1;
        }
    }
    let mut layers: Vec<LayerSpec> = Vec::new();
    let (mut current, mut width) = (INPUT, input_dim);
    // The open branch: the carried tensor, its width, where the branch's layers start.
    let mut carry: Option<(&str, usize, usize)> = None;
    let mut relu_outputs: Vec<&str> = Vec::new();
    for (i, (o, name, op, reads)) in parsed.iter().enumerate() {
        let (o, name, op) = (*o, *name, *op);
        let field = |f: &str| at(i, name, f);
        if !reads.contains(&current) {
            return Err(err(
                None,
                field(if reads.len() == 2 { "inputs" } else { "input" }),
                format!(
                    "reads {}, not `{current}` (the node before it in the chain): the graph is a chain but for \
                     residual blocks",
                    reads.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" and ")
                ),
            ));
        }
        if reads.len() == 1 && readers[current] == 2 {
            // `current` is read again later: a branch starts here.
            if carry.is_some() {
                return Err(err(None, field("input"), "a residual branch inside another is not supported"));
            }
            if !relu_outputs.contains(&current) {
                return Err(err(
                    None,
                    field("input"),
                    format!(
                        "`{current}` is read twice (a residual block) but is not a relu output: only a ReLU's values \
                         (never negative) are carried alongside a branch"
                    ),
                ));
            }
            carry = Some((current, width, layers.len()));
        } else if readers[current] > 2 {
            return Err(err(None, field("input"), format!("`{current}` is read by more than two nodes")));
        }
        if matches!(op, "relu" | "leaky_relu") && !matches!(layers.last(), Some(LayerSpec::Dense(_))) {
            return Err(err(
                None,
                field("input"),
                format!(
                    "`{current}` is not the output of a dense, add or concat node: an activation reads affine values"
                ),
            ));
        }
        match op {
            "dense" | "linear" => {
                let w = o.get("weight").ok_or_else(|| err(None, field("weight"), "is missing"))?;
                let b = o.get("bias").ok_or_else(|| err(None, field("bias"), "is missing"))?;
                let (weight, bias) = (matrix(w, None, &field("weight"))?, vector(b, None, &field("bias"))?);
                if let Some(r) = weight.iter().position(|r| r.len() != width) {
                    return Err(err(
                        None,
                        format!("{}[{r}]", field("weight")),
                        format!("has {} entries, the node's input has {width} values", weight[r].len()),
                    ));
                }
                if weight.is_empty() || bias.len() != weight.len() {
                    return Err(err(None, field("bias"), "needs one entry per row of a non-empty weight"));
                }
                width = weight.len();
                layers.push(LayerSpec::Dense(Dense { weight, bias }));
            }
            "relu" => {
                layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) });
                relu_outputs.push(name);
            }
            "leaky_relu" => {
                let s = o.get("slope").ok_or_else(|| err(None, field("slope"), "is missing"))?;
                layers.push(LayerSpec::Activation { slope: number(s, None, &field("slope"))? });
            }
            "identity" => {}
            _ => {
                let Some((carried, len, start)) = carry.take() else {
                    return Err(err(
                        None,
                        field("inputs"),
                        "joins two tensors that are not a residual branch and its start",
                    ));
                };
                let other = if reads[0] == current { reads[1] } else { reads[0] };
                if other != carried || reads[0] == reads[1] {
                    return Err(err(
                        None,
                        field("inputs"),
                        format!("joins `{other}`, not `{carried}` where the branch started"),
                    ));
                }
                if !layers[start..].iter().any(|l| matches!(l, LayerSpec::Dense(_))) {
                    return Err(err(None, field("inputs"), "the branch has no dense node"));
                }
                let join = if op == "add" {
                    if width != len {
                        return Err(err(
                            None,
                            field("inputs"),
                            format!("adds {width} values to the {len} of `{carried}`"),
                        ));
                    }
                    Join::Add
                } else {
                    Join::Concat { carried_first: reads[0] == carried }
                };
                close_branch(&mut layers, start, len, width, join);
                width = if op == "add" { len } else { width + len };
            }
        }
        current = name;
    }
    if let Some((carried, ..)) = carry {
        return Err(err(
            None,
            "nodes",
            format!("the branch from `{carried}` is never joined (add or concat)"),
        ));
    }
    if out_name != current {
        return Err(err(
            None,
            "output",
            format!("`{out_name}` is not the end of the chain (`{current}` is)"),
        ));
    }
    Ok(layers)
}
