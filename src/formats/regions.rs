//! The regions JSON (`linregions.regions/1`, streamed for any number of regions), the
//! partition JSON (`linregions.partition/1`), JSON Lines and the linear-regions JSON.

use super::json::*;
use super::layout::{self, INLINE_WIDTH, push_json_string};
use crate::arith::num::{Q, fmt_q};
use crate::geometry::Domain;
use crate::geometry::plane::Plane;
use crate::geometry::{Insphere, LinfInsphere, Source};
use crate::network::{Network, NeuronId};
use crate::regions::enumerate::{Enumeration, Facet, Region};
use crate::regions::linear::LinearRegions;
use crate::regions::mesh::Partition;
use serde::Serialize;

pub(crate) fn qvec(v: &[Q]) -> Vec<String> {
    v.iter().map(fmt_q).collect()
}
pub(crate) fn qmat(m: &[Vec<Q>]) -> Vec<Vec<String>> {
    m.iter().map(|r| qvec(r)).collect()
}

/// Wire form of a network summary.
#[derive(Serialize)]
pub struct NetworkOut {
    pub input_dim: usize,
    /// Widths of the activation layers (after composing consecutive dense layers).
    pub layer_sizes: Vec<usize>,
    /// Inactive-side slope of each activation layer (`"0"` for ReLU).
    pub slopes: Vec<String>,
    pub output_dim: usize,
}

impl NetworkOut {
    pub fn new(net: &Network) -> Self {
        NetworkOut {
            input_dim: net.input_dim(),
            layer_sizes: net.layer_sizes(),
            slopes: net.hidden().iter().map(|h| fmt_q(&h.slope)).collect(),
            output_dim: net.output_dim(),
        }
    }
}

/// Wire form of a domain.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DomainOut {
    Box { lo: Vec<String>, hi: Vec<String>, bounded: bool },
    Polytope { a: Vec<Vec<String>>, b: Vec<String>, bounded: bool },
    Whole { dim: usize, bounded: bool },
}

