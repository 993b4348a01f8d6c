//! The public entry points of the 2D partition ([`crate::regions::mesh`] is the algorithm):
//! the whole partition, with limits, within a memory budget, and each with progress.

use crate::arith::num::{Q, Z, gcd_big};
use crate::geometry::domain::Domain;
use crate::network::Network;
use crate::regions::mesh::{
    Limit, MeshProgress, Partition, PartitionError, partition_capped_until, partition_with_rows,
};
use num_bigint::Sign;
use num_traits::{One, Signed, Zero};

/// The exact partition of the bounded plane `domain` by the regions of `net`.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate, partition};
/// let domain = Domain::default_box(2);
/// let p = partition(&net, &domain).unwrap();
/// let e = enumerate(&net, &domain, &Options::default()).unwrap();
/// // The same regions as the walk, as exact polygons.
/// assert!(p.faces.iter().map(|f| &f.pattern).eq(e.regions.iter().map(|r| &r.pattern)));
/// p.sanity_check(&net, &domain).unwrap();
/// ```
pub fn partition(net: &Network, domain: &Domain) -> Result<Partition, PartitionError> {
    partition_with_rows(net, domain).map(|(p, _)| p)
}

/// [`partition`] with limits: stopped when the mesh would hold more than `max_regions`
/// faces (faces never merge, so the partition has more) or at `deadline` (checked after
/// each neuron's cut). A stopped run gives the empty partition marked not complete: no
/// region is final before the mesh is.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/net-2-8-8-1.json"))).unwrap();
/// use linregions::{Domain, partition_limited};
/// let p = partition_limited(&net, &Domain::default_box(2), Some(10), None).unwrap();
/// assert!(!p.complete && p.faces.is_empty());
/// assert!(partition_limited(&net, &Domain::default_box(2), None, None).unwrap().complete);
/// ```
pub fn partition_limited(
    net: &Network,
    domain: &Domain,
    max_regions: Option<usize>,
    deadline: Option<std::time::Instant>,
) -> Result<Partition, PartitionError> {
    partition_limited_with(net, domain, max_regions, deadline, &mut |_| {})
}

/// [`partition_limited`], with `progress` told the mesh's state after each neuron's cut.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/net-2-8-8-1.json"))).unwrap();
/// use linregions::{Domain, partition_limited_with};
/// let mut cuts = Vec::new();
/// let p = partition_limited_with(&net, &Domain::default_box(2), None, None, &mut |m| cuts.push((m.layer, m.neuron))).unwrap();
/// assert!(p.complete);
/// assert_eq!(cuts.len(), 16); // every neuron of the two layers of 8, in order
/// assert_eq!((cuts[0], cuts[15]), ((0, 1), (1, 8)));
/// ```
pub fn partition_limited_with(
    net: &Network,
    domain: &Domain,
    max_regions: Option<usize>,
    deadline: Option<std::time::Instant>,
    progress: &mut dyn FnMut(&MeshProgress),
) -> Result<Partition, PartitionError> {
    let limit =
        Limit { cap: max_regions.unwrap_or(usize::MAX), exact: true, deadline, progress: Some(progress) };
    Ok(match partition_capped_until(net, domain, limit)? {
        Some((p, _)) => p,
        None => Partition::stopped(),
    })
}

/// [`partition`] within a memory budget of about `max_faces` faces (a face costs about 4 KB
/// while the mesh is built): `None` as soon as the mesh holds more, or the pace of the
/// current layer (faces added per neuron so far) would take it past `max_faces` by the
/// layer's end, or a layer's rows would take more than `32·max_faces` face-neuron pairs. An
/// estimate made early, so that a partition too large for memory stops in seconds, not when
/// the allocator gives up; a partition it abandons may have somewhat fewer faces.
pub fn partition_bounded(
    net: &Network,
    domain: &Domain,
    max_faces: usize,
) -> Result<Option<Partition>, PartitionError> {
    partition_bounded_with(net, domain, max_faces, &mut |_| {})
}

