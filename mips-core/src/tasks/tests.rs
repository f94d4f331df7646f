//! Tests of the built-in tasks: every task against an independent statement of its rule, plus
//! determinism, stream separation and the special sampling schemes.

mod pinned;
pub(super) mod reference;

use std::collections::HashSet;

use super::*;
use crate::data::Dataset;
use crate::task::TaskInfo;
use reference::Steps;

/// One `#[test]` per catalog task, and the catalog's 62 names in order.
macro_rules! task_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_task($name);
            }
        )*
        const CATALOG_NAMES: &[&str] = &[$($name),*];
    };
}

task_tests! {
    abs_current => "Abs_Current",
    abs_diff => "Abs_Diff",
    add_mod_3 => "Add_Mod_3",
    add_mod_4 => "Add_Mod_4",
    add_mod_5 => "Add_Mod_5",
    add_mod_6 => "Add_Mod_6",
    add_mod_7 => "Add_Mod_7",
    add_mod_8 => "Add_Mod_8",
    alternating_last3 => "Alternating_Last3",
    alternating_last4 => "Alternating_Last4",
    balanced_parenthesis => "Balanced_Parenthesis",
    base_3_addition => "Base_3_Addition",
    base_4_addition => "Base_4_Addition",
    base_5_addition => "Base_5_Addition",
    base_6_addition => "Base_6_Addition",
    base_7_addition => "Base_7_Addition",
    binary_addition => "Binary_Addition",
    bit_dot_prod_mod2 => "Bit_Dot_Prod_Mod2",
    bit_palindrome => "Bit_Palindrome",
    bit_shift_right => "Bit_Shift_Right",
    bitwise_and => "Bitwise_And",
    bitwise_not => "Bitwise_Not",
    bitwise_or => "Bitwise_Or",
    bitwise_xor => "Bitwise_Xor",
    current_number => "Current_Number",
    diff_abs_values => "Diff_Abs_Values",
    diff_last2 => "Diff_Last2",
    dithering => "Dithering",
    div_3 => "Div_3",
    div_5 => "Div_5",
    div_7 => "Div_7",
    evens_counter => "Evens_Counter",
    evens_detector => "Evens_Detector",
    majority_0_1 => "Majority_0_1",
    majority_0_2 => "Majority_0_2",
    majority_0_3 => "Majority_0_3",
    max_seen => "Max_Seen",
    min_seen => "Min_Seen",
    newton_freebody => "Newton_Freebody",
    newton_gravity => "Newton_Gravity",
    newton_magnetic => "Newton_Magnetic",
    newton_spring => "Newton_Spring",
    parity_all => "Parity_All",
    parity_bits_mod2 => "Parity_Bits_Mod2",
    parity_last2 => "Parity_Last2",
    parity_last3 => "Parity_Last3",
    parity_last4 => "Parity_Last4",
    parity_zeros => "Parity_Zeros",
    perfect_square_detector => "Perfect_Square_Detector",
    prev1 => "Prev1",
    prev2 => "Prev2",
    prev3 => "Prev3",
    prev4 => "Prev4",
    prev5 => "Prev5",
    previous_equals_current => "Previous_Equals_Current",
    sum_all => "Sum_All",
    sum_last2 => "Sum_Last2",
    sum_last3 => "Sum_Last3",
    sum_last4 => "Sum_Last4",
    sum_last5 => "Sum_Last5",
    sum_last6 => "Sum_Last6",
    sum_last7 => "Sum_Last7",
}

const SEEDS: [u64; 3] = [0, 1, 0xDEAD_BEEF];
const LONG: usize = 37;

fn steps(flat: &[i64], width: usize) -> Steps {
    flat.chunks(width).map(<[i64]>::to_vec).collect()
}

fn within(values: &Steps, ranges: &[(i64, i64)]) -> bool {
    values
        .iter()
        .all(|step| step.len() == ranges.len() && step.iter().zip(ranges).all(|(v, &(lo, hi))| (lo..=hi).contains(v)))
}

/// Every sequence has length `len`, inputs in range, and the reference's outputs (also in the
/// catalog's output range when `len` is the catalog length).
pub(super) fn check_dataset(info: &TaskInfo, data: &Dataset, len: usize) {
    let name = info.name.as_str();
    assert_eq!(
        (data.input_dim, data.output_dim),
        (info.input_dim, info.output_dim),
        "{name}"
    );
    for (i, seq) in data.sequences.iter().enumerate() {
        assert_eq!(seq.inputs.len(), len * info.input_dim, "{name} row {i}");
        assert_eq!(seq.outputs.len(), len * info.output_dim, "{name} row {i}");
        let x = steps(&seq.inputs, info.input_dim);
        let y = steps(&seq.outputs, info.output_dim);
        assert!(
            within(&x, &info.input_ranges),
            "{name} row {i}: inputs {x:?} out of range"
        );
        assert_eq!(
            y,
            reference::outputs(name, &x),
            "{name} row {i} (len {len}), inputs {x:?}"
        );
        if len == info.seq_len {
            assert!(
                within(&y, &info.output_ranges),
                "{name} row {i}: outputs {y:?} out of range"
            );
        }
    }
}

