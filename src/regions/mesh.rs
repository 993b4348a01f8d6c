//! The exact partition of a bounded plane domain by mesh splitting: the algorithm regioncam
//! runs in floats (cf. edge subdivision, Berzins, ICML 2023), in exact arithmetic.
//!
//! The domain polygon is cut by one neuron after another, layer after layer. Before layer
//! `l` the faces are the regions of the network truncated before `l`, so on each face every
//! neuron of layer `l` is one affine function; its sign at the face's vertices tells whether
//! the face lies on one side (its bit) or is cut in two along the chord between the two
//! points where the zero line meets the boundary. Pre-activations are continuous, so a
//! vertex has one value from every face it belongs to and the two faces beside a cut edge
//! cut it at the same point: the mesh stays conforming (no T-junctions) and, at the end, its
//! faces are exactly the full-dimensional regions, each side a whole facet.
//!
//! Exactness: vertices are exact homogeneous integers `(X, Y, D)`, each the intersection of
//! two integer lines by Cramer's rule; a vertex's sign for a neuron is decided by a float
//! dot product with a proven bound ([`crate::arith::filter::dot_converted`] on exact rows,
//! [`crate::arith::filter::dot_approx`] on float rows with bounds) or, when that cannot decide (e.g.
//! a vertex on the line), by the exact integer dot product. Degenerate cases are exact: a
//! zero at a vertex cuts through it, a neuron whose line runs along a side labels that side,
//! a neuron identically zero on a face takes bit 0 (the canonical pattern of
//! `PatternMaps::zero_but_active`).
//!
//! Rows: layer `l`'s rows on a face come from a neighbour's rows by the rank-one update of
//! `Network::flip_rows` (faces across a side differ in the bits of the neurons on that
//! side), the neighbours taken in a cheapest-first spanning tree so that most updates are
//! flips of the layer just before. The last hidden layer's rows only decide signs: they are
//! floats with bounds (`Network::float_flip`), and a cut takes the one exact row it needs
//! (`Network::row_of`).
//!
//! Invariants of a [`Partition`] (checked by [`Partition::sanity_check`]): faces sorted by
//! pattern, id = index; vertices sorted by `(x, y)`; each face strictly convex,
//! counter-clockwise, starting at its smallest vertex id; side `i` joins vertex `i` and
//! `i + 1` and lists every neuron and domain row whose line contains it; interior sides are
//! shared by exactly two faces (each the other's neighbour); the areas sum to the domain's.
//! What it leaves out (inspheres, logits, interior points) is what `enumerate` computes per
//! region ([`crate::regions::enumerate::enumerate`] does so from this partition on bounded plane
//! domains).

use crate::arith::filter::{self, Approx, dot_approx, dot_converted, z_to_f64};
use crate::arith::num::{Q, W256, Z, primitive_ints};
use crate::geometry::domain::{Domain, DomainError};
use crate::geometry::{Grouped, Source, group_rows};
use crate::network::{LayerRows, Network, Pattern};
use num_traits::{Signed, ToPrimitive, Zero};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;
use std::sync::Arc;

/// The regions of a bounded plane domain as exact polygons.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Partition {
    /// Every vertex of every face in homogeneous integer coordinates `[X, Y, D]` (the
    /// point `(X/D, Y/D)`, `D > 0`, not necessarily in lowest terms: Cramer's rule on two
    /// integer lines), sorted by `(x, y)`; [`Partition::point`] gives lowest terms.
    pub vertices: Vec<[Z; 3]>,
    /// The regions sorted by pattern; `faces[i]` has id `i`.
    pub faces: Vec<Face>,
    /// Adjacent pairs of regions (interior sides).
    pub edges: usize,
    /// False for the empty partition of a run a limit stopped ([`partition_limited`]): the
    /// mesh is built whole before any region is final, so a stopped run has none.
    pub complete: bool,
}

/// One region: a strictly convex polygon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    pub pattern: Pattern,
    /// Vertex ids counter-clockwise, starting at the smallest.
    pub vertices: Vec<usize>,
    /// `sides[i]` joins `vertices[i]` and `vertices[i + 1]` (cyclically): the region's facets.
    pub sides: Vec<Side>,
}

/// One side of a face: the face lies in `a·x <= b` (primitive integers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub a: [Z; 2],
    pub b: Z,
    /// Every neuron and domain row whose line contains the side, sorted.
    pub sources: Vec<Source>,
    /// The face across the side (`None` on the domain boundary).
    pub neighbor: Option<usize>,
}

/// Why a partition cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionError {
    /// The network's input is not two-dimensional.
    Dimension(usize),
    /// The domain is invalid.
    Domain(DomainError),
    /// The domain is unbounded (the mesh needs a polygon).
    Unbounded,
}

impl fmt::Display for PartitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionError::Dimension(d) => {
                write!(
                    f,
                    "the partition is for 2-input networks (or a --plane slice); this one has {d} inputs"
                )
            }
            PartitionError::Domain(e) => write!(f, "{e}"),
            PartitionError::Unbounded => {
                write!(f, "the partition needs a bounded domain (a box or a bounded polytope)")
            }
        }
    }
}

impl std::error::Error for PartitionError {}

/// A side of a face while the mesh is built: its line (index into `Mesh::lines`), the side
/// of the line the face is on, and the sources found so far.
#[derive(Debug, Clone)]
struct MSide {
    line: u32,
    /// The face lies where `l0 x + l1 y + l2 <= 0` (else `>= 0`).
    below: bool,
    srcs: Srcs,
}

/// A side's sources: almost always one, so inline (a face's sides are cloned at every cut).
#[derive(Debug, Clone)]
enum Srcs {
    One(Source),
    Many(Arc<Vec<Source>>),
}

impl Srcs {
    fn push(&mut self, s: Source) {
        match self {
            Srcs::One(first) => *self = Srcs::Many(Arc::new(vec![*first, s])),
            Srcs::Many(v) => Arc::make_mut(v).push(s),
        }
    }

    fn to_vec(&self) -> Vec<Source> {
        match self {
            Srcs::One(s) => vec![*s],
            Srcs::Many(v) => v.to_vec(),
        }
    }
}

#[derive(Debug, Clone)]
struct MFace {
    verts: Vec<u32>,
    sides: Vec<MSide>,
    /// The bits decided so far (a prefix of the pattern).
    bits: Vec<bool>,
    /// The exact rows of the layers up to the current one (the last hidden layer excepted).
    rows: Vec<Arc<LayerRows>>,
    /// The last hidden layer's rows in floats with bounds (`None` while the rows are exact).
    frows: Option<Arc<Vec<Approx>>>,
}

