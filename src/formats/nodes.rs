//! The network file's `nodes`: a graph of named nodes, each reading named tensors, read into
//! a [`Graph`] and lowered to the chain of layers the core works on
//! ([`crate::network::graph`]). Any directed acyclic graph of dense, relu, leaky_relu,
//! identity, add, concat, conv, avgpool, maxpool and max nodes is read; convolutions and
//! pools read their input as an image `[c, h, w]` or a sequence `[c, l]` given by `shape`.

use super::WireError;
use super::json::{err, kind, matrix, number, vector};
use crate::arith::num::Q;
use crate::network::graph::{Graph, GraphNode, GraphOp, push_max};
use crate::network::image::{avg_pool_dense, conv_dense, dense_size, windows};
use crate::network::{Dense, LayerSpec};
use num_traits::Zero;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The name of the network's input among the tensors a node reads.
const INPUT: &str = "input";

/// The most values a node may have (as for the lowering's own bound).
const MAX_VALUES: usize = 1 << 24;

/// The fields each kind of node may have (besides `name` and `op`).
fn allowed(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "dense" | "linear" => &["input", "weight", "bias"],
        "relu" | "identity" => &["input"],
        "leaky_relu" => &["input", "slope"],
        "add" | "concat" => &["inputs"],
        "conv" => &["input", "shape", "weight", "bias", "stride", "padding"],
        "avgpool" | "maxpool" => &["input", "shape", "kernel", "stride", "padding"],
        "max" => &["input"],
        _ => return None,
    })
}

/// A list of small non-negative integers (`shape`, `kernel`, `stride`, `padding`).
fn sizes(v: &Value, field: &str) -> Result<Vec<usize>, WireError> {
    let bad = || err(None, field, format!("expected an array of non-negative integers, found {v}"));
    let arr = v.as_array().ok_or_else(bad)?;
    arr.iter().map(|x| x.as_u64().filter(|&n| n <= 1 << 24).map(|n| n as usize).ok_or_else(bad)).collect()
}

/// A nested array of numbers with dims `dims`, flat in row-major order.
fn tensor(v: &Value, dims: &[usize], field: &str, out: &mut Vec<Q>) -> Result<(), WireError> {
    match dims.split_first() {
        None => out.push(number(v, None, field)?),
        Some((&n, rest)) => {
            let arr = v.as_array().filter(|a| a.len() == n).ok_or_else(|| {
                err(None, field, format!("expected an array of {n} entries, found {}", kind(v)))
            })?;
            for (i, x) in arr.iter().enumerate() {
                tensor(x, rest, &format!("{field}[{i}]"), out)?;
            }
        }
    }
    Ok(())
}

/// `(c, h, w, seq)` of a node's `shape`: `[c, h, w]`, or `[c, l]` as one row.
fn image_shape(
    v: Option<&Value>,
    width: usize,
    field: &str,
) -> Result<(usize, usize, usize, bool), WireError> {
    let v = v.ok_or_else(|| err(None, field, "is missing"))?;
    let (c, h, w, seq) = match sizes(v, field)?[..] {
        [c, l] => (c, 1, l, true),
        [c, h, w] => (c, h, w, false),
        _ => return Err(err(None, field, "expected [c, h, w] (an image) or [c, l] (a sequence)")),
    };
    if c.checked_mul(h).and_then(|x| x.checked_mul(w)) != Some(width) || width == 0 {
        return Err(err(None, field, format!("{v} does not hold the input's {width} values")));
    }
    Ok((c, h, w, seq))
}

