//! The price of exactness: the exact walk against the same pipeline run in floats only.
//!
//! `float_walk` below is linregions' plane pipeline with every exact step removed: f64
//! composed rows, the step across the facet, the polar hull for the facets, the edge
//! midpoints, the crossing (signs a small step across the facet), both inspheres (the same
//! 3-variable LPs, solved over the triples of facets) and the logits, on the same
//! breadth-first walk, one thread, no output. It trusts every float sign, so it is what a
//! float-guided tool would run. Two exact runs, both on one thread: the walk
//! (`linregions::stream` with the mesh off, regions dropped) and what `linregions enumerate` runs
//! by default (`linregions::enumerate`: on a box the regions come from the exact
//! mesh and are then measured; on R^2 it walks; regions kept). Both sides count their
//! regions; the counts are printed side by side. A last column times the exact per-region
//! measures alone (`measures` below: inspheres and interior points from the regions' known
//! facets, as `enumerate` computes them), a floor under any exact run that outputs them.
//! Each time is the best of at least 3
//! alternating rounds (for small nets, as many as fit in 2 s, at most 50).
//!
//! Run: `cargo bench --bench float_walk` (prints a Markdown table; see BENCHMARKS.md).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use linregions::internals::num::qi;
use linregions::random::gaussian_net;
use linregions::{Domain, Halfspaces, LinfInsphere, Network, Options};
use linregions::{enumerate, stream};
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

