//! Operators on constants: what the exporters compute on weights and shapes (Transpose,
//! Reshape, Flatten, Unsqueeze, Squeeze, Concat, Gather, Slice, integer arithmetic),
//! evaluated when an ONNX model is read.

use super::{Node, Tensor};

/// Evaluate an operator whose inputs are all constants: the shape arithmetic exporters write
/// (Shape, Gather, Slice, Concat, Unsqueeze, integer Add/Sub/Mul/Div/Mod) and layout changes
/// of a weight (Transpose, Reshape, Flatten, Identity, Cast). Anything else is an error.
pub(super) fn fold(n: &Node, args: &[&Tensor]) -> Result<Tensor, String> {
    let a = args[0];
    let ints_of = |k: usize| -> Result<&[i64], String> {
        match args.get(k) {
            Some(t) if t.values.is_empty() => Ok(&t.ints),
            Some(_) => Err(format!("input {k} is not an integer tensor")),
            None => Err(format!("has no input {k}")),
        }
    };
    let int_vec = |ints: Vec<i64>| Tensor { dims: vec![ints.len()], values: vec![], ints };
    let axis_in = |x: i64, r: usize| -> Result<usize, String> {
        let k = if x < 0 { x + r as i64 } else { x };
        usize::try_from(k).ok().filter(|&k| k < r).ok_or(format!("axis {x} for {r} dimensions"))
    };
    Ok(match n.op.as_str() {
        "Identity" | "Cast" => a.clone(),
        "Transpose" => transpose(a, n.ints("perm"))?,
        "Reshape" => {
            Tensor { dims: resolve_shape(&a.dims, ints_of(1)?, n.int("allowzero", 0) != 0)?, ..a.clone() }
        }
        "Flatten" => {
            let k = n.int("axis", 1);
            let k = if k < 0 { k + a.dims.len() as i64 } else { k };
            if !(0..=a.dims.len() as i64).contains(&k) {
                return Err(format!("axis {} for {} dimensions", n.int("axis", 1), a.dims.len()));
            }
            let (x, y) = a.dims.split_at(k as usize);
            Tensor { dims: vec![x.iter().product(), y.iter().product()], ..a.clone() }
        }
        "Unsqueeze" | "Squeeze" => {
            let axes = match args.get(1) {
                Some(_) => ints_of(1)?.to_vec(),
                None => n.ints("axes").unwrap_or_default(),
            };
            let mut dims = a.dims.clone();
            if n.op == "Unsqueeze" {
                let r = dims.len() + axes.len();
                let mut ks: Vec<usize> = axes.iter().map(|&x| axis_in(x, r)).collect::<Result<_, _>>()?;
                ks.sort_unstable();
                for k in ks {
                    if k > dims.len() {
                        return Err(format!("axes {axes:?}"));
                    }
                    dims.insert(k, 1);
                }
            } else {
                let r = dims.len();
                let ks: Vec<usize> = if axes.is_empty() {
                    (0..r).filter(|&k| dims[k] == 1).collect()
                } else {
                    axes.iter().map(|&x| axis_in(x, r)).collect::<Result<_, _>>()?
                };
                if ks.iter().any(|&k| dims[k] != 1) {
                    return Err(format!("squeezes axes {axes:?} of dims {dims:?}"));
                }
                dims = dims.iter().enumerate().filter(|(k, _)| !ks.contains(k)).map(|(_, &d)| d).collect();
            }
            Tensor { dims, ..a.clone() }
        }
        "Concat" => {
            if args.iter().any(|t| t.dims.len() != 1 || !t.values.is_empty()) {
                return Err("only integer vectors are concatenated".into());
            }
            int_vec(args.iter().flat_map(|t| t.ints.iter().copied()).collect())
        }
        "Gather" => {
            let (data, idx) = (ints_of(0)?, ints_of(1)?);
            if a.dims.len() != 1 || n.int("axis", 0) != 0 {
                return Err("only a vector's entries are gathered".into());
            }
            let r = data.len() as i64;
            let ints = idx
                .iter()
                .map(|&i| {
                    data.get(if i < 0 { i + r } else { i } as usize).copied().ok_or(format!("index {i}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Tensor { dims: args[1].dims.clone(), values: vec![], ints }
        }
        "Slice" => {
            let data = ints_of(0)?;
            let (starts, ends) = (ints_of(1)?, ints_of(2)?);
            let steps = if args.len() > 4 { ints_of(4)?.to_vec() } else { vec![1] };
            if a.dims.len() != 1 || starts.len() != 1 || ends.len() != 1 || steps != [1] {
                return Err("only a vector is sliced, with one start and end and step 1".into());
            }
            let r = data.len() as i64;
            let at = |x: i64| if x < 0 { (x + r).max(0) } else { x.min(r) } as usize;
            let (s, e) = (at(starts[0]), at(ends[0]));
            int_vec(data[s..e.max(s)].to_vec())
        }
        "Add" | "Sub" | "Mul" | "Div" | "Mod" => {
            let (x, y) = (ints_of(0)?, ints_of(1)?);
            let k = x.len().max(y.len());
            if !(x.len() == k || x.len() == 1) || !(y.len() == k || y.len() == 1) {
                return Err(format!("{} and {} values do not broadcast", x.len(), y.len()));
            }
            let ints = (0..k)
                .map(|i| {
                    let (p, q) = (x[i.min(x.len() - 1)], y[i.min(y.len() - 1)]);
                    match n.op.as_str() {
                        "Add" => p.checked_add(q),
                        "Sub" => p.checked_sub(q),
                        "Mul" => p.checked_mul(q),
                        "Div" => p.checked_div(q),
                        _ => p.checked_rem(q).map(|m| if m != 0 && (m < 0) != (q < 0) { m + q } else { m }),
                    }
                    .ok_or(format!("{p} {} {q} overflows or divides by zero", n.op))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let dims = if x.len() >= y.len() { args[0].dims.clone() } else { args[1].dims.clone() };
            Tensor { dims, values: vec![], ints }
        }
        other => return Err(format!("operator {other} on constants is not evaluated")),
    })
}

/// The dimensions of a Reshape from `from` to the shape spec `to` (0 copies the input's
/// dimension unless `allowzero`, -1 is inferred).
pub(super) fn resolve_shape(from: &[usize], to: &[i64], allowzero: bool) -> Result<Vec<usize>, String> {
    let total = from.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or("input too large")?;
    let mut dims = Vec::with_capacity(to.len());
    let mut infer = None;
    for (k, &v) in to.iter().enumerate() {
        dims.push(match v {
            -1 if infer.is_none() => {
                infer = Some(k);
                1
            }
            0 if !allowzero => {
                *from.get(k).ok_or(format!("shape {to:?}: 0 at {k} past the input's dimensions"))?
            }
            v if v >= 0 => usize::try_from(v).map_err(|_| format!("shape {to:?}: {v} too large"))?,
            _ => return Err(format!("shape {to:?}: only one -1, and no other negative entry")),
        });
    }
    let known =
        dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or(format!("shape {to:?} too large"))?;
    if let Some(k) = infer {
        if known == 0 || total % known != 0 {
            return Err(format!("cannot reshape {from:?} to {to:?}"));
        }
        dims[k] = total / known;
    } else if known != total {
        return Err(format!("cannot reshape {from:?} ({total} values) to {to:?}"));
    }
    Ok(dims)
}

/// A constant tensor transposed by `perm` (reversed dimensions when absent).
fn transpose(a: &Tensor, perm: Option<Vec<i64>>) -> Result<Tensor, String> {
    let r = a.dims.len();
    let perm: Vec<usize> = match perm {
        Some(p) => p
            .iter()
            .map(|&x| usize::try_from(x).map_err(|_| format!("perm {p:?}")))
            .collect::<Result<_, _>>()?,
        None => (0..r).rev().collect(),
    };
    let mut seen = vec![false; r];
    if perm.len() != r || perm.iter().any(|&k| k >= r || std::mem::replace(&mut seen[k], true)) {
        return Err(format!("perm {perm:?} is not a permutation of {r} dimensions"));
    }
    let dims: Vec<usize> = perm.iter().map(|&k| a.dims[k]).collect();
    // Row-major strides of the input.
    let mut stride = vec![1usize; r];
    for k in (0..r.saturating_sub(1)).rev() {
        stride[k] = stride[k + 1] * a.dims[k + 1];
    }
    let count = a.count().ok_or("too large")?;
    let mut index = vec![0usize; r];
    let mut order = Vec::with_capacity(count);
    for _ in 0..count {
        order.push(index.iter().zip(&perm).map(|(&i, &k)| i * stride[k]).sum::<usize>());
        for k in (0..r).rev() {
            index[k] += 1;
            if index[k] < dims[k] {
                break;
            }
            index[k] = 0;
        }
    }
    fn pick<T: Clone>(v: &[T], order: &[usize]) -> Vec<T> {
        if v.is_empty() { vec![] } else { order.iter().filter_map(|&i| v.get(i).cloned()).collect() }
    }
    Ok(Tensor { dims, values: pick(&a.values, &order), ints: pick(&a.ints, &order) })
}

#[cfg(test)]
mod tests {
    use super::super::{Attr, Node, Tensor};
    use super::fold;
    use std::collections::BTreeMap;

    fn node(op: &str, attrs: &[(&str, Attr)]) -> Node {
        Node {
            op: op.into(),
            name: String::new(),
            inputs: vec!["a".into()],
            outputs: vec!["b".into()],
            attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn axes_out_of_range_are_errors() {
        let scalar = Tensor { dims: vec![], values: vec![], ints: vec![7] };
        // A scalar has no axis 0 to squeeze (this once indexed past the dimensions).
        assert!(fold(&node("Squeeze", &[("axes", Attr::Ints(vec![0]))]), &[&scalar]).is_err());
        assert!(fold(&node("Squeeze", &[("axes", Attr::Ints(vec![-1]))]), &[&scalar]).is_err());
        let v = fold(&node("Unsqueeze", &[("axes", Attr::Ints(vec![0]))]), &[&scalar]).unwrap();
        assert_eq!(v.dims, vec![1]);
        assert!(fold(&node("Unsqueeze", &[("axes", Attr::Ints(vec![2]))]), &[&scalar]).is_err());
        // Transpose with a bad permutation; a Gather past the end.
        let m = Tensor { dims: vec![2, 1], values: vec![], ints: vec![1, 2] };
        assert!(fold(&node("Transpose", &[("perm", Attr::Ints(vec![0, 0]))]), &[&m]).is_err());
        let idx = Tensor { dims: vec![1], values: vec![], ints: vec![5] };
        let vec2 = Tensor { dims: vec![2], values: vec![], ints: vec![1, 2] };
        assert!(fold(&node("Gather", &[]), &[&vec2, &idx]).is_err());
    }
}
