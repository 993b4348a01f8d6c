//! `linregions render`: an SVG or PNG picture of a 2D partition.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorArg {
    Pattern,
    Class,
    Inradius,
}

#[derive(Args)]
pub(crate) struct RenderArgs {
    /// Network file: JSON (README "Network file"), a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or ONNX, told apart by content; 2 inputs, or a plane slice.
    pub(crate) net: PathBuf,
    #[command(flatten)]
    pub(crate) domain: DomainArgs,
    /// Output file: `.png` for a PNG (embedded font), anything else SVG (`-` for stdout).
    #[arg(long, short)]
    pub(crate) output: PathBuf,
    /// What the fill colour shows.
    #[arg(long, value_enum, default_value = "pattern")]
    pub(crate) color: ColorArg,
    /// Draw the L2 inspheres.
    #[arg(long)]
    pub(crate) inspheres: bool,
    /// Overlay the adjacency graph (interior points joined across facets).
    #[arg(long)]
    pub(crate) graph: bool,
    /// Draw these data points over the regions (CSV x,y[,label]; filled by an integer label).
    #[arg(long, value_name = "DATA.csv")]
    pub(crate) points: Option<PathBuf>,
    /// Width in pixels (50 to 16384).
    #[arg(long, default_value_t = 800.0)]
    pub(crate) width: f64,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// Show the walk's progress on stderr even when it is not a terminal: a line every 5
    /// seconds, the first after 2 seconds with the arrangement bound.
    #[arg(long)]
    pub(crate) progress: bool,
}

/// The widest picture `render` draws (a PNG of 16,384² pixels is 1 GiB of RGBA).
pub(crate) const MAX_WIDTH: f64 = 16384.0;

pub(crate) fn cmd_render(a: RenderArgs, import: &Import) -> Result<()> {
    use linregions::render::{ColorBy, RenderOptions, render_svg};
    let mut inputs = domain_inputs(&a.domain);
    inputs.push(&a.net);
    inputs.extend(a.points.iter().map(PathBuf::as_path));
    no_clobber(&inputs, &[("--output", Some(&a.output))])?;
    let (net, _) = load_sliced(&a.net, &a.domain, import)?;
    let d = net.input_dim();
    if d != 2 {
        return Err(bad(format!(
            "{}: pictures need 2 inputs, the network has {d} (use --plane)",
            a.net.display()
        )));
    }
    if !(a.width.is_finite() && (50.0..=MAX_WIDTH).contains(&a.width)) {
        return Err(bad(format!("--width must be between 50 and {MAX_WIDTH} pixels")));
    }
    let points = match &a.points {
        None => Vec::new(),
        Some(p) => formats::parse_data_csv(&read(p)?, d)
            .map_err(|e| bad(format!("{}: {e}", p.display())))?
            .into_iter()
            .map(|(x, label)| {
                (
                    [linregions::num::to_f64(&x[0]), linregions::num::to_f64(&x[1])],
                    label.and_then(|l| l.parse().ok()),
                )
            })
            .collect(),
    };
    let (domain, _) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let e = enumerate_reported(&net, &domain, &a.limits.apply(Options::default())?, a.progress, "")?;
    let (props, _) = linregions::properties::properties(&net, &e);
    let opts = RenderOptions {
        color: match a.color {
            ColorArg::Pattern => ColorBy::Pattern,
            ColorArg::Class => ColorBy::Class,
            ColorArg::Inradius => ColorBy::Inradius,
        },
        width: a.width,
        inspheres: a.inspheres,
        graph: a.graph,
        legend: true,
        points,
    };
    let svg = render_svg(&net, &e, &props, &opts).map_err(|e| bad(format!("{}: {e}", a.net.display())))?;
    if a.output.extension().is_some_and(|x| x.eq_ignore_ascii_case("png")) {
        let png = linregions::render::svg_to_png(&svg).map_err(|e| anyhow!(e))?;
        write_with(&a.output, |w| w.write_all(&png).and_then(|_| w.flush()))?;
    } else {
        write_out(&a.output, &svg)?;
    }
    // The picture of a stopped run shows the regions found (the first of the walk order).
    if e.complete { Ok(()) } else { Err(a.limits.stopped(e.regions.len())) }
}
