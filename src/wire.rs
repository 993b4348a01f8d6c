//! Wire formats: the network file, the domain file, box and point text, the regions JSON
//! (`linregions.regions/1`) and the Graphviz DOT export. Text in, text out: no file access
//! here (the CLI reads and writes files), so the formats can be tested as strings.
//!
//! Every rational on the wire is a string `"p/q"` (integers without `/1`); input numbers may
//! be such strings, exact decimals (`"0.25"`, `"1e-3"`) or JSON numbers read as the exact
//! decimal value of their literal. The fields are documented in README.md ("Formats").

use crate::domain::Domain;
use crate::enumerate::{Enumeration, Facet, Region};
use crate::linear::LinearRegions;
use crate::mesh::Partition;
use crate::network::{Dense, LayerSpec, Network, NeuronId, Pattern};
use crate::num::{NumError, Q, fmt_q, parse_rational};
use crate::polytope::{Insphere, LinfInsphere, Source};
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

fn err(layer: Option<usize>, field: impl Into<String>, problem: impl Into<String>) -> WireError {
    WireError { layer, field: field.into(), problem: problem.into() }
}

/// Read an exact rational from a JSON string or number.
fn number(v: &Value, layer: Option<usize>, field: &str) -> Result<Q, WireError> {
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

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn vector(v: &Value, layer: Option<usize>, field: &str) -> Result<Vec<Q>, WireError> {
    let arr =
        v.as_array().ok_or_else(|| err(layer, field, format!("expected an array, found {}", kind(v))))?;
    arr.iter().enumerate().map(|(i, x)| number(x, layer, &format!("{field}[{i}]"))).collect()
}

fn matrix(v: &Value, layer: Option<usize>, field: &str) -> Result<Vec<Vec<Q>>, WireError> {
    let arr = v
        .as_array()
        .ok_or_else(|| err(layer, field, format!("expected an array of rows, found {}", kind(v))))?;
    arr.iter().enumerate().map(|(i, row)| vector(row, layer, &format!("{field}[{i}]"))).collect()
}

fn parse_json(text: &str) -> Result<Value, WireError> {
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
    let layers_v = obj.get("layers").ok_or_else(|| err(None, "layers", "is missing"))?;
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
            "relu" => LayerSpec::Activation { slope: Q::from_integer(0.into()) },
            "leaky_relu" => {
                let s = lo
                    .get("slope")
                    .ok_or_else(|| err(Some(i), "slope", "is missing (leaky_relu needs a slope)"))?;
                LayerSpec::Activation { slope: number(s, Some(i), "slope")? }
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
        Act { r#type: &'static str },
        Leaky { r#type: &'static str, slope: String },
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
        layers.push(if num_traits::Zero::is_zero(&h.slope) {
            LayerOut::Act { r#type: "relu" }
        } else {
            LayerOut::Leaky { r#type: "leaky_relu", slope: fmt_q(&h.slope) }
        });
    }
    layers.push(dense(net.output()));
    to_json_text(&NetOut { input_dim: net.input_dim(), layers })
}

/// Parse a domain file `{"a": [[...], ...], "b": [...]}` (rows `a·x <= b`).
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

fn qvec(v: &[Q]) -> Vec<String> {
    v.iter().map(fmt_q).collect()
}
fn qmat(m: &[Vec<Q>]) -> Vec<Vec<String>> {
    m.iter().map(|r| qvec(r)).collect()
}

/// Wire form of a network summary.
#[derive(Serialize)]
pub struct NetworkOut {
    pub input_dim: usize,
    /// Widths of the activation layers (after composing consecutive dense layers).
    pub layer_sizes: Vec<usize>,
    /// Inactive-side slope of each activation layer (`"0"` for ReLU).
    pub slopes: Vec<String>,
    pub output_dim: usize,
}

impl NetworkOut {
    pub fn new(net: &Network) -> Self {
        NetworkOut {
            input_dim: net.input_dim(),
            layer_sizes: net.layer_sizes(),
            slopes: net.hidden().iter().map(|h| fmt_q(&h.slope)).collect(),
            output_dim: net.output_dim(),
        }
    }
}

/// Wire form of a domain.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DomainOut {
    Box { lo: Vec<String>, hi: Vec<String>, bounded: bool },
    Polytope { a: Vec<Vec<String>>, b: Vec<String>, bounded: bool },
    Whole { dim: usize, bounded: bool },
}

impl DomainOut {
    pub fn new(d: &Domain, bounded: bool) -> Self {
        match d {
            Domain::Box { lo, hi } => DomainOut::Box { lo: qvec(lo), hi: qvec(hi), bounded },
            Domain::Polytope { a, b } => DomainOut::Polytope { a: qmat(a), b: qvec(b), bounded },
            Domain::Whole { dim } => DomainOut::Whole { dim: *dim, bounded },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceOut {
    Neuron([usize; 2]),
    Domain(usize),
}

#[derive(Serialize)]
pub struct FacetOut {
    /// Normal, coprime integers; the region lies on the side `a·x <= b`.
    pub a: Vec<String>,
    /// Offset, an integer sharing the scaling of `a`.
    pub b: String,
    /// Every neuron `{"neuron": [layer, index]}` and domain row `{"domain": row}` defining
    /// this half-space on the region (layers count activation layers from 0), sorted.
    pub sources: Vec<SourceOut>,
    /// Region id across the facet (`null` on the domain boundary). In `inspect` output,
    /// `neighbor_pattern` is given instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbor: Option<Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbor_pattern: Option<Option<Vec<String>>>,
}

#[derive(Serialize)]
pub struct AffineOut {
    /// `[output][input]`: the logits on the region are `weight·x + bias`.
    pub weight: Vec<Vec<String>>,
    pub bias: Vec<String>,
}

#[derive(Serialize)]
pub struct InsphereOut {
    /// Centre of a ball of radius `radius_lower` inside the region; `null` when infinite.
    pub center: Option<Vec<String>>,
    /// `radius_lower <= r* <= radius_upper` for the Euclidean inradius `r*`, or `"inf"`.
    pub radius_lower: String,
    pub radius_upper: String,
}

#[derive(Serialize)]
pub struct LinfOut {
    /// Centre of the largest inscribed axis-aligned cube; `null` when infinite.
    pub center: Option<Vec<String>>,
    /// Half its side, exact, or `"inf"`.
    pub radius: String,
}

#[derive(Serialize)]
pub struct RegionOut {
    /// Index in the file's `regions`, which are sorted by pattern (JSONL: walk id).
    pub id: usize,
    /// One `0`/`1` string per activation layer; `1` = pre-activation positive on the region.
    pub pattern: Vec<String>,
    /// A rational point strictly inside.
    pub interior_point: Vec<String>,
    pub bounded: bool,
    /// Irredundant facets, sorted by `(a, b)`.
    pub facets: Vec<FacetOut>,
    /// The exact affine map of the logits on the region.
    pub logits: AffineOut,
    /// Certified Euclidean insphere.
    pub insphere: InsphereOut,
    /// Exact largest inscribed cube.
    pub insphere_linf: LinfOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertices: Option<Vec<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_region: Option<usize>,
    /// With a plane slice: the interior point in input coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interior_point_input: Option<Vec<String>>,
}

/// How facet neighbours are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NeighborStyle {
    /// `"neighbor": id | null` (enumeration output).
    Id,
    /// `"neighbor_pattern": [...] | null` (a region on its own, as `inspect` prints it).
    Pattern,
}

fn source_out(s: &Source) -> SourceOut {
    match s {
        Source::Neuron((l, k)) => SourceOut::Neuron([*l, *k]),
        Source::Domain(r) => SourceOut::Domain(*r),
    }
}

fn facet_out(net: &Network, f: &Facet, style: NeighborStyle) -> FacetOut {
    FacetOut {
        a: qvec(&f.a),
        b: fmt_q(&f.b),
        sources: f.sources.iter().map(source_out).collect(),
        neighbor: (style == NeighborStyle::Id).then_some(f.neighbor),
        neighbor_pattern: (style == NeighborStyle::Pattern)
            .then(|| f.neighbor_pattern.as_ref().map(|p| net.pattern_strings(p))),
    }
}

/// Wire form of one region.
pub fn region_out(net: &Network, r: &Region, style: NeighborStyle) -> RegionOut {
    let inf = || "inf".to_string();
    RegionOut {
        id: r.id,
        pattern: net.pattern_strings(&r.pattern),
        interior_point: qvec(&r.interior_point),
        bounded: r.bounded,
        facets: r.facets.iter().map(|f| facet_out(net, f, style)).collect(),
        logits: AffineOut { weight: qmat(&r.logits.weight), bias: qvec(&r.logits.bias) },
        insphere: match &r.insphere {
            Insphere::Finite { center, radius_lower, radius_upper } => InsphereOut {
                center: Some(qvec(center)),
                radius_lower: fmt_q(radius_lower),
                radius_upper: fmt_q(radius_upper),
            },
            Insphere::Unbounded => InsphereOut { center: None, radius_lower: inf(), radius_upper: inf() },
        },
        insphere_linf: match &r.insphere_linf {
            LinfInsphere::Finite { center, radius } => {
                LinfOut { center: Some(qvec(center)), radius: fmt_q(radius) }
            }
            LinfInsphere::Unbounded => LinfOut { center: None, radius: inf() },
        },
        vertices: r.vertices.as_ref().map(|v| qmat(v)),
        volume: r.volume.as_ref().map(fmt_q),
        linear_region: None,
        interior_point_input: None,
    }
}

#[derive(Serialize)]
pub struct EdgeOut {
    /// Region ids, `a < b`.
    pub a: usize,
    pub b: usize,
    /// Every neuron `[layer, index]` whose bit differs between the two patterns.
    pub neurons: Vec<[usize; 2]>,
}

#[derive(Serialize)]
pub struct RegionsOut {
    /// Always [`REGIONS_FORMAT`].
    pub format: &'static str,
    pub network: NetworkOut,
    pub domain: DomainOut,
    /// Sorted by pattern; `regions[i].id == i`.
    pub regions: Vec<RegionOut>,
    /// One per adjacent pair, sorted.
    pub edges: Vec<EdgeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_regions: Option<Vec<LinearOut>>,
    /// With a plane slice: `x = origin + s·u + t·v` maps region coordinates `(s, t)` to inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<PlaneOut>,
}

/// A plane slice of the input space.
#[derive(Serialize)]
pub struct PlaneOut {
    pub origin: Vec<String>,
    pub u: Vec<String>,
    pub v: Vec<String>,
}

/// A plane `x = origin + s·u + t·v` in input space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plane {
    pub origin: Vec<Q>,
    pub u: Vec<Q>,
    pub v: Vec<Q>,
}

impl Plane {
    /// The input point of plane coordinates `st`.
    pub fn to_input(&self, st: &[Q]) -> Vec<Q> {
        (0..self.origin.len()).map(|i| &self.origin[i] + &st[0] * &self.u[i] + &st[1] * &self.v[i]).collect()
    }
}

/// One linear region: its activation regions and whether their union is convex.
#[derive(Serialize)]
pub struct LinearOut {
    pub id: usize,
    pub regions: Vec<usize>,
    pub convex: bool,
}

fn linear_out(l: &LinearRegions) -> Vec<LinearOut> {
    l.members
        .iter()
        .enumerate()
        .map(|(id, m)| LinearOut { id, regions: m.clone(), convex: l.convex[id] })
        .collect()
}

/// The merged graph of linear regions (`linregions.linear/1`).
pub fn linear_json(l: &LinearRegions) -> String {
    #[derive(Serialize)]
    struct Merged {
        format: &'static str,
        linear_regions: Vec<LinearOut>,
        edges: Vec<[usize; 2]>,
    }
    to_json_text(&Merged {
        format: "linregions.linear/1",
        linear_regions: linear_out(l),
        edges: l.edges.iter().map(|&(a, b)| [a, b]).collect(),
    })
}

fn neurons_out(n: &[NeuronId]) -> Vec<[usize; 2]> {
    n.iter().map(|&(l, k)| [l, k]).collect()
}

/// The regions JSON document (`linregions.regions/1`), pretty-printed, ending in a newline.
/// With `linear`, every region carries its `linear_region` and the document lists the
/// linear regions.
pub fn regions_json(
    net: &Network,
    domain: &Domain,
    e: &Enumeration,
    linear: Option<&LinearRegions>,
    plane: Option<&Plane>,
) -> String {
    in_memory(|w| write_regions_json(w, net, domain, e, linear, plane))
}

/// The text of a document written by `write` into memory.
fn in_memory(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut buf: Vec<u8> = Vec::new();
    write(&mut buf).expect("writing to memory");
    String::from_utf8(buf).expect("JSON text is UTF-8")
}

/// [`regions_json`] written to `w` as it is made (a few tens of kilobytes at a time): the
/// same bytes, without the whole text in memory.
pub fn write_regions_json(
    w: &mut dyn std::io::Write,
    net: &Network,
    domain: &Domain,
    e: &Enumeration,
    linear: Option<&LinearRegions>,
    plane: Option<&Plane>,
) -> std::io::Result<()> {
    // Written field by field, the regions and edges one at a time: the whole document as one
    // `Value` tree took ~10x the text's size in memory, and on this kind of machine fresh
    // memory is slow (page clearing was a third of `enumerate --json`; the whole text as one
    // growing string still cost 14% of it). Same bytes as `to_json_text` of the whole
    // `RegionsOut`.
    let region = |(i, r): (usize, &Region)| {
        let mut out = region_out(net, r, NeighborStyle::Id);
        if let Some(p) = plane {
            out.interior_point_input = Some(qvec(&p.to_input(&r.interior_point)));
        }
        if let Some(l) = linear {
            out.linear_region = Some(l.of_region[i]);
        }
        out
    };
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &REGIONS_FORMAT);
    doc.field("network", &NetworkOut::new(net));
    doc.field("domain", &DomainOut::new(domain, e.domain_bounded));
    doc.array("regions", || e.regions.iter().enumerate().map(region));
    doc.array("edges", || e.edges().map(|(a, b, c)| EdgeOut { a, b, neurons: neurons_out(&c.neurons) }));
    if let Some(l) = linear {
        doc.field("linear_regions", &linear_out(l));
    }
    if let Some(p) = plane {
        doc.field("plane", &PlaneOut { origin: qvec(&p.origin), u: qvec(&p.u), v: qvec(&p.v) });
    }
    doc.finish()
}

/// A top-level JSON object written field by field in the layout of [`to_json_text`] (whose
/// top level is always multi-line), so that a large array can be written one element at a
/// time: the same bytes as the whole document through [`to_json_text`]. The text goes to
/// `sink` whenever [`SPILL`] bytes have gathered; the first write error is kept and
/// returned by `finish` (nothing more is written after it).
struct ObjectWriter<'w> {
    out: String,
    fields: usize,
    sink: &'w mut dyn std::io::Write,
    err: Option<std::io::Error>,
}

/// The bytes an [`ObjectWriter`] gathers before writing them.
const SPILL: usize = 1 << 16;

impl<'w> ObjectWriter<'w> {
    fn new(sink: &'w mut dyn std::io::Write) -> ObjectWriter<'w> {
        ObjectWriter { out: String::from("{\n"), fields: 0, sink, err: None }
    }

    /// The gathered text to the sink once it is long enough (`all`: whatever there is).
    fn spill(&mut self, all: bool) {
        if (all || self.out.len() >= SPILL) && self.err.is_none() {
            if let Err(e) = self.sink.write_all(self.out.as_bytes()) {
                self.err = Some(e);
            }
            self.out.clear();
        }
    }

    fn key(&mut self, key: &str) {
        if self.fields > 0 {
            self.out.push_str(",\n");
        }
        self.fields += 1;
        self.out.push_str("  ");
        self.out.push_str(&serde_json::to_string(key).expect("key"));
        self.out.push_str(": ");
    }

    fn field<T: Serialize>(&mut self, key: &str, value: &T) {
        self.key(key);
        write_value(&serde_json::to_value(value).expect("wire structs serialize"), 1, &mut self.out);
        self.spill(false);
    }

    /// An array field from its elements (`items` is called again when the array does not
    /// fit on one line): what `write_value` does for an array at depth 1.
    fn array<T: Serialize, I: Iterator<Item = T>>(&mut self, key: &str, items: impl Fn() -> I) {
        self.key(key);
        let value = |x: T| serde_json::to_value(x).expect("wire structs serialize");
        let mut flat = String::from("[");
        let mut fits = true;
        let mut empty = true;
        for (i, x) in items().enumerate() {
            empty = false;
            if i > 0 {
                flat.push_str(", ");
            }
            if !one_line(&value(x), &mut flat, INLINE_WIDTH - 1) {
                fits = false;
                break;
            }
        }
        flat.push(']');
        if empty || (fits && flat.len() < INLINE_WIDTH) {
            self.out.push_str(&flat);
            return;
        }
        self.out.push_str("[\n");
        let mut items = items().peekable();
        while let Some(x) = items.next() {
            self.out.push_str("    ");
            write_value(&value(x), 2, &mut self.out);
            self.out.push_str(if items.peek().is_some() { ",\n" } else { "\n" });
            self.spill(false);
        }
        self.out.push_str("  ]");
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.push_str("\n}\n");
        self.spill(true);
        match self.err.take() {
            Some(e) => Err(e),
            None => self.sink.flush(),
        }
    }
}

/// Format tag of [`partition_json`].
pub const PARTITION_FORMAT: &str = "linregions.partition/1";

#[derive(Serialize)]
pub struct SideOut {
    /// Normal, coprime integers with `b`; the region lies on the side `a·x <= b`.
    pub a: Vec<String>,
    pub b: String,
    /// Every neuron and domain row whose line contains the side, sorted (as in facets).
    pub sources: Vec<SourceOut>,
    /// Region id across the side (`null` on the domain boundary).
    pub neighbor: Option<usize>,
}

#[derive(Serialize)]
pub struct FaceOut {
    pub id: usize,
    pub pattern: Vec<String>,
    /// Vertex ids counter-clockwise, starting at the smallest.
    pub vertices: Vec<usize>,
    /// `facets[i]` joins `vertices[i]` and `vertices[i + 1]` (cyclically).
    pub facets: Vec<SideOut>,
    /// Exact area.
    pub area: String,
}

#[derive(Serialize)]
pub struct PartitionOut {
    pub format: &'static str,
    pub network: NetworkOut,
    pub domain: DomainOut,
    /// Every vertex, sorted by `(x, y)`, exact.
    pub vertices: Vec<[String; 2]>,
    /// Regions sorted by pattern.
    pub regions: Vec<FaceOut>,
    /// Adjacent pairs of regions.
    pub edges: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<PlaneOut>,
}

fn vertex_out(p: &Partition, v: usize) -> [String; 2] {
    let [x, y] = p.point(v);
    [fmt_q(&x), fmt_q(&y)]
}

fn face_out(net: &Network, p: &Partition, id: usize) -> FaceOut {
    let z = |v: &crate::num::Z| v.to_string();
    let f = &p.faces[id];
    FaceOut {
        id,
        pattern: net.pattern_strings(&f.pattern),
        vertices: f.vertices.clone(),
        facets: f
            .sides
            .iter()
            .map(|s| SideOut {
                a: s.a.iter().map(z).collect(),
                b: z(&s.b),
                sources: s.sources.iter().map(source_out).collect(),
                neighbor: s.neighbor,
            })
            .collect(),
        area: fmt_q(&p.area(id)),
    }
}

/// The `linregions.partition/1` document of a [`Partition`] (see README "Partition file").
pub fn partition_json(net: &Network, domain: &Domain, p: &Partition, plane: Option<&Plane>) -> String {
    in_memory(|w| write_partition_json(w, net, domain, p, plane))
}

/// [`partition_json`] written to `w` as it is made: the same bytes.
pub fn write_partition_json(
    w: &mut dyn std::io::Write,
    net: &Network,
    domain: &Domain,
    p: &Partition,
    plane: Option<&Plane>,
) -> std::io::Result<()> {
    // Field by field, as `regions_json` (the fields of `PartitionOut`, same bytes).
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &PARTITION_FORMAT);
    doc.field("network", &NetworkOut::new(net));
    doc.field("domain", &DomainOut::new(domain, true));
    doc.array("vertices", || (0..p.vertices.len()).map(|v| vertex_out(p, v)));
    doc.array("regions", || (0..p.faces.len()).map(|id| face_out(net, p, id)));
    doc.field("edges", &p.edges);
    if let Some(pl) = plane {
        doc.field("plane", &PlaneOut { origin: qvec(&pl.origin), u: qvec(&pl.u), v: qvec(&pl.v) });
    }
    doc.finish()
}

/// Values whose one-line form is at most this long are written on one line.
const INLINE_WIDTH: usize = 100;

/// JSON text as linregions writes it: two-space indentation, but any array or object whose
/// one-line form fits in `INLINE_WIDTH` (100) characters stays on one line. Ends in a newline.
/// Field order is the declaration order of the serialized structs.
pub fn to_json_text<T: Serialize>(value: &T) -> String {
    let v = serde_json::to_value(value).expect("wire structs serialize");
    let mut out = String::new();
    write_value(&v, 0, &mut out);
    out.push('\n');
    out
}

/// `v` on one line appended to `out`; stops early and returns `false` as soon as `out` is
/// longer than `cap` (the caller only needs lines that fit: without the cap, checking every
/// level of a large document re-wrote all of it once per level).
fn one_line(v: &Value, out: &mut String, cap: usize) -> bool {
    match v {
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !one_line(x, out, cap) || out.len() > cap {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_json_string(k, out);
                out.push_str(": ");
                if !one_line(x, out, cap) || out.len() > cap {
                    return false;
                }
            }
            out.push('}');
        }
        Value::String(s) => push_json_string(s, out),
        scalar => out.push_str(&serde_json::to_string(scalar).expect("scalar")),
    }
    out.len() <= cap
}

/// `s` as a JSON string literal appended to `out` (serde_json's escaping; most strings of
/// the wire format, rationals and patterns, need none and are copied as they are).
fn push_json_string(s: &str, out: &mut String) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).expect("string"));
    }
}

