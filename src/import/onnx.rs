//! A small ONNX reader: a protobuf decoder for the few messages needed and the chain of
//! operators linregions understands (Gemm, MatMul + Add, Relu, LeakyRelu,
//! BatchNormalization, Flatten, Reshape, Identity, Dropout, Conv, AveragePool, MaxPool, and
//! residual Add / Concat). Constants, and the shape arithmetic exporters write, are evaluated. Bytes in
//! (external data through a callback), exact [`Network`] out; any other operator is a clear
//! error naming it.
//!
//! Convolutions and average pooling on small images become dense layers exactly (one row
//! per output pixel and channel); max pooling a tree of ReLU layers ([`max_tree`]). Float
//! initializers are taken at their exact binary value; batch norm is folded with the
//! nearest-double scale of [`crate::import::bn_scale`].

use crate::arith::num::{Q, from_f32_exact, from_f64_exact};
use crate::import::{ImportError, bn_scale};
use crate::network::{Dense, Network};
use std::collections::BTreeMap;

mod fold;
use crate::network::graph::{Graph, GraphNode, GraphOp, push_max};
use crate::network::image::{MAX_DENSE, avg_pool_dense, conv_dense, dense_size, windows};
use fold::{fold, resolve_shape};

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
fn ints_field(w: Wire<'_>, out: &mut Vec<i64>) -> Result<(), ImportError> {
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

/// A tensor: float values exact, or integers (shapes for Reshape).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tensor {
    dims: Vec<usize>,
    values: Vec<Q>,
    ints: Vec<i64>,
}

impl Tensor {
    fn count(&self) -> Option<usize> {
        self.dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }
}

/// Where a model's external data comes from: the bytes of the file a tensor's `location`
/// names (relative to the model's folder), given by the caller.
pub type ExternalData<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

/// The external data files read so far, by location.
struct External<'a, 'b> {
    load: &'b mut ExternalData<'a>,
    files: BTreeMap<String, Vec<u8>>,
}

impl External<'_, '_> {
    /// `length` bytes at `offset` of the file `location` (all of it from `offset` when no
    /// length is given).
    fn bytes(
        &mut self,
        name: &str,
        location: &str,
        offset: u64,
        length: Option<u64>,
    ) -> Result<Vec<u8>, ImportError> {
        let safe = !location.is_empty()
            && !location.starts_with(['/', '\\'])
            && !location.contains(':')
            && location.split(['/', '\\']).all(|c| c != "..");
        if !safe {
            return Err(err(
                Some(name),
                format!(
                    "external data location `{location}` is not a relative path inside the model's folder"
                ),
            ));
        }
        if !self.files.contains_key(location) {
            let b = (self.load)(location)
                .map_err(|e| err(Some(name), format!("external data `{location}`: {e}")))?;
            self.files.insert(location.to_string(), b);
        }
        let file = &self.files[location];
        let start = usize::try_from(offset).ok().filter(|&o| o <= file.len());
        let end = match (start, length) {
            (Some(s), Some(l)) => {
                usize::try_from(l).ok().and_then(|l| s.checked_add(l)).filter(|&e| e <= file.len())
            }
            (Some(_), None) => Some(file.len()),
            _ => None,
        };
        match (start, end) {
            (Some(s), Some(e)) => Ok(file[s..e].to_vec()),
            _ => Err(err(
                Some(name),
                format!(
                    "external data `{location}` has {} bytes: offset {offset} and length {length:?} reach past it",
                    file.len()
                ),
            )),
        }
    }
}

