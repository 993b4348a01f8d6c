//! The `linregions` command line: a thin layer over the library. Exit codes: 0 success,
//! 1 failure (a check failed or an internal inconsistency), 2 bad input.

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand};
use linregions::formats::{self, NeighborStyle};
use linregions::num::{fmt_q, to_f64};
use linregions::{Domain, Insphere, LinfInsphere, Network, Options, RegionOutcome, Source};
use linregions::{WalkProgress, analyze_region, pattern_at};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exact arithmetic allocates a BigInt per intermediate; mimalloc's thread-local free lists
/// are measurably faster than glibc's malloc for that pattern (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Enumerate every linear region of a ReLU network exactly.
#[derive(Parser)]
#[command(name = "linregions", version, about, long_about = None, after_help = "\
Examples:
  linregions enumerate fixtures/small2d.json
  linregions enumerate fixtures/net-2-8-8-1.json --box=-2:2 --json regions.json --dot regions.dot
  linregions enumerate fixtures/small2d.json --unbounded --json - --quiet
  linregions partition fixtures/net-2-16-16-1.json --box=-10:10 --json polygons.json
  linregions inspect fixtures/small2d.json --point 1/2,0.25
  linregions enumerate fixtures/small2d.json --json r.json && linregions verify fixtures/small2d.json r.json
  linregions compare fixtures/small2d.json --other fixtures/compare/patterns.txt --format patterns
  linregions train --data moons --bn -o net.json && linregions stats net.json --box=-1.5:2.5,-1:1.5
  linregions render fixtures/net-2-8-8-1.json --box=-3:3 --color inradius -o regions.svg
  linregions random --dims 2,16,16,1 --seed 1 -o net.json
  linregions completions bash > /etc/bash_completion.d/linregions

