//! Exact vertices (V-representation) and volumes of bounded polytopes given by their
//! facets.
//!
//! Vertices: every `d`-subset of facets whose hyperplanes meet in one point that satisfies
//! all facets (fine for the few facets of a region in small dimension). Volume: a
//! triangulation by recursive pyramids (pulling the smallest vertex of each face over the
//! faces of one dimension less that avoid it), each simplex measured by a determinant.
//!
//! Invariants: input rows are the irredundant facets of a bounded, full-dimensional
//! polytope; results are exact rationals, vertices sorted lexicographically.

use crate::arith::num::Q;
use crate::geometry::Halfspaces;
use num_traits::{One, Signed, Zero};
use std::collections::BTreeSet;

/// Solve the square system `m x = r` exactly; `None` if singular.
pub fn solve(mut m: Vec<Vec<Q>>, mut r: Vec<Q>) -> Option<Vec<Q>> {
    let n = r.len();
    for col in 0..n {
        let p = (col..n).find(|&i| !m[i][col].is_zero())?;
        m.swap(col, p);
        r.swap(col, p);
        for i in 0..n {
            if i != col && !m[i][col].is_zero() {
                let f = &m[i][col] / &m[col][col];
                for j in col..n {
                    let v = &f * &m[col][j];
                    m[i][j] -= v;
                }
                let v = &f * &r[col];
                r[i] -= v;
            }
        }
    }
    Some((0..n).map(|i| &r[i] / &m[i][i]).collect())
}

/// Rank of a list of vectors (exact Gaussian elimination).
pub fn rank(mut rows: Vec<Vec<Q>>) -> usize {
    let cols = rows.first().map_or(0, |r| r.len());
    let mut rank = 0;
    for col in 0..cols {
        let Some(p) = (rank..rows.len()).find(|&i| !rows[i][col].is_zero()) else { continue };
        rows.swap(rank, p);
        for i in rank + 1..rows.len() {
            if !rows[i][col].is_zero() {
                let f = &rows[i][col] / &rows[rank][col];
                for j in col..cols {
                    let v = &f * &rows[rank][j];
                    rows[i][j] -= v;
                }
            }
        }
        rank += 1;
    }
    rank
}

fn det(mut m: Vec<Vec<Q>>) -> Q {
    let n = m.len();
    let mut acc = Q::one();
    for col in 0..n {
        let Some(p) = (col..n).find(|&i| !m[i][col].is_zero()) else { return Q::zero() };
        if p != col {
            m.swap(col, p);
            acc = -acc;
        }
        for i in col + 1..n {
            if !m[i][col].is_zero() {
                let f = &m[i][col] / &m[col][col];
                for j in col..n {
                    let v = &f * &m[col][j];
                    m[i][j] -= v;
                }
            }
        }
        acc *= &m[col][col];
    }
    acc
}

/// Call `f` with every `k`-subset of `0..n` (sorted indices, lexicographic order).
pub fn for_each_subset(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    if k > n {
        return;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        f(&idx);
        let mut t = k;
        while t > 0 && idx[t - 1] == n - k + t - 1 {
            t -= 1;
        }
        if t == 0 {
            return;
        }
        idx[t - 1] += 1;
        for u in t..k {
            idx[u] = idx[u - 1] + 1;
        }
    }
}

/// All vertices of the bounded polytope `hs` (rows = facets) in dimension `d`, sorted.
pub fn vertices(hs: &Halfspaces, d: usize) -> Vec<Vec<Q>> {
    vertices_on(hs, d, None)
}

/// Vertices of `{x : rows of hs} ∩ {w·x = v}` (with `equality = Some((w, v))`) or of the
/// polytope itself: every point where `d` independent constraints (the equality included)
/// are tight and all rows hold. Sorted.
pub fn vertices_on(hs: &Halfspaces, d: usize, equality: Option<(&[Q], &Q)>) -> Vec<Vec<Q>> {
    let mut out: BTreeSet<Vec<Q>> = BTreeSet::new();
    let free = d - usize::from(equality.is_some());
    for_each_subset(hs.len(), free, |idx| {
        let mut m: Vec<Vec<Q>> = idx.iter().map(|&i| hs.a[i].clone()).collect();
        let mut r: Vec<Q> = idx.iter().map(|&i| hs.b[i].clone()).collect();
        if let Some((w, v)) = equality {
            m.push(w.to_vec());
            r.push(v.clone());
        }
        if let Some(x) = solve(m, r)
            && hs.slacks(&x).iter().all(|s| !s.is_negative())
        {
            out.insert(x);
        }
    });
    out.into_iter().collect()
}

fn affine_dim(verts: &[Vec<Q>], set: &[usize]) -> usize {
    let v0 = &verts[set[0]];
    rank(set[1..].iter().map(|&i| verts[i].iter().zip(v0).map(|(a, b)| a - b).collect()).collect())
}

