//! Small, deterministic training of toy MLPs for the study: 2D data sets generated from a
//! seed, ReLU MLPs with optional batch norm and dropout, SGD or Adam, weight decay, and export
//! to an exact [`Network`] (parameters rounded to f32 as PyTorch stores them, batch norm
//! folded with its scale rounded to the nearest double, everything after that exact).
//!
//! Floats live only here, in training; the exported network is exact and everything
//! downstream decides exactly.

use crate::arith::num::{Q, from_f32_exact, from_f64_exact};
use crate::network::random::SplitMix64;
use crate::network::{Dense, LayerSpec, Network};

/// A labelled data set: points (all of one dimension) and class indices `0..classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub x: Vec<Vec<f64>>,
    pub y: Vec<usize>,
    pub classes: usize,
}

/// Why points and labels do not make a data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// No points.
    Empty,
    /// Points and labels differ in number.
    Lengths { points: usize, labels: usize },
    /// Point `index` has `dim` coordinates, the first point `expected` (at least 1).
    Dimension { index: usize, dim: usize, expected: usize },
    /// A coordinate that is NaN or infinite.
    NotFinite { index: usize },
    /// Fewer than two distinct labels: nothing to classify.
    OneClass,
    /// A label at or past [`MAX_CLASSES`] (one logit per class would be allocated).
    Label { index: usize, label: usize },
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataError::Empty => write!(f, "no data points"),
            DataError::Lengths { points, labels } => write!(f, "{points} points but {labels} labels"),
            DataError::Dimension { index, dim, expected } => {
                write!(f, "point {index} has {dim} coordinates, expected {expected}")
            }
            DataError::NotFinite { index } => write!(f, "point {index} has a coordinate that is not finite"),
            DataError::OneClass => write!(f, "fewer than two distinct labels"),
            DataError::Label { index, label } => {
                write!(f, "point {index} has label {label}; labels are class indices below {MAX_CLASSES}")
            }
        }
    }
}

impl std::error::Error for DataError {}

/// The most classes a data set may have (labels `0..MAX_CLASSES`).
pub const MAX_CLASSES: usize = 1000;

impl Dataset {
    /// A data set from points and labels; `classes` is the largest label plus one.
    pub fn new(x: Vec<Vec<f64>>, y: Vec<usize>) -> Result<Dataset, DataError> {
        if x.is_empty() {
            return Err(DataError::Empty);
        }
        if x.len() != y.len() {
            return Err(DataError::Lengths { points: x.len(), labels: y.len() });
        }
        let expected = x[0].len().max(1);
        for (index, p) in x.iter().enumerate() {
            if p.len() != expected {
                return Err(DataError::Dimension { index, dim: p.len(), expected });
            }
            if !p.iter().all(|v| v.is_finite()) {
                return Err(DataError::NotFinite { index });
            }
        }
        if let Some(index) = y.iter().position(|&c| c >= MAX_CLASSES) {
            return Err(DataError::Label { index, label: y[index] });
        }
        if y.iter().all(|&c| c == y[0]) {
            return Err(DataError::OneClass);
        }
        let classes = y.iter().max().map_or(0, |m| m + 1);
        Ok(Dataset { x, y, classes })
    }

    /// The input dimension.
    pub fn dim(&self) -> usize {
        self.x.first().map_or(0, Vec::len)
    }

