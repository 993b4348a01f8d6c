//! Networks from PyTorch: safetensors files of an `nn.Sequential` of Linear / ReLU /
//! LeakyReLU / BatchNorm1d / Dropout / Identity. Bytes in, exact [`Network`] out (no file
//! access here).
//!
//! Every stored float (f64, f32, f16, bf16) is taken at its exact binary value. Batch norm is
//! folded into the preceding dense layer with its scale `gamma / sqrt(running_var + eps)`
//! rounded to the nearest double (decided with certified bounds); everything after that is
//! exact.

use crate::arith::num::{Q, from_f64_exact, sqrt_bounds, to_f64};
use crate::network::{Dense, LayerSpec, Network};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Why a weights file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The tensor or module concerned, if any.
    pub what: Option<String>,
    pub problem: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            Some(w) => write!(f, "{w}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

impl std::error::Error for ImportError {}

fn err(what: Option<&str>, problem: impl Into<String>) -> ImportError {
    ImportError { what: what.map(str::to_string), problem: problem.into() }
}

/// One tensor: shape and exact values (row-major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub values: Vec<Q>,
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0f32 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let man = (h & 0x3ff) as f32;
    match exp {
        0 => sign * man * 2f32.powi(-24),
        31 => {
            if man == 0.0 {
                sign * f32::INFINITY
            } else {
                f32::NAN
            }
        }
        _ => sign * (1.0 + man / 1024.0) * 2f32.powi(exp - 15),
    }
}

/// Parse a safetensors file: its tensors by name (integer tensors such as
/// `num_batches_tracked` are skipped).
///
/// ```
/// use linregions::import::{parse_arch, read_safetensors, sequential};
/// use linregions::Q;
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/torch/mlp.safetensors"));
/// let tensors = read_safetensors(bytes).unwrap();
/// // The activations between the Linear layers are not in the file: say which (never guessed).
/// let arch = parse_arch("linear,relu,linear").unwrap();
/// let net = sequential(&tensors, None, Some(&arch), &Q::from_integer(0.into())).unwrap();
/// assert_eq!(net.input_dim(), 2);
/// ```
pub fn read_safetensors(bytes: &[u8]) -> Result<BTreeMap<String, Tensor>, ImportError> {
    if bytes.len() < 8 {
        return Err(err(None, "not a safetensors file (shorter than its 8-byte header length)"));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header =
        bytes.get(8..8usize.saturating_add(n)).ok_or_else(|| err(None, "header length exceeds the file"))?;
    let doc: Value =
        serde_json::from_slice(header).map_err(|e| err(None, format!("header is not JSON: {e}")))?;
    if let Some((key, _, col)) = std::str::from_utf8(header).ok().and_then(crate::formats::duplicate_key) {
        return Err(err(None, format!("header: duplicate key `{key}` at byte {col} (every tensor once)")));
    }
    let obj = doc.as_object().ok_or_else(|| err(None, "header is not a JSON object"))?;
    let data = &bytes[8 + n..];
    let mut out = BTreeMap::new();
    for (name, info) in obj {
        if name == "__metadata__" {
            continue;
        }
        let dtype = info.get("dtype").and_then(Value::as_str).ok_or_else(|| err(Some(name), "no dtype"))?;
        let shape: Vec<usize> = info
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| err(Some(name), "no shape"))?
            .iter()
            .map(|v| v.as_u64().map(|x| x as usize).ok_or_else(|| err(Some(name), "bad shape")))
            .collect::<Result<_, _>>()?;
        let offs = info
            .get("data_offsets")
            .and_then(Value::as_array)
            .ok_or_else(|| err(Some(name), "no data_offsets"))?;
        let (a, b) = match (offs.first().and_then(Value::as_u64), offs.get(1).and_then(Value::as_u64)) {
            (Some(a), Some(b)) if a <= b && (b as usize) <= data.len() => (a as usize, b as usize),
            _ => return Err(err(Some(name), "data_offsets outside the file")),
        };
        let raw = &data[a..b];
        let count: usize = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(|| {
            err(Some(name), format!("shape {shape:?} has more elements than memory can address"))
        })?;
        let width = match dtype {
            "F64" => 8,
            "F32" => 4,
            "F16" | "BF16" => 2,
            "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL" => continue,
            other => return Err(err(Some(name), format!("unsupported dtype {other}"))),
        };
        if raw.len() != count * width {
            return Err(err(Some(name), format!("{} bytes for {count} values of {dtype}", raw.len())));
        }
        let values = raw
            .chunks_exact(width)
            .map(|c| {
                let x = match dtype {
                    "F64" => f64::from_le_bytes(c.try_into().expect("8")),
                    "F32" => f32::from_le_bytes(c.try_into().expect("4")) as f64,
                    "F16" => f16_to_f32(u16::from_le_bytes(c.try_into().expect("2"))) as f64,
                    _ => f32::from_bits((u16::from_le_bytes(c.try_into().expect("2")) as u32) << 16) as f64,
                };
                from_f64_exact(x).ok_or_else(|| err(Some(name), "holds NaN or infinity"))
            })
            .collect::<Result<Vec<Q>, _>>()?;
        out.insert(name.clone(), Tensor { shape, values });
    }
    Ok(out)
}

