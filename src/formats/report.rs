//! The documents of single commands: the region at a point (`inspect`), a verify report,
//! and the study's statistics (`linregions.stats/1` JSON, CSV). Pure: values in, text out.

use super::{NeighborStyle, PropsOut, RegionOut, STATS_CSV_HEADER, props_out, region_out, stats_csv_row};
use super::{summary_markdown, to_json_text};
use crate::arith::num::{Q, fmt_q, to_f64};
use crate::geometry::{Insphere, LinfInsphere, Source};
use crate::network::{Network, NeuronId, Pattern, pattern_label};
use crate::regions::enumerate::{Enumeration, Region};
use crate::regions::properties::{EdgeProps, RegionProps, StudySummary};
use crate::regions::verify::{Failure, Report};
use serde::Serialize;

/// Identifier of the statistics JSON format.
pub const STATS_FORMAT: &str = "linregions.stats/1";

fn vec_text(v: &[Q]) -> String {
    format!("({})", v.iter().map(fmt_q).collect::<Vec<_>>().join(", "))
}

/// `inspect --json`: the point, the neurons vanishing at it, and its region.
pub fn inspect_json(net: &Network, point: &[Q], vanishing: &[NeuronId], region: &Region) -> String {
    #[derive(Serialize)]
    struct InspectOut {
        complete: bool,
        point: Vec<String>,
        vanishing: Vec<[usize; 2]>,
        region: RegionOut,
    }
    to_json_text(&InspectOut {
        complete: true,
        point: point.iter().map(fmt_q).collect(),
        vanishing: vanishing.iter().map(|&(l, k)| [l, k]).collect(),
        region: region_out(net, region, NeighborStyle::Pattern),
    })
}

/// `inspect --json` stopped by its time limit: `"complete": false`, the point, the neurons
/// vanishing at it and the pattern of its region (the analysis did not finish).
pub fn inspect_partial_json(net: &Network, point: &[Q], vanishing: &[NeuronId], pattern: &Pattern) -> String {
    #[derive(Serialize)]
    struct PartialOut {
        complete: bool,
        point: Vec<String>,
        vanishing: Vec<[usize; 2]>,
        pattern: Vec<String>,
    }
    to_json_text(&PartialOut {
        complete: false,
        point: point.iter().map(fmt_q).collect(),
        vanishing: vanishing.iter().map(|&(l, k)| [l, k]).collect(),
        pattern: net.pattern_strings(pattern),
    })
}

/// [`inspect_partial_json`] for people.
pub fn inspect_partial_text(net: &Network, point: &[Q], vanishing: &[NeuronId], pattern: &Pattern) -> String {
    let mut t = String::new();
    t += &format!("point          {}\n", vec_text(point));
    t += &format!("pattern        {}\n", pattern_label(net, pattern));
    if !vanishing.is_empty() {
        let z: Vec<String> = vanishing.iter().map(|(l, k)| format!("{l}:{k}")).collect();
        t += &format!("on a boundary  neurons {} vanish here\n", z.join(" "));
    }
    t += "complete       false: the region's analysis did not finish in time\n";
    t
}

