//! `toeplitz`: when the recurrence's linear part `W` is in real Jordan form (run `jordan`
//! first), normalizes how the input enters each Jordan block.
//!
//! Upper-triangular Toeplitz matrices `P = c_0 I + c_1 N + c_2 N² + …` (for a complex pair,
//! with 2×2 rotation-scaling entries `[[p, q], [−q, p]]`) commute with a Jordan block
//! `λI + N`, so the basis change `P` keeps `W` in Jordan form. For each block the pass picks
//! the input column with the largest norm on the block and solves `P e_j = b` for the deepest
//! chain position `j` the input reaches: in the new basis that input enters the block as the
//! unit vector `e_j` (entries of the column up to `tol` times its largest count as zero).
//! Blocks the input does not reach (their column is at most `tol` times the largest input
//! weight), and blocks whose `P` would have a condition number above `max-condition`, are left
//! alone.

use mips_core::Result;
use mips_core::ir::Network;
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use nalgebra::{DMatrix, DVector};

use super::basis::{Basis, input_map, recurrence};
use super::fail;
use super::linalg::condition_number;

/// The `toeplitz` pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct Toeplitz;

const NAME: &str = "toeplitz";

/// A Jordan block of a matrix found in real Jordan form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First coordinate of the block.
    pub start: usize,
    /// 1 for a real eigenvalue, 2 for a complex pair.
    pub width: usize,
    /// Chain length (the block covers `width · len` coordinates).
    pub len: usize,
}

/// Reads the Jordan block structure of `w`, entries within `tol` (times the largest entry, at
/// least 1) counting as equal; an error when `w` is not in real Jordan form.
pub fn jordan_spans(w: &DMatrix<f64>, tol: f64) -> Result<Vec<Span>, String> {
    let n = w.nrows();
    let eps = tol * w.amax().max(1.0);
    let near = |a: f64, b: f64| (a - b).abs() <= eps;
    let rotation_at = |i: usize| i + 1 < n && !near(w[(i + 1, i)], 0.0);
    let same_rotation = |i: usize, j: usize| {
        near(w[(j, j)], w[(i, i)])
            && near(w[(j + 1, j + 1)], w[(i, i)])
            && near(w[(j, j + 1)], w[(i, i + 1)])
            && near(w[(j + 1, j)], -w[(i, i + 1)])
    };
    let mut spans = Vec::new();
    let mut i = 0;
    while i < n {
        let span = if rotation_at(i) {
            if !same_rotation(i, i) {
                return Err(format!(
                    "the recurrence is not in Jordan form (coordinates {i}, {} are no rotation-scaling block); \
                     run `jordan` first",
                    i + 1
                ));
            }
            let mut len = 1;
            while {
                let j = i + 2 * len;
                j + 1 < n
                    && rotation_at(j)
                    && same_rotation(i, j)
                    && near(w[(j - 2, j)], 1.0)
                    && near(w[(j - 1, j + 1)], 1.0)
                    && near(w[(j - 2, j + 1)], 0.0)
                    && near(w[(j - 1, j)], 0.0)
            } {
                len += 1;
            }
            Span {
                start: i,
                width: 2,
                len,
            }
        } else {
            let mut len = 1;
            while {
                let j = i + len;
                j < n && !rotation_at(j) && near(w[(j, j)], w[(i, i)]) && near(w[(j - 1, j)], 1.0)
            } {
                len += 1;
            }
            Span {
                start: i,
                width: 1,
                len,
            }
        };
        i += span.width * span.len;
        spans.push(span);
    }
    // Everything outside the recognized pattern must vanish.
    let mut pattern = DMatrix::from_element(n, n, false);
    for s in &spans {
        let end = s.start + s.width * s.len;
        for r in s.start..end {
            for c in s.start..end {
                let (br, bc) = ((r - s.start) / s.width, (c - s.start) / s.width);
                pattern[(r, c)] = br == bc || (bc == br + 1 && (r - s.start) % s.width == (c - s.start) % s.width);
            }
        }
    }
    for r in 0..n {
        for c in 0..n {
            if !pattern[(r, c)] && !near(w[(r, c)], 0.0) {
                return Err(format!(
                    "the recurrence is not in Jordan form (entry ({r}, {c}) is {:.3e}); run `jordan` first",
                    w[(r, c)]
                ));
            }
        }
    }
    Ok(spans)
}

/// The block-Toeplitz matrix `P` of one span with `P e_j = b` for the last chain position `j`
/// where `b` is non-zero (beyond `eps`); `None` when `b` vanishes.
fn toeplitz_block(span: &Span, b: &[f64], eps: f64) -> Option<DMatrix<f64>> {
    let w = span.width;
    let entry = |k: usize| &b[k * w..(k + 1) * w];
    let j = (0..span.len).rev().find(|&k| entry(k).iter().any(|v| v.abs() > eps))?;
    let size = w * span.len;
    let mut p = DMatrix::zeros(size, size);
    // c_d is read off b at chain position j − d; P's block (r, r + d) is S(c_d).
    for d in 0..=j {
        let c = entry(j - d);
        for r in 0..span.len - d {
            let (row, col) = (r * w, (r + d) * w);
            if w == 1 {
                p[(row, col)] = c[0];
            } else {
                // S(p, q) = [[p, q], [−q, p]] with S e_1 = (p, −q) = (c_0, c_1).
                let (pv, qv) = (c[0], -c[1]);
                p[(row, col)] = pv;
                p[(row, col + 1)] = qv;
                p[(row + 1, col)] = -qv;
                p[(row + 1, col + 1)] = pv;
            }
        }
    }
    Some(p)
}