Exit codes: 0 ok, 1 failure, 2 bad input.")]
struct Cli {
    /// Worker threads of the walk and the mesh (default: all cores). Output never depends on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Architecture of a .safetensors network when tensor names are not enough:
    /// comma-separated linear, bn, relu, leaky_relu:SLOPE, dropout, identity.
    #[arg(long, global = true, value_name = "SPEC")]
    arch: Option<String>,
    /// Batch norm epsilon of a .safetensors network (taken as the nearest double, as PyTorch
    /// stores it).
    #[arg(long, global = true, default_value_t = 1e-5, value_name = "EPS")]
    bn_eps: f64,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Enumerate all full-dimensional regions of a domain and write them (JSON, DOT).
    #[command(after_help = "Examples:
  linregions enumerate fixtures/net-2-8-8-1.json
  linregions enumerate fixtures/net-2-8-8-1.json --box=-3:3 --json regions.json --dot regions.dot
  linregions enumerate fixtures/small2d.json --unbounded --volumes --linear --json -
  linregions enumerate model.safetensors --arch linear,bn,relu,linear --jsonl regions.jsonl
  linregions enumerate fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv")]
    Enumerate(EnumerateArgs),
    /// Exact polygons of every region of a 2D network (or a plane slice) in a bounded domain.
    ///
    /// The domain polygon is cut neuron by neuron (mesh splitting) in exact arithmetic:
    /// patterns, vertices, facets with their neurons and neighbours, areas. Much faster than
    /// `enumerate`, which also computes inspheres, logits and interior points.
    #[command(after_help = "Examples:
  linregions partition fixtures/net-2-8-8-1.json --box=-3:3
  linregions partition fixtures/net-2-16-16-1.json --box=-10:10 --json polygons.json
  linregions partition fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv --json -")]
    Partition(PartitionArgs),
    /// Show the region at a point: pattern, facets, inspheres, affine map.
    #[command(after_help = "Examples:
  linregions inspect fixtures/small2d.json --point 1/2,0.25
  linregions inspect fixtures/small2d.json --point 0,0 --json     (a boundary point)")]
    Inspect(InspectArgs),
    /// Check a regions file independently against the network (exit 0 only if all holds).
    #[command(after_help = "Examples:
  linregions enumerate fixtures/small2d.json --json r.json && linregions verify fixtures/small2d.json r.json
  linregions verify fixtures/small2d.json fixtures/verify/closure.json --json")]
    Verify(VerifyArgs),
    /// Compare another tool's output with the exact regions (exit 1 when they differ).
    #[command(after_help = "Examples:
  linregions compare fixtures/small2d.json --other fixtures/compare/patterns.txt --format patterns
  linregions compare fixtures/small2d.json --other fixtures/compare/points.csv --format points
  linregions compare fixtures/small2d.json --other fixtures/compare/regions.json --format regions --rtol 1e-4")]
    Compare(CompareArgs),
    /// Region properties of the study (inspheres, hyperplane directions, decision boundary,
    /// neighbour similarity): per-region table and aggregate summary (Markdown).
    #[command(after_help = "Examples:
  linregions stats fixtures/known_boundary.json --csv regions.csv
  linregions stats plain.json bn.json dropout.json --names plain,bn,dropout --box=-1.5:2.5,-1:1.5
  linregions stats net.json --points data.csv --json stats.json")]
    Stats(StatsArgs),
    /// Train a small ReLU MLP on a seeded toy 2D data set and write it as an exact network.
    #[command(after_help = "Examples:
  linregions train --data moons --hidden 16,16 --epochs 300 --seed 1 -o plain.json --data-out moons.csv
  linregions train --data moons --hidden 16,16 --bn -o bn.json
  linregions train --data blobs --dropout 0.2 --wd 1e-4 --optimizer sgd --lr 0.05 -o blobs.json")]
    Train(TrainArgs),
    /// Draw the regions of a 2D network (or plane) as SVG or PNG (filled by pattern, class
    /// or inradius).
    #[command(after_help = "Examples:
  linregions render fixtures/net-2-8-8-1.json --box=-3:3 -o regions.svg
  linregions render net.json --box=-1.5:2.5,-1:1.5 --color class --inspheres -o moons.png
  linregions render fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv --color inradius --graph -o slice.svg")]
    Render(RenderArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write any accepted network (JSON, PyTorch .safetensors, ONNX) as the exact JSON network.
    #[command(after_help = "Examples:
  linregions convert fixtures/torch/mlp.safetensors --arch linear,relu,linear -o mlp.json
  linregions convert fixtures/torch/mlp_bn.safetensors --arch linear,bn,relu,dropout,linear -o bn.json
  linregions convert fixtures/onnx/cnn.onnx -o cnn.json")]
    Convert {
        /// Input network (.json, .safetensors or .onnx).
        input: PathBuf,
        /// Output file (`-` for stdout).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Write a seeded random ReLU network (weights N(0,1/fan_in), biases N(0,0.25), f32-exact).
    Random(RandomArgs),
}

#[derive(Args)]
struct DomainArgs {
    /// Box domain: LO:HI for every coordinate, or LO:HI,LO:HI,... per coordinate
    /// (rationals, e.g. --box=-1:1 or --box -1/2:3,0:1). Default for enumerate: -1:1.
    #[arg(long = "box", value_name = "SPEC", allow_hyphen_values = true, conflicts_with_all = ["domain", "unbounded"])]
    box_spec: Option<String>,
    /// Polytope domain from a JSON file {"a": [[...], ...], "b": [...]} meaning a·x <= b.
    #[arg(long, value_name = "FILE", conflicts_with = "unbounded")]
    domain: Option<PathBuf>,
    /// The whole input space (regions may be unbounded).
    #[arg(long)]
    unbounded: bool,
    /// Slice: the plane through three input points P0, P1, P2 (a CSV or JSON file with 3
    /// rows), in coordinates x = P0 + s(P1-P0) + t(P2-P0); the default domain is the
    /// triangle s, t >= 0, s + t <= 1 (or give --box in (s, t)).
    #[arg(long, value_name = "FILE", conflicts_with = "plane_basis")]
    plane: Option<PathBuf>,
    /// Slice: the plane x = origin + s·u + t·v (a file with the 3 rows origin, u, v); the
    /// domain is a box in (s, t) (default [-1,1]^2).
    #[arg(long, value_name = "FILE")]
    plane_basis: Option<PathBuf>,
}

#[derive(Args)]
struct EnumerateArgs {
    /// Network file (JSON, see README "Network file").
    net: PathBuf,
    #[command(flatten)]
    domain: DomainArgs,
    /// Write the regions JSON here (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the region graph as Graphviz DOT here.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
    /// Print no summary and no progress.
    #[arg(long, short)]
    quiet: bool,
    /// L2 insphere tolerance: upper - lower <= 10^-DIGITS * max(1, upper).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    digits: u32,
    /// Add exact `vertices` and `volume` to bounded regions, and check that the volumes sum
    /// to the domain's volume.
    #[arg(long)]
    volumes: bool,
    /// Group regions into linear regions (equal affine maps across facets): adds
    /// `linear_region` to each region and `linear_regions` to the JSON.
    #[arg(long)]
    linear: bool,
    /// Write the merged graph of linear regions (JSON, `linregions.linear/1`); implies --linear.
    #[arg(long, value_name = "FILE")]
    merge: Option<PathBuf>,
    /// Stream regions as JSON lines while they are found (walk ids), then a summary line.
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Write the region graph as GraphML (Gephi, networkx).
    #[arg(long, value_name = "FILE")]
    graphml: Option<PathBuf>,
    /// Walk facets even on a bounded plane domain, where the regions otherwise come from the
    /// exact mesh of `partition` (the output is the same; for cross-checks and benchmarks).
    #[arg(long)]
    walk: bool,
}

#[derive(Args)]
struct PartitionArgs {
    /// Network file (JSON, see README "Network file"); 2 inputs, or a plane slice.
    net: PathBuf,
    #[command(flatten)]
    domain: DomainArgs,
    /// Write the polygons (JSON, `linregions.partition/1`) here (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Print no summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// Network file (JSON).
    net: PathBuf,
    /// The point, coordinates separated by commas (rationals: 1/2,0.25,-3).
    #[arg(long, allow_hyphen_values = true)]
    point: String,
    /// Domain to intersect the region with (default: the whole space).
    #[command(flatten)]
    domain: DomainArgs,
    /// Print the region as JSON instead of text.
    #[arg(long)]
    json: bool,
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    digits: u32,
}

#[derive(Args)]
struct VerifyArgs {
    /// Network file (JSON).
    net: PathBuf,
    /// Regions file (linregions.regions/1), e.g. from `enumerate --json`.
    regions: PathBuf,
    /// Domain (default: the domain recorded in the regions file).
    #[command(flatten)]
    domain: DomainArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OtherFormat {
    /// JSON from scripts/relucent_export.py: sign sequences and halfspaces.
    RelucentJson,
    /// Activation patterns, JSON or one per line (`1011|01` or `101101`).
    Patterns,
    /// Labelled points, CSV `x1,...,xd,label` or JSON.
    Points,
    /// Polytopes as H-representations, JSON [{"a", "b", "pattern"?, "inradius"?}].
    Regions,
}

#[derive(Args)]
struct CompareArgs {
    /// Network file (JSON).
    net: PathBuf,
    /// The other tool's output.
    #[arg(long, value_name = "FILE")]
    other: PathBuf,
    /// What the other file holds.
    #[arg(long, value_enum)]
    format: OtherFormat,
    #[command(flatten)]
    domain: DomainArgs,
    /// Relative tolerance for the other tool's float facets and inradii.
    #[arg(long, default_value_t = 1e-6)]
    rtol: f64,
}

#[derive(Args)]
struct StatsArgs {
    /// Network file(s); several give a side-by-side summary.
    #[arg(required = true)]
    nets: Vec<PathBuf>,
    /// Column names for several networks (default: file stems).
    #[arg(long, value_delimiter = ',')]
    names: Vec<String>,
    #[command(flatten)]
    domain: DomainArgs,
    /// Only the regions containing these data points (CSV x1,...,xd[,label]); the per-region
    /// table becomes one row per point.
    #[arg(long, value_name = "DATA.csv")]
    points: Option<PathBuf>,
    /// Write the per-region (or per-point) table as CSV (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write properties, edges and summary as JSON (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct TrainArgs {
    /// Data set: moons, circles, xor, spirals (2 classes, one logit) or blobs (3 classes).
    #[arg(long)]
    data: String,
    /// Number of data points.
    #[arg(long, default_value_t = 400)]
    samples: usize,
    /// Hidden widths.
    #[arg(long, value_delimiter = ',', default_value = "16,16")]
    hidden: Vec<usize>,
    /// Batch norm after every hidden dense layer (folded into it at export).
    #[arg(long)]
    bn: bool,
    /// Dropout probability after every hidden ReLU.
    #[arg(long, default_value_t = 0.0)]
    dropout: f64,
    /// L2 weight decay on the weights.
    #[arg(long, default_value_t = 0.0)]
    wd: f64,
    /// Optimiser.
    #[arg(long, default_value = "adam", value_parser = ["adam", "sgd"])]
    optimizer: String,
    #[arg(long, default_value_t = 0.01)]
    lr: f64,
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Seed of the data, the initialisation, the batches and dropout.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output network file (`-` for stdout).
    #[arg(long, short)]
    output: PathBuf,
    /// Also write the data set as CSV `x,y,label`.
    #[arg(long, value_name = "FILE")]
    data_out: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorArg {
    Pattern,
    Class,
    Inradius,
}

#[derive(Args)]
struct RenderArgs {
    /// Network file (JSON) with 2 inputs.
    net: PathBuf,
    #[command(flatten)]
    domain: DomainArgs,
    /// Output file: `.png` for a PNG (embedded font), anything else SVG (`-` for stdout).
    #[arg(long, short)]
    output: PathBuf,
    /// What the fill colour shows.
    #[arg(long, value_enum, default_value = "pattern")]
    color: ColorArg,
    /// Draw the L2 inspheres.
    #[arg(long)]
    inspheres: bool,
    /// Overlay the adjacency graph (interior points joined across facets).
    #[arg(long)]
    graph: bool,
    /// Width in pixels (50 to 16384).
    #[arg(long, default_value_t = 800.0)]
    width: f64,
}

#[derive(Args)]
struct RandomArgs {
    /// Widths, input first: 2,16,16,1.
    #[arg(long, value_delimiter = ',', required = true)]
    dims: Vec<usize>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Standard deviation of the biases.
    #[arg(long, default_value_t = 0.5)]
    bias_std: f64,
    /// Output file (`-` or absent: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// An error caused by the user's input (exit code 2).
#[derive(Debug)]
struct BadInput(String);
impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BadInput {}

fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// Refuses output paths that name an input file or each other, however spelled (`./net.json`,
/// a symlink, a hard link: the same file on disk), before any work: a run must never
/// overwrite its own network or data. `-` (standard output) is never a clash.
fn no_clobber(inputs: &[&Path], outputs: &[(&str, Option<&PathBuf>)]) -> Result<()> {
    fn same(a: &Path, b: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => {
                // Not both existing: the same path once made absolute and normalised.
                let abs = |p: &Path| std::path::absolute(p).ok().map(|q| q.components().collect::<PathBuf>());
                abs(a).is_some() && abs(a) == abs(b)
            }
        }
    }
    let outs: Vec<(&str, &PathBuf)> = outputs
        .iter()
        .filter_map(|(flag, p)| p.map(|p| (*flag, p)))
        .filter(|(_, p)| p.as_os_str() != "-")
        .collect();
    for (i, (flag, out)) in outs.iter().enumerate() {
        // Writable, checked before any work: a directory that does not exist, a path that is a
        // directory, or a folder we may not write in is bad input found at once.
        if out.is_dir() {
            return Err(bad(format!("{flag} {}: is a directory", out.display())));
        }
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(bad(format!(
                "{flag} {}: the folder {} does not exist",
                out.display(),
                dir.display()
            )));
        }
        let probe = dir.join(format!(".linregions-probe-{}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) => {
                return Err(bad(format!("{flag} {}: cannot write in {}: {e}", out.display(), dir.display())));
            }
        }
        if out.exists() && std::fs::OpenOptions::new().append(true).open(out).is_err() {
            return Err(bad(format!("{flag} {}: the file cannot be written", out.display())));
        }
        if let Some(input) = inputs.iter().find(|inp| same(inp, out)) {
            return Err(bad(format!(
                "{flag} {} names the input file {}: refusing to overwrite it (choose another path)",
                out.display(),
                input.display()
            )));
        }
        if let Some((other, _)) = outs[..i].iter().find(|(_, o)| same(o, out)) {
            return Err(bad(format!("{flag} and {other} both name {}: choose two paths", out.display())));
        }
    }
    Ok(())
}

/// The input files of the domain options.
fn domain_inputs(d: &DomainArgs) -> Vec<&Path> {
    [&d.domain, &d.plane, &d.plane_basis].into_iter().flatten().map(PathBuf::as_path).collect()
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))
}

/// How to read PyTorch weight files (from the global options).
static IMPORT: std::sync::OnceLock<(Option<String>, f64)> = std::sync::OnceLock::new();

fn load_network(path: &Path) -> Result<Network> {
    if path.extension().is_some_and(|e| e == "onnx") {
        let bytes = std::fs::read(path).map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))?;
        return linregions::import::read_onnx(&bytes).map_err(|e| bad(format!("{}: {e}", path.display())));
    }
    if path.extension().is_some_and(|e| e == "safetensors") {
        let bytes = std::fs::read(path).map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))?;
        let (arch, eps) = IMPORT.get().cloned().unwrap_or((None, 1e-5));
        let in_file = |e: linregions::import::ImportError| bad(format!("{}: {e}", path.display()));
        let arch = arch
            .map(|a| linregions::import::parse_arch(&a))
            .transpose()
            .map_err(|e| bad(format!("--arch: {e}")))?;
        let eps = linregions::num::from_f64_exact(eps)
            .filter(|e| !num_traits::Signed::is_negative(e))
            .ok_or_else(|| bad("--bn-eps must be a finite non-negative number"))?;
        let tensors = linregions::import::read_safetensors(&bytes).map_err(in_file)?;
        return linregions::import::sequential(&tensors, None, arch.as_deref(), &eps).map_err(in_file);
    }
    let text = read(path)?;
    formats::parse_network(&text).map_err(|e| bad(format!("{}: {e}", path.display())))
}

