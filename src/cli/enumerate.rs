//! `linregions enumerate`: every region of a domain, streamed or whole, as JSON, JSON Lines,
//! DOT or GraphML.

use super::*;

#[derive(Args)]
pub(crate) struct EnumerateArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content.
    pub(crate) net: PathBuf,
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Write the regions JSON here (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Write the region graph as Graphviz DOT here.
    #[arg(long, value_name = "FILE")]
    pub(crate) dot: Option<PathBuf>,
    /// Print no summary and no progress.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Show progress on stderr even when it is not a terminal: a line every 5 seconds (on a
    /// terminal it is shown anyway, updated in place).
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) progress: bool,
    /// L2 insphere tolerance: upper - lower <= 10^-DIGITS * max(1, upper).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub(crate) digits: u32,
    /// Add exact `vertices` and `volume` to bounded regions, and check that the volumes sum
    /// to the domain's volume.
    #[arg(long)]
    pub(crate) volumes: bool,
    /// Group regions into linear regions (equal affine maps across facets): adds
    /// `linear_region` to each region and `linear_regions` to the JSON.
    #[arg(long)]
    pub(crate) linear: bool,
    /// Write the merged graph of linear regions (JSON, `linregions.linear/1`); implies --linear.
    #[arg(long, value_name = "FILE")]
    pub(crate) merge: Option<PathBuf>,
    /// Stream regions as JSON lines while they are found (walk ids), then a summary line.
    #[arg(long, value_name = "FILE")]
    pub(crate) jsonl: Option<PathBuf>,
    /// Write the region graph as GraphML (Gephi, networkx).
    #[arg(long, value_name = "FILE")]
    pub(crate) graphml: Option<PathBuf>,
    /// Walk facets even on a bounded plane domain, where the regions otherwise come from the
    /// exact mesh of `partition` (the output is the same; for cross-checks and benchmarks).
    #[arg(long)]
    pub(crate) walk: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// Continue the streaming run that was writing --jsonl FILE (killed, or stopped by a
    /// limit) from the regions already in it: the file ends as an uninterrupted run's would.
    /// Same network and domain as that run; no other outputs.
    #[arg(long, requires = "jsonl")]
    pub(crate) resume: bool,
    /// Compute part I of N (I from 0 to N-1) of the enumeration, to run it as N jobs: the
    /// part goes to --json PART, and `linregions merge PART...` writes the document one run
    /// would. `auto` takes I and N from a Slurm job array (SLURM_ARRAY_TASK_ID,
    /// SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT); `auto/N` also takes I from a
    /// Kubernetes Indexed Job (JOB_COMPLETION_INDEX).
    #[arg(long, value_name = "I/N", requires = "json", conflicts_with_all = ["jsonl", "dot", "graphml", "merge", "linear"])]
    pub(crate) shard: Option<String>,
}

