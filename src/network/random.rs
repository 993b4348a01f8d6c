//! Seeded random networks for tests, fixtures and benchmarks: weights `N(0, 1/fan_in)`,
//! biases `N(0, bias_std²)`, each drawn in f64, rounded to f32 (as PyTorch stores them) and
//! then taken at its exact binary value. The generator (SplitMix64 + Box–Muller) is fixed
//! here, so a seed names the same network on every machine and version.

use crate::arith::num::{Q, from_f32_exact};
use crate::network::{Dense, LayerSpec, Network};

/// SplitMix64: a tiny, fixed, well-mixed 64-bit generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller, one value per call).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Uniform integer in `[-k, k]`.
    pub fn small_int(&mut self, k: i64) -> i64 {
        (self.next_u64() % (2 * k as u64 + 1)) as i64 - k
    }
}

fn exact(x: f64) -> Q {
    from_f32_exact(x as f32).expect("finite")
}

/// A ReLU network with widths `dims` (`[2, 16, 16, 1]`: input 2, two hidden layers of 16,
/// one output); `bias_std` is the standard deviation of the biases (0.5 gives N(0, 0.25)).
///
/// ```
/// let a = linregions::random::gaussian_net(&[2, 8, 8, 1], 7, 0.5);
/// assert_eq!((a.input_dim(), a.layer_sizes(), a.output_dim()), (2, vec![8, 8], 1));
/// assert_eq!(a, linregions::random::gaussian_net(&[2, 8, 8, 1], 7, 0.5)); // seeded: the same net
/// ```
pub fn gaussian_net(dims: &[usize], seed: u64, bias_std: f64) -> Network {
    assert!(dims.len() >= 2, "need at least input and output widths");
    let mut rng = SplitMix64(seed);
    let mut layers = Vec::new();
    for (i, w) in dims.windows(2).enumerate() {
        let (fan_in, fan_out) = (w[0], w[1]);
        let scale = 1.0 / (fan_in as f64).sqrt();
        let weight =
            (0..fan_out).map(|_| (0..fan_in).map(|_| exact(rng.normal() * scale)).collect()).collect();
        let bias = (0..fan_out).map(|_| exact(rng.normal() * bias_std)).collect();
        layers.push(LayerSpec::Dense(Dense { weight, bias }));
        if i + 2 < dims.len() {
            layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) });
        }
    }
    Network::from_layers(dims[0], layers).expect("valid by construction")
}

/// A ReLU network with small integer weights and biases in `[-k, k]` (for property tests:
/// small integers make degenerate configurations frequent).
pub fn integer_net(dims: &[usize], seed: u64, k: i64) -> Network {
    let mut rng = SplitMix64(seed);
    let mut layers = Vec::new();
    for (i, w) in dims.windows(2).enumerate() {
        let weight = (0..w[1])
            .map(|_| (0..w[0]).map(|_| Q::from_integer(rng.small_int(k).into())).collect())
            .collect();
        let bias = (0..w[1]).map(|_| Q::from_integer(rng.small_int(k).into())).collect();
        layers.push(LayerSpec::Dense(Dense { weight, bias }));
        if i + 2 < dims.len() {
            layers.push(LayerSpec::Activation { slope: Q::from_integer(0.into()) });
        }
    }
    Network::from_layers(dims[0], layers).expect("valid by construction")
}
