//! `linregions inspect`: the region at a point.

use super::*;

#[derive(Args)]
pub(crate) struct InspectArgs {
    /// Network file (JSON).
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
    let bounded = domain.validate(d).map_err(|e| bad(format!("domain: {e}")))?;
    let rows = domain.rows();
    if rows.iter().any(|(r, b)| linregions::num::dot(r, &point) > *b) {
        return Err(bad(format!("--point {}: the point lies outside the domain", a.point)));
    }
    let (pattern, zeros) = pattern_at(&net, &point);
    let opts = Options { digits: a.digits, ..Options::default() };
    let region = match analyze_region(&net, &rows, bounded, &pattern, None, &opts, None) {
        RegionOutcome::Full(r) => *r,
        // Possible only when the point is on the domain boundary and the rule's direction
        // leaves the domain.
        _ => {
            return Err(bad(format!(
                "--point {}: the region chosen at this boundary point (pattern {}) does not meet the domain's interior",
                a.point,
                linregions::pattern_label(&net, &pattern)
            )));
        }
    };
    if a.json {
        return write_out(Path::new("-"), &formats::inspect_json(&net, &point, &zeros, &region));
    }
    print!("{}", formats::inspect_text(&net, &point, &zeros, &region));
    Ok(())
}
