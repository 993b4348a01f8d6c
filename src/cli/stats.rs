//! `linregions stats`: the study's per-region properties and summary.

use super::*;

#[derive(Args)]
pub(crate) struct StatsArgs {
    /// Network file(s): JSON, a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or
    /// ONNX, told apart by content; several give a side-by-side summary.
    #[arg(required = true)]
    pub(crate) nets: Vec<PathBuf>,
    /// Column names for several networks (default: file stems).
    #[arg(long, value_delimiter = ',')]
    pub(crate) names: Vec<String>,
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Only the regions containing these data points (CSV x1,...,xd[,label]); the per-region
    /// table becomes one row per point.
    #[arg(long, value_name = "DATA.csv")]
    pub(crate) points: Option<PathBuf>,
    /// Write the per-region (or per-point) table as CSV (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<PathBuf>,
    /// Write properties, edges and summary as JSON (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write SVG histograms (one outline per network name, seeds pooled) of the L2
    /// inradius, the facet normals' mean |cos| and the distance to the decision boundary
    /// into DIR (per sample with --points).
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// With --points and --json: the evidence of every class and boundary-piece decision of
    /// each region (witness points and LP multipliers, exact), which `verify NET STATS.json`
    /// checks. Networks with two or more outputs.
    #[arg(long, requires_all = ["points", "json"])]
    pub(crate) certificates: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// Show progress on stderr even when it is not a terminal, a line every 5 seconds: with
    /// --points the regions analysed and the time left at that pace; else the walk's regions
    /// (the first line after 2 seconds gives the arrangement bound).
    #[arg(long)]
    pub(crate) progress: bool,
}