impl MFace {
    /// A face with nothing in it (no allocation): the slot of a face being cut.
    fn empty() -> MFace {
        MFace { verts: Vec::new(), sides: Vec::new(), bits: Vec::new(), rows: Vec::new(), frows: None }
    }
}

/// What the cuts of one layer share.
struct LayerCtx {
    l: usize,
    /// Where the bits of layer `l - 1` and `l` start.
    prev_start: usize,
    start: usize,
    /// The running scale of layer `l`'s rows.
    scale: Z,
    /// Neurons in the whole network (the patterns' length).
    total: usize,
}

struct Mesh {
    /// Homogeneous vertices `(X, Y, D)`: the point `(X/D, Y/D)`, `D > 0` (unreduced: a gcd
    /// per vertex cost 15% and nothing needs lowest terms before the output).
    exact: Vec<[Z; 3]>,
    approx: Vec<[f64; 3]>,
    /// Lines `l0 x + l1 y + l2 = 0`, primitive.
    lines: Vec<[Z; 3]>,
    faces: Vec<MFace>,
    /// The current layer's sign table: `vsign[i][v]` is the sign of neuron `i` at
    /// vertex `v` (1, -1, 0, or [`UNKNOWN`] until a cut needs it exactly).
    vsign: Vec<Vec<i8>>,
}

/// A sign the float filter left open.
const UNKNOWN: i8 = 2;

/// The exact rows of one face's deepest layer that has them: `(layer, rows)`.
pub(crate) type FaceRows = Option<(usize, Arc<LayerRows>)>;

/// [`partition`] and, for each face (in the partition's order), the exact rows of the
/// deepest hidden layer the mesh holds them for (the last hidden layer's are floats unless
/// their constants leave the `f64` range; shared by the faces of one cell of the layers
/// above): the affine maps need no more ([`Network::logits_from_rows`]).
pub(crate) fn partition_with_rows(
    net: &Network,
    domain: &Domain,
) -> Result<(Partition, Vec<FaceRows>), PartitionError> {
    Ok(partition_capped(net, domain, usize::MAX)?.expect("no cap"))
}

/// [`partition_with_rows`], abandoned (`None`) as soon as the mesh holds more than `cap`
/// faces, or the current layer's pace (faces added per neuron so far, projected linearly,
/// and quadratically once 64 neurons and a sixteenth of the layer are cut) would take it past
/// `cap` by the layer's end (faces never merge), or a layer's rows would be more than
/// `32·cap` (faces times neurons): a caller that wants bounded memory can then walk instead
/// (a face costs about 4 KB while the mesh is built). Always `Some` with `usize::MAX`.
pub(crate) fn partition_capped(
    net: &Network,
    domain: &Domain,
    cap: usize,
) -> Result<Option<(Partition, Vec<FaceRows>)>, PartitionError> {
    partition_capped_until(net, domain, Limit { cap, exact: false, deadline: None, progress: None })
}

/// When to abandon the mesh: more than `cap` faces (`exact`), or also by the projections of
/// [`partition_capped`] (memory bounds, not exact); at `deadline`, checked after each cut.
/// `progress` is told the mesh's state after each cut.
pub(crate) struct Limit<'p> {
    pub(crate) cap: usize,
    pub(crate) exact: bool,
    pub(crate) deadline: Option<std::time::Instant>,
    pub(crate) progress: Option<&'p mut dyn FnMut(&MeshProgress)>,
}

/// How far the mesh is, after a neuron's cut: layer `layer` (of `layers`), `neuron` cut of
/// its `layer_size`, and the faces the mesh holds (the regions of the network truncated
/// there; faces never merge, so the partition has at least as many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeshProgress {
    pub layer: usize,
    pub layers: usize,
    pub neuron: usize,
    pub layer_size: usize,
    pub faces: usize,
}

/// [`partition_capped`] with a [`Limit`].
pub(crate) fn partition_capped_until(
    net: &Network,
    domain: &Domain,
    mut limit: Limit,
) -> Result<Option<(Partition, Vec<FaceRows>)>, PartitionError> {
    let cap = limit.cap;
    if net.input_dim() != 2 {
        return Err(PartitionError::Dimension(net.input_dim()));
    }
    if !domain.validate(2).map_err(PartitionError::Domain)? {
        return Err(PartitionError::Unbounded);
    }
    let mut mesh = Mesh::new(domain);
    // Every output of each layer, carried values (never cut: their bit is `true`) last.
    let sizes = net.widths();
    if !sizes.is_empty() {
        let first = Arc::new(net.compose_rows(0, &[], &[]));
        for f in &mut mesh.faces {
            f.rows.push(first.clone());
        }
    }
    let mut start = 0;
    for (l, &size) in sizes.iter().enumerate() {
        let prev_start = start - if l > 0 { sizes[l - 1] } else { 0 };
        let ctx = LayerCtx { l, prev_start, start, scale: net.scale_of(l), total: net.num_bits() };
        // A layer's rows take memory by face and neuron (at least 48 bytes each): with a cap,
        // not more than `cap · 32` of them.
        if !limit.exact && l > 0 && mesh.faces.len().saturating_mul(size) > cap.saturating_mul(32) {
            return Ok(None);
        }
        // The last layer's rows only decide signs: floats with bounds, exact rows on demand.
        if l > 0 && !(l + 1 == sizes.len() && mesh.last_rows(net, &ctx)) {
            mesh.layer_rows(net, l);
        }
        mesh.layer_signs(l, size);
        let at_start = mesh.faces.len();
        let activated = net.hidden()[l].activated();
        for i in 0..size {
            if i >= activated {
                for f in &mut mesh.faces {
                    f.bits.push(true);
                }
                continue;
            }
            mesh.cut(net, &ctx, i);
            let now = mesh.faces.len();
            let pace = (now - at_start) / (i + 1);
            // Faces added by a layer grow about quadratically in 2D (the j-th line meets up to
            // j - 1 before it): once a sixteenth of the layer, and 64 neurons, are cut, the
            // quadratic projection too (at most 16x too high where lines do not meet).
            let linear = now.saturating_add(pace.saturating_mul(size - i - 1));
            let quadratic = if i + 1 >= 64 && 16 * (i + 1) >= size {
                let r = size as f64 / (i + 1) as f64;
                at_start
                    .saturating_add(((now - at_start) as f64 * r * r).min(usize::MAX as f64 / 2.0) as usize)
            } else {
                0
            };
            if let Some(tell) = limit.progress.as_mut() {
                tell(&MeshProgress {
                    layer: l,
                    layers: sizes.len(),
                    neuron: i + 1,
                    layer_size: size,
                    faces: now,
                });
            }
            let projected = if limit.exact { now } else { linear.max(quadratic) };
            if projected > cap {
                return Ok(None);
            }
            if limit.deadline.is_some_and(|t| std::time::Instant::now() >= t) {
                return Ok(None);
            }
        }
        start += size;
    }
    Ok(Some(mesh.finish_with_rows()))
}