/// One item of an architecture spec (`--arch "linear,bn,relu,dropout,linear"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchItem {
    Linear,
    BatchNorm,
    Relu,
    LeakyRelu(Q),
    /// Dropout or Identity: no effect at inference.
    Identity,
}

/// Parse `--arch`: comma-separated `linear`, `bn`, `relu`, `leaky_relu:SLOPE`, `dropout`,
/// `identity`.
pub fn parse_arch(spec: &str) -> Result<Vec<ArchItem>, ImportError> {
    spec.split(',')
        .map(|s| {
            let s = s.trim();
            Ok(match s {
                "linear" => ArchItem::Linear,
                "bn" | "batchnorm" => ArchItem::BatchNorm,
                "relu" => ArchItem::Relu,
                "dropout" | "identity" => ArchItem::Identity,
                _ => match s.strip_prefix("leaky_relu:") {
                    Some(x) => ArchItem::LeakyRelu(
                        crate::arith::num::parse_rational(x)
                            .map_err(|e| err(Some(s), format!("slope: {e}")))?,
                    ),
                    None if s == "leaky_relu" => ArchItem::LeakyRelu(Q::new(1.into(), 100.into())),
                    None => {
                        return Err(err(
                            Some(s),
                            "unknown item (linear, bn, relu, leaky_relu:S, dropout, identity)",
                        ));
                    }
                },
            })
        })
        .collect()
}

/// Module prefix and position of a tensor name: `net.2.weight` -> (`net.2`, 2).
fn module_of(name: &str) -> Option<(String, u64, String)> {
    let (prefix, field) = name.rsplit_once('.')?;
    let index = prefix.rsplit('.').next()?.parse::<u64>().ok()?;
    Some((prefix.to_string(), index, field.to_string()))
}

/// The double nearest to every real in `[lo, hi]`, if one double is nearest to all of them:
/// checked exactly against the midpoints to its neighbours (ties excluded), so the answer does
/// not rely on how `to_f64` rounds.
fn nearest_f64(lo: &Q, hi: &Q) -> Option<f64> {
    let guess = to_f64(lo);
    for f in [guess.next_down(), guess, guess.next_up()] {
        let (Some(fq), Some(down), Some(up)) =
            (from_f64_exact(f), from_f64_exact(f.next_down()), from_f64_exact(f.next_up()))
        else {
            continue;
        };
        let two = Q::from_integer(2.into());
        let (m1, m2) = ((&down + &fq) / &two, (&fq + &up) / &two);
        if m1 < *lo && *hi < m2 {
            return Some(f);
        }
    }
    None
}

/// `gamma / sqrt(var + eps)` rounded to the nearest double, decided from certified bounds.
pub fn bn_scale(gamma: &Q, var: &Q, eps: &Q) -> Result<Q, ImportError> {
    let q = var + eps;
    if q <= Q::from_integer(0.into()) {
        return Err(err(None, "running_var + eps is not positive"));
    }
    let mut bits = 80;
    loop {
        let (lo, hi) = sqrt_bounds(&q, bits);
        // gamma / sqrt(q) lies between gamma/hi and gamma/lo (ordered by gamma's sign).
        let (a, b) = (gamma / &hi, gamma / &lo);
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if let Some(f) = nearest_f64(&a, &b) {
            return from_f64_exact(f).ok_or_else(|| err(None, "batch norm scale overflows"));
        }
        if bits > 4000 {
            return Err(err(None, "batch norm scale sits on a tie between two doubles"));
        }
        bits *= 2;
    }
}