    /// A seeded split into a training and a held-out test set: a shuffle from `seed`, then
    /// the last `round(test_fraction · n)` points (at least one, leaving at least one) are
    /// the test set, each keeping its original order.
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Dataset, Dataset) {
        let n = self.x.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = SplitMix64(seed ^ 0x5B11_7DA7);
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let k = ((test_fraction * n as f64).round() as usize).clamp(1, n.saturating_sub(1).max(1));
        let (mut train, mut test) = (order[..n - k].to_vec(), order[n - k..].to_vec());
        train.sort_unstable();
        test.sort_unstable();
        let take = |ids: &[usize]| Dataset {
            x: ids.iter().map(|&i| self.x[i].clone()).collect(),
            y: ids.iter().map(|&i| self.y[i]).collect(),
            classes: self.classes,
        };
        (take(&train), take(&test))
    }

    /// Square images (`dim = s²`, row-major) resized to `side × side` by nearest neighbour:
    /// pixel `(i, j)` takes source pixel `(⌊i·s/side⌋, ⌊j·s/side⌋)`. `None` when the
    /// dimension is not a square.
    pub fn upsample(&self, side: usize) -> Option<Dataset> {
        let d = self.dim();
        let s = (d as f64).sqrt().round() as usize;
        if s * s != d || side == 0 {
            return None;
        }
        let map: Vec<usize> =
            (0..side * side).map(|k| (k / side) * s / side * s + (k % side) * s / side).collect();
        Some(Dataset {
            x: self.x.iter().map(|p| map.iter().map(|&k| p[k]).collect()).collect(),
            y: self.y.clone(),
            classes: self.classes,
        })
    }
}

/// The UCI optical digits as shipped by scikit-learn (`fixtures/digits/digits.csv`: 1797
/// images of 8×8 pixels with values 0..16, labels 0..9; E. Alpaydin and C. Kaynak, UCI
/// Machine Learning Repository, 1998, doi:10.24432/C50P49, CC BY 4.0).
pub const DIGITS_CSV: &str = include_str!("../fixtures/digits/digits.csv");

/// The optical digits with pixels scaled to `[0, 1]` (value / 16, exact in binary): 64
/// inputs, 10 classes.
///
/// ```
/// let d = linregions::train::digits();
/// assert_eq!((d.x.len(), d.dim(), d.classes), (1797, 64, 10));
/// assert_eq!(d.upsample(28).unwrap().dim(), 784);
/// ```
pub fn digits() -> Dataset {
    let (x, y) = crate::formats::parse_labelled_csv(DIGITS_CSV).expect("the shipped digits parse");
    let x = x.into_iter().map(|p| p.into_iter().map(|v| v / 16.0).collect()).collect();
    Dataset::new(x, y).expect("the shipped digits are a data set")
}

/// The toy data sets.
pub const DATASETS: &[&str] = &["moons", "circles", "xor", "spirals", "blobs"];

/// Generate `n` points of a named toy data set (2D) from `seed`.
pub fn dataset(name: &str, n: usize, seed: u64) -> Option<Dataset> {
    let mut rng = SplitMix64(seed ^ 0x5EED_DA7A);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let classes = if name == "blobs" { 3 } else { 2 };
    for i in 0..n {
        let c = i % classes;
        let u = rng.unit();
        let p = match name {
            "moons" => {
                let t = std::f64::consts::PI * u;
                let (px, py) = if c == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
                [px + 0.1 * rng.normal(), py + 0.1 * rng.normal()]
            }
            "circles" => {
                let t = 2.0 * std::f64::consts::PI * u;
                let r = if c == 0 { 1.0 } else { 0.5 };
                [r * t.cos() + 0.05 * rng.normal(), r * t.sin() + 0.05 * rng.normal()]
            }
            "xor" => {
                let a = 2.0 * u - 1.0;
                let b = 2.0 * rng.unit() - 1.0;
                // label 1 where a*b > 0: choose the sign of b from the class.
                let b = if (a > 0.0) == (c == 1) { b.abs() } else { -b.abs() };
                [a, b]
            }
            "spirals" => {
                let t = 0.25 + 2.75 * u;
                let angle = 2.0 * t + if c == 1 { std::f64::consts::PI } else { 0.0 };
                [t / 3.0 * angle.cos() + 0.03 * rng.normal(), t / 3.0 * angle.sin() + 0.03 * rng.normal()]
            }
            "blobs" => {
                let centers = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.5]];
                [centers[c][0] + 0.4 * rng.normal(), centers[c][1] + 0.4 * rng.normal()]
            }
            _ => return None,
        };
        x.push(p.to_vec());
        y.push(c);
    }
    Some(Dataset { x, y, classes })
}

