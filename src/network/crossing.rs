//! The lexicographic sign rule: the pattern of a point, and of the region across a facet,
//! decided on (value, derivative) pairs exactly (floats filter with proven bounds).

use super::{maps::*, model::*, rows::*};
use crate::arith::filter::{self, Approx, z_to_f64};
use crate::arith::num::{Q, Z, common_denominator};
use num_traits::{One, Signed, Zero};
use std::sync::Arc;

impl Network {
    /// The pattern of the region containing `p + e·dirs[0] + e²·dirs[1] + ...` for all
    /// small `e > 0`, decided exactly: every neuron carries the tuple (value, derivatives)
    /// and its sign is the sign of the first non-zero entry; all-zero means identically
    /// zero there, which is inactive (`0`). Also returns the neurons whose value at `p`
    /// itself is zero.
    ///
    /// With `dirs` = the outward normal of a facet and `p` a relative-interior point of the
    /// facet, this is the neighbour across the facet (see docs/algorithms.md, "Crossing").
    /// With `dirs` = a basis of the input space it names a full-dimensional region at `p`.
    pub fn lex_pattern(&self, p: &[Q], dirs: &[Vec<Q>]) -> (Pattern, Vec<NeuronId>) {
        // Components: value (scaled by the point's common denominator, which the running
        // `scale` carries into the biases) and one per direction (each scaled to integers;
        // directions get no bias). Positive scalings per component keep every lexicographic
        // sign.
        let (px, den) = common_denominator(p);
        let dirs: Vec<Vec<Z>> = dirs.iter().map(|d| common_denominator(d).0).collect();
        let k = dirs.len();
        let h: Vec<Vec<Z>> = (0..self.input_dim)
            .map(|i| {
                let mut t = Vec::with_capacity(k + 1);
                t.push(px[i].clone());
                t.extend(dirs.iter().map(|d| d[i].clone()));
                t
            })
            .collect();
        let (bits, zeros) = self.lex_from(0, h, den);
        (Pattern(bits), zeros)
    }

    /// The lexicographic evaluation from activation layer `start` on, given the tuples `h`
    /// of its input and the running bias scale. Returns the bits of layers `start..` and
    /// the neurons whose value is zero.
    pub(crate) fn lex_from(
        &self,
        start: usize,
        mut h: Vec<Vec<Z>>,
        mut scale: Z,
    ) -> (Vec<bool>, Vec<NeuronId>) {
        let k1 = h.first().map_or(1, Vec::len);
        let hf: Vec<Approx> = h.iter().flat_map(|t| t.iter().map(Approx::of)).collect();
        if let Some(decided) = self.lex_from_float(start, hf, k1, &scale) {
            return decided;
        }
        let k = h.first().map_or(0, |t| t.len().saturating_sub(1));
        let mut bits = Vec::new();
        let mut zeros = Vec::new();
        for (l, layer) in self.ints.iter().enumerate().skip(start) {
            let mut next = Vec::with_capacity(layer.bias.len());
            let activated = self.hidden[l].activated();
            for (n, (row, b)) in layer.weight.iter().zip(&layer.bias).enumerate() {
                let mut z = vec![Z::zero(); k + 1];
                for (w, hv) in row.iter().zip(&h) {
                    if w.is_zero() {
                        continue;
                    }
                    for (zt, ht) in z.iter_mut().zip(hv) {
                        if !ht.is_zero() {
                            *zt += w * ht;
                        }
                    }
                }
                z[0] += b * &scale;
                // A carried value passes unchanged: bit `true`, never a boundary.
                let carried = n >= activated;
                if z[0].is_zero() && !carried {
                    zeros.push((l, n));
                }
                let active = carried || z.iter().find(|v| !v.is_zero()).is_some_and(|v| v.is_positive());
                bits.push(active);
                let f = if active { &layer.q } else { &layer.p };
                if !f.is_one() {
                    for zt in z.iter_mut() {
                        *zt *= f;
                    }
                }
                next.push(z);
            }
            scale *= &layer.factor;
            h = next;
        }
        (bits, zeros)
    }

    /// [`Network::lex_from`] in floats with proven error bounds (`filter`): the same bits and
    /// zeros when every sign is decided, `None` (redo exactly) as soon as one is not. The
    /// tuples `hf` have `k1` components each, one after another.
    pub(crate) fn lex_from_float(
        &self,
        start: usize,
        mut hf: Vec<Approx>,
        k1: usize,
        scale: &Z,
    ) -> Option<(Vec<bool>, Vec<NeuronId>)> {
        let layers = self.floats.0.as_ref()?;
        let mut scale = scale.clone();
        let mut bits = Vec::new();
        let mut zeros = Vec::new();
        for (l, (fl, il)) in layers.iter().zip(&self.ints).enumerate().skip(start) {
            let s = z_to_f64(&scale);
            let mut next = Vec::with_capacity(fl.bias.len() * k1);
            let activated = self.hidden[l].activated();
            for (n, (row, b)) in fl.weight.iter().zip(&fl.bias).enumerate() {
                let at = next.len();
                next.extend((0..k1).map(|t| filter::dot(row, &hf, k1, t, if t == 0 { b * s } else { 0.0 })));
                let z = &mut next[at..];
                // A carried value: bit `true` whatever its sign.
                let mut active = n >= activated;
                for (t, zt) in z.iter().enumerate().filter(|_| n < activated) {
                    match zt.sign()? {
                        0 if t == 0 => zeros.push((l, n)),
                        0 => {}
                        sign => {
                            active = sign > 0;
                            break;
                        }
                    }
                }
                bits.push(active);
                let f = if active { fl.q } else { fl.p };
                for zt in z.iter_mut() {
                    *zt = zt.times(f);
                }
            }
            scale *= &il.factor;
            hf = next;
        }
        Some((bits, zeros))
    }

