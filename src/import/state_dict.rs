//! From a `state_dict`'s tensors to a network: the modules are recognised from their tensors
//! (a 2D `weight` is a Linear, a `running_mean` a BatchNorm1d, folded into the Linear before
//! it); the parameter-free modules between them come from the names' indices or from
//! `--arch`, never guessed.

use super::{ImportError, Tensor};
use crate::arith::num::{Q, from_f64_exact, sqrt_bounds, to_f64};
use crate::network::blocks::{Join, close_branch};
use crate::network::{Dense, LayerSpec, Network};
use std::collections::BTreeMap;

fn err(what: Option<&str>, problem: impl Into<String>) -> ImportError {
    ImportError { what: what.map(str::to_string), problem: problem.into() }
}

/// One item of an architecture spec (`--arch "linear,bn,relu,dropout,linear"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchItem {
    /// A Linear module: the next one in order, or the one named (`linear@fc1`).
    Linear(Option<String>),
    /// A BatchNorm1d module, folded into the preceding Linear: the next one, or the one named.
    BatchNorm(Option<String>),
    Relu,
    LeakyRelu(Q),
    /// Dropout or Identity: no effect at inference.
    Identity,
    /// The input is an image of `[c, h, w]` (first item only; `image:CxHxW`).
    Image(usize, usize, usize),
    /// A Conv2d module (4D weight), group 1, with this stride and zero padding on every side
    /// (`conv`, `conv:STRIDE:PAD`, `conv:1:1@NAME`).
    Conv {
        module: Option<String>,
        stride: usize,
        pad: usize,
    },
    /// Average pooling, kernel and stride `k` (`avgpool:K`).
    AvgPool(usize),
    /// Max pooling, kernel and stride `k` (`maxpool:K`).
    MaxPool(usize),
    /// Flatten an image (`flatten`).
    Flatten,
    /// A residual branch starts here (`skip`): the current values are carried alongside the
    /// branch's layers, past its activations unchanged, until `add` or `cat`.
    Skip,
    /// The branch ends: its output plus the carried values (`add`: `h + f(h)`).
    Add,
    /// The branch ends: its output and the carried values concatenated (`cat`:
    /// `torch.cat([f(h), h])`; `cat:skip_first`: `torch.cat([h, f(h)])`).
    Cat {
        skip_first: bool,
    },
}

/// Parse `--arch`: comma-separated `linear`, `bn`, `relu`, `leaky_relu:SLOPE`, `dropout`,
/// `identity`, for residual blocks `skip` then `add`, `cat` or `cat:skip_first`, and for
/// CNNs `image:CxHxW` (first), `conv[:STRIDE:PAD]`, `avgpool:K`, `maxpool:K`, `flatten`;
/// `linear@NAME`, `bn@NAME` and `conv@NAME` name the module (`fc1`, `encoder.0`) that sits
/// there, otherwise modules are taken in the file's order.
pub fn parse_arch(spec: &str) -> Result<Vec<ArchItem>, ImportError> {
    spec.split(',')
        .map(|s| {
            let s = s.trim();
            let (kind, module) = match s.split_once('@') {
                Some((k, m)) if !m.trim().is_empty() => (k.trim(), Some(m.trim().to_string())),
                Some(_) => return Err(err(Some(s), "no module name after @")),
                None => (s, None),
            };
            let (kind, params) = match kind.split_once(':') {
                Some((k, p)) if !matches!(k, "leaky_relu") => (k, Some(p)),
                _ => (kind, None),
            };
            if module.is_some() && !matches!(kind, "linear" | "bn" | "batchnorm" | "conv") {
                return Err(err(Some(s), "only linear, bn and conv items name a module (@NAME)"));
            }
            let int = |t: &str| -> Result<usize, ImportError> {
                t.parse::<usize>()
                    .ok()
                    .filter(|&v| (1..=1 << 16).contains(&v))
                    .ok_or_else(|| err(Some(s), format!("`{t}` is not a positive integer")))
            };
            match (kind, params) {
                ("image", Some(p)) => {
                    let d: Vec<usize> = p.split('x').map(|t| int(t.trim())).collect::<Result<_, _>>()?;
                    let [c, h, w] = d[..] else { return Err(err(Some(s), "expected image:CxHxW")) };
                    return Ok(ArchItem::Image(c, h, w));
                }
                ("conv", p) => {
                    let (stride, pad) = match p.map(|p| p.split(':').collect::<Vec<_>>()).as_deref() {
                        None => (1, 0),
                        Some([st, pd]) => (int(st)?, pd.parse::<usize>().map_err(|_| err(Some(s), "pad"))?),
                        Some(_) => return Err(err(Some(s), "expected conv or conv:STRIDE:PAD")),
                    };
                    return Ok(ArchItem::Conv { module, stride, pad });
                }
                ("avgpool", Some(k)) => return Ok(ArchItem::AvgPool(int(k)?)),
                ("maxpool", Some(k)) => return Ok(ArchItem::MaxPool(int(k)?)),
                ("flatten", None) => return Ok(ArchItem::Flatten),
                ("skip", None) => return Ok(ArchItem::Skip),
                ("add", None) => return Ok(ArchItem::Add),
                ("cat", None) => return Ok(ArchItem::Cat { skip_first: false }),
                ("cat", Some("skip_first")) => return Ok(ArchItem::Cat { skip_first: true }),
                (_, Some(_)) if kind != "leaky_relu" => {
                    return Err(err(Some(s), "unknown item or parameters"));
                }
                _ => {}
            }
            Ok(match kind {
                "linear" => ArchItem::Linear(module),
                "bn" | "batchnorm" => ArchItem::BatchNorm(module),
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
                            "unknown item (linear, bn, relu, leaky_relu:S, dropout, identity, skip, add, cat, \
                             cat:skip_first, image:CxHxW, conv, conv:STRIDE:PAD, avgpool:K, maxpool:K, flatten; \
                             linear@NAME, bn@NAME, conv@NAME)",
                        ));
                    }
                },
            })
        })
        .collect()
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

