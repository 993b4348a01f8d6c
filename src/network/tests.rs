use crate::arith::filter::Approx;
use crate::arith::num::{Q, Z, common_denominator, dot};
use num_traits::{One, Signed, Zero};

#[cfg(test)]
impl Network {
    /// The rational evaluation of [`Network::lex_pattern`], kept as a test oracle.
    pub(crate) fn lex_pattern_rational(&self, p: &[Q], dirs: &[Vec<Q>]) -> (Pattern, Vec<NeuronId>) {
        let k = dirs.len();
        // h[i] = tuple for input/hidden value i.
        let mut h: Vec<Vec<Q>> = (0..self.input_dim)
            .map(|i| {
                let mut t = Vec::with_capacity(k + 1);
                t.push(p[i].clone());
                t.extend(dirs.iter().map(|d| d[i].clone()));
                t
            })
            .collect();
        let mut bits = Vec::with_capacity(self.num_neurons());
        let mut zeros = Vec::new();
        for (l, layer) in self.hidden.iter().enumerate() {
            let mut next = Vec::with_capacity(layer.dense.out_dim());
            for (n, (row, b)) in layer.dense.weight.iter().zip(&layer.dense.bias).enumerate() {
                let mut z = vec![Q::zero(); k + 1];
                for (w, hv) in row.iter().zip(&h) {
                    if w.is_zero() {
                        continue;
                    }
                    for (zt, ht) in z.iter_mut().zip(hv) {
                        *zt += w * ht;
                    }
                }
                z[0] += b;
                if z[0].is_zero() {
                    zeros.push((l, n));
                }
                let active = z.iter().find(|v| !v.is_zero()).is_some_and(|v| v.is_positive());
                bits.push(active);
                if !active {
                    for zt in z.iter_mut() {
                        *zt = &*zt * &layer.slope;
                    }
                }
                next.push(z);
            }
            h = next;
        }
        (Pattern(bits), zeros)
    }
}

use super::*;
use crate::arith::num::qi;

fn dense(w: &[&[i64]], b: &[i64]) -> LayerSpec {
    LayerSpec::Dense(Dense {
        weight: w.iter().map(|r| r.iter().map(|&v| qi(v)).collect()).collect(),
        bias: b.iter().map(|&v| qi(v)).collect(),
    })
}
fn relu() -> LayerSpec {
    LayerSpec::Activation { slope: qi(0) }
}

#[test]
fn composes_consecutive_dense_layers() {
    let net = Network::from_layers(
        1,
        vec![dense(&[&[2]], &[1]), dense(&[&[3]], &[-1]), relu(), dense(&[&[1]], &[0])],
    )
    .unwrap();
    assert_eq!(net.layer_sizes(), vec![1]);
    // 3(2x+1)-1 = 6x+2
    assert_eq!(net.hidden()[0].dense.weight[0][0], qi(6));
    assert_eq!(net.hidden()[0].dense.bias[0], qi(2));
    assert_eq!(net.eval(&[qi(1)]), vec![qi(8)]);
    assert_eq!(net.eval(&[qi(-1)]), vec![qi(0)]);
}

#[test]
fn rejects_bad_structure() {
    let e = Network::from_layers(2, vec![relu()]).unwrap_err();
    assert_eq!((e.layer, e.field), (Some(0), "type"));
    let e = Network::from_layers(1, vec![dense(&[&[1]], &[0]), relu(), relu()]).unwrap_err();
    assert_eq!((e.layer, e.field), (Some(2), "type"));
    assert!(e.problem.contains("follows another activation"));
    let e = Network::from_layers(2, vec![dense(&[&[1]], &[0])]).unwrap_err();
    assert_eq!((e.layer, e.field), (Some(0), "weight"));
    let e = Network::from_layers(1, vec![dense(&[&[1], &[2]], &[0])]).unwrap_err();
    assert_eq!((e.layer, e.field), (Some(0), "weight"));
    let e = Network::from_layers(1, vec![dense(&[], &[])]).unwrap_err();
    assert_eq!((e.layer, e.field), (Some(0), "bias"));
    let e = Network::from_layers(0, vec![dense(&[&[1]], &[0])]).unwrap_err();
    assert_eq!(e.field, "input_dim");
}

