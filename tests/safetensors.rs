//! End-to-end tests of PyTorch models: a `.safetensors` file written by Python (the reference's
//! tensor names, `out × in` layout, float32) goes through `synth --model` to a verified program,
//! and `mips export` converts between RON and safetensors without changing the network.

mod common;

use common::*;

use std::path::{Path, PathBuf};

use mips_core::ir::{Network, versioned};

/// Written by `tests/fixtures/safetensors/write_parity.py`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/safetensors/parity_all.safetensors")
}

#[test]
fn a_python_written_safetensors_model_becomes_a_verified_program() {
    let dir = scratch("synth");
    let out = mips(&[
        "synth",
        "Parity_All",
        "--model",
        path(&fixture()),
        "--out",
        path(&dir),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let python = std::fs::read_to_string(dir.join("program.py")).unwrap();
    assert!(python.contains("^ x"), "the parity program: {python}");
    let report = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert!(report.contains("PASSED"), "{report}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn export_round_trips_between_ron_and_safetensors() {
    let dir = scratch("export");
    let ron = dir.join("parity.ron");
    let back = dir.join("back.safetensors");
    for (from, to) in [(fixture(), ron.clone()), (ron.clone(), back.clone())] {
        let out = mips(&["export", path(&from), "--out", path(&to)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let network: Network = versioned::load(&ron).unwrap();
    assert_eq!((network.input_dim, network.hidden_dim, network.output_dim), (1, 1, 1));
    assert_eq!(network.f.layers[0].weight, [1.0, -1.0, -1.0, 1.0]);
    let again = mips_core::interop::safetensors::load(&back).unwrap();
    assert_eq!(again, network);
    let simplified = dir.join("simplified.safetensors");
    let out = mips(&[
        "simplify",
        path(&back),
        "--task",
        "Parity_All",
        "--passes",
        "canonical-order",
        "--out",
        path(&simplified),
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(mips_core::interop::safetensors::load(&simplified).is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_safetensors_file_is_an_input_error_naming_it() {
    let dir = scratch("bad");
    let bad = dir.join("bad.safetensors");
    std::fs::write(&bad, b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage").unwrap();
    let out = mips(&["simplify", path(&bad), "--task", "Parity_All", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.safetensors"), "{}", stderr(&out));
    std::fs::remove_dir_all(dir).unwrap();
}
