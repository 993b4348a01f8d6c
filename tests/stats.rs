//! The study's properties on networks where they can be derived by hand, snapshots of the
//! stats exports, and deterministic training through the binary.

use linregions::internals::num::{Q, dot, qi};
use linregions::properties::{properties, summarize};
use linregions::{Domain, Insphere, Network, Options, enumerate, parse_network};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Network {
    parse_network(&std::fs::read_to_string(root().join("fixtures").join(name)).unwrap()).unwrap()
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

#[test]
fn known_decision_boundary_line() {
    // f = relu(x+y) - relu(-x-y) - 1/4 = x + y - 1/4: the boundary is the line x + y = 1/4.
    let net = fixture("known_boundary.json");
    let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&net).unwrap();
    let (props, _) = properties(&net, &e);
    let with: Vec<&_> = props.iter().filter(|p| p.boundary).collect();
    assert_eq!(with.len(), 2, "the line crosses the two regions with x + y > 0");
    let mut vertices = Vec::new();
    for p in &with {
        assert_eq!(p.classes, vec![0, 1]);
        assert_eq!(p.predicted, None);
        assert_eq!(p.pieces.len(), 1);
        let piece = &p.pieces[0];
        assert_eq!((piece.normal.clone(), piece.offset.clone()), (vec![qi(1), qi(1)], q(1, 4)));
        vertices.extend(piece.vertices.clone().unwrap());
        // Exact squared distance from the insphere centre to the line.
        let Insphere::Finite { center, .. } = &e.regions[p.id].insphere else { panic!() };
        let g = dot(&piece.normal, center) - &piece.offset;
        assert_eq!(p.boundary_distance.as_ref().unwrap().0, &g * &g / qi(2));
        // Facet normals (1,1) and (1,-1): orthogonal; to the boundary: |cos| 1 and 0.
        assert_eq!(p.facet_cos.unwrap().max, 0.0);
        let bc = p.boundary_cos.unwrap();
        assert_eq!((bc.min, bc.max, bc.mean), (0.0, 1.0, 0.5));
    }
    vertices.sort();
    assert_eq!(
        vertices,
        vec![vec![q(-3, 4), qi(1)], vec![q(1, 8), q(1, 8)], vec![q(1, 8), q(1, 8)], vec![qi(1), q(-3, 4)]]
    );
    for p in props.iter().filter(|p| !p.boundary) {
        assert_eq!(p.predicted, Some(0), "x + y < 0 < 1/4: class 0 (negative logit)");
    }
    let s = summarize(&props, &e, None);
    assert_eq!(s.boundary_fraction, 0.5);
}

#[test]
fn three_classes_argmax_pieces() {
    // Logits (x, y, 0): quadrant I holds classes 0 and 1 split by x = y.
    let net = fixture("three_classes.json");
    let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&net).unwrap();
    let (props, _) = properties(&net, &e);
    assert_eq!(props.len(), 4);
    let at = |x: i64, y: i64| {
        let p = linregions::pattern_at(&net, &[q(x, 2), q(y, 2)]).0;
        &props[e.regions.iter().position(|r| r.pattern == p).unwrap()]
    };
    let q1 = at(1, 1);
    assert_eq!(q1.classes, vec![0, 1]);
    assert_eq!(q1.pieces.len(), 1);
    assert_eq!(q1.pieces[0].classes, (0, 1));
    assert_eq!(q1.pieces[0].vertices.clone().unwrap(), vec![vec![qi(0), qi(0)], vec![qi(1), qi(1)]]);
    assert_eq!(at(-1, 1).predicted, Some(1));
    assert_eq!(at(-1, -1).predicted, Some(2));
    assert_eq!(at(1, -1).predicted, Some(0));
}