/// A 1D attribute as the 2D one of a one-row image (`[x]` -> `[1, x]`, pads `[b, e]` ->
/// `[0, b, 0, e]`), with its default.
fn two_d(
    v: Option<&Value>,
    field: &str,
    seq: bool,
    pads: bool,
    default: Vec<usize>,
) -> Result<Vec<usize>, WireError> {
    let v = match v {
        None => return Ok(default),
        Some(v) => sizes(v, field)?,
    };
    Ok(match (seq, pads, v.as_slice()) {
        (true, false, [x]) => vec![1, *x],
        (true, true, [b, e]) => vec![0, *b, 0, *e],
        (false, false, [_, _]) | (false, true, [_, _, _, _]) => v,
        _ => {
            let want = match (seq, pads) {
                (true, false) => "[x]",
                (true, true) => "[begin, end]",
                (false, false) => "[y, x]",
                (false, true) => "[top, left, bottom, right]",
            };
            return Err(err(None, field, format!("expected {want}")));
        }
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
                format!(
                    "unknown op `{op}` (expected dense, relu, leaky_relu, identity, add, concat, conv, \
                     avgpool, maxpool or max)"
                ),
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
    // Each node's value in the graph (pools push several nodes), and each graph node's file node.
    let mut value: Vec<usize> = Vec::with_capacity(parsed.len());
    let mut owner: Vec<usize> = Vec::new();
    let mut graph = Graph { input_dim, nodes: Vec::with_capacity(parsed.len()), output: 0 };
    let mut widths: Vec<usize> = Vec::with_capacity(parsed.len());
    for (i, (o, name, op, reads)) in parsed.iter().enumerate() {
        let field = |f: &str| at(i, name, f);
        let ids: Vec<usize> = reads.iter().map(|r| if *r == INPUT { 0 } else { value[index[r]] }).collect();
        let width = reads.first().map_or(0, |r| if *r == INPUT { input_dim } else { widths[index[r]] });
        let mut push = |op: GraphOp, from: Vec<usize>| -> usize {
            graph.nodes.push(GraphNode { op, reads: from });
            owner.push(i);
            graph.nodes.len()
        };
        let (v, w) = match *op {
            "dense" | "linear" => {
                let w = o.get("weight").ok_or_else(|| err(None, field("weight"), "is missing"))?;
                let b = o.get("bias").ok_or_else(|| err(None, field("bias"), "is missing"))?;
                let dense = Dense {
                    weight: matrix(w, None, &field("weight"))?,
                    bias: vector(b, None, &field("bias"))?,
                };
                let out = dense.bias.len();
                (push(GraphOp::Dense(dense), ids), out)
            }
            "relu" => (push(GraphOp::Activation { slope: Q::zero() }, ids), width),
            "leaky_relu" => {
                let s = o.get("slope").ok_or_else(|| err(None, field("slope"), "is missing"))?;
                (push(GraphOp::Activation { slope: number(s, None, &field("slope"))? }, ids), width)
            }
            "identity" => (push(GraphOp::Identity, ids), width),
            "add" => (push(GraphOp::Add, ids), width),
            "concat" => {
                let w = reads
                    .iter()
                    .map(|r| if *r == INPUT { input_dim } else { widths[index[r]] })
                    .fold(0usize, usize::saturating_add);
                (push(GraphOp::Concat, ids), w)
            }
            "conv" => {
                let (c, h, w, seq) = image_shape(o.get("shape"), width, &field("shape"))?;
                let b = vector(
                    o.get("bias").ok_or_else(|| err(None, field("bias"), "is missing"))?,
                    None,
                    &field("bias"),
                )?;
                let oc = b.len();
                let wv = o.get("weight").ok_or_else(|| err(None, field("weight"), "is missing"))?;
                // The kernel's size from the first entry: [oc][c][kh][kw] or [oc][c][k].
                let first = |v: &Value| v.as_array().and_then(|a| a.first()).cloned().unwrap_or(Value::Null);
                let k0 = first(&first(wv));
                let (kh, kw) = if seq {
                    (1, k0.as_array().map_or(0, Vec::len))
                } else {
                    (k0.as_array().map_or(0, Vec::len), first(&k0).as_array().map_or(0, Vec::len))
                };
                let dims: Vec<usize> = if seq { vec![oc, c, kw] } else { vec![oc, c, kh, kw] };
                let mut kernel = Vec::new();
                tensor(wv, &dims, &field("weight"), &mut kernel)?;
                let stride = two_d(o.get("stride"), &field("stride"), seq, false, vec![1, 1])?;
                let pad = two_d(o.get("padding"), &field("padding"), seq, true, vec![0; 4])?;
                let (dense, oh, ow) = conv_dense(
                    &kernel,
                    [oc, c, kh, kw],
                    &b,
                    h,
                    w,
                    [stride[0], stride[1]],
                    [pad[0], pad[1], pad[2], pad[3]],
                )
                .map_err(|e| err(None, field("weight"), e))?;
                (push(GraphOp::Dense(dense), ids), oc * oh * ow)
            }
            "avgpool" | "maxpool" => {
                let (c, h, w, seq) = image_shape(o.get("shape"), width, &field("shape"))?;
                let kernel = two_d(o.get("kernel"), &field("kernel"), seq, false, vec![])?;
                if kernel.is_empty() {
                    return Err(err(None, field("kernel"), "is missing"));
                }
                let stride = two_d(o.get("stride"), &field("stride"), seq, false, kernel.clone())?;
                let pad = two_d(o.get("padding"), &field("padding"), seq, true, vec![0; 4])?;
                let (oh, ow, wins) = windows(
                    c,
                    h,
                    w,
                    [kernel[0], kernel[1]],
                    [stride[0], stride[1]],
                    [pad[0], pad[1], pad[2], pad[3]],
                )
                .map_err(|e| err(None, field("kernel"), e))?;
                let v = if *op == "avgpool" {
                    push(GraphOp::Dense(avg_pool_dense(&wins, width, None)), ids)
                } else {
                    push_max(&mut push, ids[0], wins, width)
                };
                (v, c * oh * ow)
            }
            _ => {
                // The tree's layers hold about width x width weights.
                dense_size(&[width], &[width]).map_err(|e| err(None, field("input"), e))?;
                (push_max(&mut push, ids[0], vec![(0..width).collect()], width), 1)
            }
        };
        if w > MAX_VALUES {
            return Err(err(None, field("op"), format!("has {w} values, more than {MAX_VALUES}")));
        }
        value.push(v);
        widths.push(w);
    }
    graph.output = value[index[out_name]];
    let names: Vec<&str> = std::iter::once(INPUT).chain(parsed.iter().map(|p| p.1)).collect();
    // Graph values to file names: a node's own value, or its last graph node's.
    let name_of = |v: usize| if v == 0 { INPUT.to_string() } else { names[owner[v - 1] + 1].to_string() };
    graph.lower(&name_of).map_err(|e| {
        let (_, name, op, _) = &parsed[owner[e.node]];
        let field = match e.field {
            "reads" if matches!(*op, "add" | "concat") => "inputs",
            "reads" => "input",
            f => f,
        };
        err(None, at(owner[e.node], name, field), e.problem)
    })
}
