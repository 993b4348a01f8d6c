//! Tests of the walk (`enumerate.rs`): test code, which may use every layer (the house
//! tools read a file up to its first `cfg(test)` mark, hence the one on the first import).

#[cfg(test)]
use super::*;
use crate::network::LayerSpec;
use crate::network::random::{gaussian_net, integer_net};

/// Past 16 inputs a data point starts the facet search, pulled off the box faces it lies
/// on (zero pixels): the same region as from the interior-point LP (facets, sources,
/// neighbours, maps, inspheres, interior point); only the facet points may differ.
#[test]
fn a_start_on_box_faces_gives_the_same_region() {
    let q = |n: i64, d: i64| Q::new(n.into(), d.into());
    for seed in 0..3 {
        let net = gaussian_net(&[20, 6, 6, 3], seed, 0.5);
        let domain = Domain::Box { lo: vec![q(0, 1); 20], hi: vec![q(1, 1); 20] };
        let rows = domain.rows();
        // A third of the coordinates on the face x_j = 0, one on x_j = 1.
        let x: Vec<Q> = (0..20)
            .map(|j| match j % 3 {
                0 => q(0, 1),
                _ if j == 1 => q(1, 1),
                _ => q((j as i64 * 7 + seed as i64) % 10 + 1, 12),
            })
            .collect();
        let pattern = pattern_at(&net, &x).0;
        let opts = Options::default();
        let RegionOutcome::Full(a) =
            analyze_region_from(&net, &rows, true, &pattern, None, Some(&x), &opts, None)
        else {
            panic!("full")
        };
        let RegionOutcome::Full(b) = analyze_region(&net, &rows, true, &pattern, None, &opts, None) else {
            panic!("full")
        };
        let strip = |r: &Region| {
            let mut r = r.clone();
            r.facets.iter_mut().for_each(|f| f.point.clear());
            r
        };
        assert_eq!(strip(&a), strip(&b), "seed {seed}");
        assert!(a.facets.iter().filter(|f| f.on_domain_boundary()).count() >= 7);
    }
}

/// Everything `enumerate_with` gives, walk order included: (walk id, pattern) in
/// callback order, the regions and the graph's edges.
fn everything(
    net: &Network,
    dom: &Domain,
    opts: &Options,
) -> (Vec<(usize, Pattern)>, Vec<Region>, Vec<String>) {
    let mut order = Vec::new();
    let e = enumerate_with(net, dom, opts, |r, _| order.push((r.id, r.pattern.clone()))).unwrap();
    e.sanity_check(net).unwrap();
    let edges = e.edges().map(|(a, b, c)| format!("{a} {b} {c:?}")).collect();
    (order, e.regions, edges)
}