/// Training configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub hidden: Vec<usize>,
    pub batch_norm: bool,
    /// Dropout probability after each hidden ReLU (0 = off).
    pub dropout: f64,
    pub weight_decay: f64,
    pub adam: bool,
    pub lr: f64,
    pub epochs: usize,
    pub batch: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![16, 16],
            batch_norm: false,
            dropout: 0.0,
            weight_decay: 0.0,
            adam: true,
            lr: 0.01,
            epochs: 200,
            batch: 32,
            seed: 0,
        }
    }
}

/// Batch norm parameters and running statistics of one hidden layer.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNorm {
    pub gamma: Vec<f64>,
    pub beta: Vec<f64>,
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

const BN_EPS: f64 = 1e-5;
const BN_MOMENTUM: f64 = 0.1;

/// A ReLU MLP: `layers[l]` maps width `l` to width `l+1` (`w` row-major `[out][in]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub sizes: Vec<usize>,
    pub w: Vec<Vec<f64>>,
    pub b: Vec<Vec<f64>>,
    pub bn: Vec<Option<BatchNorm>>,
    pub dropout: f64,
}

/// Gradients, shaped like the parameters (`bn` holds `(dgamma, dbeta)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Grads {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<Vec<f64>>,
    pub bn: Vec<Option<(Vec<f64>, Vec<f64>)>>,
}

struct LayerCache {
    input: Vec<Vec<f64>>,
    zhat: Vec<Vec<f64>>,
    inv_std: Vec<f64>,
    pre_relu: Vec<Vec<f64>>,
    mask: Vec<Vec<f64>>,
}

impl Mlp {
    /// PyTorch's default initialisation: weights and biases `U(-1/sqrt(in), 1/sqrt(in))`.
    pub fn new(sizes: &[usize], batch_norm: bool, dropout: f64, rng: &mut SplitMix64) -> Mlp {
        let mut w = Vec::new();
        let mut b = Vec::new();
        let mut bn = Vec::new();
        for (l, win) in sizes.windows(2).enumerate() {
            let bound = 1.0 / (win[0] as f64).sqrt();
            w.push((0..win[0] * win[1]).map(|_| bound * (2.0 * rng.unit() - 1.0)).collect());
            b.push((0..win[1]).map(|_| bound * (2.0 * rng.unit() - 1.0)).collect());
            let hidden = l + 2 < sizes.len();
            bn.push((hidden && batch_norm).then(|| BatchNorm {
                gamma: vec![1.0; win[1]],
                beta: vec![0.0; win[1]],
                mean: vec![0.0; win[1]],
                var: vec![1.0; win[1]],
            }));
        }
        Mlp { sizes: sizes.to_vec(), w, b, bn, dropout }
    }

    fn n_layers(&self) -> usize {
        self.w.len()
    }

