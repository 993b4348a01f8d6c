//! The library example of README.md ("As a library"), run as written: the test below holds
//! the same lines, and `readme_example_is_this_test` fails when the two drift apart.

use linregions::{Domain, Options, analyze_point, enumerate, formats, parse_network, verify};

#[test]
fn readme_library_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR"))?;
    let net = parse_network(&std::fs::read_to_string("fixtures/small2d.json")?)?;
    let domain = Domain::default_box(2);
    let e = enumerate(&net, &domain, &Options::default())?; // every region, exactly
    let doc = formats::regions_json(&net, &domain, &e, None, None); // linregions.regions/1
    assert!(verify(&net, &domain, &formats::parse_regions(&doc)?)?.ok());
    let x = [linregions::parse_rational("1/2")?, linregions::parse_rational("0.25")?];
    let here = analyze_point(&net, &domain, &x, &Options::default())?; // one region, no walk
    println!("{} regions; at x: {:?}", e.regions.len(), here.region.insphere);
    assert_eq!(e.regions.len(), 4);
    assert_eq!(
        Some(here.region.pattern.clone()),
        e.locate(&net, &domain, &x).map(|i| e.regions[i].pattern.clone())
    );
    Ok(())
}

#[test]
fn readme_example_is_this_test() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## As a library").nth(1).expect("README has an \"As a library\" section");
    let block = section.split("```rust\n").nth(1).and_then(|b| b.split("```").next()).expect("a rust block");
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let this = squash(include_str!("library.rs"));
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        assert!(this.contains(&squash(line)), "README line not in tests/library.rs: {line}");
    }
}