fn homogeneous(p: &[Q]) -> [Z; 3] {
    let (nums, den) = crate::arith::num::common_denominator(p);
    let (v, d) = primitive_ints(vec![nums[0].clone(), nums[1].clone(), den]);
    [v[0].clone(), v[1].clone(), d]
}

fn approx(v: &[Z; 3]) -> [f64; 3] {
    [z_to_f64(&v[0]), z_to_f64(&v[1]), z_to_f64(&v[2])]
}

/// `l0 X + l1 Y + l2 D`: the sign of a line's function at a homogeneous point.
fn eval(l: &[Z], c: &Z, v: &[Z; 3]) -> Z {
    &l[0] * &v[0] + &l[1] * &v[1] + c * &v[2]
}

/// The quadrant-then-cross comparison of directions `p` and `q` (points relative to the
/// polygon's centroid): counter-clockwise order from the positive x axis.
fn angle_cmp(p: &[Q; 2], q: &[Q; 2]) -> Ordering {
    let half = |v: &[Q; 2]| v[1].is_negative() || (v[1].is_zero() && v[0].is_negative());
    half(p).cmp(&half(q)).then_with(|| {
        let cross = &p[0] * &q[1] - &p[1] * &q[0];
        Q::zero().cmp(&cross)
    })
}

/// One face's outcome of a cut that the sequential phase must apply.
struct Found {
    fi: usize,
    /// Table signs the floats left open, now exact.
    resolved: Vec<(usize, i8)>,
    cut: Option<Cut>,
}

/// A face the line crosses: its vertex signs, the exact row and what names it (faces with
/// the same `key` have the same row, so they share one line).
struct Cut {
    signs: Vec<i8>,
    row: Arc<(Vec<Z>, Z)>,
    key: usize,
}

/// The float-filtered sign of neuron `i` of layer `l` at a vertex (floats `f`) from the rows
/// of a face containing it (the value is the same from every such face).
fn float_sign(face: &MFace, l: usize, i: usize, f: &[f64; 3]) -> Option<i8> {
    match &face.frows {
        Some(fr) => dot_approx(f, &fr[3 * i..3 * i + 3]).sign(),
        None => dot_converted(&face.rows[l].floats()[3 * i..3 * i + 3], f).sign(),
    }
}

/// The exact row of neuron `i` (layer `ctx.l`) on a face. Faces sharing rows (cut from one
/// face since the layer began; on the first layer, every face) share their exact row: within
/// one cut, each is computed once (`memo`, keyed by [`row_key`]).
fn exact_row(net: &Network, ctx: &LayerCtx, f: &MFace, i: usize, memo: &RowMemo) -> Arc<(Vec<Z>, Z)> {
    let key = row_key(f, ctx.l);
    if let Some(r) = memo.lock().expect("memo lock").get(&key) {
        return r.clone();
    }
    let r = Arc::new(match f.frows {
        None => f.rows[ctx.l].row(i),
        Some(_) => net.row_of(ctx.l, i, &f.bits[ctx.prev_start..ctx.start], &f.rows[ctx.l - 1], &ctx.scale),
    });
    memo.lock().expect("memo lock").insert(key, r.clone());
    r
}

/// What names a face's rows of the current layer during one cut: the address of its float
/// rows (last layer) or of its exact rows. Faces cut from one face since the layer began
/// share them (and only such faces have equal rows by construction); the rows stay alive
/// for the whole cut, so an address names one set of rows.
fn row_key(f: &MFace, l: usize) -> usize {
    match &f.frows {
        Some(fr) => Arc::as_ptr(fr) as usize,
        None => Arc::as_ptr(&f.rows[l]) as usize,
    }
}

/// Exact rows of one cut's neuron by [`row_key`].
type RowMemo = std::sync::Mutex<HashMap<usize, Arc<(Vec<Z>, Z)>>>;

/// The point where the row `(a, c)` meets `line` (they are not parallel: the row takes
/// both signs on a segment of the line).
fn meet(line: &[Z; 3], a: &[Z], c: &Z) -> [Z; 3] {
    if let Some(p) = meet_small(line, a, c) {
        return p;
    }
    let det = &line[0] * &a[1] - &line[1] * &a[0];
    let x = &line[1] * c - &line[2] * &a[1];
    let y = &line[2] * &a[0] - &line[0] * c;
    if det.is_negative() { [-x, -y, -det] } else { [x, y, det] }
}

/// [`meet`] in fixed width when every entry fits an `i128` (lines and rows of up to ~127
/// bits: every crossing of the 2-layer benchmark nets): each 2×2 determinant is at most
/// 255 bits, so the 256-bit products and differences cannot overflow. `None` otherwise.
fn meet_small(line: &[Z; 3], a: &[Z], c: &Z) -> Option<[Z; 3]> {
    let s = |v: &Z| v.to_i128().filter(|x| *x != i128::MIN);
    let (l0, l1, l2, a0, a1, c) = (s(&line[0])?, s(&line[1])?, s(&line[2])?, s(&a[0])?, s(&a[1])?, s(c)?);
    let cross = |p: i128, q: i128, r: i128, t: i128| W256::mul_i128(p, q).checked_sub(W256::mul_i128(r, t));
    let (det, x, y) = (cross(l0, a1, l1, a0)?, cross(l1, c, l2, a1)?, cross(l2, a0, l0, c)?);
    let p = [x.to_z(), y.to_z(), det.to_z()];
    Some(if det.neg { p.map(|v| -v) } else { p })
}