    /// The pattern across a facet: [`Network::lex_pattern`] at `p` along the normal `n`,
    /// computed from the current region's pre-activation rows `pre` (of
    /// [`Network::pattern_maps`] for `pattern`) as long as the far side agrees with
    /// `pattern` in every earlier layer (then its rows are the same), and by evaluating the
    /// network from the first layer that differs. Same result, O(width·d) instead of
    /// O(width²) per layer that does not change.
    pub fn cross(&self, p: &[Q], n: &[Q], pattern: &Pattern, maps: &PatternMaps) -> Pattern {
        self.cross_with(p, n, pattern, maps, None)
    }

    /// [`Network::cross`] that, once the far side differs, takes each deeper layer's rows
    /// for the far side's bits from the walk's cache when they are there (O(width·d) per
    /// layer instead of O(width²)). Same result.
    pub fn cross_with(
        &self,
        p: &[Q],
        n: &[Q],
        pattern: &Pattern,
        maps: &PatternMaps,
        cache: Option<&MapsCache>,
    ) -> Pattern {
        let (px, den) = common_denominator(p);
        let (nz, _) = common_denominator(n);
        self.cross_over(&px, &den, &nz, pattern, maps, cache, None)
    }

    /// [`Network::cross_with`] of the point `px / den` (`den > 0`, any representation) and
    /// a positive multiple `nz` of the normal: the same pattern (only signs of values and
    /// slopes decide, and scaling the point's integers and its denominator together, or the
    /// normal, scales them by a positive factor).
    ///
    /// `facet`, when the point is in the relative interior of a facet of the region of
    /// `pattern` (the normal its outward normal), names the facet's neurons: `facet = (l0,
    /// js)` with `l0` the shallowest layer among them and `js` their indices in it. Then the
    /// layers before `l0` keep their bits and layer `l0` flips exactly `js`, so they are not
    /// evaluated, and nothing is when `l0` is the last hidden layer (see
    /// [`Network::cross_bits_known`]). Same pattern.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cross_over(
        &self,
        px: &[Z],
        den: &Z,
        nz: &[Z],
        pattern: &Pattern,
        maps: &PatternMaps,
        cache: Option<&MapsCache>,
        facet: Option<(usize, &[usize])>,
    ) -> Pattern {
        if let Some((l0, js)) = facet
            && l0 + 1 == self.ints.len()
        {
            return Pattern(self.cross_bits_known(pattern, l0, js));
        }
        let known = facet.map_or(0, |(l0, _)| l0);
        let d = self.input_dim;
        // Float images for the filter: the point and the normal, one component each.
        let px_f: Vec<Approx> = px.iter().map(Approx::of).collect();
        let nz_f: Vec<Approx> = nz.iter().map(Approx::of).collect();
        let den_f = z_to_f64(den);
        let exact = |a: &[Z], c: &Z| -> (Z, Z) {
            // The rows are integers over the layer's running scale.
            let v: Z = a.iter().zip(px).map(|(ai, x)| ai * x).sum::<Z>() + c * den;
            let dv: Z = a.iter().zip(nz).map(|(ai, x)| ai * x).sum();
            (v, dv)
        };
        let mut bits = Vec::with_capacity(self.num_bits());
        let mut scale = den.clone();
        let mut k = 0;
        // Once the far side differs: the previous layer's rows and float tuples (value,
        // derivative) of its outputs.
        let mut far: Option<(Arc<LayerRows>, Vec<Approx>)> = None;
        let mut on_far = false;
        for (l, layer) in self.ints.iter().enumerate() {
            if l < known {
                // The same rows as the region's and no value zero at the point: same bits.
                bits.extend_from_slice(&pattern.0[k..k + layer.bias.len()]);
                k += layer.bias.len();
                scale *= &layer.factor;
                continue;
            }
            let rows: Arc<LayerRows> = match far.take() {
                None => maps.layers[l].clone(),
                Some((prev_rows, tuples)) => {
                    let hit =
                        cache.and_then(|c| c.layers[l].lock().expect("cache lock").get(&bits[..k]).cloned());
                    match hit {
                        Some(r) => r,
                        None => {
                            // Deeper layers: in floats from the float tuples, else exactly.
                            if let Some((deeper, _)) = self.lex_from_float(l, tuples, 2, &scale) {
                                bits.extend(deeper);
                                break;
                            }
                            let below = &self.ints[l - 1];
                            let width = below.bias.len();
                            let h: Vec<Vec<Z>> = prev_rows
                                .rows()
                                .iter()
                                .zip(&bits[k - width..k])
                                .map(|((a, c), &act)| {
                                    let (v, dv) = exact(a, c);
                                    let mut z = vec![v, dv];
                                    let f = if act { &below.q } else { &below.p };
                                    if !f.is_one() {
                                        for zt in z.iter_mut() {
                                            *zt *= f;
                                        }
                                    }
                                    z
                                })
                                .collect();
                            bits.extend(self.lex_from(l, h, scale).0);
                            break;
                        }
                    }
                }
            };
            let width = layer.bias.len();
            let mut differs = false;
            let (qf, pf) = (z_to_f64(&layer.q), z_to_f64(&layer.p));
            // (value, slope) of each output, one pair after another.
            let mut tuples: Vec<Approx> = Vec::with_capacity(2 * width);
            let activated = self.hidden[l].activated();
            for (i, (a, c)) in rows.rows().iter().enumerate() {
                // The value's sign from floats when the bound decides it (most rows are far
                // from the facet point), else exactly; the derivative likewise when needed.
                let rf = &rows.floats[i * (d + 1)..(i + 1) * (d + 1)];
                let row = &rf[..d];
                let value = filter::dot(row, &px_f, 1, 0, rf[d] * den_f);
                let slope = filter::dot(row, &nz_f, 1, 0, 0.0);
                let (active, tuple) = match value.sign() {
                    // A carried value: bit `true`, its (value, slope) for the layers after.
                    _ if i >= activated => (true, [value, slope]),
                    Some(s) if s != 0 => (s > 0, [value, slope]),
                    _ => {
                        let (v, dv) = exact(a, c);
                        let active = if v.is_zero() {
                            match slope.sign() {
                                Some(s) if s != 0 => s > 0,
                                _ => dv.is_positive(),
                            }
                        } else {
                            v.is_positive()
                        };
                        (active, [Approx::of(&v), Approx::of(&dv)])
                    }
                };
                differs |= active != pattern.0[bits.len()];
                bits.push(active);
                let f = if active { qf } else { pf };
                tuples.extend(tuple.iter().map(|t| t.times(f)));
            }
            k += width;
            scale *= &layer.factor;
            // Once the far side differs, every deeper layer is the far side's (rows from the
            // cache or from the tuples), even where its bits happen to agree with `pattern`.
            on_far |= differs;
            if on_far {
                far = Some((rows, tuples));
            }
        }
        Pattern(bits)
    }

    /// The bits across a facet of the region of `pattern`, up to and including layer `l0`,
    /// the shallowest layer of the facet's neurons, `js` their indices in it: the region's
    /// bits with `js` flipped. Why: near a point `x` in the relative interior of the facet,
    /// a neuron of a layer up to `l0` whose shallower bits agree on both sides has the same
    /// affine function on both sides; if it vanished at `x` without vanishing on the facet
    /// (its zero set a different line through `x`), it would change sign inside the region.
    /// So it is either non-zero at `x` (the same sign across), zero on the whole region (the
    /// same lexicographic bit, 0, across), or vanishes on the facet, i.e. is one of the
    /// facet's neurons, and then takes the opposite sign across (its slope along the
    /// outward normal is non-zero). By induction over the layers, up to `l0`.
    pub(crate) fn cross_bits_known(&self, pattern: &Pattern, l0: usize, js: &[usize]) -> Vec<bool> {
        let start: usize = self.ints[..l0].iter().map(|l| l.bias.len()).sum();
        let end = start + self.ints[l0].bias.len();
        let mut bits = pattern.0[..end].to_vec();
        for &j in js {
            bits[start + j] = !bits[start + j];
        }
        bits
    }
}

