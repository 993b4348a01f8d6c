//! The region of one point, computed directly from the point's pattern: no enumeration of
//! the domain, so its cost does not grow with the number of regions.

use crate::arith::num::{Q, dot};
use crate::geometry::domain::{Domain, DomainError};
use crate::network::{Dense, MapsCache, Network, NeuronId, Pattern, pattern_at};
use crate::regions::enumerate::{Crossing, Enumeration, Options, Region, RegionOutcome, analyze_region_from};
use crate::regions::properties::{RegionProps, region_props};
use petgraph::graph::UnGraph;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt;

/// The region at a point, as [`analyze_point`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PointRegion {
    /// The neurons whose pre-activation is exactly zero at the point (the point lies on
    /// their hyperplanes); empty for a point inside a region.
    pub vanishing: Vec<NeuronId>,
    /// The region: the one containing the point, or at a boundary point the one chosen by the
    /// lexicographic rule ([`pattern_at`]).
    pub region: Region,
}

/// Why [`analyze_point`] has no region to give.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PointError {
    /// The domain is not valid for the network.
    Domain(DomainError),
    /// The point has `got` coordinates, the network `expected` inputs.
    Dimension { expected: usize, got: usize },
    /// The point lies outside the domain.
    Outside,
    /// The point is on the domain's boundary and the region the rule chooses there (this
    /// pattern) does not meet the domain's interior.
    NotInDomain(Pattern),
}

impl fmt::Display for PointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PointError::Domain(e) => write!(f, "domain: {e}"),
            PointError::Dimension { expected, got } => {
                write!(f, "the point has {got} coordinates, the network {expected} inputs")
            }
            PointError::Outside => f.write_str("the point lies outside the domain"),
            PointError::NotInDomain(_) => {
                f.write_str("the region chosen at this boundary point does not meet the domain's interior")
            }
        }
    }
}

impl std::error::Error for PointError {}

/// The region containing `point` in `domain`, with every per-region measure of `opts`.
///
/// ```
/// use linregions::{Domain, Options, analyze_point, parse_network, parse_rational};
/// let net = parse_network(r#"{"input_dim": 1, "layers": [
///     {"type": "dense", "weight": [["1"]], "bias": ["0"]}, {"type": "relu"},
///     {"type": "dense", "weight": [["2"]], "bias": ["1"]}]}"#).unwrap();
/// let x = [parse_rational("1/2").unwrap()];
/// let found = analyze_point(&net, &Domain::default_box(1), &x, &Options::default()).unwrap();
/// assert_eq!(found.region.logits.weight[0][0], parse_rational("2").unwrap()); // 2·relu(x) + 1
/// assert!(found.vanishing.is_empty());
/// ```
pub fn analyze_point(
    net: &Network,
    domain: &Domain,
    point: &[Q],
    opts: &Options,
) -> Result<PointRegion, PointError> {
    let d = net.input_dim();
    if point.len() != d {
        return Err(PointError::Dimension { expected: d, got: point.len() });
    }
    let bounded = domain.validate(d).map_err(PointError::Domain)?;
    let rows = domain.rows();
    if rows.iter().any(|(r, b)| dot(r, point) > *b) {
        return Err(PointError::Outside);
    }
    let (pattern, vanishing) = pattern_at(net, point);
    match analyze_region_from(net, &rows, bounded, &pattern, None, Some(point), opts, None) {
        RegionOutcome::Full(r) => Ok(PointRegion { vanishing, region: *r }),
        // Only at a boundary point whose rule direction leaves the domain.
        _ => Err(PointError::NotInDomain(pattern)),
    }
}

/// The regions containing `points` in `domain`, each found directly by [`analyze_point`]
/// (no enumeration of the domain): an [`Enumeration`] of the distinct regions, sorted by
/// pattern with `id` = index (no edges: the neighbours are named on each facet by their
/// pattern), and the id of each point's region. The first point without a region is the
/// error, with its index. When [`Options::deadline`] passes, the ids cover the points
/// before the first one whose region was not analysed in time, and the enumeration is
/// marked not complete.
pub fn locate_points(
    net: &Network,
    domain: &Domain,
    points: &[Vec<Q>],
    opts: &Options,
) -> Result<(Enumeration, Vec<usize>), (usize, PointError)> {
    locate_points_with(net, domain, points, opts, &|_, _| {})
}

