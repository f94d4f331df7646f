//! Option values the built-in passes check when a pipeline is resolved: a bad value is an
//! error naming it before any pass runs.

use mips_core::pass::{Pipeline, Registry};

fn resolve(text: &str) -> mips_core::Result<()> {
    Pipeline::parse_inline(text)?.resolve(&Registry::builtin()).map(drop)
}

#[test]
fn bad_option_values_fail_at_resolve_time_naming_the_value() {
    for (pipeline, named) in [
        ("snap{check=foo}", "foo"),
        ("sparsify{check=bogus}", "bogus"),
        ("sparsify{grid=abc}", "abc"),
        ("canonical-order{order=bogus}", "bogus"),
        ("extract{methods=spline}", "spline"),
        ("retrain-frozen{check=x1}", "x1"),
        ("minimize-architecture{schedule=wobbly}", "wobbly"),
        ("minimize-architecture{widths=abc}", "abc"),
    ] {
        let error = resolve(pipeline).expect_err(pipeline).to_string();
        assert!(error.contains(named), "{pipeline}: {error}");
    }
}

#[test]
fn good_option_values_resolve() {
    for pipeline in [
        "snap{check=verify}",
        "sparsify{grid=0.1,check=test}",
        "canonical-order{order=readout}",
        "extract{methods=lattice+behaviour}",
        "minimize-architecture{schedule=cosine}",
    ] {
        resolve(pipeline).unwrap_or_else(|e| panic!("{pipeline}: {e}"));
    }
}

#[test]
fn a_pipeline_whose_levels_go_backwards_names_both_passes() {
    for forward in [
        "snap,extract,regress,fold-constants",
        "extract-lattice,extract,regress-linear,regress",
    ] {
        resolve(forward).unwrap_or_else(|e| panic!("{forward}: {e}"));
    }
    let err = resolve("extract,regress,snap").unwrap_err().to_string();
    assert!(err.contains("'snap'") && err.contains("'regress'"), "{err}");
    let err = resolve("regress,extract").unwrap_err().to_string();
    assert!(err.contains("'extract'") && err.contains("'regress'"), "{err}");
}

#[test]
fn typed_option_errors_name_the_pass_and_the_option() {
    for (pipeline, pass, option) in [
        ("minimize-architecture{seeds=-1}", "minimize-architecture", "seeds"),
        (
            "minimize-architecture{max-steps=0}",
            "minimize-architecture",
            "max-steps",
        ),
        ("jordan{tol=fast}", "jordan", "tol"),
        ("prune-hidden{data=maybe}", "prune-hidden", "data"),
    ] {
        let error = resolve(pipeline).expect_err(pipeline).to_string();
        assert!(
            error.contains(&format!("option '{option}' of pass '{pass}'")),
            "{pipeline}: {error}"
        );
    }
}
