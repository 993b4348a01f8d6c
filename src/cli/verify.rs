//! `linregions verify`: an independent check of a regions file.

use super::*;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// Network file (JSON).
    pub(crate) net: PathBuf,
    /// Regions file (linregions.regions/1), e.g. from `enumerate --json`.
    pub(crate) regions: PathBuf,
    /// Domain (default: the domain recorded in the regions file).
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn cmd_verify(a: VerifyArgs, import: &Import) -> Result<()> {
    let (net, plane) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    let file = formats::parse_regions(&read(&a.regions)?)
        .map_err(|e| bad(format!("{}: {e}", a.regions.display())))?;
    if file.plane.is_some() && plane.is_none() {
        return Err(bad(format!(
            "{}: the file is a plane slice (it records `plane`): give the same --plane or --plane-basis",
            a.regions.display()
        )));
    }
    let explicit = a.domain.box_spec.is_some() || a.domain.domain.is_some() || a.domain.unbounded;
    let domain = if explicit {
        load_domain(&a.domain, d, false)?.0
    } else {
        file.domain
            .clone()
            .ok_or_else(|| bad(format!("{}: no domain recorded; give one", a.regions.display())))?
    };
    let report = linregions::verify_slice(&net, &domain, &file, plane.as_ref())
        .map_err(|e| bad(format!("domain: {e}")))?;
    if a.json {
        write_out(Path::new("-"), &formats::verify_json(&net, &report, file.regions.len()))?;
    } else {
        let header = format!(
            "{} ({} regions) against {} on {}",
            a.regions.display(),
            file.regions.len(),
            a.net.display(),
            domain.describe()
        );
        print!("{}", formats::verify_text(&net, &report, &header));
    }
    if report.ok() { Ok(()) } else { Err(anyhow!(CheckFailed)) }
}
