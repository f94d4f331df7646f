//! Cluster extraction for any number of states: single-linkage clustering of the distinct
//! projected hidden states, cut where the gap between clusters is at least `min_gap` times the
//! spread within them (the tolerance comes from the data; coarsest cut first), then tables over
//! the observed inputs, filled by querying the network, and Moore minimization. States are cluster indices
//! (state_dim 1) numbered breadth-first from the initial state (0).

use mips_core::ir::Network;

use super::candidate::{Candidate, Finish, PARAMETER_BITS, finish};
use super::collect::Samples;
use super::linalg::distance;
use super::machine::{Quantizer, build, integer_bits, is_complete};
use super::minimize::minimize;
use super::options::ExtractOptions;
use super::points::{Points, RESOLUTION, coarsen};
use super::subspace::Projection;

/// How many cuts of the single-linkage tree are tried, coarsest first.
const MAX_CUTS: usize = 16;

/// One cut of the single-linkage tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Clustering {
    /// Weighted mean of each cluster's points.
    pub centers: Vec<Vec<f64>>,
    /// Largest distance of a member from its center.
    pub radius: Vec<f64>,
    /// How far beyond its radius a new point may lie and still join a cluster.
    pub reach: f64,
    /// Gap between clusters divided by the spread within them.
    pub ratio: f64,
}

impl Clustering {
    /// The cluster `u` belongs to and its distance from the center; `None` when `u` is near no
    /// cluster or near two.
    pub fn assign(&self, u: &[f64]) -> Option<(usize, f64)> {
        let mut found = None;
        for (j, (c, r)) in self.centers.iter().zip(&self.radius).enumerate() {
            let d = distance(u, c);
            if d.is_finite() && d <= r + self.reach {
                if found.is_some() {
                    return None;
                }
                found = Some((j, d));
            }
        }
        found
    }
}