fn check_task(name: &str) {
    let task = builtin(name).unwrap();
    let info = task.info().clone();
    assert_eq!(info.name, name);
    for seed in SEEDS {
        for len in [info.seq_len, LONG, 1] {
            let data = task.generate(seed, 40, len).expect("built-in tasks generate");
            assert_eq!(data.len(), 40);
            check_dataset(&info, &data, len);
        }
        let batch = task.train_batch(seed, 40);
        assert_eq!(batch.len(), 40);
        check_dataset(&info, &batch, info.seq_len);
    }
    let test = task.test_split();
    assert_eq!(test.len(), catalog::entry(name).unwrap().n_test, "{name}");
    assert!([99_950, 100_000, 200_000].contains(&test.len()), "{name}");
    check_dataset(&info, &test.head(200), info.seq_len);
    let last = Dataset {
        sequences: test.sequences[test.len() - 1..].to_vec(),
        ..test.head(0)
    };
    check_dataset(&info, &last, info.seq_len);
}

#[test]
fn names_are_the_catalog_names_in_order() {
    assert_eq!(names(), CATALOG_NAMES);
}

#[test]
fn unknown_names_list_the_valid_ones() {
    let message = builtin("Add_Mod_Nine").unwrap_err().to_string();
    assert!(message.contains("Add_Mod_Nine") && message.contains("Abs_Current") && message.contains("Sum_Last7"));
    assert!(message.contains("Add_Mod_{K} for K in 2..=64"), "{message}");
}

#[test]
fn info_follows_the_catalog() {
    let prev5 = builtin("Prev5").unwrap();
    let info = prev5.info();
    assert_eq!((info.seq_len, info.train_steps), (20, 10_000));
    assert_eq!(info.input_ranges, vec![(0, 99)]);
    assert_eq!(info.rule, "y[t] = x[t-5] if t >= 5 else 0");
    assert_eq!(info.loss, crate::task::Loss::Log);
    assert_eq!((info.paper_solved, info.gpt4_solved), (Some(true), Some(true)));

    let magnetic = builtin("Newton_Magnetic").unwrap();
    let info = magnetic.info();
    assert_eq!((info.input_dim, info.output_dim), (2, 2));
    assert_eq!(info.output_ranges, vec![(-1260, 1260), (-1260, 1260)]);
    assert_eq!((info.paper_solved, info.gpt4_solved), (Some(false), Some(false)));

    let dithering = builtin("Dithering").unwrap();
    assert_eq!(
        (dithering.info().paper_solved, dithering.info().gpt4_solved),
        (Some(false), Some(true))
    );
    assert_eq!(builtin("Balanced_Parenthesis").unwrap().info().train_steps, 20_000);
}

#[test]
fn generation_is_deterministic_and_seed_dependent() {
    for name in ["Sum_Last3", "Bit_Palindrome", "Newton_Magnetic"] {
        let (one, two) = (builtin(name).unwrap(), builtin(name).unwrap());
        assert_eq!(one.generate(5, 300, 12), two.generate(5, 300, 12), "{name}");
        assert_eq!(one.train_batch(5, 300), two.train_batch(5, 300), "{name}");
        assert_ne!(one.generate(5, 300, 12), one.generate(6, 300, 12), "{name}");
        assert_ne!(one.train_batch(5, 300), one.train_batch(6, 300), "{name}");
    }
}

#[test]
fn fewer_rows_are_a_prefix_of_more_rows() {
    let task = builtin("Add_Mod_5").unwrap();
    let many = task.generate(9, 3000, 10).unwrap();
    assert_eq!(task.generate(9, 1500, 10).unwrap(), many.head(1500));
}

#[test]
fn generation_does_not_depend_on_the_thread_count() {
    let task = builtin("Majority_0_3").unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let single = pool.install(|| task.generate(3, 5000, 10));
    assert_eq!(single, task.generate(3, 5000, 10));
}

#[test]
fn test_split_is_fixed_and_apart_from_training() {
    let task = builtin("Parity_Last3").unwrap();
    let test = task.test_split();
    assert_eq!(test, builtin("Parity_Last3").unwrap().test_split());
    let seed = catalog::entry("Parity_Last3").unwrap().seed;
    for s in [0, 1, seed] {
        assert_ne!(task.train_batch(s, 100), test.head(100), "train seed {s}");
        assert_ne!(task.generate(s, 100, 10).unwrap(), test.head(100), "generate seed {s}");
    }
}