fn write_value(v: &Value, indent: usize, out: &mut String) {
    let empty = matches!(v, Value::Array(a) if a.is_empty()) || matches!(v, Value::Object(o) if o.is_empty());
    if empty || !(v.is_array() || v.is_object()) {
        one_line(v, out, usize::MAX);
        return;
    }
    if indent > 0
        && let Some(cap) = INLINE_WIDTH.checked_sub(indent)
    {
        let mut flat = String::new();
        if one_line(v, &mut flat, cap) {
            out.push_str(&flat);
            return;
        }
    }
    let pad = "  ".repeat(indent + 1);
    match v {
        Value::Array(a) => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                write_value(x, indent + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
        }
        Value::Object(o) => {
            out.push_str("{\n");
            for (i, (k, x)) in o.iter().enumerate() {
                out.push_str(&pad);
                push_json_string(k, out);
                out.push_str(": ");
                write_value(x, indent + 1, out);
                out.push_str(if i + 1 < o.len() { ",\n" } else { "\n" });
            }
        }
        _ => unreachable!(),
    }
    out.push_str(&"  ".repeat(indent));
    out.push(if v.is_array() { ']' } else { '}' });
}

/// One line of the JSONL stream: a region with walk ids (see
/// [`crate::enumerate::enumerate_with`]), compact, ending in a newline.
pub fn region_jsonl(net: &Network, r: &Region) -> String {
    let mut s = serde_json::to_string(&region_out(net, r, NeighborStyle::Id)).expect("serialize");
    s.push('\n');
    s
}