fn tensor(buf: &[u8], ext: &mut External) -> Result<(String, Tensor), ImportError> {
    let mut dims = Vec::new();
    let (mut dtype, mut name, mut raw, mut floats, mut doubles, mut ints) =
        (0u64, String::new(), None, Vec::new(), Vec::new(), Vec::new());
    let (mut location, mut offset, mut length, mut external) = (None, 0u64, None, false);
    for (f, w) in fields(buf)? {
        match (f, w) {
            (1, w) => ints_field(w, &mut dims)?,
            (2, Wire::Varint(v)) => dtype = v,
            (4, Wire::Fixed32(b)) => floats.push(f32::from_le_bytes(b)),
            (4, Wire::Bytes(b)) => {
                floats.extend(b.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4"))))
            }
            (5 | 7, w) => ints_field(w, &mut ints)?,
            (8, w) => name = string(w)?,
            (9, Wire::Bytes(b)) => raw = Some(b.to_vec()),
            (10, Wire::Fixed64(b)) => doubles.push(f64::from_le_bytes(b)),
            (10, Wire::Bytes(b)) => {
                doubles.extend(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8"))))
            }
            (13, Wire::Bytes(b)) => {
                // StringStringEntryProto: key, value.
                let (mut k, mut v) = (String::new(), String::new());
                for (ef, ew) in fields(b)? {
                    match ef {
                        1 => k = string(ew)?,
                        2 => v = string(ew)?,
                        _ => {}
                    }
                }
                let number = |v: &str| {
                    v.parse::<u64>()
                        .map_err(|_| err(Some(&name), format!("external data {k} `{v}` is not a number")))
                };
                match k.as_str() {
                    "location" => location = Some(v),
                    "offset" => offset = number(&v)?,
                    "length" => length = Some(number(&v)?),
                    _ => {}
                }
            }
            (14, Wire::Varint(v)) => external = v == 1,
            _ => {}
        }
    }
    if external {
        let loc = location.ok_or_else(|| err(Some(&name), "external data without a location"))?;
        raw = Some(ext.bytes(&name, &loc, offset, length)?);
    }
    let exact = |x: f64| from_f64_exact(x).ok_or_else(|| err(Some(&name), "holds NaN or infinity"));
    let width = match dtype {
        1 | 6 => 4,
        11 | 7 => 8,
        10 | 16 => 2,
        _ => 1,
    };
    if let Some(b) = &raw
        && b.len() % width != 0
    {
        return Err(err(Some(&name), format!("{} bytes of data for {width}-byte values", b.len())));
    }
    let values: Vec<Q> = match (dtype, raw.as_deref()) {
        (1, Some(b)) => b
            .chunks_exact(4)
            .map(|c| exact(f32::from_le_bytes(c.try_into().expect("4")) as f64))
            .collect::<Result<_, _>>()?,
        (11, Some(b)) => b
            .chunks_exact(8)
            .map(|c| exact(f64::from_le_bytes(c.try_into().expect("8"))))
            .collect::<Result<_, _>>()?,
        (10 | 16, Some(b)) => {
            b.chunks_exact(2)
                .map(|c| {
                    let h = u16::from_le_bytes(c.try_into().expect("2"));
                    exact(if dtype == 10 { super::f16_to_f32(h) } else { f32::from_bits((h as u32) << 16) }
                        as f64)
                })
                .collect::<Result<_, _>>()?
        }
        (1, None) => floats.iter().map(|&x| exact(x as f64)).collect::<Result<_, _>>()?,
        (11, None) => doubles.iter().map(|&x| exact(x)).collect::<Result<_, _>>()?,
        (7, Some(b)) => {
            ints = b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().expect("8"))).collect();
            Vec::new()
        }
        (6, Some(b)) => {
            ints = b.chunks_exact(4).map(|c| i32::from_le_bytes(c.try_into().expect("4")) as i64).collect();
            Vec::new()
        }
        (6 | 7, None) => Vec::new(),
        (t, _) => {
            return Err(err(
                Some(&name),
                format!(
                    "data type {t} is not read (float, double, float16, bfloat16; int32 and int64 for shapes)"
                ),
            ));
        }
    };
    if let Some(d) = dims.iter().find(|&&d| d < 0) {
        return Err(err(Some(&name), format!("negative dimension {d} in {dims:?}")));
    }
    let dims: Vec<usize> = dims.into_iter().map(|d| d as usize).collect();
    let t = Tensor { dims, values, ints };
    let n = if matches!(dtype, 6 | 7) { t.ints.len() } else { t.values.len() };
    if t.count() != Some(n) {
        return Err(err(Some(&name), format!("{n} values for dims {:?}", t.dims)));
    }
    Ok((name, t))
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
    Floats(Vec<f32>),
    /// A TensorProto's bytes (Constant's `value`).
    Tensor(Vec<u8>),
    Str(String),
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
                let (mut name, mut value, mut list, mut floats) =
                    (String::new(), Attr::Other, Vec::new(), Vec::new());
                for (af, aw) in fields(b)? {
                    match (af, aw) {
                        (1, aw) => name = string(aw)?,
                        (2, Wire::Fixed32(x)) => value = Attr::Float(f32::from_le_bytes(x)),
                        (3, Wire::Varint(x)) => value = Attr::Int(x as i64),
                        (4, Wire::Bytes(t)) => value = Attr::Str(String::from_utf8_lossy(t).into_owned()),
                        (5, Wire::Bytes(t)) => value = Attr::Tensor(t.to_vec()),
                        (7, Wire::Fixed32(x)) => floats.push(f32::from_le_bytes(x)),
                        (7, Wire::Bytes(x)) => floats
                            .extend(x.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().expect("4")))),
                        (8, aw) => ints_field(aw, &mut list)?,
                        _ => {}
                    }
                }
                if !list.is_empty() {
                    value = Attr::Ints(list);
                } else if !floats.is_empty() {
                    value = Attr::Floats(floats);
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

/// Shape of a data tensor: a flat vector, a sequence `[c, l]` (1D convolutions and pools)
/// or an image `[c, h, w]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Flat(usize),
    Seq(usize, usize),
    Image(usize, usize, usize),
}

