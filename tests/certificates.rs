//! The evidence of `stats --points --certificates`: every class and boundary-piece decision
//! of a data point's region carries a witness point, a tie point or LP multipliers, and the
//! independent checker (`check_boundary_certificates`, which re-derives the region from the
//! network) accepts them; tampered evidence is rejected.

use linregions::properties::{BoundaryCertificates, Evidence, LpRow, RegionProps};
use linregions::{Domain, Network, Options, Q, check_boundary_certificates, local_properties, locate_points};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Points `k/1000` of the unit box, seeded.
fn points(d: usize, n: usize, seed: u64) -> Vec<Vec<Q>> {
    let mut rng = linregions::random::SplitMix64(seed);
    (0..n)
        .map(|_| (0..d).map(|_| Q::new(((rng.next_u64() % 999) as i64 + 1).into(), 1000.into())).collect())
        .collect()
}

/// Each region of the points with its certified properties, checked; returns them.
fn certified(net: &Network, xs: &[Vec<Q>]) -> Vec<(linregions::Pattern, RegionProps)> {
    let d = net.input_dim();
    let domain = Domain::default_box(d);
    let (e, _) = locate_points(net, &domain, xs, &Options::default()).unwrap();
    let props = local_properties(net, &e, true);
    let mut out = Vec::new();
    for (r, p) in e.regions.iter().zip(props) {
        let certs = p.certificates.as_ref().expect("asked for");
        let pieces: Vec<(usize, usize)> = p.pieces.iter().map(|pc| pc.classes).collect();
        check_boundary_certificates(net, &domain, &r.pattern, &p.classes, &pieces, certs)
            .unwrap_or_else(|e| panic!("region {}: {e}", r.id));
        out.push((r.pattern.clone(), p));
    }
    out
}

fn kinds(certs: &BoundaryCertificates) -> [usize; 3] {
    let mut n = [0; 3];
    for e in certs.classes.iter().map(|c| &c.evidence).chain(certs.pieces.iter().map(|c| &c.evidence)) {
        n[match e {
            Evidence::Witness(_) => 0,
            Evidence::Tie(_) => 1,
            Evidence::Multipliers(_) => 2,
        }] += 1;
    }
    n
}

