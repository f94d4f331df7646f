//! One budget type for the searching passes, after egg's `Runner` limits: work counts (steps,
//! in the search's own unit: checks, network evaluations; and candidates judged) and an
//! optional wall-clock cut, off by default (a result that depends on the machine's speed is
//! not reproducible). A [`Meter`] spends a [`Budget`]; a search that runs out reports an
//! explicit [`StopReason`], which the pass notes in its report row
//! ([`crate::pass::PassContext::note_stop`]). A search for a goal (the architecture search)
//! ends [`StopReason::Found`] or [`StopReason::Exhausted`] instead of [`StopReason::Done`].

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The limits of one search; `None` is unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Budget {
    /// Most steps, in the search's unit (a check of a network, a network evaluation).
    pub steps: Option<u64>,
    /// Most candidates judged.
    pub candidates: Option<u64>,
    /// Wall-clock seconds; off by default (a machine-dependent cut).
    pub seconds: Option<f64>,
}

impl Budget {
    /// A budget of `steps` steps, nothing else limited.
    pub fn steps(steps: u64) -> Budget {
        Budget {
            steps: Some(steps),
            ..Budget::default()
        }
    }
}

/// Why a search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredStop")]
pub enum StopReason {
    /// The search ran to its end.
    Done,
    /// A search for a goal met it (the architecture search: a 100% accurate network).
    Found,
    /// A search for a goal tried every candidate without meeting it.
    Exhausted,
    /// The step budget (its size given) ran out.
    Steps(u64),
    /// The candidate budget (its size given) ran out.
    Candidates(u64),
    /// The wall-clock budget (in seconds) ran out.
    Time(f64),
}

impl StopReason {
    /// True when a budget ended the search before its end.
    pub fn is_budget(self) -> bool {
        matches!(
            self,
            StopReason::Steps(_) | StopReason::Candidates(_) | StopReason::Time(_)
        )
    }

    /// The reason's short name, without a budget's size ("found", "step budget").
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Done => "done",
            StopReason::Found => "found",
            StopReason::Exhausted => "exhausted",
            StopReason::Steps(_) => "step budget",
            StopReason::Candidates(_) => "candidate budget",
            StopReason::Time(_) => "time budget",
        }
    }
}

/// A [`StopReason`] as stored: its own variants, and the unit variants `StepBudget` and
/// `TimeBudget` of the architecture search's reports written before it used [`StopReason`]
/// (they did not record the budget's size: read as 0).
#[derive(Deserialize)]
enum StoredStop {
    Done,
    Found,
    Exhausted,
    Steps(u64),
    Candidates(u64),
    Time(f64),
    StepBudget,
    TimeBudget,
}

impl From<StoredStop> for StopReason {
    fn from(stored: StoredStop) -> StopReason {
        match stored {
            StoredStop::Done => StopReason::Done,
            StoredStop::Found => StopReason::Found,
            StoredStop::Exhausted => StopReason::Exhausted,
            StoredStop::Steps(n) => StopReason::Steps(n),
            StoredStop::Candidates(n) => StopReason::Candidates(n),
            StoredStop::Time(s) => StopReason::Time(s),
            StoredStop::StepBudget => StopReason::Steps(0),
            StoredStop::TimeBudget => StopReason::Time(0.0),
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Done | StopReason::Found | StopReason::Exhausted => write!(out, "{}", self.name()),
            StopReason::Steps(n) => write!(out, "step budget of {n} spent"),
            StopReason::Candidates(n) => write!(out, "candidate budget of {n} spent"),
            StopReason::Time(s) => write!(out, "time budget of {s} s spent"),
        }
    }
}

/// Candidates between two looks at the clock.
const CLOCK_EVERY: u64 = 1024;

/// What a search has spent of its [`Budget`].
#[derive(Clone, Debug)]
pub struct Meter {
    budget: Budget,
    steps: u64,
    candidates: u64,
    deadline: Option<Instant>,
}

