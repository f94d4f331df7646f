//! The extraction passes: `extract-lattice`, `extract-circle`, `extract-clusters`, and the
//! combined `extract`, which runs the methods it is given, keeps those whose machine reproduces
//! the network on the verification data and picks the smallest description length.

use mips_core::ir::{Network, StateMachine};
use mips_core::pass::{
    Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind, Settings, Typed, TypedPass,
};
use mips_core::{MipsError, Result};

use super::candidate::{Candidate, size_of};
use super::collect::Samples;
use super::options::ExtractOptions;
use super::points::Points;
use super::subspace::Projection;
use super::{behaviour, circle, clusters, counter, lattice, oracle};

/// An extraction method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Lattice,
    Circle,
    Clusters,
    Behaviour,
    Oracle,
    Counter,
}

impl Method {
    /// Every method, in the combined pass's default order (which breaks description-length ties).
    pub const ALL: [Method; 6] = [
        Method::Circle,
        Method::Lattice,
        Method::Clusters,
        Method::Behaviour,
        Method::Oracle,
        Method::Counter,
    ];

    /// The method's name, as in `StateMachine::method`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Lattice => "lattice",
            Method::Circle => "circle",
            Method::Clusters => "clusters",
            Method::Behaviour => "behaviour",
            Method::Oracle => "oracle",
            Method::Counter => "counter",
        }
    }

    /// Parses a `+`-separated list of method names, e.g. `lattice+clusters`.
    pub fn parse_list(text: &str) -> Result<Vec<Method>> {
        text.split('+')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Method::ALL
                    .into_iter()
                    .find(|m| m.name() == name)
                    .ok_or_else(|| MipsError::unknown("extraction method", name, Method::ALL.map(Method::name)))
            })
            .collect::<Result<Vec<_>>>()
            .and_then(|list| {
                if list.is_empty() {
                    Err(MipsError::invalid(
                        "option 'methods' of pass 'extract'",
                        "names no method",
                    ))
                } else {
                    Ok(list)
                }
            })
    }

    /// Runs the method; `bound` is the description length of the best machine found so far.
    fn run(
        self,
        net: &Network,
        data: &Prepared,
        bound: f64,
        ctx: &PassContext,
    ) -> std::result::Result<Candidate, String> {
        let Prepared {
            samples,
            proj,
            points,
            opts,
        } = data;
        match self {
            Method::Lattice => lattice::extract(net, samples, proj, points, opts),
            Method::Circle => circle::extract(net, samples, proj, points, opts),
            Method::Clusters => clusters::extract(net, samples, proj, points, opts),
            Method::Behaviour => behaviour::extract(net, samples, proj, points, opts),
            Method::Oracle => {
                let verifier = ctx.verifier();
                let equivalence = |sm: &StateMachine| verifier.counterexample(net, sm).map(<[i64]>::to_vec);
                oracle::extract(net, samples, opts, &equivalence)
            }
            Method::Counter => counter::extract(net, samples, opts, bound),
        }
    }
}

/// `candidate` if its machine reproduces the network, as the verifier judges it
/// ([`mips_core::pass::Verifier::machine_disagreement`]). A lattice coding that
/// does not (its states' points are only near the network's states) is dropped, and the tables
/// alone are checked.
fn checked(mut candidate: Candidate, net: &Network, ctx: &PassContext) -> std::result::Result<Candidate, String> {
    let Some(why) = ctx.verifier().machine_disagreement(net, &candidate.machine) else {
        return Ok(candidate);
    };
    if candidate.machine.coding.take().is_none() {
        return Err(why);
    }
    match ctx.verifier().machine_disagreement(net, &candidate.machine) {
        None => {
            candidate.machine.method += " (lattice coding dropped: its points disagree with the network)";
            Ok(candidate)
        }
        Some(why) => Err(why),
    }
}

/// Collected hidden states and their projection, shared by the methods.
struct Prepared {
    samples: Samples,
    proj: Projection,
    points: Points,
    opts: ExtractOptions,
}