/// Load a network and apply a plane slice if asked: returns the (sliced) network and the
/// plane.
fn load_sliced(path: &Path, args: &DomainArgs) -> Result<(Network, Option<formats::Plane>)> {
    let net = load_network(path)?;
    let Some(file) = args.plane.as_ref().or(args.plane_basis.as_ref()) else { return Ok((net, None)) };
    let pts = formats::parse_three_points(&read(file)?, net.input_dim())
        .map_err(|e| bad(format!("{}: {e}", file.display())))?;
    let plane = if args.plane.is_some() {
        let diff = |a: &[linregions::Q], b: &[linregions::Q]| {
            a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>()
        };
        formats::Plane { origin: pts[0].clone(), u: diff(&pts[1], &pts[0]), v: diff(&pts[2], &pts[0]) }
    } else {
        formats::Plane { origin: pts[0].clone(), u: pts[1].clone(), v: pts[2].clone() }
    };
    // u and v must span a plane.
    let (uu, vv, uv) = (
        linregions::num::dot(&plane.u, &plane.u),
        linregions::num::dot(&plane.v, &plane.v),
        linregions::num::dot(&plane.u, &plane.v),
    );
    if &uu * &vv == &uv * &uv {
        return Err(bad(format!("{}: the three rows do not span a plane", file.display())));
    }
    Ok((net.on_plane(&plane.origin, &plane.u, &plane.v), Some(plane)))
}

