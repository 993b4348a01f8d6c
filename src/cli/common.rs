//! What every command shares: the domain options, reading inputs (networks in every
//! format, domains, plane slices) and writing outputs (atomically, never over an input),
//! and the two kinds of error that set the exit code.

use super::*;

#[derive(Args)]
pub(crate) struct DomainArgs {
    /// Box domain: LO:HI for every coordinate, or LO:HI,LO:HI,... per coordinate
    /// (rationals, e.g. --box=-1:1 or --box -1/2:3,0:1). Default for enumerate: -1:1.
    #[arg(long = "box", value_name = "SPEC", allow_hyphen_values = true, conflicts_with_all = ["domain", "unbounded"])]
    pub(crate) box_spec: Option<String>,
    /// Polytope domain from a JSON file {"a": [[...], ...], "b": [...]} meaning a·x <= b.
    #[arg(long, value_name = "FILE", conflicts_with = "unbounded")]
    pub(crate) domain: Option<PathBuf>,
    /// The whole input space (regions may be unbounded).
    #[arg(long)]
    pub(crate) unbounded: bool,
    /// Slice: the plane through three input points P0, P1, P2 (a CSV or JSON file with 3
    /// rows), in coordinates x = P0 + s(P1-P0) + t(P2-P0); the default domain is the
    /// triangle s, t >= 0, s + t <= 1 (or give --box in (s, t)).
    #[arg(long, value_name = "FILE", conflicts_with = "plane_basis")]
    pub(crate) plane: Option<PathBuf>,
    /// Slice: the plane x = origin + s·u + t·v (a file with the 3 rows origin, u, v); the
    /// domain is a box in (s, t) (default [-1,1]^2).
    #[arg(long, value_name = "FILE")]
    pub(crate) plane_basis: Option<PathBuf>,
}

/// An error caused by the user's input (exit code 2).
#[derive(Debug)]
pub(crate) struct BadInput(String);
impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BadInput {}

pub(crate) fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// Refuses output paths that name an input file or each other, however spelled (`./net.json`,
/// a symlink, a hard link: the same file on disk), before any work: a run must never
/// overwrite its own network or data. `-` (standard output) is never a clash.
pub(crate) fn no_clobber(inputs: &[&Path], outputs: &[(&str, Option<&PathBuf>)]) -> Result<()> {
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
pub(crate) fn domain_inputs(d: &DomainArgs) -> Vec<&Path> {
    [&d.domain, &d.plane, &d.plane_basis].into_iter().flatten().map(PathBuf::as_path).collect()
}

pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))
}

/// How to read PyTorch weight files: the global options `--arch` and `--bn-eps`.
pub(crate) struct Import {
    pub(crate) arch: Option<String>,
    pub(crate) bn_eps: f64,
}

pub(crate) fn load_network(path: &Path, import: &Import) -> Result<Network> {
    use linregions::import::{ReadOptions, parse_arch, read_network};
    let bytes = std::fs::read(path).map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))?;
    let arch = import.arch.as_deref().map(parse_arch).transpose().map_err(|e| bad(format!("--arch: {e}")))?;
    let bn_eps = linregions::num::from_f64_exact(import.bn_eps)
        .filter(|e| !num_traits::Signed::is_negative(e))
        .ok_or_else(|| bad("--bn-eps must be a finite non-negative number"))?;
    // External data: the files beside the model (the reader checks the location is relative).
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut load =
        |location: &str| std::fs::read(dir.join(location)).map_err(|e| format!("cannot read: {e}"));
    let read = read_network(&bytes, &ReadOptions { arch, bn_eps }, &mut load)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?;
    for note in &read.notes {
        eprintln!("{}: {note}", path.display());
    }
    Ok(read.network)
}

/// Load a network and apply a plane slice if asked: returns the (sliced) network and the
/// plane.
pub(crate) fn load_sliced(
    path: &Path,
    args: &DomainArgs,
    import: &Import,
) -> Result<(Network, Option<Plane>)> {
    let net = load_network(path, import)?;
    let Some(file) = args.plane.as_ref().or(args.plane_basis.as_ref()) else { return Ok((net, None)) };
    let pts = formats::parse_three_points(&read(file)?, net.input_dim())
        .map_err(|e| bad(format!("{}: {e}", file.display())))?;
    let plane = if args.plane.is_some() {
        Plane::through(&pts[0], &pts[1], &pts[2])
    } else {
        Plane::from_basis(pts[0].clone(), pts[1].clone(), pts[2].clone())
    };
    let plane =
        plane.ok_or_else(|| bad(format!("{}: the three rows do not span a plane", file.display())))?;
    Ok((net.on_plane(&plane.origin, &plane.u, &plane.v), Some(plane)))
}

