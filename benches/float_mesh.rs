//! The price of exactness for the 2D partition: `linregions::partition` against the
//! same mesh splitting run in floats only.
//!
//! `float_mesh` below is the mesh pipeline with every exact step removed: f64 vertices,
//! each face's rows of a layer from a neighbour's by a rank-one update (or composed), a per-layer
//! table of the neurons' values at every vertex, cuts that trust every float sign (a value
//! equal to 0.0 is on the line) and place the new vertex by interpolation along the side,
//! then the same finish (faces sorted by pattern, vertices sorted, sides with their lines and
//! neighbours). No error bounds, no exact fallbacks, no big integers: what a float tool runs.
//! Both sides run on one thread (best of 5 or more, alternating) and count their regions;
//! the counts are printed side by side.
//!
//! Run: `cargo bench --bench float_mesh` (prints a Markdown table; see BENCHMARKS.md).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use linregions::internals::num::{qi, to_f64};
use linregions::partition;
use linregions::random::gaussian_net;
use linregions::{Domain, Network};
use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;
use std::time::Instant;

fn main() {
    // As the CLI does: freed memory stays with the process (BENCHMARKS.md).
    unsafe { libmimalloc_sys::mi_option_set(15, -1) };
    let nets: [&[usize]; 4] = [&[2, 32, 32, 1], &[2, 64, 64, 1], &[2, 128, 128, 1], &[2, 64, 64, 64, 64, 1]];
    println!("| network | domain | exact regions | float regions | exact s | float s | exact / float |");
    println!("|---|---|---|---|---|---|---|");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    for dims in nets {
        let net = gaussian_net(dims, 1, 0.5);
        let domain = Domain::Box { lo: vec![qi(-10); 2], hi: vec![qi(10); 2] };
        let fnet = FNet::new(&net);
        // Best of at least 5 runs for each side, alternating, and of more for the small nets
        // (for 1.5 s, at most 200 runs): a best of 5 of a 4 ms run is noise.
        let (mut te, mut tf) = (f64::INFINITY, f64::INFINITY);
        let (mut exact, mut float) = (0, 0);
        let begin = Instant::now();
        let mut runs = 0;
        while runs < 5 || (begin.elapsed().as_secs_f64() < 1.5 && runs < 200) {
            runs += 1;
            let t = Instant::now();
            exact = pool.install(|| partition(&net, &domain)).expect("partition").faces.len();
            te = te.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            float = float_mesh(&fnet, 10.0);
            tf = tf.min(t.elapsed().as_secs_f64());
        }
        let shape: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
        println!(
            "| {} | [-10,10]^2 | {exact} | {float} | {te:.3} | {tf:.3} | {:.2}x |",
            shape.join("-"),
            te / tf
        );
    }
}

/// The hidden layers in floats: `(W, b, slope)`.
struct FNet {
    hidden: Vec<(Vec<Vec<f64>>, Vec<f64>, f64)>,
}

impl FNet {
    fn new(net: &Network) -> FNet {
        let hidden = net
            .hidden()
            .iter()
            .map(|h| {
                let w = h.dense.weight.iter().map(|r| r.iter().map(to_f64).collect()).collect();
                (w, h.dense.bias.iter().map(to_f64).collect(), to_f64(&h.slope))
            })
            .collect();
        FNet { hidden }
    }
}

struct Face {
    verts: Vec<u32>,
    /// The line through each side `(a0, a1, c)`.
    sides: Vec<u32>,
    bits: Vec<bool>,
    /// This layer's rows `(a0, a1, c)`, shared by the faces cut from one face.
    rows: Rc<Vec<[f64; 3]>>,
    /// The rows of the layer before (for the rank-one updates).
    prev: Rc<Vec<[f64; 3]>>,
}

