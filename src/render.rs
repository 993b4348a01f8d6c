//! Pictures of a 2D partition as SVG: regions filled by pattern, predicted class or
//! inradius, facets drawn, the decision boundary bold, optional inspheres and adjacency
//! graph, and a legend. The geometry is exact up to this point; it is converted to floats
//! only to draw.
//!
//! Invariant: the SVG text depends only on the enumeration and the options (fixed number
//! formatting, regions in id order), so pictures are reproducible byte for byte.

use crate::arith::num::{Q, to_f64};
use crate::geometry::Insphere;
use crate::network::Network;
use crate::regions::enumerate::Enumeration;
use crate::regions::properties::RegionProps;

/// What the fill colour of a region shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorBy {
    /// A colour per activation pattern.
    Pattern,
    /// The predicted class (boundary regions grey).
    Class,
    /// The L2 inradius, on a log scale.
    Inradius,
}

/// Rendering options.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    pub color: ColorBy,
    /// Width of the picture in pixels (height follows the aspect ratio).
    pub width: f64,
    pub inspheres: bool,
    pub graph: bool,
    pub legend: bool,
    /// Data points drawn over the regions, filled by their class label (white without).
    pub points: Vec<([f64; 2], Option<usize>)>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: ColorBy::Pattern,
            width: 800.0,
            inspheres: false,
            graph: false,
            legend: true,
            points: Vec::new(),
        }
    }
}

/// Why a picture cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    NotTwoDimensional(usize),
    /// Some region is unbounded (draw in a box).
    Unbounded,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::NotTwoDimensional(d) => {
                write!(f, "pictures need 2D inputs; this network has {d}: slice it with --plane")
            }
            RenderError::Unbounded => write!(f, "some regions are unbounded: render within a box (--box)"),
        }
    }
}

impl std::error::Error for RenderError {}

const PALETTE: [&str; 12] = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9",
    "#bc80bd", "#ccebc5", "#ffed6f",
];
const CLASS_COLORS: [&str; 6] = ["#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#fdd0a2", "#c7e9c0"];

