//! The regression passes (state machine → program) and their options.

use mips_core::ir::{Program, StateMachine};
use mips_core::pass::{PassContext, PassKind, Typed, TypedPass};
use mips_core::{MipsError, Result};

use super::boolean::{BooleanOptions, fit_boolean};
use super::combined::{RegressOptions, enumerate_fit, linear_fit, regress_best};
use super::driver::{Fit, fit_machine, preference};
use super::enumerate::EnumerateOptions;
use super::rows::{Problem, moduli};
use super::table::fit_table;

/// The defaults of every regression option.
fn d() -> RegressOptions {
    RegressOptions::default()
}

mips_core::pass_settings! {
    /// The options of the (modular) linear fit.
    pub struct LinearSettings {
        /// largest denominator of a rational coefficient
        max_denominator: i64 = d().max_denominator,
        /// try (a·z + b·x + c) % k and // k when plain linear fails
        modular: bool = d().modular,
        /// coefficient vectors the modular search may try per component
        modular_budget: usize = d().modular_budget,
    }
}

mips_core::pass_settings! {
    /// The options of the fits driven per component (linear and enumerative).
    pub struct CommonSettings {
        /// largest modulus suggested by the data
        max_modulus: i64 = d().max_modulus,
        /// search initial states within ± this radius when only the initial transitions misfit (0: off)
        init_radius: i64 = d().init_radius,
    }
}

mips_core::pass_settings! {
    /// The options of the Boolean fit.
    pub struct BooleanSettings {
        /// largest number of state and input bits
        max_bits: usize = d().boolean.max_bits,
        /// rounds of the code-swapping search for multi-valued state components
        encoding_rounds: usize = d().boolean.encoding_rounds,
    }
}

mips_core::pass_settings! {
    /// The options of the enumerative fit.
    pub struct EnumerateSettings {
        /// largest expression size in tokens
        max_size: usize = d().enumerate.max_size,
        /// candidate expressions evaluated per component (deterministic budget)
        max_candidates: u64 = d().enumerate.max_candidates,
        /// wall-clock budget per component, in seconds (0: off)
        max_seconds: f64 = d().enumerate.max_seconds,
        /// largest number of distinct expressions kept
        max_expressions: usize = d().enumerate.max_expressions,
        /// rows the search starts from
        sample: usize = d().enumerate.sample,
    }
}

/// Settings that set their part of the regression options.
trait Part {
    /// Writes these settings into `r`.
    fn apply(&self, r: &mut RegressOptions);
}

/// The regression options: the defaults with each of `parts` applied in order.
fn options(parts: &[&dyn Part]) -> RegressOptions {
    let mut o = d();
    for part in parts {
        part.apply(&mut o);
    }
    o
}

impl Part for LinearSettings {
    fn apply(&self, r: &mut RegressOptions) {
        r.max_denominator = self.max_denominator.max(1);
        r.modular = self.modular;
        r.modular_budget = self.modular_budget;
    }
}

impl Part for CommonSettings {
    fn apply(&self, r: &mut RegressOptions) {
        r.max_modulus = self.max_modulus;
        r.init_radius = self.init_radius.max(0);
    }
}

impl Part for BooleanSettings {
    fn apply(&self, r: &mut RegressOptions) {
        r.boolean = BooleanOptions {
            max_bits: self.max_bits,
            encoding_rounds: self.encoding_rounds,
        };
    }
}

impl Part for EnumerateSettings {
    fn apply(&self, r: &mut RegressOptions) {
        r.enumerate = EnumerateOptions {
            max_size: self.max_size.max(1),
            max_seconds: self.max_seconds,
            max_candidates: self.max_candidates.max(1),
            max_expressions: self.max_expressions.max(1),
            sample: self.sample.max(1),
        };
    }
}

mips_core::pass_settings! {
    /// The options of `regress-linear`.
    pub struct LinearPassSettings {
        /// The linear fit's.
        linear: LinearSettings = LinearSettings::default(),
        /// The per-component driver's.
        common: CommonSettings = CommonSettings::default(),
    }
}

mips_core::pass_settings! {
    /// The options of `regress-enumerate`.
    pub struct EnumeratePassSettings {
        /// The enumeration's.
        enumerate: EnumerateSettings = EnumerateSettings::default(),
        /// The per-component driver's.
        common: CommonSettings = CommonSettings::default(),
    }
}

mips_core::pass_settings! {
    /// The options of the combined `regress`.
    pub struct RegressSettings {
        /// The linear fit's.
        linear: LinearSettings = LinearSettings::default(),
        /// The per-component driver's.
        common: CommonSettings = CommonSettings::default(),
        /// The Boolean fit's.
        boolean: BooleanSettings = BooleanSettings::default(),
        /// The enumeration's.
        enumerate: EnumerateSettings = EnumerateSettings::default(),
        /// fall back to lookup tables for components nothing symbolic fits (complete machines)
        table: bool = d().table,
    }
}

/// A fit's error as an error of the pass `name`.
fn as_pass(name: &str, program: Result<Program>) -> Result<Program> {
    program.map_err(|e| MipsError::pass(name, e.to_string()))
}

