//! The `minimize-architecture` pass: finds the smallest network reaching 100% test accuracy
//! (hidden size first, then the depths and widths of f and g) with
//! [`mips_core::train::minimize`]. It ignores any input network: it trains from scratch on the
//! task of the pass context, with the context's seed.

mod progress;

use mips_core::budget::StopReason;
use mips_core::ir::{Activation, Network};
use mips_core::pass::{Note, PassContext, PassKind, STOP, TaskOnly, Typed, TypedPass};
use mips_core::task::Loss;
use mips_core::train::run::Schedule;
use mips_core::train::{SearchOptions, SearchReport, minimize};
use mips_core::{MipsError, Result};

/// The pass's name in pipelines.
pub const NAME: &str = "minimize-architecture";

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct MinimizeArchitecture;

mips_core::register_pass!(Typed(MinimizeArchitecture));

fn list(text: &str, what: &str) -> Result<Vec<usize>> {
    text.split(',')
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.parse::<usize>().ok().filter(|&v| v > 0).ok_or_else(|| {
                MipsError::invalid(
                    format!("option '{what}' of pass '{NAME}'"),
                    format!("'{w}' is not a positive integer"),
                )
            })
        })
        .collect()
}

/// Hidden-layer widths written `16x16`, or `-` for none.
fn layer_widths(text: &str) -> Result<Vec<usize>> {
    match text.trim() {
        "-" => Ok(Vec::new()),
        t => list(&t.replace('x', ","), "shapes"),
    }
}

/// Shapes written `f/g;f/g`, each side as in [`layer_widths`], e.g. `-/16;32x32/32`.
fn shapes(text: &str) -> Result<Vec<(Vec<usize>, Vec<usize>)>> {
    text.split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|s| match s.split_once('/') {
            Some((f, g)) => Ok((layer_widths(f)?, layer_widths(g)?)),
            None => Err(MipsError::invalid(
                format!("option 'shapes' of pass '{NAME}'"),
                format!("'{}' is not of the form f/g (e.g. 32x32/32 or -/16)", s.trim()),
            )),
        })
        .collect()
}

/// The text form of [`shapes`].
fn shapes_text(shapes: &[(Vec<usize>, Vec<usize>)]) -> String {
    let side = |w: &[usize]| {
        if w.is_empty() {
            "-".to_string()
        } else {
            w.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("x")
        }
    };
    shapes
        .iter()
        .map(|(f, g)| format!("{}/{}", side(f), side(g)))
        .collect::<Vec<_>>()
        .join(";")
}

fn defaults() -> SearchOptions {
    SearchOptions::default()
}

fn default_widths() -> String {
    defaults()
        .widths
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The report-row note of the network's shape (as `Shape`'s display).
pub const SHAPE: Note<String> = Note::new("shape");

/// The report-row note of the training steps of the network kept.
pub const STEPS: Note<u64> = Note::new("steps");

mips_core::pass_settings! {
    /// The options of `minimize-architecture`; the defaults are [`SearchOptions::default`]'s.
    pub struct ArchitectureSettings {
        /// steps per training run of an MLP shape
        max_steps: usize = defaults().train.max_steps,
        /// end an MLP run after this many steps without progress (0: never)
        patience: usize = defaults().train.patience,
        /// AdamW learning rate of MLP runs
        lr: f64 = defaults().train.lr,
        /// learning-rate schedule of MLP runs: constant, cosine or plateau
        schedule: String = "constant",
        /// steps per training run of a linear RNN
        linear_max_steps: usize = defaults().linear.max_steps,
        /// end a linear run after this many steps without progress (0: never)
        linear_patience: usize = defaults().linear.patience,
        /// AdamW learning rate of linear runs
        linear_lr: f64 = defaults().linear.lr,
        /// learning-rate schedule of linear runs
        linear_schedule: String = "cosine",
        /// steps over all runs of the search, growth rounds included (0: unlimited first
        /// round, no growth)
        max_total_steps: usize = defaults().max_total_steps,
        /// steps of the first round (hidden sizes up to max-hidden); a failed first round grows
        /// the hidden sizes (0: no separate bound)
        round_steps: usize = defaults().round_steps,
        /// wall-time budget of the search in seconds (0: unlimited; a machine-dependent cut)
        max_seconds: f64 = defaults().max_seconds,
        /// steps per seed of further training of a near miss (0: none)
        polish_steps: usize = defaults().polish_steps,
        /// smallest test accuracy of a near miss that is trained further
        polish_from: f64 = defaults().polish_from,
        /// smallest hidden size tried
        min_hidden: usize = defaults().min_hidden,
        /// largest hidden size of the first round's linear RNNs (growth rounds double it)
        max_hidden: usize = defaults().max_hidden,
        /// largest hidden size of the first round's MLP shapes when no linear RNN succeeds
        /// (growth rounds double it)
        max_hidden_mlp: usize = defaults().max_hidden_mlp,
        /// seeds trained per candidate shape (in parallel)
        seeds: usize = defaults().seeds,
        /// MLP hidden-layer widths of the smaller shapes tried, comma-separated
        widths: String = default_widths(),
        /// MLP shapes tried at each hidden size before the smaller ones, f/g;f/g with widths
        /// like 32x32 or - (none)
        shapes: String = shapes_text(&defaults().generous),
        /// most hidden layers per MLP (0: linear RNNs only)
        max_depth: usize = defaults().max_depth,
        /// relu, tanh, sigmoid or identity
        activation: String = defaults().activation.name(),
        /// sequences per training batch
        batch: usize = defaults().train.batch_size,
        /// AdamW decoupled weight decay
        weight_decay: f64 = defaults().train.weight_decay,
        /// training loss: task (the task's), log, mse or cross_entropy
        loss: String = "task",
        /// train with inputs and outputs scaled to [-1, 1]
        normalize: bool = defaults().train.normalize,
        /// steps between test-accuracy screens
        eval_every: usize = defaults().train.eval_every,
        /// fail when no network reaches 100% (false: return the most accurate one)
        require_solved: bool = true,
    }
}