impl DomainOut {
    pub fn new(d: &Domain, bounded: bool) -> Self {
        match d {
            Domain::Box { lo, hi } => DomainOut::Box { lo: qvec(lo), hi: qvec(hi), bounded },
            Domain::Polytope { a, b } => DomainOut::Polytope { a: qmat(a), b: qvec(b), bounded },
            Domain::Whole { dim } => DomainOut::Whole { dim: *dim, bounded },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceOut {
    Neuron([usize; 2]),
    Domain(usize),
}

#[derive(Serialize)]
pub struct FacetOut {
    /// Normal, coprime integers; the region lies on the side `a·x <= b`.
    pub a: Vec<String>,
    /// Offset, an integer sharing the scaling of `a`.
    pub b: String,
    /// Every neuron `{"neuron": [layer, index]}` and domain row `{"domain": row}` defining
    /// this half-space on the region (layers count activation layers from 0), sorted.
    pub sources: Vec<SourceOut>,
    /// Region id across the facet (`null` on the domain boundary). In `inspect` output,
    /// `neighbor_pattern` is given instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbor: Option<Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neighbor_pattern: Option<Option<Vec<String>>>,
}

#[derive(Serialize)]
pub struct AffineOut {
    /// `[output][input]`: the logits on the region are `weight·x + bias`.
    pub weight: Vec<Vec<String>>,
    pub bias: Vec<String>,
}

#[derive(Serialize)]
pub struct InsphereOut {
    /// Centre of a ball of radius `radius_lower` inside the region; `null` when infinite.
    pub center: Option<Vec<String>>,
    /// `radius_lower <= r* <= radius_upper` for the Euclidean inradius `r*`, or `"inf"`.
    pub radius_lower: String,
    pub radius_upper: String,
}

#[derive(Serialize)]
pub struct LinfOut {
    /// Centre of the largest inscribed axis-aligned cube; `null` when infinite.
    pub center: Option<Vec<String>>,
    /// Half its side, exact, or `"inf"`.
    pub radius: String,
}

#[derive(Serialize)]
pub struct RegionOut {
    /// Index in the file's `regions`, which are sorted by pattern (JSONL: walk id).
    pub id: usize,
    /// One `0`/`1` string per activation layer; `1` = pre-activation positive on the region.
    pub pattern: Vec<String>,
    /// A rational point strictly inside.
    pub interior_point: Vec<String>,
    pub bounded: bool,
    /// Irredundant facets, sorted by `(a, b)`.
    pub facets: Vec<FacetOut>,
    /// The exact affine map of the logits on the region.
    pub logits: AffineOut,
    /// Certified Euclidean insphere.
    pub insphere: InsphereOut,
    /// Exact largest inscribed cube.
    pub insphere_linf: LinfOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertices: Option<Vec<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_region: Option<usize>,
    /// With a plane slice: the interior point in input coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interior_point_input: Option<Vec<String>>,
}

/// How facet neighbours are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NeighborStyle {
    /// `"neighbor": id | null` (enumeration output).
    Id,
    /// `"neighbor_pattern": [...] | null` (a region on its own, as `inspect` prints it).
    Pattern,
}

pub(crate) fn source_out(s: &Source) -> SourceOut {
    match s {
        Source::Neuron((l, k)) => SourceOut::Neuron([*l, *k]),
        Source::Domain(r) => SourceOut::Domain(*r),
    }
}

pub(crate) fn facet_out(net: &Network, f: &Facet, style: NeighborStyle) -> FacetOut {
    FacetOut {
        a: qvec(&f.a),
        b: fmt_q(&f.b),
        sources: f.sources.iter().map(source_out).collect(),
        neighbor: (style == NeighborStyle::Id).then_some(f.neighbor),
        neighbor_pattern: (style == NeighborStyle::Pattern)
            .then(|| f.neighbor_pattern.as_ref().map(|p| net.pattern_strings(p))),
    }
}

/// Wire form of one region.
pub fn region_out(net: &Network, r: &Region, style: NeighborStyle) -> RegionOut {
    let inf = || "inf".to_string();
    RegionOut {
        id: r.id,
        pattern: net.pattern_strings(&r.pattern),
        interior_point: qvec(&r.interior_point),
        bounded: r.bounded,
        facets: r.facets.iter().map(|f| facet_out(net, f, style)).collect(),
        logits: AffineOut { weight: qmat(&r.logits.weight), bias: qvec(&r.logits.bias) },
        insphere: match &r.insphere {
            Insphere::Finite { center, radius_lower, radius_upper } => InsphereOut {
                center: Some(qvec(center)),
                radius_lower: fmt_q(radius_lower),
                radius_upper: fmt_q(radius_upper),
            },
            Insphere::Unbounded => InsphereOut { center: None, radius_lower: inf(), radius_upper: inf() },
        },
        insphere_linf: match &r.insphere_linf {
            LinfInsphere::Finite { center, radius } => {
                LinfOut { center: Some(qvec(center)), radius: fmt_q(radius) }
            }
            LinfInsphere::Unbounded => LinfOut { center: None, radius: inf() },
        },
        vertices: r.vertices.as_ref().map(|v| qmat(v)),
        volume: r.volume.as_ref().map(fmt_q),
        linear_region: None,
        interior_point_input: None,
    }
}

#[derive(Serialize)]
pub struct EdgeOut {
    /// Region ids, `a < b`.
    pub a: usize,
    pub b: usize,
    /// Every neuron `[layer, index]` whose bit differs between the two patterns.
    pub neurons: Vec<[usize; 2]>,
}

#[derive(Serialize)]
pub struct RegionsOut {
    /// Always [`REGIONS_FORMAT`].
    pub format: &'static str,
    pub network: NetworkOut,
    pub domain: DomainOut,
    /// False when a limit (`--max-regions`, `--time-limit`) stopped the run.
    pub complete: bool,
    /// Sorted by pattern; `regions[i].id == i`.
    pub regions: Vec<RegionOut>,
    /// One per adjacent pair, sorted.
    pub edges: Vec<EdgeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_regions: Option<Vec<LinearOut>>,
    /// With a plane slice: `x = origin + s·u + t·v` maps region coordinates `(s, t)` to inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<PlaneOut>,
}

/// A plane slice of the input space.
#[derive(Serialize)]
pub struct PlaneOut {
    pub origin: Vec<String>,
    pub u: Vec<String>,
    pub v: Vec<String>,
}

/// One linear region: its activation regions and whether their union is convex.
#[derive(Serialize)]
pub struct LinearOut {
    pub id: usize,
    pub regions: Vec<usize>,
    pub convex: bool,
}

pub(crate) fn linear_out(l: &LinearRegions) -> Vec<LinearOut> {
    l.members
        .iter()
        .enumerate()
        .map(|(id, m)| LinearOut { id, regions: m.clone(), convex: l.convex[id] })
        .collect()
}

/// The merged graph of linear regions (`linregions.linear/1`).
pub fn linear_json(l: &LinearRegions) -> String {
    #[derive(Serialize)]
    struct Merged {
        format: &'static str,
        linear_regions: Vec<LinearOut>,
        edges: Vec<[usize; 2]>,
    }
    to_json_text(&Merged {
        format: "linregions.linear/1",
        linear_regions: linear_out(l),
        edges: l.edges.iter().map(|&(a, b)| [a, b]).collect(),
    })
}

pub(crate) fn neurons_out(n: &[NeuronId]) -> Vec<[usize; 2]> {
    n.iter().map(|&(l, k)| [l, k]).collect()
}

/// The regions JSON document (`linregions.regions/1`), pretty-printed, ending in a newline.
/// With `linear`, every region carries its `linear_region` and the document lists the
/// linear regions.
///
/// ```
/// let net = linregions::parse_network(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/small2d.json"))).unwrap();
/// use linregions::{Domain, Options, enumerate, formats};
/// let domain = Domain::default_box(2);
/// let e = enumerate(&net, &domain, &Options::default()).unwrap();
/// let doc = formats::regions_json(&net, &domain, &e, None, None);
/// assert!(doc.starts_with("{\n  \"format\": \"linregions.regions/1\""));
/// // verify reads it back and checks it independently.
/// let file = formats::parse_regions(&doc).unwrap();
/// assert!(linregions::verify(&net, &domain, &file).unwrap().ok());
/// ```
pub fn regions_json(
    net: &Network,
    domain: &Domain,
    e: &Enumeration,
    linear: Option<&LinearRegions>,
    plane: Option<&Plane>,
) -> String {
    in_memory(|w| write_regions_json(w, net, domain, e, linear, plane))
}

/// The text of a document written by `write` into memory.
pub(crate) fn in_memory(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut buf: Vec<u8> = Vec::new();
    write(&mut buf).expect("writing to memory");
    String::from_utf8(buf).expect("JSON text is UTF-8")
}

/// [`regions_json`] written to `w` as it is made (a few tens of kilobytes at a time): the
/// same bytes, without the whole text in memory.
pub fn write_regions_json(
    w: &mut dyn std::io::Write,
    net: &Network,
    domain: &Domain,
    e: &Enumeration,
    linear: Option<&LinearRegions>,
    plane: Option<&Plane>,
) -> std::io::Result<()> {
    // Written field by field, the regions and edges one at a time: the whole document as one
    // `Value` tree took ~10x the text's size in memory, and on this kind of machine fresh
    // memory is slow (page clearing was a third of `enumerate --json`; the whole text as one
    // growing string still cost 14% of it). Same bytes as `to_json_text` of the whole
    // `RegionsOut`.
    let region = |(i, r): (usize, &Region)| {
        let mut out = region_out(net, r, NeighborStyle::Id);
        if let Some(p) = plane {
            out.interior_point_input = Some(qvec(&p.to_input(&r.interior_point)));
        }
        if let Some(l) = linear {
            out.linear_region = Some(l.of_region[i]);
        }
        out
    };
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &REGIONS_FORMAT);
    doc.field("network", &NetworkOut::new(net));
    doc.field("domain", &DomainOut::new(domain, e.domain_bounded));
    doc.field("complete", &e.complete);
    doc.array_par("regions", &e.regions, |i, r| region((i, r)));
    doc.array("edges", || e.edges().map(|(a, b, c)| EdgeOut { a, b, neurons: neurons_out(&c.neurons) }));
    if let Some(l) = linear {
        doc.field("linear_regions", &linear_out(l));
    }
    if let Some(p) = plane {
        doc.field("plane", &PlaneOut { origin: qvec(&p.origin), u: qvec(&p.u), v: qvec(&p.v) });
    }
    doc.finish()
}

/// A top-level JSON object written field by field in the layout of [`to_json_text`] (whose
/// top level is always multi-line), so that a large array can be written one element at a
/// time: the same bytes as the whole document through [`to_json_text`]. The text goes to
/// `sink` whenever [`SPILL`] bytes have gathered; the first write error is kept and
/// returned by `finish` (nothing more is written after it).
pub(crate) struct ObjectWriter<'w> {
    pub(crate) out: String,
    pub(crate) fields: usize,
    pub(crate) sink: &'w mut dyn std::io::Write,
    pub(crate) err: Option<std::io::Error>,
}

