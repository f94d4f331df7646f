//! The regression passes (state machine → program) and their options.

use mips_core::ir::{Program, StateMachine};
use mips_core::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use mips_core::{MipsError, Result};

use super::boolean::{BooleanOptions, fit_boolean};
use super::combined::{RegressOptions, enumerate_fit, linear_fit, regress_best};
use super::driver::{fit_machine, preference};
use super::enumerate::EnumerateOptions;
use super::rows::moduli;
use super::table::fit_table;

/// Which regressor a pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Linear,
    Boolean,
    Enumerate,
    Table,
    Combined,
}

/// A regression pass.
struct Regress {
    name: &'static str,
    description: &'static str,
    method: Method,
}

mips_core::register_pass!(Regress {
    name: "regress-linear",
    description: "exact integer linear regression z' = M z + N x + c, y = P z + Q x + d, with a modular / floor-divided variant",
    method: Method::Linear,
});

mips_core::register_pass!(Regress {
    name: "regress-boolean",
    description: "Boolean regression over state and input bits: compact forms (xor chains, thresholds) or minimal sums of products",
    method: Method::Boolean,
});

mips_core::register_pass!(Regress {
    name: "regress-enumerate",
    description: "enumerative symbolic regression with observational-equivalence pruning, per component",
    method: Method::Enumerate,
});

mips_core::register_pass!(Regress {
    name: "regress-table",
    description: "lookup-table fallback for complete finite machines (exact, non-symbolic)",
    method: Method::Table,
});

mips_core::register_pass!(Regress {
    name: "regress",
    description: "tries linear, modular, Boolean, enumerative and table regression; keeps the smallest verified program",
    method: Method::Combined,
});

fn linear_specs(d: &RegressOptions) -> Vec<OptionSpec> {
    vec![
        OptionSpec::int(
            "max-denominator",
            d.max_denominator,
            "largest denominator of a rational coefficient",
        ),
        OptionSpec::bool(
            "modular",
            d.modular,
            "try (a·z + b·x + c) % k and // k when plain linear fails",
        ),
        OptionSpec::int(
            "modular-budget",
            d.modular_budget as i64,
            "coefficient vectors the modular search may try per component",
        ),
    ]
}

fn common_specs(d: &RegressOptions) -> Vec<OptionSpec> {
    vec![
        OptionSpec::int("max-modulus", d.max_modulus, "largest modulus suggested by the data"),
        OptionSpec::int(
            "init-radius",
            d.init_radius,
            "search initial states within ± this radius when only the initial transitions misfit (0: off)",
        ),
    ]
}

fn boolean_specs(d: &RegressOptions) -> Vec<OptionSpec> {
    vec![
        OptionSpec::int(
            "max-bits",
            d.boolean.max_bits as i64,
            "largest number of state and input bits",
        ),
        OptionSpec::int(
            "encoding-rounds",
            d.boolean.encoding_rounds as i64,
            "rounds of the code-swapping search for multi-valued state components",
        ),
    ]
}

fn enumerate_specs(d: &RegressOptions) -> Vec<OptionSpec> {
    let e = d.enumerate;
    vec![
        OptionSpec::int("max-size", e.max_size as i64, "largest expression size in tokens"),
        OptionSpec::int(
            "max-candidates",
            e.max_candidates.min(i64::MAX as u64) as i64,
            "candidate expressions evaluated per component (deterministic budget)",
        ),
        OptionSpec::float(
            "max-seconds",
            e.max_seconds,
            "wall-clock budget per component, in seconds (0: off)",
        ),
        OptionSpec::int(
            "max-expressions",
            e.max_expressions as i64,
            "largest number of distinct expressions kept",
        ),
        OptionSpec::int("sample", e.sample as i64, "rows the search starts from"),
    ]
}

/// Reads the options a pass declared into [`RegressOptions`] (undeclared ones keep defaults).
fn read_options(specs: &[OptionSpec], o: &Options) -> RegressOptions {
    let mut r = RegressOptions::default();
    let has = |name: &str| specs.iter().any(|s| s.name == name);
    let positive = |name: &str| o.usize(name).max(1);
    if has("max-denominator") {
        r.max_denominator = o.int("max-denominator").max(1);
        r.modular = o.bool("modular");
        r.modular_budget = o.usize("modular-budget");
    }
    if has("max-modulus") {
        r.max_modulus = o.int("max-modulus");
        r.init_radius = o.int("init-radius").max(0);
    }
    if has("max-bits") {
        r.boolean = BooleanOptions {
            max_bits: o.usize("max-bits"),
            encoding_rounds: o.usize("encoding-rounds"),
        };
    }
    if has("max-size") {
        r.enumerate = EnumerateOptions {
            max_size: positive("max-size"),
            max_seconds: o.float("max-seconds"),
            max_candidates: o.int("max-candidates").max(1) as u64,
            max_expressions: positive("max-expressions"),
            sample: positive("sample"),
        };
    }
    if has("table") {
        r.table = o.bool("table");
    }
    r
}