/// [`locate_points`] calling `progress(done, total)` (from any thread) after each analysis
/// of a distinct region, `total` being the number of distinct patterns among the points.
pub fn locate_points_with(
    net: &Network,
    domain: &Domain,
    points: &[Vec<Q>],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Enumeration, Vec<usize>), (usize, PointError)> {
    locate_points_then(net, domain, points, opts, progress, &|r| (r, ())).map(|(e, _, ids)| (e, ids))
}

/// [`locate_points_with`] and [`local_properties`] in one pass: each region's properties
/// are computed as soon as it is found, and then its facets are dropped (the regions
/// returned have none; the properties count them), so memory holds the facets of the
/// regions in progress only, not of every region (about 200 MB a region at 784 inputs).
/// The properties are those of [`local_properties`], in the regions' order.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, parse_rational as q, study_points};
/// let points = vec![vec![q("1/2").unwrap(), q("1/3").unwrap()], vec![q("1/2").unwrap(), q("2/5").unwrap()]];
/// let (e, props, ids) = study_points(&net, &Domain::default_box(2), &points, &Options::default(), false, &|_, _| {}).unwrap();
/// assert_eq!(ids.len(), 2);
/// assert_eq!(props.len(), e.regions.len());
/// assert!(e.regions.iter().all(|r| r.facets.is_empty()) && props.iter().all(|p| p.facets > 0));
/// ```
pub fn study_points(
    net: &Network,
    domain: &Domain,
    points: &[Vec<Q>],
    opts: &Options,
    certify: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Enumeration, Vec<RegionProps>, Vec<usize>), (usize, PointError)> {
    let layers = net.layer_sizes().len();
    let then = |mut r: Region| {
        let props = region_local_props(net, layers, &r, certify);
        r.facets = Vec::new();
        (r, props)
    };
    let (e, mut props, ids) = locate_points_then(net, domain, points, opts, progress, &then)?;
    for (i, p) in props.iter_mut().enumerate() {
        p.id = i;
    }
    Ok((e, props, ids))
}

/// [`locate_points_with`], passing each region found through `then` (which may keep
/// something of it, `T`, in the regions' order).
fn locate_points_then<T: Send>(
    net: &Network,
    domain: &Domain,
    points: &[Vec<Q>],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    then: &(dyn Fn(Region) -> (Region, T) + Sync),
) -> Result<(Enumeration, Vec<T>, Vec<usize>), (usize, PointError)> {
    let bounded = domain.validate(net.input_dim()).map_err(|e| (0, PointError::Domain(e)))?;
    let rows = domain.rows();
    // Each point's pattern (cheap), then one analysis per distinct pattern, of its first
    // point, in parallel: the same analyses as one by one in order, so the output does not
    // depend on the number of threads. The first point (in order) without a region is the
    // error.
    let patterns: Vec<Option<Pattern>> =
        points.par_iter().map(|x| (x.len() == net.input_dim()).then(|| pattern_at(net, x).0)).collect();
    let mut seen: std::collections::BTreeSet<&Pattern> = std::collections::BTreeSet::new();
    let reps: Vec<usize> = (0..points.len())
        .filter(|&k| match &patterns[k] {
            Some(p) => seen.insert(p),
            None => false,
        })
        .collect();
    // At the deadline ([`Options::deadline`]) analyses are skipped, and the points located
    // are those before the first one whose region was not analysed.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let analysed: Vec<(usize, Option<Result<(Region, T), PointError>>)> = reps
        .par_iter()
        .map(|&k| {
            let r = (!opts.past_deadline())
                .then(|| analyze_point(net, domain, &points[k], opts).map(|a| then(a.region)));
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, reps.len());
            (k, r)
        })
        .collect();
    let mut outcome: BTreeMap<usize, Option<Result<(Region, T), PointError>>> =
        analysed.into_iter().collect();
    let mut found: BTreeMap<Pattern, (Region, T)> = BTreeMap::new();
    let mut of_point = Vec::with_capacity(points.len());
    let mut complete = true;
    for (k, x) in points.iter().enumerate() {
        // A point whose pattern names a region met before needs no new analysis: only the
        // exact check that it lies in the domain.
        if let Some(p) = patterns[k].as_ref().filter(|p| found.contains_key(*p)) {
            if rows.iter().any(|(r, b)| dot(r, x) > *b) {
                return Err((k, PointError::Outside));
            }
            of_point.push(p.clone());
            continue;
        }
        // Analysed above if first of its pattern; else (a point on a boundary, whose region
        // by the lexicographic rule has another pattern) now.
        let r = match outcome.remove(&k) {
            Some(Some(r)) => r,
            None if !opts.past_deadline() => analyze_point(net, domain, x, opts).map(|a| then(a.region)),
            _ => {
                complete = false;
                break;
            }
        }
        .map_err(|e| (k, e))?;
        of_point.push(r.0.pattern.clone());
        found.insert(r.0.pattern.clone(), r);
    }
    let mut graph = UnGraph::<usize, Crossing>::default();
    let mut kept = Vec::with_capacity(found.len());
    let regions: Vec<Region> = found
        .into_values()
        .enumerate()
        .map(|(i, (mut r, t))| {
            r.id = i;
            graph.add_node(i);
            kept.push(t);
            r
        })
        .collect();
    let ids: Vec<usize> = of_point
        .iter()
        .map(|p| regions.binary_search_by(|r| r.pattern.cmp(p)).expect("every point's region was kept"))
        .collect();
    Ok((Enumeration { regions, graph, domain_bounded: bounded, complete }, kept, ids))
}

