//! Reading a regions JSON back (for `verify`): every field checked, with its path in errors.

use super::json::*;
use crate::geometry::Domain;
use crate::geometry::plane::Plane;
use crate::geometry::{Insphere, LinfInsphere, Source};
use crate::network::Dense;
use crate::regions::verify::{FacetIn, RegionIn, RegionsFile};
use serde_json::Value;

pub(crate) fn at<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, WireError> {
    obj.get(key).ok_or_else(|| err(None, format!("{path}.{key}"), "is missing"))
}

pub(crate) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a serde_json::Map<String, Value>, WireError> {
    v.as_object().ok_or_else(|| err(None, path, format!("expected an object, found {}", kind(v))))
}

pub(crate) fn as_arr<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, WireError> {
    v.as_array().ok_or_else(|| err(None, path, format!("expected an array, found {}", kind(v))))
}

pub(crate) fn as_index(v: &Value, path: &str) -> Result<usize, WireError> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| err(None, path, format!("expected a non-negative integer, found {v}")))
}

/// An array of strings (a pattern's layers).
fn strings(v: &Value, path: &str) -> Result<Vec<String>, WireError> {
    as_arr(v, path)?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| err(None, format!("{path}[{i}]"), "expected a string"))
        })
        .collect()
}

pub(crate) fn is_inf(v: &Value) -> bool {
    v.as_str() == Some("inf")
}

