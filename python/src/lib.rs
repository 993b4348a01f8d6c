//! `linregions._native`: the few entry points the Python package (`python/linregions/`)
//! wraps. Networks, domains and results cross the boundary as the documented JSON formats
//! (exact rationals as strings), so Python sees exactly what the CLI writes; errors are
//! `LinregionsError` with the CLI's messages. The GIL is released while regions are computed.

use linregions::formats;
use linregions::import::{ReadOptions, Tensor, parse_arch, read_network as read_any, sequential_mapped};
use linregions::num::from_f64_exact;
use linregions::{Domain, Network, Options};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::Path;

create_exception!(_native, LinregionsError, PyValueError, "Bad input: the message names what is wrong.");

fn bad(msg: impl Into<String>) -> PyErr {
    LinregionsError::new_err(msg.into())
}

fn options(arch: Option<&str>, bn_eps: f64) -> PyResult<ReadOptions> {
    let arch = arch.map(parse_arch).transpose().map_err(|e| bad(format!("--arch: {e}")))?;
    let bn_eps = from_f64_exact(bn_eps)
        .filter(|e| *e >= linregions::Q::from_integer(0.into()))
        .ok_or_else(|| bad("bn_eps must be a finite non-negative number"))?;
    Ok(ReadOptions { arch, bn_eps })
}

fn net_of(json: &str) -> PyResult<Network> {
    formats::parse_network(json).map_err(|e| bad(format!("network: {e}")))
}

/// The domain: a box in `--box` syntax, a polytope as a domain file's JSON, or the whole
/// space; the default box `[-1, 1]^d` when none is given.
fn domain_of(net: &Network, bx: Option<&str>, polytope: Option<&str>, unbounded: bool) -> PyResult<Domain> {
    let d = net.input_dim();
    let dom = match (bx, polytope, unbounded) {
        (Some(spec), None, false) => {
            formats::parse_box(spec, d).map_err(|e| bad(format!("box {spec}: {e}")))?
        }
        (None, Some(text), false) => formats::parse_domain(text).map_err(|e| bad(format!("domain: {e}")))?,
        (None, None, true) => Domain::Whole { dim: d },
        (None, None, false) => Domain::default_box(d),
        _ => return Err(bad("give at most one of box, domain and unbounded=True")),
    };
    dom.validate(d).map_err(|e| bad(format!("domain: {e}")))?;
    Ok(dom)
}

/// Read a network file of any accepted format (by content); returns the exact network as
/// JSON and the notes the CLI prints (the module mapping, a checkpoint key).
#[pyfunction]
#[pyo3(signature = (path, arch=None, bn_eps=1e-5))]
fn read_network(path: &str, arch: Option<&str>, bn_eps: f64) -> PyResult<(String, Vec<String>)> {
    let p = Path::new(path);
    let bytes = std::fs::read(p).map_err(|e| bad(format!("{path}: cannot read: {e}")))?;
    let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut load = |loc: &str| std::fs::read(dir.join(loc)).map_err(|e| format!("cannot read: {e}"));
    let read =
        read_any(&bytes, &options(arch, bn_eps)?, &mut load).map_err(|e| bad(format!("{path}: {e}")))?;
    Ok((formats::network_to_json(&read.network), read.notes))
}

