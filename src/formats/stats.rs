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
global_boundary_distance,neighbors,neighbor_grad_cos,neighbor_rel_change,neighbor_hamming";

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
        opt_f(p.global_boundary_distance.as_ref().map(|d| d.1)),
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
    /// `[exact squared distance, distance]` to the nearest boundary piece of any region
    /// (enumerations only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_boundary_distance: Option<(String, f64)>,
    pub neighbors: usize,
    pub neighbor_grad_cos: Option<f64>,
    pub neighbor_rel_change: Option<f64>,
    pub neighbor_hamming: Option<f64>,
    /// The evidence of the class and piece decisions (`stats --certificates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates: Option<CertificatesOut>,
}

/// Wire form of [`BoundaryCertificates`](crate::regions::properties::BoundaryCertificates).
#[derive(Serialize)]
pub struct CertificatesOut {
    pub classes: Vec<DecisionOut>,
    pub pieces: Vec<DecisionOut>,
}

/// One decision: `class` or `classes`, `holds`, and one of `witness`, `tie`, `multipliers`.
#[derive(Serialize)]
pub struct DecisionOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<[usize; 2]>,
    pub holds: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tie: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multipliers: Option<Vec<MultiplierOut>>,
}

/// `y` on a row: `{"neuron": [l, k]}` or `{"domain": r}` (the region's rows), `{"below":
/// [p, q]}` (`f_p - f_q + t <= 0`), `"cap"` (`t <= 1`); all in primitive integer form.
#[derive(Serialize)]
pub struct MultiplierOut {
    pub row: RowOut,
    pub y: String,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowOut {
    Neuron([usize; 2]),
    Domain(usize),
    Below([usize; 2]),
    Cap,
}

fn decision_out<T>(
    d: &crate::regions::properties::Decision<T>,
    what: impl Fn(&T) -> (Option<usize>, Option<[usize; 2]>),
) -> DecisionOut {
    use crate::geometry::Source;
    use crate::regions::properties::{Evidence, LpRow};
    let (class, classes) = what(&d.what);
    let mut out = DecisionOut { class, classes, holds: d.holds, witness: None, tie: None, multipliers: None };
    match &d.evidence {
        Evidence::Witness(x) => out.witness = Some(qvec(x)),
        Evidence::Tie(x) => out.tie = Some(qvec(x)),
        Evidence::Multipliers(y) => {
            out.multipliers = Some(
                y.iter()
                    .map(|(row, v)| MultiplierOut {
                        row: match row {
                            LpRow::Region(Source::Neuron((l, k))) => RowOut::Neuron([*l, *k]),
                            LpRow::Region(Source::Domain(r)) => RowOut::Domain(*r),
                            LpRow::Below(p, q) => RowOut::Below([*p, *q]),
                            LpRow::Cap => RowOut::Cap,
                        },
                        y: fmt_q(v),
                    })
                    .collect(),
            )
        }
    }
    out
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
        global_boundary_distance: p.global_boundary_distance.as_ref().map(|(sq, f)| (fmt_q(sq), *f)),
        neighbors: p.neighbors,
        neighbor_grad_cos: p.neighbor_grad_cos,
        neighbor_rel_change: p.neighbor_rel_change,
        neighbor_hamming: p.neighbor_hamming,
        certificates: p.certificates.as_ref().map(|c| CertificatesOut {
            classes: c.classes.iter().map(|d| decision_out(d, |&j| (Some(j), None))).collect(),
            pieces: c.pieces.iter().map(|d| decision_out(d, |&(i, j)| (None, Some([i, j])))).collect(),
        }),
    }
}