impl Mesh {
    /// The domain polygon, counter-clockwise, its sides labelled by the domain rows.
    fn new(domain: &Domain) -> Mesh {
        let rows = domain.rows().into_iter().enumerate().map(|(i, (a, b))| (a, b, Source::Domain(i)));
        let hs = match group_rows(rows) {
            Grouped::Rows(h) => h,
            Grouped::Empty => unreachable!("a validated domain is not empty"),
        };
        let pts = crate::geometry::vrep::vertices(&hs, 2);
        let n = Q::from_integer(Z::from(pts.len()));
        let g: Vec<Q> = (0..2).map(|j| pts.iter().map(|p| &p[j]).sum::<Q>() / &n).collect();
        let mut rel: Vec<([Q; 2], usize)> =
            pts.iter().enumerate().map(|(i, p)| ([&p[0] - &g[0], &p[1] - &g[1]], i)).collect();
        rel.sort_by(|a, b| angle_cmp(&a.0, &b.0));
        let order: Vec<usize> = rel.into_iter().map(|(_, i)| i).collect();
        let exact: Vec<[Z; 3]> = order.iter().map(|&i| homogeneous(&pts[i])).collect();
        let approx_v = exact.iter().map(approx).collect();
        let mut lines = Vec::new();
        let mut sides = Vec::new();
        let m = order.len();
        for k in 0..m {
            let (u, w) = (&pts[order[k]], &pts[order[(k + 1) % m]]);
            let r = (0..hs.len())
                .find(|&r| {
                    let on = |p: &Vec<Q>| crate::arith::num::dot(&hs.a[r], p) == hs.b[r];
                    on(u) && on(w)
                })
                .expect("consecutive vertices of a polygon share a side");
            let (a, c) = crate::arith::num::primitive_row(&hs.a[r], &-&hs.b[r]);
            lines.push([a[0].clone(), a[1].clone(), c]);
            let mut srcs = Srcs::One(hs.sources[r][0]);
            for &x in &hs.sources[r][1..] {
                srcs.push(x);
            }
            // Stored as (a, -b): the domain is where a·x - b <= 0.
            sides.push(MSide { line: k as u32, below: true, srcs });
        }
        let face =
            MFace { verts: (0..m as u32).collect(), sides, bits: Vec::new(), rows: Vec::new(), frows: None };
        Mesh { exact, approx: approx_v, lines, faces: vec![face], vsign: Vec::new() }
    }

    /// The sign table of layer `l` (`n` neurons) at every vertex, from any face containing
    /// it; [`UNKNOWN`] where the floats do not decide.
    fn layer_signs(&mut self, l: usize, n: usize) {
        // Neuron-major: each cut reads one neuron's signs of every vertex.
        let nv = self.exact.len();
        let mut from = vec![u32::MAX; nv];
        for (fi, f) in self.faces.iter().enumerate() {
            for &v in &f.verts {
                if from[v as usize] == u32::MAX {
                    from[v as usize] = fi as u32;
                }
            }
        }
        let faces = &self.faces;
        let approx = &self.approx;
        self.vsign = (0..n)
            .into_par_iter()
            .map(|i| {
                (0..nv)
                    .map(|v| float_sign(&faces[from[v] as usize], l, i, &approx[v]).unwrap_or(UNKNOWN))
                    .collect()
            })
            .collect();
    }

