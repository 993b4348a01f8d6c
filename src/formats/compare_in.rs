//! Other tools' outputs read for `compare`: pattern lists, labelled points, region lists,
//! relucent's JSON.

use super::{json::*, regions_in::*};
use crate::arith::num::{Q, parse_rational};
use crate::network::{Network, Pattern};
use serde_json::Value;

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

pub(crate) fn label_of(net: &Network, s: &str) -> crate::regions::compare::Label {
    match parse_pattern_text(net, s) {
        Some(p) => crate::regions::compare::Label::Pattern(p),
        None => crate::regions::compare::Label::Opaque(s.to_string()),
    }
}

/// Another tool's labelled points: CSV lines `x1,...,xd,label` (an optional header line is
/// skipped; numbers are exact decimals) or JSON `[{"point": [...], "pattern" | "label": ...}]`.
/// A label that reads as a pattern of the network is compared as one; any other label is the
/// other tool's region name.
pub fn parse_other_points(
    net: &Network,
    text: &str,
) -> Result<Vec<(Vec<Q>, crate::regions::compare::Label)>, WireError> {
    let d = net.input_dim();
    if text.trim_start().starts_with('[') {
        let doc = parse_json(text)?;
        return as_arr(&doc, "")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let p = format!("[{i}]");
                let o = as_obj(v, &p)?;
                let x = point_of(o, &p, d)?;
                let label = match (o.get("pattern"), o.get("label")) {
                    (Some(pv), _) => {
                        crate::regions::compare::Label::Pattern(parse_pattern_value(net, pv).ok_or_else(
                            || err(None, format!("{p}.pattern"), "not a pattern of this network"),
                        )?)
                    }
                    (None, Some(Value::String(s))) => label_of(net, s),
                    (None, Some(other)) => crate::regions::compare::Label::Opaque(other.to_string()),
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
pub fn parse_other_regions(
    net: &Network,
    text: &str,
) -> Result<Vec<crate::regions::compare::OtherRegion>, WireError> {
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
            Ok(crate::regions::compare::OtherRegion { a, b, pattern, inradius })
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
) -> Result<(Vec<Pattern>, Vec<crate::regions::compare::OtherRegion>), WireError> {
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
        let pattern = net.pattern_from_neurons(&bits).expect("counted above");
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
            regions.push(crate::regions::compare::OtherRegion {
                a,
                b,
                pattern: Some(pattern.clone()),
                inradius,
            });
        }
        patterns.push(pattern);
    }
    Ok((patterns, regions))
}

/// The faces of `scripts/regioncam_export.py`: `{"tool": "regioncam", "size": S, "faces":
/// [{"pattern": ..., "point": [x, y]}, ...]}` (regioncam's box is `[-S, S]^2`; each point
/// is the centroid of the face's vertices, the pattern regioncam's signs there). Returns the
/// box's half-width and the faces.
pub fn parse_regioncam(net: &Network, text: &str) -> Result<(Option<Q>, Vec<(Vec<Q>, Pattern)>), WireError> {
    let doc = parse_json(text)?;
    let o = as_obj(&doc, "")?;
    let size = match o.get("size") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let s = number(v, None, "size")?;
            if s <= Q::from_integer(0.into()) {
                return Err(err(None, "size", "must be positive"));
            }
            Some(s)
        }
    };
    let d = net.input_dim();
    let faces = as_arr(at(o, "faces", "")?, "faces")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("faces[{i}]");
            let f = as_obj(v, &p)?;
            let x = point_of(f, &p, d)?;
            let pattern = parse_pattern_value(net, at(f, "pattern", &p)?)
                .ok_or_else(|| err(None, format!("{p}.pattern"), "not a pattern of this network"))?;
            Ok((x, pattern))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((size, faces))
}

/// The `point` field of the object at `path`: `d` exact coordinates.
fn point_of(o: &serde_json::Map<String, Value>, path: &str, d: usize) -> Result<Vec<Q>, WireError> {
    let x = vector(at(o, "point", path)?, None, &format!("{path}.point"))?;
    if x.len() != d {
        return Err(err(None, format!("{path}.point"), format!("has {} coordinates, expected {d}", x.len())));
    }
    Ok(x)
}
