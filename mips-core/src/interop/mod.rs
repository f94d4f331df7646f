//! Exchange with other tools: networks as safetensors files with the PyTorch reference's names.

pub mod safetensors;
