//! Reads the table a plugin's entry function returned into [`PluginPass`]es, checking every
//! field: names, UTF-8, kind codes, encoded options and function pointers.

use std::collections::BTreeSet;
use std::path::Path;

use mips_plugin_sdk::abi::{
    FLAG_WANTS_DATA, FreeFn, KIND_EXTRACTION, KIND_PARAMETER, KIND_PROGRAM, KIND_REGRESSION, KIND_REPRESENTATION,
    KNOWN_FLAGS, PluginDescriptor, PluginTable, Slice,
};
use mips_plugin_sdk::{Message, OptionSpecs};

use super::PluginProblem;
use super::adapter::{PluginCall, PluginPass};
use super::convert;
use crate::pass::PassKind;

/// More descriptors than any real plugin has: a larger count means a corrupt table.
const MAX_PASSES: usize = 4096;

/// True for names a pipeline can spell: ASCII letters, digits, `-`, `_`, `.`.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// The passes of `table`.
///
/// # Safety
/// `table` must be null or what the library's entry function returned, with every pointer
/// valid as the SDK's ABI documentation requires, for as long as the library stays loaded.
pub(super) unsafe fn read(path: &Path, table: *const PluginTable) -> Result<Vec<PluginPass>, PluginProblem> {
    if table.is_null() {
        return Err(bad(
            "`mips_plugin_entry` returned no table (the plugin failed or panicked while listing its passes)".into(),
        ));
    }
    // SAFETY: non-null, and valid per the caller's contract.
    let table = unsafe { &*table };
    let free = table
        .free
        .ok_or_else(|| bad("the table has no `free` function".into()))?;
    if table.count == 0 {
        return Err(bad("the plugin exports no passes".into()));
    }
    if table.count > MAX_PASSES || table.plugins.is_null() {
        return Err(bad(format!(
            "corrupt table ({} passes at {:?})",
            table.count, table.plugins
        )));
    }
    // SAFETY: `plugins` points to `count` descriptors per the caller's contract.
    let descriptors = unsafe { std::slice::from_raw_parts(table.plugins, table.count) };
    descriptors
        .iter()
        .enumerate()
        // SAFETY: every descriptor is valid per the caller's contract.
        .map(|(index, d)| unsafe { descriptor(path, index, d, free) })
        .collect()
}

fn bad(message: String) -> PluginProblem {
    PluginProblem::BadTable(message)
}

/// The pass descriptor `d` (number `index` of the table) describes.
///
/// # Safety
/// `d`'s pointers must be valid as the SDK's ABI documentation requires.
unsafe fn descriptor(
    path: &Path,
    index: usize,
    d: &PluginDescriptor,
    free: FreeFn,
) -> Result<PluginPass, PluginProblem> {
    let text = |slice: Slice, what: &str| {
        // SAFETY: descriptor strings stay valid while the library is loaded.
        let bytes = unsafe { slice.as_bytes() }.ok_or_else(|| bad(format!("pass #{index} has a null {what}")))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| bad(format!("the {what} of pass #{index} is not UTF-8")))
    };
    let name = text(d.name, "name")?;
    if !valid_name(&name) {
        return Err(bad(format!(
            "pass #{index} is named {name:?}; names may use only ASCII letters, digits, '-', '_' and '.'"
        )));
    }
    let description = text(d.description, "description")?;
    let kind = kind(&name, d)?;
    // SAFETY: as for the strings.
    let option_bytes = unsafe { d.options.as_bytes() }.ok_or_else(|| bad(format!("pass '{name}' has null options")))?;
    let specs = OptionSpecs::from_bytes(option_bytes)
        .map_err(|e| bad(format!("the options of pass '{name}' do not decode: {e}")))?;
    let mut seen = BTreeSet::new();
    for spec in &specs.0 {
        if !valid_name(&spec.name) || !seen.insert(spec.name.as_str()) {
            return Err(bad(format!(
                "pass '{name}' declares a bad or repeated option {:?}",
                spec.name
            )));
        }
    }
    let run = d.run.ok_or_else(|| bad(format!("pass '{name}' has no run function")))?;
    Ok(PluginPass {
        name,
        description,
        kind,
        wants_data: d.flags & FLAG_WANTS_DATA != 0,
        options: specs.0.into_iter().map(convert::option_spec_from_sdk).collect(),
        path: path.to_path_buf(),
        call: PluginCall {
            context: d.context,
            run,
            free,
        },
    })
}

/// The pass kind of a descriptor's kind code; unknown codes and flag bits are errors.
fn kind(name: &str, d: &PluginDescriptor) -> Result<PassKind, PluginProblem> {
    let kind = match d.kind {
        KIND_REGRESSION => PassKind::Regression,
        KIND_PARAMETER => PassKind::Parameter,
        KIND_REPRESENTATION => PassKind::Representation,
        KIND_EXTRACTION => PassKind::Extraction,
        KIND_PROGRAM => PassKind::Program,
        other => return Err(bad(format!("pass '{name}' has unknown kind code {other}"))),
    };
    match d.flags & !KNOWN_FLAGS {
        0 => Ok(kind),
        unknown => Err(bad(format!("pass '{name}' sets unknown flag bits {unknown:#x}"))),
    }
}