pub(crate) fn load_domain(args: &DomainArgs, d: usize, default_whole: bool) -> Result<(Domain, bool)> {
    if args.plane.is_some() && args.box_spec.is_none() && args.domain.is_none() && !args.unbounded {
        return Ok((Domain::unit_triangle(), true));
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

pub(crate) fn check_domain(dom: &Domain, d: usize, args: &DomainArgs) -> Result<()> {
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
pub(crate) fn write_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
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

pub(crate) fn write_out(path: &Path, text: &str) -> Result<()> {
    write_with(path, |w| w.write_all(text.as_bytes()).and_then(|_| w.flush()))
}

pub(crate) fn activation_names(net: &Network) -> String {
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
    if names.is_empty() {
        return "no activations".into();
    }
    let mut text = names.join(", ");
    if net.has_carries() {
        // Values carried past each activation layer (a residual connection, a graph's skip).
        let carried: Vec<String> = net.hidden().iter().map(|h| h.carry.to_string()).collect();
        text.push_str(&format!("; carried past each layer: {}", carried.join(", ")));
    }
    text
}

/// A check failed (exit code 1), already reported.
#[derive(Debug)]
pub(crate) struct CheckFailed;
impl std::fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("check failed")
    }
}
impl std::error::Error for CheckFailed {}

/// A limit stopped the run (exit code 3): what was found is written, marked incomplete.
#[derive(Debug)]
pub(crate) struct Incomplete(pub(crate) String);
impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Incomplete {}

/// A `--time-limit` in seconds as a duration (exit 2 unless positive and finite).
pub(crate) fn time_limit(seconds: Option<f64>) -> Result<Option<std::time::Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(std::time::Duration::from_secs_f64(s))),
        Some(s) => Err(bad(format!("--time-limit {s}: expected a positive number of seconds"))),
    }
}

/// `--max-regions` and `--time-limit`: limits that stop a run and keep what it found.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct LimitArgs {
    /// Stop after N regions (the first N of the walk order, the same for every thread
    /// count): what was found is written with "complete": false, exit code 3.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_regions: Option<u64>,
    /// Stop after this many seconds (decimal): what was found is written with
    /// "complete": false, exit code 3.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) time_limit: Option<f64>,
}

impl LimitArgs {
    /// The options with these limits, the clock starting now.
    pub(crate) fn apply(&self, opts: linregions::Options) -> Result<linregions::Options> {
        let deadline = time_limit(self.time_limit)?.map(|t| Instant::now() + t);
        Ok(opts
            .max_regions(self.max_regions.map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
            .deadline(deadline))
    }

    /// The error (exit 3) for a run a limit stopped after `found` regions.
    pub(crate) fn stopped(&self, found: usize) -> anyhow::Error {
        let why = match (self.max_regions, self.time_limit) {
            (Some(n), _) if found as u64 >= n => format!("--max-regions {n}"),
            (_, Some(t)) => format!("--time-limit {t}"),
            (Some(n), None) => format!("--max-regions {n}"),
            (None, None) => "a limit".into(),
        };
        anyhow!(Incomplete(format!(
            "stopped by {why} after {found} regions: the output is incomplete (\"complete\": false)"
        )))
    }
}

/// Prints a human summary: to standard error when standard output carries a document
/// (`stdout_taken`), else to standard output, so that data on standard output stays clean.
pub(crate) fn say(text: &str, stdout_taken: bool) {
    if stdout_taken {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}

/// Leaves `results` to the OS: the command ends right after, and freeing a kept enumeration
/// or mesh one BigInt at a time (most allocated on other threads) took 5-8% of a 2-64-64-1
/// `enumerate --json` or `partition --json`, after the output was written (BENCHMARKS.md).
pub(crate) fn free_at_exit<T>(results: T) {
    std::mem::forget(results);
}