#[test]
fn pattern_maps_match_evaluation() {
    let net = Network::from_layers(
        2,
        vec![
            dense(&[&[1, -1], &[2, 1], &[0, 1]], &[0, 1, -1]),
            LayerSpec::Activation { slope: Q::new(1.into(), 10.into()) },
            dense(&[&[1, 1, -2], &[-1, 0, 1]], &[1, 0]),
            relu(),
            dense(&[&[3, -1]], &[2]),
        ],
    )
    .unwrap();
    for x in [[3, 1], [-2, 5], [1, -4], [0, 0]] {
        let x: Vec<Q> = x.iter().map(|&v| Q::new(v.into(), 3.into())).collect();
        let e1: Vec<Q> = vec![qi(1), qi(0)];
        let e2: Vec<Q> = vec![qi(0), qi(1)];
        let (p, _) = net.lex_pattern(&x, &[e1, e2]);
        let maps = net.pattern_maps(&p);
        let y: Vec<Q> =
            maps.logits.weight.iter().zip(&maps.logits.bias).map(|(r, b)| dot(r, &x) + b).collect();
        assert_eq!(y, net.eval(&x));
    }
}

#[test]
fn integer_sign_evaluation_matches_rational() {
    let mut rng = crate::network::random::SplitMix64(5);
    let frac = |rng: &mut crate::network::random::SplitMix64| {
        Q::new(rng.small_int(4).into(), (1 + rng.next_u64() % 5).into())
    };
    for t in 0..60 {
        let dims = [2 + t % 2, 3, 2, 2];
        let mut layers = Vec::new();
        for (i, w) in dims.windows(2).enumerate() {
            layers.push(LayerSpec::Dense(Dense {
                weight: (0..w[1]).map(|_| (0..w[0]).map(|_| frac(&mut rng)).collect()).collect(),
                bias: (0..w[1]).map(|_| frac(&mut rng)).collect(),
            }));
            if i + 2 < dims.len() {
                let slope = if t % 3 == 0 { qi(0) } else { frac(&mut rng) };
                layers.push(LayerSpec::Activation { slope });
            }
        }
        let net = Network::from_layers(dims[0], layers).unwrap();
        let d = dims[0];
        for _ in 0..10 {
            let x: Vec<Q> = (0..d).map(|_| frac(&mut rng)).collect();
            let dirs: Vec<Vec<Q>> =
                (0..1 + t % 3).map(|_| (0..d).map(|_| frac(&mut rng)).collect()).collect();
            assert_eq!(net.lex_pattern(&x, &dirs), net.lex_pattern_rational(&x, &dirs));
            // Scaled pre-activations agree in sign with the true ones at x when the
            // pattern holds at x itself (all values non-zero).
            let (p0, zeros) = net.lex_pattern(&x, &[]);
            if zeros.is_empty() {
                let maps0 = net.pattern_maps(&p0);
                for (k, (a, c)) in maps0.pre().enumerate() {
                    let a: Vec<Q> = a.iter().cloned().map(Q::from_integer).collect();
                    assert_eq!((dot(&a, &x) + Q::from_integer(c.clone())).is_positive(), p0.0[k]);
                }
            }
        }
    }
}

/// The same network with every activation a leaky ReLU of slope `slope`.
fn leaky(net: Network, slope: Q) -> Network {
    let hidden: Vec<HiddenLayer> = net
        .hidden
        .iter()
        .map(|h| HiddenLayer { dense: h.dense.clone(), slope: slope.clone(), carry: h.carry })
        .collect();
    let ints: Vec<IntLayer> = hidden.iter().map(IntLayer::new).collect();
    let logit_ints = LogitInts::new(&net.output, ints.last());
    Network {
        floats: float_copy(&ints),
        input_dim: net.input_dim,
        hidden,
        output: net.output,
        ints,
        logit_ints,
        carried: net.carried,
    }
}

