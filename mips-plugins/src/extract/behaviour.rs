//! Behaviour clusters: states read off by what the network does next rather than by where the
//! hidden state lies. A trained network often keeps its states on a continuum (relaxing towards
//! attractors, with margins no wider than the spread), so no geometric gap separates them, yet
//! its behaviour is finite-state. Each distinct core state gets a signature: its own rounded
//! output and the network's rounded outputs on every input sequence of `lookahead` steps or fewer (kept short, since
//! longer continuations leave the lengths the network was trained on; by default as long as the
//! continuations stay few, see [`lookahead`]). States with one
//! signature form a block; blocks are split until every observed transition of a block on an
//! input leads to one block (points without that transition join the nearest group), which
//! tells apart what only longer, in-distribution continuations show. A core state belongs to its
//! block; a new hidden state to the block of its signature, the nearest block center when
//! several share it. The machine is minimized and must
//! pass the same closure, held-out and memorization checks as every method.
//!
//! Signatures are bounded work: a lookahead longer than the longest sequence is refused (no
//! state could be signed in full), and all signatures together may take at most
//! `signature-budget` network steps (by default the most the automatic lookahead can take, see
//! [`default_signature_budget`]); past it the method fails, naming the option, instead of
//! growing. Outputs are read exactly ([`super::collect::exact_output`]), never saturated.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use mips_core::ir::Network;
use rayon::prelude::*;

use super::candidate::{Candidate, PARAMETER_BITS, finish_finite};
use super::collect::{Samples, exact_output};
use super::linalg::distance;
use super::machine::{Quantizer, build};
use super::options::ExtractOptions;
use super::points::{Points, RESOLUTION, grid_key};
use super::subspace::Projection;

/// Most continuations per signature that the automatic lookahead allows.
const MAX_CONTINUATIONS: usize = 8;
/// Longest automatic lookahead (longer continuations leave the lengths the network knows).
const MAX_LOOKAHEAD: usize = 3;

/// The signature depth: `requested` when positive, else the longest (up to
/// [`MAX_LOOKAHEAD`]) whose continuations over an alphabet of `symbols` inputs number at most
/// [`MAX_CONTINUATIONS`], and at least 1.
pub fn lookahead(requested: usize, symbols: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    (1..=MAX_LOOKAHEAD)
        .take_while(|&d| symbols.checked_pow(d as u32).is_some_and(|n| n <= MAX_CONTINUATIONS))
        .last()
        .unwrap_or(1)
}

/// Most distinct core states whose signatures are computed.
const MAX_SIGNED: usize = 100_000;

/// Network steps one signature of `depth` steps over `symbols` inputs takes (`Σ symbols^d` for
/// `d` in `1..=depth`), `None` when that does not fit a `usize`.
pub fn signature_steps(symbols: usize, depth: usize) -> Option<usize> {
    let mut level = 1usize;
    let mut total = 0usize;
    for _ in 0..depth {
        level = level.checked_mul(symbols)?;
        total = total.checked_add(level)?;
    }
    Some(total)
}

/// The default signature budget in network steps: the most the automatic [`lookahead`] can
/// spend, at most `2 ·` [`MAX_CONTINUATIONS`] steps per signature (`Σ_{d≤D} k^d ≤ 2 k^D` for
/// `k ≥ 2`; at most [`MAX_LOOKAHEAD`] steps for one input) for each of the [`MAX_SIGNED`] signed
/// states and each of the `max_transitions` placements the tables can ask for.
pub fn default_signature_budget(max_transitions: usize) -> usize {
    2 * MAX_CONTINUATIONS * MAX_SIGNED.saturating_add(max_transitions)
}