    /// Cut every face by neuron `i` of layer `ctx.l`, in two phases: in parallel, every
    /// face's signs (exact where the table has [`UNKNOWN`]), its bit and side sources if it
    /// is not cut, else its exact row and the points (with their signs for the later
    /// neurons) where the line crosses its sides; then, in face order, the new vertices
    /// (one per crossed side, shared by the two faces beside it) and the two children.
    fn cut(&mut self, net: &Network, ctx: &LayerCtx, i: usize) {
        let l = ctx.l;
        let src = Source::Neuron((l, i));
        let n_total = ctx.total;
        let memo = RowMemo::default();
        let (signs_i, n_layer, exact_v) = (&self.vsign[i], self.vsign.len(), &self.exact);
        let found: Vec<Found> = self
            .faces
            .par_iter_mut()
            .enumerate()
            .filter_map(|(fi, face)| {
                let m = face.verts.len();
                // The common case without allocation: every sign known, the face not cut.
                let at = |k: usize| signs_i[face.verts[k] as usize];
                let (mut pos, mut neg, mut open, mut zero) = (false, false, false, false);
                for k in 0..m {
                    match at(k) {
                        UNKNOWN => open = true,
                        s => {
                            pos |= s > 0;
                            neg |= s < 0;
                            zero |= s == 0;
                        }
                    }
                }
                if !open && !(pos && neg) {
                    if zero && (pos || neg) {
                        for k in 0..m {
                            if at(k) == 0 && at((k + 1) % m) == 0 {
                                face.sides[k].srcs.push(src);
                            }
                        }
                    }
                    face.bits.push(pos);
                    return None;
                }
                let mut row: Option<Arc<(Vec<Z>, Z)>> = None;
                let mut resolved = Vec::new();
                let mut signs = Vec::with_capacity(m);
                for &v in &face.verts {
                    let v = v as usize;
                    let mut s = signs_i[v];
                    if s == UNKNOWN {
                        let r = row.get_or_insert_with(|| exact_row(net, ctx, face, i, &memo));
                        s = eval(&r.0, &r.1, &exact_v[v]).signum().to_i8().expect("a sign");
                        resolved.push((v, s));
                    }
                    signs.push(s);
                }
                let pos = signs.iter().any(|&s| s > 0);
                let neg = signs.iter().any(|&s| s < 0);
                if !(pos && neg) {
                    // Zero at every vertex: identically zero on the face (bit 0, on no side).
                    face.bits.push(pos);
                    if pos || neg {
                        for k in 0..m {
                            if signs[k] == 0 && signs[(k + 1) % m] == 0 {
                                face.sides[k].srcs.push(src);
                            }
                        }
                    }
                    return (!resolved.is_empty()).then_some(Found { fi, resolved, cut: None });
                }
                let row = row.unwrap_or_else(|| exact_row(net, ctx, face, i, &memo));
                Some(Found { fi, resolved, cut: Some(Cut { signs, row, key: row_key(face, l) }) })
            })
            .collect();
        // New vertices by side (each crossing point is computed once, by the first face
        // beside its side), and lines by row.
        let mut cuts: HashMap<(u32, u32), u32> = HashMap::default();
        let mut chords: HashMap<usize, u32> = HashMap::default();
        for Found { fi, resolved, cut } in found {
            for (v, s) in resolved {
                self.vsign[i][v] = s;
            }
            let Some(Cut { signs, row, key: row_key }) = cut else { continue };
            let (a, c) = (&row.0, &row.1);
            let m = signs.len();
            // The boundary points in order: (vertex, sign, side from it to the next point).
            let mut pts: Vec<(u32, i8, usize)> = Vec::with_capacity(m + 2);
            // The parent is taken out: its pattern and rows move into the positive child.
            let taken = std::mem::replace(&mut self.faces[fi], MFace::empty());
            let parent = &taken;
            for k in 0..m {
                let (u, w) = (parent.verts[k], parent.verts[(k + 1) % m]);
                pts.push((u, signs[k], k));
                if signs[k] * signs[(k + 1) % m] < 0 {
                    let v = *cuts.entry((u.min(w), u.max(w))).or_insert_with(|| {
                        let p = meet(&self.lines[parent.sides[k].line as usize], a, c);
                        let f = approx(&p);
                        self.exact.push(p);
                        self.approx.push(f);
                        // Neurons up to i are done: their tables are not read again.
                        for t in i + 1..n_layer {
                            self.vsign[t].push(float_sign(parent, l, t, &f).unwrap_or(UNKNOWN));
                        }
                        (self.exact.len() - 1) as u32
                    });
                    pts.push((v, 0, k));
                }
            }
            let line = *chords.entry(row_key).or_insert_with(|| {
                let (la, lc) = primitive_ints(vec![a[0].clone(), a[1].clone(), c.clone()]);
                self.lines.push([la[0].clone(), la[1].clone(), lc]);
                (self.lines.len() - 1) as u32
            });
            // The child on the positive side (the neuron's row >= 0) is above its chord.
            let chord = |sigma: i8| MSide { line, below: sigma < 0, srcs: Srcs::One(src) };
            let shape = |sigma: i8| -> (Vec<u32>, Vec<MSide>) {
                let np = pts.len();
                let keep = |k: usize| pts[k].1 * sigma >= 0;
                let start =
                    (0..np).find(|&k| keep(k) && !keep((k + np - 1) % np)).expect("a cut face has two arcs");
                // At most every boundary point (a push per side would regrow the vectors).
                let mut verts = Vec::with_capacity(np);
                let mut sides = Vec::with_capacity(np);
                let mut k = start;
                loop {
                    verts.push(pts[k].0);
                    let next = (k + 1) % np;
                    if keep(next) {
                        sides.push(parent.sides[pts[k].2].clone());
                        k = next;
                    } else {
                        sides.push(chord(sigma));
                        break;
                    }
                }
                (verts, sides)
            };
            let ((pv, ps), (mv, ms)) = (shape(1), shape(-1));
            // The whole pattern's capacity: a clone has none to spare, and a push per neuron
            // would reallocate at every cut.
            let mut mbits = Vec::with_capacity(n_total);
            mbits.extend_from_slice(&parent.bits);
            mbits.push(false);
            let minus = MFace {
                verts: mv,
                sides: ms,
                bits: mbits,
                rows: parent.rows.clone(),
                frows: parent.frows.clone(),
            };
            let MFace { mut bits, rows, frows, .. } = taken;
            bits.reserve(n_total.saturating_sub(bits.len()));
            bits.push(true);
            self.faces[fi] = MFace { verts: pv, sides: ps, bits, rows, frows };
            self.faces.push(minus);
        }
    }

    /// The order in which the faces' rows of layer `l` are computed: each face from a
    /// neighbour's by a flip `(donor, layer m, neuron j)` when they differ in one bit, in a
    /// cheapest-first spanning tree (cost `l - m`: the layers the update crosses; ties
    /// first come, first served, so the tree is shallow), or in full (`None`) for the first
    /// face and faces whose neighbours all differ in several bits.
    fn spanning_tree(&self, net: &Network, l: usize) -> Vec<(u32, Option<(u32, usize, usize)>)> {
        let starts = net.layer_starts();
        let n = self.faces.len();
        let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut owner: HashMap<(u32, u32), u32> =
            HashMap::with_capacity_and_hasher(3 * n, Default::default());
        for (fi, f) in self.faces.iter().enumerate() {
            let m = f.verts.len();
            for k in 0..m {
                let (u, w) = (f.verts[k], f.verts[(k + 1) % m]);
                if let Some(g) = owner.insert((u.min(w), u.max(w)), fi as u32) {
                    adj[fi].push(g);
                    adj[g as usize].push(fi as u32);
                }
            }
        }
        // The single differing bit of two faces as (layer, index), if single.
        let flip = |f: u32, g: u32| -> Option<(usize, usize)> {
            let (f, g) = (&self.faces[f as usize], &self.faces[g as usize]);
            let mut diff =
                f.bits.iter().zip(&g.bits).enumerate().filter(|(_, (x, y))| x != y).map(|(b, _)| b);
            let b = diff.next()?;
            if diff.next().is_some() {
                return None;
            }
            let m = starts.iter().rposition(|&s| s <= b).expect("bit in a layer");
            Some((m, b - starts[m]))
        };
        let mut order = Vec::with_capacity(n);
        let mut done = vec![false; n];
        let mut heap: BinaryHeap<Reverse<(usize, usize, u32, u32)>> = BinaryHeap::new();
        let mut seq = 0usize;
        let mut reach = |f: u32, done: &[bool], heap: &mut BinaryHeap<_>| {
            for &g in &adj[f as usize] {
                if !done[g as usize] {
                    let cost = flip(f, g).map_or(usize::MAX, |(m, _)| l - m);
                    heap.push(Reverse((cost, seq, g, f)));
                    seq += 1;
                }
            }
        };
        for root in 0..n {
            if done[root] {
                continue;
            }
            order.push((root as u32, None));
            done[root] = true;
            reach(root as u32, &done, &mut heap);
            while let Some(Reverse((_, _, g, donor))) = heap.pop() {
                if done[g as usize] {
                    continue;
                }
                order.push((g, flip(g, donor).map(|(m, j)| (donor, m, j))));
                done[g as usize] = true;
                reach(g, &done, &mut heap);
            }
        }
        order
    }