/// `value` of the option `name`, which must be positive.
fn positive(name: &str, value: usize) -> Result<usize> {
    match value {
        0 => Err(MipsError::invalid(
            format!("option '{name}' of pass '{NAME}'"),
            "must be positive, got 0",
        )),
        v => Ok(v),
    }
}

/// The search options the settings describe (`seed` from the pass context).
pub fn search_options(s: &ArchitectureSettings, seed: u64) -> Result<SearchOptions> {
    let mut o = SearchOptions { seed, ..defaults() };
    o.train.max_steps = positive("max-steps", s.max_steps)?;
    o.linear.max_steps = positive("linear-max-steps", s.linear_max_steps)?;
    o.train.patience = s.patience;
    o.linear.patience = s.linear_patience;
    o.train.lr = s.lr;
    o.linear.lr = s.linear_lr;
    o.train.schedule = Schedule::parse(&s.schedule)?;
    o.linear.schedule = Schedule::parse(&s.linear_schedule)?;
    let loss = match s.loss.as_str() {
        "task" => None,
        name => Some(Loss::parse(name)?),
    };
    for t in [&mut o.train, &mut o.linear] {
        t.batch_size = positive("batch", s.batch)?;
        t.eval_every = positive("eval-every", s.eval_every)?;
        t.weight_decay = s.weight_decay;
        t.normalize = s.normalize;
        t.loss = loss;
    }
    o.seeds = positive("seeds", s.seeds)?;
    o.min_hidden = positive("min-hidden", s.min_hidden)?;
    o.max_hidden = positive("max-hidden", s.max_hidden)?;
    o.max_hidden_mlp = positive("max-hidden-mlp", s.max_hidden_mlp)?;
    o.max_depth = s.max_depth;
    o.widths = list(&s.widths, "widths")?;
    o.generous = shapes(&s.shapes)?;
    o.activation = Activation::parse(&s.activation)?;
    o.max_total_steps = s.max_total_steps;
    o.round_steps = s.round_steps;
    o.max_seconds = s.max_seconds;
    o.polish_steps = s.polish_steps;
    o.polish_from = s.polish_from;
    o.validate()?;
    Ok(o)
}

impl TypedPass for MinimizeArchitecture {
    type Input = TaskOnly;
    type Output = Network;
    type Settings = ArchitectureSettings;
    const NAME: &'static str = NAME;
    const KIND: PassKind = PassKind::Architecture;

    fn description(&self) -> &str {
        "Train the smallest RNN (hidden size, then MLP depths and widths) reaching 100% test accuracy"
    }

    fn check(&self, settings: &ArchitectureSettings) -> Result<()> {
        search_options(settings, 0).map(drop)
    }

    fn run(&self, _: &TaskOnly, settings: &ArchitectureSettings, ctx: &PassContext) -> Result<Network> {
        let opts = search_options(settings, ctx.seed)?;
        let bar = (!ctx.quiet).then(|| progress::SearchBar::new(&ctx.task.info().name));
        let report_run = |r: &mips_core::train::RunReport| {
            if let Some(bar) = &bar {
                bar.run_done(r);
            }
        };
        let (net, report) = minimize(ctx.task, &opts, Some(&report_run))?;
        if let Some(bar) = &bar {
            bar.finish(&summary(&report));
        }
        SHAPE.write(ctx, report.shape.to_string());
        STEPS.write(ctx, report.steps as u64);
        ctx.note("total-steps", report.total_steps);
        ctx.note("runs", report.runs.len());
        STOP.write(ctx, report.stop.name().to_string());
        if !report.solved() && settings.require_solved {
            return Err(MipsError::pass(
                NAME,
                format!(
                    "no network reached 100% test accuracy ({}); best: {} at {:.4}%",
                    report.stop.name(),
                    report.shape,
                    100.0 * report.test_accuracy
                ),
            ));
        }
        Ok(net)
    }
}