    /// Forward pass on a batch; `train` uses batch statistics (and updates running ones when
    /// `update`), and dropout masks from `rng` if given.
    fn forward(
        &mut self,
        x: &[Vec<f64>],
        train: bool,
        update: bool,
        mut rng: Option<&mut SplitMix64>,
    ) -> (Vec<Vec<f64>>, Vec<LayerCache>) {
        let mut h: Vec<Vec<f64>> = x.to_vec();
        let mut caches = Vec::new();
        let bsz = x.len() as f64;
        for l in 0..self.n_layers() {
            let (nin, nout) = (self.sizes[l], self.sizes[l + 1]);
            let z: Vec<Vec<f64>> = h
                .iter()
                .map(|row| {
                    (0..nout)
                        .map(|o| {
                            self.b[l][o] + (0..nin).map(|i| self.w[l][o * nin + i] * row[i]).sum::<f64>()
                        })
                        .collect()
                })
                .collect();
            if l + 1 == self.n_layers() {
                caches.push(LayerCache {
                    input: h,
                    zhat: vec![],
                    inv_std: vec![],
                    pre_relu: vec![],
                    mask: vec![],
                });
                return (z, caches);
            }
            let (y, zhat, inv_std) = match &mut self.bn[l] {
                None => (z.clone(), vec![], vec![]),
                Some(bn) => {
                    let (mean, var): (Vec<f64>, Vec<f64>) = if train {
                        let mean: Vec<f64> =
                            (0..nout).map(|o| z.iter().map(|r| r[o]).sum::<f64>() / bsz).collect();
                        let var: Vec<f64> = (0..nout)
                            .map(|o| z.iter().map(|r| (r[o] - mean[o]).powi(2)).sum::<f64>() / bsz)
                            .collect();
                        if update {
                            for o in 0..nout {
                                let unbiased = if bsz > 1.0 { var[o] * bsz / (bsz - 1.0) } else { var[o] };
                                bn.mean[o] = (1.0 - BN_MOMENTUM) * bn.mean[o] + BN_MOMENTUM * mean[o];
                                bn.var[o] = (1.0 - BN_MOMENTUM) * bn.var[o] + BN_MOMENTUM * unbiased;
                            }
                        }
                        (mean, var)
                    } else {
                        (bn.mean.clone(), bn.var.clone())
                    };
                    let inv_std: Vec<f64> = var.iter().map(|v| 1.0 / (v + BN_EPS).sqrt()).collect();
                    let zhat: Vec<Vec<f64>> = z
                        .iter()
                        .map(|r| (0..nout).map(|o| (r[o] - mean[o]) * inv_std[o]).collect())
                        .collect();
                    let y = zhat
                        .iter()
                        .map(|r| (0..nout).map(|o| bn.gamma[o] * r[o] + bn.beta[o]).collect())
                        .collect();
                    (y, zhat, inv_std)
                }
            };
            let keep = 1.0 - self.dropout;
            let mask: Vec<Vec<f64>> = match (&mut rng, train && self.dropout > 0.0) {
                (Some(r), true) => (0..y.len())
                    .map(|_| (0..nout).map(|_| if r.unit() < keep { 1.0 / keep } else { 0.0 }).collect())
                    .collect(),
                _ => vec![],
            };
            let out: Vec<Vec<f64>> = y
                .iter()
                .enumerate()
                .map(|(s, r)| {
                    (0..nout)
                        .map(|o| {
                            let a = r[o].max(0.0);
                            if mask.is_empty() { a } else { a * mask[s][o] }
                        })
                        .collect()
                })
                .collect();
            caches.push(LayerCache { input: h, zhat, inv_std, pre_relu: y, mask });
            h = out;
        }
        unreachable!("the last layer returns")
    }

    /// Logits in evaluation mode (running statistics, no dropout).
    pub fn predict(&self, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
        self.clone().forward(x, false, false, None).0
    }

