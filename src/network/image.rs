//! Image and sequence operators as dense layers, exactly: convolutions and average pooling
//! as one row per output pixel and channel, max pooling as a tree of argmax choices with the
//! first values carried. Shared by the ONNX reader, `--arch` specs and the network file's
//! `nodes`.

use super::{Dense, LayerSpec};
use crate::arith::num::Q;

/// The most weights one dense layer made from a convolution or a pool may hold (2^24, about
/// 1 GB of exact rationals; the lowering copies a layer a few times, and composing it with
/// the layer before costs its size times that layer's inputs): a larger one is an error, not
/// an exhausted memory.
pub(crate) const MAX_DENSE: usize = 1 << 24;

pub(crate) fn dense_size(rows: &[usize], cols: &[usize]) -> Result<(), String> {
    let n = rows.iter().chain(cols).try_fold(1usize, |acc, &d| acc.checked_mul(d));
    match n {
        Some(n) if n <= MAX_DENSE => Ok(()),
        _ => Err(format!("expands to a dense layer of {rows:?} x {cols:?} weights, more than {MAX_DENSE}")),
    }
}

/// A 2D convolution of a `[c, h, w]` image as a dense layer: `kernel` holds `[oc, c, kh, kw]`
/// values, `bias` one per output channel, `pads` are top, left, bottom, right. Returns the
/// layer and the output's height and width.
pub(crate) fn conv_dense(
    kernel: &[Q],
    [oc, c, kh, kw]: [usize; 4],
    bias: &[Q],
    h: usize,
    w: usize,
    [sh, sw]: [usize; 2],
    [ph, pw, ph2, pw2]: [usize; 4],
) -> Result<(Dense, usize, usize), String> {
    let (hp, wp) = (h.saturating_add(ph).saturating_add(ph2), w.saturating_add(pw).saturating_add(pw2));
    if kh == 0 || kw == 0 || kh > hp || kw > wp {
        return Err(format!("kernel {kh}x{kw} does not fit the padded {h}x{w} input"));
    }
    if sh == 0 || sw == 0 {
        return Err("strides must be positive".into());
    }
    let values = [oc, c, kh, kw].iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if values != Some(kernel.len()) || bias.len() != oc {
        return Err(format!(
            "{} kernel values and {} biases for [{oc}, {c}, {kh}, {kw}]",
            kernel.len(),
            bias.len()
        ));
    }
    let oh = (hp - kh) / sh + 1;
    let ow = (wp - kw) / sw + 1;
    dense_size(&[oc, oh, ow], &[c, h, w])?;
    let mut weight = Vec::with_capacity(oc * oh * ow);
    let mut b_out = Vec::with_capacity(oc * oh * ow);
    for o in 0..oc {
        for y in 0..oh {
            for x in 0..ow {
                let mut row = vec![Q::from_integer(0.into()); c * h * w];
                for ci in 0..c {
                    for dy in 0..kh {
                        for dx in 0..kw {
                            let (iy, ix) =
                                ((y * sh + dy) as isize - ph as isize, (x * sw + dx) as isize - pw as isize);
                            if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                row[(ci * h + iy as usize) * w + ix as usize] +=
                                    &kernel[((o * c + ci) * kh + dy) * kw + dx];
                            }
                        }
                    }
                }
                weight.push(row);
                b_out.push(bias[o].clone());
            }
        }
    }
    Ok((Dense { weight, bias: b_out }, oh, ow))
}

/// The pooling windows of a `[c, h, w]` image padded by `[top, left, bottom, right]`
/// (each narrower than the kernel): `(oh, ow, windows)`, each window the flat input indices
/// it covers (channel by channel, row by row), padding cells left out.
pub(crate) fn windows(
    c: usize,
    h: usize,
    w: usize,
    [kh, kw]: [usize; 2],
    [sh, sw]: [usize; 2],
    [pt, pl, pb, pr]: [usize; 4],
) -> Result<(usize, usize, Vec<Vec<usize>>), String> {
    if kh == 0 || kw == 0 || sh == 0 || sw == 0 {
        return Err("kernel and strides must be positive".into());
    }
    if kh <= pt.max(pb) || kw <= pl.max(pr) {
        return Err(format!("padding {:?} as wide as the {kh}x{kw} kernel", [pt, pl, pb, pr]));
    }
    let (ph, pw) = (h.saturating_add(pt).saturating_add(pb), w.saturating_add(pl).saturating_add(pr));
    if kh > ph || kw > pw {
        return Err(format!("kernel {kh}x{kw} does not fit the {h}x{w} input"));
    }
    let (oh, ow) = ((ph - kh) / sh + 1, (pw - kw) / sw + 1);
    dense_size(&[c, oh, ow, kh.saturating_mul(kw)], &[c, h, w])?;
    let mut out = Vec::with_capacity(c * oh * ow);
    for ci in 0..c {
        for y in 0..oh {
            for x in 0..ow {
                // The window's cells inside the input (padding holds none: it is never the max,
                // and averages count the cells inside).
                let rows = (0..kh).filter_map(|dy| (y * sh + dy).checked_sub(pt).filter(|&r| r < h));
                let win: Vec<usize> = rows
                    .flat_map(|r| {
                        (0..kw)
                            .filter_map(move |dx| (x * sw + dx).checked_sub(pl).filter(|&q| q < w))
                            .map(move |q| (ci * h + r) * w + q)
                    })
                    .collect();
                out.push(win);
            }
        }
    }
    Ok((oh, ow, out))
}