#[test]
fn cached_and_rank_one_rows_equal_fresh_rows() {
    // Patterns visited in an order where most cache misses have a one-flip cached
    // neighbour (rank-one update, also through the layers between a flipped neuron and
    // the layer), leaky slopes included; every map equals the fresh one.
    let mut rng = crate::network::random::SplitMix64(23);
    for t in 0..12u64 {
        let dims = [2 + (t % 2) as usize, 4, 3, 3, 1];
        let mut net = crate::network::random::integer_net(&dims, t, 3);
        if t % 3 == 0 {
            net = leaky(net, Q::new(1.into(), 5.into()));
        }
        // A full-size cache, and one emptied every few entries.
        let mut small = MapsCache::new(&net);
        small.caps = vec![3; small.caps.len()];
        let cache = MapsCache::new(&net);
        let mut bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 2 == 0).collect();
        for _ in 0..60 {
            let i = (rng.next_u64() % bits.len() as u64) as usize;
            bits[i] = !bits[i];
            let p = Pattern(bits.clone());
            let fresh = net.pattern_maps(&p);
            assert_eq!(net.pattern_maps_with(&p, Some(&cache)), fresh);
            assert_eq!(net.pattern_maps_with(&p, Some(&small)), fresh);
        }
    }
}

#[test]
fn flipped_logits_equal_the_composed_ones() {
    // Every single-neuron flip of random patterns, in every layer (one, two and three
    // hidden layers; leaky slopes; weights past i64 so the BigInt sums run too): the
    // rank-one logits equal the composed map's; two flips are declined.
    let mut rng = crate::network::random::SplitMix64(29);
    let mut checked = 0;
    for t in 0..12u64 {
        let dims: &[usize] = match t % 3 {
            0 => &[3, 4, 2],
            1 => &[2, 4, 3, 3],
            _ => &[3, 3, 4, 3, 2],
        };
        let mut net = crate::network::random::integer_net(dims, t, 3);
        if t % 2 == 0 {
            net = leaky(net, Q::new(1.into(), 5.into()));
        }
        if t % 4 == 3 {
            net = scaled(&net, 50);
        }
        let p = Pattern((0..net.num_neurons()).map(|_| rng.next_u64() % 2 == 0).collect());
        let maps = net.pattern_maps(&p);
        let base = net.flip_base(&p, &maps).expect("hidden layers");
        for k in 0..net.num_neurons() {
            let mut q = p.clone();
            q.0[k] = !q.0[k];
            let got = net.flipped_logits(&base, &p, &maps, &q).expect("one flip");
            assert_eq!(got, net.pattern_maps(&q).logits, "t={t} k={k}");
            checked += 1;
            q.0[(k + 1) % net.num_neurons()] ^= true;
            assert!(net.flipped_logits(&base, &p, &maps, &q).is_none() || net.num_neurons() == 1);
        }
    }
    assert!(checked > 80, "{checked}");
}

/// `net` with every weight and bias times `3^k` (entries beyond `i64` and floats that round,
/// for large `k`).
fn scaled(net: &Network, k: u32) -> Network {
    let f = Q::from_integer(Z::from(3).pow(k));
    let sc = |d: &Dense| Dense {
        weight: d.weight.iter().map(|r| r.iter().map(|v| v * &f).collect()).collect(),
        bias: d.bias.iter().map(|v| v * &f).collect(),
    };
    let mut specs = Vec::new();
    for h in &net.hidden {
        specs.push(LayerSpec::Dense(sc(&h.dense)));
        specs.push(LayerSpec::Activation { slope: h.slope.clone() });
    }
    specs.push(LayerSpec::Dense(sc(&net.output)));
    Network::from_layers(net.input_dim, specs).unwrap()
}

/// `|exact - v̂| <= e`, decided in rationals.
fn within(exact: &Z, a: Approx) -> bool {
    let v = crate::arith::num::from_f64_exact(a.v).unwrap();
    let e = crate::arith::num::from_f64_exact(a.e).unwrap();
    (Q::from_integer(exact.clone()) - v).abs() <= e
}