    /// Mean loss and gradients on a batch (binary cross-entropy with one logit for two
    /// classes, softmax cross-entropy otherwise) plus the weight decay term on weights.
    pub fn loss_and_grads(
        &mut self,
        x: &[Vec<f64>],
        y: &[usize],
        weight_decay: f64,
        train: bool,
        update: bool,
        rng: Option<&mut SplitMix64>,
    ) -> (f64, Grads) {
        let (logits, caches) = self.forward(x, train, update, rng);
        let bsz = x.len() as f64;
        let k = *self.sizes.last().expect("sizes");
        let mut loss = 0.0;
        let mut delta: Vec<Vec<f64>> = Vec::with_capacity(x.len());
        for (z, &t) in logits.iter().zip(y) {
            if k == 1 {
                let z = z[0];
                let t = t as f64;
                loss += z.max(0.0) - z * t + (1.0 + (-z.abs()).exp()).ln();
                delta.push(vec![(1.0 / (1.0 + (-z).exp()) - t) / bsz]);
            } else {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
                loss += -(z[t] - m - s.ln());
                delta.push(
                    (0..k).map(|j| ((z[j] - m).exp() / s - if j == t { 1.0 } else { 0.0 }) / bsz).collect(),
                );
            }
        }
        loss /= bsz;
        let mut g = Grads {
            w: self.w.iter().map(|w| vec![0.0; w.len()]).collect(),
            b: self.b.iter().map(|b| vec![0.0; b.len()]).collect(),
            bn: self
                .bn
                .iter()
                .map(|bn| bn.as_ref().map(|p| (vec![0.0; p.gamma.len()], vec![0.0; p.gamma.len()])))
                .collect(),
        };
        for l in (0..self.n_layers()).rev() {
            let (nin, nout) = (self.sizes[l], self.sizes[l + 1]);
            let c = &caches[l];
            if l + 1 < self.n_layers() {
                // Through dropout and ReLU, then batch norm: delta becomes dL/dz.
                for (s, row) in delta.iter_mut().enumerate() {
                    for o in 0..nout {
                        if !c.mask.is_empty() {
                            row[o] *= c.mask[s][o];
                        }
                        if c.pre_relu[s][o] <= 0.0 {
                            row[o] = 0.0;
                        }
                    }
                }
                if let (Some(bn), Some((dg, db))) = (&self.bn[l], &mut g.bn[l]) {
                    for o in 0..nout {
                        let dy: Vec<f64> = delta.iter().map(|r| r[o]).collect();
                        dg[o] = dy.iter().zip(&c.zhat).map(|(d, zh)| d * zh[o]).sum();
                        db[o] = dy.iter().sum();
                        let dzhat: Vec<f64> = dy.iter().map(|d| d * bn.gamma[o]).collect();
                        if train {
                            let sum: f64 = dzhat.iter().sum();
                            let sum_z: f64 = dzhat.iter().zip(&c.zhat).map(|(d, zh)| d * zh[o]).sum();
                            for (s, row) in delta.iter_mut().enumerate() {
                                row[o] = c.inv_std[o] / bsz * (bsz * dzhat[s] - sum - c.zhat[s][o] * sum_z);
                            }
                        } else {
                            for (s, row) in delta.iter_mut().enumerate() {
                                row[o] = dzhat[s] * c.inv_std[o];
                            }
                        }
                    }
                }
            }
            for (s, row) in delta.iter().enumerate() {
                for o in 0..nout {
                    g.b[l][o] += row[o];
                    for i in 0..nin {
                        g.w[l][o * nin + i] += row[o] * c.input[s][i];
                    }
                }
            }
            if weight_decay > 0.0 {
                for (gw, w) in g.w[l].iter_mut().zip(&self.w[l]) {
                    *gw += weight_decay * w;
                }
                loss += 0.5 * weight_decay * self.w[l].iter().map(|w| w * w).sum::<f64>();
            }
            if l > 0 {
                delta = delta
                    .iter()
                    .map(|row| {
                        (0..nin).map(|i| (0..nout).map(|o| row[o] * self.w[l][o * nin + i]).sum()).collect()
                    })
                    .collect();
            }
        }
        (loss, g)
    }

    /// Flat views of every trainable parameter, in a fixed order.
    fn params_mut(&mut self) -> Vec<&mut f64> {
        let mut v: Vec<&mut f64> = Vec::new();
        for ((w, b), bn) in self.w.iter_mut().zip(self.b.iter_mut()).zip(self.bn.iter_mut()) {
            v.extend(w.iter_mut());
            v.extend(b.iter_mut());
            if let Some(bn) = bn {
                v.extend(bn.gamma.iter_mut());
                v.extend(bn.beta.iter_mut());
            }
        }
        v
    }
}

impl Grads {
    fn flat(&self) -> Vec<f64> {
        let mut v = Vec::new();
        for ((w, b), bn) in self.w.iter().zip(&self.b).zip(&self.bn) {
            v.extend(w);
            v.extend(b);
            if let Some((g, be)) = bn {
                v.extend(g);
                v.extend(be);
            }
        }
        v
    }
}