    /// Every face's exact rows of layer `l` (along [`Mesh::spanning_tree`]).
    fn layer_rows(&mut self, net: &Network, l: usize) {
        for (g, how) in self.spanning_tree(net, l) {
            let gf = &self.faces[g as usize];
            let rows = match how {
                Some((donor, m, j)) => {
                    let base = &self.faces[donor as usize].rows[l];
                    net.flip_rows(l, &gf.bits, &gf.rows, base, m, j)
                }
                None => net.compose_rows(l, &gf.bits, &gf.rows),
            };
            self.faces[g as usize].rows.push(Arc::new(rows));
        }
    }

    /// The last hidden layer's rows, whose only use is the signs of the cuts, in floats with
    /// bounds (along [`Mesh::spanning_tree`]): exact rows for every face would cost a
    /// width² product for each cell of the earlier layers and their memory (re-faulting
    /// fresh pages dominated); a cut takes the one exact row it needs
    /// (`Network::row_of`). `false` (nothing changed) if a constant is out of the `f64`
    /// range.
    fn last_rows(&mut self, net: &Network, ctx: &LayerCtx) -> bool {
        let l = ctx.l;
        let mut out: Vec<Option<Arc<Vec<Approx>>>> = vec![None; self.faces.len()];
        for (g, how) in self.spanning_tree(net, l) {
            let gf = &self.faces[g as usize];
            let rows = match how {
                None => net.float_rows(l, &gf.bits[ctx.prev_start..ctx.start], &gf.rows[l - 1], &ctx.scale),
                Some((donor, m, j)) => {
                    let base = out[donor as usize].as_ref().expect("the donor comes first");
                    net.float_flip(l, &gf.bits, &gf.rows, base, m, j)
                }
            };
            let Some(rows) = rows else { return false };
            out[g as usize] = Some(Arc::new(rows));
        }
        for (f, r) in self.faces.iter_mut().zip(out) {
            f.frows = r;
        }
        true
    }

    /// Sorted, renumbered, with areas, oriented sides and neighbours; and each face's
    /// deepest exact rows (see [`partition_with_rows`]).
    fn finish_with_rows(self) -> (Partition, Vec<FaceRows>) {
        let Mesh { exact, lines, faces, .. } = self;
        // Vertices sorted by (x, y): filtered quotients, else X1/D1 vs X2/D2 as X1·D2 vs X2·D1.
        let q: Vec<[Approx; 2]> =
            exact.iter().map(|e| [filter::quotient(&e[0], &e[2]), filter::quotient(&e[1], &e[2])]).collect();
        let coord = |i: usize, j: usize, t: usize| {
            filter::compare(q[i][t], q[j][t])
                .unwrap_or_else(|| (&exact[i][t] * &exact[j][2]).cmp(&(&exact[j][t] * &exact[i][2])))
        };
        // Distinct vertices are distinct points: no ties, so an unstable sort is deterministic.
        let mut order: Vec<u32> = (0..exact.len() as u32).collect();
        order.sort_unstable_by(|&i, &j| {
            coord(i as usize, j as usize, 0).then_with(|| coord(i as usize, j as usize, 1))
        });
        let mut new_id = vec![0usize; exact.len()];
        for (k, &v) in order.iter().enumerate() {
            new_id[v as usize] = k;
        }
        let mut exact = exact;
        let vertices: Vec<[Z; 3]> = order.iter().map(|&v| std::mem::take(&mut exact[v as usize])).collect();
        // Faces by pattern: the bits packed into words, the first bit the highest, compare as
        // the bit vectors do (all patterns have one length; distinct faces, distinct patterns).
        let keys: Vec<Vec<u64>> = faces
            .iter()
            .map(|f| {
                f.bits
                    .chunks(64)
                    .map(|c| c.iter().fold(0u64, |w, &b| (w << 1) | u64::from(b)) << (64 - c.len()))
                    .collect()
            })
            .collect();
        let mut by_pattern: Vec<u32> = (0..faces.len() as u32).collect();
        by_pattern.sort_unstable_by(|&x, &y| keys[x as usize].cmp(&keys[y as usize]));
        let mut slots: Vec<Option<MFace>> = faces.into_iter().map(Some).collect();
        let faces = by_pattern.iter().map(|&f| slots[f as usize].take().expect("each face once"));
        let mut owner: HashMap<(usize, usize), usize> = HashMap::default();
        let mut out: Vec<Face> = Vec::with_capacity(faces.len());
        let mut rows: Vec<FaceRows> = Vec::with_capacity(faces.len());
        for (id, mut f) in faces.enumerate() {
            rows.push(f.rows.pop().map(|r| (f.rows.len(), r)));
            let m = f.verts.len();
            let first = (0..m).min_by_key(|&k| new_id[f.verts[k] as usize]).unwrap_or(0);
            let verts: Vec<u32> = (0..m).map(|k| f.verts[(first + k) % m]).collect();
            let mut sides = Vec::with_capacity(m);
            for k in 0..m {
                let ms = &f.sides[(first + k) % m];
                let line = &lines[ms.line as usize];
                let (a, b) = if ms.below {
                    ([line[0].clone(), line[1].clone()], -&line[2])
                } else {
                    ([-&line[0], -&line[1]], line[2].clone())
                };
                let mut sources = ms.srcs.to_vec();
                sources.sort();
                sources.dedup();
                sides.push(Side { a, b, sources, neighbor: None });
                let key = (new_id[verts[k] as usize], new_id[verts[(k + 1) % m] as usize]);
                let key = (key.0.min(key.1), key.0.max(key.1));
                if let Some(g) = owner.insert(key, id) {
                    sides[k].neighbor = Some(g);
                    let gs: &mut Face = &mut out[g];
                    let n = gs.vertices.len();
                    let back = (0..n)
                        .find(|&t| {
                            let e = (gs.vertices[t], gs.vertices[(t + 1) % n]);
                            (e.0.min(e.1), e.0.max(e.1)) == key
                        })
                        .expect("the side is on the other face");
                    gs.sides[back].neighbor = Some(id);
                }
            }
            out.push(Face {
                pattern: Pattern(f.bits),
                vertices: verts.iter().map(|&v| new_id[v as usize]).collect(),
                sides,
            });
        }
        let edges = out.iter().flat_map(|f| &f.sides).filter(|s| s.neighbor.is_some()).count() / 2;
        (Partition { vertices, faces: out, edges, complete: true }, rows)
    }
}

impl Partition {
    /// The empty partition of a run a limit stopped (`complete: false`).
    pub fn stopped() -> Partition {
        Partition { vertices: vec![], faces: vec![], edges: 0, complete: false }
    }

