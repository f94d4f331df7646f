//! The plugin libraries the loader's tests load: workspace crates (`examples/plugin-polyfit`,
//! `tests/fixtures/plugin-*`), built on first use with the test binary's own cargo, profile and
//! target directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The plugin crates and their library names.
pub const PLUGINS: [(&str, &str); 8] = [
    ("plugin-polyfit", "plugin_polyfit"),
    ("fixture-plugin-panics", "fixture_plugin_panics"),
    ("fixture-plugin-malformed", "fixture_plugin_malformed"),
    ("fixture-plugin-no-entry", "fixture_plugin_no_entry"),
    ("fixture-plugin-wrong-abi", "fixture_plugin_wrong_abi"),
    ("fixture-plugin-old-abi", "fixture_plugin_old_abi"),
    ("fixture-plugin-extract", "fixture_plugin_extract"),
    ("fixture-plugin-program", "fixture_plugin_program"),
];

/// Builds the plugin crates (once per test binary) into this binary's profile directory.
fn build_plugins() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // The test binary lives in <target>/<profile dir>/deps/.
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("test binary has no profile directory")?;
    let target_dir = profile_dir.parent().ok_or("profile directory has no parent")?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(name) => name,
        None => return Err(format!("odd profile directory {}", profile_dir.display())),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "--profile", profile, "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir);
    for (package, _) in PLUGINS {
        command.args(["-p", package]);
    }
    // The mips binary too, for the command-line test.
    command.args(["-p", "mips"]);
    let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building the plugins failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(profile_dir.to_path_buf())
}

/// The path of a plugin library (one of [`PLUGINS`]), built on first use, with the `mips`
/// binary beside it.
pub fn plugin_library(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    assert!(PLUGINS.iter().any(|(_, lib)| *lib == name), "unknown plugin {name}");
    let dir = BUILT
        .get_or_init(build_plugins)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    dir.join(format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}
