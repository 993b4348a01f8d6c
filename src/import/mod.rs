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