/// `inspect` for people: pattern, facets with their sources and neighbours, logits and
/// inspheres (the L2 radius bounds as decimals; exact in [`inspect_json`]).
pub fn inspect_text(net: &Network, point: &[Q], vanishing: &[NeuronId], region: &Region) -> String {
    let mut t = String::new();
    t += &format!("point          {}\n", vec_text(point));
    t += &format!("pattern        {}\n", pattern_label(net, &region.pattern));
    if !vanishing.is_empty() {
        let z: Vec<String> = vanishing.iter().map(|(l, k)| format!("{l}:{k}")).collect();
        t += &format!(
            "on a boundary  neurons {} vanish here; the region shown is the one containing\n               point + e*e1 + e^2*e2 + ... for small e > 0\n",
            z.join(" ")
        );
    }
    t += &format!("interior point {}\n", vec_text(&region.interior_point));
    t += &format!("bounded        {}\n", region.bounded);
    t += &format!("facets         {}\n", region.facets.len());
    for f in &region.facets {
        let src: Vec<String> = f
            .sources
            .iter()
            .map(|s| match s {
                Source::Neuron((l, k)) => format!("neuron {l}:{k}"),
                Source::Domain(r) => format!("domain row {r}"),
            })
            .collect();
        let across = match &f.neighbor_pattern {
            Some(p) => format!("-> {}", pattern_label(net, p)),
            None => "-> outside the domain".into(),
        };
        t += &format!("  {} . x <= {}   [{}] {}\n", vec_text(&f.a), fmt_q(&f.b), src.join(", "), across);
    }
    t += "logits         weight x + bias on this region\n";
    for (w, b) in region.logits.weight.iter().zip(&region.logits.bias) {
        t += &format!("  {} . x + {}\n", vec_text(w), fmt_q(b));
    }
    match &region.insphere {
        Insphere::Finite { center, radius_lower, radius_upper } => {
            t += &format!(
                "insphere L2    center {}, radius in [{:.12e}, {:.12e}] (exact bounds in --json)\n",
                vec_text(center),
                to_f64(radius_lower),
                to_f64(radius_upper)
            )
        }
        Insphere::Unbounded => t += "insphere L2    infinite\n",
    }
    match &region.insphere_linf {
        LinfInsphere::Finite { center, radius } => {
            t += &format!("insphere Linf  center {}, radius {}\n", vec_text(center), fmt_q(radius))
        }
        LinfInsphere::Unbounded => t += "insphere Linf  infinite\n",
    }
    t
}

/// One failure of a verify check, as a line.
pub fn failure_text(f: &Failure) -> String {
    match f.region {
        Some(r) => format!("region {r}: {}", f.detail),
        None => f.detail.clone(),
    }
}

fn failed_regions(failures: &[Failure]) -> Vec<usize> {
    let mut regions: Vec<usize> = failures.iter().filter_map(|f| f.region).collect();
    regions.dedup();
    regions
}

/// `verify --json`: every check with its failing regions and details, and the patterns of
/// the missing regions. `regions` is the number of regions in the checked file.
pub fn verify_json(net: &Network, report: &Report, regions: usize) -> String {
    #[derive(Serialize)]
    struct CheckOut {
        name: &'static str,
        ok: bool,
        regions: Vec<usize>,
        details: Vec<String>,
    }
    #[derive(Serialize)]
    struct ReportOut {
        ok: bool,
        regions: usize,
        checks: Vec<CheckOut>,
        missing: Vec<String>,
    }
    to_json_text(&ReportOut {
        ok: report.ok(),
        regions,
        checks: report
            .checks
            .iter()
            .map(|c| CheckOut {
                name: c.name,
                ok: c.failures.is_empty(),
                regions: failed_regions(&c.failures),
                details: c.failures.iter().map(failure_text).collect(),
            })
            .collect(),
        missing: report.missing.iter().map(|p| pattern_label(net, p)).collect(),
    })
}

/// `verify` for people: one line a check (the first ten failures of each failed one), the
/// missing regions and the result. `header` is the first line's subject (what was checked
/// against what).
pub fn verify_text(net: &Network, report: &Report, header: &str) -> String {
    let mut t = format!("verify    {header}\n");
    for c in &report.checks {
        if c.failures.is_empty() {
            t += &format!("ok        {:<17} {}\n", c.name, c.description);
        } else {
            let ids: Vec<String> = failed_regions(&c.failures).iter().map(|r| r.to_string()).collect();
            t += &format!("FAILED    {:<17} {} (regions: {})\n", c.name, c.description, ids.join(", "));
            for f in c.failures.iter().take(10) {
                t += &format!("            {}\n", failure_text(f));
            }
            if c.failures.len() > 10 {
                t += &format!("            ... {} more\n", c.failures.len() - 10);
            }
        }
    }
    let missing: Vec<String> = report.missing.iter().map(|p| pattern_label(net, p)).collect();
    if !missing.is_empty() {
        t += &format!("missing   {} regions absent from the file: {}\n", missing.len(), missing.join(", "));
    }
    let failed = report.checks.iter().filter(|c| !c.failures.is_empty()).count();
    t += &if failed == 0 {
        format!("result    OK: all {} checks hold\n", report.checks.len())
    } else {
        format!("result    FAILED: {failed} of {} checks\n", report.checks.len())
    };
    t
}