/// [`partition_bounded`], with `progress` told the mesh's state after each neuron's cut.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/net-2-8-8-1.json"))).unwrap();
/// use linregions::{Domain, partition_bounded_with};
/// let mut faces = 0;
/// let p = partition_bounded_with(&net, &Domain::default_box(2), 1_000_000, &mut |m| faces = m.faces).unwrap().unwrap();
/// assert_eq!(faces, p.faces.len()); // after the last cut the mesh's faces are the regions
/// ```
pub fn partition_bounded_with(
    net: &Network,
    domain: &Domain,
    max_faces: usize,
    progress: &mut dyn FnMut(&MeshProgress),
) -> Result<Option<Partition>, PartitionError> {
    let limit = Limit { cap: max_faces, exact: false, deadline: None, progress: Some(progress) };
    Ok(partition_capped_until(net, domain, limit)?.map(|(p, _)| p))
}

impl Partition {
    /// The exact area of face `f`, reduced. The shoelace formula over the vertices
    /// `(X_k, Y_k)/D_k` gives `2·area = Σ_k (X_k Y_{k+1} - X_{k+1} Y_k) / (D_k D_{k+1})`;
    /// over the common denominator `Π D_k` each term takes the other `m - 2` factors. The sum
    /// is then reduced against the factors of `2 Π D_k` one at a time: for each prime the
    /// exponent removed is the smaller of its exponents in the numerator and in the product,
    /// which is the whole gcd, and each step is a gcd with one short factor (a division),
    /// not a gcd of two long numbers.
    pub fn area(&self, f: usize) -> Q {
        let vs = &self.faces[f].vertices;
        let m = vs.len();
        let v = |k: usize| &self.vertices[vs[k % m]];
        let mut num = Z::zero();
        for k in 0..m {
            let (u, w) = (v(k), v(k + 1));
            let mut t = &u[0] * &w[1] - &w[0] * &u[1];
            if t.is_zero() {
                continue;
            }
            for j in (0..m).filter(|&j| j != k && j != (k + 1) % m) {
                t *= &v(j)[2];
            }
            num += t;
        }
        let mut den = Z::one();
        for factor in std::iter::once(Z::from(2)).chain((0..m).map(|k| v(k)[2].clone())) {
            let g = gcd_big(num.magnitude(), factor.magnitude());
            if g.is_one() {
                den *= factor;
            } else {
                let g = Z::from_biguint(Sign::Plus, g);
                num /= &g;
                den *= factor / &g;
            }
        }
        if den.is_negative() { Q::new_raw(-num, -den) } else { Q::new_raw(num, den) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::num::q_new;

    /// The areas as first computed: one unreduced denominator `Π D_k D_{k+1}`, reduced once.
    fn reference_area(p: &Partition, f: usize) -> Q {
        let vs = &p.faces[f].vertices;
        let m = vs.len();
        let (mut an, mut ad) = (Z::zero(), Z::one());
        for k in 0..m {
            let (u, w) = (&p.vertices[vs[k]], &p.vertices[vs[(k + 1) % m]]);
            let (tn, td) = (&u[0] * &w[1] - &w[0] * &u[1], &u[2] * &w[2]);
            an = an * &td + tn * &ad;
            ad *= td;
        }
        q_new(an, ad * 2)
    }

    /// Every face's area, on nets whose vertices have long and shared denominators, equals
    /// the one reduced from the single long fraction (`Q`'s fields compared: both reduced).
    #[test]
    fn areas_reduced_factor_by_factor_equal_the_whole_reduction() {
        let mut faces = 0;
        for (dims, seed) in [(&[2, 16, 16, 1][..], 1), (&[2, 24, 24, 1][..], 2), (&[2, 8, 8, 8, 1][..], 3)] {
            let net = crate::network::random::gaussian_net(dims, seed, 0.5);
            for domain in [
                Domain::default_box(2),
                Domain::Box {
                    lo: vec![crate::arith::num::qi(-1); 2],
                    hi: vec![Q::new(1.into(), 3.into()); 2],
                },
            ] {
                let p = partition(&net, &domain).expect("partitions");
                for f in 0..p.faces.len() {
                    let (a, r) = (p.area(f), reference_area(&p, f));
                    assert_eq!((a.numer(), a.denom()), (r.numer(), r.denom()), "face {f}");
                    faces += 1;
                }
            }
        }
        assert!(faces > 500, "{faces} faces");
    }
}
