//! Helpers shared by the end-to-end tests: running the `mips` binary, scratch folders, small
//! networks built by hand ([`networks`]) and the plugin libraries the loader's tests load
//! ([`plugins`]).

#![allow(dead_code)] // each test file uses a part

pub mod networks;
pub mod plugins;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mips_core::ir::Network;
use mips_core::ir::network::{Activation, Shape};

/// Runs the `mips` binary with `args`.
pub fn mips(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mips"))
        .args(args)
        .output()
        .expect("the mips binary runs")
}

/// The standard error of a run, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh, empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mips-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A path as a command-line argument.
pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A one-unit network computing `not x` on bits: `h = x`, `y = 1 - h`.
pub fn not_network() -> Network {
    let mut net = Network::zeros(&Shape {
        input_dim: 1,
        hidden_dim: 1,
        output_dim: 1,
        f_widths: vec![],
        g_widths: vec![],
        activation: Activation::Relu,
    });
    net.f.layers[0].weight = vec![0.0, 1.0];
    net.g.layers[0].weight = vec![-1.0];
    net.g.layers[0].bias = vec![1.0];
    net
}
