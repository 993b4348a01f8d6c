//! The region of one point, computed directly from the point's pattern: no enumeration of
//! the domain, so its cost does not grow with the number of regions.

use crate::arith::num::{Q, dot};
use crate::geometry::domain::{Domain, DomainError};
use crate::network::{Network, NeuronId, Pattern, pattern_at};
use crate::regions::enumerate::{Options, Region, RegionOutcome, analyze_region_from};
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