/// Build the network of an `nn.Sequential` from its tensors. Modules with parameters are
/// recognised from their tensors (2D `weight` = Linear, `running_mean` = BatchNorm1d); the
/// parameter-free modules between them (the missing indices) are not, so a file that has
/// any needs `arch` (the error suggests one): an activation is never guessed.
pub fn sequential(
    tensors: &BTreeMap<String, Tensor>,
    input_dim: Option<usize>,
    arch: Option<&[ArchItem]>,
    bn_eps: &Q,
) -> Result<Network, ImportError> {
    // Modules in index order.
    let mut modules: BTreeMap<u64, (String, BTreeMap<String, &Tensor>)> = BTreeMap::new();
    for (name, t) in tensors {
        let (prefix, index, field) =
            module_of(name).ok_or_else(|| err(Some(name), "tensor name is not `<module index>.<field>`"))?;
        let entry = modules.entry(index).or_insert_with(|| (prefix.clone(), BTreeMap::new()));
        if entry.0 != prefix {
            return Err(err(
                Some(name),
                format!("index {index} used by two modules ({} and {prefix})", entry.0),
            ));
        }
        entry.1.insert(field, t);
    }
    // The module sequence with parameter-free gaps.
    let mut seq: Vec<(Option<u64>, ArchItem)> = Vec::new();
    let mut last: Option<u64> = None;
    for (&index, (prefix, fields)) in &modules {
        let kind = if fields.contains_key("running_mean") {
            ArchItem::BatchNorm
        } else if fields.get("weight").is_some_and(|w| w.shape.len() == 2) {
            ArchItem::Linear
        } else {
            return Err(err(
                Some(prefix),
                "neither a Linear (2D weight) nor a BatchNorm1d (running_mean) module",
            ));
        };
        let gap = match last {
            Some(l) => index - l - 1,
            None => index,
        };
        for _ in 0..gap {
            seq.push((None, ArchItem::Relu));
        }
        seq.push((Some(index), kind));
        last = Some(index);
    }
    // The tensors say where the parameter-free modules are, not what they are (ReLU,
    // LeakyReLU and its slope, Dropout, Identity): never guess an activation.
    if arch.is_none() && seq.iter().any(|(i, _)| i.is_none()) {
        let items: Vec<&str> = seq
            .iter()
            .map(|(i, k)| match (i, k) {
                (None, _) => "relu",
                (_, ArchItem::BatchNorm) => "bn",
                _ => "linear",
            })
            .collect();
        let at: Vec<String> = seq
            .iter()
            .enumerate()
            .filter(|(_, (i, _))| i.is_none())
            .map(|(pos, _)| {
                // "net.0" -> "net" (a top-level Sequential's modules are "0", "1", ...).
                let prefix =
                    modules.values().next().and_then(|(p, _)| p.rsplit_once('.')).map_or("", |(p, _)| p);
                if prefix.is_empty() { format!("module {pos}") } else { format!("{prefix}.{pos}") }
            })
            .collect();
        return Err(err(
            None,
            format!(
                "the tensors do not say which activation (ReLU, LeakyReLU, Dropout, ...) sits at {}: \
                 give the architecture, e.g. --arch {} (leaky_relu:SLOPE for a LeakyReLU, dropout or identity \
                 for no activation)",
                at.join(", "),
                items.join(",")
            ),
        ));
    }
    if let Some(arch) = arch {
        let with_params: Vec<u64> = seq.iter().filter_map(|(i, _)| *i).collect();
        let wanted = arch.iter().filter(|a| matches!(a, ArchItem::Linear | ArchItem::BatchNorm)).count();
        if wanted != with_params.len() {
            return Err(err(
                None,
                format!("--arch names {wanted} linear/bn modules but the file has {}", with_params.len()),
            ));
        }
        let mut it = with_params.into_iter();
        seq = arch
            .iter()
            .map(|a| match a {
                ArchItem::Linear | ArchItem::BatchNorm => (it.next(), a.clone()),
                other => (None, other.clone()),
            })
            .collect();
        for (i, a) in &seq {
            if let Some(i) = i {
                let is_bn = modules[i].1.contains_key("running_mean");
                if is_bn != (*a == ArchItem::BatchNorm) {
                    return Err(err(Some(&modules[i].0), format!("--arch says {a:?} here")));
                }
            }
        }
    }
    let mut layers: Vec<LayerSpec> = Vec::new();
    let mut width = input_dim;
    for (index, item) in seq {
        match item {
            ArchItem::Linear => {
                let (prefix, fields) = &modules[&index.expect("linear has tensors")];
                let w = fields.get("weight").filter(|w| w.shape.len() == 2).ok_or_else(|| {
                    err(Some(prefix), "--arch says linear, but the module has no 2D weight")
                })?;
                let (out, inp) = (w.shape[0], w.shape[1]);
                if out == 0 || inp == 0 {
                    return Err(err(
                        Some(prefix),
                        format!("weight of shape {:?}: a zero-size dimension", w.shape),
                    ));
                }
                if width.is_some_and(|wd| wd != inp) {
                    return Err(err(
                        Some(prefix),
                        format!("weight has {inp} inputs, the previous layer gives {}", width.unwrap_or(0)),
                    ));
                }
                let weight = w.values.chunks(inp).map(|r| r.to_vec()).collect();
                let bias = match fields.get("bias") {
                    Some(b) if b.values.len() == out => b.values.clone(),
                    Some(_) => return Err(err(Some(prefix), "bias length differs from the weight's rows")),
                    None => vec![Q::from_integer(0.into()); out],
                };
                layers.push(LayerSpec::Dense(Dense { weight, bias }));
                width = Some(out);
            }
            ArchItem::BatchNorm => {
                let (prefix, fields) = &modules[&index.expect("bn has tensors")];
                let get = |k: &str| {
                    fields.get(k).map(|t| &t.values).ok_or_else(|| err(Some(prefix), format!("no {k}")))
                };
                let (gamma, beta, mean, var) =
                    (get("weight")?, get("bias")?, get("running_mean")?, get("running_var")?);
                let Some(LayerSpec::Dense(dense)) = layers.last_mut() else {
                    return Err(err(Some(prefix), "batch norm must follow a linear layer to be folded"));
                };
                if gamma.len() != dense.bias.len() || [beta, mean, var].iter().any(|v| v.len() != gamma.len())
                {
                    return Err(err(Some(prefix), "sizes differ from the preceding linear layer"));
                }
                for o in 0..gamma.len() {
                    let s = bn_scale(&gamma[o], &var[o], bn_eps).map_err(|e| err(Some(prefix), e.problem))?;
                    for v in dense.weight[o].iter_mut() {
                        *v = &*v * &s;
                    }
                    dense.bias[o] = (&dense.bias[o] - &mean[o]) * &s + &beta[o];
                }
            }
            ArchItem::Relu => layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) }),
            ArchItem::LeakyRelu(s) => layers.push(LayerSpec::Activation { slope: s }),
            ArchItem::Identity => {}
        }
    }
    let input = match (input_dim, layers.first()) {
        (Some(d), _) => d,
        (None, Some(LayerSpec::Dense(d))) => d.weight.first().map_or(0, |r| r.len()),
        _ => return Err(err(None, "no linear layer")),
    };
    Network::from_layers(input, layers).map_err(|e| err(None, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_are_exact() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333251953125);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }

    #[test]
    fn bn_scale_is_the_nearest_double() {
        let q = |n: i64, d: i64| Q::new(n.into(), d.into());
        // gamma = 1, var + eps = 4: exactly 1/2.
        assert_eq!(bn_scale(&q(1, 1), &q(4, 1), &q(0, 1)).unwrap(), q(1, 2));
        // 1/sqrt(2): the nearest double.
        let s = bn_scale(&q(1, 1), &q(2, 1), &q(0, 1)).unwrap();
        assert_eq!(to_f64(&s), std::f64::consts::FRAC_1_SQRT_2);
    }

    #[test]
    fn arch_spec() {
        assert_eq!(
            parse_arch("linear, bn, relu, dropout, leaky_relu:0.1, linear").unwrap(),
            vec![
                ArchItem::Linear,
                ArchItem::BatchNorm,
                ArchItem::Relu,
                ArchItem::Identity,
                ArchItem::LeakyRelu(Q::new(1.into(), 10.into())),
                ArchItem::Linear
            ]
        );
        assert!(parse_arch("linear,conv").is_err());
    }
}