impl Shape {
    fn len(&self) -> usize {
        match self {
            Shape::Flat(n) => *n,
            Shape::Seq(c, l) => c * l,
            Shape::Image(c, h, w) => c * h * w,
        }
    }
    /// The tensor's dims after the batch.
    fn dims(&self) -> Vec<usize> {
        match *self {
            Shape::Flat(n) => vec![n],
            Shape::Seq(c, l) => vec![c, l],
            Shape::Image(c, h, w) => vec![c, h, w],
        }
    }
    /// As an image `(c, h, w)` for convolutions and pools (a sequence is one row), and
    /// whether it is a sequence.
    fn image(&self) -> Option<(usize, usize, usize, bool)> {
        match *self {
            Shape::Flat(_) => None,
            Shape::Seq(c, l) => Some((c, 1, l, true)),
            Shape::Image(c, h, w) => Some((c, h, w, false)),
        }
    }
    /// The shape of an image result `(c, h, w)`, a sequence again if `seq`.
    fn of_image(c: usize, h: usize, w: usize, seq: bool) -> Shape {
        if seq { Shape::Seq(c, w) } else { Shape::Image(c, h, w) }
    }
}

/// A 1D convolution's or pool's integer attribute as the 2D one (one row): kernel sizes and
/// strides `[x]` become `[1, x]`, pads `[b, e]` become `[0, b, 0, e]`.
fn lift(v: Vec<i64>, seq: bool, pads: bool) -> Vec<i64> {
    match (seq, pads, v.as_slice()) {
        (true, false, [x]) => vec![1, *x],
        (true, true, [b, e]) => vec![0, *b, 0, *e],
        _ => v,
    }
}

/// Read an ONNX model of a chain of supported operators as an exact network. A model whose
/// weights are in external data files needs [`read_onnx_with`].
///
/// ```
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/onnx/mlp.onnx"));
/// let net = linregions::import::read_onnx(bytes).unwrap();
/// assert_eq!(net.input_dim(), 2); // float32 weights, read at their exact binary value
/// ```
pub fn read_onnx(bytes: &[u8]) -> Result<Network, ImportError> {
    read_onnx_with(bytes, &mut |_| {
        Err("not available: the model was given as bytes alone (read it from its file, so that the \
             files beside it are found)"
            .to_string())
    })
}

/// Whether `bytes` parse as an ONNX `ModelProto` with a graph.
pub(crate) fn is_model(bytes: &[u8]) -> bool {
    fields(bytes).is_ok_and(|f| f.iter().any(|(k, w)| *k == 7 && matches!(w, Wire::Bytes(_))))
}

