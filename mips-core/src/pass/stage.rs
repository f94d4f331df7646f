//! The stages of the pipeline, the one grouping of pass kinds used by `--until`, the bench's
//! records and timing columns, and the reports.

use serde::{Deserialize, Serialize};

use super::PassKind;
use crate::{MipsError, Result};

/// A stage: the pass kinds that together lower the IR by one step, in pipeline order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Architecture passes: find and train a network.
    Train,
    /// Representation and parameter passes: simplify the network.
    Simplify,
    /// Extraction: the network's state machine.
    Extract,
    /// Regression and program passes: the program.
    Regress,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 4] = [Stage::Train, Stage::Simplify, Stage::Extract, Stage::Regress];

    /// The stage a pass kind belongs to.
    pub fn of(kind: PassKind) -> Stage {
        match kind {
            PassKind::Architecture => Stage::Train,
            PassKind::Representation | PassKind::Parameter => Stage::Simplify,
            PassKind::Extraction => Stage::Extract,
            PassKind::Regression | PassKind::Program => Stage::Regress,
        }
    }

    /// True when a pipeline that stops after `self` runs passes of `kind`.
    pub fn admits(self, kind: PassKind) -> bool {
        Stage::of(kind) <= self
    }

    /// The stage's name in records and tables.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Train => "train",
            Stage::Simplify => "simplify",
            Stage::Extract => "extract",
            Stage::Regress => "regress",
        }
    }

    /// A stage by its name, or by the name of what it produces (`architecture` for train,
    /// `program` for regress, as `--until` has always taken them).
    pub fn parse(text: &str) -> Result<Stage> {
        match text {
            "architecture" => return Ok(Stage::Train),
            "program" => return Ok(Stage::Regress),
            _ => {}
        }
        Stage::ALL.into_iter().find(|s| s.name() == text).ok_or_else(|| {
            MipsError::unknown(
                "stage",
                text,
                vec!["train", "architecture", "simplify", "extract", "regress", "program"],
            )
        })
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_stage_in_pipeline_order() {
        let stages: Vec<Stage> = PassKind::ALL.into_iter().map(Stage::of).collect();
        assert!(stages.windows(2).all(|w| w[0] <= w[1]), "{stages:?}");
        assert!(Stage::Extract.admits(PassKind::Parameter) && !Stage::Extract.admits(PassKind::Regression));
    }

    #[test]
    fn names_parse_back_and_unknown_names_list_the_stages() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.name()).unwrap(), stage);
        }
        assert_eq!(Stage::parse("program").unwrap(), Stage::Regress);
        let message = Stage::parse("lower").unwrap_err().to_string();
        assert!(message.contains("lower") && message.contains("simplify"), "{message}");
    }
}