/// Every face's rows of layer `l` as the exact side gets them: a rank-one update of a
/// neighbour's rows when the two differ in one neuron of layer `l - 1` (depth-first over
/// the mesh), composed in full otherwise.
fn float_rows(net: &FNet, l: usize, start: usize, faces: &mut [Face]) {
    let (w, b, _) = &net.hidden[l];
    let slope = net.hidden[l - 1].2;
    let lo = start - net.hidden[l - 1].1.len();
    let n = faces.len();
    let mut owner: HashMap<(u32, u32), u32> = HashMap::with_capacity_and_hasher(3 * n, Default::default());
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (fi, f) in faces.iter().enumerate() {
        let m = f.verts.len();
        for k in 0..m {
            let (u, v) = (f.verts[k], f.verts[(k + 1) % m]);
            if let Some(g) = owner.insert((u.min(v), u.max(v)), fi as u32) {
                adj[fi].push(g);
                adj[g as usize].push(fi as u32);
            }
        }
    }
    for f in faces.iter_mut() {
        f.prev = f.rows.clone();
    }
    // The one differing bit, if the faces differ in exactly one bit of layer l - 1.
    let flip = |f: &Face, g: &Face| -> Option<usize> {
        let mut diff = f.bits.iter().zip(&g.bits).enumerate().filter(|(_, (x, y))| x != y).map(|(i, _)| i);
        let i = diff.next()?;
        (diff.next().is_none() && i >= lo).then_some(i - lo)
    };
    let compose = |f: &Face| -> Vec<[f64; 3]> {
        w.iter()
            .zip(b)
            .map(|(wr, bj)| {
                let mut r = [0.0, 0.0, *bj];
                for ((wk, pr), &act) in wr.iter().zip(f.prev.iter()).zip(&f.bits[lo..start]) {
                    let g = if act { *wk } else { wk * slope };
                    if g != 0.0 {
                        r[0] += g * pr[0];
                        r[1] += g * pr[1];
                        r[2] += g * pr[2];
                    }
                }
                r
            })
            .collect()
    };
    let mut out: Vec<Option<Rc<Vec<[f64; 3]>>>> = vec![None; n];
    let mut stack = Vec::new();
    for root in 0..n {
        if out[root].is_some() {
            continue;
        }
        out[root] = Some(Rc::new(compose(&faces[root])));
        stack.push(root);
        while let Some(f) = stack.pop() {
            for &g in &adj[f] {
                let g = g as usize;
                if out[g].is_some() {
                    continue;
                }
                let rows = match flip(&faces[g], &faces[f]) {
                    Some(j) => {
                        let base = out[f].as_ref().expect("done");
                        let delta = if faces[g].bits[lo + j] { 1.0 - slope } else { slope - 1.0 };
                        let r = faces[g].prev[j];
                        base.iter()
                            .zip(w)
                            .map(|(x, wr)| {
                                let u = delta * wr[j];
                                [x[0] + u * r[0], x[1] + u * r[1], x[2] + u * r[2]]
                            })
                            .collect()
                    }
                    None => compose(&faces[g]),
                };
                out[g] = Some(Rc::new(rows));
                stack.push(g);
            }
        }
    }
    for (f, r) in faces.iter_mut().zip(out) {
        f.rows = r.expect("every face");
    }
}