/// The bytes an [`ObjectWriter`] gathers before writing them.
pub(crate) const SPILL: usize = 1 << 16;

impl<'w> ObjectWriter<'w> {
    pub(crate) fn new(sink: &'w mut dyn std::io::Write) -> ObjectWriter<'w> {
        ObjectWriter { out: String::from("{\n"), fields: 0, sink, err: None }
    }

    /// The gathered text to the sink once it is long enough (`all`: whatever there is).
    pub(crate) fn spill(&mut self, all: bool) {
        if (all || self.out.len() >= SPILL) && self.err.is_none() {
            if let Err(e) = self.sink.write_all(self.out.as_bytes()) {
                self.err = Some(e);
            }
            self.out.clear();
        }
    }

    pub(crate) fn key(&mut self, key: &str) {
        if self.fields > 0 {
            self.out.push_str(",\n");
        }
        self.fields += 1;
        self.out.push_str("  ");
        push_json_string(key, &mut self.out);
        self.out.push_str(": ");
    }

    pub(crate) fn field<T: Serialize>(&mut self, key: &str, value: &T) {
        self.key(key);
        layout::write(value, 1, &mut self.out);
        self.spill(false);
    }

    /// An array field from its elements (`items` is called again when the array does not
    /// fit on one line): what `layout::write` does for an array at depth 1.
    pub(crate) fn array<T: Serialize, I: Iterator<Item = T>>(&mut self, key: &str, items: impl Fn() -> I) {
        self.key(key);
        let mut flat = String::from("[");
        let mut fits = true;
        let mut empty = true;
        for (i, x) in items().enumerate() {
            empty = false;
            if i > 0 {
                flat.push_str(", ");
            }
            if !layout::fits_line(&x, &mut flat, INLINE_WIDTH - 1) {
                fits = false;
                break;
            }
        }
        flat.push(']');
        if empty || (fits && flat.len() < INLINE_WIDTH) {
            self.out.push_str(&flat);
            return;
        }
        self.out.push_str("[\n");
        let mut items = items().peekable();
        while let Some(x) = items.next() {
            self.out.push_str("    ");
            layout::write(&x, 2, &mut self.out);
            self.out.push_str(if items.peek().is_some() { ",\n" } else { "\n" });
            self.spill(false);
        }
        self.out.push_str("  ]");
    }

    /// [`Self::array`] of `items`, each element made (`make(index, item)`) and laid out in
    /// parallel, in chunks joined in order: the same bytes whatever the thread count. Used
    /// for the large arrays (regions, vertices), where laying out the exact values is most
    /// of the writing.
    pub(crate) fn array_par<S: Sync, T: Serialize>(
        &mut self,
        key: &str,
        items: &[S],
        make: impl Fn(usize, &S) -> T + Sync,
    ) {
        use rayon::prelude::*;
        // Two or more elements fit on one line only if the first does alone; else (and for
        // fewer than two) the sequential layout decides.
        let first_fits = items
            .first()
            .is_none_or(|x| layout::fits_line(&make(0, x), &mut String::new(), INLINE_WIDTH - 1));
        if items.len() < 2 || first_fits {
            return self.array(key, || items.iter().enumerate().map(|(i, x)| make(i, x)));
        }
        self.key(key);
        self.out.push_str("[\n");
        // Batches of chunks: at most one batch's text is held at a time.
        const CHUNK: usize = 128;
        for (b, batch) in items.chunks(CHUNK * 32).enumerate() {
            let texts: Vec<String> = batch
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(c, chunk)| {
                    let mut text = String::new();
                    for (j, x) in chunk.iter().enumerate() {
                        let i = b * CHUNK * 32 + c * CHUNK + j;
                        text.push_str("    ");
                        layout::write(&make(i, x), 2, &mut text);
                        text.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                    }
                    text
                })
                .collect();
            for t in texts {
                self.out.push_str(&t);
                self.spill(false);
            }
        }
        self.out.push_str("  ]");
    }

    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        self.out.push_str("\n}\n");
        self.spill(true);
        match self.err.take() {
            Some(e) => Err(e),
            None => self.sink.flush(),
        }
    }
}