impl Regress {
    fn machine<'a>(&self, input: &'a Artifacts) -> Result<&'a StateMachine> {
        input
            .machine
            .as_ref()
            .ok_or_else(|| MipsError::pass(self.name, "no state machine to regress"))
    }
}

impl Pass for Regress {
    fn name(&self) -> &str {
        self.name
    }

    fn description(&self) -> &str {
        self.description
    }

    fn kind(&self) -> PassKind {
        PassKind::Regression
    }

    fn options(&self) -> Vec<OptionSpec> {
        let d = RegressOptions::default();
        match self.method {
            Method::Linear => [linear_specs(&d), common_specs(&d)].concat(),
            Method::Boolean => boolean_specs(&d),
            Method::Enumerate => [enumerate_specs(&d), common_specs(&d)].concat(),
            Method::Table => vec![OptionSpec::bool(
                "allow-incomplete",
                false,
                "also tabulate machines whose table is not complete",
            )],
            Method::Combined => [
                linear_specs(&d),
                common_specs(&d),
                boolean_specs(&d),
                enumerate_specs(&d),
                vec![OptionSpec::bool(
                    "table",
                    d.table,
                    "fall back to lookup tables for components nothing symbolic fits (complete machines)",
                )],
            ]
            .concat(),
        }
    }

    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let sm = self.machine(input)?;
        let o = read_options(&self.options(), options);
        let ks = moduli(sm, o.max_modulus);
        let program = match self.method {
            Method::Linear => fit_machine(sm, &|p| linear_fit(p, &ks, &o), None, o.init_radius),
            Method::Boolean => fit_boolean(sm, &o.boolean),
            Method::Enumerate => fit_machine(sm, &|p| enumerate_fit(p, &ks, &o.enumerate), None, o.init_radius),
            Method::Table => fit_table(sm, options.bool("allow-incomplete")),
            Method::Combined => occam_over_horizon(sm, &o, ctx),
        };
        program
            .map(Artifact::Program)
            .map_err(|e| MipsError::pass(self.name, e.to_string()))
    }
}

/// Occam over the trained horizon: the machine's rows beyond the data's length copy the
/// network's extrapolation, which the program must not inherit. Fits the whole machine and the
/// part that sequences of the data's length use ([`StateMachine::within`]), and keeps the
/// shorter program (symbolic before tables); both reproduce the machine on every sequence
/// of the data's length, and the verifier's longer checks judge the extrapolation.
fn occam_over_horizon(sm: &StateMachine, o: &RegressOptions, ctx: &PassContext) -> Result<Program> {
    let note = |key: &str, value: String| ctx.note(key, value);
    let whole = regress_best(sm, o, ctx.verify, &note);
    let horizon = ctx.verify.max_len();
    let core = sm.within(horizon);
    if horizon == 0 || core == *sm {
        return whole;
    }
    let quiet = |_: &str, _: String| {};
    let within = regress_best(&core, o, ctx.verify, &quiet);
    let Ok(c) = within else { return whole };
    if whole.as_ref().is_ok_and(|w| preference(w) <= preference(&c)) {
        return whole;
    }
    let instead = whole.map_or(String::new(), |w| {
        format!(" ({} tokens; the whole machine: {})", c.tokens(), w.tokens())
    });
    ctx.note(
        "fitted on",
        format!("the states reached within {horizon} steps{instead}"),
    );
    Ok(c)
}

#[cfg(test)]
mod tests {
    use mips_core::ir::{BinOp, Expr, Program, StateMachine};
    use mips_core::pass::{Artifacts, PassContext, PassManager, Pipeline, Registry, Status};
    use mips_core::task::Task;

    use crate::regress::testing::{FixedTask, counter_mod, explore, observed, range, sequences};

    /// Runs `pipeline` on `sm`, verifying on the `inputs` sequences; returns the statuses and
    /// the final program.
    fn run(pipeline: &str, sm: &StateMachine, inputs: &[Vec<i64>]) -> (Vec<Status>, Option<Program>) {
        let task = FixedTask::from_machine(sm, inputs);
        let steps = Pipeline::parse_inline(pipeline)
            .unwrap()
            .resolve(&Registry::builtin())
            .unwrap();
        let ctx = PassContext::new(&task, task.test_split(), 0, true);
        let start = Artifacts {
            machine: Some(sm.clone()),
            ..Default::default()
        };
        let (artifacts, rows) = PassManager.run(&steps, start, &ctx, |_| {});
        (rows.into_iter().map(|r| r.status).collect(), artifacts.program)
    }

