//! The regression passes (state machine → program) and their options.

use mips_core::ir::StateMachine;
use mips_core::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use mips_core::{MipsError, Result};

use super::boolean::{BooleanOptions, fit_boolean};
use super::combined::{RegressOptions, enumerate_fit, linear_fit, regress_best};
use super::driver::fit_machine;
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
        OptionSpec::float("max-seconds", e.max_seconds, "time budget per component, in seconds"),
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
            max_bits: o.usize("max-bits").min(24),
            encoding_rounds: o.usize("encoding-rounds"),
        };
    }
    if has("max-size") {
        r.enumerate = EnumerateOptions {
            max_size: positive("max-size"),
            max_seconds: o.float("max-seconds"),
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
                    "fall back to a lookup table when nothing symbolic verifies",
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
            Method::Linear => fit_machine(sm, &|p| linear_fit(p, &ks, &o), o.init_radius),
            Method::Boolean => fit_boolean(sm, &o.boolean),
            Method::Enumerate => fit_machine(sm, &|p| enumerate_fit(p, &ks, &o.enumerate), o.init_radius),
            Method::Table => fit_table(sm, options.bool("allow-incomplete")),
            Method::Combined => regress_best(sm, &o, ctx.verify),
        };
        program
            .map(Artifact::Program)
            .map_err(|e| MipsError::pass(self.name, e.to_string()))
    }
}