#[test]
fn the_mesh_gives_the_walks_enumeration() {
    // On bounded plane domains enumerate takes its regions from the mesh: same walk
    // order, regions (facet points, inspheres, logits...) and graph as the facet walk.
    let q = |v: i64| Q::from_integer(v.into());
    let boxed = |h: i64| Domain::Box { lo: vec![q(-h); 2], hi: vec![q(h); 2] };
    let tri = Domain::Polytope {
        a: vec![vec![q(-1), q(0)], vec![q(0), q(-1)], vec![q(1), q(1)]],
        b: vec![q(2), q(2), q(2)],
    };
    let mut nets: Vec<Network> =
        vec![gaussian_net(&[2, 6, 6, 1], 1, 0.5), gaussian_net(&[2, 5, 5, 5, 1], 2, 0.5)];
    nets.extend((0..6).map(|s| integer_net(&[2, 4, 4, 1], s, 2)));
    nets.push(leaky(&[2, 4, 4, 1], 3, 2));
    // Constants out of the f64 range in the last hidden layer: the mesh keeps that
    // layer's rows exact (no float rows), and the logits come from them directly; with
    // a layer before it, from three layers of exact rows.
    let huge = r#"{"type": "dense", "weight": [["1e400", "2e400", "1"], ["-3e-400", "1", "2"],
        ["1", "-1", "1e300"]], "bias": ["1e399", "1/5", "-1/7"]}, {"type": "relu"},
        {"type": "dense", "weight": [["1", "1e-300", "-2"]], "bias": ["0"]}]}"#;
    let first = r#"{"input_dim": 2, "layers": [{"type": "dense", "weight": [["1", "2"], ["-3", "1"],
        ["1", "-1"]], "bias": ["1/2", "0", "1/3"]}, {"type": "relu"},"#;
    let middle = r#"{"type": "dense", "weight": [["1", "1", "1"], ["2", "-1", "0"], ["0", "1", "-3"]],
        "bias": ["1/3", "-1/2", "1"]}, {"type": "relu"},"#;
    for text in [format!("{first}{huge}"), format!("{first}{middle}{huge}")] {
        nets.push(crate::formats::parse_network(&text).unwrap());
    }
    for name in [
        "three_concurrent",
        "duplicate_neuron",
        "opposite_neuron",
        "deep_coincident",
        "box_corners_faces",
        "cancelling",
    ] {
        let path = format!("{}/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
        nets.push(crate::formats::parse_network(&std::fs::read_to_string(path).unwrap()).unwrap());
    }
    for (k, net) in nets.iter().enumerate() {
        for dom in [boxed(2), tri.clone()] {
            let volumes = k % 2 == 0;
            let mesh = Options { volumes, ..Options::default() };
            let walk = Options { mesh: false, ..mesh.clone() };
            assert_eq!(everything(net, &dom, &mesh), everything(net, &dom, &walk), "net {k} {dom:?}");
        }
    }
}

#[test]
fn the_stream_takes_the_mesh_up_to_its_cap() {
    // A box: the stream through the mesh (the cap not reached), the stream with a cap
    // the mesh passes (it walks instead), and the walk forced: the same regions in the
    // same order with the same ids, and the same summary.
    let dom = Domain::Box { lo: vec![crate::arith::num::qi(-3); 2], hi: vec![crate::arith::num::qi(3); 2] };
    for net in [gaussian_net(&[2, 8, 8, 1], 4, 0.5), gaussian_net(&[2, 5, 5, 5, 1], 5, 0.5)] {
        let run = |cap: usize, opts: &Options| {
            let mut got = Vec::new();
            let summary = stream_capped(&net, &dom, opts, cap, |r, _| got.push(r.clone())).unwrap();
            (got, summary)
        };
        let walk = run(STREAM_MESH_FACES, &Options { mesh: false, ..Options::default() });
        let faces = crate::regions::partition::partition(&net, &dom).unwrap().faces.len();
        assert!(faces > 20 && walk.0.len() == faces);
        assert_eq!(run(STREAM_MESH_FACES, &Options::default()), walk);
        assert_eq!(run(2 * faces, &Options::default()), walk, "under the cap: the mesh");
        assert_eq!(run(faces / 2, &Options::default()), walk, "past the cap: the walk");
        assert!(crate::regions::mesh::partition_capped(&net, &dom, faces - 1).unwrap().is_none());
        assert!(crate::regions::mesh::partition_capped(&net, &dom, 2 * faces).unwrap().is_some());
    }
}

/// The same layers with every activation a leaky ReLU of slope 1/10.
fn leaky(dims: &[usize], seed: u64, k: i64) -> Network {
    let mut rng = crate::network::random::SplitMix64(seed);
    let mut layers = Vec::new();
    for (i, w) in dims.windows(2).enumerate() {
        let int = |rng: &mut crate::network::random::SplitMix64| Q::from_integer(rng.small_int(k).into());
        let weight = (0..w[1]).map(|_| (0..w[0]).map(|_| int(&mut rng)).collect()).collect();
        let bias = (0..w[1]).map(|_| int(&mut rng)).collect();
        layers.push(LayerSpec::Dense(Dense { weight, bias }));
        if i + 2 < dims.len() {
            layers.push(LayerSpec::Activation { slope: Q::new(1.into(), 10.into()) });
        }
    }
    Network::from_layers(dims[0], layers).expect("valid")
}

