//! `linregions random`: a seeded random network.

use super::*;

#[derive(Args)]
pub(crate) struct RandomArgs {
    /// Widths, input first: 2,16,16,1.
    #[arg(long, value_delimiter = ',', required = true)]
    pub(crate) dims: Vec<usize>,
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Standard deviation of the biases.
    #[arg(long, default_value_t = 0.5)]
    pub(crate) bias_std: f64,
    /// Output file (`-` or absent: standard output).
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}

pub(crate) fn cmd_random(a: RandomArgs) -> Result<()> {
    if a.dims.len() < 2 || a.dims.contains(&0) {
        return Err(bad("--dims needs at least two positive widths (input and output)"));
    }
    if !(a.bias_std.is_finite() && a.bias_std >= 0.0) {
        return Err(bad("--bias-std must be a finite non-negative number"));
    }
    let net = linregions::random::gaussian_net(&a.dims, a.seed, a.bias_std);
    let text = formats::network_to_json(&net);
    write_out(a.output.as_deref().unwrap_or(Path::new("-")), &text)
}
