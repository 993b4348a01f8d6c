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
use crate::network::graph::{Graph, GraphNode, GraphOp};
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
    let index: BTreeMap<&str, usize> = parsed.iter().enumerate().map(|(i, p)| (p.1, i + 1)).collect();
    let value = |r: &str| if r == INPUT { 0 } else { index[r] };
    let mut graph = Graph { input_dim, nodes: Vec::with_capacity(parsed.len()), output: index[out_name] };
    for (i, (o, name, op, reads)) in parsed.iter().enumerate() {
        let field = |f: &str| at(i, name, f);
        let op = match *op {
            "dense" | "linear" => {
                let w = o.get("weight").ok_or_else(|| err(None, field("weight"), "is missing"))?;
                let b = o.get("bias").ok_or_else(|| err(None, field("bias"), "is missing"))?;
                GraphOp::Dense(Dense {
                    weight: matrix(w, None, &field("weight"))?,
                    bias: vector(b, None, &field("bias"))?,
                })
            }
            "relu" => GraphOp::Activation { slope: Q::zero() },
            "leaky_relu" => {
                let s = o.get("slope").ok_or_else(|| err(None, field("slope"), "is missing"))?;
                GraphOp::Activation { slope: number(s, None, &field("slope"))? }
            }
            "identity" => GraphOp::Identity,
            "add" => GraphOp::Add,
            _ => GraphOp::Concat,
        };
        graph.nodes.push(GraphNode { op, reads: reads.iter().map(|r| value(r)).collect() });
    }
    let names: Vec<&str> = std::iter::once(INPUT).chain(parsed.iter().map(|p| p.1)).collect();
    graph.lower(&|v| names[v].to_string()).map_err(|e| {
        let (_, name, op, _) = &parsed[e.node];
        let field = match e.field {
            "reads" if matches!(*op, "add" | "concat") => "inputs",
            "reads" => "input",
            f => f,
        };
        err(None, at(e.node, name, field), e.problem)
    })
}
