//! Tests of the task families: derivations against the catalog, each family's rule against the
//! independent reference and the benchmark's generator, names and ranges, the generality suite.

use std::collections::HashSet;

use super::*;
use crate::task::Task;
use crate::tasks::tests::check_dataset;
use crate::tasks::{BuiltinTask, builtin, names, open, rules};

fn member(name: &str) -> Member {
    parse(name)
        .unwrap()
        .unwrap_or_else(|| panic!("{name} is no family member"))
}

/// A member's task built from its family, even when it is a benchmark task.
fn derived(name: &str) -> BuiltinTask {
    BuiltinTask::from_spec(member(name).spec())
}

#[test]
fn every_family_has_its_benchmark_members() {
    let members: Vec<(String, Vec<i64>)> = all().iter().map(|f| (f.pattern(), f.benchmark_members())).collect();
    let expected: Vec<(&str, Vec<i64>)> = vec![
        ("Add_Mod_{K}", (3..=8).collect()),
        ("Base_{B}_Addition", (2..=7).collect()),
        ("Prev{K}", (1..=5).collect()),
        ("Bit_Shift_Right_{K}", vec![1]),
        ("Sum_Last{K}", (2..=7).collect()),
        ("Parity_Last{K}", vec![2, 3, 4]),
        ("Alternating_Last{K}", vec![3, 4]),
        ("Div_{K}", vec![3, 5, 7]),
        ("Majority_0_{K}", vec![1, 2, 3]),
        ("Bit_Dot_Prod_Mod{K}", vec![2]),
        ("Parity_Bits_Mod{K}", vec![2]),
    ];
    let expected: Vec<(String, Vec<i64>)> = expected.into_iter().map(|(p, m)| (p.to_string(), m)).collect();
    assert_eq!(members, expected);
    let count: usize = all().iter().map(|f| f.benchmark_members().len()).sum();
    assert_eq!(count, 37, "37 of the 62 belong to a family");
}

/// The family's derivations give each benchmark member the catalog's entry: ranges, length,
/// loss, rule, sampling, test seed and size (only Binary_Addition's step hint differs).
#[test]
fn derivations_reproduce_the_catalog_entries() {
    for family in all() {
        for k in family.benchmark_members() {
            let name = family.name(k);
            let entry = catalog::entry(&name).unwrap();
            let mut from_catalog = entry.spec(rules::for_task(&name).unwrap());
            let mut from_family = member(&name).spec();
            for spec in [&mut from_catalog, &mut from_family] {
                spec.info.rule.clear();
                (spec.info.paper_solved, spec.info.gpt4_solved) = (None, None);
            }
            if name == "Binary_Addition" {
                assert_eq!(
                    (from_catalog.info.train_steps, from_family.info.train_steps),
                    (10_000, 20_000)
                );
                from_family.info.train_steps = from_catalog.info.train_steps;
            }
            assert_eq!(from_family, from_catalog, "{name}");
        }
    }
}

/// For a benchmark member, the family's generator draws exactly the benchmark's sequences.
#[test]
fn family_generators_match_the_benchmark_generators() {
    for family in all() {
        let k = family.benchmark_members()[0];
        let name = family.name(k);
        let (ours, theirs) = (derived(&name), builtin(&name).unwrap());
        for len in [1, 10, 23] {
            assert_eq!(
                ours.generate(5, 300, len),
                theirs.generate(5, 300, len),
                "{name} at {len}"
            );
        }
        assert_eq!(ours.train_batch(8, 200), theirs.train_batch(8, 200), "{name}");
    }
}

/// Two members outside the benchmark per family, checked against the independent reference:
/// a generality-suite member and the largest parameter.
#[test]
fn family_rules_follow_the_reference_outside_the_benchmark() {
    for family in all() {
        for k in [family.sweep.1, family.range.1] {
            let name = family.name(k);
            assert!(catalog::entry(&name).is_none(), "{name}");
            let task = builtin(&name).unwrap();
            let info = task.info().clone();
            assert_eq!(info.name, name);
            for seed in [0, 3] {
                check_dataset(&info, &task.train_batch(seed, 60), info.seq_len);
                check_dataset(&info, &task.generate(seed, 60, 9).unwrap(), 9);
            }
        }
    }
}

#[test]
fn member_settings_come_from_the_parameter() {
    let info = |name: &str| builtin(name).unwrap().info().clone();
    let add = info("Add_Mod_13");
    assert_eq!(
        (add.input_ranges, add.output_ranges, add.seq_len),
        (vec![(0, 12)], vec![(0, 12)], 10)
    );
    assert_eq!(add.rule, "y[t] = (x[0] + ... + x[t]) mod 13");
    assert_eq!((add.paper_solved, add.gpt4_solved), (None, None));
    let base = info("Base_11_Addition");
    assert_eq!(
        (base.input_dim, base.input_ranges, base.output_ranges),
        (2, vec![(0, 10); 2], vec![(0, 10)])
    );
    let prev = info("Prev12");
    assert_eq!(
        (prev.input_ranges, prev.output_ranges, prev.seq_len),
        (vec![(0, 99)], vec![(0, 99)], 30)
    );
    let sum = info("Sum_Last32");
    assert_eq!((sum.output_ranges, sum.seq_len), (vec![(0, 3168)], 70));
    assert_eq!(info("Parity_Bits_Mod7").seq_len, 20);
    assert_eq!(info("Majority_0_9").input_ranges, vec![(0, 9)]);
    assert_eq!(
        info("Bit_Shift_Right_3").rule,
        "y[t] = x[t-3] on bits, with x[s] = 0 for s < 0"
    );
    assert_eq!(builtin("Div_9").unwrap().test_split().len(), 200_000);
    assert_eq!(builtin("Parity_Last6").unwrap().test_split().len(), 100_000);
}