/// Maximum relative difference (denominator at least 1e-3, where finite differences are
/// only accurate to ~1e-10) between analytic gradients and central finite differences
/// on a batch (evaluation-free: batch statistics, no dropout). For tests.
pub fn gradient_check(mlp: &Mlp, x: &[Vec<f64>], y: &[usize], weight_decay: f64) -> f64 {
    let mut m = mlp.clone();
    m.dropout = 0.0;
    let analytic = m.loss_and_grads(x, y, weight_decay, true, false, None).1.flat();
    let n = analytic.len();
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for k in 0..n {
        let mut plus = m.clone();
        *plus.params_mut()[k] += h;
        let mut minus = m.clone();
        *minus.params_mut()[k] -= h;
        let lp = plus.loss_and_grads(x, y, weight_decay, true, false, None).0;
        let lm = minus.loss_and_grads(x, y, weight_decay, true, false, None).0;
        let numeric = (lp - lm) / (2.0 * h);
        let rel = (numeric - analytic[k]).abs() / (numeric.abs() + analytic[k].abs()).max(1e-3);
        worst = worst.max(rel);
    }
    worst
}

/// Train on a data set; returns the model and its final training accuracy (evaluation mode).
///
/// ```
/// use linregions::train::{TrainConfig, dataset, export, train};
/// let data = dataset("moons", 64, 1).unwrap();
/// let cfg = TrainConfig { hidden: vec![4], epochs: 2, ..TrainConfig::default() };
/// let (mlp, _accuracy) = train(&data, &cfg);
/// let net = export(&mlp); // an exact network: the trained f64 weights at their exact value
/// assert_eq!((net.input_dim(), net.layer_sizes()), (2, vec![4]));
/// ```
pub fn train(data: &Dataset, cfg: &TrainConfig) -> (Mlp, f64) {
    let mut rng = SplitMix64(cfg.seed);
    let out = if data.classes == 2 { 1 } else { data.classes };
    let mut sizes = vec![data.dim()];
    sizes.extend(&cfg.hidden);
    sizes.push(out);
    let mut mlp = Mlp::new(&sizes, cfg.batch_norm, cfg.dropout, &mut rng);
    let n = data.x.len();
    let (mut m1, mut m2): (Vec<f64>, Vec<f64>) = (vec![], vec![]);
    let mut step = 0i32;
    let mut order: Vec<usize> = (0..n).collect();
    for _ in 0..cfg.epochs {
        // Fisher–Yates with the seeded generator.
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for chunk in order.chunks(cfg.batch.max(2)) {
            if chunk.len() < 2 && cfg.batch_norm {
                continue;
            }
            let xb: Vec<Vec<f64>> = chunk.iter().map(|&i| data.x[i].clone()).collect();
            let yb: Vec<usize> = chunk.iter().map(|&i| data.y[i]).collect();
            let mut drop_rng = SplitMix64(rng.next_u64());
            let (_, g) = mlp.loss_and_grads(&xb, &yb, cfg.weight_decay, true, true, Some(&mut drop_rng));
            let g = g.flat();
            if m1.is_empty() {
                m1 = vec![0.0; g.len()];
                m2 = vec![0.0; g.len()];
            }
            step += 1;
            let lr = cfg.lr;
            for (k, p) in mlp.params_mut().into_iter().enumerate() {
                if cfg.adam {
                    m1[k] = 0.9 * m1[k] + 0.1 * g[k];
                    m2[k] = 0.999 * m2[k] + 0.001 * g[k] * g[k];
                    let mh = m1[k] / (1.0 - 0.9f64.powi(step));
                    let vh = m2[k] / (1.0 - 0.999f64.powi(step));
                    *p -= lr * mh / (vh.sqrt() + 1e-8);
                } else {
                    *p -= lr * g[k];
                }
            }
        }
    }
    let acc = accuracy(&mlp, data);
    (mlp, acc)
}

/// Accuracy in evaluation mode.
pub fn accuracy(mlp: &Mlp, data: &Dataset) -> f64 {
    let logits = mlp.predict(&data.x);
    let correct = logits
        .iter()
        .zip(&data.y)
        .filter(|(z, y)| {
            let pred = if z.len() == 1 {
                usize::from(z[0] > 0.0)
            } else {
                (0..z.len()).fold(0, |best, j| if z[j] > z[best] { j } else { best })
            };
            pred == **y
        })
        .count();
    correct as f64 / data.x.len() as f64
}

