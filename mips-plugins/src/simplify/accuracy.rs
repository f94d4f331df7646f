//! The `check` option of the parameter passes: where a search's candidates must keep the input
//! network's behaviour. The check itself is the verifier's ([`mips_core::pass::Verifier::network_check`]):
//! `test` holds candidates to the screen set and the hardest sequences of the confirm set (the
//! task's whole test split) and confirms a search's result on the whole confirm set; `verify`
//! holds them to the screen set only.

use mips_core::pass::verifier::Scope;
use mips_core::{MipsError, Result};

/// Values of the `check` option.
const CHECKS: [&str; 2] = ["test", "verify"];

mips_core::pass_settings! {
    /// The `check` option shared by the parameter passes.
    pub struct CheckSettings {
        /// where accuracy must hold: test (verification sequences and the whole test split) or verify
        check: String = "test",
    }
}

impl CheckSettings {
    /// Checks the value of the `check` option.
    pub fn validate(&self) -> Result<()> {
        self.scope().map(|_| ())
    }

    /// The verifier's scope the `check` option names.
    pub fn scope(&self) -> Result<Scope> {
        match self.check.as_str() {
            "test" => Ok(Scope::Confirm),
            "verify" => Ok(Scope::Screen),
            other => Err(MipsError::unknown("value of option 'check'", other, CHECKS)),
        }
    }
}
