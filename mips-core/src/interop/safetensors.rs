//! A [`Network`] as a safetensors file, with the tensor names of the PyTorch reference model:
//! f is `hmlp.mlp.{0,2,4,..}.{weight,bias}` and g is `ymlp.mlp.{0,2,..}.{weight,bias}` (indices
//! step by 2 because the activations sit between the linear layers in `nn.Sequential`); weights
//! are `out × in` like `nn.Linear`. A non-zero initial state is stored as the extra tensor `h0`
//! (the reference has none). The activation is written to the file's metadata (`activation`);
//! files without it are read as ReLU, the reference's activation.
//!
//! Export writes `f32` (like PyTorch) or `f64`; import accepts both.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::atomic::write_atomic;
use crate::error::{QUOTE_LIMIT, clip, shorten_quoted};
use crate::ir::{Activation, Linear, Mlp, Network};
use crate::{MipsError, Result};

/// Floating-point type of exported tensors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats, like PyTorch's default.
    #[default]
    F32,
    /// 64-bit floats (exact for mips networks).
    F64,
}

/// Metadata key holding the activation's name.
pub const ACTIVATION_KEY: &str = "activation";

/// An error about the file's content; quoted names and long lists are shortened.
fn err(message: impl Into<String>) -> MipsError {
    let message = shorten_quoted(&message.into());
    MipsError::invalid("safetensors network", clip(&message, 6 * QUOTE_LIMIT))
}

fn encode(values: impl Iterator<Item = f64>, precision: Precision) -> Vec<u8> {
    match precision {
        Precision::F32 => values.flat_map(|v| (v as f32).to_le_bytes()).collect(),
        Precision::F64 => values.flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// Serializes a network (see the module docs for names and layout).
pub fn to_bytes(net: &Network, precision: Precision) -> Result<Vec<u8>> {
    net.validate()?;
    let dtype = match precision {
        Precision::F32 => Dtype::F32,
        Precision::F64 => Dtype::F64,
    };
    // (name, shape, bytes)
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (prefix, mlp) in [("hmlp", &net.f), ("ymlp", &net.g)] {
        for (k, layer) in mlp.layers.iter().enumerate() {
            let base = format!("{prefix}.mlp.{}", 2 * k);
            tensors.push((
                format!("{base}.weight"),
                vec![layer.outputs, layer.inputs],
                encode(layer.weight.iter().copied(), precision),
            ));
            tensors.push((
                format!("{base}.bias"),
                vec![layer.outputs],
                encode(layer.bias.iter().copied(), precision),
            ));
        }
    }
    if net.h0.iter().any(|&v| v != 0.0) {
        tensors.push((
            "h0".into(),
            vec![net.hidden_dim],
            encode(net.h0.iter().copied(), precision),
        ));
    }
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| err(format!("{name}: {e}")))
        })
        .collect::<Result<_>>()?;
    let metadata = HashMap::from([(ACTIVATION_KEY.to_string(), net.f.activation.name().to_string())]);
    safetensors::serialize(views, Some(metadata)).map_err(|e| err(e.to_string()))
}

/// Writes a network to a safetensors file atomically.
pub fn save(net: &Network, path: &Path, precision: Precision) -> Result<()> {
    write_atomic(path, &to_bytes(net, precision)?)
}

/// Reads a network from a safetensors file.
pub fn load(path: &Path) -> Result<Network> {
    let bytes = std::fs::read(path).map_err(|source| MipsError::io(path.to_path_buf(), source))?;
    from_bytes(&bytes).map_err(|e| match e {
        MipsError::Invalid { what, message } => MipsError::Invalid {
            what,
            message: format!("{}: {message}", path.display()),
        },
        other => other,
    })
}

/// A tensor's values as `f64` with its shape.
fn values(st: &SafeTensors, name: &str) -> Result<(Vec<usize>, Vec<f64>)> {
    let t = st.tensor(name).map_err(|_| err(format!("missing tensor '{name}'")))?;
    let data = t.data();
    let vals: Vec<f64> = match t.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        other => return Err(err(format!("tensor '{name}' has dtype {other:?}; expected F32 or F64"))),
    };
    if let Some(bad) = vals.iter().position(|v| !v.is_finite()) {
        return Err(err(format!("tensor '{name}' has a non-finite value at index {bad}")));
    }
    Ok((t.shape().to_vec(), vals))
}

