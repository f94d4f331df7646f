//! The `minimize-architecture` pass: finds the smallest network reaching 100% test accuracy
//! (hidden size first, then the depths and widths of f and g) with
//! [`mips_core::train::minimize`]. It ignores any input network: it trains from scratch on the
//! task of the pass context, with the context's seed.

mod progress;

use mips_core::ir::Activation;
use mips_core::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use mips_core::task::Loss;
use mips_core::train::run::Schedule;
use mips_core::train::{SearchOptions, SearchReport, SearchStop, minimize};
use mips_core::{MipsError, Result};

/// The pass's name in pipelines.
pub const NAME: &str = "minimize-architecture";

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct MinimizeArchitecture;

mips_core::register_pass!(MinimizeArchitecture);

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

/// The search options a set of pass options describes (`seed` from the pass context).
pub fn search_options(options: &Options, seed: u64) -> Result<SearchOptions> {
    let mut o = SearchOptions {
        seed,
        ..SearchOptions::default()
    };
    let positive = |name: &str| -> Result<usize> {
        let v = options.int(name);
        if v <= 0 {
            return Err(MipsError::invalid(
                format!("option '{name}' of pass '{NAME}'"),
                format!("must be positive, got {v}"),
            ));
        }
        Ok(v as usize)
    };
    o.train.max_steps = positive("max-steps")?;
    o.linear.max_steps = positive("linear-max-steps")?;
    o.train.patience = options.usize("patience");
    o.linear.patience = options.usize("linear-patience");
    o.train.lr = options.float("lr");
    o.linear.lr = options.float("linear-lr");
    o.train.schedule = Schedule::parse(options.text("schedule"))?;
    o.linear.schedule = Schedule::parse(options.text("linear-schedule"))?;
    let loss = match options.text("loss") {
        "task" => None,
        name => Some(Loss::parse(name)?),
    };
    for t in [&mut o.train, &mut o.linear] {
        t.batch_size = positive("batch")?;
        t.eval_every = positive("eval-every")?;
        t.weight_decay = options.float("weight-decay");
        t.normalize = options.bool("normalize");
        t.loss = loss;
    }
    o.seeds = positive("seeds")?;
    o.min_hidden = positive("min-hidden")?;
    o.max_hidden = positive("max-hidden")?;
    o.max_hidden_mlp = positive("max-hidden-mlp")?;
    o.max_depth = options.usize("max-depth");
    o.widths = list(options.text("widths"), "widths")?;
    o.generous = shapes(options.text("shapes"))?;
    o.activation = Activation::parse(options.text("activation"))?;
    o.max_total_steps = options.usize("max-total-steps");
    o.round_steps = options.usize("round-steps");
    o.max_seconds = options.float("max-seconds");
    o.polish_steps = options.usize("polish-steps");
    o.polish_from = options.float("polish-from");
    o.validate()?;
    Ok(o)
}

