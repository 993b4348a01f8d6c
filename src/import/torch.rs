//! `torch.save` files (`.pt`, `.pth`, `.bin`): the ZIP archive PyTorch writes since 1.6, with
//! `data.pkl` (the pickled object) and one raw file per storage. The pickle is read by
//! [`super::pickle`], which executes nothing; a `state_dict` (or a checkpoint dict holding
//! exactly one) gives its float tensors at their exact binary values, in file order.

use super::pickle::{self, Obj, Pickle};
use super::{ImportError, Tensor, zip};
use crate::arith::num::{Q, from_f64_exact};

fn err(what: Option<&str>, problem: impl Into<String>) -> ImportError {
    ImportError { what: what.map(str::to_string), problem: problem.into() }
}

/// The float tensors of a `torch.save` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorchFile {
    /// The tensors by name, in the order of the saved dict (module order for a `state_dict`).
    pub tensors: Vec<(String, Tensor)>,
    /// The key of the checkpoint dict the `state_dict` was found under, if it was nested.
    pub under_key: Option<String>,
}

/// The advice for a file that is not a `state_dict`.
const SAVE_STATE_DICT: &str = "save the weights with torch.save(model.state_dict(), PATH), or export ONNX";

/// Read a `torch.save` archive holding a `state_dict` (or a checkpoint dict with exactly one
/// dict of tensors among its values). Integer tensors (`num_batches_tracked`) are skipped.
/// A pickled whole model, or any object that is not a dict, is an error that says how to
/// save the `state_dict` instead: nothing in the pickle is executed.
///
/// ```
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/torch/mlp.pt"));
/// let file = linregions::import::read_torch(bytes).unwrap();
/// assert_eq!(file.tensors[0].0, "0.weight");
/// assert_eq!(file.tensors[0].1.shape, vec![3, 2]);
/// ```
pub fn read_torch(bytes: &[u8]) -> Result<TorchFile, ImportError> {
    let entries = zip::entries(bytes)?;
    let pkl: Vec<&(String, &[u8])> = entries.iter().filter(|(n, _)| n.ends_with("data.pkl")).collect();
    let (name, data) = match pkl.as_slice() {
        [one] => *one,
        [] => return Err(err(None, "a ZIP archive without data.pkl: not a torch.save file")),
        _ => return Err(err(None, "a ZIP archive with several data.pkl: not one torch.save file")),
    };
    let prefix = &name[..name.len() - "data.pkl".len()];
    let entry = |n: &str| entries.iter().find(|(e, _)| e.strip_prefix(prefix) == Some(n)).map(|(_, d)| *d);
    if let Some(order) = entry("byteorder")
        && order != b"little"
    {
        return Err(err(
            Some("byteorder"),
            format!("{} (only little-endian archives are read)", String::from_utf8_lossy(order)),
        ));
    }
    let p = pickle::read(data)?;
    let items = match p.get(p.top) {
        Obj::Dict(items) => items,
        Obj::Call(class) => {
            return Err(err(
                None,
                format!("holds a pickled Python object ({class}), not a state_dict: {SAVE_STATE_DICT}"),
            ));
        }
        other => {
            return Err(err(None, format!("holds {}, not a state_dict: {SAVE_STATE_DICT}", kind(other))));
        }
    };
    let tensors_of = |items: &[(usize, usize)]| -> Result<Vec<(String, Tensor)>, ImportError> {
        let mut out = Vec::new();
        for &(k, v) in items {
            let (Some(key), Obj::Tensor { .. }) = (p.str(k), p.get(v)) else { continue };
            if let Some(t) = tensor(&p, v, key, &entry)? {
                out.push((key.to_string(), t));
            }
        }
        Ok(out)
    };
    let has_tensors =
        |items: &[(usize, usize)]| items.iter().any(|&(_, v)| matches!(p.get(v), Obj::Tensor { .. }));
    if has_tensors(items) {
        return Ok(TorchFile { tensors: tensors_of(items)?, under_key: None });
    }
    // A checkpoint: {"model": state_dict, "epoch": 3, ...}.
    let nested: Vec<(&str, &Vec<(usize, usize)>)> = items
        .iter()
        .filter_map(|&(k, v)| match (p.str(k), p.get(v)) {
            (Some(key), Obj::Dict(inner)) if has_tensors(inner) => Some((key, inner)),
            _ => None,
        })
        .collect();
    match nested.as_slice() {
        [(key, inner)] => Ok(TorchFile { tensors: tensors_of(inner)?, under_key: Some(key.to_string()) }),
        [] => Err(err(None, format!("a dict without tensors, not a state_dict: {SAVE_STATE_DICT}"))),
        several => Err(err(
            None,
            format!(
                "a checkpoint with {} dicts of tensors ({}): save the model's alone with \
                 torch.save(checkpoint[KEY], PATH)",
                several.len(),
                several.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn kind(o: &Obj) -> &'static str {
    match o {
        Obj::Tensor { .. } => "a single tensor",
        Obj::List(_) | Obj::Tuple(_) => "a list",
        _ => "a plain value",
    }
}

/// The storage element types: (storage class suffix, bytes per element, float?).
fn storage_type(class: &str) -> Option<(usize, bool)> {
    Some(match class.strip_prefix("torch.")? {
        "DoubleStorage" => (8, true),
        "FloatStorage" => (4, true),
        "HalfStorage" | "BFloat16Storage" => (2, true),
        "LongStorage" => (8, false),
        "IntStorage" => (4, false),
        "ShortStorage" => (2, false),
        "CharStorage" | "ByteStorage" | "BoolStorage" => (1, false),
        _ => return None,
    })
}

/// The most elements one tensor may have (2^28): more is an error, not an exhausted memory.
const MAX_ELEMENTS: usize = 1 << 28;

/// The exact values of the tensor object `id` (named `name`), or `None` for an integer tensor.
fn tensor<'a>(
    p: &Pickle,
    id: usize,
    name: &str,
    entry: &dyn Fn(&str) -> Option<&'a [u8]>,
) -> Result<Option<Tensor>, ImportError> {
    let here = Some(name);
    let Obj::Tensor { storage, offset, size, stride } = p.get(id) else {
        return Err(err(here, "not a tensor"));
    };
    let Obj::Persistent(pid) = p.get(*storage) else {
        return Err(err(here, "its storage is not a persistent id"));
    };
    let parts = match p.get(*pid) {
        Obj::Tuple(v) if v.len() >= 3 => v.clone(),
        _ => return Err(err(here, "storage id is not ('storage', type, key, ...)")),
    };
    let class = match p.get(parts[1]) {
        Obj::Global(g) => g.clone(),
        _ => return Err(err(here, "storage type is not a global")),
    };
    let key = p.str(parts[2]).ok_or_else(|| err(here, "storage key is not a string"))?;
    let (width, float) = storage_type(&class).ok_or_else(|| {
        err(here, format!("storage type {class} is not read (float, double, half, bfloat16)"))
    })?;
    if !float {
        return Ok(None);
    }
    let raw = entry(&format!("data/{key}"))
        .ok_or_else(|| err(here, format!("storage `data/{key}` is not in the archive")))?;
    if raw.len() % width != 0 {
        return Err(err(
            here,
            format!("storage of {} bytes is not a whole number of {width}-byte values", raw.len()),
        ));
    }
    let len = raw.len() / width;
    if size.len() != stride.len() || size.iter().chain(stride.iter()).any(|&x| x < 0) || *offset < 0 {
        return Err(err(
            here,
            format!("size {size:?}, stride {stride:?}, offset {offset}: not a tensor layout"),
        ));
    }
    let shape: Vec<usize> = size.iter().map(|&x| x as usize).collect();
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&c| c <= MAX_ELEMENTS)
        .ok_or_else(|| err(here, format!("shape {shape:?} has more than {MAX_ELEMENTS} elements")))?;
    // The last element's index bounds them all (strides are non-negative).
    if count > 0 {
        let last = shape
            .iter()
            .zip(stride.iter())
            .try_fold(*offset as u128, |a, (&d, &s)| a.checked_add((d as u128 - 1) * s as u128));
        if last.is_none_or(|l| l >= len as u128) {
            return Err(err(
                here,
                format!(
                    "size {size:?}, stride {stride:?}, offset {offset} reach past its {len} stored values"
                ),
            ));
        }
    }
    let value = |i: usize| -> Result<Q, ImportError> {
        let c = &raw[i * width..(i + 1) * width];
        let x = match (width, class.as_str()) {
            (8, _) => f64::from_le_bytes(c.try_into().expect("8")),
            (4, _) => f32::from_le_bytes(c.try_into().expect("4")) as f64,
            (_, "torch.HalfStorage") => {
                super::f16_to_f32(u16::from_le_bytes(c.try_into().expect("2"))) as f64
            }
            _ => f32::from_bits((u16::from_le_bytes(c.try_into().expect("2")) as u32) << 16) as f64,
        };
        from_f64_exact(x).ok_or_else(|| err(here, "holds NaN or infinity"))
    };
    let mut values = Vec::with_capacity(count);
    let mut index = vec![0usize; shape.len()];
    for _ in 0..count {
        let at =
            *offset as usize + index.iter().zip(stride.iter()).map(|(&i, &s)| i * s as usize).sum::<usize>();
        values.push(value(at)?);
        // Row-major increment.
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    Ok(Some(Tensor { shape, values }))
}
