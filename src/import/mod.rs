//! Importers of trained networks: safetensors (PyTorch `state_dict` tensors, with an
//! architecture from the names or `--arch`) and ONNX. Bytes in, a [`Network`] out; floats
//! are read at their exact binary value.
//!
//! Imports `arith`, `network` and `formats`.
//!
//! [`Network`]: crate::network::Network

pub(crate) mod onnx;
mod safetensors;

pub use onnx::*;
pub use safetensors::*;