mips_core::pass_settings! {
    /// The options of `toeplitz`.
    pub struct ToeplitzSettings {
        /// entries of the recurrence within tol (times its largest entry, at least 1) count as equal
        tol: f64 = 0.1,
        /// leave alone a block whose Toeplitz matrix has a larger condition number
        max_condition: f64 = 1e6,
    }
}

impl TypedPass for Toeplitz {
    type Input = Network;
    type Output = Network;
    type Settings = ToeplitzSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Representation;

    fn description(&self) -> &str {
        "normalize how the input enters each Jordan block with commuting upper-triangular Toeplitz matrices"
    }

    fn run(&self, net: &Network, settings: &ToeplitzSettings, _ctx: &PassContext) -> Result<Network> {
        let spans = jordan_spans(&recurrence(net), settings.tol).map_err(fail(NAME))?;
        let b = input_map(net);
        let tol = settings.tol;
        let max_condition = settings.max_condition;
        let mut t = DMatrix::identity(net.hidden_dim, net.hidden_dim);
        for span in &spans {
            let size = span.width * span.len;
            let rows = b.rows(span.start, size);
            let Some(best) = (0..b.ncols()).max_by(|&x, &y| rows.column(x).norm().total_cmp(&rows.column(y).norm()))
            else {
                continue;
            };
            let column: DVector<f64> = rows.column(best).into_owned();
            // Entries count relative to the column; a column negligible next to the strongest
            // input of the network is left alone.
            if column.amax() <= tol * b.amax() {
                continue;
            }
            let block = toeplitz_block(span, column.as_slice(), tol * column.amax());
            if let Some(p) = block.filter(|p| condition_number(p).is_ok_and(|c| c <= max_condition)) {
                t.view_mut((span.start, span.start), (size, size)).copy_from(&p);
            }
        }
        let basis = Basis::new(t, max_condition).map_err(fail(NAME))?;
        Ok(basis.apply(net))
    }
}

mips_core::register_pass!(Typed(Toeplitz));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simplify::jordan::Jordan;
    use crate::simplify::jordan_form::{Block, jordan_matrix};
    use crate::simplify::testing::{CountOnes, assert_same_function, random_network, run_pass};
    use nalgebra::Complex;

    /// An affine-f network whose recurrence is `jordan_matrix(blocks)` in a skewed basis.
    fn network_with(blocks: &[Block], seed: u64) -> mips_core::ir::Network {
        let j = jordan_matrix(blocks);
        let n = j.nrows();
        let mut net = random_network(n, 1, 1, &[], &[], seed);
        let mut w = crate::simplify::basis::weight_matrix(&net.f.layers[0]);
        w.columns_mut(0, n).copy_from(&j);
        crate::simplify::basis::set_weight(&mut net.f.layers[0], &w);
        let t = DMatrix::from_fn(n, n, |r, c| {
            if r == c {
                1.5
            } else {
                0.2 * ((r + 2 * c) % 3) as f64 - 0.2
            }
        });
        Basis::new(t, 1e6).unwrap().apply(&net)
    }

    #[test]
    fn input_enters_each_block_as_a_unit_vector() {
        // In the order `jordan` sorts them: by decreasing modulus.
        let blocks = [
            Block {
                eigenvalue: Complex::new(1.0, 0.0),
                len: 2,
            },
            Block {
                eigenvalue: Complex::new(0.6, 0.5),
                len: 2,
            },
        ];
        let task = CountOnes::new(5);
        let net = network_with(&blocks, 3);
        let jordan = run_pass(&Typed(Jordan), &net, &task, &[]).unwrap();
        let out = run_pass(&Typed(Toeplitz), &jordan, &task, &[]).unwrap();
        assert_same_function(&net, &out, 4);
        let b = input_map(&out);
        let expected = DVector::from_column_slice(&[0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
        assert!((b.column(0) - expected).norm() < 1e-8, "{b}");
        assert!(
            (recurrence(&out) - jordan_matrix(&blocks)).norm() < 1e-8,
            "{}",
            recurrence(&out)
        );
    }

    #[test]
    fn refuses_a_recurrence_not_in_jordan_form() {
        let task = CountOnes::new(5);
        let net = random_network(3, 1, 1, &[], &[], 9);
        let err = run_pass(&Typed(Toeplitz), &net, &task, &[]).unwrap_err();
        assert!(err.to_string().contains("run `jordan` first"), "{err}");
    }

    #[test]
    fn spans_of_a_jordan_matrix() {
        let blocks = [
            Block {
                eigenvalue: Complex::new(0.0, 1.0),
                len: 1,
            },
            Block {
                eigenvalue: Complex::new(0.0, 0.0),
                len: 3,
            },
            Block {
                eigenvalue: Complex::new(0.0, 0.0),
                len: 1,
            },
        ];
        let spans = jordan_spans(&jordan_matrix(&blocks), 1e-6).unwrap();
        let expected = [(0, 2, 1), (2, 1, 3), (5, 1, 1)].map(|(start, width, len)| Span { start, width, len });
        assert_eq!(spans, expected);
    }
}