/// A network from named float tensors (a module's parameters at their exact binary values)
/// and an architecture spec with `linear@NAME` / `bn@NAME` items.
#[pyfunction]
#[pyo3(signature = (tensors, arch, bn_eps=1e-5))]
fn network_from_tensors(
    tensors: Vec<(String, Vec<usize>, Vec<f64>)>,
    arch: &str,
    bn_eps: f64,
) -> PyResult<String> {
    let opts = options(Some(arch), bn_eps)?;
    let tensors = tensors
        .into_iter()
        .map(|(name, shape, values)| {
            let values = values
                .into_iter()
                .map(|x| from_f64_exact(x).ok_or_else(|| bad(format!("{name}: holds NaN or infinity"))))
                .collect::<PyResult<Vec<_>>>()?;
            Ok((name, Tensor { shape, values }))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let m = sequential_mapped(&tensors, None, opts.arch.as_deref(), &opts.bn_eps)
        .map_err(|e| bad(e.to_string()))?;
    Ok(formats::network_to_json(&m.network))
}

/// Check a network JSON document; returns it in the canonical form.
#[pyfunction]
fn parse_network(text: &str) -> PyResult<String> {
    Ok(formats::network_to_json(&net_of(text)?))
}

/// Every region of the domain, as a regions document (`linregions.regions/1`).
#[pyfunction]
#[pyo3(signature = (net, r#box=None, domain=None, unbounded=false, volumes=false, max_regions=None, time_limit=None))]
#[allow(clippy::too_many_arguments)]
fn enumerate(
    py: Python<'_>,
    net: &str,
    r#box: Option<&str>,
    domain: Option<&str>,
    unbounded: bool,
    volumes: bool,
    max_regions: Option<usize>,
    time_limit: Option<f64>,
) -> PyResult<String> {
    let net = net_of(net)?;
    let dom = domain_of(&net, r#box, domain, unbounded)?;
    if max_regions == Some(0) {
        return Err(bad("max_regions must be at least 1"));
    }
    let deadline = match time_limit {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
            Some(std::time::Instant::now() + std::time::Duration::from_secs_f64(s))
        }
        Some(s) => return Err(bad(format!("time_limit {s}: expected a positive number of seconds"))),
    };
    let out: Result<Vec<u8>, String> = py.detach(|| {
        let opts = Options::default().volumes(volumes).max_regions(max_regions).deadline(deadline);
        let e = linregions::enumerate(&net, &dom, &opts).map_err(|e| format!("domain: {e}"))?;
        let mut buf = Vec::new();
        formats::write_regions_json(&mut buf, &net, &dom, &e, None, None).map_err(|e| e.to_string())?;
        Ok(buf)
    });
    String::from_utf8(out.map_err(bad)?).map_err(|e| bad(e.to_string()))
}

/// Check a regions document independently: (all checks hold, text report, JSON report).
#[pyfunction]
fn verify(py: Python<'_>, net: &str, regions: &str) -> PyResult<(bool, String, String)> {
    let net = net_of(net)?;
    let file = formats::parse_regions(regions).map_err(|e| bad(format!("regions: {e}")))?;
    let domain = file.domain.clone().ok_or_else(|| bad("regions: no domain recorded"))?;
    let report = py
        .detach(|| linregions::verify_slice(&net, &domain, &file, None))
        .map_err(|e| bad(format!("domain: {e}")))?;
    let header = format!("{} regions on {}", file.regions.len(), domain.describe());
    Ok((
        report.ok(),
        formats::verify_text(&net, &report, &header),
        formats::verify_json(&net, &report, file.regions.len()),
    ))
}

/// The region at a point (`--point` syntax), as `inspect --json` writes it.
#[pyfunction]
#[pyo3(signature = (net, point, r#box=None, domain=None))]
fn inspect(
    py: Python<'_>,
    net: &str,
    point: &str,
    r#box: Option<&str>,
    domain: Option<&str>,
) -> PyResult<String> {
    let net = net_of(net)?;
    let p = formats::parse_point(point, net.input_dim()).map_err(|e| bad(format!("point {point}: {e}")))?;
    let dom = match (r#box, domain) {
        (None, None) => Domain::Whole { dim: net.input_dim() },
        (b, d) => domain_of(&net, b, d, false)?,
    };
    let found = py
        .detach(|| linregions::analyze_point(&net, &dom, &p, &Options::default()))
        .map_err(|e| bad(format!("point {point}: {e}")))?;
    Ok(formats::inspect_json(&net, &p, &found.vanishing, &found.region))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LinregionsError", m.py().get_type::<LinregionsError>())?;
    m.add_function(wrap_pyfunction!(read_network, m)?)?;
    m.add_function(wrap_pyfunction!(network_from_tensors, m)?)?;
    m.add_function(wrap_pyfunction!(parse_network, m)?)?;
    m.add_function(wrap_pyfunction!(enumerate, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    Ok(())
}
