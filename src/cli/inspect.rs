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
}

pub(crate) fn cmd_inspect(a: InspectArgs, import: &Import) -> Result<()> {
    let (net, _) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    let point = formats::parse_point(&a.point, d).map_err(|e| bad(format!("--point {}: {e}", a.point)))?;
    let (domain, _) = load_domain(&a.domain, d, true)?;
    let opts = Options::default().digits(a.digits);
    let found = analyze_point(&net, &domain, &point, &opts).map_err(|e| match e {
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