/// The last line of the JSONL stream.
pub fn summary_jsonl(s: &crate::enumerate::Summary) -> String {
    #[derive(Serialize)]
    struct Summary {
        format: &'static str,
        regions: usize,
        edges: usize,
        bounded: usize,
    }
    #[derive(Serialize)]
    struct Line {
        summary: Summary,
    }
    let mut out = serde_json::to_string(&Line {
        summary: Summary {
            format: "linregions.regions-jsonl/1",
            regions: s.regions,
            edges: s.edges,
            bounded: s.bounded,
        },
    })
    .expect("serialize");
    out.push('\n');
    out
}

/// Pattern strings joined by `|` (`1011|01`), for labels.
pub fn pattern_label(net: &Network, p: &Pattern) -> String {
    net.pattern_strings(p).join("|")
}

/// Graphviz DOT of the region graph: nodes `id` labelled `id\npattern`, edges labelled with
/// the flipped neurons `l:k`.
pub fn regions_dot(net: &Network, e: &Enumeration) -> String {
    use petgraph::dot::{Config, Dot};
    let labelled = e.graph.map(
        |_, &id| format!("{id}\n{}", pattern_label(net, &e.regions[id].pattern)),
        |_, c| c.neurons.iter().map(|(l, k)| format!("{l}:{k}")).collect::<Vec<_>>().join(" "),
    );
    format!("{}", Dot::with_config(&labelled, &[Config::GraphContentOnly])).lines().fold(
        String::from("graph regions {\n    node [shape=box, fontname=\"monospace\"];\n"),
        |mut acc, l| {
            acc.push_str(l);
            acc.push('\n');
            acc
        },
    ) + "}\n"
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// GraphML of the region graph (for Gephi, networkx, igraph): node data `pattern`,
/// `bounded`, `facets`, `inradius_lower`, `inradius_upper` (exact `p/q` or `inf`), `volume`
/// (when computed); edge data `neurons` (`layer:index` separated by spaces).
pub fn regions_graphml(net: &Network, e: &Enumeration) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s += "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
    for (id, on, ty) in [
        ("pattern", "node", "string"),
        ("bounded", "node", "boolean"),
        ("facets", "node", "int"),
        ("inradius_lower", "node", "string"),
        ("inradius_upper", "node", "string"),
        ("volume", "node", "string"),
        ("neurons", "edge", "string"),
    ] {
        s += &format!("  <key id=\"{id}\" for=\"{on}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>\n");
    }
    s += "  <graph id=\"regions\" edgedefault=\"undirected\">\n";
    for r in &e.regions {
        let (lo, hi) = match &r.insphere {
            Insphere::Finite { radius_lower, radius_upper, .. } => (fmt_q(radius_lower), fmt_q(radius_upper)),
            Insphere::Unbounded => ("inf".into(), "inf".into()),
        };
        s += &format!(
            "    <node id=\"n{}\">\n      <data key=\"pattern\">{}</data>\n      <data key=\"bounded\">{}</data>\n      <data key=\"facets\">{}</data>\n      <data key=\"inradius_lower\">{}</data>\n      <data key=\"inradius_upper\">{}</data>\n",
            r.id,
            xml_escape(&pattern_label(net, &r.pattern)),
            r.bounded,
            r.facets.len(),
            lo,
            hi
        );
        if let Some(v) = &r.volume {
            s += &format!("      <data key=\"volume\">{}</data>\n", fmt_q(v));
        }
        s += "    </node>\n";
    }
    for (i, (a, b, c)) in e.edges().enumerate() {
        let neurons: Vec<String> = c.neurons.iter().map(|(l, k)| format!("{l}:{k}")).collect();
        s += &format!(
            "    <edge id=\"e{i}\" source=\"n{a}\" target=\"n{b}\">\n      <data key=\"neurons\">{}</data>\n    </edge>\n",
            neurons.join(" ")
        );
    }
    s += "  </graph>\n</graphml>\n";
    s
}