fn triangulate(
    verts: &[Vec<Q>],
    incidence: &[BTreeSet<usize>],
    face: &[usize],
    dim: usize,
    prefix: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    let apex = face[0];
    prefix.push(apex);
    if dim == 0 {
        out.push(prefix.clone());
    } else {
        let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
        for inc in incidence {
            let sub: Vec<usize> = face.iter().copied().filter(|v| inc.contains(v)).collect();
            if sub.is_empty() || sub.contains(&apex) || sub.len() < dim || affine_dim(verts, &sub) != dim - 1
            {
                continue;
            }
            if seen.insert(sub.clone()) {
                triangulate(verts, incidence, &sub, dim - 1, prefix, out);
            }
        }
    }
    prefix.pop();
}

/// Exact volume of the bounded polytope with facets `hs` and vertices `verts` (from
/// [`vertices`]).
pub fn volume(hs: &Halfspaces, verts: &[Vec<Q>], d: usize) -> Q {
    if verts.len() <= d {
        return Q::zero();
    }
    let incidence: Vec<BTreeSet<usize>> = (0..hs.len())
        .map(|f| {
            (0..verts.len()).filter(|&v| crate::arith::num::dot(&hs.a[f], &verts[v]) == hs.b[f]).collect()
        })
        .collect();
    let all: Vec<usize> = (0..verts.len()).collect();
    let mut simplices = Vec::new();
    triangulate(verts, &incidence, &all, d, &mut Vec::new(), &mut simplices);
    let mut fact = Q::one();
    for k in 2..=d {
        fact *= Q::from_integer((k as i64).into());
    }
    let total = simplices.iter().fold(Q::zero(), |acc, s| {
        let v0 = &verts[s[0]];
        let m: Vec<Vec<Q>> =
            s[1..].iter().map(|&i| verts[i].iter().zip(v0).map(|(a, b)| a - b).collect()).collect();
        acc + det(m).abs()
    });
    total / fact
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arith::num::qi;
    use crate::geometry::{Grouped, Source, group_rows};

    fn hs(rows: &[(&[i64], i64)]) -> Halfspaces {
        match group_rows(
            rows.iter()
                .enumerate()
                .map(|(i, (a, b))| (a.iter().map(|&v| qi(v)).collect(), qi(*b), Source::Domain(i))),
        ) {
            Grouped::Rows(h) => h,
            Grouped::Empty => panic!(),
        }
    }

    #[test]
    fn square_triangle_cube_simplex_pyramid() {
        let sq = hs(&[(&[1, 0], 1), (&[-1, 0], 1), (&[0, 1], 1), (&[0, -1], 1)]);
        let v = vertices(&sq, 2);
        assert_eq!(v.len(), 4);
        assert_eq!(volume(&sq, &v, 2), qi(4));
        let tri = hs(&[(&[-1, 0], 0), (&[0, -1], 0), (&[1, 1], 1)]);
        let v = vertices(&tri, 2);
        assert_eq!(volume(&tri, &v, 2), Q::new(1.into(), 2.into()));
        let cube = hs(&[
            (&[1, 0, 0], 1),
            (&[-1, 0, 0], 0),
            (&[0, 1, 0], 2),
            (&[0, -1, 0], 0),
            (&[0, 0, 1], 3),
            (&[0, 0, -1], 0),
        ]);
        let v = vertices(&cube, 3);
        assert_eq!(v.len(), 8);
        assert_eq!(volume(&cube, &v, 3), qi(6));
        let simplex4 = hs(&[
            (&[-1, 0, 0, 0], 0),
            (&[0, -1, 0, 0], 0),
            (&[0, 0, -1, 0], 0),
            (&[0, 0, 0, -1], 0),
            (&[1, 1, 1, 1], 1),
        ]);
        let v = vertices(&simplex4, 4);
        assert_eq!(v.len(), 5);
        assert_eq!(volume(&simplex4, &v, 4), Q::new(1.into(), 24.into()));
        // Square pyramid (non-simple apex): base [-1,1]^2 at z=0, apex (0,0,1): volume 4/3.
        let pyr =
            hs(&[(&[0, 0, -1], 0), (&[1, 0, 1], 1), (&[-1, 0, 1], 1), (&[0, 1, 1], 1), (&[0, -1, 1], 1)]);
        let v = vertices(&pyr, 3);
        assert_eq!(v.len(), 5);
        assert_eq!(volume(&pyr, &v, 3), Q::new(4.into(), 3.into()));
        // Octahedron |x|+|y|+|z| <= 1: volume 4/3, 6 vertices each on 4 facets.
        let mut rows = Vec::new();
        for sx in [-1i64, 1] {
            for sy in [-1i64, 1] {
                for sz in [-1i64, 1] {
                    rows.push(([sx, sy, sz], 1i64));
                }
            }
        }
        let oct = hs(&rows.iter().map(|(a, b)| (&a[..], *b)).collect::<Vec<_>>());
        let v = vertices(&oct, 3);
        assert_eq!(v.len(), 6);
        assert_eq!(volume(&oct, &v, 3), Q::new(4.into(), 3.into()));
    }
}
