//! The part document of a sharded enumeration (`linregions.shard/1`, written by
//! `enumerate --shard I/N --json PART`) and the merge of all parts into the regions document
//! (`linregions.regions/1`) an unsharded run writes, byte for byte.
//!
//! A part holds its regions as the regions document does, but with `neighbor_pattern` on each
//! facet (the neighbour may be in another part) instead of `neighbor`, and sorted by pattern
//! within the part. The merge sorts all regions by pattern, numbers them, turns each
//! neighbour pattern into that number and derives the edges (one per adjacent pair, with the
//! neurons whose bits differ), as the enumeration does.

use super::json::*;
use super::regions::{
    DomainOut, EdgeOut, NeighborStyle, NetworkOut, ObjectWriter, PlaneOut, qvec, region_out,
};
use super::regions_in::{as_arr, as_index, as_obj, at};
use crate::geometry::Domain;
use crate::geometry::plane::Plane;
use crate::network::Network;
use crate::regions::shard::{Shard, ShardRegions};
use serde_json::Value;
use std::collections::HashMap;

/// Identifier of a part document.
pub const SHARD_FORMAT: &str = "linregions.shard/1";

/// Writes part `shard` of an enumeration (see the module docs).
pub fn write_shard_json(
    w: &mut dyn std::io::Write,
    net: &Network,
    domain: &Domain,
    shard: Shard,
    part: &ShardRegions,
    plane: Option<&Plane>,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct ShardOut {
        index: usize,
        count: usize,
        cuts: Vec<String>,
    }
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &SHARD_FORMAT);
    doc.field("shard", &ShardOut { index: shard.index, count: shard.count, cuts: qvec(&part.cuts) });
    doc.field("network", &NetworkOut::new(net));
    doc.field("domain", &DomainOut::new(domain, part.domain_bounded));
    doc.field("complete", &part.complete);
    doc.array("regions", || {
        part.regions.iter().map(|r| {
            let mut out = region_out(net, r, NeighborStyle::Pattern);
            if let Some(p) = plane {
                out.interior_point_input = Some(qvec(&p.to_input(&r.interior_point)));
            }
            out
        })
    });
    if let Some(p) = plane {
        doc.field("plane", &PlaneOut { origin: qvec(&p.origin), u: qvec(&p.u), v: qvec(&p.v) });
    }
    doc.finish()
}

/// A part document as read for [`merge_shards`].
#[derive(Debug, Clone)]
pub struct ShardPart {
    pub index: usize,
    pub count: usize,
    pub complete: bool,
    /// Everything that must be the same in every part: network, domain, cuts, plane.
    header: Vec<(String, Value)>,
    regions: Vec<Value>,
}

/// Reads a part document (`linregions.shard/1`).
pub fn parse_shard(text: &str) -> Result<ShardPart, WireError> {
    let v: Value = parse_json(text)?;
    let o = as_obj(&v, "")?;
    if at(o, "format", "")?.as_str() != Some(SHARD_FORMAT) {
        return Err(err(
            None,
            "format",
            format!("expected \"{SHARD_FORMAT}\" (a part written by enumerate --shard)"),
        ));
    }
    let shard = as_obj(at(o, "shard", "")?, "shard")?;
    let index = as_index(at(shard, "index", "shard")?, "shard.index")?;
    let count = as_index(at(shard, "count", "shard")?, "shard.count")?;
    if count == 0 || index >= count {
        return Err(err(None, "shard", format!("part {index} of {count} does not exist")));
    }
    let complete =
        at(o, "complete", "")?.as_bool().ok_or_else(|| err(None, "complete", "expected true or false"))?;
    let mut header = vec![("shard.cuts".to_string(), at(shard, "cuts", "shard")?.clone())];
    for key in ["network", "domain", "plane"] {
        header.push((key.to_string(), o.get(key).cloned().unwrap_or(Value::Null)));
    }
    let mut regions = Vec::new();
    for (i, r) in as_arr(at(o, "regions", "")?, "regions")?.iter().enumerate() {
        let path = format!("regions[{i}]");
        let ro = as_obj(r, &path)?;
        pattern_of(ro, &path)?;
        for (k, f) in as_arr(at(ro, "facets", &path)?, &format!("{path}.facets"))?.iter().enumerate() {
            let fpath = format!("{path}.facets[{k}]");
            let fo = as_obj(f, &fpath)?;
            if !matches!(at(fo, "neighbor_pattern", &fpath)?, Value::Null | Value::Array(_)) {
                return Err(err(None, format!("{fpath}.neighbor_pattern"), "expected a pattern or null"));
            }
        }
        regions.push(r.clone());
    }
    Ok(ShardPart { index, count, complete, header, regions })
}

fn pattern_of(o: &serde_json::Map<String, Value>, path: &str) -> Result<Vec<String>, WireError> {
    let field = format!("{path}.pattern");
    as_arr(at(o, "pattern", path)?, &field)?
        .iter()
        .map(|s| s.as_str().map(str::to_string).ok_or_else(|| err(None, field.as_str(), "expected strings")))
        .collect()
}