/// A facet as read from a regions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetIn {
    pub a: Vec<Q>,
    pub b: Q,
    pub sources: Vec<Source>,
    pub neighbor: Option<usize>,
}

/// A region as read from a regions file; fields a checker must not trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionIn {
    pub id: usize,
    pub pattern: Vec<String>,
    pub interior_point: Vec<Q>,
    pub bounded: Option<bool>,
    pub facets: Vec<FacetIn>,
    pub logits: Option<Dense>,
    pub insphere: Option<Insphere>,
    pub insphere_linf: Option<LinfInsphere>,
    pub vertices: Option<Vec<Vec<Q>>>,
    pub volume: Option<Q>,
    /// The interior point in input coordinates (plane slices only).
    pub interior_point_input: Option<Vec<Q>>,
}

/// A regions file (`linregions.regions/1`) as read, for `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionsFile {
    pub domain: Option<Domain>,
    /// The plane of a slice (`origin`, `u`, `v`), when the file is one.
    pub plane: Option<Plane>,
    pub regions: Vec<RegionIn>,
    pub edges: Vec<(usize, usize, Vec<NeuronId>)>,
}

fn at<'a>(obj: &'a serde_json::Map<String, Value>, key: &str, path: &str) -> Result<&'a Value, WireError> {
    obj.get(key).ok_or_else(|| err(None, format!("{path}.{key}"), "is missing"))
}

fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a serde_json::Map<String, Value>, WireError> {
    v.as_object().ok_or_else(|| err(None, path, format!("expected an object, found {}", kind(v))))
}

fn as_arr<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, WireError> {
    v.as_array().ok_or_else(|| err(None, path, format!("expected an array, found {}", kind(v))))
}

fn as_index(v: &Value, path: &str) -> Result<usize, WireError> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| err(None, path, format!("expected a non-negative integer, found {v}")))
}

fn is_inf(v: &Value) -> bool {
    v.as_str() == Some("inf")
}

fn parse_domain_out(v: &Value) -> Result<Domain, WireError> {
    let o = as_obj(v, "domain")?;
    match o.get("type").and_then(Value::as_str) {
        Some("box") => Ok(Domain::Box {
            lo: vector(at(o, "lo", "domain")?, None, "domain.lo")?,
            hi: vector(at(o, "hi", "domain")?, None, "domain.hi")?,
        }),
        Some("polytope") => Ok(Domain::Polytope {
            a: matrix(at(o, "a", "domain")?, None, "domain.a")?,
            b: vector(at(o, "b", "domain")?, None, "domain.b")?,
        }),
        Some("whole") => Ok(Domain::Whole { dim: as_index(at(o, "dim", "domain")?, "domain.dim")? }),
        _ => Err(err(None, "domain.type", "expected \"box\", \"polytope\" or \"whole\"")),
    }
}

fn parse_region_in(v: &Value, path: &str) -> Result<RegionIn, WireError> {
    let o = as_obj(v, path)?;
    let pattern = as_arr(at(o, "pattern", path)?, &format!("{path}.pattern"))?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| err(None, format!("{path}.pattern[{i}]"), "expected a string"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut facets = Vec::new();
    for (i, f) in as_arr(at(o, "facets", path)?, &format!("{path}.facets"))?.iter().enumerate() {
        let fp = format!("{path}.facets[{i}]");
        let fo = as_obj(f, &fp)?;
        let mut sources = Vec::new();
        for (k, s) in as_arr(at(fo, "sources", &fp)?, &format!("{fp}.sources"))?.iter().enumerate() {
            let sp = format!("{fp}.sources[{k}]");
            let so = as_obj(s, &sp)?;
            if let Some(n) = so.get("neuron") {
                let arr = as_arr(n, &format!("{sp}.neuron"))?;
                if arr.len() != 2 {
                    return Err(err(None, format!("{sp}.neuron"), "expected [layer, index]"));
                }
                sources.push(Source::Neuron((as_index(&arr[0], &sp)?, as_index(&arr[1], &sp)?)));
            } else if let Some(r) = so.get("domain") {
                sources.push(Source::Domain(as_index(r, &format!("{sp}.domain"))?));
            } else {
                return Err(err(None, sp, "expected {\"neuron\": [l, k]} or {\"domain\": row}"));
            }
        }
        let neighbor = match fo.get("neighbor") {
            None | Some(Value::Null) => None,
            Some(n) => Some(as_index(n, &format!("{fp}.neighbor"))?),
        };
        facets.push(FacetIn {
            a: vector(at(fo, "a", &fp)?, None, &format!("{fp}.a"))?,
            b: number(at(fo, "b", &fp)?, None, &format!("{fp}.b"))?,
            sources,
            neighbor,
        });
    }
    let logits = match o.get("logits") {
        None => None,
        Some(l) => {
            let lo = as_obj(l, &format!("{path}.logits"))?;
            Some(Dense {
                weight: matrix(at(lo, "weight", path)?, None, &format!("{path}.logits.weight"))?,
                bias: vector(at(lo, "bias", path)?, None, &format!("{path}.logits.bias"))?,
            })
        }
    };
    let insphere = match o.get("insphere") {
        None => None,
        Some(s) => {
            let sp = format!("{path}.insphere");
            let so = as_obj(s, &sp)?;
            let lo = at(so, "radius_lower", &sp)?;
            Some(if is_inf(lo) {
                Insphere::Unbounded
            } else {
                Insphere::Finite {
                    center: vector(at(so, "center", &sp)?, None, &format!("{sp}.center"))?,
                    radius_lower: number(lo, None, &format!("{sp}.radius_lower"))?,
                    radius_upper: number(at(so, "radius_upper", &sp)?, None, &format!("{sp}.radius_upper"))?,
                }
            })
        }
    };
    let insphere_linf = match o.get("insphere_linf") {
        None => None,
        Some(s) => {
            let sp = format!("{path}.insphere_linf");
            let so = as_obj(s, &sp)?;
            let r = at(so, "radius", &sp)?;
            Some(if is_inf(r) {
                LinfInsphere::Unbounded
            } else {
                LinfInsphere::Finite {
                    center: vector(at(so, "center", &sp)?, None, &format!("{sp}.center"))?,
                    radius: number(r, None, &format!("{sp}.radius"))?,
                }
            })
        }
    };
    Ok(RegionIn {
        id: as_index(at(o, "id", path)?, &format!("{path}.id"))?,
        pattern,
        interior_point: vector(at(o, "interior_point", path)?, None, &format!("{path}.interior_point"))?,
        bounded: o.get("bounded").and_then(Value::as_bool),
        facets,
        logits,
        insphere,
        insphere_linf,
        vertices: match o.get("vertices") {
            None | Some(Value::Null) => None,
            Some(v) => Some(matrix(v, None, &format!("{path}.vertices"))?),
        },
        interior_point_input: match o.get("interior_point_input") {
            None | Some(Value::Null) => None,
            Some(v) => Some(vector(v, None, &format!("{path}.interior_point_input"))?),
        },
        volume: match o.get("volume") {
            None | Some(Value::Null) => None,
            Some(v) => Some(number(v, None, &format!("{path}.volume"))?),
        },
    })
}

/// Read a regions file. Only the shape is checked here; `verify` checks the content.
pub fn parse_regions(text: &str) -> Result<RegionsFile, WireError> {
    let doc = parse_json(text)?;
    let o = as_obj(&doc, "")?;
    match o.get("format").and_then(Value::as_str) {
        Some(REGIONS_FORMAT) => {}
        other => {
            return Err(err(None, "format", format!("expected \"{REGIONS_FORMAT}\", found {other:?}")));
        }
    }
    let domain = match o.get("domain") {
        None => None,
        Some(v) => Some(parse_domain_out(v)?),
    };
    let regions = as_arr(at(o, "regions", "")?, "regions")?
        .iter()
        .enumerate()
        .map(|(i, r)| parse_region_in(r, &format!("regions[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut edges = Vec::new();
    for (i, e) in as_arr(at(o, "edges", "")?, "edges")?.iter().enumerate() {
        let p = format!("edges[{i}]");
        let eo = as_obj(e, &p)?;
        let mut neurons = Vec::new();
        for n in as_arr(at(eo, "neurons", &p)?, &format!("{p}.neurons"))? {
            let arr = as_arr(n, &format!("{p}.neurons"))?;
            if arr.len() != 2 {
                return Err(err(None, format!("{p}.neurons"), "expected [layer, index] pairs"));
            }
            neurons.push((as_index(&arr[0], &p)?, as_index(&arr[1], &p)?));
        }
        edges.push((
            as_index(at(eo, "a", &p)?, &format!("{p}.a"))?,
            as_index(at(eo, "b", &p)?, &format!("{p}.b"))?,
            neurons,
        ));
    }
    let plane = match o.get("plane") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let po = as_obj(v, "plane")?;
            let field = |k: &str| vector(at(po, k, "plane")?, None, &format!("plane.{k}"));
            Some(Plane { origin: field("origin")?, u: field("u")?, v: field("v")? })
        }
    };
    Ok(RegionsFile { domain, plane, regions, edges })
}

/// A pattern written as `1011|01` (layers separated by `|`) or `101101` (flat), or a JSON
/// array of per-layer strings.
pub fn parse_pattern_value(net: &Network, v: &Value) -> Option<Pattern> {
    match v {
        Value::String(s) => parse_pattern_text(net, s),
        Value::Array(a) => {
            let layers: Option<Vec<String>> = a.iter().map(|x| x.as_str().map(str::to_string)).collect();
            net.parse_pattern(&layers?)
        }
        _ => None,
    }
}

/// A pattern as text: `1011|01` or flat `101101`.
pub fn parse_pattern_text(net: &Network, s: &str) -> Option<Pattern> {
    let s = s.trim();
    if s.contains('|') {
        return net.parse_pattern(&s.split('|').map(str::to_string).collect::<Vec<_>>());
    }
    let mut layers = Vec::new();
    let mut k = 0;
    for n in net.layer_sizes() {
        layers.push(s.get(k..k + n)?.to_string());
        k += n;
    }
    if k != s.len() {
        return None;
    }
    net.parse_pattern(&layers)
}

/// Another tool's patterns: a JSON array (strings `1011|01` / `101101`, or arrays of
/// per-layer strings) or plain text with one pattern per line (`#` starts a comment).
pub fn parse_other_patterns(net: &Network, text: &str) -> Result<Vec<Pattern>, WireError> {
    if text.trim_start().starts_with('[') {
        let doc = parse_json(text)?;
        return as_arr(&doc, "")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                parse_pattern_value(net, v).ok_or_else(|| {
                    err(None, format!("[{i}]"), format!("{v} is not a pattern of this network"))
                })
            })
            .collect();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        out.push(parse_pattern_text(net, line).ok_or_else(|| {
            err(None, format!("line {}", i + 1), format!("`{line}` is not a pattern of this network"))
        })?);
    }
    Ok(out)
}