pub(crate) fn cmd_stats(a: StatsArgs, import: &Import) -> Result<()> {
    use linregions::properties::{properties, summarize, summarize_points};
    let mut inputs = domain_inputs(&a.domain);
    inputs.extend(a.nets.iter().map(PathBuf::as_path));
    inputs.extend(a.points.iter().map(PathBuf::as_path));
    no_clobber(&inputs, &[("--csv", a.csv.as_ref()), ("--json", a.json.as_ref())])?;
    if a.nets.len() > 1 && (a.csv.is_some() || a.json.is_some()) {
        return Err(bad("--csv and --json take one network; run stats once per network"));
    }
    if !a.names.is_empty() && a.names.len() != a.nets.len() {
        return Err(bad(format!("--names has {} names for {} networks", a.names.len(), a.nets.len())));
    }
    let mut names = Vec::new();
    let (mut summaries, mut per_sample) = (Vec::new(), Vec::new());
    let mut domain_text = String::new();
    let mut sliced = false;
    // Per network: (name, inradius, facet cos, boundary distance) values for --plots.
    let mut plot_values: Vec<(String, [Vec<f64>; 3])> = Vec::new();
    let mut stopped: Option<(usize, bool)> = None;
    for (i, path) in a.nets.iter().enumerate() {
        let opts = a.limits.apply(Options::default())?;
        let (net, plane) = load_sliced(path, &a.domain, import)?;
        sliced = plane.is_some();
        let d = net.input_dim();
        let (domain, defaulted) = load_domain(&a.domain, d, false)?;
        check_domain(&domain, d, &a.domain)?;
        domain_text = domain.describe() + if defaulted { " (default)" } else { "" };
        // With data points, only their regions, each found directly (no enumeration: any
        // dimension); else every region of the domain.
        let (e, props, edges, points) = match &a.points {
            None => {
                let label = if a.nets.len() > 1 { format!("{}: ", path.display()) } else { String::new() };
                let e = enumerate_reported(&net, &domain, &opts, a.progress, &label)?;
                let (props, edges) = properties(&net, &e);
                (e, props, edges, None)
            }
            Some(p) => {
                let rows = formats::parse_data_csv(&read(p)?, d)
                    .map_err(|e| bad(format!("{}: {e}", p.display())))?;
                let xs: Vec<Vec<linregions::Q>> = rows.iter().map(|(x, _)| x.clone()).collect();
                let show = a.progress || std::io::stderr().is_terminal();
                let t0 = Instant::now();
                let last = std::sync::Mutex::new(Instant::now());
                let tell = |done: usize, total: usize| {
                    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                    if show && (last.elapsed().as_secs_f64() >= 5.0 || done == total) {
                        *last = Instant::now();
                        let s = t0.elapsed().as_secs_f64();
                        let left = s / done as f64 * (total - done) as f64;
                        eprintln!(
                            "{}: {done} of {total} regions analysed, {s:.1} s, about {left:.0} s left at this pace",
                            path.display()
                        );
                    }
                };
                // Each region's properties as soon as it is found, its facets then dropped.
                let (e, props, ids) =
                    linregions::study_points(&net, &domain, &xs, &opts, a.certificates, &tell).map_err(
                        |(k, err)| match err {
                            PointError::Outside => bad(format!(
                                "{}: point {k} lies outside the domain {}",
                                p.display(),
                                domain.describe()
                            )),
                            err => bad(format!("{}: point {k}: {err}", p.display())),
                        },
                    )?;
                if show {
                    eprintln!(
                        "{}: the study's properties of {} regions, done",
                        path.display(),
                        e.regions.len()
                    );
                }
                let located: Vec<formats::LocatedPoint> = rows
                    .into_iter()
                    .zip(ids)
                    .map(|((point, label), region)| formats::LocatedPoint { point, label, region })
                    .collect();
                (e, props, Vec::new(), Some(located))
            }
        };
        if !e.complete {
            stopped.get_or_insert((e.regions.len(), points.is_some()));
        }
        let summary = summarize(&props, &e, None);
        // The paper's averages are per sample: a region met by k points counts k times.
        let sample = points.as_ref().map(|pts| {
            let ids: Vec<usize> = pts.iter().map(|p| p.region).collect();
            summarize_points(&props, &e, &ids)
        });
        if let Some(out) = &a.csv {
            write_out(out, &formats::stats_csv(&net, &e, &props, points.as_deref()))?;
        }
        if let Some(out) = &a.json {
            write_out(
                out,
                &formats::stats_json(&net, &e, &props, &edges, &summary, sample.as_ref(), points.as_deref()),
            )?;
        }
        names.push(match a.names.get(i) {
            Some(n) => n.clone(),
            None => path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        });
        if a.plots.is_some() {
            let ids: Vec<usize> = match &points {
                Some(pts) => pts.iter().map(|p| p.region).collect(),
                None => (0..props.len()).collect(),
            };
            let to_f = linregions::num::to_f64;
            let global = props.iter().any(|p| p.global_boundary_distance.is_some());
            let vals = [
                ids.iter().filter_map(|&k| props[k].inradius_l2.as_ref().map(|(lo, _)| to_f(lo))).collect(),
                ids.iter().filter_map(|&k| props[k].facet_cos.map(|s| s.mean)).collect(),
                ids.iter()
                    .filter_map(|&k| {
                        let p = &props[k];
                        if global {
                            p.global_boundary_distance.as_ref()
                        } else {
                            p.boundary_distance.as_ref()
                        }
                        .map(|d| d.1)
                    })
                    .collect(),
            ];
            plot_values.push((names[i].clone(), vals));
        }
        summaries.push(summary);
        per_sample.extend(sample);
    }
    if let Some(dir) = &a.plots {
        write_plots(dir, &plot_values, a.points.is_some())?;
    }
    let slice = if sliced {
        " Measured in slice coordinates (s, t): radii, distances and angles are those of the 2D slice, not of the input space."
    } else {
        ""
    };
    let text = if a.points.is_some() {
        format!(
            "Domain {domain_text}.{slice}\n\nPer sample (a region counts once per data point in it, as in the paper):\n\n{}\n\
             Per distinct region containing data points:\n\n{}",
            formats::summary_markdown(&names, &per_sample),
            formats::summary_markdown(&names, &summaries)
        )
    } else {
        format!(
            "Domain {domain_text}, all regions.{slice}\n\n{}",
            formats::summary_markdown(&names, &summaries)
        )
    };
    let text = match stopped {
        None => text,
        Some((n, false)) => {
            format!("INCOMPLETE: a limit stopped the enumeration after {n} regions.\n\n{text}")
        }
        Some((_, true)) => {
            format!("INCOMPLETE: a limit stopped before every data point was located.\n\n{text}")
        }
    };
    say(&text, [&a.csv, &a.json].iter().any(|p| p.as_deref() == Some(Path::new("-"))));
    match stopped {
        Some((n, _)) => Err(a.limits.stopped(n)),
        None => Ok(()),
    }
}

/// The histograms of `stats --plots`: networks sharing a name pooled into one series.
fn write_plots(dir: &Path, values: &[(String, [Vec<f64>; 3])], per_sample: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| bad(format!("--plots {}: {e}", dir.display())))?;
    let unit = if per_sample { "per data point" } else { "per region" };
    let files = [
        ("inradius_l2.svg", format!("L2 inradius ({unit})"), true),
        ("facet_cos.svg", format!("facet normals, mean |cos| ({unit})"), false),
        ("boundary_distance.svg", format!("centre-to-boundary distance ({unit})"), true),
    ];
    for (k, (file, title, log)) in files.iter().enumerate() {
        let mut series: Vec<(String, Vec<f64>)> = Vec::new();
        for (name, v) in values {
            match series.iter_mut().find(|(n, _)| n == name) {
                Some((_, all)) => all.extend(&v[k]),
                None => series.push((name.clone(), v[k].clone())),
            }
        }
        write_out(&dir.join(file), &linregions::render::histograms_svg(title, &series, *log))?;
    }
    Ok(())
}