/// Low dimension (the exact facet LP of pieces, the active-set and exact-simplex paths) and
/// past 16 inputs (the interior-point certificates and the points seen): every decision's
/// evidence is accepted, and every kind of evidence occurs.
#[test]
fn every_decision_is_certified_and_checks() {
    let mut seen = [0; 3];
    let fixture = linregions::parse_network(
        &std::fs::read_to_string(root().join("fixtures").join("three_classes.json")).unwrap(),
    )
    .unwrap();
    let nets = [
        fixture,
        linregions::random::gaussian_net(&[3, 6, 6, 4], 2, 0.3),
        linregions::random::gaussian_net(&[20, 8, 8, 5], 1, 0.1),
        linregions::random::gaussian_net(&[24, 10, 10, 6], 3, 0.1),
    ];
    for net in &nets {
        for (_, p) in certified(net, &points(net.input_dim(), 6, 11)) {
            let n = kinds(p.certificates.as_ref().unwrap());
            for t in 0..3 {
                seen[t] += n[t];
            }
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "witness, tie and multiplier evidence all occur: {seen:?}");
}

/// Each kind of tampering is caught: a witness moved, a tie point moved off the tie, a
/// multiplier changed, an answer flipped, a decision dropped, a multiplier on a row of
/// another question.
#[test]
fn tampered_evidence_is_rejected() {
    let net = linregions::random::gaussian_net(&[20, 8, 8, 5], 1, 0.1);
    let domain = Domain::default_box(20);
    let regions = certified(&net, &points(20, 6, 11));
    let mut tried = [false; 4];
    for (pattern, p) in &regions {
        let pieces: Vec<(usize, usize)> = p.pieces.iter().map(|pc| pc.classes).collect();
        let certs = p.certificates.clone().unwrap();
        let check = |c: &BoundaryCertificates| {
            check_boundary_certificates(&net, &domain, pattern, &p.classes, &pieces, c)
        };
        for (at, decision) in certs.classes.iter().enumerate() {
            let mut bad = certs.clone();
            match &decision.evidence {
                Evidence::Witness(x) => {
                    // Far outside the box.
                    let mut x = x.clone();
                    x[0] = Q::from_integer(5.into());
                    bad.classes[at].evidence = Evidence::Witness(x);
                    tried[0] = true;
                }
                Evidence::Multipliers(y) => {
                    // One multiplier doubled: the sum leaves e_t (or the bound turns), or a
                    // row of another class's question.
                    let mut y = y.clone();
                    y[0].1 = &y[0].1 * Q::from_integer(2.into()) + Q::new(1.into(), 3.into());
                    bad.classes[at].evidence = Evidence::Multipliers(y.clone());
                    assert!(check(&bad).is_err(), "a changed multiplier");
                    let other = (decision.what + 1) % 5;
                    y[0].0 = LpRow::Below(decision.what, other);
                    bad.classes[at].evidence = Evidence::Multipliers(y);
                    tried[1] = true;
                }
                Evidence::Tie(_) => unreachable!("classes have no ties"),
            }
            assert!(check(&bad).is_err(), "class {} tampered", decision.what);
            let mut flipped = certs.clone();
            flipped.classes[at].holds = !flipped.classes[at].holds;
            assert!(check(&flipped).is_err(), "class {} flipped", decision.what);
        }
        for (at, decision) in certs.pieces.iter().enumerate() {
            if let Evidence::Tie(x) = &decision.evidence {
                let mut bad = certs.clone();
                let mut x = x.clone();
                x[3] += Q::new(1.into(), 1_000_000.into());
                bad.pieces[at].evidence = Evidence::Tie(x);
                assert!(check(&bad).is_err(), "piece {:?} tie moved", decision.what);
                tried[2] = true;
            }
        }
        if !certs.classes.is_empty() {
            let mut dropped = certs.clone();
            dropped.classes.pop();
            assert!(check(&dropped).is_err(), "a decision dropped");
            tried[3] = true;
        }
    }
    assert!(tried.iter().all(|&t| t), "every tampering tried: {tried:?}");
}

/// Through the binary: `--certificates` writes each region's evidence into the JSON, and
/// needs `--points` and `--json` (exit 2 without).
#[test]
fn stats_writes_certificates() {
    let dir = std::env::temp_dir().join(format!("lr-certs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pts = dir.join("p.csv");
    std::fs::write(&pts, "x1,x2\n0.3,0.6\n0.8,0.1\n").unwrap();
    let net = root().join("fixtures").join("three_classes.json");
    let out = dir.join("s.json");
    let bin = env!("CARGO_BIN_EXE_linregions");
    let stats = || {
        let mut c = Command::new(bin);
        c.args([
            "stats",
            net.to_str().unwrap(),
            "--box=0:1",
            "--points",
            pts.to_str().unwrap(),
            "--certificates",
        ]);
        c
    };
    let run = stats().args(["--json", out.to_str().unwrap()]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    for r in doc["regions"].as_array().unwrap() {
        let c = &r["certificates"];
        assert!(c["classes"].as_array().is_some_and(|v| !v.is_empty()), "{r}");
        for d in c["classes"].as_array().unwrap() {
            assert!(d.get("witness").is_some() || d.get("multipliers").is_some(), "{d}");
        }
    }
    // `verify` checks them (the domain given), and refuses a tampered file.
    let verify = |file: &std::path::Path, domain: bool| {
        let mut c = Command::new(bin);
        c.args(["verify", net.to_str().unwrap(), file.to_str().unwrap()]);
        if domain {
            c.arg("--box=0:1");
        }
        c.output().unwrap()
    };
    let ok = verify(&out, true);
    assert!(
        ok.status.success(),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(verify(&out, false).status.code(), Some(2), "a stats file needs its domain");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"holds\": false"), "the fixture has a class that is absent");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, text.replacen("\"holds\": false", "\"holds\": true", 1)).unwrap();
    let refused = verify(&bad, true);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
    let without = stats().output().unwrap();
    assert_eq!(without.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