/// Average pooling over `windows` of `n` inputs as a dense layer: each window's sum over its
/// cell count, or over `divisor` (the kernel's size, when padding counts as zeros).
pub(crate) fn avg_pool_dense(windows: &[Vec<usize>], n: usize, divisor: Option<usize>) -> Dense {
    let weight: Vec<Vec<Q>> = windows
        .iter()
        .map(|win| {
            let share = Q::new(1.into(), (divisor.unwrap_or(win.len()) as i64).into());
            let mut row = vec![Q::from_integer(0.into()); n];
            for &i in win {
                row[i] = share.clone();
            }
            row
        })
        .collect();
    let m = weight.len();
    Dense { weight, bias: vec![Q::from_integer(0.into()); m] }
}

/// The layers computing the maximum of each window of `n` inputs (any sign): a tree of
/// pairs, `max(a, b) = a + relu(b - a)`. Each level is a dense layer and an activation layer
/// whose neurons are the pairs' "argmax choices" (`1` where `b > a`), one per pair, in
/// window order; the pairs' first values, and an odd value out, are carried past it
/// unchanged ([`LayerSpec::ActivationWithCarry`]: no bit, no boundary). The last dense
/// layer sums each window's last pair.
pub(crate) fn max_tree(windows: Vec<Vec<usize>>, n: usize) -> Vec<LayerSpec> {
    let zero = || Q::from_integer(0.into());
    let one = || Q::from_integer(1.into());
    // Each window's values as sparse rows over the current layer's outputs.
    let mut values: Vec<Vec<Vec<(usize, Q)>>> =
        windows.into_iter().map(|w| w.into_iter().map(|i| vec![(i, one())]).collect()).collect();
    let mut width = n;
    let mut layers = Vec::new();
    let dense_of = |rows: Vec<Vec<(usize, Q)>>, width: usize| {
        let weight: Vec<Vec<Q>> = rows
            .iter()
            .map(|r| {
                let mut row = vec![zero(); width];
                for (i, v) in r {
                    row[*i] += v;
                }
                row
            })
            .collect();
        let m = weight.len();
        LayerSpec::Dense(Dense { weight, bias: vec![zero(); m] })
    };
    while values.iter().any(|v| v.len() > 1) {
        // The argmax choices first (the activated outputs), then the carried values; each
        // window's next values name them by (choice index, carried index).
        let mut choices: Vec<Vec<(usize, Q)>> = Vec::new();
        let mut carried: Vec<Vec<(usize, Q)>> = Vec::new();
        let mut refs: Vec<Vec<(usize, Option<usize>)>> = Vec::with_capacity(values.len());
        for vals in &values {
            let mut out = Vec::new();
            for pair in vals.chunks(2) {
                carried.push(pair[0].clone());
                if let [a, b] = pair {
                    let mut diff = b.clone();
                    diff.extend(a.iter().map(|(i, v)| (*i, -v)));
                    choices.push(diff);
                    out.push((carried.len() - 1, Some(choices.len() - 1)));
                } else {
                    out.push((carried.len() - 1, None));
                }
            }
            refs.push(out);
        }
        let m = choices.len();
        let carry = carried.len();
        values = refs
            .into_iter()
            .map(|out| {
                out.into_iter()
                    .map(|(c, d)| {
                        let mut v = vec![(m + c, one())];
                        v.extend(d.map(|d| (d, one())));
                        v
                    })
                    .collect()
            })
            .collect();
        choices.extend(carried);
        layers.push(dense_of(choices, width));
        layers.push(LayerSpec::ActivationWithCarry { slope: zero(), carry });
        width = m + carry;
    }
    let rows: Vec<Vec<(usize, Q)>> = values.into_iter().map(|mut v| v.pop().unwrap_or_default()).collect();
    layers.push(dense_of(rows, width));
    layers
}
