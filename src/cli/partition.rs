//! `linregions partition`: exact polygons of a 2D network or a plane slice.

use super::*;

#[derive(Args)]
pub(crate) struct PartitionArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content; 2 inputs, or a plane slice.
    pub(crate) net: PathBuf,
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Write the polygons (JSON, `linregions.partition/1`) here (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// Print no summary and no progress.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Show progress on stderr even when it is not a terminal: a line every 5 seconds (layer,
    /// neuron, faces so far), the first after 2 seconds with the arrangement bound.
    #[arg(long)]
    pub(crate) progress: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

pub(crate) fn cmd_partition(a: PartitionArgs, import: &Import) -> Result<()> {
    let mut inputs = domain_inputs(&a.domain);
    inputs.push(&a.net);
    no_clobber(&inputs, &[("--json", a.json.as_ref())])?;
    let (net, plane) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    if d != 2 {
        return Err(bad(format!("{}: {}", a.net.display(), linregions::PartitionError::Dimension(d))));
    }
    let (domain, defaulted) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let t0 = Instant::now();
    let max = a.limits.max_regions.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let deadline = a.limits.apply(Options::default())?.deadline;
    // Without limits, a budget from the memory available: a mesh that would not fit stops
    // early with a clear message instead of the allocator aborting the process.
    let budget = if max.is_none() && deadline.is_none() { available_memory() } else { None };
    let mut reporter = Reporter::new(!a.quiet, a.progress, &net, "");
    let mut tell = |p: &linregions::MeshProgress| reporter.mesh(p);
    let p = match budget {
        Some(avail) => {
            let faces = usize::try_from(avail / 2 / FACE_BYTES).unwrap_or(usize::MAX);
            match linregions::partition_bounded_with(&net, &domain, faces, &mut tell)
                .map_err(|e| bad(format!("domain: {e}")))?
            {
                Some(p) => p,
                None => {
                    if let Some(path) = &a.json {
                        let empty = linregions::Partition::stopped();
                        write_with(path, |w| {
                            formats::write_partition_json(w, &net, &domain, &empty, plane.as_ref())
                        })?;
                    }
                    return Err(anyhow!(Incomplete(format!(
                        "the partition would have more than about {faces} regions, more than half the memory \
                         available ({:.1} GB at about 4 KB a region while the mesh is built): stopped before \
                         memory ran out (\"complete\": false). `enumerate --jsonl` streams any number of \
                         regions in bounded memory; --max-regions N sets this bound yourself",
                        avail as f64 / 1e9
                    ))));
                }
            }
        }
        None => linregions::partition_limited_with(&net, &domain, max, deadline, &mut tell)
            .map_err(|e| bad(format!("domain: {e}")))?,
    };
    reporter.finish();
    let elapsed = t0.elapsed();
    if let Some(path) = &a.json {
        write_with(path, |w| formats::write_partition_json(w, &net, &domain, &p, plane.as_ref()))?;
    }
    if !a.quiet {
        let sides: Vec<usize> = p.faces.iter().map(|f| f.sides.len()).collect();
        let mut text = String::new();
        let dom = domain.describe() + if defaulted { " (default)" } else { "" };
        text += &format!("network   {} ({})\n", net.shape_string(), activation_names(&net));
        text += &format!("domain    {dom}\n");
        text += &format!("regions   {}\n", p.faces.len());
        text += &format!("edges     {}\n", p.edges);
        text += &format!("vertices  {}\n", p.vertices.len());
        text += &format!(
            "facets    per region min {}, mean {:.2}, max {}\n",
            sides.iter().min().unwrap_or(&0),
            sides.iter().sum::<usize>() as f64 / sides.len().max(1) as f64,
            sides.iter().max().unwrap_or(&0)
        );
        text += &format!("time      {:.3} s\n", elapsed.as_secs_f64());
        say(&text, a.json.as_deref() == Some(Path::new("-")));
    }
    let complete = p.complete;
    free_at_exit(p);
    if !complete {
        return Err(anyhow!(Incomplete(
            "stopped by a limit (--max-regions or --time-limit) before the mesh was complete: \
             no region is final before it is, so the document holds none (\"complete\": false); \
             `enumerate --max-regions` gives the first regions of the walk"
                .into()
        )));
    }
    Ok(())
}

/// About how many bytes a face of the mesh takes while it is built.
const FACE_BYTES: u64 = 4096;

/// The memory available to this process, from /proc/meminfo (`None` where there is none).
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}
