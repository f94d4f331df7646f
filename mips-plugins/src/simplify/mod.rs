//! Simplification passes.
//!
//! Representation passes change the hidden basis without changing the network's function
//! (`whiten`, `jordan`, `toeplitz`, `krylov`, `canonical-order`), or remove what the function does
//! not use (`debias`, `prune-hidden`). Parameter passes make parameter values simpler (`sparsify`,
//! `snap`, `retrain-frozen`) and keep a change only when the network's rounded outputs on the
//! verification sequences (and, by default, the whole test split) stay those of the pass's
//! input, the pass manager's own criterion; the pass proposes, the manager's verdict is final.
//! `pipelines/simplify.ron` lists them in order; the benchmark's `simplify.md` (rendered with
//! the other stage tables in `src/cli/bench/stages.rs`) reports what they do to trained models.

mod accuracy;
mod basis;
mod canonical_order;
mod debias;
mod finetune;
mod fir;
mod jordan;
mod jordan_form;
mod krylov;
mod krylov_form;
mod linalg;
mod params;
mod prune_hidden;
mod record;
mod rescale;
mod retrain_frozen;
mod snap;
mod sparsify;
mod toeplitz;
mod whiten;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod testing;

pub use canonical_order::CanonicalOrder;
pub use debias::Debias;
pub use fir::RealizeFir;
pub use jordan::Jordan;
pub use krylov::Krylov;
pub use prune_hidden::PruneHidden;
pub use retrain_frozen::RetrainFrozen;
pub use snap::Snap;
pub use sparsify::Sparsify;
pub use toeplitz::Toeplitz;
pub use whiten::Whiten;

use mips_core::MipsError;

/// Wraps a plain error message as an error of `pass`.
fn fail(pass: &str) -> impl Fn(String) -> MipsError + '_ {
    move |message| MipsError::pass(pass, message)
}

#[cfg(test)]
mod tests {
    use super::testing::{CountOnes, Noise, random_network, run_pass};
    use mips_core::ir::Network;
    use mips_core::pass::{PassKind, Registry};
    use mips_core::task::Task;

    /// Every simplification pass, run on awkward input, returns a network or an error.
    #[test]
    fn awkward_input_gives_results_or_errors() {
        let registry = Registry::builtin();
        let passes: Vec<_> = registry
            .iter()
            .map(|e| e.pass.clone())
            .filter(|p| matches!(p.kind(), PassKind::Representation | PassKind::Parameter))
            .collect();
        assert!(passes.len() >= 9, "{}", passes.len());
        let mut nan = random_network(2, 1, 1, &[2], &[], 3);
        nan.f.layers[1].bias[0] = f64::NAN;
        let mut no_hidden = random_network(1, 1, 1, &[], &[], 4);
        no_hidden = super::basis::remove_hidden(&no_hidden, &[0]);
        let wide = random_network(2, 2, 1, &[], &[], 5);
        let (count, noise) = (CountOnes::new(20), Noise::new(1, 1, 0));
        let fast = [("steps", "2"), ("batch", "4"), ("rounds", "1")];
        for pass in passes {
            let options: Vec<(&str, &str)> = fast
                .iter()
                .filter(|(k, _)| pass.options().iter().any(|o| o.name == *k))
                .copied()
                .collect();
            assert!(
                run_pass(pass.as_ref(), &nan, &count, &options).is_err(),
                "{}",
                pass.name()
            );
            // A network wider than the task's data: parameter passes, which check accuracy on
            // the data, refuse it; a representation pass may rewrite it, keeping its widths.
            match run_pass(pass.as_ref(), &wide, &count, &options) {
                Err(_) => {}
                Ok(net) => {
                    assert_eq!(pass.kind(), PassKind::Representation, "{}", pass.name());
                    assert_result_fits(pass.name(), &net, &wide);
                }
            }
            for (input, task) in [(&no_hidden, &count as &dyn Task), (&CountOnes::plain(), &noise)] {
                if let Ok(net) = run_pass(pass.as_ref(), input, task, &options) {
                    assert_result_fits(pass.name(), &net, input);
                }
            }
        }
    }

    /// A pass's result is a valid network with the widths of its input.
    fn assert_result_fits(pass: &str, result: &Network, input: &Network) {
        assert!(result.validate().is_ok(), "{pass} made an invalid network");
        assert_eq!(
            (result.input_dim, result.output_dim),
            (input.input_dim, input.output_dim),
            "{pass} changed the network's widths"
        );
    }
}
