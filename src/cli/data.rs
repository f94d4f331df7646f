//! `mips data`: sample sequences of a task, printed in the CSV data-file format.

use clap::Args;
use mips_core::data::Dataset;
use mips_core::tasks;

use super::Globals;
use super::output::emit;

#[derive(Args, Debug)]
pub struct DataArgs {
    /// A built-in task name or a data file (.csv, .jsonl).
    pub task: String,
    /// Number of sequences.
    #[arg(long, default_value_t = 5)]
    pub n: usize,
    /// Sequence length (built-in tasks only; default: the task's training length).
    #[arg(long)]
    pub len: Option<usize>,
    /// Print rows of the test split instead of fresh training sequences.
    #[arg(long)]
    pub test: bool,
}

pub fn run(args: DataArgs, globals: &Globals) -> anyhow::Result<()> {
    let task = tasks::open(&args.task)?;
    let data = if args.test {
        task.test_split().head(args.n)
    } else if let Some(len) = args.len {
        if len == 0 {
            anyhow::bail!("--len must be at least 1");
        }
        // Says which cause holds: a data file, or labels that outgrow 64-bit integers.
        task.generate_fresh(globals.seed, args.n, len)?
            .into_dataset(task.as_ref())?
    } else {
        task.train_batch(globals.seed, args.n)
    };
    emit(&to_csv(&data))
}

/// Formats a dataset in the CSV data-file format (`inputs,outputs`; steps separated by spaces,
/// components by `:`).
pub fn to_csv(data: &Dataset) -> String {
    let steps = |values: &[i64], dim: usize| {
        values
            .chunks(dim.max(1))
            .map(|step| step.iter().map(i64::to_string).collect::<Vec<_>>().join(":"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::from("inputs,outputs\n");
    for s in &data.sequences {
        out.push_str(&format!(
            "{},{}\n",
            steps(&s.inputs, data.input_dim),
            steps(&s.outputs, data.output_dim)
        ));
    }
    out
}
