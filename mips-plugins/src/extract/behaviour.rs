//! Behaviour clusters: states read off by what the network does next rather than by where the
//! hidden state lies. A trained network often keeps its states on a continuum (relaxing towards
//! attractors, with margins no wider than the spread), so no geometric gap separates them, yet
//! its behaviour is finite-state. Each distinct core state gets a signature: the network's
//! rounded outputs on every input sequence up to a lookahead depth (as deep as `lookahead`
//! network steps allow). States with one signature form a block; blocks are split until every
//! observed transition of a block on an input leads to one block (points without that
//! transition join the nearest group). A new hidden state belongs to the block of its
//! signature, the nearest block center when several share it. The machine is minimized and must
//! pass the same closure, held-out and memorization checks as every method.

use std::collections::BTreeMap;

use mips_core::ir::Network;
use mips_core::pass::verify::round_output;
use rayon::prelude::*;

use super::candidate::{Candidate, Finish, PARAMETER_BITS, finish};
use super::collect::Samples;
use super::linalg::distance;
use super::machine::{Quantizer, build, integer_bits, is_complete};
use super::minimize::minimize;
use super::options::ExtractOptions;
use super::points::{Points, RESOLUTION};
use super::subspace::Projection;

/// Most distinct core states whose signatures are computed.
const MAX_SIGNED: usize = 20_000;

/// Deepest lookahead whose tree (`Σ_{i=1..d} symbols^i` steps) fits in `budget` (at least 1).
fn depth_for(symbols: usize, budget: usize) -> usize {
    let (mut depth, mut level, mut total) = (0, 1usize, 0usize);
    loop {
        level = level.saturating_mul(symbols);
        total = total.saturating_add(level);
        if total > budget {
            return depth.max(1);
        }
        depth += 1;
    }
}

/// The network's rounded outputs from hidden state `h` on every input sequence of length
/// `1..=depth` (breadth-first, inputs in order).
pub fn signature(net: &Network, inputs: &[Vec<f64>], depth: usize, h: &[f64]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut level = vec![h.to_vec()];
    for _ in 0..depth {
        let mut next = Vec::with_capacity(level.len() * inputs.len());
        for state in &level {
            for x in inputs {
                let h = net.step(state, x);
                out.extend(net.readout(&h).iter().map(|v| round_output(*v)));
                next.push(h);
            }
        }
        level = next;
    }
    out
}

/// A behaviour-block quantizer (see the module documentation).
pub struct Behaviour<'a> {
    net: &'a Network,
    proj: &'a Projection,
    inputs: Vec<Vec<f64>>,
    depth: usize,
    /// Per signature, the blocks with it: (block id, center).
    blocks: BTreeMap<Vec<i64>, Vec<(usize, Vec<f64>)>>,
    count: usize,
}

