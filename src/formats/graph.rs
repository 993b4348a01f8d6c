//! The region adjacency graph as Graphviz DOT and GraphML.

use crate::arith::num::fmt_q;
use crate::geometry::Insphere;
use crate::network::Network;
use crate::network::pattern_label;
use crate::regions::enumerate::Enumeration;

/// Graphviz DOT of the region graph: nodes `id` labelled `id\npattern`, edges labelled with
/// the flipped neurons `l:k`.
pub fn regions_dot(net: &Network, e: &Enumeration) -> String {
    use petgraph::dot::{Config, Dot};
    let labelled = e.graph.map(
        |_, &id| format!("{id}\n{}", pattern_label(net, &e.regions[id].pattern)),
        |_, c| c.neurons.iter().map(|(l, k)| format!("{l}:{k}")).collect::<Vec<_>>().join(" "),
    );
    format!("{}", Dot::with_config(&labelled, &[Config::GraphContentOnly])).lines().fold(
        String::from("graph regions {\n    node [shape=box, fontname=\"monospace\"];\n"),
        |mut acc, l| {
            acc.push_str(l);
            acc.push('\n');
            acc
        },
    ) + "}\n"
}

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// GraphML of the region graph (for Gephi, networkx, igraph): node data `pattern`,
/// `bounded`, `facets`, `inradius_lower`, `inradius_upper` (exact `p/q` or `inf`), `volume`
/// (when computed); edge data `neurons` (`layer:index` separated by spaces).
pub fn regions_graphml(net: &Network, e: &Enumeration) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s += "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
    for (id, on, ty) in [
        ("pattern", "node", "string"),
        ("bounded", "node", "boolean"),
        ("facets", "node", "int"),
        ("inradius_lower", "node", "string"),
        ("inradius_upper", "node", "string"),
        ("volume", "node", "string"),
        ("neurons", "edge", "string"),
    ] {
        s += &format!("  <key id=\"{id}\" for=\"{on}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>\n");
    }
    s += "  <graph id=\"regions\" edgedefault=\"undirected\">\n";
    for r in &e.regions {
        let (lo, hi) = match &r.insphere {
            Insphere::Finite { radius_lower, radius_upper, .. } => (fmt_q(radius_lower), fmt_q(radius_upper)),
            Insphere::Unbounded => ("inf".into(), "inf".into()),
        };
        s += &format!(
            "    <node id=\"n{}\">\n      <data key=\"pattern\">{}</data>\n      <data key=\"bounded\">{}</data>\n      <data key=\"facets\">{}</data>\n      <data key=\"inradius_lower\">{}</data>\n      <data key=\"inradius_upper\">{}</data>\n",
            r.id,
            xml_escape(&pattern_label(net, &r.pattern)),
            r.bounded,
            r.facets.len(),
            lo,
            hi
        );
        if let Some(v) = &r.volume {
            s += &format!("      <data key=\"volume\">{}</data>\n", fmt_q(v));
        }
        s += "    </node>\n";
    }
    for (i, (a, b, c)) in e.edges().enumerate() {
        let neurons: Vec<String> = c.neurons.iter().map(|(l, k)| format!("{l}:{k}")).collect();
        s += &format!(
            "    <edge id=\"e{i}\" source=\"n{a}\" target=\"n{b}\">\n      <data key=\"neurons\">{}</data>\n    </edge>\n",
            neurons.join(" ")
        );
    }
    s += "  </graph>\n</graphml>\n";
    s
}