pub(crate) fn cmd_enumerate(a: EnumerateArgs, import: &Import) -> Result<()> {
    let mut inputs = domain_inputs(&a.domain);
    inputs.push(&a.net);
    no_clobber(
        &inputs,
        &[
            ("--json", a.json.as_ref()),
            ("--dot", a.dot.as_ref()),
            ("--merge", a.merge.as_ref()),
            ("--jsonl", a.jsonl.as_ref()),
            ("--graphml", a.graphml.as_ref()),
        ],
    )?;
    let (net, plane) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    let (domain, defaulted) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let opts = a.limits.apply(Options::default().digits(a.digits).volumes(a.volumes).mesh(!a.walk))?;
    if let Some(spec) = &a.shard {
        return cmd_enumerate_shard(&a, spec, &net, plane.as_ref(), &domain, &opts);
    }
    let mut reporter = Reporter::new(!a.quiet, a.progress, &net, "");
    let prior = match (&a.jsonl, a.resume) {
        (Some(p), true) => match resume_point(&a, p)? {
            Some(prior) => Some(prior),
            None => return Ok(()), // already complete
        },
        _ => None,
    };
    let mut stream = match &a.jsonl {
        None => None,
        Some(p) if p == Path::new("-") => Some(Box::new(std::io::stdout()) as Box<dyn Write>),
        // Resuming: the file now ends with its last whole region line; append to it.
        Some(p) if prior.is_some() => Some(Box::new(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .append(true)
                .open(p)
                .with_context(|| format!("{}: cannot write", p.display()))?,
        )) as Box<dyn Write>),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("{}: cannot write", p.display()))?,
        )) as Box<dyn Write>),
    };
    let mut stream_err: Option<std::io::Error> = None;
    let mut linear_line: Option<String> = None;
    // The sum of the region volumes (None once a region has none), for the --volumes check.
    let mut volume_sum: Option<linregions::Q> = Some(num_traits::Zero::zero());
    let t0 = Instant::now();
    let mut on_region = |r: &linregions::Region, p: &WalkProgress| {
        if let Some(w) = stream.as_mut()
            && stream_err.is_none()
            && let Err(err) = w.write_all(formats::region_jsonl(&net, r).as_bytes()).and_then(|_| w.flush())
        {
            stream_err = Some(err);
        }
        volume_sum = match (volume_sum.take(), &r.volume) {
            (Some(s), Some(v)) => Some(s + v),
            _ => None,
        };
        reporter.walk(p);
    };
    // Outputs that need every region at once keep them; otherwise (--jsonl, the summary)
    // the regions stream and are dropped (from the mesh on a small bounded plane domain,
    // else from the walk, which keeps only the patterns met).
    let keep = a.json.is_some() || a.dot.is_some() || a.graphml.is_some() || a.merge.is_some() || a.linear;
    let domain_err = |e| match e {
        linregions::EnumerateError::Domain(de) => bad(format!("domain: {de}")),
        other => anyhow!(other),
    };
    let (e, summary) = if keep {
        let e = linregions::enumerate_with(&net, &domain, &opts, &mut on_region).map_err(domain_err)?;
        let s = e.summary();
        (Some(e), s)
    } else if let Some(prior) = &prior {
        let s =
            linregions::stream_resume(&net, &domain, &opts, prior, &mut on_region).map_err(|e| match e {
                linregions::EnumerateError::Resume(m) => bad(format!(
                    "{}: cannot resume: {m}",
                    a.jsonl.as_ref().expect("resume has --jsonl").display()
                )),
                e => domain_err(e),
            })?;
        (None, s)
    } else {
        (None, linregions::stream(&net, &domain, &opts, &mut on_region).map_err(domain_err)?)
    };
    let elapsed = t0.elapsed();
    reporter.finish();
    if let Some(err) = stream_err {
        return Err(anyhow!(err).context("writing --jsonl"));
    }
    if let Some(w) = stream.as_mut() {
        w.write_all(formats::summary_jsonl(&summary).as_bytes())
            .and_then(|_| w.flush())
            .context("writing --jsonl")?;
    }
    if let Some(e) = &e {
        let linear = (a.linear || a.merge.is_some()).then(|| linregions::linear_regions(e));
        if let Some(p) = &a.json {
            write_with(p, |w| {
                formats::write_regions_json(w, &net, &domain, e, linear.as_ref(), plane.as_ref())
            })?;
        }
        if let (Some(p), Some(l)) = (&a.merge, &linear) {
            write_out(p, &formats::linear_json(l))?;
        }
        if let Some(p) = &a.graphml {
            write_out(p, &formats::regions_graphml(&net, e))?;
        }
        if let Some(p) = &a.dot {
            write_out(p, &formats::regions_dot(&net, e))?;
        }
        if let Some(l) = &linear
            && !a.quiet
        {
            let convex = l.convex.iter().filter(|c| **c).count();
            linear_line = Some(format!("linear    {} linear regions ({} convex)\n", l.members.len(), convex));
        }
        free_at_exit(linear);
    }
    free_at_exit(e);
    let volume_check = if a.volumes && summary.complete && !a.resume {
        domain.volume().and_then(|t| volume_sum.map(|s| s == t))
    } else {
        None
    };
    let stdout_taken = [&a.json, &a.jsonl, &a.merge, &a.graphml, &a.dot]
        .iter()
        .any(|p| p.as_deref() == Some(Path::new("-")));
    if !a.quiet {
        let s = &summary;
        let mut text = String::new();
        let dom = domain.describe() + if defaulted { " (default)" } else { "" };
        text += &format!("network   {} ({})\n", net.shape_string(), activation_names(&net));
        if let Some(p) = &plane {
            text += &format!(
                "plane     x = origin + s·u + t·v in the {}-dimensional input; regions in (s, t)\n",
                p.origin.len()
            );
        }
        text += &format!("domain    {dom}\n");
        text += &format!(
            "regions   {} ({} bounded, {} unbounded){}\n",
            s.regions,
            s.bounded,
            s.regions - s.bounded,
            if s.complete { "" } else { ", INCOMPLETE: stopped by a limit" }
        );
        text += &format!("edges     {}\n", s.edges);
        text += &format!(
            "facets    per region min {}, mean {:.2}, max {}\n",
            s.facets_min, s.facets_mean, s.facets_max
        );
        match s.inradius {
            Some((lo, med, hi)) => {
                text += &format!("inradius  L2 min {lo:.6e}, median {med:.6e}, max {hi:.6e}\n")
            }
            None => text += "inradius  L2 all infinite\n",
        }
        if let Some(l) = &linear_line {
            text += l;
        }
        if let Some(ok) = volume_check {
            text += &format!(
                "volumes   sum {} the domain's volume {}\n",
                if ok { "equals" } else { "DIFFERS FROM" },
                domain.volume().map(|v| fmt_q(&v)).unwrap_or_default()
            );
        }
        text += &format!("time      {:.3} s\n", elapsed.as_secs_f64());
        say(&text, stdout_taken);
    }
    if !summary.complete {
        return Err(a.limits.stopped(summary.regions));
    }
    if volume_check == Some(false) {
        return Err(anyhow!("region volumes do not sum to the domain's volume (please report)"));
    }
    Ok(())
}

