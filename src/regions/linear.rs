//! Linear regions: activation regions that meet across a facet with the same affine map of
//! the logits (dead units, cancelling neurons) are parts of one linear region. A linear
//! region here is a connected component of the graph of equal-map neighbours.
//!
//! Convexity of a component `U` is decided exactly: `U` is convex iff every member region
//! lies on the inner side of every boundary facet of `U` (a facet whose far side is not in
//! `U`). Necessity is clear; sufficiency: if `U` lies in the intersection `K` of those
//! half-spaces and `x` in `K \ U`, a generic segment from an interior point of `U` to `x`
//! leaves `U` through the relative interior of a boundary facet and would then violate that
//! facet's half-space, which contains `x`.

use crate::lp::{LpOutcome, maximize_primal};
use crate::regions::enumerate::Enumeration;

/// The linear regions of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearRegions {
    /// Linear region id of every activation region (ids numbered by smallest member).
    pub of_region: Vec<usize>,
    /// Members of every linear region, sorted.
    pub members: Vec<Vec<usize>>,
    /// Whether each linear region is convex.
    pub convex: Vec<bool>,
    /// Adjacent linear regions `(a, b)`, `a < b`, sorted, deduplicated.
    pub edges: Vec<(usize, usize)>,
}

fn find(parent: &mut [usize], x: usize) -> usize {
    let mut r = x;
    while parent[r] != r {
        r = parent[r];
    }
    let mut y = x;
    while parent[y] != r {
        let next = parent[y];
        parent[y] = r;
        y = next;
    }
    r
}

/// Group the regions of `e` into linear regions.
///
/// ```
/// use linregions::{Domain, Options, enumerate, linear_regions, parse_network};
/// // relu(x) - relu(-x) = x: two activation regions, one affine map, one linear region.
/// let net = parse_network(r#"{"input_dim": 1, "layers": [
///     {"type": "dense", "weight": [["1"], ["-1"]], "bias": ["0", "0"]}, {"type": "relu"},
///     {"type": "dense", "weight": [["1", "-1"]], "bias": ["0"]}]}"#).unwrap();
/// let e = enumerate(&net, &Domain::default_box(1), &Options::default()).unwrap();
/// let l = linear_regions(&e);
/// assert_eq!((e.regions.len(), l.members.len(), l.convex[0]), (2, 1, true));
/// ```
pub fn linear_regions(e: &Enumeration) -> LinearRegions {
    let n = e.regions.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (a, b, _) in e.edges() {
        if e.regions[a].logits == e.regions[b].logits {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut of_region = vec![usize::MAX; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut root_id = vec![usize::MAX; n];
    for i in 0..n {
        let r = find(&mut parent, i);
        if root_id[r] == usize::MAX {
            root_id[r] = members.len();
            members.push(Vec::new());
        }
        of_region[i] = root_id[r];
        members[root_id[r]].push(i);
    }
    let convex = members
        .iter()
        .enumerate()
        .map(|(lr, m)| {
            m.len() == 1
                || m.iter().all(|&i| {
                    e.regions[i]
                        .facets
                        .iter()
                        .filter(|f| f.neighbor.is_none_or(|nb| of_region[nb] != lr))
                        .all(|f| {
                            m.iter().all(|&j| {
                                let hs = e.regions[j].halfspaces();
                                match maximize_primal(&f.a, &hs.a, &hs.b) {
                                    LpOutcome::Optimal { value, .. } => value <= f.b,
                                    _ => false,
                                }
                            })
                        })
                })
        })
        .collect();
    let mut edges: Vec<(usize, usize)> = e
        .edges()
        .map(|(a, b, _)| (of_region[a], of_region[b]))
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (x.min(y), x.max(y)))
        .collect();
    edges.sort();
    edges.dedup();
    LinearRegions { of_region, members, convex, edges }
}
