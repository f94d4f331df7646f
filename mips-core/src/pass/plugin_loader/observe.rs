//! The data a plugin pass may ask for: the verification inputs and the network's behaviour on
//! them (hidden states, raw and rounded outputs), never the labels.

use mips_plugin_sdk as sdk;
use rayon::prelude::*;

use crate::data::Dataset;
use crate::ir::Network;
use crate::pass::verify::round_output;

/// The network run on every sequence of `data`, in order.
pub(super) fn observations(network: &Network, data: &Dataset) -> sdk::ObservationsData {
    let sequences = data
        .sequences
        .par_iter()
        .map(|s| {
            let trace = network.run_int(&s.inputs);
            sdk::ObservedSequenceData {
                inputs: s.inputs.clone(),
                rounded: trace.outputs.iter().map(|v| round_output(*v)).collect(),
                hidden: trace.hidden,
                outputs: trace.outputs,
            }
        })
        .collect();
    sdk::ObservationsData {
        input_dim: network.input_dim,
        hidden_dim: network.hidden_dim,
        output_dim: network.output_dim,
        sequences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Sequence;
    use crate::pass::manager::tests::not_network;

    #[test]
    fn observations_hold_the_networks_states_and_rounded_outputs() {
        let mut data = Dataset::new(1, 1);
        data.sequences.push(Sequence {
            inputs: vec![1, 0, 1],
            outputs: vec![7, 7, 7], // labels are not sent
        });
        let seen = observations(&not_network(), &data);
        assert_eq!((seen.input_dim, seen.hidden_dim, seen.output_dim), (1, 1, 1));
        let s = &seen.sequences[0];
        assert_eq!(s.inputs, [1, 0, 1]);
        assert_eq!(s.hidden, [1.0, 0.0, 1.0]);
        assert_eq!(s.outputs, [0.0, 1.0, 0.0]);
        assert_eq!(s.rounded, [0, 1, 0]);
    }
}