/// The network's rounded output at hidden state `h`, then its rounded outputs from `h` on every
/// input sequence of length `1..=depth` (breadth-first order: by length, then inputs in order).
/// Computed depth-first, so memory beyond the signature is `depth` hidden states; an output too
/// large for an `i64` is an error.
pub fn signature(net: &Network, inputs: &[Vec<f64>], depth: usize, h: &[f64]) -> Result<Vec<i64>, String> {
    let read = |h: &[f64], out: &mut [i64]| -> Result<(), String> {
        for (o, v) in out.iter_mut().zip(net.readout(h)) {
            *o = exact_output(v)?;
        }
        Ok(())
    };
    let k = inputs.len();
    let dim = net.output_dim;
    let mut offsets = vec![0usize; depth + 1];
    let mut level = 1usize;
    for d in 0..depth {
        offsets[d + 1] = offsets[d] + level * dim;
        level *= k;
    }
    let mut out = vec![0i64; offsets[depth] + level * dim];
    read(h, &mut out[..dim])?;
    // The path from `h`: per level, the hidden state, its index at that level and the next input.
    let mut path: Vec<(Vec<f64>, usize, usize)> = vec![(h.to_vec(), 0, 0)];
    while let Some(top) = path.len().checked_sub(1) {
        let (child_level, index, x) = (path.len(), path[top].1, path[top].2);
        if x == k || child_level > depth {
            path.pop();
            continue;
        }
        path[top].2 += 1;
        let child = index * k + x;
        let next = net.step(&path[top].0, &inputs[x]);
        let at = offsets[child_level] + child * dim;
        read(&next, &mut out[at..at + dim])?;
        path.push((next, child, 0));
    }
    Ok(out)
}

/// Share of the fully signed states below which a signature counts as the network's noise.
const RARE_SIGNATURE: f64 = 1e-3;

/// Unmarks (in `full`) the states whose signature fewer than [`RARE_SIGNATURE`] of the fully
/// signed states share: a network right on every test sequence can still err on a rare
/// continuation, and one wrong signature would split its block and, through the refinement,
/// every block leading there. Such states are placed like states without a full signature.
fn drop_rare_signatures(signatures: &[Vec<i64>], full: &mut [bool]) {
    let mut counts: BTreeMap<&Vec<i64>, usize> = BTreeMap::new();
    for (s, _) in signatures.iter().zip(full.iter()).filter(|(_, f)| **f) {
        *counts.entry(s).or_default() += 1;
    }
    let signed: usize = counts.values().sum();
    let rare = |s: &Vec<i64>| (counts[s] as f64) < RARE_SIGNATURE * signed as f64;
    for (s, f) in signatures.iter().zip(full.iter_mut()) {
        if *f && rare(s) {
            *f = false;
        }
    }
}

/// A behaviour-block quantizer (see the module documentation).
pub struct Behaviour<'a> {
    net: &'a Network,
    proj: &'a Projection,
    inputs: Vec<Vec<f64>>,
    depth: usize,
    output_dim: usize,
    /// Per signature, the blocks with it: (block id, center).
    blocks: Centers,
    /// Per own output, the blocks with it (for states without a known signature).
    by_output: Centers,
    /// The block of each core state, by its grid key.
    known: BTreeMap<Vec<i64>, usize>,
    resolution: f64,
    count: usize,
    /// Network steps one signature takes.
    per_signature: usize,
    /// Network steps left for signatures of new hidden states, and whether they ran out.
    left: AtomicUsize,
    exhausted: AtomicBool,
}