pub(crate) fn parse_domain_out(v: &Value) -> Result<Domain, WireError> {
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

pub(crate) fn parse_region_in(v: &Value, path: &str) -> Result<RegionIn, WireError> {
    let o = as_obj(v, path)?;
    let pattern = strings(at(o, "pattern", path)?, &format!("{path}.pattern"))?;
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

/// Read one region line of a `--jsonl` stream (walk ids), e.g. to resume it.
pub fn parse_jsonl_region(line: &str) -> Result<RegionIn, WireError> {
    let doc = parse_json(line)?;
    parse_region_in(&doc, "region")
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
    let complete = match o.get("complete") {
        None => true, // written before the field existed: runs had no limits
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(err(None, "complete", "expected true or false")),
    };
    Ok(RegionsFile { domain, plane, regions, edges, complete })
}

/// One region of a `stats --certificates` document: its pattern (one string per layer), the
/// reported classes and pieces, and the evidence of each decision.
pub struct CertifiedRegion {
    pub pattern: Vec<String>,
    pub classes: Vec<usize>,
    pub pieces: Vec<(usize, usize)>,
    pub certificates: crate::regions::properties::BoundaryCertificates,
}

/// Reads the regions of a `linregions.stats/1` document written with `--certificates`
/// (for `verify`): every field checked, with its path in errors.
pub fn parse_stats_certificates(text: &str) -> Result<Vec<CertifiedRegion>, WireError> {
    use crate::regions::properties::{BoundaryCertificates, Evidence, LpRow};
    let doc = parse_json(text)?;
    let o = as_obj(&doc, "")?;
    if o.get("format").and_then(Value::as_str) != Some("linregions.stats/1") {
        return Err(err(None, "format", "expected \"linregions.stats/1\""));
    }
    let pair = |v: &Value, path: &str| -> Result<(usize, usize), WireError> {
        match as_arr(v, path)?.as_slice() {
            [a, b] => Ok((as_index(a, &format!("{path}[0]"))?, as_index(b, &format!("{path}[1]"))?)),
            _ => Err(err(None, path, "expected two indices")),
        }
    };
    let evidence = |d: &serde_json::Map<String, Value>, path: &str| -> Result<Evidence, WireError> {
        let given: Vec<&str> =
            ["witness", "tie", "multipliers"].into_iter().filter(|k| d.contains_key(*k)).collect();
        match given.as_slice() {
            ["witness"] => Ok(Evidence::Witness(vector(&d["witness"], None, &format!("{path}.witness"))?)),
            ["tie"] => Ok(Evidence::Tie(vector(&d["tie"], None, &format!("{path}.tie"))?)),
            ["multipliers"] => {
                let mut y = Vec::new();
                for (i, m) in as_arr(&d["multipliers"], &format!("{path}.multipliers"))?.iter().enumerate() {
                    let mp = format!("{path}.multipliers[{i}]");
                    let mo = as_obj(m, &mp)?;
                    let rp = format!("{mp}.row");
                    let rv = at(mo, "row", &mp)?;
                    if rv.as_str() == Some("cap") {
                        let yv =
                            vector(&Value::Array(vec![at(mo, "y", &mp)?.clone()]), None, &format!("{mp}.y"))?;
                        y.push((LpRow::Cap, yv[0].clone()));
                        continue;
                    }
                    let ro = as_obj(rv, &rp)?;
                    let row = match ro.iter().next() {
                        Some((k, v)) if ro.len() == 1 => match k.as_str() {
                            "neuron" => {
                                let (l, n) = pair(v, &format!("{rp}.neuron"))?;
                                LpRow::Region(Source::Neuron((l, n)))
                            }
                            "domain" => LpRow::Region(Source::Domain(as_index(v, &format!("{rp}.domain"))?)),
                            "below" => {
                                let (p, q) = pair(v, &format!("{rp}.below"))?;
                                LpRow::Below(p, q)
                            }
                            other => return Err(err(None, rp, format!("unknown row kind `{other}`"))),
                        },
                        _ => return Err(err(None, rp, "expected \"cap\" or one of neuron, domain, below")),
                    };
                    let yv =
                        vector(&Value::Array(vec![at(mo, "y", &mp)?.clone()]), None, &format!("{mp}.y"))?;
                    y.push((row, yv[0].clone()));
                }
                Ok(Evidence::Multipliers(y))
            }
            _ => Err(err(None, path, "expected exactly one of witness, tie, multipliers")),
        }
    };
    let mut out = Vec::new();
    for (i, r) in as_arr(at(o, "regions", "")?, "regions")?.iter().enumerate() {
        let path = format!("regions[{i}]");
        let ro = as_obj(r, &path)?;
        let pattern = strings(at(ro, "pattern", &path)?, &format!("{path}.pattern"))?;
        let classes = as_arr(at(ro, "classes", &path)?, &format!("{path}.classes"))?
            .iter()
            .enumerate()
            .map(|(k, v)| as_index(v, &format!("{path}.classes[{k}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pieces = Vec::new();
        for (k, p) in
            as_arr(at(ro, "boundary_pieces", &path)?, &format!("{path}.boundary_pieces"))?.iter().enumerate()
        {
            let pp = format!("{path}.boundary_pieces[{k}]");
            pieces.push(pair(at(as_obj(p, &pp)?, "classes", &pp)?, &format!("{pp}.classes"))?);
        }
        let cp = format!("{path}.certificates");
        let co = as_obj(at(ro, "certificates", &path)?, &cp)?;
        let certs = BoundaryCertificates {
            classes: decisions(co, "classes", &cp, &evidence, |o, dp| {
                as_index(at(o, "class", dp)?, &format!("{dp}.class"))
            })?,
            pieces: decisions(co, "pieces", &cp, &evidence, |o, dp| {
                pair(at(o, "classes", dp)?, &format!("{dp}.classes"))
            })?,
        };
        out.push(CertifiedRegion { pattern, classes, pieces, certificates: certs });
    }
    Ok(out)
}

/// The decisions under `key` of a certificates object: each its subject (`what`), `holds`
/// and its evidence.
fn decisions<T>(
    co: &serde_json::Map<String, Value>,
    key: &str,
    cp: &str,
    evidence: &dyn Fn(
        &serde_json::Map<String, Value>,
        &str,
    ) -> Result<crate::regions::properties::Evidence, WireError>,
    what: impl Fn(&serde_json::Map<String, Value>, &str) -> Result<T, WireError>,
) -> Result<Vec<crate::regions::properties::Decision<T>>, WireError> {
    let mut out = Vec::new();
    for (k, d) in as_arr(at(co, key, cp)?, &format!("{cp}.{key}"))?.iter().enumerate() {
        let dp = format!("{cp}.{key}[{k}]");
        let o = as_obj(d, &dp)?;
        let holds = at(o, "holds", &dp)?
            .as_bool()
            .ok_or_else(|| err(None, format!("{dp}.holds"), "expected a boolean"))?;
        out.push(crate::regions::properties::Decision {
            what: what(o, &dp)?,
            holds,
            evidence: evidence(o, &dp)?,
        });
    }
    Ok(out)
}