fn label_of(net: &Network, s: &str) -> crate::compare::Label {
    match parse_pattern_text(net, s) {
        Some(p) => crate::compare::Label::Pattern(p),
        None => crate::compare::Label::Opaque(s.to_string()),
    }
}

/// Another tool's labelled points: CSV lines `x1,...,xd,label` (an optional header line is
/// skipped; numbers are exact decimals) or JSON `[{"point": [...], "pattern" | "label": ...}]`.
/// A label that reads as a pattern of the network is compared as one; any other label is the
/// other tool's region name.
pub fn parse_other_points(
    net: &Network,
    text: &str,
) -> Result<Vec<(Vec<Q>, crate::compare::Label)>, WireError> {
    let d = net.input_dim();
    if text.trim_start().starts_with('[') {
        let doc = parse_json(text)?;
        return as_arr(&doc, "")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let p = format!("[{i}]");
                let o = as_obj(v, &p)?;
                let x = vector(at(o, "point", &p)?, None, &format!("{p}.point"))?;
                if x.len() != d {
                    return Err(err(
                        None,
                        format!("{p}.point"),
                        format!("has {} coordinates, expected {d}", x.len()),
                    ));
                }
                let label = match (o.get("pattern"), o.get("label")) {
                    (Some(pv), _) => {
                        crate::compare::Label::Pattern(parse_pattern_value(net, pv).ok_or_else(|| {
                            err(None, format!("{p}.pattern"), "not a pattern of this network")
                        })?)
                    }
                    (None, Some(Value::String(s))) => label_of(net, s),
                    (None, Some(other)) => crate::compare::Label::Opaque(other.to_string()),
                    (None, None) => return Err(err(None, p, "needs \"pattern\" or \"label\"")),
                };
                Ok((x, label))
            })
            .collect();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let coords: Result<Vec<Q>, _> = fields.iter().take(d).map(|f| parse_rational(f)).collect();
        let coords = match coords {
            Ok(c) => c,
            Err(_) if out.is_empty() && i == 0 && is_header(line) => continue,
            Err(e) => return Err(err(None, format!("line {}", i + 1), e.to_string())),
        };
        if fields.len() != d + 1 {
            return Err(err(
                None,
                format!("line {}", i + 1),
                format!("expected {d} coordinates and a label"),
            ));
        }
        out.push((coords, label_of(net, fields[d])));
    }
    Ok(out)
}

/// Another tool's polytopes: JSON `[{"a": [[...]], "b": [...], "pattern"?: ..., "inradius"?: x}]`
/// with rows `a x <= b`; floats are taken at their exact decimal value.
pub fn parse_other_regions(net: &Network, text: &str) -> Result<Vec<crate::compare::OtherRegion>, WireError> {
    let doc = parse_json(text)?;
    let d = net.input_dim();
    as_arr(&doc, "")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("[{i}]");
            let o = as_obj(v, &p)?;
            let a = matrix(at(o, "a", &p)?, None, &format!("{p}.a"))?;
            let b = vector(at(o, "b", &p)?, None, &format!("{p}.b"))?;
            if a.len() != b.len() || a.iter().any(|r| r.len() != d) {
                return Err(err(None, p, format!("`a` must be {} x {d} to match `b`", b.len())));
            }
            let pattern = match o.get("pattern") {
                None | Some(Value::Null) => None,
                Some(pv) => Some(
                    parse_pattern_value(net, pv)
                        .ok_or_else(|| err(None, format!("{p}.pattern"), "not a pattern of this network"))?,
                ),
            };
            let inradius = o.get("inradius").and_then(|r| match r {
                Value::Number(n) => n.to_string().parse::<f64>().ok(),
                Value::String(s) => s.parse::<f64>().ok(),
                _ => None,
            });
            Ok(crate::compare::OtherRegion { a, b, pattern, inradius })
        })
        .collect()
}

