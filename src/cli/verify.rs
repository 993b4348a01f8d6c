//! `linregions verify`: an independent check of a regions file.

use super::*;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content.
    pub(crate) net: PathBuf,
    /// Regions file (linregions.regions/1), e.g. from `enumerate --json`; or a stats file
    /// (linregions.stats/1) from `stats --points --certificates --json`, whose evidence of
    /// every class and boundary-piece decision is checked (give the domain it used).
    pub(crate) regions: PathBuf,
    /// Domain (default: the domain recorded in the regions file).
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Accept a document a limit stopped ("complete": false): check each region it holds
    /// and each neighbour it names, but not that they are all (without it: exit 1).
    #[arg(long)]
    pub(crate) allow_incomplete: bool,
}

pub(crate) fn cmd_verify(a: VerifyArgs, import: &Import) -> Result<()> {
    let (net, plane) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    let text = read(&a.regions)?;
    if text.get(..400).unwrap_or(&text).contains("\"linregions.stats/1\"") {
        return verify_certificates(&a, &net, &text);
    }
    let file = formats::parse_regions(&text).map_err(|e| bad(format!("{}: {e}", a.regions.display())))?;
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
    if !file.complete && !a.allow_incomplete {
        eprintln!(
            "{}: incomplete (\"complete\": false: a run stopped by --max-regions or --time-limit): its {} \
             regions are not all of the domain's; --allow-incomplete checks them",
            a.regions.display(),
            file.regions.len()
        );
        return Err(anyhow!(CheckFailed));
    }
    let report = linregions::verify_slice(&net, &domain, &file, plane.as_ref())
        .map_err(|e| bad(format!("domain: {e}")))?;
    if a.json {
        write_out(Path::new("-"), &formats::verify_json(&net, &report, file.regions.len()))?;
    } else {
        let header = format!(
            "{} ({} regions{}) against {} on {}",
            a.regions.display(),
            file.regions.len(),
            if file.complete { "" } else { ", incomplete: completeness not checked" },
            a.net.display(),
            domain.describe()
        );
        print!("{}", formats::verify_text(&net, &report, &header));
    }
    if report.ok() { Ok(()) } else { Err(anyhow!(CheckFailed)) }
}

/// `verify NET STATS.json`: each region's certificates (`stats --certificates`) checked
/// against the network and the domain alone.
fn verify_certificates(a: &VerifyArgs, net: &linregions::Network, text: &str) -> Result<()> {
    let d = net.input_dim();
    let explicit = a.domain.box_spec.is_some() || a.domain.domain.is_some() || a.domain.unbounded;
    if !explicit {
        return Err(bad(format!(
            "{}: a stats file does not record its domain: give the one it used (--box, --domain)",
            a.regions.display()
        )));
    }
    let domain = load_domain(&a.domain, d, false)?.0;
    let regions =
        formats::parse_stats_certificates(text).map_err(|e| bad(format!("{}: {e}", a.regions.display())))?;
    if regions.is_empty() {
        return Err(bad(format!("{}: no regions with certificates", a.regions.display())));
    }
    let mut failed = 0;
    for (i, r) in regions.iter().enumerate() {
        let Some(pattern) = net.parse_pattern(&r.pattern) else {
            return Err(bad(format!(
                "{}: regions[{i}].pattern does not fit the network",
                a.regions.display()
            )));
        };
        match linregions::check_boundary_certificates(
            net,
            &domain,
            &pattern,
            &r.classes,
            &r.pieces,
            &r.certificates,
        ) {
            Ok(()) => println!(
                "region {i}: ok ({} class and {} piece decisions)",
                r.certificates.classes.len(),
                r.certificates.pieces.len()
            ),
            Err(why) => {
                failed += 1;
                println!("region {i}: FAILED: {why}");
            }
        }
    }
    println!(
        "{}: {} of {} regions' certificates hold against {} on {}",
        a.regions.display(),
        regions.len() - failed,
        regions.len(),
        a.net.display(),
        domain.describe()
    );
    if failed == 0 { Ok(()) } else { Err(anyhow!(CheckFailed)) }
}