fn main() {
    let nets: [(&[usize], Option<i64>); 5] = [
        (&[2, 16, 16, 1], None),
        (&[2, 32, 32, 1], None),
        (&[2, 64, 64, 1], Some(10)),
        (&[2, 32, 32, 32, 32, 1], Some(10)),
        (&[2, 256, 1], None),
    ];
    println!(
        "| network | domain | exact regions | float regions | exact walk s | float s | walk / float | exact enumerate s | enumerate / float | exact measures alone s | measures / float |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (dims, half) in nets {
        let net = gaussian_net(dims, 1, 0.5);
        let domain = match half {
            Some(h) => Domain::Box { lo: vec![qi(-h); 2], hi: vec![qi(h); 2] },
            None => Domain::Whole { dim: 2 },
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
        // The stream takes the mesh on a small box: the walk is forced for its column.
        let walk_only = Options::default().mesh(false);
        let fnet = FNet::new(&net);
        // Best of at least 3 rounds of the three runs (alternating), more for the small nets
        // (for 2 s, at most 50 rounds): single runs of a 3 ms float walk are noise.
        // The regions' facets as half-spaces, for the measures-alone column.
        let hs: Vec<Halfspaces> = pool
            .install(|| enumerate(&net, &domain, &Options::default()))
            .expect("enumerate")
            .regions
            .iter()
            .map(|r| r.halfspaces())
            .collect();
        let (mut te, mut tm, mut tf, mut ts) = (f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY);
        let (mut regions, mut float) = (0, 0);
        let begin = Instant::now();
        let mut rounds = 0;
        while rounds < 3 || (begin.elapsed().as_secs_f64() < 2.0 && rounds < 50) {
            rounds += 1;
            let t = Instant::now();
            let exact = pool.install(|| stream(&net, &domain, &walk_only, |_, _| {})).expect("walk");
            te = te.min(t.elapsed().as_secs_f64());
            regions = exact.regions;
            // What `linregions enumerate` runs by default (the mesh on a box), regions kept.
            let t = Instant::now();
            let all = pool.install(|| enumerate(&net, &domain, &Options::default())).expect("enumerate");
            tm = tm.min(t.elapsed().as_secs_f64());
            assert_eq!(all.regions.len(), exact.regions, "the walk and enumerate disagree");
            drop(all);
            let t = Instant::now();
            float = float_walk(&fnet, half.map(|h| h as f64));
            tf = tf.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            pool.install(|| measures(&hs));
            ts = ts.min(t.elapsed().as_secs_f64());
        }
        let shape: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        let dom = half.map_or("R^2".to_string(), |h| format!("[-{h},{h}]^2"));
        println!(
            "| {} | {dom} | {regions} | {float} | {te:.3} | {tf:.3} | {:.1}x | {tm:.3} | {:.1}x | {ts:.3} | {:.1}x |",
            shape.join("-"),
            te / tf,
            tm / tf,
            ts / tf
        );
    }
}

/// The exact per-region measures alone, as `enumerate` computes them once a region's facets
/// are known (`enumerate::measure_region`): the L-inf insphere (whose centre is the interior
/// point), the unit-cube centre where cubes of every size fit, else the L2 insphere to 30
/// digits. No walk, no facets, no logits: a floor under any exact run with these outputs.
fn measures(hs: &[Halfspaces]) {
    for h in hs {
        match h.linf_insphere_bounded(2).0 {
            LinfInsphere::Finite { .. } => {
                std::hint::black_box(h.l2_insphere(2, 30));
            }
            LinfInsphere::Unbounded => {
                std::hint::black_box(h.unit_cube_center(2));
            }
        }
    }
}

/// The network in floats: hidden layers `(W, b, slope)` and the output layer.
struct FNet {
    hidden: Vec<(Vec<Vec<f64>>, Vec<f64>, f64)>,
    out: (Vec<Vec<f64>>, Vec<f64>),
}

fn f(q: &linregions::Q) -> f64 {
    linregions::internals::filter::guess(q)
}

impl FNet {
    fn new(net: &Network) -> FNet {
        let dense = |d: &linregions::Dense| {
            (d.weight.iter().map(|r| r.iter().map(f).collect()).collect(), d.bias.iter().map(f).collect())
        };
        FNet {
            hidden: net
                .hidden()
                .iter()
                .map(|h| {
                    let (w, b) = dense(&h.dense);
                    (w, b, f(&h.slope))
                })
                .collect(),
            out: dense(net.output()),
        }
    }

    /// Pre-activation rows `[a0, a1, c]` of every neuron on the region of `pattern`, and
    /// the logits.
    fn rows(&self, pattern: &[bool]) -> (Vec<[f64; 3]>, Vec<[f64; 3]>) {
        let mut input: Vec<[f64; 3]> = vec![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let mut all: Vec<[f64; 3]> = Vec::new();
        for (w, b, slope) in &self.hidden {
            let pre: Vec<[f64; 3]> = w.iter().zip(b).map(|(row, bi)| compose(row, *bi, &input)).collect();
            let start = all.len();
            input = pre
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let s = if pattern[start + i] { 1.0 } else { *slope };
                    [r[0] * s, r[1] * s, r[2] * s]
                })
                .collect();
            all.extend(pre);
        }
        let logits = self.out.0.iter().zip(&self.out.1).map(|(row, bi)| compose(row, *bi, &input)).collect();
        (all, logits)
    }

    /// The pattern at `p + δ·n/|n|` for a small `δ` (what a float tool does: the exact
    /// lexicographic rule needs exact zeros, which floats do not give).
    fn cross(&self, p: [f64; 2], n: [f64; 2]) -> Vec<bool> {
        let delta = 1e-9 * p[0].abs().max(p[1].abs()).max(1.0) / n[0].hypot(n[1]);
        let mut h: Vec<f64> = vec![p[0] + delta * n[0], p[1] + delta * n[1]];
        let mut bits = Vec::new();
        for (w, b, slope) in &self.hidden {
            h = w
                .iter()
                .zip(b)
                .map(|(row, bi)| {
                    let v = row.iter().zip(&h).map(|(wj, hj)| wj * hj).sum::<f64>() + bi;
                    bits.push(v > 0.0);
                    if v > 0.0 { v } else { v * slope }
                })
                .collect();
        }
        bits
    }
}

