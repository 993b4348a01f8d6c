//! Plane slices: the sliced network agrees with the full one on the plane, exactly.

use linregions::internals::num::{Q, qi};
use linregions::random::{SplitMix64, gaussian_net};
use linregions::{Domain, Options, enumerate, pattern_at};

#[test]
fn slice_agrees_with_the_full_network() {
    let net = gaussian_net(&[4, 6, 5, 2], 9, 0.5);
    let origin = vec![qi(0), Q::new(1.into(), 2.into()), qi(-1), qi(0)];
    let u = vec![qi(1), qi(0), Q::new(1.into(), 3.into()), qi(-1)];
    let v = vec![qi(0), qi(1), qi(1), Q::new(1.into(), 4.into())];
    let sliced = net.on_plane(&origin, &u, &v);
    assert_eq!(sliced.input_dim(), 2);
    let e = enumerate(&sliced, &Domain::default_box(2), &Options::default()).unwrap();
    e.sanity_check(&sliced).unwrap();
    let mut rng = SplitMix64(4);
    for _ in 0..200 {
        let st = [Q::new(rng.small_int(50).into(), 50.into()), Q::new(rng.small_int(50).into(), 50.into())];
        let x: Vec<Q> = (0..4).map(|i| &origin[i] + &st[0] * &u[i] + &st[1] * &v[i]).collect();
        assert_eq!(sliced.eval(&st), net.eval(&x));
        let (p, zeros) = net.lex_pattern(&x, &[]);
        if zeros.is_empty() {
            assert_eq!(pattern_at(&sliced, &st).0, p);
            assert!(e.regions.iter().any(|r| r.pattern == p));
        }
    }
    // The logit maps compose: region map of the slice = full map ∘ embedding.
    for r in &e.regions {
        let c = &r.interior_point;
        let y: Vec<Q> = r
            .logits
            .weight
            .iter()
            .zip(&r.logits.bias)
            .map(|(w, b)| linregions::internals::num::dot(w, c) + b)
            .collect();
        let x: Vec<Q> = (0..4).map(|i| &origin[i] + &c[0] * &u[i] + &c[1] * &v[i]).collect();
        assert_eq!(y, net.eval(&x));
    }
}

#[test]
fn cli_plane_through_three_points() {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linregions"))
        .args(["enumerate", "fixtures/net-3-6-6-1.json", "--plane", "fixtures/plane3.csv", "--json", "-"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["plane"]["u"], serde_json::json!(["1", "0", "1/2"]));
    assert_eq!(v["domain"]["type"], "polytope", "the triangle through the three points");
    let r = &v["regions"][0];
    assert_eq!(r["interior_point_input"].as_array().unwrap().len(), 3);
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("plane     x = origin + s·u + t·v in the 3-dimensional input")
    );
    // Collinear points are refused.
    let dir = std::env::temp_dir().join(format!("linregions-plane-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("line.csv");
    std::fs::write(&bad, "0,0,0\n1,1,1\n2,2,2\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_linregions"))
        .args(["enumerate", "fixtures/net-3-6-6-1.json", "--plane", bad.to_str().unwrap()])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("do not span a plane"));
}
