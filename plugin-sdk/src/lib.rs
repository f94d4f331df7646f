//! The stable C ABI for dynamic mips plugins. It has no dependency on mips-core (and none at
//! all): a plugin links only this crate, and the host (mips-core's `pass::plugin_loader`) links
//! it too, so both sides agree on the types below.
//!
//! # Writing a plugin
//!
//! Implement [`Regressor`] (state machine → program), [`NetworkPass`] (network → network),
//! [`Extractor`] (network → state machine) or [`ProgramPass`] (program → program), build a
//! `cdylib` crate and export the passes:
//!
//! ```ignore
//! use mips_plugin_sdk::{Plugin, export_plugins};
//! export_plugins![Plugin::regressor(MyRegressor), Plugin::extractor(MyExtractor)];
//! ```
//!
//! A pass whose `wants_data()` is true receives, in [`RunContext::data`], the verification
//! inputs and the network's behaviour on them ([`ObservationsData`]: hidden states, raw and
//! rounded outputs per step), whenever the pipeline has a network. The labels are not sent.
//!
//! The macro defines the two exported symbols, builds the plugin table on first use, and
//! catches every panic at the boundary (it becomes a failed pass on the host, reported with the
//! panic message). A plugin must be built with `panic = "unwind"` (the default) for that.
//!
//! # Exported symbols
//!
//! | symbol | type | meaning |
//! |---|---|---|
//! | `MIPS_PLUGIN_ABI_VERSION` | `static u32` | [`abi::ABI_VERSION`] the plugin was built against; the host reads it first and refuses the library if it differs |
//! | `mips_plugin_entry` | [`abi::EntryFn`] | returns the [`abi::PluginTable`], or null on failure |
//!
//! The table lists [`abi::PluginDescriptor`]s (name, description, kind code, flags, encoded
//! options, context pointer, run function) and one `free` function. Kind codes are
//! [`abi::KIND_REGRESSION`], [`abi::KIND_PARAMETER`], [`abi::KIND_REPRESENTATION`],
//! [`abi::KIND_EXTRACTION`] and [`abi::KIND_PROGRAM`]; the only flag is
//! [`abi::FLAG_WANTS_DATA`] (the host refuses unknown bits).
//! Dynamic registration happens only through the entry symbol (the host's compiled-in
//! `inventory` registry does not reach across `dlopen`).
//!
//! # Calling a pass and buffer ownership
//!
//! `run(context, request, &mut result) -> status`:
//!
//! * `request` is an encoded [`RegressRequest`] (regressors), [`NetworkRequest`] (network
//!   passes), [`ExtractRequest`] (extractors) or [`ProgramRequest`] (program passes). Each
//!   carries the options, the seed, the input artifact and an optional [`ObservationsData`]
//!   (present when the descriptor has [`abi::FLAG_WANTS_DATA`] and the pipeline a network).
//!   The **host owns it**; the plugin may read it only during the call.
//! * The plugin **allocates** the result [`abi::Buffer`] and always writes one (also on error):
//!   on [`abi::STATUS_OK`] it holds an encoded [`ProgramData`] (regressors, program passes),
//!   [`NetworkData`] (network passes) or [`StateMachineData`] (extractors); on
//!   [`abi::STATUS_ERROR`] and [`abi::STATUS_PANIC`] a UTF-8 message.
//! * The host copies the bytes and **must return the buffer to the table's `free`** exactly
//!   once; it never frees it itself (the two sides may use different allocators).
//! * Descriptor strings and the table belong to the plugin and stay valid as long as the
//!   library is loaded. The host never unloads a plugin library.
//! * `run` may be called from any thread, also concurrently (hence `Send + Sync` passes).
//!
//! # Wire encoding
//!
//! Every message is `"MIPS"` (4 bytes), one kind byte, then the body; no byte may follow.
//! Kinds: 1 [`RegressRequest`], 2 [`NetworkRequest`], 3 [`ProgramData`], 4 [`NetworkData`],
//! 5 [`OptionSpecs`], 6 [`ExtractRequest`], 7 [`ProgramRequest`], 8 [`StateMachineData`].
//! Bodies are built from:
//!
//! * `u64`, `i64`: 8 bytes little-endian; `usize` travels as `u64`; `f64`: its IEEE-754 bits as
//!   a little-endian `u64`; `bool`: one byte, 0 or 1.
//! * string: `u64` byte length, then UTF-8. List: `u64` count, then the items. Option: a byte
//!   0 (absent) or 1 followed by the value. Pair: both values.
//! * struct: its fields in declaration order (as listed in [`data`]), nothing else.
//! * [`ExprData`]: a tag byte — 0 `Const(i64)`, 1 `State(u64)`, 2 `Input(u64)`,
//!   3 `Unary(op byte, expr)`, 4 `Binary(op byte, expr, expr)`, 5 `If(cond, then, otherwise)`.
//!   Unary op bytes: 0 neg, 1 not, 2 abs. Binary op bytes: 0 add, 1 sub, 2 mul, 3 floor-div,
//!   4 mod, 5 min, 6 max, 7 eq, 8 ne, 9 lt, 10 le, 11 gt, 12 ge, 13 and, 14 or, 15 xor.
//!   Nesting deeper than [`wire::MAX_EXPR_DEPTH`] is refused.
//! * [`ActivationData`]: one byte — 0 relu, 1 tanh, 2 sigmoid, 3 identity.
//! * [`OptionValueData`]: a tag byte — 0 int (`i64`), 1 float (`f64`), 2 Boolean, 3 text.
//!
//! Decoding is total: truncated or trailing bytes, unknown tags, invalid UTF-8 and lengths
//! larger than the remaining input are [`DecodeError`]s, never panics.
//!
//! # Versioning
//!
//! Any change to [`abi`], to the data types or to the encoding bumps [`abi::ABI_VERSION`]
//! (now 2); the host refuses a plugin built for another version, naming both.