fn compose(row: &[f64], bias: f64, input: &[[f64; 3]]) -> [f64; 3] {
    let mut r = [0.0, 0.0, bias];
    for (wj, inp) in row.iter().zip(input) {
        for t in 0..3 {
            r[t] += wj * inp[t];
        }
    }
    r
}

/// A neighbour's pattern and the hint to reach it (a facet point and the facet's normal).
type Crossing = (Vec<bool>, [f64; 2], [f64; 2]);

/// One region in floats: rows `A x <= B` (`[A0, A1, B]`), facets, crossings, inspheres.
fn region(
    net: &FNet,
    pattern: &[bool],
    dom: &[[f64; 3]],
    hint: Option<([f64; 2], [f64; 2])>,
) -> Vec<Crossing> {
    let (pre, logits) = net.rows(pattern);
    std::hint::black_box(&logits);
    let mut rows: Vec<[f64; 3]> = pre
        .iter()
        .zip(pattern)
        .map(|(r, &act)| if act { [-r[0], -r[1], r[2]] } else { [r[0], r[1], -r[2]] })
        .collect();
    rows.extend_from_slice(dom);
    let slack = |r: &[f64; 3], x: [f64; 2]| r[2] - r[0] * x[0] - r[1] * x[1];
    // Interior point: half the step to the first row along n, or a point far inside.
    let inner = match hint {
        Some((p, n)) => {
            let eps = rows
                .iter()
                .filter_map(|r| {
                    let rate = r[0] * n[0] + r[1] * n[1];
                    let s = slack(r, p);
                    (s > 1e-12 && rate > 0.0).then(|| s / rate)
                })
                .fold(f64::INFINITY, f64::min);
            let eps = if eps.is_finite() { eps / 2.0 } else { 1.0 };
            [p[0] + eps * n[0], p[1] + eps * n[1]]
        }
        None => [1.0 / 3.0, 1.0 / 7.0],
    };
    // Facets: hull vertices of the polar points A_i / s_i and the origin.
    let n = rows.len();
    let mut pts: Vec<[f64; 2]> = rows
        .iter()
        .map(|r| {
            let s = slack(r, inner);
            [r[0] / s, r[1] / s]
        })
        .collect();
    pts.push([0.0, 0.0]);
    let mut order: Vec<usize> = (0..=n).collect();
    order.sort_by(|&i, &j| pts[i][0].total_cmp(&pts[j][0]).then(pts[i][1].total_cmp(&pts[j][1])));
    let orient = |i: usize, j: usize, k: usize| {
        let (p, q, r) = (pts[i], pts[j], pts[k]);
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    let mut hull: Vec<usize> = Vec::new();
    for pass in 0..2 {
        let start = hull.len();
        let seq: Vec<usize> = if pass == 0 { order.clone() } else { order.iter().rev().copied().collect() };
        for i in seq {
            while hull.len() >= start + 2 && orient(hull[hull.len() - 2], hull[hull.len() - 1], i) <= 0.0 {
                hull.pop();
            }
            hull.push(i);
        }
        hull.pop();
    }
    let len = hull.len();
    let vertex = |i: usize, j: usize| -> Option<[f64; 2]> {
        let (a, b) = (rows[i], rows[j]);
        let det = a[0] * b[1] - a[1] * b[0];
        (det != 0.0).then(|| [(a[2] * b[1] - a[1] * b[2]) / det, (a[0] * b[2] - a[2] * b[0]) / det])
    };
    let mut facets: Vec<usize> = Vec::new();
    let mut crossings = Vec::new();
    for pos in 0..len {
        let k = hull[pos];
        if k == n {
            continue;
        }
        facets.push(k);
        let ends = [hull[(pos + len - 1) % len], hull[(pos + 1) % len]];
        let vs: Vec<[f64; 2]> = ends.iter().filter(|&&j| j < n).filter_map(|&j| vertex(k, j)).collect();
        let r = rows[k];
        let point = match vs.as_slice() {
            [u, v, ..] => [(u[0] + v[0]) / 2.0, (u[1] + v[1]) / 2.0],
            [u] => {
                // One unit along the line, towards the side of the row that ends the edge.
                let j = *ends.iter().find(|&&j| j < n).expect("an end");
                let t = if rows[j][0] * -r[1] + rows[j][1] * r[0] < 0.0 { 1.0 } else { -1.0 };
                [u[0] - t * r[1], u[1] + t * r[0]]
            }
            _ => {
                let t = slack(&r, inner) / (r[0] * r[0] + r[1] * r[1]);
                [inner[0] + t * r[0], inner[1] + t * r[1]]
            }
        };
        if k < pre.len() {
            crossings.push((net.cross(point, [r[0], r[1]]), point, [r[0], r[1]]));
        }
    }
    // Inspheres: max r with A_i c + r w_i <= B_i over the facets (w = L1 and L2 norms).
    for norm in [|r: &[f64; 3]| r[0].abs() + r[1].abs(), |r: &[f64; 3]| r[0].hypot(r[1])] {
        std::hint::black_box(max_radius(&facets.iter().map(|&k| rows[k]).collect::<Vec<_>>(), norm));
    }
    crossings
}

/// The radius LP in 3 variables over few rows: the best feasible vertex of the triples.
fn max_radius(rows: &[[f64; 3]], norm: fn(&[f64; 3]) -> f64) -> Option<f64> {
    let m: Vec<[f64; 4]> = rows.iter().map(|r| [r[0], r[1], norm(r), r[2]]).collect();
    let mut best: Option<f64> = None;
    for i in 0..m.len() {
        for j in i + 1..m.len() {
            for k in j + 1..m.len() {
                let (a, b, c) = (m[i], m[j], m[k]);
                let det3 = |x: [f64; 3], y: [f64; 3], z: [f64; 3]| {
                    x[0] * (y[1] * z[2] - y[2] * z[1]) - x[1] * (y[0] * z[2] - y[2] * z[0])
                        + x[2] * (y[0] * z[1] - y[1] * z[0])
                };
                let d = det3([a[0], a[1], a[2]], [b[0], b[1], b[2]], [c[0], c[1], c[2]]);
                if d.abs() < 1e-300 {
                    continue;
                }
                let x = det3([a[3], a[1], a[2]], [b[3], b[1], b[2]], [c[3], c[1], c[2]]) / d;
                let y = det3([a[0], a[3], a[2]], [b[0], b[3], b[2]], [c[0], c[3], c[2]]) / d;
                let r = det3([a[0], a[1], a[3]], [b[0], b[1], b[3]], [c[0], c[1], c[3]]) / d;
                let ok = m.iter().all(|q| q[0] * x + q[1] * y + q[2] * r <= q[3] * (1.0 + 1e-9) + 1e-12);
                if ok && best.is_none_or(|b| r > b) {
                    best = Some(r);
                }
            }
        }
    }
    best
}

/// The breadth-first walk in floats; returns the number of regions.
fn float_walk(net: &FNet, half: Option<f64>) -> usize {
    let dom: Vec<[f64; 3]> = match half {
        Some(h) => vec![[-1.0, 0.0, h], [1.0, 0.0, h], [0.0, -1.0, h], [0.0, 1.0, h]],
        None => Vec::new(),
    };
    let start = net.cross([1.0 / 3.0, 1.0 / 7.0], [1.0, 0.5]);
    let mut seen: HashMap<Vec<bool>, ()> = HashMap::from([(start.clone(), ())]);
    let mut queue: VecDeque<(Vec<bool>, Option<([f64; 2], [f64; 2])>)> = VecDeque::from([(start, None)]);
    while let Some((pattern, hint)) = queue.pop_front() {
        for (next, p, n) in region(net, &pattern, &dom, hint) {
            if seen.insert(next.clone(), ()).is_none() {
                queue.push_back((next, Some((p, n))));
            }
        }
    }
    seen.len()
}