fn load_domain(args: &DomainArgs, d: usize, default_whole: bool) -> Result<(Domain, bool)> {
    if args.plane.is_some() && args.box_spec.is_none() && args.domain.is_none() && !args.unbounded {
        // The triangle s >= 0, t >= 0, s + t <= 1.
        let q = |v: i64| linregions::Q::from_integer(v.into());
        return Ok((
            Domain::Polytope {
                a: vec![vec![q(-1), q(0)], vec![q(0), q(-1)], vec![q(1), q(1)]],
                b: vec![q(0), q(0), q(1)],
            },
            true,
        ));
    }
    let dom = if let Some(spec) = &args.box_spec {
        formats::parse_box(spec, d).map_err(|e| bad(format!("--box {spec}: {e}")))?
    } else if let Some(p) = &args.domain {
        formats::parse_domain(&read(p)?).map_err(|e| bad(format!("{}: {e}", p.display())))?
    } else if args.unbounded || default_whole {
        Domain::Whole { dim: d }
    } else {
        return Ok((Domain::default_box(d), true));
    };
    Ok((dom, false))
}

fn check_domain(dom: &Domain, d: usize, args: &DomainArgs) -> Result<()> {
    dom.validate(d).map(|_| ()).map_err(|e| {
        let which = match (&args.box_spec, &args.domain) {
            (Some(s), _) => format!("--box {s}"),
            (_, Some(p)) => p.display().to_string(),
            _ => "domain".into(),
        };
        bad(format!("{which}: {e}"))
    })
}

