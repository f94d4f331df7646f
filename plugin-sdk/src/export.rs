//! The plugin side of the ABI, used by [`crate::export_plugins!`]: builds the plugin table once,
//! runs passes behind `catch_unwind` so that no panic crosses the C boundary, and frees the
//! result buffers it handed out.

use std::any::Any;
use std::ffi::c_void;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::abi::{Buffer, PluginDescriptor, PluginTable, STATUS_ERROR, STATUS_OK, STATUS_PANIC, Slice};
use crate::data::{ExtractRequest, NetworkRequest, OptionSpecs, ProgramRequest, RegressRequest};
use crate::plugin::{Plugin, RunContext};
use crate::wire::Message;

/// The table and the values it points into. The pointers reference heap allocations owned by
/// the same value and never changed after construction.
struct Exported {
    table: PluginTable,
    _descriptors: Box<[PluginDescriptor]>,
    _plugins: Box<[Plugin]>,
    _texts: Vec<Box<[u8]>>,
}

// SAFETY: the raw pointers only reference immutable data owned by the same `Exported`, and every
// `Plugin` is `Send + Sync` (required by every pass trait).
unsafe impl Send for Exported {}
// SAFETY: as above; nothing is mutated after construction.
unsafe impl Sync for Exported {}

static EXPORTED: OnceLock<Option<Exported>> = OnceLock::new();

/// The body of the exported entry function: builds the table from `make` on the first call
/// and returns it on every call; null when `make` (or a pass's name, description or options)
/// panicked. The table lives as long as the library.
pub fn entry(make: fn() -> Vec<Plugin>) -> *const PluginTable {
    let exported = EXPORTED.get_or_init(|| catch_unwind(|| build(make())).ok());
    exported.as_ref().map_or(std::ptr::null(), |e| &e.table)
}

fn build(plugins: Vec<Plugin>) -> Exported {
    let plugins = plugins.into_boxed_slice();
    let mut texts = Vec::new();
    let mut keep = |bytes: Vec<u8>| {
        let bytes = bytes.into_boxed_slice();
        let slice = Slice::new(&bytes);
        texts.push(bytes);
        slice
    };
    let descriptors: Box<[PluginDescriptor]> = plugins
        .iter()
        .map(|plugin| PluginDescriptor {
            name: keep(plugin.name().as_bytes().to_vec()),
            description: keep(plugin.description().as_bytes().to_vec()),
            kind: plugin.kind_code(),
            flags: plugin.flags(),
            options: keep(OptionSpecs(plugin.options()).to_bytes()),
            context: plugin as *const Plugin as *const c_void,
            run: Some(run),
        })
        .collect();
    let table = PluginTable {
        count: descriptors.len(),
        plugins: descriptors.as_ptr(),
        free: Some(free),
    };
    Exported {
        table,
        _descriptors: descriptors,
        _plugins: plugins,
        _texts: texts,
    }
}

/// The [`crate::abi::RunFn`] of every exported pass.
unsafe extern "C" fn run(context: *const c_void, request: Slice, result: *mut Buffer) -> u32 {
    if context.is_null() || result.is_null() {
        return STATUS_ERROR;
    }
    // SAFETY: `context` is a pointer `build` stored: a `Plugin` owned by the exported table,
    // which lives as long as the library.
    let plugin = unsafe { &*(context as *const Plugin) };
    // SAFETY: the host owns the request bytes and keeps them valid during this call.
    let bytes = unsafe { request.as_bytes() };
    let outcome = catch_unwind(AssertUnwindSafe(|| match bytes {
        Some(bytes) => call(plugin, bytes),
        None => Err("the request pointer is null but its length is not zero".into()),
    }));
    let (status, payload) = match outcome {
        Ok(Ok(bytes)) => (STATUS_OK, bytes),
        Ok(Err(message)) => (STATUS_ERROR, message.into_bytes()),
        Err(panic) => (STATUS_PANIC, panic_message(panic).into_bytes()),
    };
    let mut payload = ManuallyDrop::new(payload);
    let buffer = Buffer {
        ptr: payload.as_mut_ptr(),
        len: payload.len(),
        capacity: payload.capacity(),
    };
    // SAFETY: `result` is non-null and the host passes a writable `Buffer` slot.
    unsafe { result.write(buffer) };
    status
}