/// The merged document of [`merge_shards`], ready for [`write_merged`].
#[derive(Debug, Clone)]
pub struct Merged {
    header: Vec<(String, Value)>,
    pub complete: bool,
    regions: Vec<Value>,
    edges: Vec<(usize, usize, Vec<[usize; 2]>)>,
}

impl Merged {
    /// The number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }
    /// Whether there is no region.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

/// Merges the parts of one sharded enumeration, every part exactly once: the regions of
/// all, sorted by pattern and numbered, neighbours by number, and the edges. Errors when a
/// part is missing or repeated, the parts are of different runs, a region is in two parts, or
/// (all parts complete) a neighbour is in none.
pub fn merge_shards(parts: Vec<ShardPart>) -> Result<Merged, WireError> {
    let Some(first) = parts.first() else { return Err(err(None, "", "no parts to merge")) };
    let count = first.count;
    // The indices seen as a set: the count comes from a file and sizes nothing.
    let mut seen = std::collections::BTreeSet::new();
    for p in &parts {
        if p.count != count {
            return Err(err(None, "shard.count", format!("parts of {count} and of {} shards", p.count)));
        }
        if !seen.insert(p.index) {
            return Err(err(None, "shard.index", format!("part {} is given twice", p.index)));
        }
        if let Some((key, _)) = p.header.iter().zip(&first.header).find(|(a, b)| a != b).map(|(a, _)| a) {
            return Err(err(
                None,
                key.as_str(),
                format!("part {} differs from part {}: not parts of one run", p.index, first.index),
            ));
        }
    }
    // The first few missing parts are among the first `parts.len() + 10` indices.
    let absent = count - seen.len();
    if absent > 0 {
        let first: Vec<String> =
            (0..count).filter(|i| !seen.contains(i)).take(10).map(|i| i.to_string()).collect();
        let more =
            if absent > first.len() { format!(" and {} more", absent - first.len()) } else { String::new() };
        return Err(err(
            None,
            "shard.index",
            format!("parts {}{more} of 0..{count} are missing", first.join(", ")),
        ));
    }
    let complete = parts.iter().all(|p| p.complete);
    let header = first.header.clone();
    let mut regions: Vec<(Vec<String>, Value)> = Vec::new();
    for p in parts {
        for r in p.regions {
            let pattern = pattern_of(r.as_object().expect("checked"), "regions")?;
            regions.push((pattern, r));
        }
    }
    regions.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = regions.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(err(None, "regions", format!("the region {} is in two parts", w[0].0.join("|"))));
    }
    let ids: HashMap<Vec<String>, usize> =
        regions.iter().enumerate().map(|(i, (p, _))| (p.clone(), i)).collect();
    let mut edges: Vec<(usize, usize, Vec<[usize; 2]>)> = Vec::new();
    let mut out = Vec::with_capacity(regions.len());
    for (i, (pattern, mut r)) in regions.into_iter().enumerate() {
        let ro = r.as_object_mut().expect("checked");
        ro.insert("id".into(), Value::from(i));
        for f in ro.get_mut("facets").and_then(Value::as_array_mut).expect("checked") {
            let fo = f.as_object_mut().expect("checked");
            let across = fo.shift_remove("neighbor_pattern").expect("checked");
            let neighbor = match &across {
                Value::Array(_) => {
                    let np: Vec<String> = serde_json::from_value(across.clone())
                        .map_err(|_| err(None, "neighbor_pattern", "expected strings"))?;
                    match ids.get(&np) {
                        Some(&j) => {
                            if j > i {
                                edges.push((i, j, differing(&pattern, &np)));
                            }
                            Value::from(j)
                        }
                        None if complete => {
                            return Err(err(
                                None,
                                "neighbor_pattern",
                                format!(
                                    "the neighbour {} of region {} is in no part",
                                    np.join("|"),
                                    pattern.join("|")
                                ),
                            ));
                        }
                        None => Value::Null,
                    }
                }
                _ => Value::Null,
            };
            fo.insert("neighbor".into(), neighbor);
        }
        out.push(r);
    }
    edges.sort();
    edges.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
    Ok(Merged { header, complete, regions: out, edges })
}

/// The neurons `[layer, index]` whose bits differ between two patterns.
fn differing(p: &[String], q: &[String]) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    for (l, (a, b)) in p.iter().zip(q).enumerate() {
        for (k, (x, y)) in a.bytes().zip(b.bytes()).enumerate() {
            if x != y {
                out.push([l, k]);
            }
        }
    }
    out
}

/// Writes the regions document of [`merge_shards`]: the bytes an unsharded `enumerate
/// --json` writes.
pub fn write_merged(w: &mut dyn std::io::Write, m: &Merged) -> std::io::Result<()> {
    let get = |key: &str| m.header.iter().find(|(k, _)| k == key).map(|(_, v)| v).expect("header");
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &REGIONS_FORMAT);
    doc.field("network", get("network"));
    doc.field("domain", get("domain"));
    doc.field("complete", &m.complete);
    doc.array("regions", || m.regions.iter());
    doc.array("edges", || m.edges.iter().map(|(a, b, n)| EdgeOut { a: *a, b: *b, neurons: n.clone() }));
    if !get("plane").is_null() {
        doc.field("plane", get("plane"));
    }
    doc.finish()
}