impl Meter {
    /// A meter that starts now (the clock only matters with a wall-clock budget).
    pub fn new(budget: Budget) -> Meter {
        let deadline = budget
            .seconds
            .filter(|s| *s > 0.0)
            .map(|s| Instant::now() + Duration::from_secs_f64(s.min(1e6)));
        Meter {
            budget,
            steps: 0,
            candidates: 0,
            deadline,
        }
    }

    /// The budget being spent.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Steps spent so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Takes `n` steps; the stop reason, spending nothing, when fewer are left.
    pub fn spend(&mut self, n: u64) -> Result<(), StopReason> {
        let total = self.steps.saturating_add(n);
        match self.budget.steps {
            Some(limit) if total > limit => Err(StopReason::Steps(limit)),
            _ => {
                self.steps = total;
                Ok(())
            }
        }
    }

    /// Counts one candidate; the stop reason when the candidate budget is spent, or (looked at
    /// every [`CLOCK_EVERY`] candidates) the wall-clock budget.
    pub fn candidate(&mut self) -> Result<(), StopReason> {
        self.candidates += 1;
        if let Some(limit) = self.budget.candidates.filter(|l| self.candidates > *l) {
            return Err(StopReason::Candidates(limit));
        }
        let late = self.candidates.is_multiple_of(CLOCK_EVERY) && self.deadline.is_some_and(|d| Instant::now() >= d);
        match late {
            true => Err(StopReason::Time(self.budget.seconds.unwrap_or(0.0))),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_spent_until_the_budget_refuses() {
        let mut meter = Meter::new(Budget::steps(5));
        assert_eq!(meter.spend(3), Ok(()));
        assert_eq!(meter.spend(3), Err(StopReason::Steps(5)));
        assert_eq!(meter.steps(), 3, "a refused spend takes nothing");
        assert_eq!(meter.spend(2), Ok(()));
        assert_eq!(meter.spend(1), Err(StopReason::Steps(5)));
    }

    #[test]
    fn candidates_stop_after_the_limit_and_unlimited_never_stops() {
        let mut meter = Meter::new(Budget {
            candidates: Some(2),
            ..Budget::default()
        });
        assert!(meter.candidate().is_ok() && meter.candidate().is_ok());
        assert_eq!(meter.candidate(), Err(StopReason::Candidates(2)));
        let mut free = Meter::new(Budget::default());
        assert!((0..5000).all(|_| free.candidate().is_ok()) && free.spend(u64::MAX).is_ok());
    }

    #[test]
    fn reasons_read_as_text() {
        assert_eq!(StopReason::Steps(7).to_string(), "step budget of 7 spent");
        assert_eq!(StopReason::Found.to_string(), "found");
        assert!(!StopReason::Done.is_budget() && StopReason::Time(1.0).is_budget());
        assert!(!StopReason::Found.is_budget() && !StopReason::Exhausted.is_budget());
        let names = [
            StopReason::Found,
            StopReason::Exhausted,
            StopReason::Steps(9),
            StopReason::Time(2.0),
        ]
        .map(StopReason::name);
        assert_eq!(names, ["found", "exhausted", "step budget", "time budget"]);
    }

    #[test]
    fn reasons_read_back_and_old_report_names_still_read() {
        for reason in [
            StopReason::Found,
            StopReason::Exhausted,
            StopReason::Steps(70),
            StopReason::Time(1.5),
        ] {
            let text = ron::to_string(&reason).unwrap();
            assert_eq!(ron::from_str::<StopReason>(&text).unwrap(), reason, "{text}");
        }
        let read = |text: &str| ron::from_str::<StopReason>(text).unwrap();
        assert_eq!(read("Found"), StopReason::Found);
        assert_eq!(read("Exhausted"), StopReason::Exhausted);
        assert_eq!(read("StepBudget").name(), "step budget");
        assert_eq!(read("TimeBudget").name(), "time budget");
    }
}
