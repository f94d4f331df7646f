//! What each family's parameter K decides: the rule, the value ranges, the training length
//! and the rule's text.

use crate::tasks::rules::Rule;

/// The rule a family shares, one per family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    AddMod,
    BaseAddition,
    Prev,
    BitShiftRight,
    SumLast,
    ParityLast,
    AlternatingLast,
    Div,
    Majority,
    BitDotProdMod,
    StepMod,
}

/// The benchmark's range of decimal inputs (Prev, Sum_Last).
const DECIMAL: (i64, i64) = (0, 99);
/// The benchmark's training length.
const BASE_LENGTH: usize = 10;

impl Kind {
    /// The rule of the member with parameter `k` (in the family's range, so lags are positive).
    pub(super) fn rule(self, k: i64) -> Rule {
        let span = usize::try_from(k).unwrap_or(0);
        match self {
            Kind::AddMod => Rule::AddMod(k),
            Kind::BaseAddition => Rule::BaseAddition(k),
            Kind::Prev | Kind::BitShiftRight => Rule::Prev(span),
            Kind::SumLast => Rule::SumLast(span),
            Kind::ParityLast => Rule::ParityLast(span),
            Kind::AlternatingLast => Rule::Alternating(span),
            Kind::Div => Rule::Div(k),
            Kind::Majority => Rule::Majority(k),
            Kind::BitDotProdMod => Rule::BitDotProdMod(k),
            Kind::StepMod => Rule::StepMod(k),
        }
    }

    /// Inclusive range of each input component: the symbols the rule reads (residues, digits
    /// and the values 0..=K), bits, or the benchmark's decimal range 0..=99.
    pub(super) fn inputs(self, k: i64) -> Vec<(i64, i64)> {
        match self {
            Kind::AddMod => vec![(0, k - 1)],
            Kind::BaseAddition => vec![(0, k - 1); 2],
            Kind::Prev | Kind::SumLast => vec![DECIMAL],
            Kind::Majority => vec![(0, k)],
            Kind::BitDotProdMod => vec![(0, 1); 2],
            Kind::BitShiftRight | Kind::ParityLast | Kind::AlternatingLast | Kind::Div | Kind::StepMod => {
                vec![(0, 1)]
            }
        }
    }

    /// Inclusive range of the output: residues and digits 0..K-1, a window's sum of decimals,
    /// the inputs' range, or a bit.
    pub(super) fn outputs(self, k: i64) -> Vec<(i64, i64)> {
        vec![match self {
            Kind::AddMod | Kind::BaseAddition | Kind::BitDotProdMod | Kind::StepMod => (0, k - 1),
            Kind::Prev => DECIMAL,
            Kind::SumLast => (0, DECIMAL.1 * k),
            Kind::Majority => (0, k),
            Kind::BitShiftRight | Kind::ParityLast | Kind::AlternatingLast | Kind::Div => (0, 1),
        }]
    }

    /// Training length: the benchmark's 10 steps, lengthened in steps of 10 until it exceeds
    /// twice the window, lag or period K (2K + 1 steps) for the families whose output depends
    /// on the last K inputs or on the step count mod K, so that training shows every window
    /// whole more often than not.
    pub(super) fn seq_len(self, k: i64) -> usize {
        let span = match self {
            Kind::Prev
            | Kind::BitShiftRight
            | Kind::SumLast
            | Kind::ParityLast
            | Kind::AlternatingLast
            | Kind::StepMod => usize::try_from(k).unwrap_or(0),
            _ => 0,
        };
        BASE_LENGTH * (2 * span + 1).div_ceil(BASE_LENGTH)
    }

    /// The rule in words, with the parameter written `k` and the offset of a K-window's oldest
    /// input written `back`, as it reads after `t-` (numbers for a member, `K` and `K+1` for the
    /// family).
    pub(super) fn text(self, k: &str, back: &str) -> String {
        match self {
            Kind::AddMod => format!("y[t] = (x[0] + ... + x[t]) mod {k}"),
            Kind::BaseAddition => format!(
                "x[t] = (a[t], b[t]) digits in base {k}, least significant first; c[0] = 0; \
                 y[t] = (a[t] + b[t] + c[t]) mod {k}; c[t+1] = floor((a[t] + b[t] + c[t]) / {k}); \
                 final carry dropped"
            ),
            Kind::Prev => format!("y[t] = x[t-{k}] if t >= {k} else 0"),
            Kind::BitShiftRight => format!("y[t] = x[t-{k}] on bits, with x[s] = 0 for s < 0"),
            Kind::SumLast => format!("y[t] = x[t-{back}] + ... + x[t], with x[s] = 0 for s < 0"),
            Kind::ParityLast => format!("y[t] = (x[t-{back}] + ... + x[t]) mod 2, with x[s] = 0 for s < 0"),
            Kind::AlternatingLast => format!(
                "y[t] = 1 if (x[t-{back}], ..., x[t]) is (0,1,0,...) or (1,0,1,...) else 0, with x[s] = 0 for s < 0"
            ),
            Kind::Div => format!(
                "r[-1] = 0; v = 2*r[t-1] + x[t]; y[t] = floor(v / {k}); r[t] = v mod {k} \
                 (binary long division by {k}, most significant bit first)"
            ),
            Kind::Majority => format!(
                "y[t] = the value v in 0..{k} that occurs most often in x[0..t]; ties go to the smallest such v"
            ),
            Kind::BitDotProdMod => format!("y[t] = (a[0]*b[0] + ... + a[t]*b[t]) mod {k}"),
            Kind::StepMod => format!("y[t] = t mod {k} (whatever x is)"),
        }
    }
}
