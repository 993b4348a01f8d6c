//! The per-region properties as CSV and JSON, and the study summary as Markdown.

use super::regions::*;
use crate::arith::num::fmt_q;
use crate::network::Network;
use crate::network::pattern_label;
use crate::regions::enumerate::Enumeration;
use serde::Serialize;

pub(crate) fn opt_f(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// Header of the per-region CSV of `stats`.
pub const STATS_CSV_HEADER: &str = "id,pattern,bounded,facets,facets_by_layer,domain_facets,inradius_l2,inradius_linf,\
facet_cos_mean,facet_cos_min,facet_cos_max,boundary,classes,predicted,boundary_cos_mean,boundary_distance,\
neighbors,neighbor_grad_cos,neighbor_rel_change,neighbor_hamming";

/// One CSV row of region properties (decimals; exact values are in the JSON).
pub fn stats_csv_row(net: &Network, e: &Enumeration, p: &crate::regions::properties::RegionProps) -> String {
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
        opt_f(p.inradius_l2.as_ref().map(|(lo, _)| crate::arith::num::to_f64(lo))),
        opt_f(p.inradius_linf.as_ref().map(crate::arith::num::to_f64)),
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

pub fn props_out(net: &Network, e: &Enumeration, p: &crate::regions::properties::RegionProps) -> PropsOut {
    let r = &e.regions[p.id];
    let st = |s: Option<crate::regions::properties::Stats>| s.map(|s| [s.mean, s.min, s.max]);
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
pub(crate) fn summary_rows(s: &crate::regions::properties::StudySummary) -> Vec<(String, String)> {
    let q = |label: &str, v: &Option<crate::regions::properties::Quantiles>| -> (String, String) {
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
pub fn summary_markdown(names: &[String], summaries: &[crate::regions::properties::StudySummary]) -> String {
    let rows: Vec<Vec<(String, String)>> = summaries.iter().map(summary_rows).collect();
    let mut s = format!("| property | {} |\n|---|{}\n", names.join(" | "), "---|".repeat(names.len()));
    for i in 0..rows[0].len() {
        let cells: Vec<&str> = rows.iter().map(|r| r[i].1.as_str()).collect();
        s += &format!("| {} | {} |\n", rows[0][i].0, cells.join(" | "));
    }
    s
}