/// Format tag of [`partition_json`].
pub const PARTITION_FORMAT: &str = "linregions.partition/1";

#[derive(Serialize)]
pub struct SideOut {
    /// Normal, coprime integers with `b`; the region lies on the side `a·x <= b`.
    pub a: Vec<String>,
    pub b: String,
    /// Every neuron and domain row whose line contains the side, sorted (as in facets).
    pub sources: Vec<SourceOut>,
    /// Region id across the side (`null` on the domain boundary).
    pub neighbor: Option<usize>,
}

#[derive(Serialize)]
pub struct FaceOut {
    pub id: usize,
    pub pattern: Vec<String>,
    /// Vertex ids counter-clockwise, starting at the smallest.
    pub vertices: Vec<usize>,
    /// `facets[i]` joins `vertices[i]` and `vertices[i + 1]` (cyclically).
    pub facets: Vec<SideOut>,
    /// Exact area.
    pub area: String,
}

#[derive(Serialize)]
pub struct PartitionOut {
    pub format: &'static str,
    pub network: NetworkOut,
    pub domain: DomainOut,
    /// False when a limit stopped the run (then no regions: see `partition_limited`).
    pub complete: bool,
    /// Every vertex, sorted by `(x, y)`, exact.
    pub vertices: Vec<[String; 2]>,
    /// Regions sorted by pattern.
    pub regions: Vec<FaceOut>,
    /// Adjacent pairs of regions.
    pub edges: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<PlaneOut>,
}

