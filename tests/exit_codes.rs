//! End-to-end tests of the exit-status scheme (0 done, 1 no verified result, 2 usage or input
//! error), of input checks that happen before any work, and of outputs a failed run leaves.

mod common;

use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mips_core::ir::versioned;

#[test]
fn a_bad_option_value_is_a_usage_error_before_any_pass_runs() {
    let out = mips(&["synth", "Parity_All", "--passes", "snap{check=foo}", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("foo"), "{}", stderr(&out));
    let out = mips(&["synth", "Parity_All", "--passes", "canonical-order{order=bogus}"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_empty_pipeline_is_a_usage_error() {
    let out = mips(&["synth", "Parity_All", "--passes", "", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no pass"), "{}", stderr(&out));
}

#[test]
fn a_named_plugin_that_does_not_load_fails_every_verb() {
    let dir = scratch("plugin");
    let fake = dir.join("fake.so");
    std::fs::write(&fake, "not a library").unwrap();
    for verb in [
        vec!["passes"],
        vec!["data", "Parity_All"],
        vec!["verify", "missing.ron", "Parity_All"],
    ] {
        let mut args = verb.clone();
        args.extend(["--plugin", path(&fake)]);
        let out = mips(&args);
        assert_eq!(out.status.code(), Some(2), "{verb:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("fake.so"), "{verb:?}: {}", stderr(&out));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_closed_stderr_pipe_does_not_turn_an_error_into_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_mips"))
        .args(["verify", "missing.ron", "Parity_All"])
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn loaded_networks_are_checked_and_errors_name_the_file() {
    let dir = scratch("models");
    let mut nan = not_network();
    nan.f.layers[0].weight[1] = f64::NAN;
    let mut wide = not_network();
    wide.f.layers[0] = mips_core::ir::Linear::zeros(3, 1);
    wide.input_dim = 2;
    let mut empty = not_network();
    empty.g.layers.clear();
    for (name, net) in [("nan.ron", nan), ("two-inputs.ron", wide), ("no-readout.ron", empty)] {
        let file = dir.join(name);
        std::fs::write(&file, versioned::to_ron(&net).unwrap()).unwrap();
        for verb in ["simplify", "extract"] {
            let out = mips(&[verb, path(&file), "--task", "Parity_All", "--quiet"]);
            assert_eq!(out.status.code(), Some(2), "{verb} {name}: {}", stderr(&out));
            assert!(stderr(&out).contains(name), "{verb} {name}: {}", stderr(&out));
        }
        let out = mips(&["synth", "Parity_All", "--model", path(&file), "--quiet"]);
        assert_eq!(out.status.code(), Some(2), "synth {name}: {}", stderr(&out));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_run_that_stops_early_leaves_no_earlier_program_behind() {
    let dir = scratch("stale");
    let model = dir.join("not.ron");
    std::fs::write(&model, versioned::to_ron(&not_network()).unwrap()).unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    for stale in ["program.py", "program.ron", "machine.ron"] {
        std::fs::write(out_dir.join(stale), "from an earlier run").unwrap();
    }
    let out = mips(&[
        "synth",
        "Bitwise_Not",
        "--model",
        path(&model),
        "--until",
        "simplify",
        "--out",
        path(&out_dir),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out_dir.join("model.ron").exists());
    assert!(out_dir.join("report.txt").exists());
    for stale in ["program.py", "program.ron", "machine.ron"] {
        assert!(!out_dir.join(stale).exists(), "{stale} of the earlier run is left");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A data file of labels no rule explains (seeded noise): 300 sequences of 6 bits.
fn random_labels(dir: &Path) -> PathBuf {
    let file = dir.join("random.csv");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut bit = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state & 1
    };
    let mut text = String::from("inputs,outputs\n");
    for _ in 0..300 {
        let mut steps = || (0..6).map(|_| bit().to_string()).collect::<Vec<_>>().join(" ");
        let (inputs, outputs) = (steps(), steps());
        text += &format!("{inputs},{outputs}\n");
    }
    std::fs::write(&file, text).unwrap();
    file
}

/// On random labels the architecture search reaches no 100% network, so `synth` ends without
/// a verified program and exits 1.
#[test]
fn synth_on_random_labels_exits_1() {
    let dir = scratch("random");
    let file = random_labels(&dir);
    let out = mips(&[
        "synth",
        path(&file),
        "--passes",
        "minimize-architecture{max-total-steps=400,max-hidden=1}",
        "--out",
        path(&dir.join("out")),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no verified program"), "{}", stderr(&out));
    std::fs::remove_dir_all(dir).unwrap();
}

/// `train` below 100% test accuracy writes its best model and exits 1.
#[test]
fn train_below_100_percent_exits_1_and_keeps_the_model() {
    let dir = scratch("train-random");
    let file = random_labels(&dir);
    let model = dir.join("model.ron");
    let out = mips(&["train", path(&file), "--out", path(&model), "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not 100%"), "{}", stderr(&out));
    assert!(model.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// A generator whose labels outgrow 64-bit integers says so (it is not "a data file"), and the
/// data verb refuses, since data files hold 64-bit integers.
#[test]
fn data_beyond_64_bit_labels_names_the_cause() {
    let out = mips(&["data", "Newton_Magnetic", "--len", "1000", "--n", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("outgrow 64-bit integers"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("data file:"), "{}", stderr(&out));
    let out = mips(&["data", "Newton_Magnetic", "--len", "100", "--n", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
