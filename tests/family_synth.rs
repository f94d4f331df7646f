//! End-to-end test of generality: a task-family member outside the 62 (`Parity_Bits_Mod3`,
//! `y[t] = t mod 3`; the benchmark holds only `Parity_Bits_Mod2`) goes from training to a
//! program verified on its test split and on fresh sequences 10× longer.

mod common;

use common::*;

use mips_core::ir::{Program, versioned};

#[test]
fn a_family_member_outside_the_benchmark_trains_to_a_verified_program() {
    let dir = scratch("family-synth");
    let out = mips(&["synth", "Parity_Bits_Mod3", "--out", path(&dir), "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert!(report.contains("PASSED"), "{report}");
    assert!(report.contains("fresh sequences of length 100 (labels)"), "{report}");
    let program: Program = versioned::load(&dir.join("program.ron")).unwrap();
    for len in [1, 7, 300] {
        let xs: Vec<i64> = (0..len).map(|t| (t * 7 + 3) % 2).collect();
        let want: Vec<i64> = (0..len).map(|t| t % 3).collect();
        assert_eq!(program.run(&xs).unwrap(), want, "{program:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
