//! A small ONNX reader: a protobuf decoder for the few messages needed and the chain of
//! operators linregions understands (Gemm, MatMul + Add, Relu, LeakyRelu,
//! BatchNormalization, Flatten, Identity, Dropout, Conv, AveragePool). Bytes in, exact
//! [`Network`] out; any other operator is a clear error naming it.
//!
//! Convolutions and average pooling on small images become dense layers exactly (one row
//! per output pixel and channel). Float initializers are taken at their exact binary value;
//! batch norm is folded with the nearest-double scale of [`crate::import::bn_scale`].

use crate::arith::num::{Q, from_f32_exact, from_f64_exact};
use crate::import::{ImportError, bn_scale};
use crate::network::{Dense, LayerSpec, Network};
use std::collections::BTreeMap;

fn err(what: Option<&str>, problem: impl Into<String>) -> ImportError {
    ImportError { what: what.map(str::to_string), problem: problem.into() }
}

/// One protobuf field value.
#[derive(Debug, Clone, Copy)]
enum Wire<'a> {
    Varint(u64),
    Fixed64([u8; 8]),
    Bytes(&'a [u8]),
    Fixed32([u8; 4]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ImportError> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *buf.get(*pos).ok_or_else(|| err(None, "truncated protobuf varint"))?;
        *pos += 1;
        v |= ((b & 0x7f) as u64) << shift.min(63);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(err(None, "protobuf varint too long"))
}

/// All fields of a message, in order.
fn fields(buf: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, ImportError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (field, wt) = (key >> 3, key & 7);
        let take = |pos: &mut usize, n: usize| -> Result<&[u8], ImportError> {
            let end = pos.checked_add(n).ok_or_else(|| err(None, "protobuf field length past the file"))?;
            let s = buf.get(*pos..end).ok_or_else(|| err(None, "truncated protobuf field"))?;
            *pos += n;
            Ok(s)
        };
        let w = match wt {
            0 => Wire::Varint(varint(buf, &mut pos)?),
            1 => Wire::Fixed64(take(&mut pos, 8)?.try_into().expect("8")),
            2 => {
                let n = varint(buf, &mut pos)? as usize;
                Wire::Bytes(take(&mut pos, n)?)
            }
            5 => Wire::Fixed32(take(&mut pos, 4)?.try_into().expect("4")),
            other => return Err(err(None, format!("unsupported protobuf wire type {other}"))),
        };
        out.push((field, w));
    }
    Ok(out)
}

fn string(w: Wire<'_>) -> Result<String, ImportError> {
    match w {
        Wire::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        _ => Err(err(None, "expected a string field")),
    }
}

/// Integers of a (packed or unpacked) repeated int64 field.
fn ints(w: Wire<'_>, out: &mut Vec<i64>) -> Result<(), ImportError> {
    match w {
        Wire::Varint(v) => out.push(v as i64),
        Wire::Bytes(b) => {
            let mut pos = 0;
            while pos < b.len() {
                out.push(varint(b, &mut pos)? as i64);
            }
        }
        _ => return Err(err(None, "expected integers")),
    }
    Ok(())
}

/// A float tensor with exact values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tensor {
    dims: Vec<usize>,
    values: Vec<Q>,
}