fn f32q(v: f64) -> Q {
    from_f32_exact(v as f32).expect("finite parameter")
}

/// Export as an exact network: parameters rounded to f32 (as PyTorch stores them), batch
/// norm folded exactly into the preceding dense layer with its scale `gamma/sqrt(var+eps)`
/// rounded to the nearest double (from the f32 values; `eps` is the double nearest 1e-5)
/// and then taken exactly, as [`crate::import`] does for PyTorch files.
pub fn export(mlp: &Mlp) -> Network {
    let mut layers = Vec::new();
    for l in 0..mlp.n_layers() {
        let (nin, nout) = (mlp.sizes[l], mlp.sizes[l + 1]);
        let mut weight: Vec<Vec<Q>> =
            (0..nout).map(|o| (0..nin).map(|i| f32q(mlp.w[l][o * nin + i])).collect()).collect();
        let mut bias: Vec<Q> = mlp.b[l].iter().map(|&v| f32q(v)).collect();
        if let Some(bn) = &mlp.bn[l] {
            for o in 0..nout {
                let exact = |x: f64| from_f32_exact(x as f32).expect("finite");
                let eps = from_f64_exact(BN_EPS).expect("finite");
                let scale = crate::import::bn_scale(&exact(bn.gamma[o]), &exact(bn.var[o]), &eps)
                    .expect("positive variance");
                for w in weight[o].iter_mut() {
                    *w = &*w * &scale;
                }
                bias[o] = (&bias[o] - exact(bn.mean[o])) * &scale + exact(bn.beta[o]);
            }
        }
        layers.push(LayerSpec::Dense(Dense { weight, bias }));
        if l + 1 < mlp.n_layers() {
            layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) });
        }
    }
    Network::from_layers(mlp.sizes[0], layers).expect("valid by construction")
}