/// The logits of a pattern composed in rationals, layer by layer (independent of the
/// integer forms): `W_out·D_L·W_L···D_1·W_1` and the matching bias.
fn logits_in_rationals(net: &Network, bits: &[bool]) -> Dense {
    let d = net.input_dim();
    // Rows (a, c) of the current layer's input as affine functions of x.
    let mut cur: Vec<(Vec<Q>, Q)> = (0..d).map(|j| (crate::geometry::unit(d, j), Q::zero())).collect();
    let mut k = 0;
    let apply = |w: &[Vec<Q>], b: &[Q], cur: &[(Vec<Q>, Q)]| -> Vec<(Vec<Q>, Q)> {
        w.iter()
            .zip(b)
            .map(|(row, bi)| {
                let mut a = vec![Q::zero(); d];
                let mut c = bi.clone();
                for (wv, (ra, rc)) in row.iter().zip(cur) {
                    for (x, y) in a.iter_mut().zip(ra) {
                        *x += wv * y;
                    }
                    c += wv * rc;
                }
                (a, c)
            })
            .collect()
    };
    for h in net.hidden() {
        let pre = apply(&h.dense.weight, &h.dense.bias, &cur);
        cur = pre
            .into_iter()
            .map(|(a, c)| {
                let f = if bits[k] { Q::one() } else { h.slope.clone() };
                k += 1;
                (a.iter().map(|v| v * &f).collect(), c * &f)
            })
            .collect();
    }
    let out = apply(&net.output().weight, &net.output().bias, &cur);
    Dense {
        weight: out.iter().map(|(a, _)| a.clone()).collect(),
        bias: out.into_iter().map(|(_, c)| c).collect(),
    }
}

#[test]
fn logits_equal_the_rational_composition() {
    // Small integer and Gaussian (f32-exact) nets take the 256-bit sums; 3^45-scaled rows
    // and a 2^70 output weight take the BigInt path; leaky slopes and several outputs.
    let mut rng = crate::network::random::SplitMix64(8);
    let (mut paths, mut u_paths) = ([0usize; 3], [0usize; 2]);
    for t in 0..16u64 {
        let mut net = match t % 2 {
            0 => crate::network::random::integer_net(&[2, 4, 3, 2], t, 3),
            _ => crate::network::random::gaussian_net(&[3, 5, 4, 3], t, 0.5),
        };
        match t % 8 {
            2 | 3 => net = leaky(net, Q::new(1.into(), 5.into())),
            4 => net = scaled(&net, 45),
            // Rows of ~80 bits and output weights of ~55: products past i128, within 256.
            6 => {
                let f = Q::from_integer(Z::from(3).pow(25u32));
                let mut specs: Vec<LayerSpec> = Vec::new();
                for h in net.hidden() {
                    let mut dense = h.dense.clone();
                    for v in dense.weight.iter_mut().flatten().chain(dense.bias.iter_mut()) {
                        *v *= &f;
                    }
                    specs.push(LayerSpec::Dense(dense));
                    specs.push(LayerSpec::Activation { slope: h.slope.clone() });
                }
                let mut out = net.output().clone();
                for w in out.weight.iter_mut().flatten() {
                    *w *= Q::from_integer(Z::one() << 52u32);
                }
                specs.push(LayerSpec::Dense(out));
                net = Network::from_layers(net.input_dim(), specs).unwrap();
            }
            5 => {
                let mut specs: Vec<LayerSpec> = Vec::new();
                for h in net.hidden() {
                    specs.push(LayerSpec::Dense(h.dense.clone()));
                    specs.push(LayerSpec::Activation { slope: h.slope.clone() });
                }
                let mut out = net.output().clone();
                out.weight[0][0] = Q::from_integer(Z::one() << 70u32);
                specs.push(LayerSpec::Dense(out));
                net = Network::from_layers(net.input_dim(), specs).unwrap();
            }
            _ => {}
        }
        let cache = MapsCache::new(&net);
        for _ in 0..12 {
            let bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 3 != 0).collect();
            let p = Pattern(bits.clone());
            let want = logits_in_rationals(&net, &bits);
            let maps = net.pattern_maps(&p);
            assert_eq!(maps.logits, want, "net {t}");
            assert_eq!(net.pattern_maps_with(&p, Some(&cache)).logits, want, "net {t}, cached");
            let start = net.layer_starts()[net.ints.len() - 1];
            let last = maps.layers.last().expect("hidden layers");
            // BigInt (0), 256-bit (1) or i128 (2) sums.
            let narrow = last.wide().zip(net.logit_ints.small.as_ref()).is_some_and(|(w, (a, i))| {
                (0..a.len()).all(|o| logit_sum_i128(w, last.d1, &bits[start..], &a[o], &i[o]).is_some())
            });
            paths[usize::from(net.logit_sums_wide(last, &bits[start..]).is_some()) + usize::from(narrow)] +=
                1;
            // From the last hidden layer's rows, and from the rows of the one before it
            // (the last layer not composed); no deeper.
            let lh = net.ints.len() - 1;
            assert_eq!(net.logits_from_rows(&p, lh, last), Some(want.clone()), "net {t}, last rows");
            assert_eq!(net.logits_from_rows(&p, lh - 1, &maps.layers[lh - 1]), Some(want), "net {t}, below");
            let small = net.logit_ints.small.is_some() && net.ints[lh].small.is_some();
            u_paths[usize::from(small)] += 1;
        }
    }
    assert!(paths.iter().all(|&n| n >= 12), "BigInt / 256-bit / i128 logits: {paths:?}");
    assert!(u_paths[0] >= 12 && u_paths[1] >= 24, "BigInt / i128 u: {u_paths:?}");
    // Three hidden layers: from the first layer's rows, no logits.
    let net = crate::network::random::integer_net(&[2, 3, 3, 3, 1], 1, 3);
    let p = Pattern(vec![true; net.num_neurons()]);
    assert_eq!(net.logits_from_rows(&p, 0, &net.pattern_maps(&p).layers[0]), None);
}