/// Viridis-like colour for `t` in [0, 1] (5-stop linear interpolation).
fn ramp(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Vertices of a bounded convex polygon in counter-clockwise order (exact sort by angle
/// around the interior point, by quadrant and cross product).
fn polygon(verts: &[Vec<Q>], center: &[Q]) -> Vec<(Q, Q)> {
    let mut v: Vec<(Q, Q)> = verts.iter().map(|p| (&p[0] - &center[0], &p[1] - &center[1])).collect();
    let half = |p: &(Q, Q)| {
        use num_traits::Signed;
        if p.1.is_positive() || (p.1 == Q::from_integer(0.into()) && p.0.is_positive()) { 0 } else { 1 }
    };
    v.sort_by(|p, q| {
        half(p).cmp(&half(q)).then_with(|| {
            let cross = &p.0 * &q.1 - &p.1 * &q.0;
            Q::from_integer(0.into()).cmp(&cross)
        })
    });
    v.into_iter().map(|(x, y)| (x + &center[0], y + &center[1])).collect()
}

/// The SVG picture of a 2D enumeration (all regions bounded).
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::render::{RenderOptions, render_svg};
/// use linregions::{Domain, Options, enumerate, properties::properties};
/// let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
/// let (props, _) = properties(&net, &e);
/// let svg = render_svg(&net, &e, &props, &RenderOptions::default()).unwrap();
/// assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
/// ```
pub fn render_svg(
    net: &Network,
    e: &Enumeration,
    props: &[RegionProps],
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    if net.input_dim() != 2 {
        return Err(RenderError::NotTwoDimensional(net.input_dim()));
    }
    if e.regions.iter().any(|r| !r.bounded) {
        return Err(RenderError::Unbounded);
    }
    let polys: Vec<Vec<(f64, f64)>> = e
        .regions
        .iter()
        .map(|r| {
            let verts = crate::geometry::vrep::vertices(&r.halfspaces(), 2);
            polygon(&verts, &r.interior_point).iter().map(|(x, y)| (to_f64(x), to_f64(y))).collect()
        })
        .collect();
    let (mut x0, mut x1, mut y0, mut y1) =
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in polys.iter().flatten() {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    let w = opts.width;
    let scale = w / (x1 - x0);
    let h = (y1 - y0) * scale;
    let legend_h = if opts.legend { 40.0 } else { 0.0 };
    let tx = |x: f64| (x - x0) * scale;
    let ty = |y: f64| (y1 - y) * scale;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{:.0}\" viewBox=\"0 0 {w:.0} {:.0}\" font-family=\"DejaVu Sans, sans-serif\">\n",
        h + legend_h,
        h + legend_h
    );
    s += &format!("<rect x=\"0\" y=\"0\" width=\"{w:.0}\" height=\"{:.0}\" fill=\"white\"/>\n", h + legend_h);
    let radii: Vec<f64> = props
        .iter()
        .filter_map(|p| p.inradius_l2.as_ref().map(|(lo, _)| to_f64(lo).max(1e-12).ln()))
        .collect();
    let (rmin, rmax) =
        radii.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &r| (a.min(r), b.max(r)));
    s += "<g stroke=\"#555\" stroke-width=\"0.6\" stroke-linejoin=\"round\">\n";
    for (r, poly) in e.regions.iter().zip(&polys) {
        let fill = match opts.color {
            ColorBy::Pattern => {
                let hash = r.pattern.0.iter().fold(0xcbf29ce484222325u64, |h, &b| {
                    (h ^ u64::from(b)).wrapping_mul(0x100000001b3).rotate_left(5)
                });
                PALETTE[(hash % PALETTE.len() as u64) as usize].to_string()
            }
            ColorBy::Class => match props[r.id].predicted {
                Some(c) => CLASS_COLORS[c % CLASS_COLORS.len()].to_string(),
                None => "#cccccc".to_string(),
            },
            ColorBy::Inradius => match &props[r.id].inradius_l2 {
                Some((lo, _)) if rmax > rmin => ramp((to_f64(lo).max(1e-12).ln() - rmin) / (rmax - rmin)),
                _ => ramp(0.5),
            },
        };
        let pts: Vec<String> = poly.iter().map(|(x, y)| format!("{:.3},{:.3}", tx(*x), ty(*y))).collect();
        s += &format!(
            "<polygon points=\"{}\" fill=\"{fill}\"><title>region {} {}</title></polygon>\n",
            pts.join(" "),
            r.id,
            crate::network::pattern_label(net, &r.pattern)
        );
    }
    s += "</g>\n";
    // Decision boundary pieces.
    s += "<g stroke=\"black\" stroke-width=\"2.5\" stroke-linecap=\"round\">\n";
    for p in props {
        for piece in &p.pieces {
            if let Some(v) = &piece.vertices
                && v.len() == 2
            {
                s += &format!(
                    "<line x1=\"{:.3}\" y1=\"{:.3}\" x2=\"{:.3}\" y2=\"{:.3}\"/>\n",
                    tx(to_f64(&v[0][0])),
                    ty(to_f64(&v[0][1])),
                    tx(to_f64(&v[1][0])),
                    ty(to_f64(&v[1][1]))
                );
            }
        }
    }
    s += "</g>\n";
    if opts.inspheres {
        s += "<g fill=\"none\" stroke=\"#222\" stroke-width=\"0.7\">\n";
        for r in &e.regions {
            if let Insphere::Finite { center, radius_lower, .. } = &r.insphere {
                s += &format!(
                    "<circle cx=\"{:.3}\" cy=\"{:.3}\" r=\"{:.3}\"/>\n",
                    tx(to_f64(&center[0])),
                    ty(to_f64(&center[1])),
                    to_f64(radius_lower) * scale
                );
            }
        }
        s += "</g>\n";
    }
    if opts.graph {
        s += "<g stroke=\"#c00\" stroke-width=\"0.8\" fill=\"#c00\">\n";
        for (a, b, _) in e.edges() {
            let (pa, pb) = (&e.regions[a].interior_point, &e.regions[b].interior_point);
            s += &format!(
                "<line x1=\"{:.3}\" y1=\"{:.3}\" x2=\"{:.3}\" y2=\"{:.3}\"/>\n",
                tx(to_f64(&pa[0])),
                ty(to_f64(&pa[1])),
                tx(to_f64(&pb[0])),
                ty(to_f64(&pb[1]))
            );
        }
        for r in &e.regions {
            let p = &r.interior_point;
            s += &format!(
                "<circle cx=\"{:.3}\" cy=\"{:.3}\" r=\"1.8\"/>\n",
                tx(to_f64(&p[0])),
                ty(to_f64(&p[1]))
            );
        }
        s += "</g>\n";
    }
    if !opts.points.is_empty() {
        s += "<g stroke=\"#222\" stroke-width=\"0.8\">\n";
        for (p, label) in &opts.points {
            let fill = label.map_or("white", |c| CLASS_COLORS[c % CLASS_COLORS.len()]);
            s += &format!(
                "<circle cx=\"{:.3}\" cy=\"{:.3}\" r=\"2.6\" fill=\"{fill}\"/>\n",
                tx(p[0]),
                ty(p[1])
            );
        }
        s += "</g>\n";
    }
    if opts.legend {
        let y = h + 26.0;
        let text = match opts.color {
            ColorBy::Pattern => format!("{} regions, coloured by activation pattern", e.regions.len()),
            ColorBy::Class => {
                let classes: std::collections::BTreeSet<usize> =
                    props.iter().filter_map(|p| p.predicted).collect();
                let mut x = 10.0;
                for c in &classes {
                    s += &format!(
                        "<rect x=\"{x:.0}\" y=\"{:.0}\" width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#555\"/><text x=\"{:.0}\" y=\"{y:.0}\" font-size=\"14\">class {c}</text>\n",
                        y - 12.0,
                        CLASS_COLORS[c % CLASS_COLORS.len()],
                        x + 18.0
                    );
                    x += 80.0;
                }
                s += &format!(
                    "<rect x=\"{x:.0}\" y=\"{:.0}\" width=\"14\" height=\"14\" fill=\"#cccccc\" stroke=\"#555\"/>\n",
                    y - 12.0
                );
                return Ok(s
                    + &format!(
                        "<text x=\"{:.0}\" y=\"{y:.0}\" font-size=\"14\">holds the decision boundary (bold)</text>\n</svg>\n",
                        x + 18.0
                    ));
            }
            ColorBy::Inradius => {
                for k in 0..10 {
                    s += &format!(
                        "<rect x=\"{:.0}\" y=\"{:.0}\" width=\"12\" height=\"14\" fill=\"{}\"/>\n",
                        10.0 + 12.0 * k as f64,
                        y - 12.0,
                        ramp(k as f64 / 9.0)
                    );
                }
                format!("L2 inradius, log scale: {:.2e} (dark) to {:.2e} (bright)", rmin.exp(), rmax.exp())
            }
        };
        let x = if opts.color == ColorBy::Inradius { 136.0 } else { 10.0 };
        s += &format!(
            "<text x=\"{x:.0}\" y=\"{y:.0}\" font-size=\"14\">{text}; decision boundary bold</text>\n"
        );
    }
    s += "</svg>\n";
    Ok(s)
}

/// The font embedded for PNG text (DejaVu Sans, Bitstream Vera licence, see
/// `assets/DejaVuSans-LICENSE.txt`), so labels never depend on the machine's fonts.
/// Overlaid histograms of one measure, one outline per series (the share of each series'
/// values per bin; 30 bins over the range of all values, on a log scale when `log` and every
/// value is positive): the distributions a reader of the paper compares across variants.
///
/// ```
/// let svg = linregions::render::histograms_svg("L2 inradius", &[("plain".into(), vec![0.1, 0.2]), ("bn".into(), vec![0.05])], true);
/// assert!(svg.starts_with("<svg") && svg.contains("plain") && svg.contains("bn"));
/// ```
pub fn histograms_svg(title: &str, series: &[(String, Vec<f64>)], log: bool) -> String {
    const COLORS: [&str; 6] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
    const BINS: usize = 30;
    let (w, h, left, bottom, top) = (640.0, 360.0, 50.0, 40.0, 40.0);
    let all: Vec<f64> =
        series.iter().flat_map(|(_, v)| v.iter().copied()).filter(|v| v.is_finite()).collect();
    let log = log && all.iter().all(|&v| v > 0.0);
    let f = |v: f64| if log { v.log10() } else { v };
    let (lo, hi) =
        all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(f(v)), b.max(f(v))));
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 0.5, lo + 0.5)
    } else {
        (0.0, 1.0)
    };
    let bin = |v: f64| (((f(v) - lo) / (hi - lo) * BINS as f64) as usize).min(BINS - 1);
    let shares: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, v)| {
            let mut c = vec![0.0; BINS];
            let n = v.iter().filter(|x| x.is_finite()).count().max(1) as f64;
            for &x in v.iter().filter(|x| x.is_finite()) {
                c[bin(x)] += 1.0 / n;
            }
            c
        })
        .collect();
    let ymax = shares.iter().flatten().fold(0.0f64, |a, &b| a.max(b)).max(1e-9);
    let (pw, ph) = (w - left - 20.0, h - bottom - top);
    let x = |k: f64| left + k / BINS as f64 * pw;
    let y = |v: f64| top + ph - v / ymax * ph;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n"
    );
    s += &format!(
        "<text x=\"{left}\" y=\"20\" font-size=\"14\">{}</text>\n",
        crate::formats::xml_escape(title)
    );
    s += &format!(
        "<g stroke=\"#444\"><line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{0}\"/></g>\n",
        top + ph,
        left + pw
    );
    let tick = |v: f64| if log { format!("{:.3e}", 10f64.powf(v)) } else { format!("{v:.4}") };
    s += &format!(
        "<text x=\"{left}\" y=\"{0}\">{1}</text><text x=\"{2}\" y=\"{0}\" text-anchor=\"end\">{3}</text>\n",
        top + ph + 16.0,
        tick(lo),
        left + pw,
        tick(hi)
    );
    s += &format!(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}share per bin (max {ymax:.3})</text>\n",
        left + pw / 2.0,
        top + ph + 32.0,
        if log { "log scale; " } else { "" }
    );
    for (k, ((name, _), c)) in series.iter().zip(&shares).enumerate() {
        let color = COLORS[k % COLORS.len()];
        let mut path = format!("M{:.2},{:.2}", x(0.0), y(0.0));
        for (b, v) in c.iter().enumerate() {
            path += &format!(" L{:.2},{:.2} L{:.2},{:.2}", x(b as f64), y(*v), x(b as f64 + 1.0), y(*v));
        }
        path += &format!(" L{:.2},{:.2}", x(BINS as f64), y(0.0));
        s += &format!("<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\"/>\n");
        s += &format!(
            "<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{2}\" y=\"{3}\">{4}</text>\n",
            w - 160.0,
            top + 16.0 * k as f64,
            w - 144.0,
            top + 16.0 * k as f64 + 11.0,
            crate::formats::xml_escape(name)
        );
    }
    s + "</svg>\n"
}

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Rasterise an SVG made by [`render_svg`] to PNG bytes (resvg, embedded font only).
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, String> {
    let mut opt = resvg::usvg::Options::default();
    {
        let db = opt.fontdb_mut();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
    }
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| format!("SVG: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| "empty picture".to_string())?;
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("PNG: {e}"))
}