impl Pass for MinimizeArchitecture {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Train the smallest RNN (hidden size, then MLP depths and widths) reaching 100% test accuracy"
    }

    fn kind(&self) -> PassKind {
        PassKind::Architecture
    }

    fn options(&self) -> Vec<OptionSpec> {
        let d = SearchOptions::default();
        let widths = d.widths.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(",");
        vec![
            OptionSpec::int(
                "max-steps",
                d.train.max_steps as i64,
                "steps per training run of an MLP shape",
            ),
            OptionSpec::int(
                "patience",
                d.train.patience as i64,
                "end an MLP run after this many steps without progress (0: never)",
            ),
            OptionSpec::float("lr", d.train.lr, "AdamW learning rate of MLP runs"),
            OptionSpec::text(
                "schedule",
                "constant",
                "learning-rate schedule of MLP runs: constant, cosine or plateau",
            ),
            OptionSpec::int(
                "linear-max-steps",
                d.linear.max_steps as i64,
                "steps per training run of a linear RNN",
            ),
            OptionSpec::int(
                "linear-patience",
                d.linear.patience as i64,
                "end a linear run after this many steps without progress (0: never)",
            ),
            OptionSpec::float("linear-lr", d.linear.lr, "AdamW learning rate of linear runs"),
            OptionSpec::text("linear-schedule", "cosine", "learning-rate schedule of linear runs"),
            OptionSpec::int(
                "max-total-steps",
                d.max_total_steps as i64,
                "steps over all runs of the search, growth rounds included (0: unlimited first round, no growth)",
            ),
            OptionSpec::int(
                "round-steps",
                d.round_steps as i64,
                "steps of the first round (hidden sizes up to max-hidden); a failed first round grows the hidden sizes (0: no separate bound)",
            ),
            OptionSpec::float(
                "max-seconds",
                d.max_seconds,
                "wall-time budget of the search in seconds (0: unlimited; a machine-dependent cut)",
            ),
            OptionSpec::int(
                "polish-steps",
                d.polish_steps as i64,
                "steps per seed of further training of a near miss (0: none)",
            ),
            OptionSpec::float(
                "polish-from",
                d.polish_from,
                "smallest test accuracy of a near miss that is trained further",
            ),
            OptionSpec::int("min-hidden", d.min_hidden as i64, "smallest hidden size tried"),
            OptionSpec::int(
                "max-hidden",
                d.max_hidden as i64,
                "largest hidden size of the first round's linear RNNs (growth rounds double it)",
            ),
            OptionSpec::int(
                "max-hidden-mlp",
                d.max_hidden_mlp as i64,
                "largest hidden size of the first round's MLP shapes when no linear RNN succeeds (growth rounds double it)",
            ),
            OptionSpec::int(
                "seeds",
                d.seeds as i64,
                "seeds trained per candidate shape (in parallel)",
            ),
            OptionSpec::text(
                "widths",
                &widths,
                "MLP hidden-layer widths of the smaller shapes tried, comma-separated",
            ),
            OptionSpec::text(
                "shapes",
                &shapes_text(&d.generous),
                "MLP shapes tried at each hidden size before the smaller ones, f/g;f/g with widths like 32x32 or - (none)",
            ),
            OptionSpec::int(
                "max-depth",
                d.max_depth as i64,
                "most hidden layers per MLP (0: linear RNNs only)",
            ),
            OptionSpec::text("activation", d.activation.name(), "relu, tanh, sigmoid or identity"),
            OptionSpec::int("batch", d.train.batch_size as i64, "sequences per training batch"),
            OptionSpec::float("weight-decay", d.train.weight_decay, "AdamW decoupled weight decay"),
            OptionSpec::text(
                "loss",
                "task",
                "training loss: task (the task's), log, mse or cross_entropy",
            ),
            OptionSpec::bool(
                "normalize",
                d.train.normalize,
                "train with inputs and outputs scaled to [-1, 1]",
            ),
            OptionSpec::int(
                "eval-every",
                d.train.eval_every as i64,
                "steps between test-accuracy screens",
            ),
            OptionSpec::bool(
                "require-solved",
                true,
                "fail when no network reaches 100% (false: return the most accurate one)",
            ),
        ]
    }

    fn check_options(&self, options: &Options) -> Result<()> {
        search_options(options, 0).map(drop)
    }

    fn run(&self, _input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let opts = search_options(options, ctx.seed)?;
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
        ctx.note("shape", &report.shape);
        ctx.note("steps", report.steps);
        ctx.note("total-steps", report.total_steps);
        ctx.note("runs", report.runs.len());
        ctx.note("stop", report.stop.name());
        if !report.solved() && options.bool("require-solved") {
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
        Ok(Artifact::Network(net))
    }
}

/// A one-line summary of a search.
pub fn summary(r: &SearchReport) -> String {
    let outcome = match r.stop {
        SearchStop::Found => "found".to_string(),
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
    use mips_core::pass::Registry;
    use mips_core::task::Task;

    fn resolve(given: &[(&str, &str)]) -> Result<Options> {
        let given: Vec<(String, String)> = given.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Options::resolve(NAME, &MinimizeArchitecture.options(), &given)
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
        let options = resolve(&[
            ("max-hidden", "1"),
            ("max-depth", "0"),
            ("linear-lr", "0.01"),
            ("linear-max-steps", "3000"),
            ("batch", "32"),
        ])
        .unwrap();
        let Artifact::Network(net) = MinimizeArchitecture.run(&Artifacts::default(), &options, &ctx).unwrap() else {
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
