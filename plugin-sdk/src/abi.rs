//! The raw C ABI: `#[repr(C)]` types, status and kind codes, and the names of the two exported
//! symbols. Everything here is plain data with a fixed layout; [`crate::export_plugins!`] fills
//! it in for Rust plugins, and a plugin written in another language reproduces it by hand.

use std::ffi::c_void;

/// The ABI version this SDK implements. A plugin exports it as [`ABI_VERSION_SYMBOL`]; the host
/// refuses a library whose version differs before calling anything in it. Bump it on any change
/// to the types of this module or to the wire encoding.
///
/// History: 1, regression and network passes; 2, extraction and program passes, the
/// descriptor's `flags` ([`FLAG_WANTS_DATA`]) and the `data` field of every request.
pub const ABI_VERSION: u32 = 2;

/// Name of the exported `static u32` holding the plugin's ABI version.
pub const ABI_VERSION_SYMBOL: &str = "MIPS_PLUGIN_ABI_VERSION";

/// Name of the exported entry function, of type [`EntryFn`].
pub const ENTRY_SYMBOL: &str = "mips_plugin_entry";

/// Kind code: a regressor, state machine → program ([`crate::RegressRequest`] in,
/// [`crate::ProgramData`] out).
pub const KIND_REGRESSION: u32 = 1;
/// Kind code: a parameter pass, network → network that simplifies parameter values
/// ([`crate::NetworkRequest`] in, [`crate::NetworkData`] out).
pub const KIND_PARAMETER: u32 = 2;
/// Kind code: a representation pass, network → network that changes the hidden basis but keeps
/// the function ([`crate::NetworkRequest`] in, [`crate::NetworkData`] out).
pub const KIND_REPRESENTATION: u32 = 3;
/// Kind code: an extraction pass, network → state machine ([`crate::ExtractRequest`] in,
/// [`crate::StateMachineData`] out).
pub const KIND_EXTRACTION: u32 = 4;
/// Kind code: a program pass, program → program that keeps the program's outputs
/// ([`crate::ProgramRequest`] in, [`crate::ProgramData`] out).
pub const KIND_PROGRAM: u32 = 5;

/// Descriptor flag: the pass wants the verification inputs and the network's behaviour on
/// them (the `data` field of its requests, an [`crate::ObservationsData`]).
pub const FLAG_WANTS_DATA: u32 = 1;
/// Every flag this ABI version defines; the host refuses a descriptor with any other bit set.
pub const KNOWN_FLAGS: u32 = FLAG_WANTS_DATA;

/// Run status: success; the result buffer holds the encoded output artifact.
pub const STATUS_OK: u32 = 0;
/// Run status: the pass failed; the result buffer holds a UTF-8 message.
pub const STATUS_ERROR: u32 = 1;
/// Run status: the pass panicked (caught at the boundary); the result buffer holds the panic
/// message in UTF-8.
pub const STATUS_PANIC: u32 = 2;

/// A borrowed byte range. Whoever creates it keeps ownership; the receiver may read it only
/// while the call that received it lasts (or, for the strings of a [`PluginDescriptor`], while
/// the library stays loaded, which is forever). A null `ptr` is allowed only with `len == 0`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Slice {
    pub ptr: *const u8,
    pub len: usize,
}

impl Slice {
    /// A slice borrowing `bytes`.
    pub fn new(bytes: &[u8]) -> Slice {
        Slice {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    /// The bytes, or `None` when `ptr` is null but `len` is not zero.
    ///
    /// # Safety
    /// `ptr` must point to `len` readable bytes that stay valid and unchanged for `'a`.
    pub unsafe fn as_bytes<'a>(self) -> Option<&'a [u8]> {
        if self.ptr.is_null() {
            return (self.len == 0).then_some(&[]);
        }
        // SAFETY: the caller guarantees `ptr` points to `len` readable bytes living for 'a.
        Some(unsafe { std::slice::from_raw_parts(self.ptr, self.len) })
    }
}

/// A byte buffer allocated by the plugin and handed to the host. The host copies what it needs
/// and then passes the buffer, unchanged, to the table's [`PluginTable::free`] exactly once;
/// it never frees it with its own allocator. A null `ptr` means an empty buffer (nothing to
/// free).
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    pub ptr: *mut u8,
    pub len: usize,
    /// The allocation's capacity, needed by the plugin to free it.
    pub capacity: usize,
}

impl Buffer {
    /// An empty buffer (null pointer).
    pub fn empty() -> Buffer {
        Buffer {
            ptr: std::ptr::null_mut(),
            len: 0,
            capacity: 0,
        }
    }
}

/// Runs one pass. `context` is the descriptor's `context`; `request` is an encoded request
/// message owned by the host and valid only during the call; the plugin writes a [`Buffer`] it
/// allocated into `*result` (always, also on error) and returns a `STATUS_*` code.
/// May be called from any thread, also concurrently.
pub type RunFn = unsafe extern "C" fn(context: *const c_void, request: Slice, result: *mut Buffer) -> u32;

/// Frees a [`Buffer`] the plugin returned through [`RunFn`].
pub type FreeFn = unsafe extern "C" fn(buffer: Buffer);

/// The exported entry function: returns the plugin table, or null when the plugin cannot list
/// its passes. The table and everything it points to stay valid while the library is loaded.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginTable;

/// One pass a plugin library provides.
#[repr(C)]
#[derive(Debug)]
pub struct PluginDescriptor {
    /// UTF-8 pass name used in pipelines: ASCII letters, digits, `-`, `_` and `.` only.
    pub name: Slice,
    /// UTF-8 one-line description for listings.
    pub description: Slice,
    /// One of the `KIND_*` codes.
    pub kind: u32,
    /// `FLAG_*` bits or-ed together (0: none).
    pub flags: u32,
    /// An encoded [`crate::OptionSpecs`] message: the options the pass accepts.
    pub options: Slice,
    /// Opaque pointer passed back to `run`.
    pub context: *const c_void,
    /// The pass itself; `None` (a null pointer) is rejected by the host.
    pub run: Option<RunFn>,
}

/// What the entry function returns: the plugin's passes and the function that frees the
/// buffers its passes return.
#[repr(C)]
#[derive(Debug)]
pub struct PluginTable {
    /// Number of descriptors at `plugins`.
    pub count: usize,
    /// `count` descriptors (may be null when `count` is 0).
    pub plugins: *const PluginDescriptor,
    /// Frees result buffers; `None` is rejected by the host.
    pub free: Option<FreeFn>,
}
