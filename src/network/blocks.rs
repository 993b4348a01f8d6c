//! Residual blocks as a chain, exactly: a branch from a value `h` ends in `h + f(h)` or a
//! concatenation of `f(h)` and `h`; `h` is carried alongside the branch's layers as identity
//! rows that pass its activations unchanged ([`LayerSpec::ActivationWithCarry`]). Used by
//! `--arch` specs, which are chains with `skip` ... `add`; graphs go through
//! [`super::graph`].

use super::{Dense, LayerSpec};
use crate::arith::num::Q;

/// How a residual branch rejoins the tensor carried alongside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// The branch's output plus the carried values (same length).
    Add,
    /// The branch's output and the carried values, in that order unless `carried_first`.
    Concat { carried_first: bool },
}

/// Close a residual block: `layers[start..]` (the branch, from a value of `len` entries,
/// ending with `main` values) carry those values alongside, and a last dense layer adds them
/// to the branch's output or concatenates the two. Each dense layer of the branch gets
/// identity rows for the carried values (their inputs appended after its own), and each
/// activation carries them unchanged (no pattern bit, no boundary). `layers[start..]` holds
/// no carry of its own (no branch inside the branch).
pub fn close_branch(layers: &mut Vec<LayerSpec>, start: usize, len: usize, main: usize, join: Join) {
    let zero = || Q::from_integer(0.into());
    let one = || Q::from_integer(1.into());
    // The carried values enter through the branch's first dense layer: one that copies the
    // values when the branch begins otherwise (with an activation, or empty).
    if !matches!(layers.get(start), Some(LayerSpec::Dense(_))) {
        layers.insert(start, LayerSpec::Dense(Dense::identity(len)));
    }
    for (j, l) in layers[start..].iter_mut().enumerate() {
        if let LayerSpec::Activation { slope } = l {
            *l = LayerSpec::ActivationWithCarry { slope: slope.clone(), carry: len };
        }
        if let LayerSpec::Dense(d) = l {
            // The branch's first layer reads the carried values themselves (its inputs);
            // later ones get them appended to their inputs.
            let inputs = d.weight.first().map_or(0, Vec::len);
            let at = if j == 0 { 0 } else { inputs };
            if j > 0 {
                for row in d.weight.iter_mut() {
                    row.extend((0..len).map(|_| zero()));
                }
            }
            for k in 0..len {
                let mut row = vec![zero(); at + len.max(inputs - at)];
                row[at + k] = one();
                d.weight.push(row);
                d.bias.push(zero());
            }
        }
    }
    // The branch's output (first `main`), the carried values (last `len`).
    let unit = |picks: &[usize]| {
        let mut row = vec![zero(); main + len];
        for &i in picks {
            row[i] = one();
        }
        row
    };
    let weight: Vec<Vec<Q>> = match join {
        Join::Add => (0..len).map(|o| unit(&[o, main + o])).collect(),
        Join::Concat { carried_first: true } => {
            (0..len).map(|k| unit(&[main + k])).chain((0..main).map(|o| unit(&[o]))).collect()
        }
        Join::Concat { carried_first: false } => (0..main + len).map(|o| unit(&[o])).collect(),
    };
    let m = weight.len();
    layers.push(LayerSpec::Dense(Dense { weight, bias: vec![zero(); m] }));
}