/// The crossing told the facet's neurons (the shallow layers not evaluated, nothing
/// evaluated when the facet is in the last hidden layer) gives the pattern the full
/// evaluation at the facet point gives: 2D and 3D, one to three hidden layers, leaky,
/// and small-integer nets full of coinciding, dead and zero neurons.
#[test]
fn crossing_told_the_facet_equals_full_evaluation() {
    let nets = [
        gaussian_net(&[2, 30, 1], 1, 0.5),
        gaussian_net(&[2, 6, 6, 6, 1], 2, 0.5),
        gaussian_net(&[3, 6, 6, 1], 3, 0.5),
        integer_net(&[2, 7, 5, 1], 3, 1),
        integer_net(&[2, 12, 1], 4, 1),
        integer_net(&[3, 5, 4, 1], 6, 1),
        integer_net(&[2, 4, 4, 4, 1], 7, 1),
        leaky(&[2, 6, 6, 1], 5, 2),
    ];
    let (mut last, mut deeper, mut several) = (0, 0, 0);
    for net in &nets {
        let d = net.input_dim();
        let two = Q::from_integer(2.into());
        for domain in [Domain::Whole { dim: d }, Domain::Box { lo: vec![-two.clone(); d], hi: vec![two; d] }]
        {
            let e = enumerate(net, &domain, &Options { mesh: false, ..Options::default() }).expect("walk");
            for r in &e.regions {
                let maps = net.pattern_maps(&r.pattern);
                for f in r.facets.iter().filter(|f| f.neighbor_pattern.is_some()) {
                    assert_eq!(
                        f.neighbor_pattern.as_ref(),
                        Some(&net.cross(&f.point, &f.a, &r.pattern, &maps))
                    );
                    let layers: Vec<usize> = f
                        .sources
                        .iter()
                        .filter_map(|s| if let Source::Neuron(n) = s { Some(n.0) } else { None })
                        .collect();
                    let l0 = *layers.iter().min().expect("a neuron facet");
                    if l0 + 1 == net.layer_sizes().len() {
                        last += 1
                    } else {
                        deeper += 1
                    }
                    several += usize::from(layers.len() > 1);
                }
            }
            e.sanity_check(net).expect("sane");
        }
    }
    assert!(last > 500 && deeper > 500 && several > 20, "{last} {deeper} {several}");
}