#[test]
fn single_float_and_flipped_rows_match_the_exact_rows() {
    // The mesh's row functions against pattern_maps, on small integer nets (i64 / i128
    // paths), the same nets scaled by 3^20 (split i128 sums) and 3^45 (BigInt paths,
    // rounding floats) and leaky slopes;
    // the flipped rows also through their i128 and BigInt forms.
    let mut rng = crate::network::random::SplitMix64(5);
    let mut paths = [0usize; 2];
    for t in 0..12u64 {
        let mut net = crate::network::random::integer_net(&[2, 4, 3, 3, 1], t, 3);
        match t % 4 {
            1 => net = scaled(&net, 45),
            2 => net = leaky(net, Q::new(1.into(), 5.into())),
            // Rows between 2^63 and 2^127: row_of's split i128 sums.
            3 => net = scaled(&net, 20),
            _ => {}
        }
        let starts = net.layer_starts();
        for _ in 0..10 {
            let bits: Vec<bool> = (0..net.num_neurons()).map(|_| rng.next_u64() % 2 == 0).collect();
            let maps = net.pattern_maps(&Pattern(bits.clone()));
            for l in 1..net.ints.len() {
                let (key, below) = (&bits[..starts[l]], &maps.layers[..l]);
                let prev_bits = &bits[starts[l - 1]..starts[l]];
                let scale = net.scale_of(l);
                let exact = maps.layers[l].rows();
                assert_eq!(net.compose_rows(l, key, below).rows(), exact);
                let fl = net.float_rows(l, prev_bits, &maps.layers[l - 1], &scale).unwrap();
                for (i, (a, c)) in exact.iter().enumerate() {
                    assert_eq!(
                        &net.row_of(l, i, prev_bits, &maps.layers[l - 1], &scale),
                        &(a.clone(), c.clone())
                    );
                    assert!(a.iter().chain([c]).zip(&fl[3 * i..3 * i + 3]).all(|(z, f)| within(z, *f)));
                }
                // From the pattern with neuron j of layer m flipped.
                let m = (rng.next_u64() % l as u64) as usize;
                let j = (rng.next_u64() % net.ints[m].bias.len() as u64) as usize;
                let mut other = bits.clone();
                other[starts[m] + j] = !other[starts[m] + j];
                let om = net.pattern_maps(&Pattern(other));
                let flipped = net.flip_rows(l, key, below, &om.layers[l], m, j);
                // Built in i128 (the wide form set at construction) or in BigInts.
                paths[usize::from(flipped.wide.get().is_some())] += 1;
                assert_eq!(flipped.rows(), exact);
                let base: Vec<Approx> = om.layers[l].floats.iter().map(|&v| Approx::converted(v)).collect();
                let ff = net.float_flip(l, key, below, &base, m, j).unwrap();
                let flat = exact.iter().flat_map(|(a, c)| a.iter().chain([c]));
                assert!(flat.zip(&ff).all(|(z, f)| within(z, *f)));
            }
        }
    }
    assert!(paths[0] > 10 && paths[1] > 10, "BigInt / i128 flips: {paths:?}");
}

