//! Dynamic plugins: loads shared libraries built with `mips-plugin-sdk` and registers each of
//! their passes with [`Origin::Plugin`]. The library's exported entry symbol is the only way a
//! plugin registers (the `inventory` registry does not cross `dlopen`).
//!
//! Loading checks, in order: the file exists, it is a loadable library, it exports
//! `MIPS_PLUGIN_ABI_VERSION` with this build's version, it exports `mips_plugin_entry`, and
//! the table that returns is well formed with names that clash with no registered pass. Any
//! failure is a [`PluginError`] naming the file; the other plugins load regardless.
//!
//! Libraries are never unloaded, also when a check fails after opening them: plugin code may
//! have registered thread-local destructors or handed out pointers, so unloading is never safe.
//! Loading a library runs its initialisers: plugins are trusted code.

mod adapter;
mod convert;
mod observe;
mod table;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use libloading::Library;
use mips_plugin_sdk::abi::{ABI_VERSION, ABI_VERSION_SYMBOL, ENTRY_SYMBOL, EntryFn};

use super::{Origin, Registry};

/// The environment variable listing plugin libraries to load (separated like `PATH`: by `:`,
/// or `;` on Windows).
pub const PLUGIN_PATH_VAR: &str = "MIPS_PLUGIN_PATH";

/// A plugin library that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("plugin {}: {problem}", path.display())]
pub struct PluginError {
    /// The library's path as given.
    pub path: PathBuf,
    pub problem: PluginProblem,
}

/// What was wrong with a plugin library.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PluginProblem {
    /// No file at the path.
    #[error("file not found")]
    NotFound,
    /// The file exists but the dynamic loader refused it.
    #[error("not a loadable library: {0}")]
    NotALibrary(String),
    /// A required symbol is not exported.
    #[error(
        "missing symbol `{symbol}` (is this a mips plugin exported with `mips_plugin_sdk::export_plugins!`?): {detail}"
    )]
    MissingSymbol { symbol: &'static str, detail: String },
    /// Built against another version of the plugin ABI.
    #[error(
        "plugin ABI version {found}, but this build of mips expects version {expected} (the plugin was built with {} mips-plugin-sdk); rebuild the plugin against the matching mips-plugin-sdk",
        if found < expected { "an older" } else { "a newer" }
    )]
    AbiMismatch { found: u32, expected: u32 },
    /// The plugin table is missing, corrupt or describes an unsupported pass.
    #[error("invalid plugin table: {0}")]
    BadTable(String),
    /// A pass name is already taken.
    #[error("{0}")]
    NameClash(String),
}

/// Loads one plugin library and registers its passes; returns their names.
pub fn load_plugin(path: &Path, registry: &mut Registry) -> Result<Vec<String>, PluginError> {
    load(path, registry).map_err(|problem| PluginError {
        path: path.to_path_buf(),
        problem,
    })
}

/// Loads every library of `paths` and then of `$MIPS_PLUGIN_PATH` (each file once) into
/// `registry`; returns the failures, in order. Failed libraries are skipped.
pub fn load_plugins(paths: &[PathBuf], registry: &mut Registry) -> Vec<PluginError> {
    let env = std::env::var_os(PLUGIN_PATH_VAR);
    plugin_paths(paths, env.as_deref())
        .iter()
        .filter_map(|path| load_plugin(path, registry).err())
        .collect()
}

/// The libraries to load: `explicit` first, then the entries of `env` (a `PATH`-style list;
/// empty entries are skipped), each file once.
pub fn plugin_paths(explicit: &[PathBuf], env: Option<&OsStr>) -> Vec<PathBuf> {
    let mut all = explicit.to_vec();
    all.extend(
        env.into_iter()
            .flat_map(std::env::split_paths)
            .filter(|p| !p.as_os_str().is_empty()),
    );
    let mut seen = BTreeSet::new();
    all.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    all
}

impl Registry {
    /// The built-in passes plus those of the plugin libraries in `paths` and
    /// `$MIPS_PLUGIN_PATH`, with the libraries that failed to load (for printing as warnings).
    pub fn with_plugins(paths: &[PathBuf]) -> (Registry, Vec<PluginError>) {
        let mut registry = Registry::builtin();
        let errors = load_plugins(paths, &mut registry);
        (registry, errors)
    }
}

