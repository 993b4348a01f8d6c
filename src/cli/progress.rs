//! Progress on stderr for long runs: updated in place 4 times a second when stderr is a
//! terminal, a line every 5 seconds otherwise when asked for (`--progress`). Two seconds in,
//! a line gives the arrangement bound: how many regions there can be at most.

use super::*;
use linregions::{MeshProgress, WalkProgress};

/// `enumerate` with its progress shown ([`Reporter`]: the mesh's on a bounded plane, then
/// the walk's), each line after `label`.
pub(crate) fn enumerate_reported(
    net: &Network,
    domain: &Domain,
    opts: &Options,
    asked: bool,
    label: &str,
) -> Result<linregions::Enumeration> {
    let reporter = std::cell::RefCell::new(Reporter::new(true, asked, net, label));
    let e = linregions::enumerate_observed(
        net,
        domain,
        opts,
        |_: &linregions::Region, p: &WalkProgress| reporter.borrow_mut().walk(p),
        &mut |p| reporter.borrow_mut().mesh(p),
    )
    .map_err(|e| anyhow!(e))?;
    reporter.borrow().finish();
    Ok(e)
}

/// The progress lines of one run (the walk's or the mesh's), and when the next is due.
pub(crate) struct Reporter {
    show: bool,
    terminal: bool,
    every_ms: u128,
    end: &'static str,
    /// Put before each line (the network's file when a command reads several).
    label: String,
    bound: String,
    t0: Instant,
    last: Instant,
    estimated: bool,
}

impl Reporter {
    /// Shown when `allowed` (not `--quiet`) and stderr is a terminal or `asked` (`--progress`).
    pub(crate) fn new(allowed: bool, asked: bool, net: &Network, label: &str) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        let (every_ms, end) = if terminal { (250, "   ") } else { (5000, "\n") };
        Reporter {
            show: allowed && (terminal || asked),
            terminal,
            every_ms,
            end,
            label: label.to_string(),
            bound: region_bound_text(
                net.input_dim(),
                &net.hidden().iter().map(|h| (h.activated(), h.dense.out_dim())).collect::<Vec<_>>(),
            ),
            t0: Instant::now(),
            last: Instant::now(),
            estimated: false,
        }
    }

    /// Whether a line is due now; the first one after two seconds also gives the bound,
    /// with `found` regions so far.
    fn due(&mut self, found: usize) -> bool {
        let s = self.t0.elapsed().as_secs_f64();
        let due = self.last.elapsed().as_millis() >= self.every_ms || (!self.estimated && s >= 2.0);
        if !(self.show && due) {
            return false;
        }
        self.last = Instant::now();
        if !self.estimated && s >= 2.0 {
            self.estimated = true;
            eprint!(
                "{}{}at most {} regions (the arrangement bound of the layer widths); {found} found so far\n",
                if self.terminal { "\r\x1b[K" } else { "" },
                self.label,
                self.bound,
            );
        }
        true
    }

    /// After each region of a walk.
    pub(crate) fn walk(&mut self, p: &WalkProgress) {
        if self.due(p.regions) {
            let s = self.t0.elapsed().as_secs_f64();
            eprint!(
                "{}{}{} regions, frontier {}, {:.0} regions/s, {:.1} s{}",
                if self.terminal { "\r" } else { "" },
                self.label,
                p.regions,
                p.frontier,
                p.regions as f64 / s.max(1e-9),
                s,
                self.end
            );
        }
    }

    /// After each neuron's cut of the 2D mesh.
    pub(crate) fn mesh(&mut self, p: &MeshProgress) {
        if self.due(p.faces) {
            let s = self.t0.elapsed().as_secs_f64();
            eprint!(
                "{}{}layer {} of {}, neuron {} of {}: {} faces (regions so far), {:.1} s{}",
                if self.terminal { "\r" } else { "" },
                self.label,
                p.layer + 1,
                p.layers,
                p.neuron,
                p.layer_size,
                p.faces,
                s,
                self.end
            );
        }
    }

    /// Clears the line updated in place on a terminal.
    pub(crate) fn finish(&self) {
        if self.show && self.terminal {
            eprint!("\r\x1b[K");
        }
    }
}

/// An upper bound on the number of regions of a network on `d` inputs whose layers have
/// `(neurons, width)` (the width counts the carried values too), as text: the product over
/// layers of `sum_{j <= k} C(n, j)` with `k` the smallest of `d` and the widths before (the
/// arrangement bound of each layer on the space the layers before leave).
fn region_bound_text(d: usize, layers: &[(usize, usize)]) -> String {
    let mut log10 = 0.0f64;
    let mut dim = d;
    for &(n, width) in layers {
        let k = dim.min(n);
        dim = dim.min(width);
        // log10 of sum_{j=0}^{k} C(n, j), by terms.
        let mut term = 0.0f64; // log10 C(n, 0)
        let mut sum = 1.0f64; // relative to the largest term so far, in linear scale
        let mut top = 0.0f64;
        for j in 1..=k {
            term += ((n - j + 1) as f64 / j as f64).log10();
            if term > top {
                sum = sum * 10f64.powf(top - term) + 1.0;
                top = term;
            } else {
                sum += 10f64.powf(term - top);
            }
        }
        log10 += top + sum.log10();
    }
    if log10 < 15.0 { format!("{:.0}", 10f64.powf(log10).round()) } else { format!("1e{log10:.0}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn region_bounds() {
        // 2 inputs, one layer of 3: 1 + 3 + 3 = 7 regions at most; of 4 then 4: 11 * 11.
        assert_eq!(super::region_bound_text(2, &[(3, 3)]), "7");
        assert_eq!(super::region_bound_text(2, &[(4, 4), (4, 4)]), "121");
        assert_eq!(super::region_bound_text(2, &[(4473, 4473)]), "10006102");
        assert!(super::region_bound_text(784, &[(256, 256), (256, 256)]).starts_with("1e"));
        // One neuron in 3 dimensions, then 3 neurons in the space its output and 2 carried
        // values span (dimension 3): 2 * (1 + 3 + 3 + 1); without the carried values, 2 * 4.
        assert_eq!(super::region_bound_text(3, &[(1, 3), (3, 3)]), "16");
        assert_eq!(super::region_bound_text(3, &[(1, 1), (3, 3)]), "8");
    }
}