/// A network built from a `state_dict`, with how its modules were used.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub network: Network,
    /// One entry per layer in order: `fc1: linear 2 -> 16`, `bn1: batch norm (folded)`,
    /// `relu`, ... (the CLI prints it when `--arch` is given).
    pub mapping: Vec<String>,
}

/// A module of the file: its name (`fc1`, `net.2`) and its tensors by field.
struct Module<'a> {
    name: String,
    fields: BTreeMap<String, &'a Tensor>,
    kind: Kind,
}

/// What a module with parameters is, from its tensors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Linear,
    Bn,
    Conv,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Linear => "linear",
            Kind::Bn => "bn",
            Kind::Conv => "conv",
        }
    }
    fn of_item(a: &ArchItem) -> Option<(Kind, Option<&String>)> {
        match a {
            ArchItem::Linear(m) => Some((Kind::Linear, m.as_ref())),
            ArchItem::BatchNorm(m) => Some((Kind::Bn, m.as_ref())),
            ArchItem::Conv { module, .. } => Some((Kind::Conv, module.as_ref())),
            _ => None,
        }
    }
    fn item(self) -> ArchItem {
        match self {
            Kind::Linear => ArchItem::Linear(None),
            Kind::Bn => ArchItem::BatchNorm(None),
            Kind::Conv => ArchItem::Conv { module: None, stride: 1, pad: 0 },
        }
    }
}

/// The shape of the values between layers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Flat(usize),
    Image(usize, usize, usize),
}

impl Shape {
    fn len(self) -> usize {
        match self {
            Shape::Flat(n) => n,
            Shape::Image(c, h, w) => c * h * w,
        }
    }
}

/// The index of a module named `<parent>.<index>` (or `<index>`): (parent, index).
/// Whether the last layer is a ReLU (its values are never negative: max pooling and the
/// values a residual branch carries need that).
fn index_of(name: &str) -> Option<(&str, u64)> {
    match name.rsplit_once('.') {
        Some((parent, i)) => Some((parent, i.parse().ok()?)),
        None => Some(("", name.parse().ok()?)),
    }
}

/// Build the network of an `nn.Sequential` (or any chain of modules) from its tensors, in
/// file order. See [`sequential_mapped`].
pub fn sequential(
    tensors: &[(String, Tensor)],
    input_dim: Option<usize>,
    arch: Option<&[ArchItem]>,
    bn_eps: &Q,
) -> Result<Network, ImportError> {
    sequential_mapped(tensors, input_dim, arch, bn_eps).map(|m| m.network)
}