#[test]
fn member_test_splits_are_fixed_and_apart_from_training() {
    let task = builtin("Alternating_Last6").unwrap();
    let test = task.test_split();
    assert_eq!(test, builtin("Alternating_Last6").unwrap().test_split());
    check_dataset(task.info(), &test.head(100), task.info().seq_len);
    assert_ne!(task.train_batch(42, 100), test.head(100));
}

#[test]
fn names_outside_a_range_are_errors_naming_the_range() {
    for (name, range) in [
        ("Add_Mod_1", "Add_Mod_{K}: K in 2..=64"),
        ("Add_Mod_65", "Add_Mod_{K}: K in 2..=64"),
        ("Add_Mod_99999999999999999999999", "Add_Mod_{K}: K in 2..=64"),
        ("Base_1_Addition", "Base_{B}_Addition: B in 2..=64"),
        ("Prev0", "Prev{K}: K in 1..=32"),
        ("Prev33", "Prev{K}: K in 1..=32"),
        ("Sum_Last1", "Sum_Last{K}: K in 2..=32"),
        ("Majority_0_64", "Majority_0_{K}: K in 1..=63"),
        ("Bit_Shift_Right_0", "Bit_Shift_Right_{K}: K in 1..=32"),
    ] {
        let message = builtin(name).unwrap_err().to_string();
        assert!(
            message.contains(&format!("'{name}' is outside the family {range}")),
            "{message}"
        );
        let message = open(name).err().unwrap().to_string();
        assert!(message.contains(range), "{message}");
    }
}

#[test]
fn other_spellings_name_the_member() {
    let message = builtin("Add_Mod_013").unwrap_err().to_string();
    assert!(
        message.contains("the member Add_Mod_13 of the family Add_Mod_{K}"),
        "{message}"
    );
    let message = builtin("Base_2_Addition").unwrap_err().to_string();
    assert!(message.contains("the member Binary_Addition"), "{message}");
    assert!(
        builtin("Bit_Shift_Right_1")
            .unwrap_err()
            .to_string()
            .contains("Bit_Shift_Right")
    );
    assert_eq!(member("Binary_Addition").name(), "Binary_Addition");
    for name in ["Previous_Equals_Current", "Add_Mod_", "Add_Mod_-3", "Prev 3", "Sum_All"] {
        assert!(parse(name).unwrap().is_none(), "{name}");
    }
}

#[test]
fn listing_texts_show_the_parameter_symbol() {
    let base = &all()[1];
    assert_eq!(
        (base.pattern(), base.range_text()),
        ("Base_{B}_Addition".to_string(), "B in 2..=64".to_string())
    );
    assert!(
        base.rule_text()
            .contains("mod B; c[t+1] = floor((a[t] + b[t] + c[t]) / B)")
    );
    let sums = all().iter().find(|f| f.pattern() == "Sum_Last{K}").unwrap();
    assert_eq!(
        sums.rule_text(),
        "y[t] = x[t-K+1] + ... + x[t], with x[s] = 0 for s < 0"
    );
}

#[test]
fn generality_suite_is_a_fixed_sweep_outside_the_benchmark() {
    let suite = generality_suite();
    assert_eq!(suite.len(), 78);
    assert_eq!(suite.iter().collect::<HashSet<_>>().len(), suite.len(), "no duplicates");
    let benchmark: Vec<&str> = names();
    for name in &suite {
        assert!(!benchmark.contains(&name.as_str()), "{name} is a benchmark task");
        assert_eq!(member(name).name(), *name);
    }
    // No member repeats a benchmark task's rule over the same inputs under another name.
    let benchmark_rules: Vec<_> = benchmark
        .iter()
        .map(|n| {
            (
                rules::for_task(n).unwrap(),
                builtin(n).unwrap().info().input_ranges.clone(),
            )
        })
        .collect();
    for name in &suite {
        let spec = member(name).spec();
        assert!(
            !benchmark_rules.contains(&(spec.rule, spec.info.input_ranges)),
            "{name}"
        );
    }
    assert_eq!(&suite[..2], ["Add_Mod_9", "Add_Mod_10"]);
    assert!(suite.contains(&"Base_16_Addition".to_string()) && suite.contains(&"Prev12".to_string()));
    assert!(!suite.iter().any(|n| n == "Div_5" || n == "Div_2"));
}
