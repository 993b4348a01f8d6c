//! JSON and text input: the network file, the domain file, box, point and CSV text, exact
//! numbers; and the JSON text layout every writer shares (short arrays on one line).

use super::regions::*;
use crate::arith::num::{NumError, Q, fmt_q, parse_rational};
use crate::geometry::Domain;
use crate::network::{Dense, LayerSpec, Network};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// Identifier of the regions JSON format.
pub const REGIONS_FORMAT: &str = "linregions.regions/1";

/// A problem in an input document: where (layer, field path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Layer index in `layers`, when the problem is inside a layer.
    pub layer: Option<usize>,
    /// The field, with indices: `weight[1][0]`, `input_dim`, `a[2]`.
    pub field: String,
    pub problem: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layer {
            Some(l) => write!(f, "layer {l}, field `{}`: {}", self.field, self.problem),
            None if self.field.is_empty() => write!(f, "{}", self.problem),
            None => write!(f, "field `{}`: {}", self.field, self.problem),
        }
    }
}

impl std::error::Error for WireError {}

pub(crate) fn err(layer: Option<usize>, field: impl Into<String>, problem: impl Into<String>) -> WireError {
    WireError { layer, field: field.into(), problem: problem.into() }
}

/// Read an exact rational from a JSON string or number.
pub(crate) fn number(v: &Value, layer: Option<usize>, field: &str) -> Result<Q, WireError> {
    let text = match v {
        Value::String(s) => s.clone(),
        // With serde_json's `arbitrary_precision`, this is the literal as written.
        Value::Number(n) => n.to_string(),
        other => {
            return Err(err(
                layer,
                field,
                format!("expected a number or a numeric string, found {}", kind(other)),
            ));
        }
    };
    parse_rational(&text).map_err(|e: NumError| err(layer, field, e.to_string()))
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn vector(v: &Value, layer: Option<usize>, field: &str) -> Result<Vec<Q>, WireError> {
    let arr =
        v.as_array().ok_or_else(|| err(layer, field, format!("expected an array, found {}", kind(v))))?;
    arr.iter().enumerate().map(|(i, x)| number(x, layer, &format!("{field}[{i}]"))).collect()
}

pub(crate) fn matrix(v: &Value, layer: Option<usize>, field: &str) -> Result<Vec<Vec<Q>>, WireError> {
    let arr = v
        .as_array()
        .ok_or_else(|| err(layer, field, format!("expected an array of rows, found {}", kind(v))))?;
    arr.iter().enumerate().map(|(i, row)| vector(row, layer, &format!("{field}[{i}]"))).collect()
}

pub(crate) fn parse_json(text: &str) -> Result<Value, WireError> {
    let v = serde_json::from_str(text).map_err(|e| err(None, "", format!("not valid JSON: {e}")))?;
    if let Some((key, line, col)) = duplicate_key(text) {
        return Err(err(
            None,
            "",
            format!("duplicate key `{key}` at line {line}, column {col} (every key once)"),
        ));
    }
    Ok(v)
}

/// The first key that appears twice in one object of the valid JSON `text`, with the line
/// and column (1-based) of its second occurrence: serde_json keeps the last value silently,
/// and a file that says one thing twice is not to be guessed at.
pub fn duplicate_key(text: &str) -> Option<(String, usize, usize)> {
    // Objects open on the stack with the keys seen so far; arrays as `None`.
    let mut stack: Vec<Option<std::collections::HashSet<String>>> = Vec::new();
    let mut expect_key = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Some(std::collections::HashSet::new()));
                expect_key = true;
            }
            b'[' => {
                stack.push(None);
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(stack.last(), Some(Some(_))),
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if expect_key && let Some(Some(keys)) = stack.last_mut() {
                    let raw = &text[start..=i.min(bytes.len() - 1)];
                    let key: String = serde_json::from_str(raw).unwrap_or_else(|_| raw.to_string());
                    if !keys.insert(key.clone()) {
                        let line = text[..start].matches('\n').count() + 1;
                        let col = start - text[..start].rfind('\n').map_or(0, |p| p + 1) + 1;
                        return Some((key, line, col));
                    }
                }
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parse and validate a network file (see README "Network file").
///
/// ```
/// // Numbers may be fraction strings, exact decimals or JSON numbers (read as exact decimals).
/// let net = linregions::parse_network(r#"{"input_dim": 2, "layers": [
///     {"type": "dense", "weight": [["1", "-1/2"], [3, 0.25]], "bias": ["0", "1"]},
///     {"type": "relu"},
///     {"type": "dense", "weight": [["1", "1"]], "bias": ["0"]}]}"#).unwrap();
/// assert_eq!((net.input_dim(), net.layer_sizes(), net.output_dim()), (2, vec![2], 1));
/// // Bad input names the field: the activation is never guessed.
/// let err = linregions::parse_network(r#"{"input_dim": 1, "layers": [{"type": "gelu"}]}"#).unwrap_err();
/// assert!(err.to_string().contains("gelu"));
/// ```
pub fn parse_network(text: &str) -> Result<Network, WireError> {
    let doc = parse_json(text)?;
    let obj = doc.as_object().ok_or_else(|| err(None, "", "the network file must be a JSON object"))?;
    let input_dim = match obj.get("input_dim") {
        None => return Err(err(None, "input_dim", "is missing")),
        Some(v) => match v.as_u64() {
            Some(n) => usize::try_from(n).map_err(|_| err(None, "input_dim", "is too large"))?,
            None => {
                return Err(err(None, "input_dim", format!("must be a positive integer, found {v}")));
            }
        },
    };
    if let Some(nodes) = obj.get("nodes") {
        if obj.contains_key("layers") {
            return Err(err(None, "nodes", "and `layers` both given: a network file has one of them"));
        }
        let nodes = nodes
            .as_array()
            .ok_or_else(|| err(None, "nodes", format!("expected an array, found {}", kind(nodes))))?;
        let layers = super::nodes::lower_nodes(input_dim, nodes, obj.get("output"))?;
        return Network::from_layers(input_dim, layers).map_err(|e| WireError {
            layer: e.layer,
            field: e.field.to_string(),
            problem: e.problem,
        });
    }
    let layers_v = obj.get("layers").ok_or_else(|| err(None, "layers", "is missing (or `nodes`)"))?;
    let layers_a = layers_v
        .as_array()
        .ok_or_else(|| err(None, "layers", format!("expected an array, found {}", kind(layers_v))))?;
    let mut layers = Vec::with_capacity(layers_a.len());
    for (i, l) in layers_a.iter().enumerate() {
        let lo = l
            .as_object()
            .ok_or_else(|| err(Some(i), "", format!("expected an object, found {}", kind(l))))?;
        let ty = match lo.get("type") {
            Some(Value::String(s)) => s.as_str(),
            Some(v) => {
                return Err(err(Some(i), "type", format!("expected a string, found {}", kind(v))));
            }
            None => return Err(err(Some(i), "type", "is missing")),
        };
        layers.push(match ty {
            "dense" | "linear" => {
                let w = lo.get("weight").ok_or_else(|| err(Some(i), "weight", "is missing"))?;
                let b = lo.get("bias").ok_or_else(|| err(Some(i), "bias", "is missing"))?;
                LayerSpec::Dense(Dense {
                    weight: matrix(w, Some(i), "weight")?,
                    bias: vector(b, Some(i), "bias")?,
                })
            }
            "relu" | "leaky_relu" => {
                let slope = if ty == "relu" {
                    Q::from_integer(0.into())
                } else {
                    let s = lo
                        .get("slope")
                        .ok_or_else(|| err(Some(i), "slope", "is missing (leaky_relu needs a slope)"))?;
                    number(s, Some(i), "slope")?
                };
                // The last `carry` values pass through unchanged (see `LayerSpec::ActivationWithCarry`).
                match lo.get("carry") {
                    None => LayerSpec::Activation { slope },
                    Some(v) => {
                        let carry = v.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
                            err(Some(i), "carry", format!("must be a non-negative integer, found {v}"))
                        })?;
                        LayerSpec::ActivationWithCarry { slope, carry }
                    }
                }
            }
            other => {
                return Err(err(
                    Some(i),
                    "type",
                    format!("unknown layer type `{other}` (expected dense, relu or leaky_relu)"),
                ));
            }
        });
    }
    Network::from_layers(input_dim, layers).map_err(|e| WireError {
        layer: e.layer,
        field: e.field.to_string(),
        problem: e.problem,
    })
}