/// The predicted class is the argmax with the lowest index winning ties (numpy, PyTorch):
/// outputs equal as affine maps tie everywhere, and only the first of them is ever predicted.
#[test]
fn argmax_ties_go_to_the_lowest_index() {
    let net = |out: &str| {
        parse_network(&format!(
            r#"{{"input_dim": 2, "layers": [
            {{"type": "dense", "weight": [["1","0"],["-1","0"],["0","1"],["0","-1"]], "bias": ["0","0","0","0"]}},
            {{"type": "relu"}}, {out}]}}"#
        ))
        .unwrap()
    };
    fn props_at(net: Network) -> impl Fn(i64, i64) -> linregions::properties::RegionProps {
        let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
        e.sanity_check(&net).unwrap();
        let (props, _) = properties(&net, &e);
        move |x: i64, y: i64| {
            let p = linregions::pattern_at(&net, &[q(x, 2), q(y, 2)]).0;
            props[e.regions.iter().position(|r| r.pattern == p).unwrap()].clone()
        }
    }
    // Logits (x, x, y): outputs 0 and 1 tie everywhere; class 1 is never predicted, and the
    // quadrant where output 1 competes with output 2 holds the boundary between 0 and 2.
    let twins = net(
        r#"{"type": "dense", "weight": [["1","-1","0","0"],["1","-1","0","0"],["0","0","1","-1"]], "bias": ["0","0","0"]}"#,
    );
    let at = props_at(twins);
    let q1 = at(1, 1);
    assert_eq!((q1.classes.clone(), q1.boundary, q1.predicted), (vec![0, 2], true, None));
    assert_eq!(q1.pieces.len(), 1);
    assert_eq!(q1.pieces[0].classes, (0, 2));
    assert_eq!(q1.pieces[0].vertices.clone().unwrap(), vec![vec![qi(0), qi(0)], vec![qi(1), qi(1)]]);
    assert_eq!(at(1, -1).predicted, Some(0));
    assert_eq!(at(-1, 1).predicted, Some(2));
    // Logits (y, x, x): the twins are outputs 1 and 2; output 1 wins their ties.
    let later = net(
        r#"{"type": "dense", "weight": [["0","0","1","-1"],["1","-1","0","0"],["1","-1","0","0"]], "bias": ["0","0","0"]}"#,
    );
    let at = props_at(later);
    assert_eq!(at(1, 1).classes, vec![0, 1]);
    assert_eq!(at(1, -1).predicted, Some(1));
    // All outputs equal: class 0 everywhere, no boundary.
    let all = net(r#"{"type": "dense", "weight": [["1","0","0","0"],["1","0","0","0"]], "bias": ["1","1"]}"#);
    let at = props_at(all);
    for (x, y) in [(1, 1), (-1, 1), (-1, -1), (1, -1)] {
        assert_eq!((at(x, y).predicted, at(x, y).boundary), (Some(0), false));
    }
    // One output that is 0 on a region: `logit > 0` is false there, class 0.
    let zero = net(r#"{"type": "dense", "weight": [["1","0","0","0"]], "bias": ["0"]}"#);
    let at = props_at(zero);
    assert_eq!(at(-1, 1).predicted, Some(0));
    assert_eq!(at(1, 1).predicted, Some(1));
}

/// The global distance to the decision boundary equals, on every 2D fixture, the least
/// exact point-to-segment distance from the region's centre to the boundary pieces' vertex
/// pairs (an independent computation: vertices instead of the nearest-point QP).
#[test]
fn global_boundary_distance_is_the_nearest_segment() {
    let seg_sq = |c: &[Q], a: &[Q], b: &[Q]| -> Q {
        let ab: Vec<Q> = a.iter().zip(b).map(|(x, y)| y - x).collect();
        let ac: Vec<Q> = a.iter().zip(c).map(|(x, y)| y - x).collect();
        let t = dot(&ab, &ac) / dot(&ab, &ab);
        let t = t.clamp(qi(0), qi(1));
        let p: Vec<Q> = a.iter().zip(&ab).map(|(x, v)| x + v * &t).collect();
        p.iter().zip(c).map(|(x, y)| (x - y) * (x - y)).sum()
    };
    let mut checked = 0;
    use linregions::train;
    let moons = train::dataset("moons", 200, 1).unwrap();
    let cfg = train::TrainConfig { hidden: vec![8, 8], epochs: 30, ..Default::default() };
    let trained = train::export(&train::train(&moons, &cfg).0);
    let data_box = Domain::Box { lo: vec![q(-3, 2), qi(-1)], hi: vec![q(5, 2), q(3, 2)] };
    let nets = [
        ("known_boundary.json", fixture("known_boundary.json"), Domain::default_box(2)),
        ("three_classes.json", fixture("three_classes.json"), Domain::default_box(2)),
        ("moons 2-8-8-1", trained, data_box),
    ];
    for (name, net, domain) in nets {
        let e = enumerate(&net, &domain, &Options::default()).unwrap();
        let (props, _) = properties(&net, &e);
        let segments: Vec<Vec<Vec<Q>>> =
            props.iter().flat_map(|p| p.pieces.iter().map(|pc| pc.vertices.clone().unwrap())).collect();
        assert!(!segments.is_empty(), "{name} has a boundary");
        for p in &props {
            let Insphere::Finite { center, .. } = &e.regions[p.id].insphere else { panic!() };
            let want = segments.iter().map(|s| seg_sq(center, &s[0], &s[1])).min().unwrap();
            assert_eq!(p.global_boundary_distance.as_ref().unwrap().0, want, "{name} region {}", p.id);
            checked += 1;
        }
        let s = summarize(&props, &e, None);
        let near =
            props.iter().filter(|p| p.global_boundary_distance.as_ref().unwrap().0 <= q(1, 100)).count();
        assert_eq!(s.near_boundary_fraction, Some(near as f64 / props.len() as f64));
    }
    assert!(checked > 40, "checked {checked}");
}

#[test]
fn neighbour_similarity_of_known_gradients() {
    // small2d: region 010 has logits (3, 1/4)·x + 1, region 110 has (4, -1/4)·x + 1.
    let net = fixture("small2d.json");
    let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&net).unwrap();
    let (_, edges) = properties(&net, &e);
    let edge = edges.iter().find(|x| (x.a, x.b) == (1, 3)).expect("010 and 110 are adjacent");
    let (g1, g3) = ([3.0, 0.25], [4.0, -0.25]);
    let cos = (g1[0] * g3[0] + g1[1] * g3[1]) / ((9.0f64 + 0.0625).sqrt() * (16.0f64 + 0.0625).sqrt());
    assert!((edge.grad_cos.unwrap() - cos).abs() < 1e-14);
    let rel = (1.0f64 + 0.25).sqrt() / (16.0f64 + 0.0625 + 1.0).sqrt();
    assert!((edge.rel_change.unwrap() - rel).abs() < 1e-14);
    assert_eq!(edge.hamming, 1);
    // Orthogonal facets: x and y neurons.
    let net = fixture("dead_unit.json");
    let e = enumerate(&net, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&net).unwrap();
    let (props, _) = properties(&net, &e);
    assert!(props.iter().all(|p| p.facet_cos.unwrap().max == 0.0));
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_linregions")).args(args).current_dir(root()).output().unwrap()
}