fn load(path: &Path, registry: &mut Registry) -> Result<Vec<String>, PluginProblem> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PluginProblem::NotFound),
        Err(e) => return Err(PluginProblem::NotALibrary(e.to_string())),
        Ok(meta) if meta.is_dir() => return Err(PluginProblem::NotALibrary("it is a directory".into())),
        Ok(_) => {}
    }
    // An absolute path, so that the dynamic loader opens this file rather than searching its
    // library path for a bare file name.
    let absolute = std::path::absolute(path).map_err(|e| PluginProblem::NotALibrary(e.to_string()))?;
    // SAFETY: opening runs the library's initialisers; plugins are trusted code.
    let library = unsafe { Library::new(&absolute) }.map_err(|e| PluginProblem::NotALibrary(describe(&e)))?;
    let library: &'static Library = Box::leak(Box::new(library));

    let missing = |symbol: &'static str| {
        move |e: libloading::Error| PluginProblem::MissingSymbol {
            symbol,
            detail: describe(&e),
        }
    };
    // SAFETY: the SDK declares the symbol as a `static u32`; its address is a `*const u32`.
    let version = unsafe { library.get::<*const u32>(ABI_VERSION_SYMBOL) }.map_err(missing(ABI_VERSION_SYMBOL))?;
    let version: *const u32 = *version;
    if version.is_null() {
        return Err(PluginProblem::MissingSymbol {
            symbol: ABI_VERSION_SYMBOL,
            detail: "its address is null".into(),
        });
    }
    // SAFETY: a non-null address of an exported `static u32`, alive while the library is loaded.
    let found = unsafe { version.read_unaligned() };
    if found != ABI_VERSION {
        return Err(PluginProblem::AbiMismatch {
            found,
            expected: ABI_VERSION,
        });
    }
    // SAFETY: with a matching ABI version the symbol has the SDK's `EntryFn` type.
    let entry: EntryFn = *unsafe { library.get::<EntryFn>(ENTRY_SYMBOL) }.map_err(missing(ENTRY_SYMBOL))?;
    // SAFETY: the entry function of a library with a matching ABI version returns a table that
    // follows the SDK's contract, valid while the library is loaded (forever).
    let passes = unsafe { table::read(path, entry()) }?;

    let mut names = BTreeSet::new();
    for pass in &passes {
        if !names.insert(pass.name.as_str()) {
            return Err(PluginProblem::NameClash(format!(
                "exports two passes named '{}'",
                pass.name
            )));
        }
        if let Ok(existing) = registry.get(&pass.name) {
            return Err(PluginProblem::NameClash(format!(
                "pass '{}' clashes with the pass of that name from {}",
                pass.name, existing.origin
            )));
        }
    }
    let mut loaded = Vec::with_capacity(passes.len());
    for pass in passes {
        loaded.push(pass.name.clone());
        registry
            .add(Arc::new(pass), Origin::Plugin(path.to_path_buf()))
            .map_err(|e| PluginProblem::NameClash(e.to_string()))?;
    }
    Ok(loaded)
}

/// A loader error with its causes (libloading puts the system's message in the source).
fn describe(error: &libloading::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text = format!("{text}: {inner}");
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_paths_come_first_and_env_entries_split_like_path() {
        let env = std::env::join_paths(["/b.so", "", "/c.so", "/a.so"]).unwrap();
        let paths = plugin_paths(&[PathBuf::from("/a.so")], Some(&env));
        assert_eq!(paths, ["/a.so", "/b.so", "/c.so"].map(PathBuf::from));
        assert!(plugin_paths(&[], None).is_empty());
    }

    #[test]
    fn missing_and_non_library_files_are_errors_naming_the_file() {
        let mut registry = Registry::default();
        let err = load_plugin(Path::new("/nonexistent/libnothing.so"), &mut registry).unwrap_err();
        assert_eq!(err.problem, PluginProblem::NotFound);
        assert!(err.to_string().contains("/nonexistent/libnothing.so"), "{err}");
        let dir = std::env::temp_dir();
        let err = load_plugin(&dir, &mut registry).unwrap_err();
        assert!(matches!(err.problem, PluginProblem::NotALibrary(_)), "{err}");
        assert_eq!(registry.iter().count(), 0);
    }
}
