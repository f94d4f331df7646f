//! Task families: the benchmark's parametric rules as built-in tasks for any parameter in a
//! documented range (`Add_Mod_13`, `Base_11_Addition`, `Prev12`, ...), one generator per family
//! with the parameter as data.
//!
//! A member's settings come from its family's rule and the parameter K, never from a table per
//! member (see [`kinds`]): inputs are the symbols the rule reads (residues or digits 0..K-1, the
//! values 0..=K, bits, or the benchmark's decimals 0..=99); outputs the rule's range; training
//! sequences are 10 steps, lengthened in tens past 2K for lags, windows and periods; loss, input
//! sampling (uniform), the test split's seed (42) and size (a fraction of 10^6 samples) and the
//! training-step hint are the benchmark's for the family. These derivations reproduce the catalog
//! entries of the benchmark's members (a unit test checks it; only `Binary_Addition`'s step hint
//! differs), but a benchmark task opened by name keeps its catalog entry, so its data never
//! changes.
//!
//! Ranges: moduli, bases, divisors and alphabets up to 64 symbols per input; lags, windows and
//! periods up to 32 (training sequences up to 70 steps).

mod kinds;

#[cfg(test)]
mod tests;

use kinds::Kind;

use super::builtin::Spec;
use super::catalog::{self, Sampling};
use crate::task::{Loss, TaskInfo};
use crate::{MipsError, Result};

/// The seed of every benchmark test split.
const TEST_SEED: u64 = 42;
/// Samples per benchmark task, of which a family's percentage is its test split.
const SAMPLES: usize = 1_000_000;

/// A parametric family of built-in tasks: the members are named `prefix K suffix`.
#[derive(Debug)]
pub struct Family {
    prefix: &'static str,
    suffix: &'static str,
    /// How the parameter is written in the pattern and the rule (`K`, `B`).
    symbol: &'static str,
    /// Inclusive range of the parameter.
    range: (i64, i64),
    /// The generality suite's parameters (inclusive), benchmark members left out.
    sweep: (i64, i64),
    /// Benchmark members whose name is not the pattern's: (parameter, name).
    renamed: &'static [(i64, &'static str)],
    kind: Kind,
    /// Training steps the reference used for the family (a budget hint).
    train_steps: usize,
    /// Percentage of [`SAMPLES`] in the test split.
    test_percent: usize,
}

/// The families, each with the benchmark's settings for it.
#[rustfmt::skip]
const FAMILIES: [Family; 11] = [
    family("Add_Mod_", "", "K", (2, 64), (9, 16), &[], Kind::AddMod, 10_000, 20),
    family("Base_", "_Addition", "B", (2, 64), (8, 16), &[(2, "Binary_Addition")], Kind::BaseAddition, 20_000, 10),
    family("Prev", "", "K", (1, 32), (6, 12), &[], Kind::Prev, 10_000, 10),
    family("Bit_Shift_Right_", "", "K", (1, 32), (2, 8), &[(1, "Bit_Shift_Right")], Kind::BitShiftRight, 20_000, 10),
    family("Sum_Last", "", "K", (2, 32), (8, 12), &[], Kind::SumLast, 10_000, 10),
    family("Parity_Last", "", "K", (2, 32), (5, 12), &[], Kind::ParityLast, 10_000, 10),
    family("Alternating_Last", "", "K", (2, 32), (5, 12), &[], Kind::AlternatingLast, 20_000, 10),
    family("Div_", "", "K", (2, 64), (4, 16), &[], Kind::Div, 10_000, 20),
    family("Majority_0_", "", "K", (1, 63), (4, 6), &[], Kind::Majority, 20_000, 10),
    family("Bit_Dot_Prod_Mod", "", "K", (2, 64), (3, 8), &[], Kind::BitDotProdMod, 20_000, 10),
    family("Parity_Bits_Mod", "", "K", (2, 32), (3, 8), &[], Kind::StepMod, 20_000, 10),
];

#[allow(clippy::too_many_arguments)]
const fn family(
    prefix: &'static str,
    suffix: &'static str,
    symbol: &'static str,
    range: (i64, i64),
    sweep: (i64, i64),
    renamed: &'static [(i64, &'static str)],
    kind: Kind,
    train_steps: usize,
    test_percent: usize,
) -> Family {
    Family {
        prefix,
        suffix,
        symbol,
        range,
        sweep,
        renamed,
        kind,
        train_steps,
        test_percent,
    }
}

/// Every task family, in a fixed order.
pub fn all() -> &'static [Family] {
    &FAMILIES
}