pub(crate) fn vertex_out(p: &Partition, v: usize) -> [String; 2] {
    let [x, y] = p.point(v);
    [fmt_q(&x), fmt_q(&y)]
}

pub(crate) fn face_out(net: &Network, p: &Partition, id: usize) -> FaceOut {
    let z = crate::arith::num::fmt_z;
    let f = &p.faces[id];
    FaceOut {
        id,
        pattern: net.pattern_strings(&f.pattern),
        vertices: f.vertices.clone(),
        facets: f
            .sides
            .iter()
            .map(|s| SideOut {
                a: s.a.iter().map(z).collect(),
                b: z(&s.b),
                sources: s.sources.iter().map(source_out).collect(),
                neighbor: s.neighbor,
            })
            .collect(),
        area: fmt_q(&p.area(id)),
    }
}

/// The `linregions.partition/1` document of a [`Partition`] (see README "Partition file").
pub fn partition_json(net: &Network, domain: &Domain, p: &Partition, plane: Option<&Plane>) -> String {
    in_memory(|w| write_partition_json(w, net, domain, p, plane))
}

/// [`partition_json`] written to `w` as it is made: the same bytes.
pub fn write_partition_json(
    w: &mut dyn std::io::Write,
    net: &Network,
    domain: &Domain,
    p: &Partition,
    plane: Option<&Plane>,
) -> std::io::Result<()> {
    // Field by field, as `regions_json` (the fields of `PartitionOut`, same bytes).
    let mut doc = ObjectWriter::new(w);
    doc.field("format", &PARTITION_FORMAT);
    doc.field("network", &NetworkOut::new(net));
    doc.field("domain", &DomainOut::new(domain, true));
    doc.field("complete", &p.complete);
    doc.array_par("vertices", &p.vertices, |v, _| vertex_out(p, v));
    doc.array_par("regions", &p.faces, |id, _| face_out(net, p, id));
    doc.field("edges", &p.edges);
    if let Some(pl) = plane {
        doc.field("plane", &PlaneOut { origin: qvec(&pl.origin), u: qvec(&pl.u), v: qvec(&pl.v) });
    }
    doc.finish()
}

/// One line of the JSONL stream: a region with walk ids (see
/// [`crate::regions::enumerate::enumerate_with`]), compact, ending in a newline.
pub fn region_jsonl(net: &Network, r: &Region) -> String {
    let mut s = serde_json::to_string(&region_out(net, r, NeighborStyle::Id)).expect("serialize");
    s.push('\n');
    s
}

/// The last line of the JSONL stream.
pub fn summary_jsonl(s: &crate::regions::enumerate::Summary) -> String {
    #[derive(Serialize)]
    struct Summary {
        format: &'static str,
        regions: usize,
        edges: usize,
        bounded: usize,
        complete: bool,
    }
    #[derive(Serialize)]
    struct Line {
        summary: Summary,
    }
    let mut out = serde_json::to_string(&Line {
        summary: Summary {
            format: "linregions.regions-jsonl/1",
            regions: s.regions,
            edges: s.edges,
            bounded: s.bounded,
            complete: s.complete,
        },
    })
    .expect("serialize");
    out.push('\n');
    out
}
