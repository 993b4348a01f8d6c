//! `linregions compare`: another tool's answer against the exact one.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OtherFormat {
    /// JSON from scripts/relucent_export.py: sign sequences and halfspaces.
    RelucentJson,
    /// Activation patterns, JSON or one per line (`1011|01` or `101101`).
    Patterns,
    /// Labelled points, CSV `x1,...,xd,label` or JSON.
    Points,
    /// Polytopes as H-representations, JSON [{"a", "b", "pattern"?, "inradius"?}].
    Regions,
    /// JSON from scripts/regioncam_export.py: each face's pattern and a point in it.
    Regioncam,
}

#[derive(Args)]
pub(crate) struct CompareArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content.
    pub(crate) net: PathBuf,
    /// The other tool's output.
    #[arg(long, value_name = "FILE")]
    pub(crate) other: PathBuf,
    /// What the other file holds.
    #[arg(long, value_enum)]
    pub(crate) format: OtherFormat,
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Relative tolerance for the other tool's float facets and inradii.
    #[arg(long, default_value_t = 1e-6)]
    pub(crate) rtol: f64,
}

pub(crate) fn cmd_compare(a: CompareArgs, import: &Import) -> Result<()> {
    use linregions::compare::{self, PointIssue, RegionIssue, Spurious};
    let (net, _) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    if !(a.rtol.is_finite() && a.rtol >= 0.0) {
        return Err(bad("--rtol must be a finite non-negative number"));
    }
    let text = read(&a.other)?;
    let in_file = |e: formats::WireError| bad(format!("{}: {e}", a.other.display()));
    let regioncam = match a.format {
        OtherFormat::Regioncam => Some(formats::parse_regioncam(&net, &text).map_err(in_file)?),
        _ => None,
    };
    // Without a domain given, the other tool's own: relucent's is the whole space,
    // regioncam's the box [-size, size]^2 its file records.
    let (mut domain, defaulted) = load_domain(&a.domain, d, false)?;
    if defaulted {
        match (&a.format, &regioncam) {
            (OtherFormat::RelucentJson, _) => domain = Domain::Whole { dim: d },
            (_, Some((Some(s), _))) => {
                domain = Domain::Box { lo: vec![-s.clone(); d], hi: vec![s.clone(); d] }
            }
            _ => {}
        }
    }
    check_domain(&domain, d, &a.domain)?;
    let e = linregions::enumerate(&net, &domain, &Options::default()).map_err(|e| anyhow!(e))?;
    let label = |p: &linregions::Pattern| linregions::pattern_label(&net, p);
    let mut t = format!(
        "compare   {} ({}) with {} regions of {} on {}\n",
        a.other.display(),
        match a.format {
            OtherFormat::RelucentJson => "relucent-json",
            OtherFormat::Patterns => "patterns",
            OtherFormat::Points => "points",
            OtherFormat::Regions => "regions",
            OtherFormat::Regioncam => "regioncam",
        },
        e.regions.len(),
        a.net.display(),
        domain.describe()
    );
    let mut differ = false;
    let pattern_report = |t: &mut String, theirs: &[linregions::Pattern]| {
        let diff = compare::compare_patterns(&net, &domain, &e, theirs);
        for p in &diff.missing {
            *t += &format!("missing   {}\n", label(p));
        }
        for (p, why) in &diff.spurious {
            let why = match why {
                None => "?".to_string(),
                Some(Spurious::Empty) => "empty: no point has this pattern".into(),
                Some(Spurious::LowerDimensional) => "not full-dimensional".into(),
                Some(Spurious::OutsideDomain) => "not in the domain".into(),
                Some(Spurious::NonCanonical((l, k))) => {
                    format!("neuron {l}:{k} is identically zero there but marked 1")
                }
            };
            *t += &format!("spurious  {} ({why})\n", label(p));
        }
        for p in &diff.duplicates {
            *t += &format!("duplicate {}\n", label(p));
        }
        *t += &format!(
            "summary   {} matched, {} missing, {} spurious, {} duplicates\n",
            diff.matched,
            diff.missing.len(),
            diff.spurious.len(),
            diff.duplicates.len()
        );
        !diff.ok()
    };
    // `complete`: the polytopes claim to be all regions (so unmatched regions are missing).
    let region_report = |t: &mut String, theirs: &[compare::OtherRegion], complete: bool| {
        let diff = compare::compare_regions(&net, &e, theirs, a.rtol);
        for issue in &diff.issues {
            *t += &match issue {
                RegionIssue::Degenerate { index } => {
                    format!("polytope {index}: empty or not full-dimensional\n")
                }
                RegionIssue::Unmatched { index } => format!("polytope {index}: matches no region\n"),
                RegionIssue::Facets { index, region, missing, extra } => format!(
                    "polytope {index} (region {region}, {}): {missing} facets missing, {extra} extra\n",
                    label(&e.regions[*region].pattern)
                ),
                RegionIssue::Inradius { index, region, theirs, ours } => {
                    format!("polytope {index} (region {region}): inradius {theirs:e}, exact {ours:e}\n")
                }
            };
        }
        let missing = if complete { diff.missing.len() } else { 0 };
        for r in diff.missing.iter().take(missing) {
            *t += &format!("missing   region {r} ({})\n", label(&e.regions[*r].pattern));
        }
        *t += &format!(
            "summary   {} polytopes matched, {missing} regions missing, {} with differences\n",
            diff.matched,
            diff.issues.len()
        );
        !diff.issues.is_empty() || missing > 0
    };
    match a.format {
        OtherFormat::Patterns => {
            let theirs = formats::parse_other_patterns(&net, &text).map_err(in_file)?;
            differ = pattern_report(&mut t, &theirs);
        }
        OtherFormat::RelucentJson => {
            let (pats, regions) = formats::parse_relucent(&net, &text).map_err(in_file)?;
            differ |= pattern_report(&mut t, &pats);
            if !regions.is_empty() {
                differ |= region_report(&mut t, &regions, false);
            }
        }
        OtherFormat::Regions => {
            let theirs = formats::parse_other_regions(&net, &text).map_err(in_file)?;
            differ = region_report(&mut t, &theirs, true);
        }
        OtherFormat::Regioncam => {
            // The faces' patterns against the regions, then each face's point against its
            // pattern (regioncam's signs at that point).
            let (_, faces) = regioncam.expect("parsed above");
            let patterns: Vec<linregions::Pattern> = faces.iter().map(|(_, p)| p.clone()).collect();
            differ |= pattern_report(&mut t, &patterns);
            let points: Vec<_> = faces.into_iter().map(|(x, p)| (x, compare::Label::Pattern(p))).collect();
            let diff = compare::compare_points(&net, &points);
            for issue in &diff.issues {
                if let PointIssue::WrongPattern { index, truth } = issue {
                    t += &format!("face {index}: its point lies in {}, not in its pattern\n", label(truth));
                }
            }
            t += &format!(
                "points    {} in their face's region, {} not, {} on a boundary\n",
                diff.correct,
                diff.wrong(),
                diff.boundary()
            );
            differ |= diff.wrong() > 0;
        }
        OtherFormat::Points => {
            let points = formats::parse_other_points(&net, &text).map_err(in_file)?;
            let diff = compare::compare_points(&net, &points);
            for issue in &diff.issues {
                t += &match issue {
                    PointIssue::WrongPattern { index, truth } => {
                        format!("point {index}: wrong label, its pattern is {}\n", label(truth))
                    }
                    PointIssue::OnBoundary { index, neurons } => {
                        let n: Vec<String> = neurons.iter().map(|(l, k)| format!("{l}:{k}")).collect();
                        format!("point {index}: on a boundary (neurons {} vanish)\n", n.join(" "))
                    }
                    PointIssue::LabelSplitsRegions { label: l, patterns } => {
                        let p: Vec<String> = patterns.iter().map(label).collect();
                        format!("label {l}: covers {} regions ({})\n", p.len(), p.join(", "))
                    }
                    PointIssue::RegionHasLabels { pattern, labels } => {
                        format!("region {}: has labels {}\n", label(pattern), labels.join(", "))
                    }
                };
            }
            t += &format!(
                "summary   {} matched, {} wrong, {} on a boundary\n",
                diff.correct,
                diff.wrong(),
                diff.boundary()
            );
            differ = diff.wrong() > 0;
        }
    }
    print!("{t}");
    if differ { Err(anyhow!(CheckFailed)) } else { Ok(()) }
}
