//! Safetensors networks.

use std::sync::LazyLock;

use mips_core::interop::safetensors::{Precision, from_bytes, to_bytes};

use crate::harness::{bounded, fuzz, short_message};
use crate::ir::network;

static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    vec![
        to_bytes(&network(1, 2, vec![]), Precision::F32).unwrap(),
        to_bytes(&network(2, 3, vec![4, 2]), Precision::F64).unwrap(),
    ]
});

#[test]
fn safetensors_files() {
    fuzz("safetensors files", &SEEDS, |bytes| {
        let read = bounded(move || {
            from_bytes(&bytes)
                .map(|net| net.run_int(&[1, -1, 0, 2][..net.input_dim.min(4)]).outputs.len())
                .map_err(|e| e.to_string())
        })?;
        match read {
            Err(message) => short_message(&message),
            Ok(_) => Ok(()),
        }
    });
}
