//! `mips bench --as-files N`: the data-file regime. Each task's generator writes a data file of
//! `N` training-length sequences (the CSV format `mips data` prints); the pipeline sees only that
//! file as a [`FileTask`] (training on its training split, checking on its test split), and the
//! final verification adds fresh sequences 10× longer from the generator, which the pipeline
//! never saw.

use std::path::{Path, PathBuf};

use mips_core::atomic::write_atomic;
use mips_core::data::Dataset;
use mips_core::data::file::FileTask;
use mips_core::task::{FreshSequences, Task, TaskInfo};
use mips_core::tasks::{self, BuiltinTask};

/// Fewest sequences a data file of this regime may hold: one to train on, one to test on.
pub const MIN_SEQUENCES: usize = 2;

/// Parses `--as-files N`: a number of sequences, at least [`MIN_SEQUENCES`].
pub fn parse_count(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of sequences per data file, found '{text}'"))?;
    if n < MIN_SEQUENCES {
        return Err(format!(
            "expected at least {MIN_SEQUENCES} sequences per data file (one to train on, one to test on), found {n}"
        ));
    }
    Ok(n)
}

/// The folder of this regime's records, programs and data files inside `--out`, so that they
/// never mix with the generator regime's records there.
pub fn folder(out: &Path) -> PathBuf {
    out.join("files")
}

/// The data file written for `task` in a regime folder.
pub fn data_path(folder: &Path, task: &str) -> PathBuf {
    folder.join("data").join(format!("{task}.csv"))
}

/// One task in the data-file regime: the pipeline's task (the file) and the task the final
/// verification checks against (the file's test split, and the generator's fresh sequences).
pub struct FileRegime {
    file: FileTask,
    generator: BuiltinTask,
}

impl FileRegime {
    /// Writes `n` sequences of `name`'s generator (its training batch for `seed`) to the task's
    /// data file in `folder` (atomically) and opens that file as a task with the default test
    /// fraction, as `mips synth FILE` would.
    pub fn prepare(name: &str, n: usize, seed: u64, folder: &Path) -> anyhow::Result<FileRegime> {
        let generator = tasks::builtin(name)?;
        let path = data_path(folder, name);
        let rows = generator.train_batch(seed, n);
        write_atomic(&path, crate::cli::to_csv(&rows).as_bytes())?;
        let file = FileTask::open(&path, tasks::DEFAULT_TEST_FRACTION)?;
        Ok(FileRegime { file, generator })
    }

    /// The task the pipeline runs on: the data file alone.
    pub fn file(&self) -> &FileTask {
        &self.file
    }

    /// The generator's facts (published outcomes for the table).
    pub fn generator_info(&self) -> &TaskInfo {
        self.generator.info()
    }
}

/// For the final verification only: the file's splits and facts, the generator's fresh
/// sequences (at the file's training length, which is the generator's).
impl Task for FileRegime {
    fn info(&self) -> &TaskInfo {
        self.file.info()
    }

    fn train_batch(&self, seed: u64, n: usize) -> Dataset {
        self.file.train_batch(seed, n)
    }

    fn test_split(&self) -> &Dataset {
        self.file.test_split()
    }

    fn generate(&self, seed: u64, n: usize, len: usize) -> Option<Dataset> {
        self.generator.generate(seed, n, len)
    }

    fn generate_fresh(&self, seed: u64, n: usize, len: usize) -> mips_core::Result<FreshSequences> {
        self.generator.generate_fresh(seed, n, len)
    }

    fn exact_labels(&self, inputs: &[i64]) -> Option<Vec<mips_core::BigInt>> {
        self.generator.exact_labels(inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_below_two_or_not_numbers_are_refused_with_the_reason() {
        assert_eq!(parse_count("20000"), Ok(20000));
        assert!(parse_count("1").unwrap_err().contains("at least 2"));
        assert!(parse_count("0").unwrap_err().contains("found 0"));
        assert!(parse_count("many").unwrap_err().contains("'many'"));
    }

    #[test]
    fn the_pipeline_sees_the_file_and_the_check_adds_the_generator() {
        let dir = std::env::temp_dir().join(format!("mips-as-files-{}", std::process::id()));
        let regime = FileRegime::prepare("Bitwise_Not", 50, 3, &dir).unwrap();
        let file = regime.file();
        assert_eq!(file.train_split().len() + file.test_split().len(), 50);
        assert_eq!(file.test_split().len(), 5, "the default test fraction of 50 rows");
        assert!(
            file.generate(1, 4, 20).is_none(),
            "the pipeline's task has no generator"
        );
        let fresh = regime.generate(1, 4, 20).expect("the check's task generates");
        assert_eq!(fresh.max_len(), 20);
        assert_eq!(regime.test_split(), file.test_split());
        let written = mips_core::data::file::read_dataset(&data_path(&dir, "Bitwise_Not")).unwrap();
        assert_eq!(written.len(), 50);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
