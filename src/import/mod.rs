//! Importers of trained networks: PyTorch `state_dict`s (safetensors files and `torch.save`
//! archives, with the architecture from the names or `--arch`) and ONNX models. Bytes in,
//! a [`Network`] out (the files an ONNX model names for its external data come through a
//! callback: no file access here); floats are read at their exact binary value, and a
//! file's format is told by its content ([`sniff`]), never by its extension.
//!
//! Imports `arith`, `network` and `formats`.
//!
//! [`Network`]: crate::network::Network

pub(crate) mod onnx;
mod pickle;
mod safetensors;
mod state_dict;
mod torch;
mod zip;

pub use onnx::*;
pub use safetensors::*;
pub use state_dict::*;
pub use torch::*;

use crate::arith::num::Q;
use crate::network::Network;
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

/// One tensor: shape and exact values (row-major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub values: Vec<Q>,
}

pub(crate) fn f16_to_f32(h: u16) -> f32 {
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

/// The network file formats, told apart by their first bytes ([`sniff`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// linregions' own JSON network format (and any other text: its parser says what is wrong).
    Json,
    /// A safetensors file (8-byte header length, then a JSON header).
    Safetensors,
    /// An ONNX model (a protobuf `ModelProto` with a graph).
    Onnx,
    /// A ZIP archive: `torch.save` since PyTorch 1.6.
    Zip,
    /// A bare Python pickle: `torch.save` before PyTorch 1.6, or with
    /// `_use_new_zipfile_serialization=False` (not read: it says how to re-save).
    Pickle,
    /// None of the above.
    Unknown,
}

/// The format of a network file, from its content.
///
/// ```
/// use linregions::import::{Format, sniff};
/// assert_eq!(sniff(br#" {"input_dim": 2, "layers": []}"#), Format::Json);
/// assert_eq!(sniff(b"PK\x03\x04..."), Format::Zip);
/// assert_eq!(sniff(&[0x80, 0x02, 0x8a, 0x0a]), Format::Pickle);
/// let onnx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/onnx/mlp.onnx"));
/// assert_eq!(sniff(onnx), Format::Onnx);
/// ```
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Format::Zip;
    }
    if bytes.len() >= 2 && bytes[0] == 0x80 && (2..=5).contains(&bytes[1]) {
        return Format::Pickle;
    }
    if bytes.len() >= 9 {
        let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        if n >= 2 && n <= (bytes.len() - 8) as u64 && bytes[8] == b'{' {
            return Format::Safetensors;
        }
    }
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Format::Json;
    }
    if onnx::is_model(bytes) {
        return Format::Onnx;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Format::Json;
    }
    Format::Unknown
}

/// How to read a PyTorch `state_dict`: the architecture (`--arch`) and batch norm's epsilon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    pub arch: Option<Vec<ArchItem>>,
    /// PyTorch's default 1e-5, as the nearest double (how PyTorch stores it).
    pub bn_eps: Q,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { arch: None, bn_eps: crate::arith::num::from_f64_exact(1e-5).expect("finite") }
    }
}

/// A network read from a file, with notes on how (the module mapping when `arch` was
/// given, the checkpoint key a `state_dict` was found under).
#[derive(Debug, Clone)]
pub struct ReadNetwork {
    pub network: Network,
    pub notes: Vec<String>,
}

/// Read a network file of any accepted format, told by its content ([`sniff`]): JSON,
/// safetensors, a `torch.save` archive or ONNX (`external` gives the files its external data
/// names). The one reader behind the CLI's `NET` arguments and the Python package.
///
/// ```
/// use linregions::import::{ReadOptions, parse_arch, read_network};
/// let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/torch/mlp.pt"));
/// let opts = ReadOptions { arch: Some(parse_arch("linear,relu,linear").unwrap()), ..Default::default() };
/// let read = read_network(bytes, &opts, &mut |_| Err("no files".into())).unwrap();
/// assert_eq!(read.network.shape_string(), "2-3-1");
/// assert_eq!(read.notes, vec!["0: linear 2 -> 3, relu, 2: linear 3 -> 1"]);
/// ```
pub fn read_network(
    bytes: &[u8],
    opts: &ReadOptions,
    external: &mut ExternalData<'_>,
) -> Result<ReadNetwork, ImportError> {
    let mut notes = Vec::new();
    let state_dict = |tensors: &[(String, Tensor)], notes: &mut Vec<String>| {
        let m = sequential_mapped(tensors, None, opts.arch.as_deref(), &opts.bn_eps)?;
        if opts.arch.is_some() {
            notes.push(m.mapping.join(", "));
        }
        Ok::<_, ImportError>(m.network)
    };
    let network = match sniff(bytes) {
        Format::Onnx => read_onnx_with(bytes, external)?,
        Format::Safetensors => state_dict(&read_safetensors(bytes)?, &mut notes)?,
        Format::Zip => {
            let file = read_torch(bytes)?;
            if let Some(key) = &file.under_key {
                notes.push(format!("the state_dict under the checkpoint's key `{key}`"));
            }
            state_dict(&file.tensors, &mut notes)?
        }
        Format::Pickle => {
            return Err(ImportError {
                what: None,
                problem: "a bare Python pickle, as torch.save wrote before PyTorch 1.6 (or with \
                          _use_new_zipfile_serialization=False): re-save it with a current PyTorch, \
                          torch.save(model.state_dict(), PATH), or export ONNX"
                    .into(),
            });
        }
        Format::Json => {
            let text = std::str::from_utf8(bytes).map_err(|e| ImportError {
                what: None,
                problem: format!("cannot read: not UTF-8 text: {e}"),
            })?;
            crate::formats::parse_network(text)
                .map_err(|e| ImportError { what: None, problem: e.to_string() })?
        }
        Format::Unknown => {
            return Err(ImportError {
                what: None,
                problem: format!(
                    "not a network file linregions reads (JSON, safetensors, torch.save, ONNX); it begins {}",
                    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
                ),
            });
        }
    };
    Ok(ReadNetwork { network, notes })
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
    fn formats_are_told_by_content() {
        let st = |header: &str| {
            let mut b = (header.len() as u64).to_le_bytes().to_vec();
            b.extend(header.as_bytes());
            b
        };
        assert_eq!(sniff(&st("{}")), Format::Safetensors);
        assert_eq!(sniff(b""), Format::Json);
        assert_eq!(sniff(b"not json"), Format::Json);
        assert_eq!(sniff(&[0xff, 0xfe, 0x00]), Format::Unknown);
        // A header length past the file: not safetensors.
        assert_eq!(sniff(&[200, 0, 0, 0, 0, 0, 0, 0, b'{', b'}']), Format::Unknown);
    }
}
