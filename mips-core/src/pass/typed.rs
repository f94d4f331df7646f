//! Typed passes: a pass states the level it reads (`Input`), the level it writes (`Output`)
//! and its [`Settings`]; the [`Typed`] adapter makes it a registry [`Pass`], fetching the input
//! from the artifacts and reading the settings, so no pass does either by hand. The levels agree
//! with the pass's kind at compile time.

use super::settings::Settings;
use super::{Artifact, Artifacts, Level, OptionSpec, Options, Pass, PassContext, PassKind};
use crate::Result;
use crate::ir::{Network, Program, StateMachine};

/// What a typed pass reads from the artifacts.
pub trait PassInput {
    /// The level read, or `None` for a pass that reads only the task (architecture).
    const LEVEL: Option<Level>;
    /// The input among the artifacts, if present.
    fn fetch(artifacts: &Artifacts) -> Option<&Self>;
    /// Checks the input before the pass reads it (a network's layers and parameters).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// The input of a pass that reads the task only: it trains its own network.
pub struct TaskOnly;

impl PassInput for TaskOnly {
    const LEVEL: Option<Level> = None;
    fn fetch(_: &Artifacts) -> Option<&Self> {
        Some(&TaskOnly)
    }
}

impl PassInput for Network {
    const LEVEL: Option<Level> = Some(Level::Network);
    fn fetch(artifacts: &Artifacts) -> Option<&Self> {
        artifacts.network.as_ref()
    }
    fn validate(&self) -> Result<()> {
        Network::validate(self)
    }
}

impl PassInput for StateMachine {
    const LEVEL: Option<Level> = Some(Level::StateMachine);
    fn fetch(artifacts: &Artifacts) -> Option<&Self> {
        artifacts.machine.as_ref()
    }
}

impl PassInput for Program {
    const LEVEL: Option<Level> = Some(Level::Program);
    fn fetch(artifacts: &Artifacts) -> Option<&Self> {
        artifacts.program.as_ref()
    }
}

/// What a typed pass writes.
pub trait PassOutput {
    /// The level written.
    const LEVEL: Level;
    /// The output as an artifact.
    fn artifact(self) -> Artifact;
}

impl PassOutput for Network {
    const LEVEL: Level = Level::Network;
    fn artifact(self) -> Artifact {
        Artifact::Network(self)
    }
}

impl PassOutput for StateMachine {
    const LEVEL: Level = Level::StateMachine;
    fn artifact(self) -> Artifact {
        Artifact::StateMachine(self)
    }
}

impl PassOutput for Program {
    const LEVEL: Level = Level::Program;
    fn artifact(self) -> Artifact {
        Artifact::Program(self)
    }
}

/// A pass with typed levels and settings; register it as `register_pass!(Typed(MyPass))`.
pub trait TypedPass: Send + Sync {
    /// What it reads: [`TaskOnly`], [`Network`], [`StateMachine`] or [`Program`].
    type Input: PassInput + ?Sized;
    /// What it writes: [`Network`], [`StateMachine`] or [`Program`].
    type Output: PassOutput;
    /// Its settings (`()` for none).
    type Settings: Settings;
    /// Unique name used in pipelines.
    const NAME: &'static str;
    /// The kind; must read `Input` and write `Output` (checked at compile time).
    const KIND: PassKind;
    /// One-line description for `mips passes`.
    fn description(&self) -> &str;
    /// Checks settings beyond their types (a word from a fixed set), so that a bad value is an
    /// error when the pipeline is resolved; the adapter checks again before every run.
    fn check(&self, _settings: &Self::Settings) -> Result<()> {
        Ok(())
    }
    /// Runs the pass.
    fn run(&self, input: &Self::Input, settings: &Self::Settings, ctx: &PassContext) -> Result<Self::Output>;
}

/// Adapts a [`TypedPass`] to the registry's [`Pass`].
pub struct Typed<P>(pub P);

impl<P: TypedPass> Typed<P> {
    /// The kind's levels are the input's and the output's (a compile-time error otherwise).
    const LEVELS_AGREE: () = {
        let reads = match <P::Input as PassInput>::LEVEL {
            None => matches!(P::KIND, PassKind::Architecture),
            Some(level) => level as u8 == P::KIND.input() as u8,
        };
        assert!(
            reads && <P::Output as PassOutput>::LEVEL as u8 == P::KIND.output() as u8,
            "a typed pass's Input and Output must be the levels of its KIND"
        );
    };
}

impl<P: TypedPass> Pass for Typed<P> {
    fn name(&self) -> &str {
        P::NAME
    }
    fn description(&self) -> &str {
        self.0.description()
    }
    fn kind(&self) -> PassKind {
        let () = Self::LEVELS_AGREE;
        P::KIND
    }
    fn options(&self) -> Vec<OptionSpec> {
        P::Settings::specs()
    }
    fn check_options(&self, options: &Options) -> Result<()> {
        self.0.check(&P::Settings::read(P::NAME, options)?)
    }
    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let level = P::KIND.input();
        let input =
            P::Input::fetch(input).ok_or_else(|| crate::MipsError::pass(P::NAME, format!("no {level:?} to read")))?;
        input
            .validate()
            .map_err(|e| crate::MipsError::pass(P::NAME, e.to_string()))?;
        let settings = P::Settings::read(P::NAME, options)?;
        self.0.check(&settings)?;
        Ok(self.0.run(input, &settings, ctx)?.artifact())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pass::manager::tests::not_network;

    crate::pass_settings! {
        struct Scale {
            /// Factor of the readout.
            factor: f64 = 1.0,
        }
    }

    struct ScaleReadout;

    impl TypedPass for ScaleReadout {
        type Input = Network;
        type Output = Network;
        type Settings = Scale;
        const NAME: &'static str = "scale-readout";
        const KIND: PassKind = PassKind::Parameter;
        fn description(&self) -> &str {
            "scales the readout"
        }
        fn check(&self, settings: &Scale) -> Result<()> {
            if settings.factor == 0.0 {
                return Err(crate::MipsError::invalid(
                    "option 'factor' of pass 'scale-readout'",
                    "not 0",
                ));
            }
            Ok(())
        }
        fn run(&self, input: &Network, settings: &Scale, _: &PassContext) -> Result<Network> {
            let mut net = input.clone();
            net.g.layers[0].weight.iter_mut().for_each(|w| *w *= settings.factor);
            Ok(net)
        }
    }

    #[test]
    fn the_adapter_fetches_the_input_and_reads_the_settings() {
        let pass = Typed(ScaleReadout);
        assert_eq!((pass.name(), pass.kind()), ("scale-readout", PassKind::Parameter));
        assert_eq!(pass.options()[0].name, "factor");
        let task = crate::tasks::builtin("Bitwise_Not").unwrap();
        let verify = crate::task::Task::test_split(&task).head(10);
        let ctx = PassContext::new(&task, &verify, 0, true);
        let options = Options::resolve("scale-readout", &pass.options(), &[("factor".into(), "2".into())]).unwrap();
        let out = pass
            .run(&Artifacts::from_network(not_network()), &options, &ctx)
            .unwrap();
        let Artifact::Network(net) = out else {
            panic!("a network pass wrote {out:?}")
        };
        assert_eq!(net.g.layers[0].weight, vec![-2.0]);
        let missing = pass.run(&Artifacts::default(), &options, &ctx).unwrap_err();
        assert!(missing.to_string().contains("no Network to read"), "{missing}");
        let zero = Options::resolve("scale-readout", &pass.options(), &[("factor".into(), "0".into())]).unwrap();
        assert!(pass.check_options(&zero).is_err());
    }
}