/// Runs `methods` on `net` and returns the machine with the smallest description length among
/// those that reproduce the network's rounded outputs on the verifier's screen set (and, wherever their
/// table has no gap, on the task's whole test split); the error lists why each
/// method failed.
pub fn extract_machine(
    net: &Network,
    ctx: &PassContext,
    opts: &ExtractOptions,
    methods: &[Method],
) -> Result<StateMachine> {
    let samples = Samples::collect(net, ctx, opts)?;
    let proj = Projection::relevant(net);
    let points = Points::new(&samples, &proj);
    let data = Prepared {
        samples,
        proj,
        points,
        opts: opts.clone(),
    };
    let mut found: Vec<Candidate> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for method in methods {
        let bound = found.iter().map(|c| c.bits).fold(f64::INFINITY, f64::min);
        match method
            .run(net, &data, bound, ctx)
            .and_then(|c| checked(c, net, ctx).map_err(|e| format!("{}: {e}", method.name())))
        {
            Ok(candidate) => found.push(candidate),
            Err(e) => reasons.push(e),
        }
    }
    let best = found
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.bits.total_cmp(&b.1.bits).then(a.0.cmp(&b.0)))
        .map(|(i, _)| i);
    let Some(best) = best else {
        return Err(MipsError::pass(
            "extract",
            format!(
                "no method reads a state machine off the network: {}",
                reasons.join(" | ")
            ),
        ));
    };
    let chosen = &found[best];
    let mut machine = chosen.machine.clone();
    ctx.note("method", chosen.method);
    ctx.note("size", size_of(&machine));
    ctx.note("bits", format!("{:.0}", chosen.bits));
    ctx.note("complete", machine.complete);
    ctx.note("held-out coverage", format!("{:.1}%", chosen.coverage * 100.0));
    let others: Vec<String> = found
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, c)| format!("{} {:.0} bits", c.method, c.bits))
        .chain(
            reasons
                .iter()
                .map(|r| r.split(':').next().unwrap_or(r).to_string() + " failed"),
        )
        .collect();
    if !others.is_empty() {
        machine.method = format!("{} (also: {})", machine.method, others.join(", "));
    }
    Ok(machine)
}

fn network<'a>(input: &'a Artifacts, pass: &str) -> Result<&'a Network> {
    input
        .network
        .as_ref()
        .ok_or_else(|| MipsError::pass(pass, "there is no network to extract a state machine from"))
}

/// One extraction method as a pass.
struct Single {
    method: Method,
    name: &'static str,
    description: &'static str,
}

impl Pass for Single {
    fn name(&self) -> &str {
        self.name
    }

    fn description(&self) -> &str {
        self.description
    }

    fn kind(&self) -> PassKind {
        PassKind::Extraction
    }

    fn options(&self) -> Vec<OptionSpec> {
        ExtractOptions::specs()
    }

    fn check_options(&self, options: &Options) -> Result<()> {
        ExtractOptions::read(self.name, options)?.validate(self.name)
    }

    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let net = network(input, self.name)?;
        let opts = ExtractOptions::read(self.name, options)?;
        opts.validate(self.name)?;
        extract_machine(net, ctx, &opts, &[self.method])
            .map(Artifact::StateMachine)
            .map_err(|e| match e {
                MipsError::Pass { message, .. } => MipsError::pass(self.name, message),
                other => other,
            })
    }
}

mips_core::pass_settings! {
    /// The options of the combined pass.
    pub struct CombinedSettings {
        /// The shared extraction options.
        extract: ExtractOptions = ExtractOptions::default(),
        /// methods to try, '+'-separated; the order breaks description-length ties
        methods: String = "circle+lattice+clusters+behaviour+oracle+counter",
    }
}

/// The combined pass.
struct Combined;

impl TypedPass for Combined {
    type Input = Network;
    type Output = StateMachine;
    type Settings = CombinedSettings;
    const NAME: &'static str = "extract";
    const KIND: PassKind = PassKind::Extraction;

    fn description(&self) -> &str {
        "reads a state machine off the network (circle, lattice, clusters, behaviour, oracle or counter; smallest description length wins)"
    }

    fn check(&self, settings: &CombinedSettings) -> Result<()> {
        settings.extract.validate(Self::NAME)?;
        Method::parse_list(&settings.methods).map(drop)
    }

    fn run(&self, net: &Network, settings: &CombinedSettings, ctx: &PassContext) -> Result<StateMachine> {
        let methods = Method::parse_list(&settings.methods)?;
        extract_machine(net, ctx, &settings.extract, &methods)
    }
}

mips_core::register_pass!(Typed(Combined));
mips_core::register_pass!(Single {
    method: Method::Lattice,
    name: "extract-lattice",
    description: "reads integer lattice coordinates off the hidden states (linear Krylov and LLL finders)",
});
mips_core::register_pass!(Single {
    method: Method::Circle,
    name: "extract-circle",
    description: "reads hidden states on a circle as a phase modulo k",
});
mips_core::register_pass!(Single {
    method: Method::Behaviour,
    name: "extract-behaviour",
    description: "groups hidden states by the network's outputs over the next steps into a finite machine",
});
mips_core::register_pass!(Single {
    method: Method::Oracle,
    name: "extract-oracle",
    description: "learns the smallest Moore machine the network behaves as, L*-style with the network as the oracle",
});
mips_core::register_pass!(Single {
    method: Method::Counter,
    name: "extract-counter",
    description: "reads a finite control plus integer counters (the symbol counts modulo the words the network forgets)",
});
mips_core::register_pass!(Single {
    method: Method::Clusters,
    name: "extract-clusters",
    description: "clusters the hidden states into a finite machine and minimizes it",
});