/// Splits blocks until every observed transition of a block on an input leads to one block.
/// `successors[p][x]` is point `p`'s observed successor on input `x`; `None` when the blocks
/// outgrow `max_blocks`.
fn refine(
    mut block: Vec<usize>,
    successors: &[BTreeMap<usize, usize>],
    coords: &[Vec<f64>],
    symbols: usize,
    max_blocks: usize,
) -> Option<Vec<usize>> {
    loop {
        let count = block.iter().max().map_or(0, |b| b + 1);
        if count > max_blocks {
            return None;
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (p, b) in block.iter().enumerate() {
            members[*b].push(p);
        }
        let mut next_id = count;
        let mut changed = false;
        for ms in &members {
            let conflict = (0..symbols).find_map(|x| {
                let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for &p in ms {
                    if let Some(&t) = successors[p].get(&x) {
                        groups.entry(block[t]).or_default().push(p);
                    }
                }
                (groups.len() > 1).then_some((x, groups))
            });
            let Some((x, groups)) = conflict else { continue };
            changed = true;
            let dim = coords.first().map_or(0, Vec::len);
            let centers: Vec<Vec<f64>> = groups
                .values()
                .map(|g| {
                    (0..dim)
                        .map(|d| g.iter().map(|p| coords[*p][d]).sum::<f64>() / g.len() as f64)
                        .collect()
                })
                .collect();
            let ids: Vec<usize> = (0..groups.len())
                .map(|i| if i == 0 { block[ms[0]] } else { next_id + i - 1 })
                .collect();
            next_id += groups.len() - 1;
            for &p in ms {
                let group = match successors[p].get(&x) {
                    Some(&t) => groups.keys().position(|b| *b == block[t]).unwrap_or(0),
                    None => (0..centers.len())
                        .min_by(|a, b| {
                            distance(&coords[p], &centers[*a]).total_cmp(&distance(&coords[p], &centers[*b]))
                        })
                        .unwrap_or(0),
                };
                block[p] = ids[group];
            }
        }
        if !changed {
            return Some(block);
        }
    }
}

impl<'a> Behaviour<'a> {
    /// Signs the distinct core states of `samples` and refines their blocks; `None` when there
    /// are too many distinct states or blocks, or no inputs.
    pub fn new(
        net: &'a Network,
        samples: &Samples,
        proj: &'a Projection,
        points: &Points,
        opts: &ExtractOptions,
    ) -> Option<Behaviour<'a>> {
        let inputs: Vec<Vec<f64>> = samples
            .inputs
            .iter()
            .map(|x| x.iter().map(|v| *v as f64).collect())
            .collect();
        if inputs.is_empty() {
            return None;
        }
        let depth = depth_for(inputs.len(), opts.lookahead);
        let resolution = (points.scale * RESOLUTION).max(f64::MIN_POSITIVE);
        let key = |u: &[f64]| -> Vec<i64> { u.iter().map(|v| (v / resolution).round() as i64).collect() };
        let mut index: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
        let mut hidden: Vec<Vec<f64>> = Vec::new();
        let mut coords: Vec<Vec<f64>> = Vec::new();
        let mut point = |h: &[f64]| -> Option<usize> {
            let u = proj.apply(h);
            if u.iter().any(|v| !v.is_finite()) {
                return None;
            }
            let id = *index.entry(key(&u)).or_insert_with(|| {
                hidden.push(h.to_vec());
                coords.push(u);
                hidden.len() - 1
            });
            Some(id)
        };
        let mut edges: Vec<(usize, usize, usize)> = Vec::new();
        for rec in samples.core_records() {
            let x = samples.inputs.binary_search_by(|v| v.as_slice().cmp(rec.input)).ok();
            if let (Some(from), Some(to), Some(x)) = (point(rec.prev), point(rec.next), x) {
                edges.push((from, x, to));
            }
        }
        if hidden.len() > MAX_SIGNED {
            return None;
        }
        let mut successors: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); hidden.len()];
        for (from, x, to) in edges {
            successors[from].insert(x, to);
        }
        let signatures: Vec<Vec<i64>> = hidden.par_iter().map(|h| signature(net, &inputs, depth, h)).collect();
        let ids: BTreeMap<&Vec<i64>, usize> = signatures
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        let start: Vec<usize> = signatures.iter().map(|s| ids[s]).collect();
        let block = refine(start, &successors, &coords, inputs.len(), opts.max_states)?;
        let count = block.iter().max().map_or(0, |b| b + 1);
        let dim = proj.dim();
        let mut sums: Vec<(Vec<f64>, usize, usize)> = vec![(vec![0.0; dim], 0, 0); count];
        for (p, b) in block.iter().enumerate() {
            sums[*b].0.iter_mut().zip(&coords[p]).for_each(|(s, v)| *s += v);
            sums[*b].1 += 1;
            sums[*b].2 = p;
        }
        let mut blocks: BTreeMap<Vec<i64>, Vec<(usize, Vec<f64>)>> = BTreeMap::new();
        for (b, (sum, n, p)) in sums.into_iter().enumerate() {
            if n > 0 {
                let center = sum.iter().map(|v| v / n as f64).collect();
                blocks.entry(signatures[p].clone()).or_default().push((b, center));
            }
        }
        Some(Behaviour {
            net,
            proj,
            inputs,
            depth,
            blocks,
            count,
        })
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are no blocks.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Lookahead depth of the signatures.
    pub fn depth(&self) -> usize {
        self.depth
    }

    fn locate(&self, h: &[f64]) -> Option<(Vec<i64>, f64)> {
        let candidates = self.blocks.get(&signature(self.net, &self.inputs, self.depth, h))?;
        let u = self.proj.apply(h);
        candidates
            .iter()
            .map(|(b, c)| (*b, distance(&u, c)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(b, d)| (vec![b as i64], d))
    }
}

impl Quantizer for Behaviour<'_> {
    fn state_dim(&self) -> usize {
        1
    }

    fn initial(&self, h0: &[f64]) -> Option<Vec<i64>> {
        self.locate(h0).map(|(s, _)| s)
    }

    fn read(&self, _: Option<&[i64]>, _: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        self.locate(h)
    }
}

/// The minimized machine of the behaviour blocks of `net`.
pub fn extract(
    net: &Network,
    samples: &Samples,
    proj: &Projection,
    points: &Points,
    opts: &ExtractOptions,
) -> Result<Candidate, String> {
    let behaviour = Behaviour::new(net, samples, proj, points, opts).ok_or_else(|| {
        format!(
            "behaviour: more than {MAX_SIGNED} distinct states, more than {} blocks, or no inputs",
            opts.max_states
        )
    })?;
    let eps = opts.eps * points.scale.max(f64::MIN_POSITIVE);
    let built = build(net, samples, &behaviour, opts, eps).map_err(|e| format!("behaviour: {e}"))?;
    let mut machine = minimize(&built.machine);
    machine.complete = is_complete(&machine);
    machine.state_names = vec!["state".into()];
    let how = Finish {
        method: "behaviour",
        size: format!("{} states", machine.state_count()),
        model_bits: PARAMETER_BITS * (behaviour.len() * proj.dim()) as f64,
        state_bits: &integer_bits,
        finite: true,
    };
    finish(&built, machine, samples, opts, how).map_err(|e| format!("behaviour (depth {}): {e}", behaviour.depth()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookahead_depth_fits_the_budget() {
        assert_eq!(depth_for(2, 64), 5);
        assert_eq!(depth_for(3, 64), 3);
        assert_eq!(depth_for(10, 64), 1);
        assert_eq!(depth_for(100, 64), 1);
    }
}
