//! `enumerate --shard I/N` (one part of an enumeration run as N jobs) and `linregions
//! merge` (the parts joined into the unsharded document).

use super::*;
use linregions::{Shard, enumerate_shard};

/// `--shard SPEC`: `I/N`, either side `auto` (plain `auto` is `auto/auto`). An `auto` index
/// is `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN` (a Slurm job array) or
/// `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job); an `auto` count is
/// `SLURM_ARRAY_TASK_COUNT`. `env` looks a variable up.
pub(crate) fn parse_shard_spec(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
    let (i, n) = match spec.split_once('/') {
        Some((i, n)) => (i.trim(), n.trim()),
        None if spec.trim() == "auto" => ("auto", "auto"),
        None => return Err(bad(format!("--shard {spec}: expected I/N (e.g. 0/4), auto/N or auto"))),
    };
    let number = |name: &str, text: &str| -> Result<usize> {
        text.trim()
            .parse::<usize>()
            .map_err(|_| bad(format!("--shard {spec}: {name} {text:?} is not a whole number")))
    };
    let count = if n == "auto" {
        match env("SLURM_ARRAY_TASK_COUNT") {
            Some(v) => number("SLURM_ARRAY_TASK_COUNT", &v)?,
            None => {
                return Err(bad(format!(
                    "--shard {spec}: the count N is auto but SLURM_ARRAY_TASK_COUNT is not set (give it: auto/N)"
                )));
            }
        }
    } else {
        number("N", n)?
    };
    let index = if i == "auto" {
        match (env("SLURM_ARRAY_TASK_ID"), env("JOB_COMPLETION_INDEX")) {
            (Some(id), _) => {
                let min = match env("SLURM_ARRAY_TASK_MIN") {
                    Some(m) => number("SLURM_ARRAY_TASK_MIN", &m)?,
                    None => 0,
                };
                number("SLURM_ARRAY_TASK_ID", &id)?.checked_sub(min).ok_or_else(|| {
                    bad(format!(
                        "--shard {spec}: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                    ))
                })?
            }
            (None, Some(k)) => number("JOB_COMPLETION_INDEX", &k)?,
            (None, None) => {
                return Err(bad(format!(
                    "--shard {spec}: the index is auto but neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"
                )));
            }
        }
    } else {
        number("I", i)?
    };
    if count > linregions::MAX_SHARDS {
        return Err(bad(format!("--shard {spec}: at most {} parts", linregions::MAX_SHARDS)));
    }
    if count == 0 || index >= count {
        return Err(bad(format!("--shard {spec}: part {index} of {count} does not exist (I from 0 to N-1)")));
    }
    Ok(Shard { index, count })
}

/// `enumerate NET --shard I/N --json PART`: this part's regions (see
/// `linregions::internals::regions::shard`).
pub(crate) fn cmd_enumerate_shard(
    a: &EnumerateArgs,
    spec: &str,
    net: &Network,
    plane: Option<&Plane>,
    domain: &Domain,
    opts: &Options,
) -> Result<()> {
    let shard = parse_shard_spec(spec, &|k| std::env::var(k).ok())?;
    let out = a.json.as_ref().ok_or_else(|| bad("--shard writes its part with --json PART"))?;
    let t0 = Instant::now();
    let part = enumerate_shard(net, domain, shard, opts).map_err(|e| match e {
        linregions::EnumerateError::Domain(de) => bad(format!("domain: {de}")),
        other => anyhow!(other),
    })?;
    write_with(out, |w| formats::write_shard_json(w, net, domain, shard, &part, plane))?;
    if !a.quiet {
        let cuts: Vec<String> = part.cuts.iter().map(fmt_q).collect();
        let text = format!(
            "network   {} ({})\ndomain    {}\nshard     part {} of {} (slabs of the first input cut at {})\nregions   {} in this part{}\ntime      {:.3} s\n",
            net.shape_string(),
            activation_names(net),
            domain.describe(),
            shard.index,
            shard.count,
            if cuts.is_empty() { "none".to_string() } else { cuts.join(", ") },
            part.regions.len(),
            if part.complete { "" } else { ", INCOMPLETE: stopped by a limit" },
            t0.elapsed().as_secs_f64()
        );
        say(&text, out == Path::new("-"));
    }
    if !part.complete {
        return Err(a.limits.stopped(part.regions.len()));
    }
    Ok(())
}

#[derive(Args)]
pub(crate) struct MergeArgs {
    /// The part files of one run (`enumerate --shard I/N --json PART`), every part once, in
    /// any order.
    #[arg(required = true)]
    pub(crate) parts: Vec<PathBuf>,
    /// Write the merged regions JSON here (`-` for standard output): the bytes the
    /// unsharded `enumerate --json` writes.
    #[arg(long, value_name = "FILE")]
    pub(crate) json: PathBuf,
    /// Print no summary.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

pub(crate) fn cmd_merge(a: MergeArgs) -> Result<()> {
    let inputs: Vec<&Path> = a.parts.iter().map(|p| p.as_path()).collect();
    no_clobber(&inputs, &[("--json", Some(&a.json))])?;
    let mut parts = Vec::with_capacity(a.parts.len());
    for p in &a.parts {
        let text = read(p)?;
        parts.push(formats::parse_shard(&text).map_err(|e| bad(format!("{}: {e}", p.display())))?);
    }
    let n = parts.len();
    let merged = formats::merge_shards(parts).map_err(|e| bad(format!("merging {n} parts: {e}")))?;
    write_with(&a.json, |w| formats::write_merged(w, &merged))?;
    if !a.quiet {
        say(
            &format!(
                "merged    {n} parts: {} regions{}\n",
                merged.len(),
                if merged.complete { "" } else { ", INCOMPLETE: a part was stopped by a limit" }
            ),
            a.json == Path::new("-"),
        );
    }
    if !merged.complete {
        return Err(anyhow!(Incomplete(format!(
            "{} regions merged from parts a limit stopped",
            merged.len()
        ))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_and_scheduler_variables() {
        let none = |_: &str| None;
        assert_eq!(parse_shard_spec("2/5", &none).unwrap(), Shard { index: 2, count: 5 });
        for bad in ["5/5", "x/2", "1", "auto", "auto/3", "-1/2", "0/0"] {
            assert!(parse_shard_spec(bad, &none).is_err(), "{bad}");
        }
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("4".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(parse_shard_spec("auto", &slurm).unwrap(), Shard { index: 3, count: 8 });
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "6".to_string());
        assert_eq!(parse_shard_spec("auto/7", &k8s).unwrap(), Shard { index: 6, count: 7 });
        assert!(parse_shard_spec("auto/6", &k8s).is_err());
    }
}
