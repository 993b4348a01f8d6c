//! Wire formats: the network file, the domain file, box and point text, the regions JSON
//! (`linregions.regions/1`) and the Graphviz DOT export. Text in, text out: no file access
//! here (the CLI reads and writes files), so the formats can be tested as strings.
//!
//! Every rational on the wire is a string `"p/q"` (integers without `/1`); input numbers may
//! be such strings, exact decimals (`"0.25"`, `"1e-3"`) or JSON numbers read as the exact
//! decimal value of their literal. The fields are documented in README.md ("Formats").

use crate::domain::Domain;
use crate::enumerate::{Enumeration, Facet, Region};
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
    WireError {
        layer,
        field: field.into(),
        problem: problem.into(),
    }
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
                format!(
                    "expected a number or a numeric string, found {}",
                    kind(other)
                ),
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
    let arr = v.as_array().ok_or_else(|| {
        err(
            layer,
            field,
            format!("expected an array, found {}", kind(v)),
        )
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| number(x, layer, &format!("{field}[{i}]")))
        .collect()
}

fn matrix(v: &Value, layer: Option<usize>, field: &str) -> Result<Vec<Vec<Q>>, WireError> {
    let arr = v.as_array().ok_or_else(|| {
        err(
            layer,
            field,
            format!("expected an array of rows, found {}", kind(v)),
        )
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, row)| vector(row, layer, &format!("{field}[{i}]")))
        .collect()
}

fn parse_json(text: &str) -> Result<Value, WireError> {
    serde_json::from_str(text).map_err(|e| err(None, "", format!("not valid JSON: {e}")))
}

