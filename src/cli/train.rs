//! `linregions train`: the small trainer of the study's networks.

use super::*;

#[derive(Args)]
pub(crate) struct TrainArgs {
    /// Data set: moons, circles, xor, spirals (2D, 2 classes, one logit), blobs (2D, 3
    /// classes), digits (the UCI optical digits: 1797 images of 8x8 pixels scaled to [0, 1],
    /// 10 classes) or a labelled CSV file `x1,...,xd,label` (labels 0, 1, ... below 1000; two classes
    /// give one logit).
    #[arg(long, value_name = "NAME|FILE.csv")]
    pub(crate) data: String,
    /// Number of points of a generated 2D data set (its test set has a quarter as many,
    /// generated apart).
    #[arg(long, default_value_t = 400)]
    pub(crate) samples: usize,
    /// Held-out fraction of digits or a CSV data set (not trained on; its accuracy is
    /// reported).
    #[arg(long, default_value_t = 0.2, value_name = "F")]
    pub(crate) test_fraction: f64,
    /// Seed of a generated 2D data set (default: --seed), so that networks of several seeds
    /// share one data set.
    #[arg(long, value_name = "SEED")]
    pub(crate) data_seed: Option<u64>,
    /// Seed of the held-out split, apart from --seed so that networks of several seeds
    /// share one test set.
    #[arg(long, default_value_t = 0, value_name = "SEED")]
    pub(crate) split_seed: u64,
    /// Resize square images (d = s²) to SIDE x SIDE pixels by nearest neighbour, e.g.
    /// `--upsample 28` makes the 8x8 digits MNIST-sized (784 inputs).
    #[arg(long, value_name = "SIDE")]
    pub(crate) upsample: Option<usize>,
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
    /// Also write the training set as CSV (`x,y,label` in 2D, `x1,...,xd,label` otherwise).
    #[arg(long, value_name = "FILE")]
    pub(crate) data_out: Option<PathBuf>,
    /// Also write the held-out test set as CSV.
    #[arg(long, value_name = "FILE")]
    pub(crate) test_out: Option<PathBuf>,
}

pub(crate) fn cmd_train(a: TrainArgs) -> Result<()> {
    use linregions::train;
    let data_file =
        (!train::DATASETS.contains(&a.data.as_str()) && a.data != "digits").then(|| PathBuf::from(&a.data));
    no_clobber(
        &data_file.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        &[
            ("--output", Some(&a.output)),
            ("--data-out", a.data_out.as_ref()),
            ("--test-out", a.test_out.as_ref()),
        ],
    )?;
    if a.samples < 2 || a.hidden.is_empty() || a.hidden.contains(&0) || a.epochs == 0 || a.batch == 0 {
        return Err(bad("--samples >= 2, --hidden positive widths, --epochs and --batch positive"));
    }
    if !(0.0..1.0).contains(&a.dropout)
        || !(a.lr > 0.0 && a.lr.is_finite())
        || !(a.wd >= 0.0 && a.wd.is_finite())
    {
        return Err(bad("--dropout in [0, 1), --lr > 0 and --wd >= 0"));
    }
    if !(a.test_fraction > 0.0 && a.test_fraction < 1.0) {
        return Err(bad("--test-fraction in (0, 1)"));
    }
    let (data, test) = match (&data_file, a.data.as_str()) {
        (None, "digits") => train::digits().split(a.test_fraction, a.split_seed),
        (None, name) => {
            let seed = a.data_seed.unwrap_or(a.seed);
            let data = train::dataset(name, a.samples, seed).expect("a listed data set");
            let test = train::dataset(name, (a.samples / 4).max(2), seed ^ 0x7E57_0000_0000)
                .expect("a listed data set");
            (data, test)
        }
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                bad(format!(
                    "--data {}: neither a data set ({}, digits) nor a readable file: {e}",
                    path.display(),
                    train::DATASETS.join(", ")
                ))
            })?;
            let (x, y) =
                formats::parse_labelled_csv(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
            let data = train::Dataset::new(x, y).map_err(|e| bad(format!("{}: {e}", path.display())))?;
            data.split(a.test_fraction, a.split_seed)
        }
    };
    let (data, test) = match a.upsample {
        None => (data, test),
        Some(side) => {
            let up = |d: &train::Dataset| {
                d.upsample(side).ok_or_else(|| {
                    bad(format!(
                        "--upsample {side}: the data has {} inputs, not a square image size",
                        d.dim()
                    ))
                })
            };
            if !(1..=64).contains(&side) {
                return Err(bad("--upsample: SIDE in 1..=64"));
            }
            (up(&data)?, up(&test)?)
        }
    };
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
    let test_acc = train::accuracy(&mlp, &test);
    let net = train::export(&mlp);
    write_out(&a.output, &formats::network_to_json(&net))?;
    if let Some(p) = &a.data_out {
        write_out(p, &train::dataset_csv(&data))?;
    }
    if let Some(p) = &a.test_out {
        write_out(p, &train::dataset_csv(&test))?;
    }
    let d = data.dim();
    let (mut lo, mut hi) = (vec![f64::INFINITY; d], vec![f64::NEG_INFINITY; d]);
    for p in &data.x {
        for j in 0..d {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    let span = if d == 2 {
        format!("[{:.3},{:.3}]x[{:.3},{:.3}]", lo[0], hi[0], lo[1], hi[1])
    } else {
        let (l, h) = (
            lo.iter().fold(f64::INFINITY, |a, &b| a.min(b)),
            hi.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)),
        );
        format!("within [{l:.3},{h:.3}]^{d}")
    };
    let msg = format!(
        "trained   {} on {} ({} points), train accuracy {:.4}\ntest      {} held-out points, test accuracy {:.4}\ndata box  {span}\n",
        net.shape_string(),
        a.data,
        data.x.len(),
        acc,
        test.x.len(),
        test_acc,
    );
    say(&msg, a.output == Path::new("-"));
    Ok(())
}
