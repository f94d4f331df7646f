//! Exit statuses, one scheme for every verb (documented in the README):
//! 0 done; 1 the verb ran but produced no verified result (no program, a failed check,
//! training below 100%); 2 usage or input error (clap's usage errors also exit 2).

use std::fmt::{self, Display, Formatter};
use std::process::ExitCode;

/// The verb ran to its end, but its result is not verified; exits 1.
#[derive(Debug)]
pub struct Unverified(pub String);

impl Display for Unverified {
    fn fmt(&self, out: &mut Formatter<'_>) -> fmt::Result {
        out.write_str(&self.0)
    }
}

impl std::error::Error for Unverified {}

/// An error for a run that finished without a verified result.
pub fn unverified(message: impl Into<String>) -> anyhow::Error {
    Unverified(message.into()).into()
}

/// The exit status for an error a verb returned.
pub fn status(error: &anyhow::Error) -> ExitCode {
    if error.downcast_ref::<Unverified>().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unverified_exits_1_and_other_errors_exit_2() {
        assert_eq!(status(&unverified("no program")), ExitCode::from(1));
        assert_eq!(status(&anyhow::anyhow!("bad file")), ExitCode::from(2));
        let wrapped = unverified("no program").context("task X");
        assert_eq!(status(&wrapped), ExitCode::from(1));
    }
}