/// Decodes the request, runs the pass and encodes its output.
fn call(plugin: &Plugin, request: &[u8]) -> Result<Vec<u8>, String> {
    let malformed = |e| format!("malformed request from the host: {e}");
    let ctx = |seed, data| RunContext { seed, data };
    match plugin {
        Plugin::Regressor(pass) => {
            let r = RegressRequest::from_bytes(request).map_err(malformed)?;
            let ctx = ctx(r.seed, r.data.as_ref());
            Ok(pass.regress(&r.machine, &r.options, &ctx)?.to_bytes())
        }
        Plugin::Network(pass) => {
            let r = NetworkRequest::from_bytes(request).map_err(malformed)?;
            let ctx = ctx(r.seed, r.data.as_ref());
            Ok(pass.run(&r.network, &r.options, &ctx)?.to_bytes())
        }
        Plugin::Extractor(pass) => {
            let r = ExtractRequest::from_bytes(request).map_err(malformed)?;
            let ctx = ctx(r.seed, r.data.as_ref());
            Ok(pass.extract(&r.network, &r.options, &ctx)?.to_bytes())
        }
        Plugin::Program(pass) => {
            let r = ProgramRequest::from_bytes(request).map_err(malformed)?;
            let ctx = ctx(r.seed, r.data.as_ref());
            Ok(pass.run(&r.program, &r.options, &ctx)?.to_bytes())
        }
    }
}

/// The text of a panic payload. The payload is dropped behind `catch_unwind` too, because
/// dropping an arbitrary payload may itself panic.
fn panic_message(panic: Box<dyn Any + Send>) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".into());
    let _ = catch_unwind(AssertUnwindSafe(|| drop(panic)));
    message
}

/// The [`crate::abi::FreeFn`] of the table: frees a buffer `run` returned.
unsafe extern "C" fn free(buffer: Buffer) {
    if !buffer.ptr.is_null() {
        // SAFETY: every buffer `run` hands out is a leaked `Vec<u8>` with exactly these parts,
        // and the host returns each one once.
        drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.capacity) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{FLAG_WANTS_DATA, KIND_EXTRACTION, KIND_PROGRAM};
    use crate::data::*;
    use crate::plugin::{Extractor, ProgramPass};

    /// Names its output after the number of observed sequences it was given.
    struct CountSequences;

    impl ProgramPass for CountSequences {
        fn name(&self) -> &str {
            "count-sequences"
        }
        fn description(&self) -> &str {
            "test"
        }
        fn wants_data(&self) -> bool {
            true
        }
        fn run(&self, program: &ProgramData, _: &OptionValues, ctx: &RunContext) -> Result<ProgramData, String> {
            let data = ctx.require_data()?;
            Ok(ProgramData {
                method: format!("{} sequences", data.sequences.len()),
                ..program.clone()
            })
        }
    }

    /// A machine with the network's hidden width as its state width.
    struct Width;

    impl Extractor for Width {
        fn name(&self) -> &str {
            "width"
        }
        fn description(&self) -> &str {
            "test"
        }
        fn extract(
            &self,
            network: &NetworkData,
            _: &OptionValues,
            ctx: &RunContext,
        ) -> Result<StateMachineData, String> {
            assert!(ctx.data.is_none());
            Ok(StateMachineData {
                state_dim: network.hidden_dim,
                ..StateMachineData::default()
            })
        }
    }

    #[test]
    fn program_passes_receive_the_data_they_ask_for() {
        let plugin = Plugin::program(CountSequences);
        assert_eq!((plugin.kind_code(), plugin.flags()), (KIND_PROGRAM, FLAG_WANTS_DATA));
        let mut request = ProgramRequest {
            data: Some(ObservationsData {
                sequences: vec![ObservedSequenceData::default(); 3],
                ..ObservationsData::default()
            }),
            ..ProgramRequest::default()
        };
        let reply = call(&plugin, &request.to_bytes()).unwrap();
        assert_eq!(ProgramData::from_bytes(&reply).unwrap().method, "3 sequences");
        request.data = None;
        let err = call(&plugin, &request.to_bytes()).unwrap_err();
        assert!(err.contains("has no network"), "{err}");
    }

    #[test]
    fn extractors_answer_with_a_state_machine() {
        let plugin = Plugin::extractor(Width);
        assert_eq!((plugin.kind_code(), plugin.flags()), (KIND_EXTRACTION, 0));
        let request = ExtractRequest {
            network: NetworkData {
                hidden_dim: 4,
                ..NetworkData::default()
            },
            ..ExtractRequest::default()
        };
        let reply = call(&plugin, &request.to_bytes()).unwrap();
        assert_eq!(StateMachineData::from_bytes(&reply).unwrap().state_dim, 4);
        let err = call(&plugin, &ProgramRequest::default().to_bytes()).unwrap_err();
        assert!(err.contains("expected 6 (extraction request)"), "{err}");
    }
}
