//! `linregions stats`: the study's per-region properties and summary.

use super::*;

#[derive(Args)]
pub(crate) struct StatsArgs {
    /// Network file(s); several give a side-by-side summary.
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
}

pub(crate) fn cmd_stats(a: StatsArgs, import: &Import) -> Result<()> {
    use linregions::properties::{properties, summarize};
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
    let mut summaries = Vec::new();
    let mut domain_text = String::new();
    for (i, path) in a.nets.iter().enumerate() {
        let (net, _) = load_sliced(path, &a.domain, import)?;
        let d = net.input_dim();
        let (domain, defaulted) = load_domain(&a.domain, d, false)?;
        check_domain(&domain, d, &a.domain)?;
        domain_text = domain.describe() + if defaulted { " (default)" } else { "" };
        let e = linregions::enumerate(&net, &domain, &Options::default()).map_err(|e| anyhow!(e))?;
        let (props, edges) = properties(&net, &e);
        // Points: the region of each (lexicographic rule on boundaries).
        let points = match &a.points {
            None => None,
            Some(p) => {
                let rows = formats::parse_data_csv(&read(p)?, d)
                    .map_err(|e| bad(format!("{}: {e}", p.display())))?;
                let mut located = Vec::new();
                for (k, (point, label)) in rows.into_iter().enumerate() {
                    let region = e.locate(&net, &domain, &point).ok_or_else(|| {
                        bad(format!(
                            "{}: point {k} lies outside the domain {}",
                            p.display(),
                            domain.describe()
                        ))
                    })?;
                    located.push(formats::LocatedPoint { point, label, region });
                }
                Some(located)
            }
        };
        let selected: Option<Vec<usize>> = points.as_ref().map(|pts| {
            let mut v: Vec<usize> = pts.iter().map(|p| p.region).collect();
            v.sort();
            v.dedup();
            v
        });
        let summary = summarize(&props, &e, selected.as_deref());
        if let Some(out) = &a.csv {
            write_out(out, &formats::stats_csv(&net, &e, &props, points.as_deref()))?;
        }
        if let Some(out) = &a.json {
            write_out(out, &formats::stats_json(&net, &e, &props, &edges, &summary, points.as_deref()))?;
        }
        names.push(match a.names.get(i) {
            Some(n) => n.clone(),
            None => path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        });
        summaries.push(summary);
    }
    let scope = if a.points.is_some() { "regions containing the data points" } else { "all regions" };
    let text = format!("Domain {domain_text}, {scope}.\n\n{}", formats::summary_markdown(&names, &summaries));
    say(&text, [&a.csv, &a.json].iter().any(|p| p.as_deref() == Some(Path::new("-"))));
    Ok(())
}