/// relucent's regions as exported by `scripts/relucent_export.py`: JSON
/// `[{"ss": [...], "halfspaces"?: [[a_1, ..., a_d, c], ...], "inradius"?: x}]` where `ss`
/// holds one sign per neuron (nested per layer or flat; `> 0` is active) and each halfspace
/// row means `a·x + c <= 0` (scipy's convention). Returns the patterns and, where halfspaces
/// are given, the polytopes.
pub fn parse_relucent(
    net: &Network,
    text: &str,
) -> Result<(Vec<Pattern>, Vec<crate::compare::OtherRegion>), WireError> {
    let doc = parse_json(text)?;
    let d = net.input_dim();
    let mut patterns = Vec::new();
    let mut regions = Vec::new();
    for (i, v) in as_arr(&doc, "")?.iter().enumerate() {
        let p = format!("[{i}]");
        let o = as_obj(v, &p)?;
        let mut signs = Vec::new();
        fn flatten(v: &Value, out: &mut Vec<Value>) {
            match v {
                Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
                other => out.push(other.clone()),
            }
        }
        flatten(at(o, "ss", &p)?, &mut signs);
        if signs.len() != net.num_neurons() {
            return Err(err(
                None,
                format!("{p}.ss"),
                format!("has {} signs, the network has {} neurons", signs.len(), net.num_neurons()),
            ));
        }
        let bits = signs
            .iter()
            .enumerate()
            .map(|(k, s)| {
                number(s, None, &format!("{p}.ss[{k}]")).map(|q| num_traits::Signed::is_positive(&q))
            })
            .collect::<Result<Vec<bool>, _>>()?;
        let pattern = Pattern(bits);
        if let Some(h) = o.get("halfspaces") {
            let rows = matrix(h, None, &format!("{p}.halfspaces"))?;
            if rows.iter().any(|r| r.len() != d + 1) {
                return Err(err(
                    None,
                    format!("{p}.halfspaces"),
                    format!("rows must have {} entries", d + 1),
                ));
            }
            let a = rows.iter().map(|r| r[..d].to_vec()).collect();
            let b = rows.iter().map(|r| -&r[d]).collect();
            let inradius = o.get("inradius").and_then(|r| r.as_f64());
            regions.push(crate::compare::OtherRegion { a, b, pattern: Some(pattern.clone()), inradius });
        }
        patterns.push(pattern);
    }
    Ok((patterns, regions))
}