/// A data point of `stats --points`, located in a region of the enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedPoint {
    pub point: Vec<Q>,
    pub label: Option<String>,
    /// The id of the region containing the point (lexicographic rule on boundaries).
    pub region: usize,
}

/// `stats --csv`: one row a region, or with `points` one row a point (its coordinates,
/// label, then its region's row).
pub fn stats_csv(
    net: &Network,
    e: &Enumeration,
    props: &[RegionProps],
    points: Option<&[LocatedPoint]>,
) -> String {
    let mut t = String::new();
    match points {
        None => {
            t += STATS_CSV_HEADER;
            t.push('\n');
            for p in props {
                t += &stats_csv_row(net, e, p);
                t.push('\n');
            }
        }
        Some(pts) => {
            let coords: Vec<String> = (0..net.input_dim()).map(|j| format!("x{j}")).collect();
            t += &format!("point,{},label,{}\n", coords.join(","), STATS_CSV_HEADER);
            for (k, p) in pts.iter().enumerate() {
                let xs: Vec<String> = p.point.iter().map(fmt_q).collect();
                t += &format!(
                    "{k},{},{},{}\n",
                    xs.join(","),
                    p.label.clone().unwrap_or_default(),
                    stats_csv_row(net, e, &props[p.region])
                );
            }
        }
    }
    t
}

/// `stats --json` (`linregions.stats/1`): the summary (also as Markdown), every region's
/// properties, every edge's, and the located points if any.
pub fn stats_json(
    net: &Network,
    e: &Enumeration,
    props: &[RegionProps],
    edges: &[EdgeProps],
    summary: &StudySummary,
    per_sample: Option<&StudySummary>,
    points: Option<&[LocatedPoint]>,
) -> String {
    #[derive(Serialize)]
    struct EdgeOut {
        a: usize,
        b: usize,
        grad_cos: Option<f64>,
        rel_change: Option<f64>,
        hamming: usize,
    }
    #[derive(Serialize)]
    struct PointOut {
        point: Vec<String>,
        label: Option<String>,
        region: usize,
    }
    #[derive(Serialize)]
    struct StatsOut {
        format: &'static str,
        /// False when a limit stopped the run: the regions (or points) are some of them.
        complete: bool,
        summary: StudySummary,
        summary_markdown: String,
        /// With data points: the summary over points (a region counts once per point).
        #[serde(skip_serializing_if = "Option::is_none")]
        summary_per_sample: Option<StudySummary>,
        regions: Vec<PropsOut>,
        edges: Vec<EdgeOut>,
        #[serde(skip_serializing_if = "Option::is_none")]
        points: Option<Vec<PointOut>>,
    }
    to_json_text(&StatsOut {
        format: STATS_FORMAT,
        complete: e.complete,
        summary: summary.clone(),
        summary_markdown: summary_markdown(&["value".to_string()], std::slice::from_ref(summary)),
        summary_per_sample: per_sample.cloned(),
        regions: props.iter().map(|p| props_out(net, e, p)).collect(),
        edges: edges
            .iter()
            .map(|x| EdgeOut {
                a: x.a,
                b: x.b,
                grad_cos: x.grad_cos,
                rel_change: x.rel_change,
                hamming: x.hamming,
            })
            .collect(),
        points: points.map(|pts| {
            pts.iter()
                .map(|p| PointOut {
                    point: p.point.iter().map(fmt_q).collect(),
                    label: p.label.clone(),
                    region: p.region,
                })
                .collect()
        }),
    })
}