/// The pattern of the full-dimensional region chosen at `p`: the region containing
/// `p + e·e_1 + e²·e_2 + ... + e^d·e_d` for all small `e > 0` (the deterministic rule used
/// for the start of the walk and by `inspect` at boundary points). Also returns the
/// neurons whose pre-activation is exactly zero at `p`.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Q, pattern_at, pattern_label};
/// // The origin lies on the first neuron's line: the rule picks the region on the side of
/// // e1 (then e2), and reports the vanishing neuron (layer 0, index 0).
/// let (pattern, vanishing) = pattern_at(&net, &[Q::from_integer(0.into()), Q::from_integer(0.into())]);
/// assert_eq!(pattern_label(&net, &pattern), "110");
/// assert_eq!(vanishing, vec![(0, 0)]);
/// ```
pub fn pattern_at(net: &Network, p: &[Q]) -> (Pattern, Vec<NeuronId>) {
    // The values alone decide every bit unless some neuron is exactly zero at `p` (then the
    // directions break the ties): one component instead of `d + 1` per neuron.
    let plain = net.lex_pattern(p, &[]);
    if plain.1.is_empty() {
        return plain;
    }
    let d = net.input_dim();
    let dirs: Vec<Vec<Q>> =
        (0..d).map(|j| (0..d).map(|i| Q::from_integer(Z::from(u8::from(i == j)))).collect()).collect();
    net.lex_pattern(p, &dirs)
}
