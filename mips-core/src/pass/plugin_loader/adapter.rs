//! A plugin pass seen as a [`Pass`]: converts the input to SDK types, calls the plugin through
//! the C ABI, returns the result buffer to the plugin and decodes the output.

use std::ffi::c_void;
use std::path::PathBuf;

use mips_plugin_sdk::abi::{Buffer, FreeFn, RunFn, STATUS_ERROR, STATUS_OK, STATUS_PANIC, Slice};
use mips_plugin_sdk::{
    ExtractRequest, Message, NetworkData, NetworkRequest, ObservationsData, ProgramRequest, RegressRequest,
    StateMachineData,
};

use super::{convert, observe};
use crate::pass::{Artifact, Artifacts, OptionSpec, Options, Pass, PassContext, PassKind};
use crate::{MipsError, Result};

/// The raw entry points of one plugin pass.
pub(super) struct PluginCall {
    pub context: *const c_void,
    pub run: RunFn,
    pub free: FreeFn,
}

// SAFETY: the SDK contract makes `run` callable from any thread, also concurrently, and
// `context` points to plugin data that lives as long as the library, which is never unloaded.
unsafe impl Send for PluginCall {}
// SAFETY: as above; the host never writes through `context`.
unsafe impl Sync for PluginCall {}

impl PluginCall {
    /// Runs the pass on an encoded request: the encoded output, or the plugin's error message.
    fn invoke(&self, request: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let mut result = Buffer::empty();
        // SAFETY: `run` and `context` come from a table that passed `table::read`; the request
        // outlives the call and `result` is a writable slot.
        let status = unsafe { (self.run)(self.context, Slice::new(request), &mut result) };
        let reply = Slice {
            ptr: result.ptr,
            len: result.len,
        };
        // SAFETY: the plugin hands out `len` readable bytes at `ptr` until we free them below.
        let bytes = unsafe { reply.as_bytes() }.map(<[u8]>::to_vec);
        if !result.ptr.is_null() {
            // SAFETY: the buffer came from this plugin's `run` and is returned exactly once.
            unsafe { (self.free)(result) };
        }
        let bytes = bytes.ok_or_else(|| format!("returned a null buffer of length {}", reply.len))?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match status {
            STATUS_OK => Ok(bytes),
            STATUS_ERROR => Err(text()),
            STATUS_PANIC => Err(format!("panicked inside the plugin: {}", text())),
            other => Err(format!("returned unknown status code {other}")),
        }
    }
}

/// A pass provided by a dynamic plugin.
pub(super) struct PluginPass {
    pub name: String,
    pub description: String,
    /// Any kind but Architecture (the kinds the ABI supports).
    pub kind: PassKind,
    /// The pass asked for the verification data.
    pub wants_data: bool,
    pub options: Vec<OptionSpec>,
    /// The library the pass comes from, for error messages.
    pub path: PathBuf,
    pub call: PluginCall,
}

impl PluginPass {
    fn error(&self, message: String) -> MipsError {
        MipsError::pass(&self.name, format!("plugin {}: {message}", self.path.display()))
    }

    fn malformed(&self, expected: &str, e: mips_plugin_sdk::DecodeError) -> MipsError {
        self.error(format!("malformed output (expected an encoded {expected}): {e}"))
    }

    /// The data sent with a request: present when the pass asked for it and there is a network.
    fn data(&self, input: &Artifacts, ctx: &PassContext) -> Option<ObservationsData> {
        let network = input.network.as_ref().filter(|_| self.wants_data)?;
        Some(observe::observations(network, ctx.verifier().screen()))
    }

    /// The input artifact at the pass's level, or an error naming what is missing.
    fn input<'a, T>(&self, artifact: Option<&'a T>, what: &str) -> Result<&'a T> {
        artifact.ok_or_else(|| self.error(format!("no {what} to read")))
    }

    /// Sends the encoded request and decodes the reply as `T`.
    fn call<T: Message>(&self, request: &impl Message) -> Result<T> {
        let reply = self.call.invoke(&request.to_bytes()).map_err(|m| self.error(m))?;
        T::from_bytes(&reply).map_err(|e| self.malformed(T::NAME, e))
    }
}

impl Pass for PluginPass {
    fn name(&self) -> &str {
        &self.name
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn kind(&self) -> PassKind {
        self.kind
    }

    fn options(&self) -> Vec<OptionSpec> {
        self.options.clone()
    }

    fn run(&self, input: &Artifacts, options: &Options, ctx: &PassContext) -> Result<Artifact> {
        let (options, seed, data) = (convert::options_to_sdk(options), ctx.seed, self.data(input, ctx));
        match self.kind {
            PassKind::Regression => {
                let machine = convert::machine_to_sdk(self.input(input.machine.as_ref(), "state machine")?);
                let request = RegressRequest {
                    options,
                    seed,
                    machine,
                    data,
                };
                Ok(Artifact::Program(convert::program_from_sdk(self.call(&request)?)))
            }
            PassKind::Extraction => {
                let network = convert::network_to_sdk(self.input(input.network.as_ref(), "network")?);
                let request = ExtractRequest {
                    options,
                    seed,
                    network,
                    data,
                };
                let machine: StateMachineData = self.call(&request)?;
                let machine = convert::machine_from_sdk(machine).map_err(|m| self.error(m))?;
                Ok(Artifact::StateMachine(machine))
            }
            PassKind::Program => {
                let program = convert::program_to_sdk(self.input(input.program.as_ref(), "program")?);
                let request = ProgramRequest {
                    options,
                    seed,
                    program,
                    data,
                };
                Ok(Artifact::Program(convert::program_from_sdk(self.call(&request)?)))
            }
            _ => {
                let network = convert::network_to_sdk(self.input(input.network.as_ref(), "network")?);
                let request = NetworkRequest {
                    options,
                    seed,
                    network,
                    data,
                };
                let network: NetworkData = self.call(&request)?;
                Ok(Artifact::Network(convert::network_from_sdk(network)))
            }
        }
    }
}