fn snapshot(name: &str, actual: &str) {
    let path = root().join("fixtures/expected").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing snapshot {name}"));
    assert_eq!(actual, expected, "snapshot {name} differs; UPDATE_SNAPSHOTS=1 if intended");
}

#[test]
fn stats_exports_snapshots() {
    let o = run(&["stats", "fixtures/known_boundary.json", "--csv", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    snapshot("known_boundary.stats.csv", &String::from_utf8(o.stdout).unwrap());
    let o = run(&["stats", "fixtures/known_boundary.json", "--json", "-"]);
    snapshot("known_boundary.stats.json", &String::from_utf8(o.stdout).unwrap());
    let o = run(&[
        "stats",
        "fixtures/known_boundary.json",
        "--points",
        "fixtures/known_boundary_points.csv",
        "--csv",
        "-",
    ]);
    let csv = String::from_utf8(o.stdout).unwrap();
    assert_eq!(csv.lines().count(), 4, "header + one row per point");
    snapshot("known_boundary.points.csv", &csv);
    let o = run(&["stats", "fixtures/known_boundary.json", "fixtures/small2d.json", "--names", "a,b"]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("| property | a | b |"));
    assert!(md.contains("| regions with decision boundary | 50.0% | 0.0% |"), "{md}");
}

#[test]
fn training_is_deterministic_through_the_binary() {
    let dir = std::env::temp_dir().join(format!("linregions-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut outs = Vec::new();
    for k in 0..2 {
        let p = dir.join(format!("net{k}.json"));
        let o = run(&[
            "train",
            "--data",
            "xor",
            "--samples",
            "64",
            "--hidden",
            "6,6",
            "--bn",
            "--dropout",
            "0.1",
            "--wd",
            "1e-4",
            "--epochs",
            "20",
            "--seed",
            "3",
            "-o",
            p.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("train accuracy"));
        outs.push(std::fs::read(&p).unwrap());
    }
    assert_eq!(outs[0], outs[1], "same seed, byte-identical network");
    let net = parse_network(std::str::from_utf8(&outs[0]).unwrap()).unwrap();
    assert_eq!(net.shape_string(), "2-6-6-1");
    let o = run(&["train", "--data", "nope", "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A data point outside the domain is bad input, even when some region inside has the
/// pattern the point would have (it would otherwise be counted in a region that does not
/// contain it).
#[test]
fn points_outside_the_domain_are_refused() {
    let dir = std::env::temp_dir().join(format!("linregions-stats-outside-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pts = dir.join("pts.csv");
    // (5, 0) is far outside [-1, 1]^2, yet its pattern is one of the box's regions.
    std::fs::write(&pts, "0.5,0.5\n5,0\n").unwrap();
    let o = run(&["stats", "fixtures/small2d.json", "--points", pts.to_str().unwrap(), "--csv", "-"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("point 1 lies outside the domain"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The local analysis (each point's region found directly, neighbours' maps from their
/// patterns) gives the enumeration's properties region for region, on every fixture
/// network: the points are the regions' interior points, and a boundary point of each
/// first-layer facet.
#[test]
fn local_properties_equal_the_enumerated_ones() {
    use linregions::{local_properties, locate_points};
    let mut checked = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let Ok(net) = parse_network(&std::fs::read_to_string(&path).unwrap()) else { continue };
        let d = net.input_dim();
        if d > 4 {
            continue;
        }
        let domain = Domain::default_box(d);
        let e = enumerate(&net, &domain, &Options::default()).unwrap();
        if e.regions.len() > 300 {
            continue;
        }
        let (props, _) = properties(&net, &e);
        // Interior points, plus facet points (on a boundary: the lexicographic rule).
        let mut points: Vec<Vec<Q>> = e.regions.iter().map(|r| r.interior_point.clone()).collect();
        points.extend(
            e.regions
                .iter()
                .filter_map(|r| r.facets.iter().find(|f| f.neighbor.is_some()))
                .map(|f| f.point.clone()),
        );
        let (local, ids) = locate_points(&net, &domain, &points, &Options::default()).unwrap();
        let lprops = local_properties(&net, &local, false);
        for (k, x) in points.iter().enumerate() {
            let want = e.locate(&net, &domain, x).unwrap();
            let got = &local.regions[ids[k]];
            assert_eq!(got.pattern, e.regions[want].pattern, "{}: point {k}", path.display());
            let mut lp = lprops[ids[k]].clone();
            lp.id = want;
            // The global distance to the boundary needs every region: enumerations only.
            assert_eq!(lp.global_boundary_distance, None);
            let whole =
                linregions::properties::RegionProps { global_boundary_distance: None, ..props[want].clone() };
            assert_eq!(lp, whole, "{}: point {k}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 100, "checked {checked}");
}

/// `stats --points` in 20 dimensions (no enumeration: the domain has far too many regions):
/// one row per point, each point's region as `inspect` finds it.
#[test]
fn points_in_twenty_dimensions() {
    let dir = std::env::temp_dir().join(format!("linregions-stats-20d-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let net = dir.join("net.json");
    let o = run(&["random", "--dims", "20,8,8,3", "--seed", "5", "-o", net.to_str().unwrap()]);
    assert!(o.status.success());
    let pts = dir.join("pts.csv");
    let rows: Vec<String> = (0..3)
        .map(|k| (0..20).map(|j| format!("{}/7", (3 * k + j) % 7)).collect::<Vec<_>>().join(","))
        .collect();
    std::fs::write(&pts, rows.join("\n") + "\n").unwrap();
    let o =
        run(&["stats", net.to_str().unwrap(), "--box=0:1", "--points", pts.to_str().unwrap(), "--json", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let points = doc["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    let region = points[0]["region"].as_u64().unwrap() as usize;
    let facets = doc["regions"][region]["facets"].as_u64().unwrap();
    let o = run(&["inspect", net.to_str().unwrap(), "--box=0:1", "--point", &rows[0], "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let here: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(here["region"]["facets"].as_array().unwrap().len() as u64, facets);
    assert_eq!(doc["regions"][region]["pattern"], here["region"]["pattern"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `train --data digits` (64 inputs, 10 classes) reports held-out accuracy and writes the
/// test set; `--upsample 28` gives 784 inputs; a labelled CSV trains; bad data is exit 2
/// with the file and line.
#[test]
fn train_on_digits_and_csv_through_the_binary() {
    let dir = std::env::temp_dir().join(format!("linregions-digits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let common = ["train", "--data", "digits", "--hidden", "8", "--epochs", "2", "--seed", "1"];
    let o = run(&[&common[..], &["-o", &p("d.json"), "--test-out", &p("test.csv")]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("64-8-10 on digits (1438 points)"), "{text}");
    let acc: f64 =
        text.split("test accuracy ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(acc > 0.5, "held-out accuracy {acc} of 10 classes");
    let test = std::fs::read_to_string(p("test.csv")).unwrap();
    assert_eq!(test.lines().count(), 1 + 359);
    assert!(test.starts_with("x1,x2,"));
    let net = parse_network(&std::fs::read_to_string(p("d.json")).unwrap()).unwrap();
    assert_eq!((net.input_dim(), net.output_dim()), (64, 10));
    // The test points analysed locally in [0,1]^64: one row per point.
    let head: String = test.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(p("two.csv"), head).unwrap();
    let o = run(&["stats", &p("d.json"), "--box=0:1", "--points", &p("two.csv"), "--csv", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1 + 2);
    // MNIST-sized.
    let o = run(&[&common[..], &["--upsample", "28", "-o", &p("u.json")]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let net = parse_network(&std::fs::read_to_string(p("u.json")).unwrap()).unwrap();
    assert_eq!(net.input_dim(), 784);
    // A labelled CSV with a header.
    let mut csv = String::from("a,b,c,label\n");
    for k in 0..40 {
        csv += &format!("{},{},1/2,{}\n", k % 7, k % 5, k % 2);
    }
    std::fs::write(p("mine.csv"), &csv).unwrap();
    let o = run(&["train", "--data", &p("mine.csv"), "--hidden", "4", "--epochs", "2", "-o", &p("m.json")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3-4-1 on"));
    // Bad input: exit 2, naming the file and the line.
    for (body, says) in [
        ("x,label\n1,0\n2,one\n", "line 3"),
        ("x,label\n1,0\n2,1,3\n", "line 3"),
        ("x,label\n1,0\n2,0\n", "fewer than two distinct labels"),
        ("x,label\nnan,0\n", "line 2"),
    ] {
        std::fs::write(p("bad.csv"), body).unwrap();
        let o = run(&["train", "--data", &p("bad.csv"), "-o", &p("b.json")]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{body}: {err}");
        assert!(err.contains("bad.csv") && err.contains(says), "{body}: {err}");
    }
    let o = run(&["train", "--data", "moons", "--upsample", "28", "-o", &p("x.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a square"));
    let o = run(&["train", "--data", &p("missing.csv"), "-o", &p("x.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("neither a data set"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Networks sharing a `--names` name are seeds of one variant: one column of mean ± sd;
/// `stats --plots DIR` writes the three histograms with one outline per name (seeds pooled);
/// `render --points` draws every data point.
#[test]
fn seeds_group_plots_and_points_overlay() {
    let dir = std::env::temp_dir().join(format!("linregions-plots-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let o = run(&[
        "stats",
        "fixtures/known_boundary.json",
        "fixtures/known_boundary.json",
        "fixtures/three_classes.json",
        "--names",
        "a,a,b",
        "--plots",
        d,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("| property | a (2 nets) | b (1 nets) |"), "{text}");
    // Two identical networks: deviation 0; one network: its value alone.
    assert!(text.contains("| regions | 4.0000 ± 0.0000 | 4.0000 |"), "{text}");
    assert!(text.contains("| regions with decision boundary | 50.0000 ± 0.0000 |"), "{text}");
    for file in ["inradius_l2.svg", "facet_cos.svg", "boundary_distance.svg"] {
        let svg = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"), "{file}");
        assert_eq!(svg.matches("<path ").count(), 2, "{file}: one outline per name");
        assert!(svg.contains(">a</text>") && svg.contains(">b</text>"), "{file}");
    }
    let out = dir.join("p.svg");
    let o = run(&[
        "render",
        "fixtures/known_boundary.json",
        "--points",
        "fixtures/known_boundary_points.csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(&out).unwrap();
    let n = std::fs::read_to_string(root().join("fixtures/known_boundary_points.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .count();
    assert_eq!(svg.matches("r=\"2.6\"").count(), n);
    std::fs::remove_dir_all(&dir).ok();
}

/// `stats --points` analyses distinct regions in parallel: the output does not depend on
/// the thread count.
#[test]
fn points_output_is_independent_of_threads() {
    let mut pts = String::from("x,y,z\n");
    let mut rng = 7u64;
    for _ in 0..40 {
        let mut c = || {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (rng >> 33) as i64 % 2001 - 1000
        };
        pts += &format!("{}/1000,{}/1000,{}/1000\n", c(), c(), c());
    }
    let path = std::env::temp_dir().join(format!("linregions-pts-{}.csv", std::process::id()));
    std::fs::write(&path, pts).unwrap();
    let out: Vec<Vec<u8>> = ["1", "2"]
        .iter()
        .map(|t| {
            let o = run(&[
                "stats",
                "fixtures/net-3-6-6-1.json",
                "--points",
                path.to_str().unwrap(),
                "--threads",
                t,
                "--json",
                "-",
            ]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            o.stdout
        })
        .collect();
    assert_eq!(out[0], out[1]);
    std::fs::remove_file(&path).ok();
}
