//! The `linregions` command line: a thin layer over the library, one module per command
//! in `src/cli/`. Exit codes: 0 success, 1 failure (a check failed or an internal
//! inconsistency), 2 bad input.

mod cli;

use clap::{Parser, Subcommand};
use cli::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exact arithmetic allocates a BigInt per intermediate; mimalloc's thread-local free lists
/// are measurably faster than glibc's malloc for that pattern (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Enumerate every linear region of a ReLU network exactly.
#[derive(Parser)]
#[command(name = "linregions", version, about, long_about = None, after_help = "\
Examples:
  linregions enumerate fixtures/small2d.json
  linregions enumerate fixtures/net-2-8-8-1.json --box=-2:2 --json regions.json --dot regions.dot
  linregions enumerate fixtures/small2d.json --unbounded --json - --quiet
  linregions partition fixtures/net-2-16-16-1.json --box=-10:10 --json polygons.json
  linregions inspect fixtures/small2d.json --point 1/2,0.25
  linregions enumerate fixtures/small2d.json --json r.json && linregions verify fixtures/small2d.json r.json
  linregions compare fixtures/small2d.json --other fixtures/compare/patterns.txt --format patterns
  linregions train --data moons --bn -o net.json && linregions stats net.json --box=-1.5:2.5,-1:1.5
  linregions render fixtures/net-2-8-8-1.json --box=-3:3 --color inradius -o regions.svg
  linregions random --dims 2,16,16,1 --seed 1 -o net.json
  linregions completions bash > /etc/bash_completion.d/linregions

Exit codes: 0 ok, 1 failure, 2 bad input, 3 stopped by --max-regions or --time-limit (output incomplete).")]
struct Cli {
    /// Worker threads of the walk and the mesh (default: all cores). Output never depends on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Architecture of a PyTorch state_dict (.safetensors, torch.save) when the tensor names
    /// are not enough: comma-separated linear, bn, relu, leaky_relu:SLOPE, dropout, identity;
    /// a residual block as skip ... add, cat or cat:skip_first (the values at skip are carried);
    /// for CNNs image:CxHxW (first), conv[:STRIDE:PAD], avgpool:K, maxpool:K, flatten;
    /// linear@NAME, bn@NAME and conv@NAME name the module (fc1, encoder.0) that sits there.
    /// The mapping used is printed on stderr.
    #[arg(long, global = true, value_name = "SPEC")]
    arch: Option<String>,
    /// Batch norm epsilon of a PyTorch state_dict (taken as the nearest double, as PyTorch
    /// stores it).
    #[arg(long, global = true, default_value_t = 1e-5, value_name = "EPS")]
    bn_eps: f64,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Enumerate all full-dimensional regions of a domain and write them (JSON, DOT).
    #[command(after_help = "Examples:
  linregions enumerate fixtures/net-2-8-8-1.json
  linregions enumerate fixtures/net-2-8-8-1.json --box=-3:3 --json regions.json --dot regions.dot
  linregions enumerate fixtures/small2d.json --unbounded --volumes --linear --json -
  linregions enumerate model.safetensors --arch linear,bn,relu,linear --jsonl regions.jsonl
  linregions enumerate fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv")]
    Enumerate(EnumerateArgs),
    /// Join the parts of an enumeration run as jobs (`enumerate --shard I/N --json PART`) into
    /// the regions JSON one run writes, byte for byte.
    #[command(after_help = "Examples:
  for i in 0 1 2; do linregions enumerate net.json --unbounded --shard $i/3 --json part$i.json; done
  linregions merge part0.json part1.json part2.json --json regions.json")]
    Merge(MergeArgs),
    /// Exact polygons of every region of a 2D network (or a plane slice) in a bounded domain.
    ///
    /// The domain polygon is cut neuron by neuron (mesh splitting) in exact arithmetic:
    /// patterns, vertices, facets with their neurons and neighbours, areas. Much faster than
    /// `enumerate`, which also computes inspheres, logits and interior points.
    #[command(after_help = "Examples:
  linregions partition fixtures/net-2-8-8-1.json --box=-3:3
  linregions partition fixtures/net-2-16-16-1.json --box=-10:10 --json polygons.json
  linregions partition fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv --json -")]
    Partition(PartitionArgs),
    /// Show the region at a point: pattern, facets, inspheres, affine map.
    #[command(after_help = "Examples:
  linregions inspect fixtures/small2d.json --point 1/2,0.25
  linregions inspect fixtures/small2d.json --point 0,0 --json     (a boundary point)")]
    Inspect(InspectArgs),
    /// Check a regions file independently against the network (exit 0 only if all holds).
    #[command(after_help = "Examples:
  linregions enumerate fixtures/small2d.json --json r.json && linregions verify fixtures/small2d.json r.json
  linregions verify fixtures/small2d.json fixtures/verify/closure.json --json")]
    Verify(VerifyArgs),
    /// Compare another tool's output with the exact regions (exit 1 when they differ).
    #[command(after_help = "Examples:
  linregions compare fixtures/small2d.json --other fixtures/compare/patterns.txt --format patterns
  linregions compare fixtures/small2d.json --other fixtures/compare/points.csv --format points
  linregions compare fixtures/small2d.json --other fixtures/compare/regions.json --format regions --rtol 1e-4")]
    Compare(CompareArgs),
    /// Region properties of the study (inspheres, hyperplane directions, decision boundary,
    /// neighbour similarity): per-region table and aggregate summary (Markdown).
    #[command(after_help = "Examples:
  linregions stats fixtures/known_boundary.json --csv regions.csv
  linregions stats plain.json bn.json dropout.json --names plain,bn,dropout --box=-1.5:2.5,-1:1.5
  linregions stats net.json --points data.csv --json stats.json")]
    Stats(StatsArgs),
    /// Train a small ReLU MLP on a seeded toy 2D data set, the optical digits or a labelled CSV,
    /// report held-out accuracy, and write it as an exact network.
    #[command(after_help = "Examples:
  linregions train --data moons --hidden 16,16 --epochs 300 --seed 1 -o plain.json --data-out moons.csv
  linregions train --data moons --hidden 16,16 --bn -o bn.json
  linregions train --data blobs --dropout 0.2 --wd 1e-4 --optimizer sgd --lr 0.05 -o blobs.json
  linregions train --data digits --hidden 32,32 --epochs 30 -o digits.json --test-out test.csv
  linregions train --data digits --upsample 28 --hidden 64,64 --epochs 20 -o mnist-size.json
  linregions train --data labelled.csv --hidden 16 --test-fraction 0.3 -o net.json")]
    Train(TrainArgs),
    /// Draw the regions of a 2D network (or plane) as SVG or PNG (filled by pattern, class
    /// or inradius).
    #[command(after_help = "Examples:
  linregions render fixtures/net-2-8-8-1.json --box=-3:3 -o regions.svg
  linregions render net.json --box=-1.5:2.5,-1:1.5 --color class --inspheres -o moons.png
  linregions render fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv --color inradius --graph -o slice.svg")]
    Render(RenderArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write any accepted network (JSON, PyTorch state_dict, ONNX) as the exact JSON network.
    #[command(after_help = "Examples:
  linregions convert fixtures/torch/mlp.safetensors --arch linear,relu,linear -o mlp.json
  linregions convert fixtures/torch/mlp_bn.safetensors --arch linear,bn,relu,dropout,linear -o bn.json
  linregions convert fixtures/onnx/cnn.onnx -o cnn.json
  linregions convert fixtures/torch/custom_names.pt --arch linear@fc1,relu,linear@fc2 -o fc.json")]
    Convert {
        /// Input network: JSON, a PyTorch state_dict (.safetensors, torch.save .pt/.pth/.bin) or
        /// ONNX, told apart by content.
        input: PathBuf,
        /// Output file (`-` for stdout).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Write a seeded random ReLU network (weights N(0,1/fan_in), biases N(0,0.25), f32-exact).
    Random(RandomArgs),
}

/// mimalloc's `purge_delay` option: how long freed memory waits before it is returned to the
/// OS (-1: never).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Transparent huge pages off for this process (Linux; a no-op elsewhere or when refused):
/// the high-dimensional analyses allocate and free large blocks in turn, and with huge pages
/// each first touch zeroed 2 MiB. A 784-64-64-10 `stats --points` run of 2 points spent
/// 1.5-2.3 s of its 11 s in the kernel with them, 0.3 s without; a 2-128-128-1 `partition`
/// went from 0.9-1.1 s to 0.75 s; smaller runs are unchanged (BENCHMARKS.md).
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
        }
        const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
        // SAFETY: prctl with PR_SET_THP_DISABLE takes four unsigned long arguments (the flag
        // and three zeros) and only sets a flag of this process's memory map.
        let _ = unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
                0 as std::ffi::c_ulong,
            )
        };
    }
}