/// The generality suite (issue 14): a fixed sweep of 78 family members that are not benchmark
/// tasks, family by family: sums mod 9..16, addition in bases 8..16, delays Prev6..12 of
/// decimals and of bits by 2..8 steps, windowed sums of 8..12 decimals, parities and alternation
/// of the last 5..12 bits, long division by 4..16 (Div_2 is Bit_Shift_Right's rule), majority
/// over 0..4 to 0..6, dot products of bits mod 3..8 and step counters mod 3..8. Moduli and
/// bases reach 16, lags and windows 12; each family contributes 3 to 11 members.
pub fn generality_suite() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|f| (f.sweep.0..=f.sweep.1).map(move |k| f.name(k)))
        .filter(|name| catalog::entry(name).is_none())
        .collect()
}

impl Family {
    /// The members' names with the parameter as a symbol, e.g. `Base_{B}_Addition`.
    pub fn pattern(&self) -> String {
        format!("{}{{{}}}{}", self.prefix, self.symbol, self.suffix)
    }

    /// How the parameter is written (`K`, `B`).
    pub fn symbol(&self) -> &'static str {
        self.symbol
    }

    /// The parameter's inclusive range, e.g. `B in 2..=64`.
    pub fn range_text(&self) -> String {
        format!("{} in {}..={}", self.symbol, self.range.0, self.range.1)
    }

    /// The family's rule with the parameter as a symbol.
    pub fn rule_text(&self) -> String {
        self.kind.text(self.symbol, &format!("{}+1", self.symbol))
    }

    /// The name of the member with parameter `k` (the benchmark's name where it has one).
    pub fn name(&self, k: i64) -> String {
        match self.renamed.iter().find(|(p, _)| *p == k) {
            Some((_, name)) => (*name).to_string(),
            None => format!("{}{k}{}", self.prefix, self.suffix),
        }
    }

    /// The parameters of the members that are benchmark tasks, ascending.
    pub fn benchmark_members(&self) -> Vec<i64> {
        (self.range.0..=self.range.1)
            .filter(|&k| catalog::entry(&self.name(k)).is_some())
            .collect()
    }

    /// The parameter written in `name` when it follows the pattern (digits between prefix and
    /// suffix; `None` for digits too many for i64, reported as out of range), or a renamed
    /// benchmark member's.
    fn parameter_in(&self, name: &str) -> Option<Option<i64>> {
        if let Some((k, _)) = self.renamed.iter().find(|(_, n)| *n == name) {
            return Some(Some(*k));
        }
        let digits = name.strip_prefix(self.prefix)?.strip_suffix(self.suffix)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(digits.parse().ok())
    }
}

/// A family and a parameter in its range.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    family: &'static Family,
    param: i64,
}

/// The family member called `name`: `Ok(None)` when no family's pattern matches, an error
/// naming the range when one does but the parameter is outside it, or naming the right
/// spelling when the parameter is written otherwise (`Add_Mod_013`, `Base_2_Addition`).
pub fn parse(name: &str) -> Result<Option<Member>> {
    for family in &FAMILIES {
        let Some(param) = family.parameter_in(name) else {
            continue;
        };
        let param = param.filter(|k| (family.range.0..=family.range.1).contains(k));
        let Some(param) = param else {
            return Err(MipsError::invalid(
                "task",
                format!(
                    "'{name}' is outside the family {}: {}",
                    family.pattern(),
                    family.range_text()
                ),
            ));
        };
        let canonical = family.name(param);
        if canonical != name {
            return Err(MipsError::invalid(
                "task",
                format!("'{name}' is the member {canonical} of the family {}", family.pattern()),
            ));
        }
        return Ok(Some(Member { family, param }));
    }
    Ok(None)
}

impl Member {
    /// The member's family.
    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// The member's name.
    pub fn name(&self) -> String {
        self.family.name(self.param)
    }

    /// The member's task, every setting derived from the family and the parameter.
    pub(crate) fn spec(&self) -> Spec {
        let (family, k) = (self.family, self.param);
        let (inputs, outputs) = (family.kind.inputs(k), family.kind.outputs(k));
        Spec {
            info: TaskInfo {
                name: self.name(),
                input_dim: inputs.len(),
                output_dim: outputs.len(),
                input_ranges: inputs,
                output_ranges: outputs,
                seq_len: family.kind.seq_len(k),
                loss: Loss::Log,
                train_steps: family.train_steps,
                rule: family.kind.text(&k.to_string(), &(k - 1).to_string()),
                paper_solved: None,
                gpt4_solved: None,
            },
            rule: family.kind.rule(k),
            sampling: Sampling::IidUniform,
            test_seed: TEST_SEED,
            n_test: SAMPLES / 100 * family.test_percent,
        }
    }
}