/// Reads the linear layers `prefix.mlp.0`, `prefix.mlp.2`, ... (until the next is missing).
fn read_mlp(st: &SafeTensors, prefix: &str, activation: Activation, used: &mut Vec<String>) -> Result<Mlp> {
    let names = st.names();
    let mut layers: Vec<Linear> = Vec::new();
    for k in (0..).step_by(2) {
        let (wn, bn) = (format!("{prefix}.mlp.{k}.weight"), format!("{prefix}.mlp.{k}.bias"));
        if !names.contains(&wn.as_str()) {
            if names.contains(&bn.as_str()) {
                return Err(err(format!("'{bn}' is present but '{wn}' is missing")));
            }
            break;
        }
        let (ws, weight) = values(st, &wn)?;
        let (bs, bias) = values(st, &bn)?;
        let [outputs, inputs] = ws[..] else {
            return Err(err(format!("'{wn}' has shape {ws:?}; expected [out, in]")));
        };
        if bs != [outputs] {
            return Err(err(format!(
                "'{bn}' has shape {bs:?}; expected [{outputs}] to match '{wn}'"
            )));
        }
        if let Some(prev) = layers.last().filter(|p| p.outputs != inputs) {
            return Err(err(format!(
                "'{wn}' reads {inputs} values but the previous layer of {prefix} writes {}",
                prev.outputs
            )));
        }
        used.extend([wn, bn]);
        layers.push(Linear {
            inputs,
            outputs,
            weight,
            bias,
        });
    }
    if layers.is_empty() {
        return Err(err(format!("missing tensor '{prefix}.mlp.0.weight'")));
    }
    Ok(Mlp { layers, activation })
}