/// Splits blocks until every observed transition of a block on an input leads to one block.
/// `successors[p][x]` is point `p`'s observed successor on input `x`; points in block
/// `usize::MAX` take no part; `None` when the blocks outgrow `max_blocks`.
fn refine(
    mut block: Vec<usize>,
    successors: &[BTreeMap<usize, usize>],
    coords: &[Vec<f64>],
    symbols: usize,
    max_blocks: usize,
) -> Option<Vec<usize>> {
    loop {
        let count = block.iter().filter(|b| **b != usize::MAX).max().map_or(0, |b| b + 1);
        if count > max_blocks {
            return None;
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (p, b) in block.iter().enumerate().filter(|(_, b)| **b != usize::MAX) {
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

/// Block centers grouped by a key (a signature, or an own output).
type Centers = BTreeMap<Vec<i64>, Vec<(usize, Vec<f64>)>>;

/// The block whose center is nearest to `u` among `candidates`.
fn nearest(candidates: &[(usize, Vec<f64>)], u: &[f64]) -> Option<(usize, f64)> {
    candidates
        .iter()
        .map(|(b, c)| (*b, distance(u, c)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

impl<'a> Behaviour<'a> {
    /// Signs the distinct core states of `samples` and refines their blocks; an error when there
    /// are too many distinct states or blocks, no inputs, or when signing would overrun the
    /// signature budget (`opts.signatures()` network steps, see
    /// [`default_signature_budget`]). Only states with at least
    /// `lookahead` steps left in their sequence are signed in full (longer continuations would
    /// leave the lengths the network knows); the others join the nearest block with their own
    /// output.
    pub fn new(
        net: &'a Network,
        samples: &Samples,
        proj: &'a Projection,
        points: &Points,
        opts: &ExtractOptions,
    ) -> Result<Behaviour<'a>, String> {
        let inputs: Vec<Vec<f64>> = samples
            .inputs
            .iter()
            .map(|x| x.iter().map(|v| *v as f64).collect())
            .collect();
        if inputs.is_empty() {
            return Err("no inputs".into());
        }
        let depth = lookahead(opts.lookahead, inputs.len());
        let longest = samples.core.iter().map(|t| samples.steps(t)).max().unwrap_or(0);
        if depth > longest.max(1) {
            return Err(format!(
                "lookahead {depth} is longer than the longest sequence ({longest} steps): no state could be signed in full; lower 'lookahead'"
            ));
        }
        let budget = opts.signatures();
        let over = || {
            format!(
                "the signature budget of {budget} network steps is too small for lookahead {depth} over {} inputs; lower 'lookahead' or raise 'signature-budget'",
                inputs.len()
            )
        };
        let per_signature = signature_steps(inputs.len(), depth)
            .filter(|s| *s <= budget)
            .ok_or_else(over)?;
        let resolution = (points.scale * RESOLUTION).max(f64::MIN_POSITIVE);

        let mut index: BTreeMap<Vec<i64>, usize> = BTreeMap::new();
        let mut hidden: Vec<Vec<f64>> = Vec::new();
        let mut coords: Vec<Vec<f64>> = Vec::new();
        let mut remaining: Vec<usize> = Vec::new();
        let mut point = |h: &[f64], left: usize| -> Option<usize> {
            let u = proj.apply(h);
            let key = grid_key(&u, resolution)?;
            let id = *index.entry(key).or_insert_with(|| {
                hidden.push(h.to_vec());
                coords.push(u);
                remaining.push(0);
                hidden.len() - 1
            });
            remaining[id] = remaining[id].max(left);
            Some(id)
        };
        let mut edges: Vec<(usize, usize, usize)> = Vec::new();
        for traj in &samples.core {
            let len = samples.steps(traj);
            for (step, rec) in samples.records(traj).enumerate() {
                let x = samples.inputs.binary_search_by(|v| v.as_slice().cmp(rec.input)).ok();
                let from = point(rec.prev, len - step);
                let to = point(rec.next, len - step - 1);
                if let (Some(from), Some(to), Some(x)) = (from, to, x) {
                    edges.push((from, x, to));
                }
            }
        }
        if hidden.len() > MAX_SIGNED {
            return Err(format!("more than {MAX_SIGNED} distinct states"));
        }
        let signing = per_signature.checked_mul(hidden.len()).filter(|s| *s <= budget).ok_or_else(|| {
            format!(
                "signing {} distinct states at {per_signature} network steps each overruns the signature budget of {budget} steps; lower 'lookahead' or raise 'signature-budget'",
                hidden.len()
            )
        })?;
        let signatures: Vec<Vec<i64>> = hidden
            .par_iter()
            .map(|h| signature(net, &inputs, depth, h))
            .collect::<Result<_, _>>()?;
        let mut full: Vec<bool> = remaining.iter().map(|r| *r >= depth).collect();
        drop_rare_signatures(&signatures, &mut full);
        let mut successors: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); hidden.len()];
        for &(from, x, to) in &edges {
            if full[from] && full[to] {
                successors[from].insert(x, to);
            }
        }
        let ids: BTreeMap<&Vec<i64>, usize> = (0..hidden.len())
            .filter(|p| full[*p])
            .map(|p| &signatures[p])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        let start: Vec<usize> = (0..hidden.len())
            .map(|p| if full[p] { ids[&signatures[p]] } else { usize::MAX })
            .collect();
        let mut block = refine(start, &successors, &coords, inputs.len(), opts.max_states)
            .ok_or_else(|| format!("more than {} blocks", opts.max_states))?;
        let own = |p: usize| signatures[p][..samples.output_dim.min(signatures[p].len())].to_vec();
        let centers = |block: &[usize]| -> BTreeMap<usize, (Vec<f64>, usize)> {
            let mut sums: BTreeMap<usize, (Vec<f64>, usize)> = BTreeMap::new();
            for (p, b) in block.iter().enumerate().filter(|(_, b)| **b != usize::MAX) {
                let entry = sums.entry(*b).or_insert_with(|| (vec![0.0; coords[p].len()], p));
                entry.0.iter_mut().zip(&coords[p]).for_each(|(s, v)| *s += v);
            }
            let counts = block.iter().fold(BTreeMap::new(), |mut m: BTreeMap<usize, usize>, b| {
                *m.entry(*b).or_default() += 1;
                m
            });
            sums.into_iter()
                .map(|(b, (sum, p))| (b, (sum.iter().map(|v| v / counts[&b] as f64).collect(), p)))
                .collect()
        };
        let signed = centers(&block);
        let mut by_output: Centers = BTreeMap::new();
        for (b, (center, p)) in &signed {
            by_output.entry(own(*p)).or_default().push((*b, center.clone()));
        }
        // A state without a full signature goes where its block's transitions already lead
        // (latest states last, so their predecessors are placed first), else to the nearest
        // block with its own output.
        let mut implied: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for &(from, x, to) in &edges {
            if full[from] && full[to] {
                implied.insert((block[from], x), block[to]);
            }
        }
        let mut incoming: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for &(from, x, to) in &edges {
            if !full[to] {
                incoming.entry(to).or_default().push((from, x));
            }
        }
        let mut output_of: BTreeMap<usize, Vec<i64>> = signed.iter().map(|(b, (_, p))| (*b, own(*p))).collect();
        let mut late: Vec<usize> = (0..hidden.len()).filter(|p| !full[*p]).collect();
        late.sort_by_key(|p| (std::cmp::Reverse(remaining[*p]), *p));
        let mut next_id = signed.keys().max().map_or(0, |b| b + 1);
        for p in late {
            let out = own(p);
            let via = incoming.get(&p).into_iter().flatten().find_map(|(from, x)| {
                implied
                    .get(&(block[*from], *x))
                    .copied()
                    .filter(|b| output_of.get(b) == Some(&out))
            });
            block[p] = match via.or_else(|| by_output.get(&out).and_then(|c| nearest(c, &coords[p])).map(|(b, _)| b)) {
                Some(b) => b,
                None => {
                    by_output.insert(out.clone(), vec![(next_id, coords[p].clone())]);
                    output_of.insert(next_id, out);
                    next_id += 1;
                    next_id - 1
                }
            };
            for (from, x) in incoming.get(&p).into_iter().flatten() {
                implied.entry((block[*from], *x)).or_insert(block[p]);
            }
        }
        let mut blocks: Centers = BTreeMap::new();
        for (b, (center, p)) in signed {
            blocks.entry(signatures[p].clone()).or_default().push((b, center));
        }
        let known = index.into_iter().map(|(k, p)| (k, block[p])).collect();
        Ok(Behaviour {
            net,
            proj,
            inputs,
            depth,
            output_dim: samples.output_dim,
            blocks,
            by_output,
            known,
            resolution,
            count: next_id,
            per_signature,
            left: AtomicUsize::new(budget - signing),
            exhausted: AtomicBool::new(false),
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

    /// The block of `h`: its own for a core state, else the nearest with its signature, else the
    /// nearest with its own output.
    fn locate(&self, h: &[f64]) -> Option<(Vec<i64>, f64)> {
        let u = self.proj.apply(h);
        if let Some(b) = grid_key(&u, self.resolution).and_then(|key| self.known.get(&key)) {
            return Some((vec![*b as i64], 0.0));
        }
        let spend = self.left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
            l.checked_sub(self.per_signature)
        });
        if spend.is_err() {
            self.exhausted.store(true, Ordering::Relaxed);
            return None;
        }
        let sig = signature(self.net, &self.inputs, self.depth, h).ok()?;
        let own = &sig[..self.output_dim.min(sig.len())];
        self.blocks
            .get(&sig)
            .and_then(|c| nearest(c, &u))
            .or_else(|| self.by_output.get(own).and_then(|c| nearest(c, &u)))
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
    let behaviour = Behaviour::new(net, samples, proj, points, opts).map_err(|e| format!("behaviour: {e}"))?;
    let eps = opts.eps * points.scale.max(f64::MIN_POSITIVE);
    let built = build(net, samples, &behaviour, opts, eps);
    if behaviour.exhausted.load(Ordering::Relaxed) {
        return Err(format!(
            "behaviour: placing new hidden states ran out of the signature budget of {} network steps (lookahead {}); lower 'lookahead' or raise 'signature-budget'",
            opts.signatures(),
            behaviour.depth()
        ));
    }
    let built = built.map_err(|e| format!("behaviour: {e}"))?;
    let model_bits = PARAMETER_BITS * (behaviour.len() * proj.dim()) as f64;
    finish_finite(&built, samples, opts, "behaviour", model_bits)
        .map_err(|e| format!("behaviour (depth {}): {e}", behaviour.depth()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::linear_rnn;

    #[test]
    fn signatures_keep_the_breadth_first_order() {
        // A two-unit network whose outputs tell every continuation apart.
        let net = linear_rnn(
            &[vec![0.5, 0.0], vec![0.0, 2.0]],
            &[vec![1.0], vec![3.0]],
            &[0.0, 0.0],
            &[vec![1.0, 1.0]],
            vec![0.0, 0.0],
        );
        let inputs = vec![vec![0.0], vec![1.0], vec![2.0]];
        let h = vec![0.25, -1.0];
        let mut expected: Vec<i64> = net.readout(&h).iter().map(|v| v.round() as i64).collect();
        let mut level = vec![h.clone()];
        for _ in 0..3 {
            let next: Vec<Vec<f64>> = level
                .iter()
                .flat_map(|s| inputs.iter().map(|x| net.step(s, x)))
                .collect();
            expected.extend(next.iter().flat_map(|s| net.readout(s)).map(|v| v.round() as i64));
            level = next;
        }
        assert_eq!(signature(&net, &inputs, 3, &h).unwrap(), expected);
        assert_eq!(expected.len(), 1 + signature_steps(3, 3).unwrap());
    }

    #[test]
    fn signature_steps_count_every_continuation_and_never_overflow() {
        assert_eq!(signature_steps(2, 3), Some(14));
        assert_eq!(signature_steps(1, 5), Some(5));
        assert_eq!(signature_steps(2, 100), None);
        assert!(
            signature_steps(2, 3).unwrap() <= 2 * MAX_CONTINUATIONS,
            "the default budget covers the automatic depth"
        );
    }

    #[test]
    fn a_signature_few_states_share_is_noise() {
        // 2000 states of two common signatures, one odd one, and one not fully signed.
        let mut signatures: Vec<Vec<i64>> = (0..2000).map(|i| vec![i % 2]).collect();
        signatures.push(vec![7]);
        signatures.push(vec![0]);
        let mut full = vec![true; signatures.len()];
        full[2001] = false;
        drop_rare_signatures(&signatures, &mut full);
        assert!(full[..2000].iter().all(|f| *f));
        assert!(!full[2000], "the odd signature is dropped");
        assert!(!full[2001], "an unsigned state stays unsigned");
    }
}