/// Write a document to `path` (`-`: standard output) as `write` makes it.
/// Writes a document to `path` (`-`: standard output). A regular file (or a new one) is
/// written atomically: into a temporary file in the same folder, renamed over `path` only
/// once complete, so a run that is killed or fails midway never leaves a truncated document.
/// Anything else (a device such as `/dev/full`, a pipe) is written in place.
fn write_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return write(&mut out).context("writing to standard output");
    }
    let cannot = || format!("{}: cannot write", path.display());
    let regular = std::fs::metadata(path).map_or(true, |m| m.is_file());
    if !regular {
        let file = std::fs::File::create(path).with_context(cannot)?;
        return write(&mut std::io::BufWriter::new(file)).with_context(cannot);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.linregions-{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).with_context(cannot)?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w).with_context(cannot)?;
        w.into_inner().map_err(|e| e.into_error()).with_context(cannot)?;
        std::fs::rename(&tmp, path).with_context(cannot)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_out(path: &Path, text: &str) -> Result<()> {
    write_with(path, |w| w.write_all(text.as_bytes()).and_then(|_| w.flush()))
}

fn activation_names(net: &Network) -> String {
    let mut names: Vec<String> = net
        .hidden()
        .iter()
        .map(|h| {
            if num_traits::Zero::is_zero(&h.slope) {
                "relu".into()
            } else {
                format!("leaky_relu {}", fmt_q(&h.slope))
            }
        })
        .collect();
    names.dedup();
    if names.is_empty() { "no activations".into() } else { names.join(", ") }
}