/// Read an ONNX model whose tensors may be stored in external data files (as
/// `torch.onnx.export` writes them: `model.onnx.data` beside the model). `external` gives
/// the bytes of the file a tensor names by its `location`, a path relative to the model's
/// folder (absolute paths and `..` are refused before it is asked); each file is asked for
/// once.
///
/// ```
/// use linregions::import::read_onnx_with;
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/onnx/dynamo_mlp.onnx"));
/// let data = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/onnx/dynamo_mlp.onnx.data"));
/// let net = read_onnx_with(bytes, &mut |location| match location {
///     "dynamo_mlp.onnx.data" => Ok(data.to_vec()),
///     other => Err(format!("no file {other}")),
/// })
/// .unwrap();
/// assert_eq!(net.input_dim(), 2);
/// ```
pub fn read_onnx_with(bytes: &[u8], external: &mut ExternalData<'_>) -> Result<Network, ImportError> {
    let mut ext = External { load: external, files: BTreeMap::new() };
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
                let (name, t) = tensor(b, &mut ext)?;
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
    let shape = match feat.as_slice() {
        [n] if *n > 0 => Shape::Flat(*n),
        [c, l] if c.checked_mul(*l).is_some_and(|x| x > 0) => Shape::Seq(*c, *l),
        [c, h, w] if c.checked_mul(*h).and_then(|x| x.checked_mul(*w)).is_some_and(|x| x > 0) => {
            Shape::Image(*c, *h, *w)
        }
        _ => {
            return Err(err(
                Some(&input_name),
                format!("input shape {dims:?}: expected [batch, n], [batch, c, l] or [batch, c, h, w]"),
            ));
        }
    };
    let input_dim = shape.len();
    let init = |inits: &BTreeMap<String, Tensor>, name: &str, n: &Node| {
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
    // The data tensors computed so far: their value in the graph and their shape.
    let mut graph = Graph { input_dim, nodes: Vec::new(), output: 0 };
    let mut labels: Vec<String> = vec![input_name.clone()];
    let mut tensors: BTreeMap<String, (usize, Shape)> = BTreeMap::new();
    tensors.insert(input_name, (0, shape));
    let mut last: Option<String> = None;
    let mut weights = 0usize;
    for n in &nodes {
        // Constants, operators on constants only (a transposed weight, a computed shape) and
        // the shapes of data tensors are evaluated; the rest makes the graph.
        let given: Vec<&String> = n.inputs.iter().filter(|i| !i.is_empty()).collect();
        let folded = if n.op == "Constant" {
            Some(constant(n, &mut ext)?)
        } else if let ("Shape", [data]) = (n.op.as_str(), &given[..])
            && let Some((_, shape)) = tensors.get(*data)
        {
            let mut dims = vec![1i64];
            dims.extend(shape.dims().iter().map(|&d| d as i64));
            let r = dims.len() as i64;
            let at = |x: i64| if x < 0 { (x + r).max(0) } else { x.min(r) } as usize;
            let (a, b) = (at(n.int("start", 0)), at(n.int("end", r)));
            let ints = dims[a..b.max(a)].to_vec();
            Some(Tensor { dims: vec![ints.len()], values: vec![], ints })
        } else if !given.is_empty() && given.iter().all(|i| inits.contains_key(*i)) {
            let args: Vec<&Tensor> = given.iter().map(|i| &inits[*i]).collect();
            Some(fold(n, &args).map_err(|e| err(Some(&n.label()), e))?)
        } else {
            None
        };
        let here = n.label();
        let out =
            n.outputs.first().filter(|o| !o.is_empty()).ok_or_else(|| err(Some(&here), "has no output"))?;
        if let Some(t) = folded {
            inits.insert(out.clone(), t);
            continue;
        }
        let data: Vec<&String> =
            n.inputs.iter().filter(|i| !inits.contains_key(*i) && !i.is_empty()).collect();
        let mut reads = Vec::with_capacity(data.len());
        for d in &data {
            let (v, s) = tensors
                .get(*d)
                .ok_or_else(|| err(Some(&here), format!("reads `{d}`, which no node before it computes")))?;
            reads.push((*v, *s));
        }
        let one = || -> Result<(usize, Shape), ImportError> {
            match reads[..] {
                [r] => Ok(r),
                _ => Err(err(
                    Some(&here),
                    format!("{} reads {} computed tensors, expected one", n.op, reads.len()),
                )),
            }
        };
        // Push a node reading `from`; its value.
        let mut push = |op: GraphOp, from: Vec<usize>| -> usize {
            if let GraphOp::Dense(d) = &op {
                let size = d.weight.len().saturating_mul(d.weight.first().map_or(0, Vec::len));
                weights = weights.saturating_add(size);
            }
            graph.nodes.push(GraphNode { op, reads: from });
            labels.push(here.clone());
            graph.nodes.len()
        };
        let (value, shape) = match n.op.as_str() {
            "Gemm" => {
                let (v, shape) = one()?;
                // transA only transposes the [1, n] data row; a single sample is the same vector.
                let b = init(&inits, &input(n, 1)?, n)?;
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
                        let c = init(&inits, c, n)?;
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
                (push(GraphOp::Dense(Dense { weight, bias }), vec![v]), Shape::Flat(out))
            }
            "MatMul" => {
                let (v, shape) = one()?;
                let b = init(&inits, &input(n, 1)?, n)?;
                let (inp, out) = matrix(&b, n)?;
                if inp != shape.len() {
                    return Err(err(Some(&here), format!("expects {inp} inputs, gets {}", shape.len())));
                }
                let weight =
                    (0..out).map(|o| (0..inp).map(|i| b.values[i * out + o].clone()).collect()).collect();
                let dense = Dense { weight, bias: vec![Q::from_integer(0.into()); out] };
                (push(GraphOp::Dense(dense), vec![v]), Shape::Flat(out))
            }
            // The sum of two computed tensors (a residual connection), or a bias.
            "Add" if reads.len() == 2 => {
                let (a, b) = (reads[0], reads[1]);
                if a.1.len() != b.1.len() {
                    return Err(err(
                        Some(&here),
                        format!(
                            "adds {} values of `{}` to the {} of `{}`",
                            b.1.len(),
                            data[1],
                            a.1.len(),
                            data[0]
                        ),
                    ));
                }
                (push(GraphOp::Add, vec![a.0, b.0]), a.1)
            }
            "Add" => {
                let (v, shape) = one()?;
                let name = n
                    .inputs
                    .iter()
                    .find(|i| inits.contains_key(*i))
                    .ok_or_else(|| err(Some(&here), "Add needs a constant (initializer) operand"))?;
                let c = init(&inits, name, n)?;
                let k = shape.len();
                if c.values.len() != 1 && c.values.len() != k {
                    return Err(err(
                        Some(&here),
                        format!("bias of {} values for {k} outputs", c.values.len()),
                    ));
                }
                let shift =
                    (0..k).map(|o| c.values[if c.values.len() == 1 { 0 } else { o }].clone()).collect();
                let scale = vec![Q::from_integer(1.into()); k];
                (push(GraphOp::Diagonal { scale, shift }, vec![v]), shape)
            }
            "Concat" => {
                if reads.len() < 2 || reads.len() != given.len() {
                    return Err(err(Some(&here), "Concat joins two or more computed tensors"));
                }
                if reads.iter().any(|r| !matches!(r.1, Shape::Flat(_))) || !matches!(n.int("axis", 1), 1 | -1)
                {
                    return Err(err(Some(&here), "only flat tensors are concatenated (axis 1)"));
                }
                let k = reads.iter().map(|r| r.1.len()).fold(0usize, usize::saturating_add);
                (push(GraphOp::Concat, reads.iter().map(|r| r.0).collect()), Shape::Flat(k))
            }
            "Relu" => {
                let (v, shape) = one()?;
                (push(GraphOp::Activation { slope: Q::from_integer(0.into()) }, vec![v]), shape)
            }
            "LeakyRelu" => {
                let (v, shape) = one()?;
                (push(GraphOp::Activation { slope: attr_exact(n, "alpha", 0.01)? }, vec![v]), shape)
            }
            "BatchNormalization" => {
                let (v, shape) = one()?;
                let get = |k: usize| input(n, k).and_then(|name| init(&inits, &name, n)).map(|t| t.values);
                let (gamma, beta, mean, var) = (get(1)?, get(2)?, get(3)?, get(4)?);
                let eps = attr_exact(n, "epsilon", 1e-5)?;
                let k = shape.len();
                // One value a feature, or one a channel of an image.
                let per = match shape.image() {
                    Some((c, h, w, _)) if gamma.len() == c && c < k => h * w,
                    _ => 1,
                };
                if [&gamma, &beta, &mean, &var].iter().any(|v| v.len().checked_mul(per) != Some(k)) {
                    return Err(err(Some(&here), format!("size differs from its input's {k} values")));
                }
                let (mut scale, mut shift) = (Vec::with_capacity(k), Vec::with_capacity(k));
                for o in 0..gamma.len() {
                    let s = bn_scale(&gamma[o], &var[o], &eps).map_err(|e| err(Some(&here), e.problem))?;
                    let t = -&mean[o] * &s + &beta[o];
                    for _ in 0..per {
                        scale.push(s.clone());
                        shift.push(t.clone());
                    }
                }
                (push(GraphOp::Diagonal { scale, shift }, vec![v]), shape)
            }
            "Flatten" => {
                let (v, shape) = one()?;
                (v, Shape::Flat(shape.len()))
            }
            "Reshape" => {
                let (v, shape) = one()?;
                let to = input(n, 1)?;
                let to = inits.get(&to).filter(|t| t.values.is_empty()).ok_or_else(|| {
                    err(Some(&here), format!("shape `{to}` must be a constant integer tensor"))
                })?;
                let from: Vec<usize> = std::iter::once(1).chain(shape.dims()).collect();
                let dims = resolve_shape(&from, &to.ints, n.int("allowzero", 0) != 0)
                    .map_err(|e| err(Some(&here), e))?;
                let shape = match dims[..] {
                    [1, k] => Shape::Flat(k),
                    [1, c, l] => Shape::Seq(c, l),
                    [1, c, h, w] => Shape::Image(c, h, w),
                    _ => {
                        return Err(err(
                            Some(&here),
                            format!(
                                "reshapes {from:?} to {dims:?}: expected [1, n], [1, c, l] or [1, c, h, w] (batch first)"
                            ),
                        ));
                    }
                };
                (v, shape)
            }
            "Identity" | "Dropout" => one()?,
            "Conv" => {
                let (v, shape) = one()?;
                let Some((c, h, w, seq)) = shape.image() else {
                    return Err(err(Some(&here), "Conv needs an image or a sequence input"));
                };
                let mut k = init(&inits, &input(n, 1)?, n)?;
                if seq && k.dims.len() == 3 {
                    k.dims.insert(2, 1);
                }
                if k.dims.len() != 4 || k.dims[1] != c || n.int("group", 1) != 1 {
                    return Err(err(Some(&here), "only 1D and 2D convolutions with group = 1 are supported"));
                }
                let (oc, kh, kw) = (k.dims[0], k.dims[2], k.dims[3]);
                let strides = lift(n.ints("strides").unwrap_or(vec![1, 1]), seq, false);
                let pads = lift(n.ints("pads").unwrap_or(vec![0, 0, 0, 0]), seq, true);
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
                let bias = match n.inputs.get(2).filter(|s| !s.is_empty()) {
                    Some(b) => init(&inits, b, n)?.values,
                    None => vec![Q::from_integer(0.into()); oc],
                };
                if bias.len() != oc {
                    return Err(err(
                        Some(&here),
                        format!("bias of {} values for {oc} output channels", bias.len()),
                    ));
                }
                let (dense, oh, ow) =
                    conv_dense(&k.values, [oc, c, kh, kw], &bias, h, w, [sh, sw], [ph, pw, ph2, pw2])
                        .map_err(|e| err(Some(&here), e))?;
                (push(GraphOp::Dense(dense), vec![v]), Shape::of_image(oc, oh, ow, seq))
            }
            "MaxPool" | "GlobalMaxPool" | "ReduceMax" => {
                let (v, shape) = one()?;
                let (c, h, w, oh, ow, windows) = if n.op == "ReduceMax" {
                    // The max over the features of a flat tensor (axes [1], keepdims any).
                    let k = shape.len();
                    // `axes`: an attribute before opset 18, an input since.
                    let axes = match n.inputs.get(1).filter(|s| !s.is_empty()) {
                        Some(a) => inits.get(a).map(|t| t.ints.clone()).unwrap_or_default(),
                        None => n.ints("axes").unwrap_or_default(),
                    };
                    // The tree's layers hold about k x k weights.
                    dense_size(&[k], &[k]).map_err(|e| err(Some(&here), e))?;
                    if !matches!(shape, Shape::Flat(_)) || !matches!(axes[..], [1] | [-1]) {
                        return Err(err(
                            Some(&here),
                            "ReduceMax is read over the features of a flat tensor (axes [1])",
                        ));
                    }
                    (1, 1, k, 1, 1, vec![(0..k).collect()])
                } else {
                    pool_windows(n, &shape, &here)?
                };
                let seq = matches!(shape, Shape::Seq(..));
                let max = push_max(&mut push, v, windows, c * h * w);
                let shape =
                    if n.op == "ReduceMax" { Shape::Flat(1) } else { Shape::of_image(c, oh, ow, seq) };
                (max, shape)
            }
            "AveragePool" | "GlobalAveragePool" => {
                let (v, shape) = one()?;
                let (c, h, w, oh, ow, windows) = pool_windows(n, &shape, &here)?;
                // count_include_pad: padding cells count as zeros in the average.
                let divisor = (n.int("count_include_pad", 0) != 0)
                    .then(|| n.ints("kernel_shape").map(|k| k.iter().product::<i64>() as usize))
                    .flatten();
                let dense = avg_pool_dense(&windows, c * h * w, divisor);
                let seq = matches!(shape, Shape::Seq(..));
                (push(GraphOp::Dense(dense), vec![v]), Shape::of_image(c, oh, ow, seq))
            }
            other => {
                return Err(err(
                    Some(&here),
                    format!(
                        "operator {other} is not supported (supported: Gemm, MatMul, Add, Concat, Relu, \
                         LeakyRelu, BatchNormalization, Flatten, Reshape, Identity, Dropout, Conv, AveragePool, \
                         MaxPool, their Global forms, ReduceMax over features, and Constant, Transpose on \
                         constants)"
                    ),
                ));
            }
        };
        // The weights of every dense node so far (convolutions and pools expanded), bounded as
        // one layer is ([`MAX_DENSE`]): many layers near that bound would exhaust memory too.
        if weights > MAX_DENSE {
            return Err(err(
                Some(&here),
                format!("the graph's dense layers up to here hold {weights} weights, more than {MAX_DENSE}"),
            ));
        }
        tensors.insert(out.clone(), (value, shape));
        last = Some(out.clone());
    }
    // The graph's output: the last node's (ONNX lists nodes in topological order).
    let out = last.ok_or_else(|| err(None, "the graph has no operator on its input"))?;
    graph.output = tensors[&out].0;
    if graph.output == 0 {
        return Err(err(
            None,
            "the graph computes nothing from its input (only Identity, Flatten or Reshape)",
        ));
    }
    let layers =
        graph.lower(&|v| labels[v].clone()).map_err(|e| err(Some(&labels[e.node + 1]), e.problem))?;
    Network::from_layers(input_dim, layers).map_err(|e| err(None, e.to_string()))
}

/// A pooling node's windows over an image `[c, h, w]`: `(c, h, w, oh, ow, windows)`, each
/// window the flat input indices it covers (channel by channel, row by row). Strides default
/// to 1 (ONNX); padding, `ceil_mode`, dilations and MaxPool's indices output are refused.
type Windows = (usize, usize, usize, usize, usize, Vec<Vec<usize>>);

fn pool_windows(n: &Node, shape: &Shape, here: &str) -> Result<Windows, ImportError> {
    let Some((c, h, w, seq)) = shape.image() else {
        return Err(err(Some(here), format!("{} needs an image or a sequence", n.op)));
    };
    // The global pools: one window a channel.
    if n.op.starts_with("Global") {
        return windows(c, h, w, [h, w], [h, w], [0; 4])
            .map(|(oh, ow, wins)| (c, h, w, oh, ow, wins))
            .map_err(|e| err(Some(here), e));
    }
    let ks = lift(n.ints("kernel_shape").ok_or_else(|| err(Some(here), "no kernel_shape"))?, seq, false);
    let strides = lift(n.ints("strides").unwrap_or(vec![1, 1]), seq, false);
    let pads = lift(n.ints("pads").unwrap_or(vec![0, 0, 0, 0]), seq, true);
    if n.int("ceil_mode", 0) != 0
        || n.ints("dilations").is_some_and(|d| d.iter().any(|&x| x != 1))
        || n.outputs.len() > 1
        || n.attrs.get("auto_pad").is_some_and(|v| !matches!(v, Attr::Str(s) if s == "NOTSET"))
    {
        return Err(err(Some(here), "ceil_mode, dilations, auto_pad and indices are not supported"));
    }
    if ks.len() != 2 || strides.len() != 2 || ks.iter().chain(&strides).any(|&x| x < 1) {
        return Err(err(
            Some(here),
            format!("kernel_shape {ks:?}, strides {strides:?}: expected two positive integers each"),
        ));
    }
    if pads.len() != 4 || pads.iter().any(|&x| !(0..=1 << 20).contains(&x)) {
        return Err(err(Some(here), format!("pads {pads:?}: expected 4 non-negative integers")));
    }
    let (kh, kw, sh, sw) = (ks[0] as usize, ks[1] as usize, strides[0] as usize, strides[1] as usize);
    // ONNX orders pads [top, left, bottom, right].
    let pads = [pads[0] as usize, pads[1] as usize, pads[2] as usize, pads[3] as usize];
    let (oh, ow, wins) = windows(c, h, w, [kh, kw], [sh, sw], pads).map_err(|e| err(Some(here), e))?;
    Ok((c, h, w, oh, ow, wins))
}

/// The float attribute `key` of node `n` at its exact value (`default` when absent); a NaN
/// or infinite attribute is an error naming the node and the attribute.
fn attr_exact(n: &Node, key: &str, default: f32) -> Result<Q, ImportError> {
    let x = n.float(key, default);
    from_f32_exact(x).ok_or_else(|| {
        err(Some(&n.label()), format!("attribute `{key}` is {x}: non-finite parameters are errors"))
    })
}

/// The tensor of a `Constant` node.
fn constant(n: &Node, ext: &mut External) -> Result<Tensor, ImportError> {
    let here = n.label();
    let exact = |x: f32| {
        from_f32_exact(x)
            .ok_or_else(|| err(Some(&here), "holds NaN or infinity: non-finite parameters are errors"))
    };
    let (key, attr) = n
        .attrs
        .iter()
        .find(|(k, _)| k.starts_with("value"))
        .ok_or_else(|| err(Some(&here), "Constant without a value"))?;
    Ok(match (key.as_str(), attr) {
        ("value", Attr::Tensor(b)) => tensor(b, ext)?.1,
        ("value_float", Attr::Float(x)) => Tensor { dims: vec![], values: vec![exact(*x)?], ints: vec![] },
        ("value_floats", Attr::Floats(v)) => Tensor {
            dims: vec![v.len()],
            values: v.iter().map(|&x| exact(x)).collect::<Result<_, _>>()?,
            ints: vec![],
        },
        ("value_int", Attr::Int(i)) => Tensor { dims: vec![], values: vec![], ints: vec![*i] },
        ("value_ints", Attr::Ints(v)) => Tensor { dims: vec![v.len()], values: vec![], ints: v.clone() },
        (k, _) => return Err(err(Some(&here), format!("Constant attribute `{k}` is not read"))),
    })
}
