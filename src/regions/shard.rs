//! One part of an enumeration split into `count` independent jobs (`enumerate --shard
//! I/N`), and the rule that gives every region exactly one owner.
//!
//! The domain is cut into slabs along the first input, `t_s <= x_0 <= t_{s+1}` (`t_0 = -∞`,
//! `t_N = +∞`; the cuts are a function of the network, the domain and `N` alone, so every
//! job computes the same ones). Job `s` walks its slab as a domain of its own: each region
//! `R` of the network meeting the slab's interior appears there as `R ∩ slab`. A facet of
//! `R ∩ slab` whose only source is the lower cut shows that `R` reaches below `t_s`: the
//! region then belongs to a lower job and is skipped. A region with no facet on a cut lies
//! inside the slab, so `R ∩ slab = R` and the slab's analysis is the region's own (every
//! measure is canonical: it does not depend on the domain's other rows or on the walk). A
//! region touching a cut otherwise (reaching above `t_{s+1}`, or with a facet of its own on
//! a cut, where the slab's analysis names the cut too) is analysed again in the whole
//! domain. So each region is written by the lowest job whose slab's interior it meets,
//! exactly as an unsharded run writes it, and merging the parts (sorted by pattern,
//! neighbours named by pattern) gives the unsharded document.

use super::enumerate::{EnumerateError, Options, Region, RegionOutcome, analyze_region, enumerate};
use crate::arith::num::Q;
use crate::geometry::{Domain, DomainError, Source};
use crate::network::Network;
use num_traits::{One, Zero};

/// The most parts an enumeration is split into (each part computes the `count - 1` cuts).
pub const MAX_SHARDS: usize = 1 << 20;

/// Which part of a sharded enumeration: `index` in `0..count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// The regions of one part, each as the whole domain's enumeration has it (sorted by
/// pattern; `id` is the index here, and neighbours are named by pattern only:
/// `Facet::neighbor` is `None`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ShardRegions {
    pub regions: Vec<Region>,
    /// The cuts `t_1 < ... < t_{N-1}` on the first input.
    pub cuts: Vec<Q>,
    /// Whether the whole domain is bounded.
    pub domain_bounded: bool,
    /// False when a limit stopped this part's walk.
    pub complete: bool,
}

/// The `count - 1` cuts on the first input: equal widths across a box; otherwise between
/// the quantiles of the first input's coordinate of the first layer's hyperplanes' feet (the
/// point of each nearest the origin, `-b_i a_i / |a_i|²`), where the regions crowd, made
/// strictly increasing.
pub fn shard_cuts(net: &Network, domain: &Domain, count: usize) -> Vec<Q> {
    if count < 2 {
        return Vec::new();
    }
    let n = Q::from_integer(count.into());
    if let Domain::Box { lo, hi } = domain {
        let w = &hi[0] - &lo[0];
        return (1..count).map(|s| &lo[0] + &w * Q::from_integer(s.into()) / &n).collect();
    }
    let mut feet: Vec<Q> = match net.hidden().first() {
        Some(h) => h
            .dense
            .weight
            .iter()
            .zip(&h.dense.bias)
            .filter_map(|(a, b)| {
                let norm2: Q = a.iter().map(|v| v * v).sum();
                (!norm2.is_zero()).then(|| -(b * &a[0]) / norm2)
            })
            .collect(),
        None => Vec::new(),
    };
    feet.sort();
    let mut cuts: Vec<Q> = Vec::with_capacity(count - 1);
    for s in 1..count {
        // Between two feet (a cut through a foot may lie on that neuron's hyperplane).
        let k = s * feet.len() / count;
        let mut t = match (k.checked_sub(1).and_then(|j| feet.get(j)), feet.get(k)) {
            (Some(a), Some(b)) => (a + b) / Q::from_integer(2.into()),
            (None, Some(b)) => b - Q::one(),
            (Some(a), None) => a + Q::one(),
            (None, None) => Q::from_integer(s.into()),
        };
        if let Some(prev) = cuts.last()
            && t <= *prev
        {
            t = prev + Q::one();
        }
        cuts.push(t);
    }
    cuts
}