/// [`properties`](crate::regions::properties::properties) of regions found one by one
/// ([`locate_points`]): each neighbour's map is computed from its pattern, so the neighbours
/// need not be found. For a region of a complete enumeration the result is the same. With
/// `certify`, each region's class and piece decisions carry their evidence
/// ([`RegionProps::certificates`]; networks with two or more outputs).
pub fn local_properties(net: &Network, e: &Enumeration, certify: bool) -> Vec<RegionProps> {
    let layers = net.layer_sizes().len();
    e.regions.par_iter().map(|r| region_local_props(net, layers, r, certify)).collect()
}

/// The properties of one region of [`local_properties`].
fn region_local_props(net: &Network, layers: usize, r: &Region, certify: bool) -> RegionProps {
    // Neighbours differ from the region in few bits: through the cache their maps are
    // rank-one updates of the region's own layers.
    let cache = MapsCache::new(net);
    let own = net.pattern_maps_with(&r.pattern, Some(&cache));
    // Across one neuron's facet (almost every facet) the logits are a rank-one
    // update of the region's own sums; else the maps are composed.
    let base = net.flip_base(&r.pattern, &own);
    let maps: Vec<(Pattern, Dense)> = r
        .facets
        .iter()
        .filter_map(|f| f.neighbor_pattern.clone())
        .map(|p| {
            let logits = base
                .as_ref()
                .and_then(|b| net.flipped_logits(b, &r.pattern, &own, &p))
                .unwrap_or_else(|| net.pattern_maps_with(&p, Some(&cache)).logits);
            (p, logits)
        })
        .collect();
    let neighbors: Vec<(&Pattern, &Dense)> = maps.iter().map(|(p, l)| (p, l)).collect();
    region_props(net.input_dim(), layers, r, &neighbors, certify)
}

/// The regions at random points of `[0,1]^d` (coordinates `k/1000`) of random networks of
/// the widths `dims` (seeds `0..nets`, `per` points each, point seeds `seed + salt`), with
/// their networks: the high-dimensional test cases of the boundary LPs.
#[cfg(test)]
pub(crate) fn regions_at_random_points(
    dims: &[usize],
    nets: u64,
    per: usize,
    salt: u64,
) -> Vec<(u64, crate::network::Network, Region)> {
    let d = dims[0];
    let mut out = Vec::new();
    for seed in 0..nets {
        let net = crate::network::random::gaussian_net(dims, seed, 0.1);
        let mut rng = crate::network::random::SplitMix64(seed + salt);
        for _ in 0..per {
            let x: Vec<Q> =
                (0..d).map(|_| Q::new(((rng.next_u64() % 999) as i64 + 1).into(), 1000.into())).collect();
            let domain = crate::geometry::domain::Domain::default_box(d);
            let r = analyze_point(&net, &domain, &x, &Options::default()).unwrap().region;
            out.push((seed, net.clone(), r));
        }
    }
    out
}