/// The plane fast path finds the general path's interior point and keeps every facet
/// with all its sources (wide, deep, leaky and degenerate small-integer nets, boxes and
/// the whole plane), and does drop rows: most of them on a wide layer.
#[test]
fn plane_prefilter_agrees_with_the_general_path() {
    let nets = [
        gaussian_net(&[2, 40, 1], 1, 0.5),
        gaussian_net(&[2, 8, 8, 8, 1], 2, 0.5),
        integer_net(&[2, 7, 5, 1], 3, 2),
        integer_net(&[2, 12, 1], 4, 1),
        leaky(&[2, 6, 6, 1], 5, 2),
    ];
    let three = Q::from_integer(3.into());
    let domains = [Domain::Box { lo: vec![-three.clone(); 2], hi: vec![three; 2] }, Domain::Whole { dim: 2 }];
    let (mut crossings, mut fallbacks, mut rows, mut kept) = (0, 0, 0, 0);
    for net in &nets {
        for domain in &domains {
            let e = enumerate(net, domain, &Options::default()).expect("walk");
            let drows = domain.rows();
            for r in &e.regions {
                for f in r.facets.iter().filter(|f| f.neighbor_pattern.is_some()) {
                    let np = f.neighbor_pattern.as_ref().expect("filtered");
                    let maps = net.pattern_maps(np);
                    let Grouped::Rows(hs) = rows_of_maps(net, &drows, np, &maps) else { panic!("empty") };
                    let general = interior_from_hint(&hs, &f.point, &f.a)
                        .map(|(nums, den)| hs.simplify_interior_homogeneous(&nums, &den));
                    let fast = plane_prefilter(net, &drows, np, &maps, &f.point, &f.a);
                    crossings += 1;
                    let Some((fhs, inner)) = fast else {
                        fallbacks += 1;
                        continue;
                    };
                    assert_eq!(Some(&inner), general.as_ref(), "interior point");
                    // Every kept row is a row of the general path, every facet is kept.
                    let key =
                        |h: &Halfspaces, i: usize| (h.a[i].clone(), h.b[i].clone(), h.sources[i].clone());
                    let all: Vec<_> = (0..hs.len()).map(|i| key(&hs, i)).collect();
                    assert!((0..fhs.len()).all(|i| all.contains(&key(&fhs, i))));
                    let facets = |h: &Halfspaces| -> Vec<_> {
                        h.facets(&inner).into_iter().map(|(i, pt)| (key(h, i), pt)).collect()
                    };
                    assert_eq!(facets(&fhs), facets(&hs));
                    rows += hs.len();
                    kept += fhs.len();
                }
            }
            e.sanity_check(net).expect("sane");
        }
    }
    assert!(crossings > 2000, "{crossings}");
    assert!(fallbacks * 20 < crossings, "{fallbacks} of {crossings} fell back");
    assert!(kept * 6 < rows, "kept {kept} of {rows} rows");
}

/// The record of met patterns by breadth-first level: a breadth-first search of a grid graph
/// through it gives every vertex one id, in breadth-first order, while holding at most three
/// levels; and the whole plane of 2-n-1 nets streams its `1 + n + n(n-1)/2` regions (lines
/// in general position), each once, with the ids of the kept walk.
#[test]
fn the_walk_forgets_old_levels_and_meets_each_region_once() {
    let (w, h) = (40usize, 25usize);
    let key = |x: usize, y: usize| -> Box<[u64]> { vec![(x * h + y) as u64].into_boxed_slice() };
    let mut met = Met::by_levels(key(0, 0));
    let mut queue: VecDeque<(usize, usize, usize)> = VecDeque::from([(0, 0, 0)]);
    let mut order = Vec::new();
    let mut most = 0;
    while let Some((id, x, y)) = queue.pop_front() {
        met.forget_before(id);
        order.push(id);
        let mut nbrs = Vec::new();
        if x > 0 {
            nbrs.push((x - 1, y));
        }
        if y > 0 {
            nbrs.push((x, y - 1));
        }
        if x + 1 < w {
            nbrs.push((x + 1, y));
        }
        if y + 1 < h {
            nbrs.push((x, y + 1));
        }
        for (u, v) in nbrs {
            assert!(met.id(key(u, v), id, |next| queue.push_back((next, u, v))).is_some());
        }
        most = most.max(met.ids.len());
    }
    assert_eq!(order, (0..w * h).collect::<Vec<_>>(), "each vertex once, in breadth-first order");
    // A pattern of a dropped level met again (links not symmetric) is refused, not renumbered.
    assert_eq!(met.id(key(0, 0), w * h - 1, |_| panic!("no new id")), None);
    // Levels are the anti-diagonals x + y (at most 25 vertices each): three and a bit held.
    assert!(most <= 4 * h, "held {most} patterns of {}", w * h);
    for n in [3usize, 12, 30] {
        let net = gaussian_net(&[2, n, 1], n as u64, 0.5);
        let whole = Domain::Whole { dim: 2 };
        let mut seen = BTreeSet::new();
        let summary =
            stream(&net, &whole, &Options::default(), |r, _| assert!(seen.insert(r.pattern.clone())))
                .unwrap();
        assert_eq!(summary.regions, 1 + n + n * (n - 1) / 2, "2-{n}-1");
        assert_eq!(summary, enumerate(&net, &whole, &Options::default()).unwrap().summary());
    }
}