pub mod abi;
pub mod codec;
pub mod data;
pub mod export;
pub mod plugin;
pub mod wire;

pub use data::*;
pub use plugin::{Extractor, NetworkKind, NetworkPass, Plugin, ProgramPass, Regressor, RunContext};
pub use wire::{DecodeError, Message};

/// Exports the given [`Plugin`]s from a `cdylib`: defines `MIPS_PLUGIN_ABI_VERSION` and
/// `mips_plugin_entry`. Use it once per library.
///
/// ```ignore
/// mips_plugin_sdk::export_plugins![mips_plugin_sdk::Plugin::regressor(MyRegressor)];
/// ```
#[macro_export]
macro_rules! export_plugins {
    ($($plugin:expr),* $(,)?) => {
        /// The mips plugin ABI version this library implements.
        #[unsafe(no_mangle)]
        pub static MIPS_PLUGIN_ABI_VERSION: u32 = $crate::abi::ABI_VERSION;

        /// The mips plugin entry point: the table of this library's passes.
        #[unsafe(no_mangle)]
        pub extern "C" fn mips_plugin_entry() -> *const $crate::abi::PluginTable {
            $crate::export::entry(|| ::std::vec![$($plugin),*])
        }
    };
}

#[cfg(test)]
mod tests {
    use super::abi::*;
    use super::*;

    struct Square;

    impl Regressor for Square {
        fn name(&self) -> &str {
            "square"
        }
        fn description(&self) -> &str {
            "z = z + x*x, or a panic when asked"
        }
        fn options(&self) -> Vec<OptionSpecData> {
            vec![OptionSpecData::new(
                "panic",
                OptionValueData::Bool(false),
                "panic instead",
            )]
        }
        fn regress(
            &self,
            machine: &StateMachineData,
            options: &OptionValues,
            _: &RunContext,
        ) -> Result<ProgramData, String> {
            if options.bool("panic")? {
                panic!("asked to panic");
            }
            let square = ExprData::bin(BinOpData::Mul, ExprData::Input(0), ExprData::Input(0));
            Ok(ProgramData {
                init: machine.initial.clone(),
                updates: vec![ExprData::bin(BinOpData::Add, ExprData::State(0), square)],
                ..ProgramData::default()
            })
        }
    }

    export_plugins![Plugin::regressor(Square)];

    /// Calls the only pass of the table as the host would; returns status and bytes.
    fn call(table: &PluginTable, request: &[u8]) -> (u32, Vec<u8>) {
        // SAFETY: the table comes from this crate's `entry`, so every pointer is valid.
        unsafe {
            let pass = &*table.plugins;
            let mut result = Buffer::empty();
            let status = pass.run.unwrap()(pass.context, Slice::new(request), &mut result);
            let bytes = Slice {
                ptr: result.ptr,
                len: result.len,
            }
            .as_bytes()
            .unwrap()
            .to_vec();
            table.free.unwrap()(result);
            (status, bytes)
        }
    }

    fn request(panic: bool) -> Vec<u8> {
        RegressRequest {
            options: OptionValues(vec![("panic".into(), OptionValueData::Bool(panic))]),
            seed: 1,
            machine: StateMachineData {
                initial: vec![5],
                ..StateMachineData::default()
            },
            data: None,
        }
        .to_bytes()
    }

    #[test]
    fn exported_table_runs_catches_panics_and_rejects_bad_requests() {
        assert_eq!(MIPS_PLUGIN_ABI_VERSION, ABI_VERSION);
        // SAFETY: the pointer comes from `entry` and lives as long as the program.
        let table = unsafe { &*mips_plugin_entry() };
        assert_eq!(table.count, 1);
        // SAFETY: `count` is 1 and the strings live as long as the table.
        let (name, options) = unsafe {
            let pass = &*table.plugins;
            assert_eq!(pass.kind, KIND_REGRESSION);
            (pass.name.as_bytes().unwrap(), pass.options.as_bytes().unwrap())
        };
        assert_eq!(name, b"square");
        assert_eq!(OptionSpecs::from_bytes(options).unwrap().0[0].name, "panic");

        let (status, bytes) = call(table, &request(false));
        assert_eq!(status, STATUS_OK);
        assert_eq!(ProgramData::from_bytes(&bytes).unwrap().init, vec![5]);

        let (status, bytes) = call(table, &request(true));
        assert_eq!(status, STATUS_PANIC);
        assert_eq!(String::from_utf8(bytes).unwrap(), "asked to panic");

        let (status, bytes) = call(table, b"MIPS\x01");
        assert_eq!(status, STATUS_ERROR);
        assert!(String::from_utf8(bytes).unwrap().starts_with("malformed request"));
    }
}
