//! Tests of the data file readers and [`FileTask`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::task::{Loss, Task};

/// A temporary file that is removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(ext: &str, content: &str) -> TempFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("mips-data-{}-{n}.{ext}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read(ext: &str, content: &str) -> Result<Dataset> {
    read_dataset(&TempFile::new(ext, content).0)
}

/// The line and message of the parse error `content` gives.
fn parse_error(ext: &str, content: &str) -> (usize, String) {
    match read(ext, content) {
        Err(MipsError::Parse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn assert_error(ext: &str, content: &str, line: usize, words: &[&str]) {
    let (found_line, message) = parse_error(ext, content);
    assert_eq!(found_line, line, "{message}");
    for word in words {
        assert!(message.contains(word), "'{message}' does not mention '{word}'");
    }
}

#[test]
fn csv_one_dimensional_with_header_comments_and_varying_lengths() {
    let data = read("csv", "inputs,outputs\n# a comment\n\n1 2 3,1 3 6\n  4 -5 , 4 -1\n").unwrap();
    assert_eq!((data.input_dim, data.output_dim), (1, 1));
    assert_eq!(data.len(), 2);
    assert_eq!(data.sequences[0].inputs, vec![1, 2, 3]);
    assert_eq!(data.sequences[0].outputs, vec![1, 3, 6]);
    assert_eq!(data.sequences[1].inputs, vec![4, -5]);
    assert_eq!(data.sequences[1].outputs, vec![4, -1]);
}

#[test]
fn csv_two_dimensional() {
    let data = read("csv", "1:0 0:1 1:1,1 1 0\r\n0:0 1:1 1:0,0 0 0\r\n").unwrap();
    assert_eq!((data.input_dim, data.output_dim), (2, 1));
    assert_eq!(data.sequences[0].inputs, vec![1, 0, 0, 1, 1, 1]);
    assert_eq!(data.sequences[0].outputs, vec![1, 1, 0]);
    assert_eq!(data.seq_len(1), 3);
}

#[test]
fn jsonl_one_and_two_dimensional() {
    let data = read(
        "jsonl",
        "{\"inputs\": [1, 2], \"outputs\": [1, 3]}\n\n{\"outputs\": [7], \"inputs\": [[7]]}\n",
    )
    .unwrap();
    assert_eq!((data.input_dim, data.output_dim), (1, 1));
    assert_eq!(data.sequences[1].inputs, vec![7]);

    let text =
        "{\"inputs\": [[1, 0], [0, 1]], \"outputs\": [[1, 2], [3, 4]]}\n{\"inputs\": [[-1, 5]], \"outputs\": [[0, 0]]}";
    let data = read("json", text).unwrap();
    assert_eq!((data.input_dim, data.output_dim), (2, 2));
    assert_eq!(data.sequences[0].outputs, vec![1, 2, 3, 4]);
    assert_eq!(data.sequences[1].inputs, vec![-1, 5]);
}

#[test]
fn empty_files_are_rejected() {
    assert_error("csv", "", 1, &["no", "sequence"]);
    assert_error("csv", "inputs,outputs\n# nothing\n\n", 3, &["no", "sequence"]);
    assert_error("jsonl", "\n\n", 2, &["no", "sequence"]);
}

#[test]
fn ragged_steps_and_rows_are_rejected() {
    assert_error(
        "csv",
        "1:0 1:1,1 1\n1:0 1,1 0\n",
        2,
        &["ragged", "step 2", "expected 2"],
    );
    assert_error("csv", "# c\n1:0 1,1 0\n", 2, &["ragged", "step 2", "expected 2"]);
    assert_error("csv", "1 0,1 1\n1 0,1:1 0:0\n", 2, &["ragged output", "expected 1"]);
    assert_error(
        "jsonl",
        "{\"inputs\": [1], \"outputs\": [1]}\n{\"inputs\": [[1, 2]], \"outputs\": [1]}\n",
        2,
        &["ragged input"],
    );
}

#[test]
fn non_integers_are_rejected() {
    assert_error(
        "csv",
        "1 0,1 1\n1 1.5,0 1\n",
        2,
        &["inputs", "step 2", "integer", "1.5"],
    );
    assert_error("csv", "1 0,1 x\n", 1, &["outputs", "integer", "'x'"]);
    assert_error("csv", "1 99999999999999999999,1 1\n", 1, &["out of range"]);
    assert_error(
        "jsonl",
        "{\"inputs\": [1, 1.5], \"outputs\": [0, 1]}\n",
        1,
        &["inputs", "integer", "1.5"],
    );
    assert_error(
        "jsonl",
        "{\"inputs\": [1, \"x\"], \"outputs\": [0, 1]}\n",
        1,
        &["integer", "\"x\""],
    );
    assert_error(
        "jsonl",
        "{\"inputs\": [1, []], \"outputs\": [0, 1]}\n",
        1,
        &["non-empty"],
    );
}

#[test]
fn length_mismatches_are_rejected() {
    assert_error("csv", "1 0,1 1\n1 0 1,1 1\n", 2, &["3 input", "2 output"]);
    assert_error(
        "jsonl",
        "{\"inputs\": [1], \"outputs\": [1, 0]}\n",
        1,
        &["1 input", "2 output"],
    );
}

#[test]
fn missing_fields_are_rejected() {
    assert_error("csv", "1 0,1 1\n1 0\n", 2, &["two comma-separated fields", "found 1"]);
    assert_error("csv", "1 0,1 1,0\n", 1, &["two comma-separated fields", "found 3"]);
    assert_error("csv", "1 0,1 1\n,1 1\n", 2, &["missing inputs"]);
    assert_error("csv", "1 0,\n", 1, &["missing outputs"]);
    assert_error("jsonl", "{\"inputs\": [1, 0]}\n", 1, &["missing field \"outputs\""]);
    assert_error(
        "jsonl",
        "{\"inputs\": 3, \"outputs\": [1]}\n",
        1,
        &["inputs", "array of steps"],
    );
    assert_error(
        "jsonl",
        "{\"inputs\": [], \"outputs\": []}\n",
        1,
        &["at least one input step"],
    );
}

#[test]
fn invalid_json_is_rejected() {
    assert_error(
        "jsonl",
        "{\"inputs\": [1], \"outputs\": [1]}\n{\"inputs\": [1\n",
        2,
        &["invalid JSON"],
    );
    assert_error("jsonl", "[1, 2]\n", 1, &["object per line"]);
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let csv = read("csv", "\u{feff}inputs,outputs\n1 0,1 1\n").unwrap();
    assert_eq!(csv.sequences[0].inputs, vec![1, 0]);
    let headless = read("csv", "\u{feff}1 0,1 1\n").unwrap();
    assert_eq!(headless, csv);
    let jsonl = read("jsonl", "\u{feff}{\"inputs\": [1, 0], \"outputs\": [1, 1]}\n").unwrap();
    assert_eq!(jsonl, csv);
    // Only at the start of the file.
    assert_error("csv", "1,1\n\u{feff}1,1\n", 2, &["expected an integer"]);
}

#[test]
fn messages_quote_at_most_a_short_excerpt_of_a_huge_token() {
    let token = "7".repeat(1_000_000);
    for (ext, content) in [
        ("csv", format!("{token},1\n")),
        ("csv", format!("1,x{token}\n")),
        ("jsonl", format!("{{\"inputs\": [\"{token}\"], \"outputs\": [1]}}\n")),
    ] {
        let message = read(ext, &content).unwrap_err().to_string();
        assert!(
            message.len() < 300,
            "{ext}: {} bytes: {}",
            message.len(),
            &message[..300]
        );
        assert!(message.contains("777…"), "{message}");
    }
}

#[test]
fn unsupported_extensions_and_missing_files_are_errors() {
    let message = read("txt", "1,1\n").unwrap_err().to_string();
    assert!(message.contains(".csv") && message.contains(".jsonl"), "{message}");
    let missing = read_dataset(Path::new("/nonexistent/mips/data.csv")).unwrap_err();
    assert!(matches!(missing, MipsError::Io { .. }));
}

#[test]
fn file_task_splits_and_describes_the_data() {
    let rows: String = (0..25).map(|i| format!("{i}:{} {}:0,1 0\n", -i, i % 3)).collect();
    let file = TempFile::new("csv", &format!("inputs,outputs\n{rows}5:5 5:5 5:5,1 1 1\n"));
    let task = FileTask::open(&file.0, 0.1).unwrap();
    // 26 rows: ceil(2.6) = 3 test rows, the last of which is the longest.
    assert_eq!(task.test_split().len(), 3);
    assert_eq!(task.train_split().len(), 23);
    assert_eq!(task.test_split().sequences[2].inputs, vec![5, 5, 5, 5, 5, 5]);
    let info = task.info();
    assert_eq!(info.name, file.0.file_stem().unwrap().to_str().unwrap());
    assert_eq!((info.input_dim, info.output_dim, info.seq_len), (2, 1, 2));
    assert_eq!(info.input_ranges, vec![(0, 24), (-24, 5)]);
    assert_eq!(info.output_ranges, vec![(0, 1)]);
    assert_eq!(
        (info.loss, info.train_steps, info.paper_solved, info.gpt4_solved),
        (Loss::Log, 10_000, None, None)
    );
    assert!(info.rule.starts_with("data file "));
    assert!(task.generate(0, 3, 3).is_none());
}

#[test]
fn file_task_train_batches_are_deterministic_draws_from_the_train_split() {
    let rows: String = (0..20).map(|i| format!("{i},{i}\n")).collect();
    let file = TempFile::new("csv", &rows);
    let task = FileTask::open(&file.0, 0.25).unwrap();
    assert_eq!(task.test_split().len(), 5);
    let batch = task.train_batch(4, 200);
    assert_eq!(batch.len(), 200);
    assert_eq!(batch, task.train_batch(4, 200));
    assert_ne!(batch, task.train_batch(5, 200));
    assert!(batch.sequences.iter().all(|s| s.inputs[0] < 15));
    let distinct: std::collections::HashSet<i64> = batch.sequences.iter().map(|s| s.inputs[0]).collect();
    assert!(distinct.len() > 10);
}

#[test]
fn file_task_small_files_and_bad_fractions() {
    let two = TempFile::new("csv", "1,1\n2,2\n");
    let task = FileTask::open(&two.0, 0.0).unwrap();
    assert_eq!((task.train_split().len(), task.test_split().len()), (1, 1));
    let one = TempFile::new("csv", "1,1\n");
    let task = FileTask::open(&one.0, 0.5).unwrap();
    assert_eq!((task.train_split().len(), task.test_split().len()), (1, 1));
    assert!(FileTask::open(&one.0, 1.0).is_err());
    assert!(FileTask::open(&one.0, f64::NAN).is_err());
}