/// Slab `index` of `domain` between `cuts`, as a domain, with the row numbers of its lower
/// and upper cut (`None` where the slab is not cut: the first and last slabs).
pub fn shard_domain(domain: &Domain, cuts: &[Q], index: usize) -> (Domain, Option<usize>, Option<usize>) {
    let lower = index.checked_sub(1).and_then(|i| cuts.get(i));
    let upper = cuts.get(index);
    if lower.is_none() && upper.is_none() {
        return (domain.clone(), None, None);
    }
    match domain {
        Domain::Box { lo, hi } => {
            let (mut lo, mut hi) = (lo.clone(), hi.clone());
            if let Some(t) = lower {
                lo[0] = t.clone();
            }
            if let Some(t) = upper {
                hi[0] = t.clone();
            }
            // A box's rows: the lower then upper side of each coordinate.
            (Domain::Box { lo, hi }, lower.map(|_| 0), upper.map(|_| 1))
        }
        _ => {
            let d = domain.dim();
            let (mut a, mut b): (Vec<Vec<Q>>, Vec<Q>) = domain.rows().into_iter().unzip();
            let unit = |sign: i64| {
                (0..d).map(|j| if j == 0 { Q::from_integer(sign.into()) } else { Q::zero() }).collect()
            };
            let mut rows = (None, None);
            if let Some(t) = lower {
                rows.0 = Some(a.len());
                a.push(unit(-1));
                b.push(-t);
            }
            if let Some(t) = upper {
                rows.1 = Some(a.len());
                a.push(unit(1));
                b.push(t.clone());
            }
            (Domain::Polytope { a, b }, rows.0, rows.1)
        }
    }
}

/// Part `shard` of the enumeration of `net` in `domain` (see the module docs): the regions
/// this part owns, each exactly as [`enumerate`] of the whole domain gives it.
pub fn enumerate_shard(
    net: &Network,
    domain: &Domain,
    shard: Shard,
    opts: &Options,
) -> Result<ShardRegions, EnumerateError> {
    if shard.count == 0 || shard.count > MAX_SHARDS || shard.index >= shard.count {
        return Err(EnumerateError::Internal(format!(
            "shard {}/{} does not exist",
            shard.index, shard.count
        )));
    }
    let d = net.input_dim();
    let domain_bounded = domain.validate(d).map_err(EnumerateError::Domain)?;
    let cuts = shard_cuts(net, domain, shard.count);
    let (piece, lower, upper) = shard_domain(domain, &cuts, shard.index);
    let mut out = ShardRegions { regions: Vec::new(), cuts, domain_bounded, complete: true };
    let e = match enumerate(net, &piece, opts) {
        Ok(e) => e,
        // A slab with no interior in the domain holds no region.
        Err(EnumerateError::Domain(DomainError::Empty | DomainError::LowerDimensional)) => return Ok(out),
        Err(e) => return Err(e),
    };
    out.complete = e.complete;
    let cut = |row: Option<usize>| row.map(Source::Domain);
    let (lower, upper) = (cut(lower), cut(upper));
    let rows = domain.rows();
    for mut r in e.regions {
        if r.facets.iter().any(|f| lower.is_some_and(|l| f.sources == [l])) {
            continue; // it reaches below the slab: a lower part's
        }
        // On a cut (the slab's, or the region's own facet there too): the slab's analysis
        // names the cut as a source, so the region is analysed in the whole domain.
        let on_cut = |s: &Source| Some(*s) == lower || Some(*s) == upper;
        if r.facets.iter().any(|f| f.sources.iter().any(on_cut)) {
            r = match analyze_region(net, &rows, domain_bounded, &r.pattern, None, opts, None) {
                RegionOutcome::Full(whole) => *whole,
                _ => {
                    return Err(EnumerateError::Internal(
                        "a region of a slab is not full-dimensional in the domain".into(),
                    ));
                }
            };
        }
        for f in &mut r.facets {
            f.neighbor = None;
        }
        out.regions.push(r);
    }
    // Sorted by pattern already (the slab's enumeration is); ids as indices.
    for (i, r) in out.regions.iter_mut().enumerate() {
        r.id = i;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::enumerate::enumerate;

    /// The parts of every split, together, are the whole enumeration region for region
    /// (patterns, facets, measures), each region in exactly one part.
    #[test]
    fn parts_partition_the_regions() {
        let net = crate::network::random::gaussian_net(&[2, 6, 5, 1], 4, 0.5);
        for domain in [
            Domain::Box { lo: vec![Q::from_integer((-3).into()); 2], hi: vec![Q::from_integer(3.into()); 2] },
            Domain::Whole { dim: 2 },
        ] {
            let whole = enumerate(&net, &domain, &Options::default()).unwrap();
            for count in [1, 2, 3, 7] {
                let mut got: Vec<Region> = Vec::new();
                for index in 0..count {
                    got.extend(
                        enumerate_shard(&net, &domain, Shard { index, count }, &Options::default())
                            .unwrap()
                            .regions,
                    );
                }
                got.sort_by(|a, b| a.pattern.cmp(&b.pattern));
                assert_eq!(got.len(), whole.regions.len(), "{count} parts of {domain:?}");
                for (g, w) in got.iter().zip(&whole.regions) {
                    // Every field the documents hold (a facet's relative-interior point
                    // is not written, and may be another point of the same facet).
                    let mut w = w.clone();
                    for (fw, fg) in w.facets.iter_mut().zip(&g.facets) {
                        (fw.neighbor, fw.point) = (None, fg.point.clone());
                    }
                    w.id = g.id;
                    assert_eq!(*g, w, "{count} parts of {domain:?}");
                }
            }
        }
    }
}