/// Parses a safetensors buffer written by [`to_bytes`] or by PyTorch (`save_file(model.state_dict())`).
pub fn from_bytes(bytes: &[u8]) -> Result<Network> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| err(format!("not a safetensors file: {e}")))?;
    let (_, meta) = SafeTensors::read_metadata(bytes).map_err(|e| err(e.to_string()))?;
    let activation = match meta.metadata().as_ref().and_then(|m| m.get(ACTIVATION_KEY)) {
        Some(name) => Activation::parse(name)?,
        None => Activation::Relu,
    };
    let mut used = Vec::new();
    let f = read_mlp(&st, "hmlp", activation, &mut used)?;
    let g = read_mlp(&st, "ymlp", activation, &mut used)?;
    let hidden_dim = g.input_dim();
    if f.output_dim() != hidden_dim {
        return Err(err(format!(
            "hmlp writes {} values but ymlp reads {hidden_dim} (both are the hidden size)",
            f.output_dim()
        )));
    }
    if f.input_dim() <= hidden_dim {
        return Err(err(format!(
            "hmlp reads {} values; expected the hidden size {hidden_dim} plus at least one input",
            f.input_dim()
        )));
    }
    let h0 = if st.names().contains(&"h0") {
        let (shape, v) = values(&st, "h0")?;
        if shape != [hidden_dim] {
            return Err(err(format!("'h0' has shape {shape:?}; expected [{hidden_dim}]")));
        }
        used.push("h0".into());
        v
    } else {
        vec![0.0; hidden_dim]
    };
    let mut extra: Vec<&str> = st
        .names()
        .into_iter()
        .filter(|n| !used.iter().any(|u| u == n))
        .collect();
    extra.sort();
    if !extra.is_empty() {
        let more = match extra.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        return Err(err(format!(
            "unexpected tensors {:?}{more} (expected hmlp.mlp.*, ymlp.mlp.* and h0)",
            &extra[..extra.len().min(3)]
        )));
    }
    let net = Network {
        input_dim: f.input_dim() - hidden_dim,
        hidden_dim,
        output_dim: g.output_dim(),
        f,
        g,
        h0,
    };
    net.validate()?;
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::network::Shape;
    use crate::train::layout::Layout;

    fn net(f_widths: Vec<usize>, g_widths: Vec<usize>) -> Network {
        let shape = Shape {
            input_dim: 2,
            hidden_dim: 3,
            output_dim: 1,
            f_widths,
            g_widths,
            activation: Activation::Tanh,
        };
        let layout = Layout::new(&shape).unwrap();
        layout.to_network(&layout.init::<f64>(11))
    }

    #[test]
    fn round_trips_in_f64_exactly_and_f32_closely() {
        for (f, g) in [(vec![], vec![]), (vec![4], vec![]), (vec![4, 5], vec![2])] {
            let mut n = net(f, g);
            n.h0 = vec![0.5, 0.0, -1.0];
            let back = from_bytes(&to_bytes(&n, Precision::F64).unwrap()).unwrap();
            assert_eq!(back, n);
            let back = from_bytes(&to_bytes(&n, Precision::F32).unwrap()).unwrap();
            assert_eq!(back.shape(), n.shape());
            for (a, b) in back.parameters().zip(n.parameters()) {
                assert_eq!(a, b as f32 as f64);
            }
        }
    }

    #[test]
    fn zero_h0_is_not_stored_and_names_follow_the_reference() {
        let bytes = to_bytes(&net(vec![4], vec![]), Precision::F32).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let mut names = st.names();
        names.sort();
        assert_eq!(
            names,
            [
                "hmlp.mlp.0.bias",
                "hmlp.mlp.0.weight",
                "hmlp.mlp.2.bias",
                "hmlp.mlp.2.weight",
                "ymlp.mlp.0.bias",
                "ymlp.mlp.0.weight"
            ]
        );
        assert_eq!(st.tensor("hmlp.mlp.0.weight").unwrap().shape(), [4, 5]);
    }

    fn tensor_file(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
        let bytes: Vec<Vec<u8>> = tensors
            .iter()
            .map(|t| t.2.iter().flat_map(|v| v.to_le_bytes()).collect())
            .collect();
        let views: Vec<(String, TensorView)> = tensors
            .iter()
            .zip(&bytes)
            .map(|(t, b)| (t.0.to_string(), TensorView::new(Dtype::F32, t.1.clone(), b).unwrap()))
            .collect();
        safetensors::serialize(views, None).unwrap()
    }

    #[test]
    fn missing_and_misshapen_tensors_are_clear_errors() {
        let ok = [
            ("hmlp.mlp.0.weight", vec![1, 2], vec![1.0, 1.0]),
            ("hmlp.mlp.0.bias", vec![1], vec![0.0]),
            ("ymlp.mlp.0.weight", vec![1, 1], vec![1.0]),
            ("ymlp.mlp.0.bias", vec![1], vec![0.0]),
        ];
        let n = from_bytes(&tensor_file(&ok)).unwrap();
        assert_eq!((n.input_dim, n.hidden_dim, n.f.activation), (1, 1, Activation::Relu));
        assert_eq!(n.run_int(&[1, 2]).outputs, vec![1.0, 3.0]);

        let msg = |t: &[(&str, Vec<usize>, Vec<f32>)]| from_bytes(&tensor_file(t)).unwrap_err().to_string();
        assert!(msg(&ok[1..]).contains("hmlp.mlp.0.bias' is present but 'hmlp.mlp.0.weight' is missing"));
        assert!(msg(&ok[..2]).contains("missing tensor 'ymlp.mlp.0.weight'"));
        let mut bad = ok.to_vec();
        bad[1] = ("hmlp.mlp.0.bias", vec![2], vec![0.0, 0.0]);
        assert!(msg(&bad).contains("expected [1]"), "{}", msg(&bad));
        let mut bad = ok.to_vec();
        bad.push(("lstm.weight", vec![1], vec![0.0]));
        assert!(msg(&bad).contains("unexpected tensors [\"lstm.weight\"]"));
        let mut bad = ok.to_vec();
        bad[0] = ("hmlp.mlp.0.weight", vec![2], vec![1.0, 1.0]);
        assert!(msg(&bad).contains("expected [out, in]"));
        let names: Vec<String> = (0..1000).map(|k| format!("{}{k}", "x".repeat(1000))).collect();
        let mut bad = ok.to_vec();
        bad.extend(names.iter().map(|n| (n.as_str(), vec![1], vec![0.0])));
        let long = msg(&bad);
        assert!(long.len() < 400 && long.contains("and 997 more"), "{long}");
        assert!(from_bytes(b"not a file").is_err());
    }

    /// Loads a file written by Python (numpy + safetensors); skipped when they are missing.
    #[test]
    fn loads_a_file_written_by_python() {
        let dir = std::env::temp_dir().join(format!("mips-st-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ref.safetensors");
        let script = r#"
import sys
import numpy as np
from safetensors.numpy import save_file
t = {
    "hmlp.mlp.0.weight": np.array([[1.0, 0.5, -2.0], [0.25, 1.0, 3.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]], dtype=np.float32),
    "hmlp.mlp.0.bias": np.array([0.5, -0.5, 0.0, 0.125], dtype=np.float32),
    "hmlp.mlp.2.weight": np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 0.5, 0.5, 0.5]], dtype=np.float32),
    "hmlp.mlp.2.bias": np.array([0.0, 1.0], dtype=np.float32),
    "ymlp.mlp.0.weight": np.array([[2.0, -1.0]], dtype=np.float64),
    "ymlp.mlp.0.bias": np.array([0.75], dtype=np.float64),
}
save_file(t, sys.argv[1])
"#;
        let status = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output();
        match status {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                println!(
                    "skipped: python3 with numpy and safetensors is not available ({})",
                    String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
                );
                return;
            }
            Err(e) => {
                println!("skipped: python3 is not available ({e})");
                return;
            }
        }
        let net = load(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((net.input_dim, net.hidden_dim, net.output_dim), (1, 2, 1));
        assert_eq!(net.f.hidden_widths(), vec![4]);
        assert_eq!(net.f.layers[0].w(1, 2), 3.0);
        assert_eq!(net.g.layers[0].bias, vec![0.75]);
        // One step by hand: h = W2 relu(W1 [0, 0, x] + b1) + b2 with x = 1.
        let z = [0.5 - 2.0, -0.5 + 3.0, 1.0, 0.125 + 1.0];
        let a: Vec<f64> = z.iter().map(|v: &f64| v.max(0.0)).collect();
        let h = [a[0] + 2.0 * a[2] - a[3], 0.5 * (a[0] + a[1] + a[2] + a[3]) + 1.0];
        let y = 2.0 * h[0] - h[1] + 0.75;
        assert_eq!(net.run_int(&[1]).outputs, vec![y]);
    }
}