/// The regions of the `--jsonl` file a resumed run continues from, after cutting the file
/// back to its last whole region line (a killed run may leave half a line; a stopped one, a
/// summary line). `None` when the file's run is already complete.
fn resume_point(
    a: &EnumerateArgs,
    path: &Path,
) -> Result<Option<Vec<linregions::internals::regions::verify::RegionIn>>> {
    if path == Path::new("-") {
        return Err(bad("--resume needs --jsonl FILE, not standard output"));
    }
    if a.json.is_some() || a.dot.is_some() || a.graphml.is_some() || a.merge.is_some() || a.linear {
        return Err(bad(
            "--resume continues the --jsonl stream only: no --json, --dot, --graphml, --merge or --linear",
        ));
    }
    // Line by line (a stream of millions of regions is gigabytes), each region kept with
    // only what resuming reads: pattern, facet rows and neighbours, boundedness, radius.
    use std::io::BufRead;
    let cannot = |e: std::io::Error| bad(format!("{}: cannot read: {e}", path.display()));
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(cannot)?);
    let mut keep = 0; // bytes of whole region lines
    let mut prior = Vec::new();
    let mut line = String::new();
    for i in 0.. {
        line.clear();
        if reader.read_line(&mut line).map_err(cannot)? == 0 || !line.ends_with('\n') {
            break; // the end, or a line cut off by the kill
        }
        if line.starts_with("{\"summary\"") {
            if line.contains("\"complete\":true") || !line.contains("\"complete\"") {
                eprintln!(
                    "{}: the run is complete ({} regions): nothing to resume",
                    path.display(),
                    prior.len()
                );
                return Ok(None);
            }
            break; // stopped by a limit: continue after its regions
        }
        let mut r = formats::parse_jsonl_region(&line)
            .map_err(|e| bad(format!("{}: line {}: {e}", path.display(), i + 1)))?;
        r.interior_point = Vec::new();
        (r.logits, r.insphere_linf, r.vertices, r.volume) = (None, None, None, None);
        if let Some(linregions::Insphere::Finite { center, .. }) = &mut r.insphere {
            *center = Vec::new();
        }
        prior.push(r);
        keep += line.len();
    }
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    f.set_len(keep as u64).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(Some(prior))
}