/// The per-component fit of `sm` by `fit` (given a problem and the machine's moduli up to
/// `max-modulus`), with the initial-state search of `o`; its error is the pass `name`'s.
fn per_component(
    name: &str,
    sm: &StateMachine,
    o: &RegressOptions,
    fit: impl Fn(&Problem, &[i64]) -> Result<Fit>,
) -> Result<Program> {
    let ks = moduli(sm, o.max_modulus);
    as_pass(name, fit_machine(sm, &|p| fit(p, &ks), None, o.init_radius))
}

/// `regress-linear`.
struct RegressLinear;

impl TypedPass for RegressLinear {
    type Input = StateMachine;
    type Output = Program;
    type Settings = LinearPassSettings;
    const NAME: &'static str = "regress-linear";
    const KIND: PassKind = PassKind::Regression;

    fn description(&self) -> &str {
        "exact integer linear regression z' = M z + N x + c, y = P z + Q x + d, with a modular / floor-divided variant"
    }

    fn run(&self, sm: &StateMachine, settings: &LinearPassSettings, _: &PassContext) -> Result<Program> {
        let o = options(&[&settings.linear, &settings.common]);
        per_component(Self::NAME, sm, &o, |p, ks| linear_fit(p, ks, &o))
    }
}

/// `regress-boolean`.
struct RegressBoolean;

impl TypedPass for RegressBoolean {
    type Input = StateMachine;
    type Output = Program;
    type Settings = BooleanSettings;
    const NAME: &'static str = "regress-boolean";
    const KIND: PassKind = PassKind::Regression;

    fn description(&self) -> &str {
        "Boolean regression over state and input bits: compact forms (xor chains, thresholds) or minimal sums of products"
    }

    fn run(&self, sm: &StateMachine, settings: &BooleanSettings, _: &PassContext) -> Result<Program> {
        as_pass(Self::NAME, fit_boolean(sm, &options(&[settings]).boolean))
    }
}

/// `regress-enumerate`.
struct RegressEnumerate;

impl TypedPass for RegressEnumerate {
    type Input = StateMachine;
    type Output = Program;
    type Settings = EnumeratePassSettings;
    const NAME: &'static str = "regress-enumerate";
    const KIND: PassKind = PassKind::Regression;

    fn description(&self) -> &str {
        "enumerative symbolic regression with observational-equivalence pruning, per component"
    }

    fn run(&self, sm: &StateMachine, settings: &EnumeratePassSettings, _: &PassContext) -> Result<Program> {
        let o = options(&[&settings.enumerate, &settings.common]);
        per_component(Self::NAME, sm, &o, |p, ks| enumerate_fit(p, ks, &o.enumerate))
    }
}

mips_core::pass_settings! {
    /// The options of `regress-table`.
    pub struct TableSettings {
        /// also tabulate machines whose table is not complete
        allow_incomplete: bool = false,
    }
}

/// `regress-table`: a lookup table of the machine.
struct RegressTable;

impl TypedPass for RegressTable {
    type Input = StateMachine;
    type Output = Program;
    type Settings = TableSettings;
    const NAME: &'static str = "regress-table";
    const KIND: PassKind = PassKind::Regression;

    fn description(&self) -> &str {
        "lookup-table fallback for complete finite machines (exact, non-symbolic)"
    }

    fn run(&self, sm: &StateMachine, settings: &TableSettings, _: &PassContext) -> Result<Program> {
        as_pass(Self::NAME, fit_table(sm, settings.allow_incomplete))
    }
}

/// The combined `regress`.
struct Regress;

impl TypedPass for Regress {
    type Input = StateMachine;
    type Output = Program;
    type Settings = RegressSettings;
    const NAME: &'static str = "regress";
    const KIND: PassKind = PassKind::Regression;

    fn description(&self) -> &str {
        "tries linear, modular, Boolean, enumerative and table regression; keeps the smallest verified program"
    }

    fn run(&self, sm: &StateMachine, settings: &RegressSettings, ctx: &PassContext) -> Result<Program> {
        let parts: [&dyn Part; 4] = [
            &settings.linear,
            &settings.common,
            &settings.boolean,
            &settings.enumerate,
        ];
        let o = RegressOptions {
            table: settings.table,
            ..options(&parts)
        };
        as_pass(Self::NAME, occam_over_horizon(sm, &o, ctx))
    }
}

mips_core::register_pass!(Typed(RegressLinear));
mips_core::register_pass!(Typed(RegressBoolean));
mips_core::register_pass!(Typed(RegressEnumerate));
mips_core::register_pass!(Typed(RegressTable));
mips_core::register_pass!(Typed(Regress));

/// Occam over the trained horizon: the machine's rows beyond the data's length copy the
/// network's extrapolation, which the program must not inherit. Fits the whole machine and the
/// part that sequences of the data's length use ([`StateMachine::within`]), and keeps the
/// shorter program (symbolic before tables); both reproduce the machine on every sequence
/// of the data's length, and the verifier's longer checks judge the extrapolation.
fn occam_over_horizon(sm: &StateMachine, o: &RegressOptions, ctx: &PassContext) -> Result<Program> {
    let note = |key: &str, value: String| ctx.note(key, value);
    let whole = regress_best(sm, o, ctx.verifier().screen(), &note);
    let horizon = ctx.verifier().screen().max_len();
    let core = sm.within(horizon);
    if horizon == 0 || core == *sm {
        return whole;
    }
    let quiet = |_: &str, _: String| {};
    let within = regress_best(&core, o, ctx.verifier().screen(), &quiet);
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