fn cmd_enumerate(a: EnumerateArgs) -> Result<()> {
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
    let (net, plane) = load_sliced(&a.net, &a.domain)?;
    let d = net.input_dim();
    let (domain, defaulted) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let opts = Options { digits: a.digits, volumes: a.volumes, mesh: !a.walk };
    let show_progress = !a.quiet && std::io::stderr().is_terminal();
    let mut stream = match &a.jsonl {
        None => None,
        Some(p) if p == Path::new("-") => Some(Box::new(std::io::stdout()) as Box<dyn Write>),
        Some(p) => Some(Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("{}: cannot write", p.display()))?,
        )) as Box<dyn Write>),
    };
    let mut stream_err: Option<std::io::Error> = None;
    let mut linear_line: Option<String> = None;
    // The sum of the region volumes (None once a region has none), for the --volumes check.
    let mut volume_sum: Option<linregions::Q> = Some(num_traits::Zero::zero());
    let t0 = Instant::now();
    let mut last = Instant::now();
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
        if show_progress && last.elapsed().as_millis() >= 250 {
            last = Instant::now();
            let s = t0.elapsed().as_secs_f64();
            eprint!(
                "\r{} regions, frontier {}, {:.0} regions/s, {:.1} s   ",
                p.regions,
                p.frontier,
                p.regions as f64 / s.max(1e-9),
                s
            );
        }
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
    } else {
        (None, linregions::stream(&net, &domain, &opts, &mut on_region).map_err(domain_err)?)
    };
    let elapsed = t0.elapsed();
    if show_progress {
        eprint!("\r\x1b[K");
    }
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
    }
    let volume_check =
        if a.volumes { domain.volume().and_then(|t| volume_sum.map(|s| s == t)) } else { None };
    let stdout_taken = [&a.json, &a.jsonl, &a.merge, &a.graphml, &a.dot]
        .iter()
        .any(|p| p.as_deref() == Some(Path::new("-")));
    if !a.quiet {
        let s = summary;
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
            "regions   {} ({} bounded, {} unbounded)\n",
            s.regions,
            s.bounded,
            s.regions - s.bounded
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
        // Keep stdout clean for data when it goes there.
        if stdout_taken {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
    if volume_check == Some(false) {
        return Err(anyhow!("region volumes do not sum to the domain's volume (please report)"));
    }
    Ok(())
}

fn cmd_partition(a: PartitionArgs) -> Result<()> {
    let mut inputs = domain_inputs(&a.domain);
    inputs.push(&a.net);
    no_clobber(&inputs, &[("--json", a.json.as_ref())])?;
    let (net, plane) = load_sliced(&a.net, &a.domain)?;
    let d = net.input_dim();
    if d != 2 {
        return Err(bad(format!("{}: {}", a.net.display(), linregions::PartitionError::Dimension(d))));
    }
    let (domain, defaulted) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let t0 = Instant::now();
    let p = linregions::partition(&net, &domain).map_err(|e| bad(format!("domain: {e}")))?;
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
        if a.json.as_deref() == Some(Path::new("-")) {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
    Ok(())
}

fn vec_text(v: &[linregions::Q]) -> String {
    format!("({})", v.iter().map(fmt_q).collect::<Vec<_>>().join(", "))
}

fn cmd_inspect(a: InspectArgs) -> Result<()> {
    let (net, _) = load_sliced(&a.net, &a.domain)?;
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
        #[derive(serde::Serialize)]
        struct InspectOut {
            point: Vec<String>,
            vanishing: Vec<[usize; 2]>,
            region: formats::RegionOut,
        }
        let out = InspectOut {
            point: point.iter().map(fmt_q).collect(),
            vanishing: zeros.iter().map(|&(l, k)| [l, k]).collect(),
            region: formats::region_out(&net, &region, NeighborStyle::Pattern),
        };
        return write_out(Path::new("-"), &formats::to_json_text(&out));
    }
    let mut t = String::new();
    t += &format!("point          {}\n", vec_text(&point));
    t += &format!("pattern        {}\n", linregions::pattern_label(&net, &pattern));
    if !zeros.is_empty() {
        let z: Vec<String> = zeros.iter().map(|(l, k)| format!("{l}:{k}")).collect();
        t += &format!(
            "on a boundary  neurons {} vanish here; the region shown is the one containing\n               point + e*e1 + e^2*e2 + ... for small e > 0\n",
            z.join(" ")
        );
    }
    t += &format!("interior point {}\n", vec_text(&region.interior_point));
    t += &format!("bounded        {}\n", region.bounded);
    t += &format!("facets         {}\n", region.facets.len());
    for f in &region.facets {
        let src: Vec<String> = f
            .sources
            .iter()
            .map(|s| match s {
                Source::Neuron((l, k)) => format!("neuron {l}:{k}"),
                Source::Domain(r) => format!("domain row {r}"),
            })
            .collect();
        let across = match &f.neighbor_pattern {
            Some(p) => format!("-> {}", linregions::pattern_label(&net, p)),
            None => "-> outside the domain".into(),
        };
        t += &format!("  {} . x <= {}   [{}] {}\n", vec_text(&f.a), fmt_q(&f.b), src.join(", "), across);
    }
    t += "logits         weight x + bias on this region\n";
    for (w, b) in region.logits.weight.iter().zip(&region.logits.bias) {
        t += &format!("  {} . x + {}\n", vec_text(w), fmt_q(b));
    }
    match &region.insphere {
        Insphere::Finite { center, radius_lower, radius_upper } => {
            t += &format!(
                "insphere L2    center {}, radius in [{:.12e}, {:.12e}] (exact bounds in --json)\n",
                vec_text(center),
                to_f64(radius_lower),
                to_f64(radius_upper)
            )
        }
        Insphere::Unbounded => t += "insphere L2    infinite\n",
    }
    match &region.insphere_linf {
        LinfInsphere::Finite { center, radius } => {
            t += &format!("insphere Linf  center {}, radius {}\n", vec_text(center), fmt_q(radius))
        }
        LinfInsphere::Unbounded => t += "insphere Linf  infinite\n",
    }
    print!("{t}");
    Ok(())
}

fn cmd_verify(a: VerifyArgs) -> Result<()> {
    let (net, plane) = load_sliced(&a.net, &a.domain)?;
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
    let missing: Vec<String> = report.missing.iter().map(|p| linregions::pattern_label(&net, p)).collect();
    if a.json {
        #[derive(serde::Serialize)]
        struct CheckOut {
            name: &'static str,
            ok: bool,
            regions: Vec<usize>,
            details: Vec<String>,
        }
        #[derive(serde::Serialize)]
        struct ReportOut {
            ok: bool,
            regions: usize,
            checks: Vec<CheckOut>,
            missing: Vec<String>,
        }
        let out = ReportOut {
            ok: report.ok(),
            regions: file.regions.len(),
            checks: report
                .checks
                .iter()
                .map(|c| {
                    let mut regions: Vec<usize> = c.failures.iter().filter_map(|f| f.region).collect();
                    regions.dedup();
                    CheckOut {
                        name: c.name,
                        ok: c.failures.is_empty(),
                        regions,
                        details: c.failures.iter().map(|f| failure_text(f)).collect(),
                    }
                })
                .collect(),
            missing: missing.clone(),
        };
        write_out(Path::new("-"), &formats::to_json_text(&out))?;
    } else {
        let mut t = format!(
            "verify    {} ({} regions) against {} on {}\n",
            a.regions.display(),
            file.regions.len(),
            a.net.display(),
            domain.describe()
        );
        for c in &report.checks {
            if c.failures.is_empty() {
                t += &format!("ok        {:<17} {}\n", c.name, c.description);
            } else {
                let mut regions: Vec<usize> = c.failures.iter().filter_map(|f| f.region).collect();
                regions.dedup();
                let ids: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
                t += &format!("FAILED    {:<17} {} (regions: {})\n", c.name, c.description, ids.join(", "));
                for f in c.failures.iter().take(10) {
                    t += &format!("            {}\n", failure_text(f));
                }
                if c.failures.len() > 10 {
                    t += &format!("            ... {} more\n", c.failures.len() - 10);
                }
            }
        }
        if !missing.is_empty() {
            t += &format!(
                "missing   {} regions absent from the file: {}\n",
                missing.len(),
                missing.join(", ")
            );
        }
        let failed = report.checks.iter().filter(|c| !c.failures.is_empty()).count();
        t += &if failed == 0 {
            format!("result    OK: all {} checks hold\n", report.checks.len())
        } else {
            format!("result    FAILED: {failed} of {} checks\n", report.checks.len())
        };
        print!("{t}");
    }
    if report.ok() { Ok(()) } else { Err(anyhow!(CheckFailed)) }
}

fn cmd_compare(a: CompareArgs) -> Result<()> {
    use linregions::compare::{self, PointIssue, RegionIssue, Spurious};
    let (net, _) = load_sliced(&a.net, &a.domain)?;
    let d = net.input_dim();
    let (domain, _) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    if !(a.rtol.is_finite() && a.rtol >= 0.0) {
        return Err(bad("--rtol must be a finite non-negative number"));
    }
    let text = read(&a.other)?;
    let in_file = |e: formats::WireError| bad(format!("{}: {e}", a.other.display()));
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

fn cmd_stats(a: StatsArgs) -> Result<()> {
    use linregions::properties::{properties, summarize};
    let mut inputs = domain_inputs(&a.domain);
    inputs.extend(a.nets.iter().map(PathBuf::as_path));
    inputs.extend(a.points.iter().map(PathBuf::as_path));
    no_clobber(&inputs, &[("--csv", a.csv.as_ref()), ("--json", a.json.as_ref())])?;
    if a.nets.len() > 1 && (a.csv.is_some() || a.json.is_some()) {
        return Err(bad("--csv and --json take one network; run stats once per network"));
    }
    if !a.names.is_empty() && a.names.len() != a.nets.len() {
        return Err(bad(format!("--names has {} names for {} networks", a.names.len(), a.nets.len())));
    }
    let mut names = Vec::new();
    let mut summaries = Vec::new();
    let mut domain_text = String::new();
    for (i, path) in a.nets.iter().enumerate() {
        let (net, _) = load_sliced(path, &a.domain)?;
        let d = net.input_dim();
        let (domain, defaulted) = load_domain(&a.domain, d, false)?;
        check_domain(&domain, d, &a.domain)?;
        domain_text = domain.describe() + if defaulted { " (default)" } else { "" };
        let e = linregions::enumerate(&net, &domain, &Options::default()).map_err(|e| anyhow!(e))?;
        let (props, edges) = properties(&net, &e);
        // Points: the region of each (lexicographic rule on boundaries).
        let points = match &a.points {
            None => None,
            Some(p) => {
                let rows = formats::parse_data_csv(&read(p)?, d)
                    .map_err(|e| bad(format!("{}: {e}", p.display())))?;
                let ids: std::collections::BTreeMap<&linregions::Pattern, usize> =
                    e.regions.iter().map(|r| (&r.pattern, r.id)).collect();
                let mut located = Vec::new();
                for (k, (x, label)) in rows.into_iter().enumerate() {
                    let pat = pattern_at(&net, &x).0;
                    let id = *ids.get(&pat).ok_or_else(|| {
                        bad(format!(
                            "{}: point {k} lies outside the domain {}",
                            p.display(),
                            domain.describe()
                        ))
                    })?;
                    located.push((x, label, id));
                }
                Some(located)
            }
        };
        let selected: Option<Vec<usize>> = points.as_ref().map(|pts| {
            let mut v: Vec<usize> = pts.iter().map(|(_, _, id)| *id).collect();
            v.sort();
            v.dedup();
            v
        });
        let summary = summarize(&props, &e, selected.as_deref());
        if let Some(out) = &a.csv {
            let mut t = String::new();
            match &points {
                None => {
                    t += formats::STATS_CSV_HEADER;
                    t.push('\n');
                    for p in &props {
                        t += &formats::stats_csv_row(&net, &e, p);
                        t.push('\n');
                    }
                }
                Some(pts) => {
                    let coords: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
                    t += &format!("point,{},label,{}\n", coords.join(","), formats::STATS_CSV_HEADER);
                    for (k, (x, label, id)) in pts.iter().enumerate() {
                        let xs: Vec<String> = x.iter().map(fmt_q).collect();
                        t += &format!(
                            "{k},{},{},{}\n",
                            xs.join(","),
                            label.clone().unwrap_or_default(),
                            formats::stats_csv_row(&net, &e, &props[*id])
                        );
                    }
                }
            }
            write_out(out, &t)?;
        }
        if let Some(out) = &a.json {
            #[derive(serde::Serialize)]
            struct EdgeOut {
                a: usize,
                b: usize,
                grad_cos: Option<f64>,
                rel_change: Option<f64>,
                hamming: usize,
            }
            #[derive(serde::Serialize)]
            struct PointOut {
                point: Vec<String>,
                label: Option<String>,
                region: usize,
            }
            #[derive(serde::Serialize)]
            struct StatsOut {
                format: &'static str,
                summary: linregions::properties::StudySummary,
                summary_markdown: String,
                regions: Vec<formats::PropsOut>,
                edges: Vec<EdgeOut>,
                #[serde(skip_serializing_if = "Option::is_none")]
                points: Option<Vec<PointOut>>,
            }
            let doc = StatsOut {
                format: "linregions.stats/1",
                summary: summary.clone(),
                summary_markdown: formats::summary_markdown(
                    &["value".to_string()],
                    std::slice::from_ref(&summary),
                ),
                regions: props.iter().map(|p| formats::props_out(&net, &e, p)).collect(),
                edges: edges
                    .iter()
                    .map(|x| EdgeOut {
                        a: x.a,
                        b: x.b,
                        grad_cos: x.grad_cos,
                        rel_change: x.rel_change,
                        hamming: x.hamming,
                    })
                    .collect(),
                points: points.as_ref().map(|pts| {
                    pts.iter()
                        .map(|(x, label, id)| PointOut {
                            point: x.iter().map(fmt_q).collect(),
                            label: label.clone(),
                            region: *id,
                        })
                        .collect()
                }),
            };
            write_out(out, &formats::to_json_text(&doc))?;
        }
        names.push(match a.names.get(i) {
            Some(n) => n.clone(),
            None => path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        });
        summaries.push(summary);
    }
    let scope = if a.points.is_some() { "regions containing the data points" } else { "all regions" };
    let text = format!("Domain {domain_text}, {scope}.\n\n{}", formats::summary_markdown(&names, &summaries));
    if [&a.csv, &a.json].iter().any(|p| p.as_deref() == Some(Path::new("-"))) {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    Ok(())
}

fn cmd_train(a: TrainArgs) -> Result<()> {
    use linregions::train;
    no_clobber(&[], &[("--output", Some(&a.output)), ("--data-out", a.data_out.as_ref())])?;
    let data = train::dataset(&a.data, a.samples, a.seed).ok_or_else(|| {
        bad(format!("--data {}: unknown data set (one of {})", a.data, train::DATASETS.join(", ")))
    })?;
    if a.samples < 2 || a.hidden.is_empty() || a.hidden.contains(&0) || a.epochs == 0 || a.batch == 0 {
        return Err(bad("--samples >= 2, --hidden positive widths, --epochs and --batch positive"));
    }
    if !(0.0..1.0).contains(&a.dropout)
        || !(a.lr > 0.0 && a.lr.is_finite())
        || !(a.wd >= 0.0 && a.wd.is_finite())
    {
        return Err(bad("--dropout in [0, 1), --lr > 0 and --wd >= 0"));
    }
    let cfg = train::TrainConfig {
        hidden: a.hidden.clone(),
        batch_norm: a.bn,
        dropout: a.dropout,
        weight_decay: a.wd,
        adam: a.optimizer == "adam",
        lr: a.lr,
        epochs: a.epochs,
        batch: a.batch,
        seed: a.seed,
    };
    let (mlp, acc) = train::train(&data, &cfg);
    let net = train::export(&mlp);
    write_out(&a.output, &formats::network_to_json(&net))?;
    if let Some(p) = &a.data_out {
        write_out(p, &train::dataset_csv(&data))?;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &data.x {
        for j in 0..2 {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    let msg = format!(
        "trained   {} on {} ({} points), train accuracy {:.4}\ndata box  [{:.3},{:.3}]x[{:.3},{:.3}]\n",
        net.shape_string(),
        a.data,
        data.x.len(),
        acc,
        lo[0],
        hi[0],
        lo[1],
        hi[1]
    );
    if a.output == Path::new("-") {
        eprint!("{msg}")
    } else {
        print!("{msg}")
    }
    Ok(())
}

/// The widest picture `render` draws (a PNG of 16,384² pixels is 1 GiB of RGBA).
const MAX_WIDTH: f64 = 16384.0;

fn cmd_render(a: RenderArgs) -> Result<()> {
    use linregions::render::{ColorBy, RenderOptions, render_svg};
    let mut inputs = domain_inputs(&a.domain);
    inputs.push(&a.net);
    no_clobber(&inputs, &[("--output", Some(&a.output))])?;
    let (net, _) = load_sliced(&a.net, &a.domain)?;
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
    let (domain, _) = load_domain(&a.domain, d, false)?;
    check_domain(&domain, d, &a.domain)?;
    let e = linregions::enumerate(&net, &domain, &Options::default()).map_err(|e| anyhow!(e))?;
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
    };
    let svg = render_svg(&net, &e, &props, &opts).map_err(|e| bad(format!("{}: {e}", a.net.display())))?;
    if a.output.extension().is_some_and(|x| x.eq_ignore_ascii_case("png")) {
        let png = linregions::render::svg_to_png(&svg).map_err(|e| anyhow!(e))?;
        write_with(&a.output, |w| w.write_all(&png).and_then(|_| w.flush()))
    } else {
        write_out(&a.output, &svg)
    }
}

fn failure_text(f: &linregions::verify::Failure) -> String {
    match f.region {
        Some(r) => format!("region {r}: {}", f.detail),
        None => f.detail.clone(),
    }
}

/// A check failed (exit code 1), already reported.
#[derive(Debug)]
struct CheckFailed;
impl std::fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("check failed")
    }
}
impl std::error::Error for CheckFailed {}

fn cmd_random(a: RandomArgs) -> Result<()> {
    if a.dims.len() < 2 || a.dims.contains(&0) {
        return Err(bad("--dims needs at least two positive widths (input and output)"));
    }
    if !(a.bias_std.is_finite() && a.bias_std >= 0.0) {
        return Err(bad("--bias-std must be a finite non-negative number"));
    }
    let net = linregions::random::gaussian_net(&a.dims, a.seed, a.bias_std);
    let text = formats::network_to_json(&net);
    write_out(a.output.as_deref().unwrap_or(Path::new("-")), &text)
}

/// mimalloc's `purge_delay` option: how long freed memory waits before it is returned to the
/// OS (-1: never).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Never return freed memory to the OS while running: the walk and the mesh free and
    // reallocate BigInts and rows all the time, and re-faulting purged pages cost 40% of a
    // 2-64-64-1 partition (BENCHMARKS.md). The peak memory is unchanged.
    // SAFETY: sets a plain option of the global allocator before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = Cli::parse();
    let _ = IMPORT.set((cli.arch.clone(), cli.bn_eps));
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global()
    {
        eprintln!("error: --threads {n}: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.cmd {
        Cmd::Enumerate(a) => cmd_enumerate(a),
        Cmd::Partition(a) => cmd_partition(a),
        Cmd::Inspect(a) => cmd_inspect(a),
        Cmd::Random(a) => cmd_random(a),
        Cmd::Verify(a) => cmd_verify(a),
        Cmd::Compare(a) => cmd_compare(a),
        Cmd::Stats(a) => cmd_stats(a),
        Cmd::Train(a) => cmd_train(a),
        Cmd::Render(a) => cmd_render(a),
        Cmd::Convert { input, output } => no_clobber(&[&input], &[("--output", Some(&output))])
            .and_then(|_| load_network(&input))
            .and_then(|net| write_out(&output, &formats::network_to_json(&net))),
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "linregions", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<CheckFailed>().is_some() => ExitCode::from(1),
        // The reader of standard output went away (`| head`): stop quietly, as Unix tools do.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<BadInput>().is_some() { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}