#[test]
fn bit_palindrome_inputs_start_with_a_palindrome() {
    let task = builtin("Bit_Palindrome").unwrap();
    for len in [2, 10, LONG] {
        let data = task.generate(11, 2000, len).unwrap();
        for seq in &data.sequences {
            let x = &seq.inputs;
            let palindromic = |l: usize| x[..l].iter().eq(x[..l].iter().rev());
            assert!(
                (2..=len).any(palindromic),
                "{x:?} has no palindromic prefix of length >= 2"
            );
            if len == 10 {
                assert_ne!(x, &[0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
                assert_ne!(x, &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            }
        }
    }
    // The prefix length varies: some samples are full-length palindromes, some are not.
    let data = task.generate(12, 2000, 10).unwrap();
    let full = data.sequences.iter().filter(|s| s.outputs[9] == 1).count();
    assert!(full > 0 && full < data.len());
}

#[test]
fn previous_equals_current_test_split_has_no_duplicate_rows() {
    let task = builtin("Previous_Equals_Current").unwrap();
    let test = task.test_split();
    let distinct: HashSet<&Vec<i64>> = test.sequences.iter().map(|s| &s.inputs).collect();
    assert_eq!(distinct.len(), test.len());
    assert_eq!(test.len(), 99_950);
}

#[test]
fn magnetic_reports_overflow_instead_of_wrapping() {
    let task = builtin("Newton_Magnetic").unwrap();
    assert!(task.generate(0, 4, 100).is_some());
    assert!(task.generate(0, 4, 400).is_none());
}

/// The closed form of the reference (Gaussian integers), in unbounded integers.
fn magnetic_closed_form(x: &[i64]) -> Vec<crate::BigInt> {
    use crate::BigInt;
    let mul = |(p, q): &(BigInt, BigInt), (r, s): &(BigInt, BigInt)| (p * r - q * s, p * s + q * r);
    let steps = x.len() / 2;
    let mut powers = vec![(BigInt::from(1), BigInt::from(0))];
    for e in 1..steps {
        let next = mul(&powers[e - 1], &(BigInt::from(1), BigInt::from(1)));
        powers.push(next);
    }
    let (mut px, mut py) = (BigInt::from(0), BigInt::from(0));
    let mut out = Vec::new();
    for t in 0..steps {
        for s in 0..=t {
            let term = mul(&powers[t - s], &(BigInt::from(x[2 * s]), BigInt::from(x[2 * s + 1])));
            px += term.0;
            py += term.1;
        }
        out.extend([px.clone(), py.clone()]);
    }
    out
}

#[test]
fn magnetic_labels_are_exact_beyond_i64() {
    let task = builtin("Newton_Magnetic").unwrap();
    let fresh = task.generate_fresh(4, 6, 300).unwrap();
    assert_eq!((fresh.inputs.len(), fresh.outgrown()), (6, 6));
    for k in 0..6 {
        let exact = fresh.exact(&task, k).unwrap();
        assert!(exact.first_big().is_some());
        assert_eq!(
            exact,
            crate::ir::Values::from_big(magnetic_closed_form(&fresh.inputs[k]))
        );
    }
    let err = fresh.into_dataset(&task).unwrap_err().to_string();
    assert!(
        err.contains("outgrow 64-bit integers at length 300: step ") && err.contains("ask for shorter sequences"),
        "{err}"
    );
}

#[test]
fn fresh_sequences_are_the_generated_ones() {
    for name in names() {
        let task = builtin(name).unwrap();
        let len = task.info().seq_len * 3;
        let fresh = task.generate_fresh(7, 30, len).unwrap();
        assert_eq!(fresh.outgrown(), 0, "{name}");
        for k in [0, 29] {
            let exact = fresh.exact(&task, k).unwrap();
            let small = crate::ir::Values::from_big(task.exact_labels(&fresh.inputs[k]).unwrap());
            assert_eq!(exact, small, "{name}: exact labels agree with the i64 ones");
        }
        assert_eq!(
            Some(fresh.into_dataset(&task).unwrap()),
            task.generate(7, 30, len),
            "{name}"
        );
    }
}

#[test]
fn data_files_cannot_generate_fresh_sequences() {
    let path = std::env::temp_dir().join(format!("mips-fresh-test-{}.csv", std::process::id()));
    std::fs::write(&path, "0 1,1 0\n1 1,0 0\n1 0,0 1\n").unwrap();
    let task = open(path.to_str().unwrap());
    std::fs::remove_file(&path).unwrap();
    let err = task.unwrap().generate_fresh(0, 1, 5).unwrap_err().to_string();
    assert!(err.contains("cannot generate sequences (a data file"), "{err}");
}

#[test]
fn open_accepts_names_and_data_files() {
    assert_eq!(open("Prev2").unwrap().info().name, "Prev2");

    let path = std::env::temp_dir().join(format!("mips-open-test-{}.csv", std::process::id()));
    std::fs::write(&path, "0 1,1 0\n1 1,0 0\n1 0,0 1\n").unwrap();
    let task = open(path.to_str().unwrap());
    std::fs::remove_file(&path).unwrap();
    let task = task.unwrap();
    assert_eq!(task.test_split().len(), 1);
    assert!(task.generate(0, 1, 5).is_none());

    let message = open("No_Such_Task").err().unwrap().to_string();
    assert!(message.contains("No_Such_Task"));
    assert!(message.contains("built-in") && message.contains("data file") && message.contains("Abs_Current"));
}