    /// Sequences over a finite alphabet for the verification of complete machines.
    fn over(alphabet: &[Vec<i64>]) -> Vec<Vec<i64>> {
        sequences(alphabet, 10, 300, 3)
    }

    fn regress(sm: &StateMachine, inputs: &[Vec<i64>]) -> Program {
        let (status, program) = run("regress", sm, inputs);
        assert!(status[0].accepted(), "{status:?}");
        program.unwrap()
    }

    fn bits2() -> Vec<Vec<i64>> {
        vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]
    }

    #[test]
    fn running_sum_and_delay_lines_are_linear() {
        let digits = range(0, 99);
        let seqs = sequences(&digits, 10, 400, 11);
        let sum = observed(vec![0], 1, &seqs, |s, x| vec![s[0] + x[0]], |s| s.to_vec());
        let p = regress(&sum, &seqs);
        assert_eq!((p.method.as_str(), p.tokens()), ("integer-linear", 4), "{p:?}");
        // Prev2: the state holds the last two inputs; a wrong machine init is corrected.
        let prev2 = observed(vec![0, 0], 1, &seqs, |s, x| vec![x[0], s[0]], |s| vec![s[1]]);
        let p = regress(&prev2, &seqs);
        assert_eq!(p.tokens(), 3, "{p:?}");
    }

    #[test]
    fn finite_machines_get_their_shortest_forms() {
        let adder = explore(
            vec![0, 0],
            &bits2(),
            |s, x| {
                let v = s[1] + x[0] + x[1];
                vec![v % 2, v / 2]
            },
            |s| vec![s[0]],
        );
        // The Boolean program (s1 ^ a ^ b, s1 + a + b > 1) has 13 tokens; the enumeration
        // may find an equivalent shorter one.
        let p = regress(&adder, &over(&bits2()));
        assert!(p.tokens() <= 13, "{p:?}");
        let parity = explore(vec![0], &range(0, 1), |s, x| vec![s[0] ^ x[0]], |s| s.to_vec());
        assert_eq!(regress(&parity, &over(&range(0, 1))).tokens(), 4);
        let p = regress(&counter_mod(5), &over(&range(0, 4)));
        assert_eq!(
            (p.method.as_str(), p.tokens()),
            ("modular-linear+integer-linear", 6),
            "{p:?}"
        );
        let majority = explore(
            vec![0, 0, 0],
            &range(0, 1),
            |s, x| vec![x[0], s[0], s[1]],
            |s| vec![(s[0] + s[1] + s[2] > 1) as i64],
        );
        let p = regress(&majority, &over(&range(0, 1)));
        assert!(p.outputs[0].tokens() <= 7, "{p:?}");
    }

    #[test]
    fn running_max_and_min_are_enumerated() {
        let digits = range(0, 9);
        let seqs = sequences(&digits, 10, 300, 5);
        let max = observed(vec![0], 1, &seqs, |s, x| vec![s[0].max(x[0])], |s| s.to_vec());
        let p = regress(&max, &seqs);
        assert_eq!(
            (p.method.as_str(), p.updates[0].clone()),
            (
                "enumerate+integer-linear",
                Expr::bin(BinOp::Max, Expr::state(0), Expr::input(0))
            ),
            "{p:?}"
        );
        let min = observed(vec![9], 1, &seqs, |s, x| vec![s[0].min(x[0])], |s| s.to_vec());
        assert_eq!(regress(&min, &seqs).tokens(), 4);
    }

    #[test]
    fn occam_prefers_the_plain_count_to_the_saturation_beyond_the_horizon() {
        // A count of even inputs that a network saturated at 10, the trained length: the
        // transitions out of state 10 are never used by sequences of 10 inputs.
        let digits = range(0, 9);
        let saturated = explore(
            vec![0],
            &digits,
            |s, x| vec![(s[0] + (x[0] % 2 == 0) as i64).min(10)],
            |s| s.to_vec(),
        );
        let p = regress(&saturated, &sequences(&digits, 10, 300, 7));
        let evens = vec![0; 30];
        assert_eq!(p.run(&evens).unwrap().last(), Some(&30), "{p:?}");
        // Within the horizon the saturation is needed: it stays.
        let capped_at_3 = explore(
            vec![0],
            &digits,
            |s, x| vec![(s[0] + (x[0] % 2 == 0) as i64).min(3)],
            |s| s.to_vec(),
        );
        let p = regress(&capped_at_3, &sequences(&digits, 10, 300, 7));
        assert_eq!(p.run(&evens).unwrap().last(), Some(&3), "{p:?}");
    }

    #[test]
    fn scrambled_cluster_labels_still_give_an_exact_program() {
        // A counter mod 3 whose states were read off as cluster labels 7, 3, 11.
        let label = [7, 3, 11];
        let index = move |s: i64| label.iter().position(|l| *l == s).unwrap() as i64;
        let sm = explore(
            vec![7],
            &range(0, 2),
            move |s, x| vec![label[((index(s[0]) + x[0]) % 3) as usize]],
            move |s| vec![index(s[0])],
        );
        let (status, program) = run("regress{max-size=7}", &sm, &over(&range(0, 2)));
        assert!(status[0].accepted(), "{status:?}");
        let p = program.unwrap();
        assert!(p.symbolic || p.method == "table");
    }

    #[test]
    fn initial_state_correction_comes_before_tables() {
        // A complete counter mod 3 whose initial state was read off as -1 (behaving like 0).
        let mut sm = counter_mod(3);
        let from_zero: Vec<_> = sm
            .transitions
            .iter()
            .filter(|((s, _), _)| s[0] == 0)
            .map(|((_, x), t)| (x.clone(), t.clone()))
            .collect();
        for (x, t) in from_zero {
            sm.transitions.insert((vec![-1], x), t);
        }
        sm.initial = vec![-1];
        let p = regress(&sm, &over(&range(0, 2)));
        assert!(p.symbolic, "{p:?}");
        assert_eq!((p.init.clone(), p.tokens()), (vec![0], 6), "{p:?}");
    }

    #[test]
    fn no_fit_is_an_error_and_no_program() {
        // A pseudo-random incomplete machine: nothing symbolic, and no table for it.
        let digits = range(0, 9);
        let seqs = sequences(&digits, 6, 40, 9);
        let sm = observed(
            vec![0],
            1,
            &seqs,
            |s, x| vec![(s[0] * 7919 + x[0] * 104_729 + 13) % 97],
            |s| vec![(s[0] * 31 + 7) % 11],
        );
        let (status, program) = run("regress{max-size=4}", &sm, &seqs);
        assert!(matches!(status[0], Status::Failed(_)), "{status:?}");
        assert!(program.is_none());
        let (status, _) = run("regress-linear", &sm, &seqs);
        assert!(matches!(status[0], Status::Failed(_)), "{status:?}");
    }

    #[test]
    fn each_regressor_runs_as_a_pass() {
        let sm = counter_mod(3);
        for pass in ["regress-linear", "regress-enumerate", "regress-table"] {
            let (status, program) = run(pass, &sm, &over(&range(0, 2)));
            assert!(status[0].accepted(), "{pass}: {status:?}");
            assert_eq!(program.unwrap().symbolic, pass != "regress-table");
        }
        let parity = explore(vec![0], &range(0, 1), |s, x| vec![s[0] ^ x[0]], |s| s.to_vec());
        let (status, _) = run("regress-boolean", &parity, &over(&range(0, 1)));
        assert!(status[0].accepted(), "{status:?}");
        let (status, _) = run("regress-boolean", &sm, &over(&range(0, 2)));
        assert!(
            matches!(&status[0], Status::Failed(m) if m.contains("bits")),
            "{status:?}"
        );
    }

    #[test]
    fn program_passes_clean_up_and_keep_outputs() {
        // State: (99 - input, 99 - previous input, a step counter nobody reads); output: the
        // previous input.
        let digits = range(0, 99);
        let seqs = sequences(&digits, 10, 300, 2);
        let sm = observed(
            vec![99, 99, 0],
            1,
            &seqs,
            |s, x| vec![99 - x[0], s[0], s[2] + 1],
            |s| vec![99 - s[1]],
        );
        let (status, program) = run(
            "regress,fold-constants,rebase-affine,remove-dead-state,name-variables",
            &sm,
            &seqs,
        );
        assert!(status.iter().all(Status::accepted), "{status:?}");
        let p = program.unwrap();
        assert_eq!(p.state_names, vec!["prev1", "prev2"]);
        assert_eq!(p.input_names, vec!["x"]);
        assert_eq!(p.updates, vec![Expr::input(0), Expr::state(0)]);
        assert_eq!(p.outputs, vec![Expr::state(1)]);
        assert_eq!(p.init, vec![0, 0]);
    }
}