fn opt_f(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// Header of the per-region CSV of `stats`.
pub const STATS_CSV_HEADER: &str = "id,pattern,bounded,facets,facets_by_layer,domain_facets,inradius_l2,inradius_linf,\
facet_cos_mean,facet_cos_min,facet_cos_max,boundary,classes,predicted,boundary_cos_mean,boundary_distance,\
neighbors,neighbor_grad_cos,neighbor_rel_change,neighbor_hamming";

/// One CSV row of region properties (decimals; exact values are in the JSON).
pub fn stats_csv_row(net: &Network, e: &Enumeration, p: &crate::properties::RegionProps) -> String {
    let r = &e.regions[p.id];
    let layers: Vec<String> = p.facets_by_layer.iter().map(|c| c.to_string()).collect();
    let classes: Vec<String> = p.classes.iter().map(|c| c.to_string()).collect();
    [
        p.id.to_string(),
        pattern_label(net, &r.pattern),
        r.bounded.to_string(),
        p.facets.to_string(),
        layers.join("/"),
        p.domain_facets.to_string(),
        opt_f(p.inradius_l2.as_ref().map(|(lo, _)| crate::num::to_f64(lo))),
        opt_f(p.inradius_linf.as_ref().map(crate::num::to_f64)),
        opt_f(p.facet_cos.map(|s| s.mean)),
        opt_f(p.facet_cos.map(|s| s.min)),
        opt_f(p.facet_cos.map(|s| s.max)),
        p.boundary.to_string(),
        classes.join("/"),
        p.predicted.map(|c| c.to_string()).unwrap_or_default(),
        opt_f(p.boundary_cos.map(|s| s.mean)),
        opt_f(p.boundary_distance.as_ref().map(|d| d.1)),
        p.neighbors.to_string(),
        opt_f(p.neighbor_grad_cos),
        opt_f(p.neighbor_rel_change),
        opt_f(p.neighbor_hamming),
    ]
    .join(",")
}

/// Wire form of region properties (`stats --json`).
#[derive(Serialize)]
pub struct PropsOut {
    pub id: usize,
    pub pattern: Vec<String>,
    pub bounded: bool,
    pub facets: usize,
    pub facets_by_layer: Vec<usize>,
    pub domain_facets: usize,
    pub inradius_l2: Option<[String; 2]>,
    pub inradius_linf: Option<String>,
    pub facet_cos: Option<[f64; 3]>,
    /// `|cos|` of each neuron facet's normal with the boundary normal.
    pub facet_boundary_cos: Vec<f64>,
    pub boundary_cos: Option<[f64; 3]>,
    pub boundary: bool,
    pub classes: Vec<usize>,
    pub predicted: Option<usize>,
    pub boundary_pieces: Vec<PieceOut>,
    /// `[exact squared distance, distance]`.
    pub boundary_distance: Option<(String, f64)>,
    pub neighbors: usize,
    pub neighbor_grad_cos: Option<f64>,
    pub neighbor_rel_change: Option<f64>,
    pub neighbor_hamming: Option<f64>,
}

#[derive(Serialize)]
pub struct PieceOut {
    pub classes: [usize; 2],
    pub normal: Vec<String>,
    pub offset: String,
    pub vertices: Option<Vec<Vec<String>>>,
}

pub fn props_out(net: &Network, e: &Enumeration, p: &crate::properties::RegionProps) -> PropsOut {
    let r = &e.regions[p.id];
    let st = |s: Option<crate::properties::Stats>| s.map(|s| [s.mean, s.min, s.max]);
    PropsOut {
        id: p.id,
        pattern: net.pattern_strings(&r.pattern),
        bounded: r.bounded,
        facets: p.facets,
        facets_by_layer: p.facets_by_layer.clone(),
        domain_facets: p.domain_facets,
        inradius_l2: p.inradius_l2.as_ref().map(|(lo, hi)| [fmt_q(lo), fmt_q(hi)]),
        inradius_linf: p.inradius_linf.as_ref().map(fmt_q),
        facet_cos: st(p.facet_cos),
        facet_boundary_cos: p.boundary_cos_each.clone(),
        boundary_cos: st(p.boundary_cos),
        boundary: p.boundary,
        classes: p.classes.clone(),
        predicted: p.predicted,
        boundary_pieces: p
            .pieces
            .iter()
            .map(|pc| PieceOut {
                classes: [pc.classes.0, pc.classes.1],
                normal: qvec(&pc.normal),
                offset: fmt_q(&pc.offset),
                vertices: pc.vertices.as_ref().map(|v| qmat(v)),
            })
            .collect(),
        boundary_distance: p.boundary_distance.as_ref().map(|(sq, f)| (fmt_q(sq), *f)),
        neighbors: p.neighbors,
        neighbor_grad_cos: p.neighbor_grad_cos,
        neighbor_rel_change: p.neighbor_rel_change,
        neighbor_hamming: p.neighbor_hamming,
    }
}

/// Rows of the aggregate table: (label, accessor) over a summary.
fn summary_rows(s: &crate::properties::StudySummary) -> Vec<(String, String)> {
    let q = |label: &str, v: &Option<crate::properties::Quantiles>| -> (String, String) {
        (
            label.to_string(),
            match v {
                Some(q) => format!("{:.4} / {:.4} / {:.4} (mean {:.4})", q.min, q.median, q.max, q.mean),
                None => "-".into(),
            },
        )
    };
    vec![
        ("regions".into(), s.regions.to_string()),
        ("bounded".into(), s.bounded.to_string()),
        q("L2 inradius min / median / max", &s.inradius_l2),
        q("L-inf inradius min / median / max", &s.inradius_linf),
        q("facets per region", &s.facets),
        q("facet normals, mean abs cos", &s.facet_cos),
        ("regions with decision boundary".into(), format!("{:.1}%", 100.0 * s.boundary_fraction)),
        q("facet-to-boundary abs cos", &s.boundary_cos),
        q("centre-to-boundary distance", &s.boundary_distance),
        q("neighbour gradient cos", &s.neighbor_grad_cos),
        q("neighbour map relative change", &s.neighbor_rel_change),
        q("neighbour Hamming distance", &s.neighbor_hamming),
    ]
}

/// A Markdown table of one or more summaries side by side (one column per network).
pub fn summary_markdown(names: &[String], summaries: &[crate::properties::StudySummary]) -> String {
    let rows: Vec<Vec<(String, String)>> = summaries.iter().map(summary_rows).collect();
    let mut s = format!("| property | {} |\n|---|{}\n", names.join(" | "), "---|".repeat(names.len()));
    for i in 0..rows[0].len() {
        let cells: Vec<&str> = rows.iter().map(|r| r[i].1.as_str()).collect();
        s += &format!("| {} | {} |\n", rows[0][i].0, cells.join(" | "));
    }
    s
}

/// Parse a data CSV `x1,...,xd[,label]` (header optional, exact decimals).
pub fn parse_data_csv(text: &str, d: usize) -> Result<Vec<(Vec<Q>, Option<String>)>, WireError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
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
            Err(_) if i == 0 && is_header(line) => continue,
            Err(e) => return Err(err(None, format!("line {}", i + 1), e.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed regions and partition documents are byte for byte `to_json_text` of the
    /// whole `RegionsOut` / `PartitionOut`: with short arrays on one line (one edge), empty ones (no edges), long
    /// ones, linear regions, and the whole space.
    #[test]
    fn streamed_documents_equal_the_whole_document() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let cut = r#"{"input_dim":2,"layers":[{"type":"dense","weight":[[1,0]],"bias":[0]},{"type":"relu"},{"type":"dense","weight":[[1]],"bias":[0]}]}"#;
        let nets = [
            parse_network(cut).expect("net"),
            parse_network(&cut.replace("\"bias\":[0]}", "\"bias\":[5]}")).expect("net"),
            // Three parallel cuts: three edges, whose one-line form is just over the width.
            parse_network(r#"{"input_dim":2,"layers":[{"type":"dense","weight":[[1,0],[1,0],[1,0]],"bias":["1/2",0,"-1/2"]},{"type":"relu"},{"type":"dense","weight":[[1,1,1]],"bias":[0]}]}"#).expect("net"),
            parse_network(&std::fs::read_to_string(dir.join("small2d.json")).expect("fixture")).expect("net"),
            parse_network(&std::fs::read_to_string(dir.join("dead_unit.json")).expect("fixture")).expect("net"),
            // Documents of several `SPILL`s: written in pieces, the same bytes.
            crate::random::gaussian_net(&[2, 8, 8, 1], 3, 0.5),
        ];
        let (mut seen_one_line, mut spilled) = (false, false);
        for net in &nets {
            for domain in [
                Domain::Whole { dim: 2 },
                Domain::Box { lo: vec![crate::num::qi(-1); 2], hi: vec![crate::num::qi(1); 2] },
            ] {
                let e = crate::enumerate::enumerate(net, &domain, &Default::default()).expect("enumerates");
                let linear = crate::linear::linear_regions(&e);
                for lin in [None, Some(&linear)] {
                    let streamed = regions_json(net, &domain, &e, lin, None);
                    let mut regions: Vec<RegionOut> =
                        e.regions.iter().map(|r| region_out(net, r, NeighborStyle::Id)).collect();
                    if let Some(l) = lin {
                        for (r, lr) in regions.iter_mut().zip(&l.of_region) {
                            r.linear_region = Some(*lr);
                        }
                    }
                    let whole = to_json_text(&RegionsOut {
                        format: REGIONS_FORMAT,
                        network: NetworkOut::new(net),
                        domain: DomainOut::new(&domain, e.domain_bounded),
                        regions,
                        edges: e
                            .edges()
                            .map(|(a, b, c)| EdgeOut { a, b, neurons: neurons_out(&c.neurons) })
                            .collect(),
                        linear_regions: lin.map(linear_out),
                        plane: None,
                    });
                    assert_eq!(streamed, whole);
                    seen_one_line |= streamed.contains("\"edges\": [{");
                    spilled |= streamed.len() > 2 * SPILL;
                }
            }
        }
        assert!(seen_one_line && spilled);
        // The partition document likewise.
        let domain = Domain::Box { lo: vec![crate::num::qi(-1); 2], hi: vec![crate::num::qi(1); 2] };
        for net in &nets {
            let p = crate::mesh::partition(net, &domain).expect("partitions");
            let whole = to_json_text(&PartitionOut {
                format: PARTITION_FORMAT,
                network: NetworkOut::new(net),
                domain: DomainOut::new(&domain, true),
                vertices: (0..p.vertices.len()).map(|v| vertex_out(&p, v)).collect(),
                regions: (0..p.faces.len()).map(|id| face_out(net, &p, id)).collect(),
                edges: p.edges,
                plane: None,
            });
            assert_eq!(partition_json(net, &domain, &p, None), whole);
        }
        // A sink that fails: the first error comes back, and nothing is written after it.
        struct Failing(usize);
        impl std::io::Write for Failing {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += 1;
                if self.0 > 1 { Err(std::io::Error::other("full")) } else { Ok(buf.len()) }
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let net = nets.last().expect("nets");
        let whole_space = Domain::Whole { dim: 2 };
        let e = crate::enumerate::enumerate(net, &whole_space, &Default::default()).expect("enumerates");
        assert!(regions_json(net, &whole_space, &e, None, None).len() > 4 * SPILL);
        let mut sink = Failing(0);
        let err =
            write_regions_json(&mut sink, net, &whole_space, &e, None, None).expect_err("the sink fails");
        assert_eq!((err.to_string().as_str(), sink.0), ("full", 2));
    }
}