/// The data set as CSV: `x,y,label` for 2D data, `x1,...,xd,label` otherwise (shortest
/// round-trip decimals, read back exactly).
pub fn dataset_csv(data: &Dataset) -> String {
    let d = data.dim();
    let mut s = if d == 2 {
        String::from("x,y,label\n")
    } else {
        (1..=d).map(|k| format!("x{k},")).collect::<String>() + "label\n"
    };
    for (p, c) in data.x.iter().zip(&data.y) {
        for v in p {
            s += &format!("{v},");
        }
        s += &format!("{c}\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_finite_differences() {
        let data = dataset("blobs", 12, 3).unwrap();
        let x: Vec<Vec<f64>> = data.x.iter().map(|p| p.to_vec()).collect();
        for (bn, classes) in [(false, 3), (true, 3), (false, 1), (true, 1)] {
            let mut rng = SplitMix64(9);
            let mlp = Mlp::new(&[2, 5, 4, classes], bn, 0.0, &mut rng);
            let y: Vec<usize> = data.y.iter().map(|&c| if classes == 1 { c % 2 } else { c }).collect();
            let err = gradient_check(&mlp, &x, &y, 1e-3);
            assert!(err < 1e-5, "bn={bn} classes={classes}: relative error {err}");
        }
    }

    #[test]
    fn training_learns_and_is_deterministic() {
        let data = dataset("moons", 200, 1).unwrap();
        let cfg = TrainConfig { hidden: vec![8, 8], epochs: 60, ..TrainConfig::default() };
        let (a, acc) = train(&data, &cfg);
        let (b, _) = train(&data, &cfg);
        assert_eq!(a, b);
        assert!(acc > 0.9, "moons accuracy {acc}");
        let bn = train(&data, &TrainConfig { batch_norm: true, ..cfg.clone() });
        let net = export(&bn.0);
        // The exported exact net agrees with the float model's predictions (eval mode) on
        // points away from the boundary.
        let x: Vec<Vec<f64>> = data.x.iter().map(|p| p.to_vec()).collect();
        let logits = bn.0.predict(&x);
        let mut agree = 0;
        for (p, z) in data.x.iter().zip(&logits) {
            let q: Vec<Q> = p.iter().map(|v| from_f64_exact(*v).unwrap()).collect();
            let exact = crate::arith::num::to_f64(&net.eval(&q)[0]);
            if (exact - z[0]).abs() <= 1e-4 * (1.0 + z[0].abs()) {
                agree += 1;
            }
        }
        assert_eq!(agree, data.x.len());
    }

    #[test]
    fn split_and_upsample() {
        let data = dataset("blobs", 50, 2).unwrap();
        let (train, test) = data.split(0.2, 7);
        assert_eq!((train.x.len(), test.x.len()), (40, 10));
        assert_eq!(data.split(0.2, 7), (train.clone(), test.clone()));
        assert_ne!(data.split(0.2, 8).1, test);
        // Every point is in exactly one part.
        let mut all: Vec<(Vec<u64>, usize)> = train
            .x
            .iter()
            .chain(&test.x)
            .zip(train.y.iter().chain(&test.y))
            .map(|(p, &c)| (p.iter().map(|v| v.to_bits()).collect(), c))
            .collect();
        let mut orig: Vec<(Vec<u64>, usize)> =
            data.x.iter().zip(&data.y).map(|(p, &c)| (p.iter().map(|v| v.to_bits()).collect(), c)).collect();
        all.sort();
        orig.sort();
        assert_eq!(all, orig);
        // 2x2 -> 3x3 by nearest neighbour: rows and columns 0,0,1.
        let img = Dataset::new(vec![vec![1.0, 2.0, 3.0, 4.0], vec![0.0; 4]], vec![0, 1]).unwrap();
        assert_eq!(img.upsample(3).unwrap().x[0], vec![1.0, 1.0, 2.0, 1.0, 1.0, 2.0, 3.0, 3.0, 4.0]);
        assert_eq!(img.upsample(2).unwrap(), img);
        assert!(dataset("moons", 4, 1).unwrap().upsample(3).is_none(), "2 is not a square");
        assert_eq!(Dataset::new(vec![vec![1.0]], vec![0]), Err(DataError::OneClass));
        // A hostile label must not size the output layer.
        assert_eq!(
            Dataset::new(vec![vec![1.0], vec![2.0]], vec![0, usize::MAX]),
            Err(DataError::Label { index: 1, label: usize::MAX })
        );
        assert_eq!(
            Dataset::new(vec![vec![1.0], vec![1.0, 2.0]], vec![0, 1]),
            Err(DataError::Dimension { index: 1, dim: 2, expected: 1 })
        );
        assert_eq!(
            Dataset::new(vec![vec![f64::NAN], vec![1.0]], vec![0, 1]),
            Err(DataError::NotFinite { index: 0 })
        );
    }

    /// The digits learn to a held-out accuracy far above chance (10 classes) in a few epochs,
    /// and the exported network is exact with 64 inputs and 10 logits.
    #[test]
    fn digits_learn() {
        let data = digits();
        assert_eq!(data.x.iter().flatten().fold(0.0f64, |a, &b| a.max(b)), 1.0);
        let (train_set, test) = data.split(0.2, 1);
        let cfg = TrainConfig { hidden: vec![16], epochs: 4, ..TrainConfig::default() };
        let (mlp, acc) = train(&train_set, &cfg);
        let test_acc = accuracy(&mlp, &test);
        assert!(acc > 0.8 && test_acc > 0.8, "train {acc}, test {test_acc}");
        let net = export(&mlp);
        assert_eq!((net.input_dim(), net.layer_sizes(), net.output_dim()), (64, vec![16], 10));
    }

    #[test]
    fn datasets_are_seeded() {
        for name in DATASETS {
            let a = dataset(name, 50, 7).unwrap();
            assert_eq!(a, dataset(name, 50, 7).unwrap());
            assert_ne!(a, dataset(name, 50, 8).unwrap());
        }
        assert!(dataset("nope", 5, 1).is_none());
    }
}