/// The float mesh: returns the number of regions.
fn float_mesh(net: &FNet, half: f64) -> usize {
    let mut pts: Vec<[f64; 2]> = vec![[-half, -half], [half, -half], [half, half], [-half, half]];
    let mut lines: Vec<[f64; 3]> =
        vec![[0.0, -1.0, -half], [1.0, 0.0, -half], [0.0, 1.0, -half], [-1.0, 0.0, -half]];
    let first: Vec<[f64; 3]> =
        net.hidden[0].0.iter().zip(&net.hidden[0].1).map(|(w, b)| [w[0], w[1], *b]).collect();
    let mut faces = vec![Face {
        verts: vec![0, 1, 2, 3],
        sides: vec![0, 1, 2, 3],
        bits: vec![],
        prev: Rc::new(vec![]),
        rows: Rc::new(first),
    }];
    let mut start = 0;
    for (l, (_, b, _)) in net.hidden.iter().enumerate() {
        if l > 0 {
            float_rows(net, l, start, &mut faces);
        }
        let n = b.len();
        // Values of every neuron of the layer at every vertex.
        let mut z: Vec<f64> = vec![f64::NAN; pts.len() * n];
        for f in &faces {
            for &v in &f.verts {
                let v = v as usize;
                if z[v * n].is_nan() {
                    for (i, r) in f.rows.iter().enumerate() {
                        z[v * n + i] = r[0] * pts[v][0] + r[1] * pts[v][1] + r[2];
                    }
                }
            }
        }
        for i in 0..n {
            let mut cuts: HashMap<(u32, u32), u32> = HashMap::default();
            for fi in 0..faces.len() {
                let m = faces[fi].verts.len();
                let sign = |v: u32| {
                    let x = z[v as usize * n + i];
                    if x > 0.0 {
                        1i8
                    } else if x < 0.0 {
                        -1
                    } else {
                        0
                    }
                };
                let signs: Vec<i8> = faces[fi].verts.iter().map(|&v| sign(v)).collect();
                let (pos, neg) = (signs.iter().any(|&s| s > 0), signs.iter().any(|&s| s < 0));
                if !(pos && neg) {
                    faces[fi].bits.push(pos);
                    continue;
                }
                let mut ring: Vec<(u32, i8, u32)> = Vec::with_capacity(m + 2);
                for k in 0..m {
                    let (u, v) = (faces[fi].verts[k], faces[fi].verts[(k + 1) % m]);
                    ring.push((u, signs[k], faces[fi].sides[k]));
                    if signs[k] * signs[(k + 1) % m] < 0 {
                        let key = (u.min(v), u.max(v));
                        let nv = *cuts.entry(key).or_insert_with(|| {
                            let (zu, zv) = (z[u as usize * n + i], z[v as usize * n + i]);
                            let t = zu / (zu - zv);
                            let (pu, pv) = (pts[u as usize], pts[v as usize]);
                            let p = [pu[0] + t * (pv[0] - pu[0]), pu[1] + t * (pv[1] - pu[1])];
                            pts.push(p);
                            let rows = &faces[fi].rows;
                            z.extend(rows.iter().map(|r| r[0] * p[0] + r[1] * p[1] + r[2]));
                            let last = z.len() - n + i;
                            z[last] = 0.0;
                            (pts.len() - 1) as u32
                        });
                        ring.push((nv, 0, faces[fi].sides[k]));
                    }
                }
                lines.push(faces[fi].rows[i]);
                let chord = (lines.len() - 1) as u32;
                let child = |sigma: i8, parent: &Face| -> Face {
                    let np = ring.len();
                    let keep = |k: usize| ring[k].1 * sigma >= 0;
                    let s0 = (0..np).find(|&k| keep(k) && !keep((k + np - 1) % np)).expect("two arcs");
                    let (mut verts, mut sides) = (Vec::new(), Vec::new());
                    let mut k = s0;
                    loop {
                        verts.push(ring[k].0);
                        let next = (k + 1) % np;
                        if keep(next) {
                            sides.push(ring[k].2);
                            k = next;
                        } else {
                            sides.push(chord);
                            break;
                        }
                    }
                    let mut bits = parent.bits.clone();
                    bits.push(sigma > 0);
                    Face { verts, sides, bits, rows: parent.rows.clone(), prev: parent.prev.clone() }
                };
                let (plus, minus) = (child(1, &faces[fi]), child(-1, &faces[fi]));
                faces[fi] = plus;
                faces.push(minus);
            }
        }
        start += n;
    }
    // The finish: sorted faces and vertices, sides oriented, neighbours.
    faces.sort_by(|a, b| a.bits.cmp(&b.bits));
    let mut order: Vec<u32> = (0..pts.len() as u32).collect();
    order.sort_by(|&a, &b| pts[a as usize].partial_cmp(&pts[b as usize]).expect("finite"));
    let mut id = vec![0u32; pts.len()];
    for (k, &v) in order.iter().enumerate() {
        id[v as usize] = k as u32;
    }
    let mut owner: HashMap<(u32, u32), usize> = HashMap::default();
    let mut neighbors: Vec<Vec<Option<usize>>> = Vec::with_capacity(faces.len());
    let mut halfspaces = 0usize;
    for (fi, f) in faces.iter().enumerate() {
        let m = f.verts.len();
        let mut nb = vec![None; m];
        for k in 0..m {
            let (u, v, w) = (f.verts[k], f.verts[(k + 1) % m], f.verts[(k + 2) % m]);
            let r = lines[f.sides[k] as usize];
            let inside = r[0] * pts[w as usize][0] + r[1] * pts[w as usize][1] + r[2];
            halfspaces += usize::from(inside < 0.0);
            let key = (id[u as usize].min(id[v as usize]), id[u as usize].max(id[v as usize]));
            if let Some(g) = owner.insert(key, fi) {
                nb[k] = Some(g);
                let gv = &faces[g].verts;
                let t = (0..gv.len())
                    .find(|&t| {
                        let (a, b) = (id[gv[t] as usize], id[gv[(t + 1) % gv.len()] as usize]);
                        (a.min(b), a.max(b)) == key
                    })
                    .expect("shared side");
                neighbors[g][t] = Some(fi);
            }
        }
        neighbors.push(nb);
    }
    std::hint::black_box((halfspaces, neighbors));
    faces.len()
}