/// A one-line summary of a search.
pub fn summary(r: &SearchReport) -> String {
    let outcome = match r.stop {
        StopReason::Found => "found".to_string(),
        other => format!("stopped: {}", other.name()),
    };
    format!(
        "{}: {} at {:.3}% ({outcome}; {} runs, {} steps, {:.1}s)",
        r.task,
        r.shape,
        100.0 * r.test_accuracy,
        r.runs.len(),
        r.total_steps,
        r.seconds
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::data::{Dataset, Sequence};
    use mips_core::pass::{Artifact, Artifacts, Options, Pass, Registry, Settings};
    use mips_core::task::Task;

    fn resolve(given: &[(&str, &str)]) -> Result<ArchitectureSettings> {
        let given: Vec<(String, String)> = given.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ArchitectureSettings::read(NAME, &Options::resolve(NAME, &ArchitectureSettings::specs(), &given)?)
    }

    #[test]
    fn is_registered_as_an_architecture_pass() {
        let registry = Registry::builtin();
        let pass = registry.get(NAME).expect("registered");
        assert_eq!(pass.pass.kind(), PassKind::Architecture);
    }

    #[test]
    fn options_map_to_search_options() {
        let o = search_options(
            &resolve(&[("max-hidden", "3"), ("widths", "4, 8"), ("loss", "mse"), ("seeds", "5")]).unwrap(),
            7,
        )
        .unwrap();
        assert_eq!((o.max_hidden, o.seeds, o.seed), (3, 5, 7));
        assert_eq!(o.widths, vec![4, 8]);
        assert_eq!(
            o.generous,
            SearchOptions::default().generous,
            "the default shapes read back"
        );
        assert_eq!(o.train.loss, Some(Loss::Mse));
        assert_eq!(search_options(&resolve(&[]).unwrap(), 0).unwrap().train.loss, None);
    }

    /// y_t = x_0 + ... + x_t over bits: a linear RNN with one hidden unit.
    struct RunningSum {
        info: mips_core::task::TaskInfo,
        test: Dataset,
    }

    fn draw(seed: u64, n: usize) -> Dataset {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut bit = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state & 1) as i64
        };
        let sequences = (0..n)
            .map(|_| {
                let inputs: Vec<i64> = (0..5).map(|_| bit()).collect();
                let outputs = inputs.iter().scan(0, |s, v| {
                    *s += v;
                    Some(*s)
                });
                Sequence {
                    outputs: outputs.collect(),
                    inputs,
                }
            })
            .collect();
        Dataset {
            input_dim: 1,
            output_dim: 1,
            sequences,
        }
    }

    impl Task for RunningSum {
        fn info(&self) -> &mips_core::task::TaskInfo {
            &self.info
        }
        fn train_batch(&self, seed: u64, n: usize) -> Dataset {
            draw(seed, n)
        }
        fn test_split(&self) -> &Dataset {
            &self.test
        }
        fn generate(&self, seed: u64, n: usize, _len: usize) -> Option<Dataset> {
            Some(draw(seed, n))
        }
    }

    #[test]
    fn trains_a_network_for_the_context_task() {
        let task = RunningSum {
            info: mips_core::task::TaskInfo {
                name: "running_sum".into(),
                input_dim: 1,
                output_dim: 1,
                input_ranges: vec![(0, 1)],
                output_ranges: vec![(0, 5)],
                seq_len: 5,
                loss: Loss::Log,
                train_steps: 100,
                rule: String::new(),
                paper_solved: None,
                gpt4_solved: None,
            },
            test: draw(u64::MAX, 100),
        };
        let ctx = PassContext::new(&task, &task.test, 1, true);
        let given = [
            ("max-hidden", "1"),
            ("max-depth", "0"),
            ("linear-lr", "0.01"),
            ("linear-max-steps", "3000"),
            ("batch", "32"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let pass = Typed(MinimizeArchitecture);
        let options = Options::resolve(NAME, &pass.options(), &given).unwrap();
        let Artifact::Network(net) = pass.run(&Artifacts::default(), &options, &ctx).unwrap() else {
            panic!("an architecture pass returns a network");
        };
        assert_eq!((net.hidden_dim, net.f.depth()), (1, 1));
        assert_eq!(mips_core::pass::verify::network_accuracy(&net, &task.test), 1.0);
    }

    #[test]
    fn shapes_are_read_per_side() {
        assert_eq!(
            shapes("16/-; 32x32/32").unwrap(),
            vec![(vec![16], vec![]), (vec![32, 32], vec![32])]
        );
    }

    #[test]
    fn bad_options_are_clear_errors() {
        let err = |given: &[(&str, &str)]| search_options(&resolve(given).unwrap(), 0).unwrap_err().to_string();
        assert!(err(&[("widths", "4,x")]).contains("'x' is not a positive integer"));
        assert!(err(&[("shapes", "16")]).contains("f/g"));
        assert!(err(&[("seeds", "0")]).contains("seeds"));
        assert!(err(&[("activation", "gelu")]).contains("relu"));
        assert!(err(&[("loss", "l1")]).contains("mse"));
        assert!(err(&[("min-hidden", "4"), ("max-hidden", "2")]).contains("min-hidden"));
    }
}