/// Parse and validate a network file (see README "Network file").
pub fn parse_network(text: &str) -> Result<Network, WireError> {
    let doc = parse_json(text)?;
    let obj = doc
        .as_object()
        .ok_or_else(|| err(None, "", "the network file must be a JSON object"))?;
    let input_dim = match obj.get("input_dim") {
        None => return Err(err(None, "input_dim", "is missing")),
        Some(v) => match v.as_u64() {
            Some(n) => usize::try_from(n).map_err(|_| err(None, "input_dim", "is too large"))?,
            None => {
                return Err(err(
                    None,
                    "input_dim",
                    format!("must be a positive integer, found {v}"),
                ));
            }
        },
    };
    let layers_v = obj
        .get("layers")
        .ok_or_else(|| err(None, "layers", "is missing"))?;
    let layers_a = layers_v.as_array().ok_or_else(|| {
        err(
            None,
            "layers",
            format!("expected an array, found {}", kind(layers_v)),
        )
    })?;
    let mut layers = Vec::with_capacity(layers_a.len());
    for (i, l) in layers_a.iter().enumerate() {
        let lo = l.as_object().ok_or_else(|| {
            err(
                Some(i),
                "",
                format!("expected an object, found {}", kind(l)),
            )
        })?;
        let ty = match lo.get("type") {
            Some(Value::String(s)) => s.as_str(),
            Some(v) => {
                return Err(err(
                    Some(i),
                    "type",
                    format!("expected a string, found {}", kind(v)),
                ));
            }
            None => return Err(err(Some(i), "type", "is missing")),
        };
        layers.push(match ty {
            "dense" | "linear" => {
                let w = lo
                    .get("weight")
                    .ok_or_else(|| err(Some(i), "weight", "is missing"))?;
                let b = lo
                    .get("bias")
                    .ok_or_else(|| err(Some(i), "bias", "is missing"))?;
                LayerSpec::Dense(Dense {
                    weight: matrix(w, Some(i), "weight")?,
                    bias: vector(b, Some(i), "bias")?,
                })
            }
            "relu" => LayerSpec::Activation {
                slope: Q::from_integer(0.into()),
            },
            "leaky_relu" => {
                let s = lo.get("slope").ok_or_else(|| {
                    err(Some(i), "slope", "is missing (leaky_relu needs a slope)")
                })?;
                LayerSpec::Activation {
                    slope: number(s, Some(i), "slope")?,
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
        LayerOut::Dense(DenseOut {
            r#type: "dense",
            weight: qmat(&d.weight),
            bias: qvec(&d.bias),
        })
    };
    let mut layers = Vec::new();
    for h in net.hidden() {
        layers.push(dense(&h.dense));
        layers.push(if num_traits::Zero::is_zero(&h.slope) {
            LayerOut::Act { r#type: "relu" }
        } else {
            LayerOut::Leaky {
                r#type: "leaky_relu",
                slope: fmt_q(&h.slope),
            }
        });
    }
    layers.push(dense(net.output()));
    to_json_text(&NetOut {
        input_dim: net.input_dim(),
        layers,
    })
}

/// Parse a domain file `{"a": [[...], ...], "b": [...]}` (rows `a·x <= b`).
pub fn parse_domain(text: &str) -> Result<Domain, WireError> {
    let doc = parse_json(text)?;
    let obj = doc
        .as_object()
        .ok_or_else(|| err(None, "", "the domain file must be a JSON object"))?;
    let a = matrix(
        obj.get("a").ok_or_else(|| err(None, "a", "is missing"))?,
        None,
        "a",
    )?;
    let b = vector(
        obj.get("b").ok_or_else(|| err(None, "b", "is missing"))?,
        None,
        "b",
    )?;
    if a.is_empty() {
        return Err(err(
            None,
            "a",
            "has no rows (use --unbounded for the whole space)",
        ));
    }
    if a.len() != b.len() {
        return Err(err(
            None,
            "b",
            format!("has {} entries but `a` has {} rows", b.len(), a.len()),
        ));
    }
    let d = a[0].len();
    if let Some(i) = a.iter().position(|r| r.len() != d) {
        return Err(err(
            None,
            format!("a[{i}]"),
            format!("has {} entries but row 0 has {d}", a[i].len()),
        ));
    }
    Ok(Domain::Polytope { a, b })
}

/// Parse `--box LO:HI` (every coordinate) or `LO:HI,LO:HI,...` (one per coordinate).
pub fn parse_box(spec: &str, d: usize) -> Result<Domain, String> {
    let parts: Vec<&str> = spec.split(',').collect();
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    for (j, p) in parts.iter().enumerate() {
        let (l, h) = p
            .split_once(':')
            .ok_or_else(|| format!("interval {j} `{p}` is not LO:HI"))?;
        lo.push(parse_rational(l).map_err(|e| format!("interval {j}, LO: {e}"))?);
        hi.push(parse_rational(h).map_err(|e| format!("interval {j}, HI: {e}"))?);
    }
    if parts.len() == 1 {
        lo = vec![lo[0].clone(); d];
        hi = vec![hi[0].clone(); d];
    } else if parts.len() != d {
        return Err(format!(
            "{} intervals given but the network's input has dimension {d}",
            parts.len()
        ));
    }
    Ok(Domain::Box { lo, hi })
}

/// Parse a point `x1,x2,...` of exact rationals.
pub fn parse_point(spec: &str, d: usize) -> Result<Vec<Q>, String> {
    let p: Vec<Q> = spec
        .split(',')
        .enumerate()
        .map(|(j, s)| parse_rational(s).map_err(|e| format!("coordinate {j}: {e}")))
        .collect::<Result<_, _>>()?;
    if p.len() != d {
        return Err(format!(
            "{} coordinates given but the network's input has dimension {d}",
            p.len()
        ));
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
    Box {
        lo: Vec<String>,
        hi: Vec<String>,
        bounded: bool,
    },
    Polytope {
        a: Vec<Vec<String>>,
        b: Vec<String>,
        bounded: bool,
    },
    Whole {
        dim: usize,
        bounded: bool,
    },
}

impl DomainOut {
    pub fn new(d: &Domain, bounded: bool) -> Self {
        match d {
            Domain::Box { lo, hi } => DomainOut::Box {
                lo: qvec(lo),
                hi: qvec(hi),
                bounded,
            },
            Domain::Polytope { a, b } => DomainOut::Polytope {
                a: qmat(a),
                b: qvec(b),
                bounded,
            },
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
    pub a: Vec<String>,
    pub b: String,
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
    pub weight: Vec<Vec<String>>,
    pub bias: Vec<String>,
}

#[derive(Serialize)]
pub struct InsphereOut {
    pub center: Option<Vec<String>>,
    pub radius_lower: String,
    pub radius_upper: String,
}

#[derive(Serialize)]
pub struct LinfOut {
    pub center: Option<Vec<String>>,
    pub radius: String,
}

#[derive(Serialize)]
pub struct RegionOut {
    pub id: usize,
    pub pattern: Vec<String>,
    pub interior_point: Vec<String>,
    pub bounded: bool,
    pub facets: Vec<FacetOut>,
    pub logits: AffineOut,
    pub insphere: InsphereOut,
    pub insphere_linf: LinfOut,
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
        logits: AffineOut {
            weight: qmat(&r.logits.weight),
            bias: qvec(&r.logits.bias),
        },
        insphere: match &r.insphere {
            Insphere::Finite {
                center,
                radius_lower,
                radius_upper,
            } => InsphereOut {
                center: Some(qvec(center)),
                radius_lower: fmt_q(radius_lower),
                radius_upper: fmt_q(radius_upper),
            },
            Insphere::Unbounded => InsphereOut {
                center: None,
                radius_lower: inf(),
                radius_upper: inf(),
            },
        },
        insphere_linf: match &r.insphere_linf {
            LinfInsphere::Finite { center, radius } => LinfOut {
                center: Some(qvec(center)),
                radius: fmt_q(radius),
            },
            LinfInsphere::Unbounded => LinfOut {
                center: None,
                radius: inf(),
            },
        },
    }
}

#[derive(Serialize)]
pub struct EdgeOut {
    pub a: usize,
    pub b: usize,
    pub neurons: Vec<[usize; 2]>,
}

#[derive(Serialize)]
pub struct RegionsOut {
    pub format: &'static str,
    pub network: NetworkOut,
    pub domain: DomainOut,
    pub regions: Vec<RegionOut>,
    pub edges: Vec<EdgeOut>,
}

fn neurons_out(n: &[NeuronId]) -> Vec<[usize; 2]> {
    n.iter().map(|&(l, k)| [l, k]).collect()
}

/// The regions JSON document (`linregions.regions/1`), pretty-printed, ending in a newline.
pub fn regions_json(net: &Network, domain: &Domain, e: &Enumeration) -> String {
    let doc = RegionsOut {
        format: REGIONS_FORMAT,
        network: NetworkOut::new(net),
        domain: DomainOut::new(domain, e.domain_bounded),
        regions: e
            .regions
            .iter()
            .map(|r| region_out(net, r, NeighborStyle::Id))
            .collect(),
        edges: e
            .edges()
            .map(|(a, b, c)| EdgeOut {
                a,
                b,
                neurons: neurons_out(&c.neurons),
            })
            .collect(),
    };
    to_json_text(&doc)
}

/// Values whose one-line form is at most this long are written on one line.
const INLINE_WIDTH: usize = 100;

/// JSON text as linregions writes it: two-space indentation, but any array or object whose
/// one-line form fits in [`INLINE_WIDTH`] characters stays on one line. Ends in a newline.
/// Field order is the declaration order of the serialized structs.
pub fn to_json_text<T: Serialize>(value: &T) -> String {
    let v = serde_json::to_value(value).expect("wire structs serialize");
    let mut out = String::new();
    write_value(&v, 0, &mut out);
    out.push('\n');
    out
}

fn one_line(v: &Value, out: &mut String) {
    match v {
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                one_line(x, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::to_string(k).expect("key"));
                out.push_str(": ");
                one_line(x, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&serde_json::to_string(scalar).expect("scalar")),
    }
}

fn write_value(v: &Value, indent: usize, out: &mut String) {
    let mut flat = String::new();
    one_line(v, &mut flat);
    let empty = matches!(v, Value::Array(a) if a.is_empty())
        || matches!(v, Value::Object(o) if o.is_empty());
    if (indent > 0 && flat.len() + indent <= INLINE_WIDTH)
        || empty
        || !(v.is_array() || v.is_object())
    {
        out.push_str(&flat);
        return;
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
                out.push_str(&serde_json::to_string(k).expect("key"));
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
        |_, c| {
            c.neurons
                .iter()
                .map(|(l, k)| format!("{l}:{k}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    format!(
        "{}",
        Dot::with_config(&labelled, &[Config::GraphContentOnly])
    )
    .lines()
    .fold(
        String::from("graph regions {\n    node [shape=box, fontname=\"monospace\"];\n"),
        |mut acc, l| {
            acc.push_str(l);
            acc.push('\n');
            acc
        },
    ) + "}\n"
}