/// Build a chain network from a `state_dict`'s tensors (in file order) and report how each
/// module was used.
///
/// Modules with parameters are recognised from their tensors (2D `weight` = Linear,
/// `running_mean` = BatchNorm1d). When every module is named `<parent>.<index>` (an
/// `nn.Sequential`), the indices say where the parameter-free modules are, but not what they
/// are; otherwise (`fc1`, `fc2`) not even where. So `arch` is needed whenever there is a gap
/// or the names carry no index, and the error suggests one: an activation is never guessed.
/// With `arch`, its `linear`/`bn` items take the modules in order (index order for an
/// `nn.Sequential`, file order otherwise) unless they name one (`linear@fc1`).
pub fn sequential_mapped(
    tensors: &[(String, Tensor)],
    input_dim: Option<usize>,
    arch: Option<&[ArchItem]>,
    bn_eps: &Q,
) -> Result<Mapped, ImportError> {
    // Modules in order of first appearance.
    let mut modules: Vec<Module> = Vec::new();
    for (name, t) in tensors {
        let (prefix, field) = name.rsplit_once('.').ok_or_else(|| {
            err(Some(name), "tensor name is not `<module>.<field>` (`0.weight`, `fc1.bias`)")
        })?;
        let m = match modules.iter().position(|m| m.name == prefix) {
            Some(i) => &mut modules[i],
            None => {
                modules.push(Module {
                    name: prefix.to_string(),
                    fields: BTreeMap::new(),
                    kind: Kind::Linear,
                });
                modules.last_mut().expect("just pushed")
            }
        };
        if m.fields.insert(field.to_string(), t).is_some() {
            return Err(err(Some(name), "appears twice"));
        }
    }
    for m in &mut modules {
        m.kind = match m.fields.get("weight").map(|w| w.shape.len()) {
            _ if m.fields.contains_key("running_mean") => Kind::Bn,
            Some(2) => Kind::Linear,
            Some(4) => Kind::Conv,
            _ => {
                return Err(err(
                    Some(&m.name),
                    "neither a Linear (2D weight), a Conv2d (4D weight) nor a batch norm (running_mean) module",
                ));
            }
        };
    }
    if modules.is_empty() {
        return Err(err(None, "no linear layer (no float tensors)"));
    }
    let kind = |m: &Module| m.kind.name();
    if arch.is_none()
        && let Some(c) = modules.iter().find(|m| m.kind == Kind::Conv)
    {
        return Err(err(
            Some(&c.name),
            "a Conv2d module: its input's shape, strides and padding are not in the tensors: give the \
             architecture, starting with image:CxHxW, e.g. --arch image:1x28x28,conv:1:1,relu,maxpool:2,flatten,linear \
             (conv:STRIDE:PAD, avgpool:K, maxpool:K)",
        ));
    }
    // An nn.Sequential: every module `<parent>.<index>` with one parent; in index order, with
    // `None` for the parameter-free modules between. Indices far past the modules' count
    // (a few parameter-free modules between each two) are names, not a Sequential's: the
    // gaps would be a list of that length.
    let indices: Option<Vec<(&str, u64)>> = modules.iter().map(|m| index_of(&m.name)).collect();
    let most = 16 * (modules.len() as u64 + 1);
    let sequential_order: Option<Vec<Option<usize>>> =
        indices.filter(|ix| ix.iter().all(|(p, i)| *p == ix[0].0 && *i < most)).map(|ix| {
            let mut order: Vec<usize> = (0..modules.len()).collect();
            order.sort_by_key(|&i| ix[i].1);
            let mut seq = Vec::new();
            let mut next = 0u64;
            for i in order {
                for _ in next..ix[i].1 {
                    seq.push(None);
                }
                seq.push(Some(i));
                next = ix[i].1 + 1;
            }
            seq
        });
    let order: Vec<usize> = match &sequential_order {
        Some(seq) => seq.iter().flatten().copied().collect(),
        None => (0..modules.len()).collect(),
    };
    // (module, item) in network order.
    let seq: Vec<(Option<usize>, ArchItem)> = match (arch, &sequential_order) {
        (Some(arch), _) => {
            let wanted = arch.iter().filter(|a| Kind::of_item(a).is_some()).count();
            if wanted != modules.len() {
                let names: Vec<&str> = order.iter().map(|&i| modules[i].name.as_str()).collect();
                return Err(err(
                    None,
                    format!(
                        "--arch names {wanted} linear/bn/conv modules but the file has {} ({})",
                        modules.len(),
                        names.join(", ")
                    ),
                ));
            }
            let mut used = vec![false; modules.len()];
            for a in arch {
                if let Some((_, Some(n))) = Kind::of_item(a) {
                    let i = modules.iter().position(|m| &m.name == n).ok_or_else(|| {
                        err(
                            Some(n),
                            format!(
                                "--arch names a module the file does not have ({})",
                                modules.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })?;
                    if std::mem::replace(&mut used[i], true) {
                        return Err(err(Some(n), "--arch names this module twice"));
                    }
                }
            }
            let mut free = order.iter().copied().filter(|&i| !used[i]);
            let mut seq = Vec::new();
            for a in arch {
                let i = match Kind::of_item(a) {
                    Some((_, Some(n))) => modules.iter().position(|m| &m.name == n),
                    Some((_, None)) => free.next(),
                    None => None,
                };
                if let (Some(i), Some((k, _))) = (i, Kind::of_item(a))
                    && modules[i].kind != k
                {
                    return Err(err(
                        Some(&modules[i].name),
                        format!("--arch says {} here, the module is a {}", k.name(), kind(&modules[i])),
                    ));
                }
                seq.push((i, a.clone()));
            }
            seq
        }
        (None, Some(sq)) if sq.iter().all(Option::is_some) => sq
            .iter()
            .map(|&i| {
                let i = i.expect("no gaps");
                (Some(i), modules[i].kind.item())
            })
            .collect(),
        (None, Some(sq)) => {
            // The tensors say where the parameter-free modules are, not what they are.
            let parent = index_of(&modules[0].name).map_or("", |(p, _)| p);
            let at: Vec<String> = sq
                .iter()
                .enumerate()
                .filter(|(_, i)| i.is_none())
                .map(
                    |(pos, _)| {
                        if parent.is_empty() { format!("module {pos}") } else { format!("{parent}.{pos}") }
                    },
                )
                .collect();
            let items: Vec<&str> = sq.iter().map(|i| i.map_or("relu", |i| kind(&modules[i]))).collect();
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
        (None, None) if modules.len() == 1 => {
            vec![(Some(0), modules[0].kind.item())]
        }
        (None, None) => {
            let mut items = Vec::new();
            for (k, m) in modules.iter().enumerate() {
                if k > 0 && m.kind != Kind::Bn {
                    items.push("relu".to_string());
                }
                items.push(format!("{}@{}", kind(m), m.name));
            }
            let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
            return Err(err(
                None,
                format!(
                    "the module names ({}) do not say how the modules are chained nor which activations sit \
                     between them: give the architecture in the model's forward order, e.g. --arch {} \
                     (leaky_relu:SLOPE for a LeakyReLU, dropout or identity for no activation; skip ... add \
                     around a residual block)",
                    names.join(", "),
                    items.join(",")
                ),
            ));
        }
    };
    let mut layers: Vec<LayerSpec> = Vec::new();
    let mut mapping = Vec::new();
    let mut shape: Option<Shape> = input_dim.map(Shape::Flat);
    let mut input_image = None;
    // An open residual branch: where its layers start, and how many values it carries.
    let mut branch: Option<(usize, usize)> = None;
    for (index, item) in seq {
        let width = shape.map(Shape::len);
        if branch.is_some()
            && matches!(
                item,
                ArchItem::Image(..)
                    | ArchItem::Flatten
                    | ArchItem::Conv { .. }
                    | ArchItem::AvgPool(_)
                    | ArchItem::MaxPool(_)
            )
        {
            return Err(err(
                None,
                "--arch: a residual branch (skip ... add) holds linear, bn and activation items only; for \
                 convolutions in a branch, export ONNX",
            ));
        }
        match item {
            ArchItem::Skip => {
                let Some(Shape::Flat(len)) = shape else {
                    return Err(err(
                        None,
                        "--arch: skip needs flat values before it (a linear layer and relu)",
                    ));
                };
                if branch.is_some() {
                    return Err(err(
                        None,
                        "--arch: a residual branch inside another (skip after skip) is not supported",
                    ));
                }
                branch = Some((layers.len(), len));
                mapping.push(format!("skip (carries {len} values)"));
            }
            ArchItem::Add | ArchItem::Cat { .. } => {
                let join = match item {
                    ArchItem::Cat { skip_first } => Join::Concat { carried_first: skip_first },
                    _ => Join::Add,
                };
                let Some((start, len)) = branch.take() else {
                    return Err(err(None, "--arch: add or cat without a skip before it"));
                };
                if !layers[start..].iter().any(|l| matches!(l, LayerSpec::Dense(_))) {
                    return Err(err(None, "--arch: no linear layer between skip and add or cat"));
                }
                let Some(Shape::Flat(main)) = shape else { unreachable!("a branch keeps flat values") };
                if join == Join::Add && main != len {
                    return Err(err(
                        None,
                        format!("--arch: add of the branch's {main} values and the {len} carried by skip"),
                    ));
                }
                close_branch(&mut layers, start, len, main, join);
                let out = if join == Join::Add { len } else { main + len };
                mapping.push(format!("{} -> {out}", if join == Join::Add { "add" } else { "cat" }));
                shape = Some(Shape::Flat(out));
            }
            ArchItem::Image(c, h, w) => {
                if !layers.is_empty() || shape.is_some() {
                    return Err(err(None, "--arch: image:CxHxW comes first"));
                }
                shape = Some(Shape::Image(c, h, w));
                input_image = Some(c * h * w);
                mapping.push(format!("image {c}x{h}x{w}"));
            }
            ArchItem::Flatten => {
                let Some(s) = shape else {
                    return Err(err(None, "--arch: flatten before any shape is known"));
                };
                shape = Some(Shape::Flat(s.len()));
                mapping.push("flatten".into());
            }
            ArchItem::Conv { stride, pad, .. } => {
                let m = &modules[index.expect("a conv item has a module")];
                let prefix = &m.name;
                let Some(Shape::Image(c, h, w)) = shape else {
                    return Err(err(
                        Some(prefix),
                        "a convolution needs an image: start --arch with image:CxHxW",
                    ));
                };
                let k =
                    m.fields.get("weight").filter(|w| w.shape.len() == 4).ok_or_else(|| {
                        err(Some(prefix), "--arch says conv, but the module has no 4D weight")
                    })?;
                let [oc, ic, kh, kw] = k.shape[..] else { unreachable!("4D") };
                if ic != c {
                    return Err(err(
                        Some(prefix),
                        format!("weight {:?} takes {ic} channels, the image has {c}", k.shape),
                    ));
                }
                let bias = match m.fields.get("bias") {
                    Some(b) => b.values.clone(),
                    None => vec![Q::from_integer(0.into()); oc],
                };
                let (dense, oh, ow) = crate::network::image::conv_dense(
                    &k.values,
                    [oc, ic, kh, kw],
                    &bias,
                    h,
                    w,
                    [stride; 2],
                    [pad; 4],
                )
                .map_err(|e| err(Some(prefix), e))?;
                layers.push(LayerSpec::Dense(dense));
                mapping.push(format!("{prefix}: conv {c}x{h}x{w} -> {oc}x{oh}x{ow}"));
                shape = Some(Shape::Image(oc, oh, ow));
            }
            ArchItem::AvgPool(k) | ArchItem::MaxPool(k) => {
                let max = matches!(item, ArchItem::MaxPool(_));
                let Some(Shape::Image(c, h, w)) = shape else {
                    return Err(err(None, "--arch: pooling needs an image"));
                };
                let (oh, ow, windows) = crate::network::image::windows(c, h, w, [k, k], [k, k], [0; 4])
                    .map_err(|e| err(None, e))?;
                if max {
                    layers.extend(crate::network::image::max_tree(windows, c * h * w));
                } else {
                    layers.push(LayerSpec::Dense(crate::network::image::avg_pool_dense(
                        &windows,
                        c * h * w,
                        None,
                    )));
                }
                mapping.push(format!("{} {k}", if max { "maxpool" } else { "avgpool" }));
                shape = Some(Shape::Image(c, oh, ow));
            }
            ArchItem::Linear(_) => {
                let m = &modules[index.expect("a linear item has a module")];
                let prefix = &m.name;
                let w = m.fields.get("weight").filter(|w| w.shape.len() == 2).ok_or_else(|| {
                    err(Some(prefix), "--arch says linear, but the module has no 2D weight")
                })?;
                let (out, inp) = (w.shape[0], w.shape[1]);
                if matches!(shape, Some(Shape::Image(..))) {
                    return Err(err(Some(prefix), "a linear layer after an image: add flatten to --arch"));
                }
                if out == 0 || inp == 0 {
                    return Err(err(
                        Some(prefix),
                        format!("weight of shape {:?}: a zero-size dimension", w.shape),
                    ));
                }
                if let Some(wd) = width.filter(|&wd| wd != inp) {
                    return Err(err(
                        Some(prefix),
                        format!("weight has {inp} inputs, the previous layer gives {wd}"),
                    ));
                }
                let weight = w.values.chunks(inp).map(|r| r.to_vec()).collect();
                let bias = match m.fields.get("bias") {
                    Some(b) if b.values.len() == out => b.values.clone(),
                    Some(_) => return Err(err(Some(prefix), "bias length differs from the weight's rows")),
                    None => vec![Q::from_integer(0.into()); out],
                };
                layers.push(LayerSpec::Dense(Dense { weight, bias }));
                mapping.push(format!("{prefix}: linear {inp} -> {out}"));
                shape = Some(Shape::Flat(out));
            }
            ArchItem::BatchNorm(_) => {
                let m = &modules[index.expect("a bn item has a module")];
                let prefix = &m.name;
                let get = |k: &str| {
                    m.fields.get(k).map(|t| &t.values).ok_or_else(|| err(Some(prefix), format!("no {k}")))
                };
                let (gamma, beta, mean, var) =
                    (get("weight")?, get("bias")?, get("running_mean")?, get("running_var")?);
                // A branch just begun: the last layer computes the carried values; fold into a
                // copy of them instead.
                if let Some((start, len)) = branch
                    && start == layers.len()
                {
                    layers.push(LayerSpec::Dense(Dense::identity(len)));
                }
                let Some(LayerSpec::Dense(dense)) = layers.last_mut() else {
                    return Err(err(Some(prefix), "batch norm must follow a linear layer to be folded"));
                };
                // BatchNorm1d: one value a row; BatchNorm2d after a convolution: one a channel.
                let per = match shape {
                    Some(Shape::Image(c, h, w)) if gamma.len() == c && dense.bias.len() == c * h * w => h * w,
                    _ => 1,
                };
                if gamma.len() * per != dense.bias.len()
                    || [beta, mean, var].iter().any(|v| v.len() != gamma.len())
                {
                    return Err(err(Some(prefix), "sizes differ from the preceding linear or conv layer"));
                }
                for o in 0..dense.bias.len() {
                    let ch = o / per;
                    let s =
                        bn_scale(&gamma[ch], &var[ch], bn_eps).map_err(|e| err(Some(prefix), e.problem))?;
                    for v in dense.weight[o].iter_mut() {
                        *v = &*v * &s;
                    }
                    dense.bias[o] = (&dense.bias[o] - &mean[ch]) * &s + &beta[ch];
                }
                mapping.push(format!("{prefix}: batch norm (folded)"));
            }
            ArchItem::Relu => {
                layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) });
                mapping.push("relu".into());
            }
            ArchItem::LeakyRelu(s) => {
                mapping.push(format!("leaky_relu {s}"));
                layers.push(LayerSpec::Activation { slope: s });
            }
            ArchItem::Identity => mapping.push("identity".into()),
        }
    }
    if branch.is_some() {
        return Err(err(None, "--arch: skip without add or cat after it"));
    }
    let input = match (input_dim.or(input_image), layers.first()) {
        (Some(d), _) => d,
        (None, Some(LayerSpec::Dense(d))) => d.weight.first().map_or(0, |r| r.len()),
        _ => return Err(err(None, "no linear layer first")),
    };
    let network = Network::from_layers(input, layers).map_err(|e| err(None, e.to_string()))?;
    Ok(Mapped { network, mapping })
}

#[cfg(test)]
mod tests {
    use super::*;

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
                ArchItem::Linear(None),
                ArchItem::BatchNorm(None),
                ArchItem::Relu,
                ArchItem::Identity,
                ArchItem::LeakyRelu(Q::new(1.into(), 10.into())),
                ArchItem::Linear(None)
            ]
        );
        assert!(parse_arch("linear,conv3d").is_err());
        assert_eq!(
            parse_arch("conv:2:1@c1").unwrap(),
            vec![ArchItem::Conv { module: Some("c1".into()), stride: 2, pad: 1 }]
        );
        assert_eq!(parse_arch("image:3x8x8").unwrap(), vec![ArchItem::Image(3, 8, 8)]);
        assert_eq!(
            parse_arch("linear@fc1, bn@norm").unwrap(),
            vec![ArchItem::Linear(Some("fc1".into())), ArchItem::BatchNorm(Some("norm".into()))]
        );
        assert!(parse_arch("relu@fc1").is_err());
        assert!(parse_arch("linear@").is_err());
    }
}