/// Write a network as an exact network file (dense layers composed, activations kept).
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// let text = linregions::formats::network_to_json(&net);
/// assert_eq!(linregions::parse_network(&text).unwrap(), net); // exact round trip
/// ```
pub fn network_to_json(net: &Network) -> String {
    #[derive(Serialize)]
    struct DenseOut {
        r#type: &'static str,
        weight: Vec<Vec<String>>,
        bias: Vec<String>,
    }
    #[derive(Serialize)]
    #[serde(untagged)]
    enum LayerOut {
        Dense(DenseOut),
        Act {
            r#type: &'static str,
            #[serde(skip_serializing_if = "is_zero")]
            carry: usize,
        },
        Leaky {
            r#type: &'static str,
            slope: String,
            #[serde(skip_serializing_if = "is_zero")]
            carry: usize,
        },
    }
    fn is_zero(n: &usize) -> bool {
        *n == 0
    }
    #[derive(Serialize)]
    struct NetOut {
        input_dim: usize,
        layers: Vec<LayerOut>,
    }
    let dense = |d: &Dense| {
        LayerOut::Dense(DenseOut { r#type: "dense", weight: qmat(&d.weight), bias: qvec(&d.bias) })
    };
    let mut layers = Vec::new();
    for h in net.hidden() {
        layers.push(dense(&h.dense));
        let carry = h.carry;
        layers.push(if num_traits::Zero::is_zero(&h.slope) {
            LayerOut::Act { r#type: "relu", carry }
        } else {
            LayerOut::Leaky { r#type: "leaky_relu", slope: fmt_q(&h.slope), carry }
        });
    }
    layers.push(dense(net.output()));
    to_json_text(&NetOut { input_dim: net.input_dim(), layers })
}

/// Parse a domain file `{"a": [[...], ...], "b": [...]}` (rows `a·x <= b`).
///
/// ```
/// use linregions::Domain;
/// let dom = linregions::parse_domain(r#"{"a": [["-1", "0"], ["0", "-1"], ["1", "1"]], "b": ["0", "0", "1"]}"#).unwrap();
/// assert_eq!(dom, Domain::unit_triangle());
/// ```
pub fn parse_domain(text: &str) -> Result<Domain, WireError> {
    let doc = parse_json(text)?;
    let obj = doc.as_object().ok_or_else(|| err(None, "", "the domain file must be a JSON object"))?;
    let a = matrix(obj.get("a").ok_or_else(|| err(None, "a", "is missing"))?, None, "a")?;
    let b = vector(obj.get("b").ok_or_else(|| err(None, "b", "is missing"))?, None, "b")?;
    if a.is_empty() {
        return Err(err(None, "a", "has no rows (use --unbounded for the whole space)"));
    }
    if a.len() != b.len() {
        return Err(err(None, "b", format!("has {} entries but `a` has {} rows", b.len(), a.len())));
    }
    let d = a[0].len();
    if let Some(i) = a.iter().position(|r| r.len() != d) {
        return Err(err(None, format!("a[{i}]"), format!("has {} entries but row 0 has {d}", a[i].len())));
    }
    Ok(Domain::Polytope { a, b })
}

/// Parse `--box LO:HI` (every coordinate) or `LO:HI,LO:HI,...` (one per coordinate).
pub fn parse_box(spec: &str, d: usize) -> Result<Domain, String> {
    let parts: Vec<&str> = spec.split(',').collect();
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    for (j, p) in parts.iter().enumerate() {
        let (l, h) = p.split_once(':').ok_or_else(|| format!("interval {j} `{p}` is not LO:HI"))?;
        lo.push(parse_rational(l).map_err(|e| format!("interval {j}, LO: {e}"))?);
        hi.push(parse_rational(h).map_err(|e| format!("interval {j}, HI: {e}"))?);
    }
    if parts.len() == 1 {
        lo = vec![lo[0].clone(); d];
        hi = vec![hi[0].clone(); d];
    } else if parts.len() != d {
        return Err(format!("{} intervals given but the network's input has dimension {d}", parts.len()));
    }
    Ok(Domain::Box { lo, hi })
}

/// Whether a CSV line is a header: every field a word (starting with a letter, `_` or a
/// quote), none of them a spelling of a float that is not a number (`nan`, `inf`, ...). A
/// first line that does not parse and is not a header is an error, not skipped.
pub fn is_header(line: &str) -> bool {
    line.split(',').map(str::trim).all(|f| {
        let lower = f.trim_matches('"').to_ascii_lowercase();
        let word = f.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '"');
        let float_word = matches!(lower.trim_start_matches(['+', '-']), "nan" | "inf" | "infinity");
        word && !float_word
    })
}

/// Three points of dimension `d` for `--plane`: JSON `[[...], [...], [...]]` or three CSV
/// lines (an optional header line of words is skipped; see [`is_header`]).
pub fn parse_three_points(text: &str, d: usize) -> Result<Vec<Vec<Q>>, WireError> {
    let pts: Vec<Vec<Q>> = if text.trim_start().starts_with('[') {
        matrix(&parse_json(text)?, None, "points")?
    } else {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split(',').map(|f| parse_rational(f.trim())).collect::<Result<Vec<Q>, _>>() {
                Ok(p) => out.push(p),
                Err(_) if out.is_empty() && i == 0 && is_header(line) => continue,
                Err(e) => return Err(err(None, format!("line {}", i + 1), e.to_string())),
            }
        }
        out
    };
    if pts.len() != 3 || pts.iter().any(|p| p.len() != d) {
        return Err(err(None, "", format!("expected 3 points of dimension {d}, found {} rows", pts.len())));
    }
    Ok(pts)
}

/// Parse a point `x1,x2,...` of exact rationals.
pub fn parse_point(spec: &str, d: usize) -> Result<Vec<Q>, String> {
    let p: Vec<Q> = spec
        .split(',')
        .enumerate()
        .map(|(j, s)| parse_rational(s).map_err(|e| format!("coordinate {j}: {e}")))
        .collect::<Result<_, _>>()?;
    if p.len() != d {
        return Err(format!("{} coordinates given but the network's input has dimension {d}", p.len()));
    }
    Ok(p)
}

/// JSON text as linregions writes it: two-space indentation, but any array or object whose
/// one-line form fits in `INLINE_WIDTH` (100) characters less its depth stays on one line
/// (see `layout`). Ends in a newline. Field order is the declaration order of the serialized
/// structs.
pub fn to_json_text<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    super::layout::write(value, 0, &mut out);
    out.push('\n');
    out
}

/// Parse a data CSV `x1,...,xd[,label]` (header optional, exact decimals).
pub fn parse_data_csv(text: &str, d: usize) -> Result<Vec<(Vec<Q>, Option<String>)>, WireError> {
    let mut out = Vec::new();
    let mut seen_row = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // A header is the first row, all non-numbers (whatever its number of fields).
        let first = !std::mem::replace(&mut seen_row, true);
        if first && is_header(line) {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() < d || fields.len() > d + 1 {
            return Err(err(
                None,
                format!("line {}", i + 1),
                format!("expected {d} coordinates and an optional label"),
            ));
        }
        match fields[..d].iter().map(|f| parse_rational(f)).collect::<Result<Vec<Q>, _>>() {
            Ok(x) => out.push((x, fields.get(d).map(|s| s.to_string()))),
            Err(e) => return Err(err(None, format!("line {}", i + 1), e.to_string())),
        }
    }
    Ok(out)
}

/// Parse a labelled data CSV for training: rows `x1,...,xd,label` with `d >= 1` numbers
/// (exact decimals, taken as the nearest double: training is in floats) and a label that is
/// a class index `0, 1, ...`. A first row of non-numbers is a header; blank lines and lines
/// starting with `#` are skipped. Every row must have the first row's number of fields.
///
/// ```
/// let (x, y) = linregions::formats::parse_labelled_csv("a,b,class\n0.5,1,0\n-2,1/4,2\n").unwrap();
/// assert_eq!((x, y), (vec![vec![0.5, 1.0], vec![-2.0, 0.25]], vec![0, 2]));
/// ```
pub fn parse_labelled_csv(text: &str) -> Result<(Vec<Vec<f64>>, Vec<usize>), WireError> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut width = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("line {}", i + 1);
        if width.is_none() && is_header(line) {
            width = Some(line.split(',').count());
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let w = *width.get_or_insert(fields.len());
        if fields.len() != w {
            return Err(err(None, at, format!("{} fields, the first row has {w}", fields.len())));
        }
        if w < 2 {
            return Err(err(None, at, "expected x1,...,xd,label with at least one coordinate"));
        }
        let mut x = Vec::with_capacity(w - 1);
        for (k, f) in fields[..w - 1].iter().enumerate() {
            let q =
                parse_rational(f).map_err(|e| err(None, format!("{at}, field {}", k + 1), e.to_string()))?;
            let v = crate::arith::num::to_f64(&q);
            if !v.is_finite() {
                return Err(err(None, format!("{at}, field {}", k + 1), "out of the double range"));
            }
            x.push(v);
        }
        let label = fields[w - 1];
        let y: usize = label.parse().map_err(|_| {
            err(None, format!("{at}, field {w}"), format!("label `{label}` is not a class index 0, 1, ..."))
        })?;
        xs.push(x);
        ys.push(y);
    }
    if xs.is_empty() {
        return Err(err(None, "", "no data rows"));
    }
    Ok((xs, ys))
}
