//! Networks from PyTorch: safetensors files of a `state_dict`. Bytes in, tensors out (no
//! file access here); [`sequential`](super::sequential) makes the network.
//!
//! Every stored float (f64, f32, f16, bf16) is taken at its exact binary value.

use super::{ImportError, Tensor, f16_to_f32};
use crate::arith::num::{Q, from_f64_exact};
use serde_json::Value;

fn err(what: Option<&str>, problem: impl Into<String>) -> ImportError {
    ImportError { what: what.map(str::to_string), problem: problem.into() }
}

/// Parse a safetensors file: its float tensors by name, in the header's order (integer
/// tensors such as `num_batches_tracked` are skipped). The Python writer sorts the names, so
/// this order is not the model's: [`sequential`](super::sequential) orders an `nn.Sequential` by its indices,
/// and other names need `--arch` with `linear@NAME` items.
///
/// ```
/// use linregions::import::{parse_arch, read_safetensors, sequential};
/// use linregions::Q;
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/torch/mlp.safetensors"));
/// let tensors = read_safetensors(bytes).unwrap();
/// // The activations between the Linear layers are not in the file: say which (never guessed).
/// let arch = parse_arch("linear,relu,linear").unwrap();
/// assert_eq!(tensors[0].0, "0.weight"); // the header's order
/// let net = sequential(&tensors, None, Some(&arch), &Q::from_integer(0.into())).unwrap();
/// assert_eq!(net.input_dim(), 2);
/// ```
pub fn read_safetensors(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, ImportError> {
    if bytes.len() < 8 {
        return Err(err(None, "not a safetensors file (shorter than its 8-byte header length)"));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header =
        bytes.get(8..8usize.saturating_add(n)).ok_or_else(|| err(None, "header length exceeds the file"))?;
    // serde_json keeps an object's keys in the order written (feature `preserve_order`).
    let doc: Value =
        serde_json::from_slice(header).map_err(|e| err(None, format!("header is not JSON: {e}")))?;
    let doc = doc.as_object().ok_or_else(|| err(None, "header is not a JSON object"))?;
    if let Some((key, _, col)) = std::str::from_utf8(header).ok().and_then(crate::formats::duplicate_key) {
        return Err(err(None, format!("header: duplicate key `{key}` at byte {col} (every tensor once)")));
    }
    let data = &bytes[8 + n..];
    let mut out = Vec::new();
    for (name, info) in doc {
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
        out.push((name.clone(), Tensor { shape, values }));
    }
    Ok(out)
}
