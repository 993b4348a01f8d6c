//! `linregions train`: the small trainer of the study's networks.

use super::*;

#[derive(Args)]
pub(crate) struct TrainArgs {
    /// Data set: moons, circles, xor, spirals (2 classes, one logit) or blobs (3 classes).
    #[arg(long)]
    pub(crate) data: String,
    /// Number of data points.
    #[arg(long, default_value_t = 400)]
    pub(crate) samples: usize,
    /// Hidden widths.
    #[arg(long, value_delimiter = ',', default_value = "16,16")]
    pub(crate) hidden: Vec<usize>,
    /// Batch norm after every hidden dense layer (folded into it at export).
    #[arg(long)]
    pub(crate) bn: bool,
    /// Dropout probability after every hidden ReLU.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) dropout: f64,
    /// L2 weight decay on the weights.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) wd: f64,
    /// Optimiser.
    #[arg(long, default_value = "adam", value_parser = ["adam", "sgd"])]
    pub(crate) optimizer: String,
    #[arg(long, default_value_t = 0.01)]
    pub(crate) lr: f64,
    #[arg(long, default_value_t = 200)]
    pub(crate) epochs: usize,
    #[arg(long, default_value_t = 32)]
    pub(crate) batch: usize,
    /// Seed of the data, the initialisation, the batches and dropout.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Output network file (`-` for stdout).
    #[arg(long, short)]
    pub(crate) output: PathBuf,
    /// Also write the data set as CSV `x,y,label`.
    #[arg(long, value_name = "FILE")]
    pub(crate) data_out: Option<PathBuf>,
}

pub(crate) fn cmd_train(a: TrainArgs) -> Result<()> {
    use linregions::train;
    no_clobber(&[], &[("--output", Some(&a.output)), ("--data-out", a.data_out.as_ref())])?;
    let data = train::dataset(&a.data, a.samples, a.seed).ok_or_else(|| {
        bad(format!("--data {}: unknown data set (one of {})", a.data, train::DATASETS.join(", ")))
    })?;
    if a.samples < 2 || a.hidden.is_empty() || a.hidden.contains(&0) || a.epochs == 0 || a.batch == 0 {
        return Err(bad("--samples >= 2, --hidden positive widths, --epochs and --batch positive"));
    }
    if !(0.0..1.0).contains(&a.dropout)
        || !(a.lr > 0.0 && a.lr.is_finite())
        || !(a.wd >= 0.0 && a.wd.is_finite())
    {
        return Err(bad("--dropout in [0, 1), --lr > 0 and --wd >= 0"));
    }
    let cfg = train::TrainConfig {
        hidden: a.hidden.clone(),
        batch_norm: a.bn,
        dropout: a.dropout,
        weight_decay: a.wd,
        adam: a.optimizer == "adam",
        lr: a.lr,
        epochs: a.epochs,
        batch: a.batch,
        seed: a.seed,
    };
    let (mlp, acc) = train::train(&data, &cfg);
    let net = train::export(&mlp);
    write_out(&a.output, &formats::network_to_json(&net))?;
    if let Some(p) = &a.data_out {
        write_out(p, &train::dataset_csv(&data))?;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &data.x {
        for j in 0..2 {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    let msg = format!(
        "trained   {} on {} ({} points), train accuracy {:.4}\ndata box  [{:.3},{:.3}]x[{:.3},{:.3}]\n",
        net.shape_string(),
        a.data,
        data.x.len(),
        acc,
        lo[0],
        hi[0],
        lo[1],
        hi[1]
    );
    say(&msg, a.output == Path::new("-"));
    Ok(())
}