fn main() -> ExitCode {
    // Never return freed memory to the OS while running: the walk and the mesh free and
    // reallocate BigInts and rows all the time, and re-faulting purged pages cost 40% of a
    // 2-64-64-1 partition (BENCHMARKS.md). The peak memory is unchanged.
    // SAFETY: sets a plain option of the global allocator before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    no_transparent_huge_pages();
    let cli = Cli::parse();
    let import = Import { arch: cli.arch.clone(), bn_eps: cli.bn_eps };
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global()
    {
        eprintln!("error: --threads {n}: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.cmd {
        Cmd::Enumerate(a) => cmd_enumerate(a, &import),
        Cmd::Partition(a) => cmd_partition(a, &import),
        Cmd::Merge(a) => cmd_merge(a),
        Cmd::Inspect(a) => cmd_inspect(a, &import),
        Cmd::Random(a) => cmd_random(a),
        Cmd::Verify(a) => cmd_verify(a, &import),
        Cmd::Compare(a) => cmd_compare(a, &import),
        Cmd::Stats(a) => cmd_stats(a, &import),
        Cmd::Train(a) => cmd_train(a),
        Cmd::Render(a) => cmd_render(a, &import),
        Cmd::Convert { input, output } => no_clobber(&[&input], &[("--output", Some(&output))])
            .and_then(|_| load_network(&input, &import))
            .and_then(|net| write_out(&output, &linregions::formats::network_to_json(&net))),
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "linregions", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<CheckFailed>().is_some() => ExitCode::from(1),
        Err(e) if e.downcast_ref::<Incomplete>().is_some() => {
            eprintln!("linregions: {e}");
            ExitCode::from(3)
        }
        // The reader of standard output went away (`| head`): stop quietly, as Unix tools do.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<BadInput>().is_some() { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}