#[test]
fn crossing_from_rows_equals_full_evaluation() {
    let mut rng = crate::network::random::SplitMix64(17);
    for t in 0..40u64 {
        let dims = [2 + (t % 2) as usize, 4, 3, 3, 1];
        let mut net = crate::network::random::integer_net(&dims, t, 2);
        if t % 4 == 1 {
            net = leaky(net, Q::new(3.into(), 7.into()));
        }
        let d = dims[0];
        for _ in 0..15 {
            let x: Vec<Q> = (0..d).map(|_| Q::new(rng.small_int(6).into(), 3.into())).collect();
            let n: Vec<Q> = (0..d).map(|_| qi(rng.small_int(2))).collect();
            let dirs: Vec<Vec<Q>> = (0..d).map(|j| (0..d).map(|i| qi(i64::from(i == j))).collect()).collect();
            let (p, _) = net.lex_pattern(&x, &dirs);
            let maps = net.pattern_maps(&p);
            let far = net.lex_pattern(&x, std::slice::from_ref(&n)).0;
            assert_eq!(net.cross(&x, &n, &p, &maps), far);
            // With the far side's deeper rows in a cache (half the time) or not.
            let cache = MapsCache::new(&net);
            if rng.next_u64() % 2 == 0 {
                net.pattern_maps_with(&far, Some(&cache));
            }
            assert_eq!(net.cross_with(&x, &n, &p, &maps, Some(&cache)), far);
            // The point over a larger denominator and a multiple of the normal.
            let (px, den) = common_denominator(&x);
            let (nz, _) = common_denominator(&n);
            let (g, h) = (Z::from(1 + rng.next_u64() % 97), Z::from(1 + rng.next_u64() % 5));
            let px: Vec<Z> = px.iter().map(|v| v * &g).collect();
            let nz: Vec<Z> = nz.iter().map(|v| v * &h).collect();
            assert_eq!(net.cross_over(&px, &(den * &g), &nz, &p, &maps, Some(&cache), None), far);
        }
    }
}

/// The unchecked `i128` logit sum equals the checked one wherever its bound lets it run
/// (entries and weights up to 2^62), and refuses where a sum could overflow.
#[test]
fn bounded_logit_sums_equal_checked_ones() {
    let mut rng = crate::network::random::SplitMix64(77);
    let (mut ran, mut refused) = (0, 0);
    for t in 0..400 {
        let (n, d1) = (1 + (rng.next_u64() % 40) as usize, 1 + (rng.next_u64() % 4) as usize);
        let shift = [8u32, 30, 50, 62][t % 4];
        let mut val =
            |s: u32| (rng.next_u64() >> (64 - s)) as i64 * if rng.next_u64() % 2 == 0 { 1 } else { -1 };
        let small: Vec<i64> = (0..n * d1).map(|_| val(shift)).collect();
        let active: Vec<i64> = (0..n).map(|_| val(shift)).collect();
        let inactive: Vec<i64> = (0..n).map(|_| val(shift.min(20))).collect();
        let bits: Vec<bool> = (0..n).map(|_| rng.next_u64() % 2 == 0).collect();
        let wide: Vec<i128> = small.iter().map(|&v| i128::from(v)).collect();
        let vmax = wide.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
        let checked = logit_sum_i128(&wide, d1, &bits, &active, &inactive);
        match logit_sum_bounded(&small, vmax, d1, &bits, &active, &inactive) {
            Some(sum) => {
                ran += 1;
                assert_eq!(Some(sum), checked, "case {t}");
            }
            None => refused += 1,
        }
    }
    assert!(ran > 150 && refused > 50, "{ran} {refused}");
}