/// Minimum spanning tree edges `(length, a, b)` of `points` (Prim), shortest first.
fn spanning_tree(points: &[&Vec<f64>]) -> Vec<(f64, usize, usize)> {
    let n = points.len();
    let mut in_tree = vec![false; n];
    let mut best = vec![(f64::INFINITY, 0usize); n];
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    let mut current = 0;
    for _ in 1..n {
        in_tree[current] = true;
        for (j, slot) in best.iter_mut().enumerate() {
            if !in_tree[j] {
                let d = distance(points[j], points[current]);
                if d < slot.0 {
                    *slot = (d, current);
                }
            }
        }
        let Some(next) = (0..n)
            .filter(|j| !in_tree[*j])
            .min_by(|a, b| best[*a].0.total_cmp(&best[*b].0))
        else {
            break;
        };
        edges.push((best[next].0, best[next].1, next));
        current = next;
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    edges
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    let mut j = i;
    while parent[j] != root {
        let next = parent[j];
        parent[j] = root;
        j = next;
    }
    root
}

/// Cuts of the single-linkage tree of the core states after `h0` (snapped to a grid with at
/// most `max_points` occupied cells; `h0` finds its state by assignment or equivalence) whose
/// gap/spread ratio is at least `min_gap`, with at most `max_states` clusters and at least
/// `min_visits` core states per cluster on average, coarsest first (at most 16): the first cut
/// whose machine is consistent is the coarsest reading of the states, close to the minimal
/// machine.
pub fn clusterings(points: &Points, opts: &ExtractOptions) -> Vec<Clustering> {
    let (cells, floor) = coarsen(
        &points.all[1.min(points.all.len())..],
        opts.max_points,
        points.scale * RESOLUTION,
    );
    let pts: Vec<(&Vec<f64>, usize)> = cells.iter().map(|(u, c)| (u, *c)).collect();
    let n = pts.len();
    if n == 0 {
        return Vec::new();
    }
    let refs: Vec<&Vec<f64>> = pts.iter().map(|(u, _)| *u).collect();
    let edges = spanning_tree(&refs);
    let m = edges.len();
    let floor = floor.max(f64::MIN_POSITIVE);
    let total: usize = pts.iter().map(|(_, c)| c).sum();
    let mut cuts: Vec<(f64, usize, f64)> = (0..=m)
        .filter(|k| n - k <= opts.max_states && total as f64 >= opts.min_visits * (n - k) as f64)
        .filter_map(|k| {
            let spread = if k == 0 { floor } else { edges[k - 1].0.max(floor) };
            let (ratio, reach) = if k == m {
                (f64::INFINITY, spread * opts.min_gap)
            } else {
                (edges[k].0 / spread, (edges[k].0 * spread).sqrt())
            };
            (ratio >= opts.min_gap).then_some((ratio, k, reach))
        })
        .collect();
    cuts.sort_by(|a, b| b.1.cmp(&a.1));
    cuts.into_iter()
        .take(MAX_CUTS)
        .map(|(ratio, k, reach)| {
            let mut parent: Vec<usize> = (0..n).collect();
            for &(_, a, b) in &edges[..k] {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
            let mut label = vec![usize::MAX; n];
            let mut members: Vec<Vec<usize>> = Vec::new();
            for i in 0..n {
                let root = find(&mut parent, i);
                if label[root] == usize::MAX {
                    label[root] = members.len();
                    members.push(Vec::new());
                }
                members[label[root]].push(i);
            }
            let dim = pts[0].0.len();
            let centers: Vec<Vec<f64>> = members
                .iter()
                .map(|ms| {
                    let total: usize = ms.iter().map(|i| pts[*i].1).sum();
                    (0..dim)
                        .map(|d| ms.iter().map(|i| pts[*i].0[d] * pts[*i].1 as f64).sum::<f64>() / total as f64)
                        .collect()
                })
                .collect();
            let radius = members
                .iter()
                .zip(&centers)
                .map(|(ms, c)| ms.iter().map(|i| distance(pts[*i].0, c)).fold(0.0, f64::max))
                .collect();
            Clustering {
                centers,
                radius,
                reach,
                ratio,
            }
        })
        .collect()
}

/// A clustering as a quantizer: the state is the cluster index.
pub struct ClusterQuantizer<'a> {
    pub proj: &'a Projection,
    pub clustering: &'a Clustering,
}

impl Quantizer for ClusterQuantizer<'_> {
    fn state_dim(&self) -> usize {
        1
    }

    fn initial(&self, h0: &[f64]) -> Option<Vec<i64>> {
        self.clustering
            .assign(&self.proj.apply(h0))
            .map(|(j, _)| vec![j as i64])
    }

    fn read(&self, _: Option<&[i64]>, _: &[i64], h: &[f64]) -> Option<(Vec<i64>, f64)> {
        self.clustering
            .assign(&self.proj.apply(h))
            .map(|(j, d)| (vec![j as i64], d))
    }
}

/// The minimized finite machine of the first clustering whose tables are consistent and which
/// closes up on held-out sequences.
pub fn extract(
    net: &Network,
    samples: &Samples,
    proj: &Projection,
    points: &Points,
    opts: &ExtractOptions,
) -> Result<Candidate, String> {
    let candidates = clusterings(points, opts);
    if candidates.is_empty() {
        return Err(format!(
            "clusters: no cut of the hidden states into at most {} clusters has a gap {} times the spread",
            opts.max_states, opts.min_gap
        ));
    }
    let eps = opts.eps * points.scale.max(f64::MIN_POSITIVE);
    let mut reasons = Vec::new();
    for clustering in &candidates {
        let q = ClusterQuantizer { proj, clustering };
        let outcome = build(net, samples, &q, opts, eps).and_then(|built| {
            let mut machine = minimize(&built.machine);
            machine.complete = is_complete(&machine);
            machine.state_names = vec!["state".into()];
            let how = Finish {
                method: "clusters",
                size: format!("{} states", machine.state_count()),
                model_bits: PARAMETER_BITS * (clustering.centers.len() * proj.dim()) as f64,
                state_bits: &integer_bits,
                finite: true,
            };
            finish(&built, machine, samples, opts, how)
        });
        match outcome {
            Ok(candidate) => return Ok(candidate),
            Err(e) => reasons.push(format!(
                "{} clusters (gap ratio {:.3}): {e}",
                clustering.centers.len(),
                clustering.ratio
            )),
        }
    }
    Err(format!("clusters: {}", reasons.join("; ")))
}