    /// Vertex `v` as a rational point.
    pub fn point(&self, v: usize) -> [Q; 2] {
        let e = &self.vertices[v];
        [
            crate::arith::num::q_new(e[0].clone(), e[2].clone()),
            crate::arith::num::q_new(e[1].clone(), e[2].clone()),
        ]
    }

    /// Check every invariant of the module doc exactly, against the network and domain:
    /// sorted vertices and patterns, strictly convex counter-clockwise faces, sides on
    /// their lines with the face strictly inside, symmetric neighbours, each side's sources
    /// exactly the neurons (rows not identically zero on the face) and domain rows vanishing
    /// on it, each face's pattern the network's pattern at an interior point, and the areas
    /// summing to the domain's.
    pub fn sanity_check(&self, net: &Network, domain: &Domain) -> Result<(), crate::regions::SanityError> {
        self.sanity_errors(net, domain).map_err(crate::regions::SanityError)
    }

    fn sanity_errors(&self, net: &Network, domain: &Domain) -> Result<(), String> {
        let v: Vec<[Q; 2]> = (0..self.vertices.len()).map(|i| self.point(i)).collect();
        if v.windows(2).any(|w| w[0] >= w[1]) {
            return Err("vertices not strictly sorted".into());
        }
        if self.faces.windows(2).any(|w| w[0].pattern >= w[1].pattern) {
            return Err("faces not strictly sorted by pattern".into());
        }
        let orient = |p: &[Q; 2], q: &[Q; 2], r: &[Q; 2]| {
            (&q[0] - &p[0]) * (&r[1] - &p[1]) - (&q[1] - &p[1]) * (&r[0] - &p[0])
        };
        let dom = domain.rows();
        let mut total = Q::zero();
        for (id, f) in self.faces.iter().enumerate() {
            let m = f.vertices.len();
            let at = |k: usize| &v[f.vertices[k % m]];
            if m < 3 || f.vertices.iter().min() != f.vertices.first() || f.sides.len() != m {
                return Err(format!("face {id}: bad vertex list"));
            }
            if (0..m).any(|k| !orient(at(k), at(k + 1), at(k + 2)).is_positive()) {
                return Err(format!("face {id}: not strictly convex counter-clockwise"));
            }
            let maps = net.pattern_maps(&f.pattern);
            let centroid: Vec<Q> =
                (0..2).map(|j| (&at(0)[j] + &at(1)[j] + &at(2)[j]) / Q::from_integer(Z::from(3))).collect();
            if crate::network::pattern_at(net, &centroid).0 != f.pattern {
                return Err(format!("face {id}: pattern differs from the network's inside the face"));
            }
            for (k, s) in f.sides.iter().enumerate() {
                let val = |p: &[Q; 2]| {
                    Q::from_integer(s.a[0].clone()) * &p[0] + Q::from_integer(s.a[1].clone()) * &p[1]
                        - Q::from_integer(s.b.clone())
                };
                if !val(at(k)).is_zero() || !val(at(k + 1)).is_zero() {
                    return Err(format!("face {id} side {k}: endpoints not on its line"));
                }
                if (2..m).any(|t| !val(at(k + t)).is_negative()) {
                    return Err(format!("face {id} side {k}: face not strictly inside"));
                }
                let on = |a: &[Q], c: &Q| {
                    [at(k), at(k + 1)].iter().all(|p| (&a[0] * &p[0] + &a[1] * &p[1] + c).is_zero())
                };
                let mut want: Vec<Source> = maps
                    .pre()
                    .enumerate()
                    .filter(|(n, (a, c))| {
                        !net.is_carried(*n) && !(c.is_zero() && a.iter().all(Zero::is_zero))
                    })
                    .filter(|(_, (a, c))| {
                        let a: Vec<Q> = a.iter().map(|x| Q::from_integer(x.clone())).collect();
                        on(&a, &Q::from_integer(c.clone()))
                    })
                    .map(|(n, _)| Source::Neuron(net.neuron_id(n)))
                    .collect();
                want.extend(
                    dom.iter().enumerate().filter(|(_, (a, b))| on(a, &-b)).map(|(i, _)| Source::Domain(i)),
                );
                if want != s.sources {
                    return Err(format!("face {id} side {k}: sources {:?}, expected {want:?}", s.sources));
                }
                match s.neighbor {
                    None if !s.sources.iter().any(|x| matches!(x, Source::Domain(_))) => {
                        return Err(format!("face {id} side {k}: interior side without a neighbour"));
                    }
                    Some(g) => {
                        let gf =
                            self.faces.get(g).ok_or(format!("face {id} side {k}: neighbour out of range"))?;
                        let n = gf.vertices.len();
                        let back = (0..n).any(|t| {
                            gf.vertices[t] == f.vertices[(k + 1) % m]
                                && gf.vertices[(t + 1) % n] == f.vertices[k]
                                && gf.sides[t].neighbor == Some(id)
                        });
                        if !back {
                            return Err(format!("face {id} side {k}: neighbour {g} does not share it back"));
                        }
                    }
                    None => {}
                }
            }
            let area = self.area(id);
            if !area.is_positive() {
                return Err(format!("face {id}: area not positive"));
            }
            total += area;
        }
        if Some(total) != domain.volume() {
            return Err("areas do not sum to the domain's area".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::enumerate::{Options, enumerate};
    use crate::regions::partition::partition;

    #[test]
    fn fixed_width_crossings_equal_bigint_cramer() {
        let mut rng = crate::network::random::SplitMix64(5);
        let mut z = |bits: u64| -> Z {
            let r = rng.next_u64();
            let v = Z::from((u128::from(rng.next_u64()) << 64) | u128::from(r)) >> (128 - bits.min(128));
            if r & 1 == 0 { v } else { -v }
        };
        let (mut small, mut big) = (0, 0);
        for t in 0..4000u64 {
            // Widths around the i128 limit: 126 and 127 bits fit, 128 does not.
            let w = [20, 71, 100, 126, 127, 128][(t % 6) as usize];
            let line = [z(w), z(w - 1), z(w)];
            let (a, c) = (vec![z(w - 2), z(w)], z(w));
            let det = &line[0] * &a[1] - &line[1] * &a[0];
            if det.is_zero() {
                continue;
            }
            let x = &line[1] * &c - &line[2] * &a[1];
            let y = &line[2] * &a[0] - &line[0] * &c;
            let want = if det.is_negative() { [-x, -y, -det] } else { [x, y, det] };
            match meet_small(&line, &a, &c) {
                Some(p) => {
                    small += 1;
                    assert_eq!(p, want, "{line:?} {a:?} {c:?}");
                }
                None => {
                    big += 1;
                    assert!(line.iter().chain(&a).chain([&c]).any(|v| v.bits() >= 127));
                }
            }
            assert_eq!(meet(&line, &a, &c), want);
        }
        assert!(small > 2000 && big > 500, "{small} {big}");
    }

    /// The partition equals the walk: same patterns, vertices, facets (half-space, sources,
    /// neighbour) and edges.
    fn agrees_with_walk(net: &Network, domain: &Domain) -> usize {
        let p = partition(net, domain).unwrap();
        p.sanity_check(net, domain).unwrap();
        let e = enumerate(net, domain, &Options::default().digits(5).volumes(true).mesh(false)).unwrap();
        assert_eq!(p.faces.len(), e.regions.len());
        assert_eq!(p.edges, e.graph.edge_count());
        let qz = |z: &Z| Q::from_integer(z.clone());
        for (f, r) in p.faces.iter().zip(&e.regions) {
            assert_eq!(f.pattern, r.pattern);
            let mut vs: Vec<Vec<Q>> = f.vertices.iter().map(|&v| p.point(v).to_vec()).collect();
            vs.sort();
            assert_eq!(Some(&vs), r.vertices.as_ref());
            assert_eq!(Some(&p.area(r.id)), r.volume.as_ref());
            let mut a: Vec<_> = f
                .sides
                .iter()
                .map(|s| (s.a.iter().map(qz).collect::<Vec<Q>>(), qz(&s.b), s.sources.clone(), s.neighbor))
                .collect();
            a.sort();
            let mut b: Vec<_> =
                r.facets.iter().map(|x| (x.a.clone(), x.b.clone(), x.sources.clone(), x.neighbor)).collect();
            b.sort();
            assert_eq!(a, b);
        }
        p.faces.len()
    }

    fn fixture(name: &str) -> Network {
        let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        crate::formats::parse_network(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn random_nets_agree_with_the_walk() {
        for (dims, seed) in [(vec![2, 6, 1], 1), (vec![2, 8, 8, 1], 2), (vec![2, 5, 5, 5, 1], 3)] {
            let net = crate::network::random::gaussian_net(&dims, seed, 0.5);
            assert!(
                agrees_with_walk(
                    &net,
                    &Domain::Box {
                        lo: vec![Q::from_integer((-3).into()); 2],
                        hi: vec![Q::from_integer(3.into()); 2]
                    }
                ) > 10
            );
        }
    }

    #[test]
    fn degenerate_integer_nets_agree_with_the_walk() {
        // Small integer weights: concurrent lines, neurons along sides, zero rows.
        for seed in 0..6 {
            let net = crate::network::random::integer_net(&[2, 4, 4, 1], seed, 2);
            agrees_with_walk(
                &net,
                &Domain::Box {
                    lo: vec![Q::from_integer((-2).into()); 2],
                    hi: vec![Q::from_integer(2.into()); 2],
                },
            );
        }
    }

    #[test]
    fn scaled_degenerate_nets_agree_with_the_walk() {
        // The integer nets times 3^45: entries beyond i64 and floats that round, while
        // vertices still fall exactly on lines (the filters must leave those to exact); and
        // times 3^700, beyond the f64 range (every sign exact).
        for seed in 0..5 {
            // The last one beyond the f64 range: no float filter at all.
            let f = Q::from_integer(Z::from(3).pow(if seed == 4 { 700u32 } else { 45 }));
            let net = crate::network::random::integer_net(&[2, 4, 4, 1], seed, 2);
            let sc = |d: &crate::network::Dense| crate::network::Dense {
                weight: d.weight.iter().map(|r| r.iter().map(|v| v * &f).collect()).collect(),
                bias: d.bias.iter().map(|v| v * &f).collect(),
            };
            let mut specs = Vec::new();
            for h in net.hidden() {
                specs.push(crate::network::LayerSpec::Dense(sc(&h.dense)));
                specs.push(crate::network::LayerSpec::Activation { slope: h.slope.clone() });
            }
            specs.push(crate::network::LayerSpec::Dense(sc(net.output())));
            let net = Network::from_layers(2, specs).unwrap();
            let b = |v: i64| vec![Q::from_integer(v.into()); 2];
            agrees_with_walk(&net, &Domain::Box { lo: b(-2), hi: b(2) });
        }
    }

    #[test]
    fn fixtures_agree_with_the_walk() {
        for name in [
            "three_concurrent.json",
            "duplicate_neuron.json",
            "opposite_neuron.json",
            "scaled_duplicate.json",
            "dead_neuron.json",
            "deep_coincident.json",
            "leaky.json",
            "zero_biases.json",
            "cancelling.json",
            "box_corners_faces.json",
            "net-2-8-8-1.json",
        ] {
            let net = fixture(name);
            if net.input_dim() == 2 {
                agrees_with_walk(&net, &Domain::default_box(2));
            }
        }
    }

    #[test]
    fn a_polytope_domain_is_cut_like_a_box() {
        let net = fixture("net-2-8-8-1.json");
        let q = |v: i64| Q::from_integer(v.into());
        let tri = Domain::Polytope {
            a: vec![vec![q(-1), q(0)], vec![q(0), q(-1)], vec![q(1), q(1)]],
            b: vec![q(1), q(1), q(1)],
        };
        agrees_with_walk(&net, &tri);
    }

    #[test]
    fn a_net_without_hidden_layers_is_one_region() {
        let net = crate::formats::parse_network(
            r#"{"input_dim": 2, "layers": [{"type": "dense", "weight": [["1", "2"]], "bias": ["0"]}]}"#,
        )
        .unwrap();
        assert_eq!(agrees_with_walk(&net, &Domain::default_box(2)), 1);
    }

    #[test]
    fn unbounded_and_3d_inputs_are_errors() {
        let net = fixture("net-2-8-8-1.json");
        assert_eq!(partition(&net, &Domain::Whole { dim: 2 }), Err(PartitionError::Unbounded));
        let net3 = fixture("net-3-6-6-1.json");
        assert_eq!(partition(&net3, &Domain::default_box(3)), Err(PartitionError::Dimension(3)));
    }
}
