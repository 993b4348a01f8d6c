//! `linregions inspect`: the region at a point.

use super::*;

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content.
    pub(crate) net: PathBuf,
    /// The point, coordinates separated by commas (rationals: 1/2,0.25,-3).
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) point: String,
    /// Domain to intersect the region with (default: the whole space).
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Print the region as JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub(crate) digits: u32,
    /// Stop after this many seconds (decimal): the point's pattern is still printed, with
    /// "complete": false (the region's analysis did not finish), exit code 3.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) time_limit: Option<f64>,
}

pub(crate) fn cmd_inspect(a: InspectArgs, import: &Import) -> Result<()> {
    let (net, _) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    let point = formats::parse_point(&a.point, d).map_err(|e| bad(format!("--point {}: {e}", a.point)))?;
    let (domain, _) = load_domain(&a.domain, d, true)?;
    let opts = Options::default().digits(a.digits);
    let found = match time_limit(a.time_limit)? {
        None => analyze_point(&net, &domain, &point, &opts),
        Some(limit) => {
            // The analysis on its own thread; when the limit passes first, the pattern
            // (cheap) is the answer and the process ends with the thread unfinished.
            let (tx, rx) = std::sync::mpsc::channel();
            let (n, dm, p) = (net.clone(), domain.clone(), point.clone());
            std::thread::spawn(move || tx.send(analyze_point(&n, &dm, &p, &opts)));
            match rx.recv_timeout(limit) {
                Ok(found) => found,
                Err(_) => {
                    let (pattern, zeros) = linregions::pattern_at(&net, &point);
                    let doc = if a.json {
                        formats::inspect_partial_json(&net, &point, &zeros, &pattern)
                    } else {
                        formats::inspect_partial_text(&net, &point, &zeros, &pattern)
                    };
                    write_out(Path::new("-"), &doc)?;
                    return Err(anyhow!(Incomplete(format!(
                        "stopped by --time-limit {}: the region's analysis did not finish; its pattern is printed",
                        a.time_limit.unwrap_or_default()
                    ))));
                }
            }
        }
    };
    let found = found.map_err(|e| match e {
        PointError::Domain(e) => bad(format!("domain: {e}")),
        PointError::NotInDomain(p) => bad(format!(
            "--point {}: the region chosen at this boundary point (pattern {}) does not meet the domain's interior",
            a.point,
            linregions::pattern_label(&net, &p)
        )),
        e => bad(format!("--point {}: {e}", a.point)),
    })?;
    let (zeros, region) = (found.vanishing, found.region);
    if a.json {
        return write_out(Path::new("-"), &formats::inspect_json(&net, &point, &zeros, &region));
    }
    print!("{}", formats::inspect_text(&net, &point, &zeros, &region));
    Ok(())
}