/// Rows of the aggregate table: label, cell, and the headline number a group of seeds
/// averages (the mean of a distribution, a count, a fraction).
pub(crate) fn summary_rows(
    s: &crate::regions::properties::StudySummary,
) -> Vec<(String, String, Option<f64>)> {
    let q = |label: &str, v: &Option<crate::regions::properties::Quantiles>| {
        (
            label.to_string(),
            match v {
                Some(q) => format!("{:.4} / {:.4} / {:.4} (mean {:.4})", q.min, q.median, q.max, q.mean),
                None => "-".into(),
            },
            v.map(|q| q.mean),
        )
    };
    let pct = |label: &str, v: Option<f64>| {
        (label.to_string(), v.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v)), v.map(|v| 100.0 * v))
    };
    // In 2D the mean number of edges of a face of a generic line arrangement tends to 4, and
    // in general position neighbours differ in one neuron: geometry, not findings.
    let facets_label =
        if s.input_dim == 2 { "facets per region (about 4 by geometry in 2D)" } else { "facets per region" };
    let mut rows = if s.per_sample {
        vec![
            ("data points".into(), s.regions.to_string(), Some(s.regions as f64)),
            ("distinct regions".into(), s.distinct_regions.to_string(), Some(s.distinct_regions as f64)),
            ("points in bounded regions".into(), s.bounded.to_string(), Some(s.bounded as f64)),
        ]
    } else {
        vec![
            ("regions".into(), s.regions.to_string(), Some(s.regions as f64)),
            ("bounded".into(), s.bounded.to_string(), Some(s.bounded as f64)),
        ]
    };
    let share = if s.per_sample {
        "points in regions with decision boundary"
    } else {
        "regions with decision boundary"
    };
    rows.extend([
        q("L2 inradius min / median / max", &s.inradius_l2),
        q("L-inf inradius min / median / max", &s.inradius_linf),
        q(facets_label, &s.facets),
        q("facet normals, mean abs cos", &s.facet_cos),
        pct(share, Some(s.boundary_fraction)),
        q("facet-to-boundary abs cos", &s.boundary_cos),
        q("centre-to-boundary distance (in region)", &s.boundary_distance),
    ]);
    if s.global_boundary_distance.is_some() {
        rows.push(q("centre-to-boundary distance (global)", &s.global_boundary_distance));
        rows.push(pct("regions within 0.1 of the boundary (global)", s.near_boundary_fraction));
    }
    rows.extend([
        q("neighbour gradient cos", &s.neighbor_grad_cos),
        q("neighbour map relative change", &s.neighbor_rel_change),
        q("neighbour Hamming distance (1 in general position)", &s.neighbor_hamming),
    ]);
    rows
}

/// A Markdown table of one or more summaries side by side (one column per network).
///
/// Networks sharing a name (`--names plain,plain,bn,bn`: seeds of one variant) form one
/// column whose cells are the mean ± sample standard deviation, across the networks, of
/// each row's headline number (a distribution's mean, a count, a percentage).
pub fn summary_markdown(names: &[String], summaries: &[crate::regions::properties::StudySummary]) -> String {
    let rows: Vec<Vec<(String, String, Option<f64>)>> = summaries.iter().map(summary_rows).collect();
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (k, n) in names.iter().enumerate() {
        match groups.iter_mut().find(|(g, _)| *g == n.as_str()) {
            Some((_, members)) => members.push(k),
            None => groups.push((n, vec![k])),
        }
    }
    // The longest table of the group (rows differ only in the optional global distance).
    let labels: Vec<String> =
        rows.iter().max_by_key(|r| r.len()).expect("a summary").iter().map(|r| r.0.clone()).collect();
    let cell = |k: usize, label: &str| rows[k].iter().find(|r| r.0 == label);
    if groups.len() == names.len() {
        let mut s = format!("| property | {} |\n|---|{}\n", names.join(" | "), "---|".repeat(names.len()));
        for label in &labels {
            let cells: Vec<&str> =
                (0..names.len()).map(|k| cell(k, label).map_or("-", |r| r.1.as_str())).collect();
            s += &format!("| {label} | {} |\n", cells.join(" | "));
        }
        return s;
    }
    let heads: Vec<String> = groups.iter().map(|(g, m)| format!("{g} ({} nets)", m.len())).collect();
    let mut s = format!(
        "Mean ± standard deviation across the networks of each column.\n\n| property | {} |\n|---|{}\n",
        heads.join(" | "),
        "---|".repeat(groups.len())
    );
    for label in &labels {
        let label = label.replace(" min / median / max", " (mean)");
        let cells: Vec<String> = groups
            .iter()
            .map(|(_, members)| {
                let v: Vec<f64> = members
                    .iter()
                    .filter_map(|&k| {
                        rows[k].iter().find(|r| r.0.replace(" min / median / max", " (mean)") == label)
                    })
                    .filter_map(|r| r.2)
                    .collect();
                mean_sd(&v)
            })
            .collect();
        s += &format!("| {label} | {} |\n", cells.join(" | "));
    }
    s
}

/// `mean ± sd` (sample standard deviation) with 4 significant decimals; `-` when empty.
pub(crate) fn mean_sd(v: &[f64]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() == 1 {
        return format!("{mean:.4}");
    }
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    format!("{mean:.4} ± {:.4}", var.sqrt())
}