fn tensor(buf: &[u8]) -> Result<(String, Tensor), ImportError> {
    let mut dims = Vec::new();
    let (mut dtype, mut name, mut raw, mut floats, mut doubles) =
        (0u64, String::new(), None, Vec::new(), Vec::new());
    for (f, w) in fields(buf)? {
        match (f, w) {
            (1, w) => ints(w, &mut dims)?,
            (2, Wire::Varint(v)) => dtype = v,
            (4, Wire::Fixed32(b)) => floats.push(f32::from_le_bytes(b)),
            (4, Wire::Bytes(b)) => {
                floats.extend(b.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4"))))
            }
            (8, w) => name = string(w)?,
            (9, Wire::Bytes(b)) => raw = Some(b),
            (10, Wire::Fixed64(b)) => doubles.push(f64::from_le_bytes(b)),
            (10, Wire::Bytes(b)) => {
                doubles.extend(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8"))))
            }
            _ => {}
        }
    }
    let exact = |x: f64| from_f64_exact(x).ok_or_else(|| err(Some(&name), "holds NaN or infinity"));
    let values: Vec<Q> = match (dtype, raw) {
        (1, Some(b)) => b
            .chunks_exact(4)
            .map(|c| exact(f32::from_le_bytes(c.try_into().expect("4")) as f64))
            .collect::<Result<_, _>>()?,
        (11, Some(b)) => b
            .chunks_exact(8)
            .map(|c| exact(f64::from_le_bytes(c.try_into().expect("8"))))
            .collect::<Result<_, _>>()?,
        (1, None) => floats.iter().map(|&x| exact(x as f64)).collect::<Result<_, _>>()?,
        (11, None) => doubles.iter().map(|&x| exact(x)).collect::<Result<_, _>>()?,
        (7, _) => Vec::new(), // int64 (shapes for Reshape): not a weight
        (t, _) => return Err(err(Some(&name), format!("initializer data type {t} is not float or double"))),
    };
    if let Some(d) = dims.iter().find(|&&d| d < 0) {
        return Err(err(Some(&name), format!("negative dimension {d} in {dims:?}")));
    }
    let dims: Vec<usize> = dims.into_iter().map(|d| d as usize).collect();
    let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if dtype != 7 && count != Some(values.len()) {
        return Err(err(Some(&name), format!("{} values for dims {dims:?}", values.len())));
    }
    Ok((name, Tensor { dims, values }))
}

#[derive(Debug, Clone)]
struct Node {
    op: String,
    name: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    attrs: BTreeMap<String, Attr>,
}

#[derive(Debug, Clone)]
enum Attr {
    Float(f32),
    Int(i64),
    Ints(Vec<i64>),
    Other,
}

fn node(buf: &[u8]) -> Result<Node, ImportError> {
    let mut n = Node {
        op: String::new(),
        name: String::new(),
        inputs: vec![],
        outputs: vec![],
        attrs: BTreeMap::new(),
    };
    for (f, w) in fields(buf)? {
        match f {
            1 => n.inputs.push(string(w)?),
            2 => n.outputs.push(string(w)?),
            3 => n.name = string(w)?,
            4 => n.op = string(w)?,
            5 => {
                let Wire::Bytes(b) = w else { continue };
                let (mut name, mut value, mut list) = (String::new(), Attr::Other, Vec::new());
                for (af, aw) in fields(b)? {
                    match (af, aw) {
                        (1, aw) => name = string(aw)?,
                        (2, Wire::Fixed32(x)) => value = Attr::Float(f32::from_le_bytes(x)),
                        (3, Wire::Varint(x)) => value = Attr::Int(x as i64),
                        (8, aw) => ints(aw, &mut list)?,
                        _ => {}
                    }
                }
                if !list.is_empty() {
                    value = Attr::Ints(list);
                }
                n.attrs.insert(name, value);
            }
            _ => {}
        }
    }
    Ok(n)
}

impl Node {
    fn label(&self) -> String {
        if self.name.is_empty() {
            format!("{} node", self.op)
        } else {
            format!("{} node `{}`", self.op, self.name)
        }
    }
    fn int(&self, k: &str, default: i64) -> i64 {
        match self.attrs.get(k) {
            Some(Attr::Int(v)) => *v,
            _ => default,
        }
    }
    fn float(&self, k: &str, default: f32) -> f32 {
        match self.attrs.get(k) {
            Some(Attr::Float(v)) => *v,
            _ => default,
        }
    }
    fn ints(&self, k: &str) -> Option<Vec<i64>> {
        match self.attrs.get(k) {
            Some(Attr::Ints(v)) => Some(v.clone()),
            _ => None,
        }
    }
}

/// Shape of the data flowing through the chain: a flat vector, or an image `[c, h, w]`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Flat(usize),
    Image(usize, usize, usize),
}

impl Shape {
    fn len(&self) -> usize {
        match self {
            Shape::Flat(n) => *n,
            Shape::Image(c, h, w) => c * h * w,
        }
    }
}

/// Read an ONNX model of a chain of supported operators as an exact network.
///
/// ```
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/onnx/mlp.onnx"));
/// let net = linregions::import::read_onnx(bytes).unwrap();
/// assert_eq!(net.input_dim(), 2); // float32 weights, read at their exact binary value
/// ```
pub fn read_onnx(bytes: &[u8]) -> Result<Network, ImportError> {
    let graph = fields(bytes)?
        .into_iter()
        .find_map(|(f, w)| match (f, w) {
            (7, Wire::Bytes(b)) => Some(b),
            _ => None,
        })
        .ok_or_else(|| err(None, "no graph: not an ONNX model"))?;
    let mut nodes = Vec::new();
    let mut inits: BTreeMap<String, Tensor> = BTreeMap::new();
    let mut inputs: Vec<(String, Vec<i64>)> = Vec::new();
    for (f, w) in fields(graph)? {
        let Wire::Bytes(b) = w else { continue };
        match f {
            1 => nodes.push(node(b)?),
            5 => {
                let (name, t) = tensor(b)?;
                inits.insert(name, t);
            }
            11 => {
                // ValueInfoProto: name, type.tensor_type.shape.dim[].dim_value
                let mut name = String::new();
                let mut dims = Vec::new();
                for (vf, vw) in fields(b)? {
                    match (vf, vw) {
                        (1, vw) => name = string(vw)?,
                        (2, Wire::Bytes(tb)) => {
                            for (_, tt) in fields(tb)?.into_iter().filter(|(k, _)| *k == 1) {
                                let Wire::Bytes(tt) = tt else { continue };
                                for (_, sh) in fields(tt)?.into_iter().filter(|(k, _)| *k == 2) {
                                    let Wire::Bytes(sh) = sh else { continue };
                                    for (_, dim) in fields(sh)?.into_iter().filter(|(k, _)| *k == 1) {
                                        let Wire::Bytes(dim) = dim else { continue };
                                        let v = fields(dim)?.into_iter().find_map(|(k, x)| match (k, x) {
                                            (1, Wire::Varint(v)) => Some(v as i64),
                                            _ => None,
                                        });
                                        dims.push(v.unwrap_or(-1));
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                inputs.push((name, dims));
            }
            _ => {}
        }
    }
    let (input_name, dims) = inputs
        .into_iter()
        .find(|(n, _)| !inits.contains_key(n))
        .ok_or_else(|| err(None, "the graph has no data input"))?;
    // Drop the batch dimension.
    let feat: Vec<usize> = dims.iter().skip(1).map(|&d| d.max(0) as usize).collect();
    let mut shape = match feat.as_slice() {
        [n] if *n > 0 => Shape::Flat(*n),
        [c, h, w] if c * h * w > 0 => Shape::Image(*c, *h, *w),
        _ => {
            return Err(err(
                Some(&input_name),
                format!("input shape {dims:?}: expected [batch, n] or [batch, c, h, w]"),
            ));
        }
    };
    let input_dim = shape.len();
    let mut current = input_name;
    let mut layers: Vec<LayerSpec> = Vec::new();
    let init = |name: &str, n: &Node| {
        let t = inits
            .get(name)
            .cloned()
            .ok_or_else(|| err(Some(&n.label()), format!("input `{name}` must be an initializer")))?;
        // A weight holds one value per element (an int64 shape tensor holds none).
        let count = t.dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if count != Some(t.values.len()) {
            return Err(err(
                Some(&n.label()),
                format!("input `{name}` is not a float tensor of dims {:?}", t.dims),
            ));
        }
        Ok(t)
    };
    // Input `k` of a node, or an error naming the node.
    let input = |n: &Node, k: usize| -> Result<String, ImportError> {
        n.inputs
            .get(k)
            .filter(|s| !s.is_empty())
            .cloned()
            .ok_or_else(|| err(Some(&n.label()), format!("has no input {k}")))
    };
    // A 2D initializer's dimensions.
    let matrix = |t: &Tensor, n: &Node| -> Result<(usize, usize), ImportError> {
        match t.dims[..] {
            [a, b] => Ok((a, b)),
            _ => Err(err(Some(&n.label()), format!("weight has dims {:?}, expected 2", t.dims))),
        }
    };
    for n in &nodes {
        let data: Vec<&String> =
            n.inputs.iter().filter(|i| !inits.contains_key(*i) && !i.is_empty()).collect();
        if data.len() != 1 || *data[0] != current {
            if n.op == "Add" && data.len() == 2 {
                return Err(err(
                    Some(&n.label()),
                    "adds two computed tensors (a residual connection): linregions networks are chains, not supported",
                ));
            }
            return Err(err(Some(&n.label()), format!("does not continue the chain from `{current}`")));
        }
        let here = n.label();
        match n.op.as_str() {
            "Gemm" => {
                // transA only transposes the [1, n] data row; a single sample is the same vector.
                let b = init(&input(n, 1)?, n)?;
                let (alpha, beta) = (attr_exact(n, "alpha", 1.0)?, attr_exact(n, "beta", 1.0)?);
                let trans_b = n.int("transB", 0) != 0;
                let (r, c) = matrix(&b, n)?;
                let (out, inp) = if trans_b { (r, c) } else { (c, r) };
                if inp != shape.len() {
                    return Err(err(Some(&here), format!("expects {inp} inputs, gets {}", shape.len())));
                }
                let weight = (0..out)
                    .map(|o| {
                        (0..inp)
                            .map(|i| &alpha * &b.values[if trans_b { o * inp + i } else { i * out + o }])
                            .collect()
                    })
                    .collect();
                let bias = match n.inputs.get(2).filter(|s| !s.is_empty()) {
                    Some(c) => {
                        let c = init(c, n)?;
                        if c.values.len() != 1 && c.values.len() != out {
                            return Err(err(
                                Some(&here),
                                format!("bias of {} values for {out} outputs", c.values.len()),
                            ));
                        }
                        (0..out).map(|o| &beta * &c.values[if c.values.len() == 1 { 0 } else { o }]).collect()
                    }
                    None => vec![Q::from_integer(0.into()); out],
                };
                layers.push(LayerSpec::Dense(Dense { weight, bias }));
                shape = Shape::Flat(out);
            }
            "MatMul" => {
                let b = init(&input(n, 1)?, n)?;
                let (inp, out) = matrix(&b, n)?;
                if inp != shape.len() {
                    return Err(err(Some(&here), format!("expects {inp} inputs, gets {}", shape.len())));
                }
                let weight =
                    (0..out).map(|o| (0..inp).map(|i| b.values[i * out + o].clone()).collect()).collect();
                layers.push(LayerSpec::Dense(Dense { weight, bias: vec![Q::from_integer(0.into()); out] }));
                shape = Shape::Flat(out);
            }
            "Add" => {
                let name = n
                    .inputs
                    .iter()
                    .find(|i| inits.contains_key(*i))
                    .ok_or_else(|| err(Some(&here), "Add needs a constant (initializer) operand"))?;
                let c = init(name, n)?;
                let Some(LayerSpec::Dense(d)) = layers.last_mut() else {
                    return Err(err(Some(&here), "a bias Add must follow MatMul or Gemm"));
                };
                if c.values.len() != 1 && c.values.len() != d.bias.len() {
                    return Err(err(
                        Some(&here),
                        format!("bias of {} values for {} outputs", c.values.len(), d.bias.len()),
                    ));
                }
                for (o, b) in d.bias.iter_mut().enumerate() {
                    *b += &c.values[if c.values.len() == 1 { 0 } else { o }];
                }
            }
            "Relu" => layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) }),
            "LeakyRelu" => layers.push(LayerSpec::Activation { slope: attr_exact(n, "alpha", 0.01)? }),
            "BatchNormalization" => {
                let get = |k: usize| input(n, k).and_then(|name| init(&name, n)).map(|t| t.values);
                let (gamma, beta, mean, var) = (get(1)?, get(2)?, get(3)?, get(4)?);
                let eps = attr_exact(n, "epsilon", 1e-5)?;
                let Some(LayerSpec::Dense(d)) = layers.last_mut() else {
                    return Err(err(Some(&here), "batch norm must follow a dense layer to be folded"));
                };
                if [&gamma, &beta, &mean, &var].iter().any(|v| v.len() != d.bias.len()) {
                    return Err(err(Some(&here), "size differs from the preceding dense layer"));
                }
                for o in 0..gamma.len() {
                    let s = bn_scale(&gamma[o], &var[o], &eps).map_err(|e| err(Some(&here), e.problem))?;
                    for v in d.weight[o].iter_mut() {
                        *v = &*v * &s;
                    }
                    d.bias[o] = (&d.bias[o] - &mean[o]) * &s + &beta[o];
                }
            }
            "Flatten" => shape = Shape::Flat(shape.len()),
            "Identity" | "Dropout" => {}
            "Conv" => {
                let Shape::Image(c, h, w) = shape else {
                    return Err(err(Some(&here), "Conv needs an image input"));
                };
                let k = init(&input(n, 1)?, n)?;
                if k.dims.len() != 4 || k.dims[1] != c || n.int("group", 1) != 1 {
                    return Err(err(Some(&here), "only 2D convolutions with group = 1 are supported"));
                }
                let (oc, kh, kw) = (k.dims[0], k.dims[2], k.dims[3]);
                let strides = n.ints("strides").unwrap_or(vec![1, 1]);
                let pads = n.ints("pads").unwrap_or(vec![0, 0, 0, 0]);
                if n.ints("dilations").is_some_and(|d| d.iter().any(|&x| x != 1)) {
                    return Err(err(Some(&here), "dilations other than 1 are not supported"));
                }
                if strides.len() != 2 || strides.iter().any(|&x| x < 1) {
                    return Err(err(
                        Some(&here),
                        format!("strides {strides:?}: expected two positive integers"),
                    ));
                }
                if !(pads.len() == 2 || pads.len() == 4) || pads.iter().any(|&x| !(0..=1 << 20).contains(&x))
                {
                    return Err(err(
                        Some(&here),
                        format!("pads {pads:?}: expected 2 or 4 non-negative integers"),
                    ));
                }
                let (sh, sw, ph, pw) =
                    (strides[0] as usize, strides[1] as usize, pads[0] as usize, pads[1] as usize);
                let (ph2, pw2) = (
                    pads.get(2).copied().unwrap_or(pads[0]) as usize,
                    pads.get(3).copied().unwrap_or(pads[1]) as usize,
                );
                if kh == 0 || kw == 0 || kh > h + ph + ph2 || kw > w + pw + pw2 {
                    return Err(err(
                        Some(&here),
                        format!("kernel {kh}x{kw} does not fit the padded {h}x{w} input"),
                    ));
                }
                let oh = (h + ph + ph2 - kh) / sh + 1;
                let ow = (w + pw + pw2 - kw) / sw + 1;
                let bias = match n.inputs.get(2).filter(|s| !s.is_empty()) {
                    Some(b) => init(b, n)?.values,
                    None => vec![Q::from_integer(0.into()); oc],
                };
                if bias.len() != oc {
                    return Err(err(
                        Some(&here),
                        format!("bias of {} values for {oc} output channels", bias.len()),
                    ));
                }
                dense_size(&here, &[oc, oh, ow], &[c, h, w])?;
                let mut weight = Vec::with_capacity(oc * oh * ow);
                let mut b_out = Vec::with_capacity(oc * oh * ow);
                for o in 0..oc {
                    for y in 0..oh {
                        for x in 0..ow {
                            let mut row = vec![Q::from_integer(0.into()); c * h * w];
                            for ci in 0..c {
                                for dy in 0..kh {
                                    for dx in 0..kw {
                                        let (iy, ix) = (
                                            (y * sh + dy) as isize - ph as isize,
                                            (x * sw + dx) as isize - pw as isize,
                                        );
                                        if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                            row[(ci * h + iy as usize) * w + ix as usize] +=
                                                &k.values[((o * c + ci) * kh + dy) * kw + dx];
                                        }
                                    }
                                }
                            }
                            weight.push(row);
                            b_out.push(bias[o].clone());
                        }
                    }
                }
                layers.push(LayerSpec::Dense(Dense { weight, bias: b_out }));
                shape = Shape::Image(oc, oh, ow);
            }
            "AveragePool" => {
                let Shape::Image(c, h, w) = shape else {
                    return Err(err(Some(&here), "AveragePool needs an image"));
                };
                let ks = n.ints("kernel_shape").ok_or_else(|| err(Some(&here), "no kernel_shape"))?;
                let strides = n.ints("strides").unwrap_or(ks.clone());
                if n.ints("pads").is_some_and(|p| p.iter().any(|&x| x != 0)) || n.int("ceil_mode", 0) != 0 {
                    return Err(err(Some(&here), "padding and ceil_mode are not supported"));
                }
                if ks.len() != 2 || strides.len() != 2 || ks.iter().chain(&strides).any(|&x| x < 1) {
                    return Err(err(
                        Some(&here),
                        format!(
                            "kernel_shape {ks:?}, strides {strides:?}: expected two positive integers each"
                        ),
                    ));
                }
                let (kh, kw, sh, sw) =
                    (ks[0] as usize, ks[1] as usize, strides[0] as usize, strides[1] as usize);
                if kh > h || kw > w {
                    return Err(err(Some(&here), format!("kernel {kh}x{kw} does not fit the {h}x{w} input")));
                }
                let (oh, ow) = ((h - kh) / sh + 1, (w - kw) / sw + 1);
                dense_size(&here, &[c, oh, ow], &[c, h, w])?;
                let share = Q::new(1.into(), ((kh * kw) as i64).into());
                let mut weight = Vec::new();
                for ci in 0..c {
                    for y in 0..oh {
                        for x in 0..ow {
                            let mut row = vec![Q::from_integer(0.into()); c * h * w];
                            for dy in 0..kh {
                                for dx in 0..kw {
                                    row[(ci * h + y * sh + dy) * w + x * sw + dx] = share.clone();
                                }
                            }
                            weight.push(row);
                        }
                    }
                }
                let m = weight.len();
                layers.push(LayerSpec::Dense(Dense { weight, bias: vec![Q::from_integer(0.into()); m] }));
                shape = Shape::Image(c, oh, ow);
            }
            other => {
                return Err(err(
                    Some(&here),
                    format!(
                        "operator {other} is not supported (supported: Gemm, MatMul, Add, Relu, LeakyRelu, \
                         BatchNormalization, Flatten, Identity, Dropout, Conv, AveragePool)"
                    ),
                ));
            }
        }
        current = n.outputs.first().cloned().unwrap_or_default();
    }
    Network::from_layers(input_dim, layers).map_err(|e| err(None, e.to_string()))
}

/// The most weights one dense layer made from a Conv or AveragePool may hold (2^26, about
/// 3 GB of exact rationals; a second 3x3 convolution of 8 to 16 channels on 26x26 needs
/// 5 x 10^7): a larger one is an error, not an exhausted memory.
const MAX_DENSE: usize = 1 << 26;

fn dense_size(node: &str, rows: &[usize], cols: &[usize]) -> Result<(), ImportError> {
    let n = rows.iter().chain(cols).try_fold(1usize, |acc, &d| acc.checked_mul(d));
    match n {
        Some(n) if n <= MAX_DENSE => Ok(()),
        _ => Err(err(
            Some(node),
            format!("expands to a dense layer of {rows:?} x {cols:?} weights, more than {MAX_DENSE}"),
        )),
    }
}

/// The float attribute `key` of node `n` at its exact value (`default` when absent); a NaN
/// or infinite attribute is an error naming the node and the attribute.
fn attr_exact(n: &Node, key: &str, default: f32) -> Result<Q, ImportError> {
    let x = n.float(key, default);
    from_f32_exact(x).ok_or_else(|| {
        err(Some(&n.label()), format!("attribute `{key}` is {x}: non-finite parameters are errors"))
    })
}
