//! [`Wire`] implementations for primitives and for every type of [`crate::data`], and the
//! [`Message`] kinds. Structs encode their fields in declaration order with no padding or
//! field names; the exact layout is specified in the crate documentation.

use crate::data::*;
use crate::wire::{DecodeError, Message, Reader, Wire, Writer};

impl Wire for u64 {
    fn encode(&self, out: &mut Writer) {
        out.put(&self.to_le_bytes());
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(u64::from_le_bytes(input.array()?))
    }
}

impl Wire for i64 {
    fn encode(&self, out: &mut Writer) {
        out.put(&self.to_le_bytes());
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(i64::from_le_bytes(input.array()?))
    }
}

impl Wire for f64 {
    fn encode(&self, out: &mut Writer) {
        out.put(&self.to_bits().to_le_bytes());
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(f64::from_bits(u64::from_le_bytes(input.array()?)))
    }
}

/// `usize` travels as a u64.
impl Wire for usize {
    fn encode(&self, out: &mut Writer) {
        (*self as u64).encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = u64::decode(input)?;
        usize::try_from(v).map_err(|_| input.error(format!("{v} does not fit this platform's usize")))
    }
}

impl Wire for bool {
    fn encode(&self, out: &mut Writer) {
        out.put(&[*self as u8]);
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match input.array::<1>()? {
            [0] => Ok(false),
            [1] => Ok(true),
            [b] => Err(input.error(format!("Boolean byte {b}, expected 0 or 1"))),
        }
    }
}

/// A u64 byte length, then UTF-8.
impl Wire for String {
    fn encode(&self, out: &mut Writer) {
        self.len().encode(out);
        out.put(self.as_bytes());
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let len = input.count()?;
        let bytes = input.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| input.error("text is not valid UTF-8"))
    }
}

/// A u64 element count, then the elements.
impl<T: Wire> Wire for Vec<T> {
    fn encode(&self, out: &mut Writer) {
        self.len().encode(out);
        self.iter().for_each(|item| item.encode(out));
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = input.count()?;
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            items.push(T::decode(input)?);
        }
        Ok(items)
    }
}

/// A tag byte (0 none, 1 some), then the value when present.
impl<T: Wire> Wire for Option<T> {
    fn encode(&self, out: &mut Writer) {
        match self {
            None => out.put(&[0]),
            Some(v) => {
                out.put(&[1]);
                v.encode(out);
            }
        }
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match input.array::<1>()? {
            [0] => Ok(None),
            [1] => Ok(Some(T::decode(input)?)),
            [b] => Err(input.error(format!("option tag {b}, expected 0 or 1"))),
        }
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn encode(&self, out: &mut Writer) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok((A::decode(input)?, B::decode(input)?))
    }
}

/// Implements [`Wire`] for a struct as its fields in the listed order.
macro_rules! wire_struct {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl Wire for $ty {
            fn encode(&self, out: &mut Writer) {
                $(self.$field.encode(out);)*
            }
            fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok($ty { $($field: Wire::decode(input)?),* })
            }
        }
    };
}

wire_struct!(TransitionData { state, input, next });
wire_struct!(StateOutputData { state, output });
wire_struct!(StateMachineData {
    state_dim,
    input_dim,
    output_dim,
    initial,
    transitions,
    outputs,
    alphabet,
    complete,
    method,
    state_names,
});
wire_struct!(ProgramData {
    state_names,
    init,
    input_names,
    updates,
    outputs,
    method,
    symbolic,
});
wire_struct!(LinearData {
    inputs,
    outputs,
    weight,
    bias
});
wire_struct!(MlpData { layers, activation });
wire_struct!(NetworkData {
    input_dim,
    hidden_dim,
    output_dim,
    f,
    g,
    h0,
});
wire_struct!(OptionSpecData { name, default, help });
wire_struct!(ObservedSequenceData {
    inputs,
    hidden,
    outputs,
    rounded
});
wire_struct!(ObservationsData {
    input_dim,
    hidden_dim,
    output_dim,
    sequences
});
wire_struct!(RegressRequest {
    options,
    seed,
    machine,
    data
});
wire_struct!(NetworkRequest {
    options,
    seed,
    network,
    data
});
wire_struct!(ExtractRequest {
    options,
    seed,
    network,
    data
});
wire_struct!(ProgramRequest {
    options,
    seed,
    program,
    data
});

/// Unary operator codes, indexed by their byte.
pub const UN_OPS: [UnOpData; 3] = [UnOpData::Neg, UnOpData::Not, UnOpData::Abs];

/// Binary operator codes, indexed by their byte.
pub const BIN_OPS: [BinOpData; 16] = [
    BinOpData::Add,
    BinOpData::Sub,
    BinOpData::Mul,
    BinOpData::FloorDiv,
    BinOpData::Mod,
    BinOpData::Min,
    BinOpData::Max,
    BinOpData::Eq,
    BinOpData::Ne,
    BinOpData::Lt,
    BinOpData::Le,
    BinOpData::Gt,
    BinOpData::Ge,
    BinOpData::And,
    BinOpData::Or,
    BinOpData::Xor,
];

/// Activation codes, indexed by their byte.
pub const ACTIVATIONS: [ActivationData; 4] = [
    ActivationData::Relu,
    ActivationData::Tanh,
    ActivationData::Sigmoid,
    ActivationData::Identity,
];

/// Implements [`Wire`] for a fieldless enum as one byte indexing its code table (the enum's
/// declaration order, which the table repeats).
macro_rules! wire_code {
    ($ty:ident, $table:ident, $what:literal) => {
        impl Wire for $ty {
            fn encode(&self, out: &mut Writer) {
                out.put(&[*self as u8]);
            }
            fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let [code] = input.array()?;
                $table
                    .get(usize::from(code))
                    .copied()
                    .ok_or_else(|| input.error(format!("unknown {} code {code}", $what)))
            }
        }
    };
}

wire_code!(UnOpData, UN_OPS, "unary operator");
wire_code!(BinOpData, BIN_OPS, "binary operator");
wire_code!(ActivationData, ACTIVATIONS, "activation");

/// Tag byte 0 const (i64), 1 state (u64 index), 2 input (u64 index), 3 unary (op, operand),
/// 4 binary (op, left, right), 5 if (cond, then, otherwise).
impl Wire for ExprData {
    fn encode(&self, out: &mut Writer) {
        match self {
            ExprData::Const(c) => {
                out.put(&[0]);
                c.encode(out);
            }
            ExprData::State(k) => {
                out.put(&[1]);
                k.encode(out);
            }
            ExprData::Input(k) => {
                out.put(&[2]);
                k.encode(out);
            }
            ExprData::Unary(op, a) => {
                out.put(&[3]);
                op.encode(out);
                a.encode(out);
            }
            ExprData::Binary(op, a, b) => {
                out.put(&[4]);
                op.encode(out);
                a.encode(out);
                b.encode(out);
            }
            ExprData::If(c, t, e) => {
                out.put(&[5]);
                c.encode(out);
                t.encode(out);
                e.encode(out);
            }
        }
    }

    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        input.nested(|input| {
            let boxed = |input: &mut Reader<'_>| ExprData::decode(input).map(Box::new);
            Ok(match input.array::<1>()? {
                [0] => ExprData::Const(i64::decode(input)?),
                [1] => ExprData::State(usize::decode(input)?),
                [2] => ExprData::Input(usize::decode(input)?),
                [3] => ExprData::Unary(UnOpData::decode(input)?, boxed(input)?),
                [4] => ExprData::Binary(BinOpData::decode(input)?, boxed(input)?, boxed(input)?),
                [5] => ExprData::If(boxed(input)?, boxed(input)?, boxed(input)?),
                [tag] => return Err(input.error(format!("unknown expression tag {tag}"))),
            })
        })
    }
}

/// Tag byte 0 int (i64), 1 float (f64), 2 Boolean (bool), 3 text (string).
impl Wire for OptionValueData {
    fn encode(&self, out: &mut Writer) {
        match self {
            OptionValueData::Int(v) => {
                out.put(&[0]);
                v.encode(out);
            }
            OptionValueData::Float(v) => {
                out.put(&[1]);
                v.encode(out);
            }
            OptionValueData::Bool(v) => {
                out.put(&[2]);
                v.encode(out);
            }
            OptionValueData::Text(v) => {
                out.put(&[3]);
                v.encode(out);
            }
        }
    }

    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match input.array::<1>()? {
            [0] => OptionValueData::Int(i64::decode(input)?),
            [1] => OptionValueData::Float(f64::decode(input)?),
            [2] => OptionValueData::Bool(bool::decode(input)?),
            [3] => OptionValueData::Text(String::decode(input)?),
            [tag] => return Err(input.error(format!("unknown option value tag {tag}"))),
        })
    }
}

impl Wire for OptionSpecs {
    fn encode(&self, out: &mut Writer) {
        self.0.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(OptionSpecs(Vec::decode(input)?))
    }
}

impl Wire for OptionValues {
    fn encode(&self, out: &mut Writer) {
        self.0.encode(out);
    }
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(OptionValues(Vec::decode(input)?))
    }
}

impl Message for RegressRequest {
    const KIND: u8 = 1;
    const NAME: &'static str = "regression request";
}

impl Message for NetworkRequest {
    const KIND: u8 = 2;
    const NAME: &'static str = "network request";
}

impl Message for ProgramData {
    const KIND: u8 = 3;
    const NAME: &'static str = "program";
}

impl Message for NetworkData {
    const KIND: u8 = 4;
    const NAME: &'static str = "network";
}

impl Message for OptionSpecs {
    const KIND: u8 = 5;
    const NAME: &'static str = "option list";
}

impl Message for ExtractRequest {
    const KIND: u8 = 6;
    const NAME: &'static str = "extraction request";
}

impl Message for ProgramRequest {
    const KIND: u8 = 7;
    const NAME: &'static str = "program request";
}

impl Message for StateMachineData {
    const KIND: u8 = 8;
    const NAME: &'static str = "state machine";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program() -> ProgramData {
        let square = ExprData::bin(BinOpData::Mul, ExprData::Input(0), ExprData::Input(0));
        ProgramData {
            state_names: vec!["z".into()],
            init: vec![-3],
            input_names: vec!["x".into()],
            updates: vec![ExprData::bin(BinOpData::Add, ExprData::State(0), square)],
            outputs: vec![ExprData::If(
                Box::new(ExprData::State(0)),
                Box::new(ExprData::un(UnOpData::Abs, ExprData::Const(i64::MIN + 1))),
                Box::new(ExprData::Const(7)),
            )],
            method: "polynomial ∑".into(),
            symbolic: true,
        }
    }

    fn network() -> NetworkData {
        let layer = |i, o| LinearData {
            inputs: i,
            outputs: o,
            weight: vec![0.5; i * o],
            bias: vec![-1.25; o],
        };
        NetworkData {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            f: MlpData {
                layers: vec![layer(3, 4), layer(4, 2)],
                activation: ActivationData::Tanh,
            },
            g: MlpData {
                layers: vec![layer(2, 1)],
                activation: ActivationData::Identity,
            },
            h0: vec![0.0, f64::MIN_POSITIVE],
        }
    }

    fn request() -> RegressRequest {
        RegressRequest {
            options: OptionValues(vec![
                ("degree".into(), OptionValueData::Int(2)),
                ("tol".into(), OptionValueData::Float(0.5)),
                ("exact".into(), OptionValueData::Bool(true)),
                ("name".into(), OptionValueData::Text("x".into())),
            ]),
            seed: u64::MAX,
            machine: StateMachineData {
                state_dim: 1,
                input_dim: 1,
                output_dim: 1,
                initial: vec![0],
                transitions: vec![TransitionData {
                    state: vec![0],
                    input: vec![2],
                    next: vec![4],
                }],
                outputs: vec![StateOutputData {
                    state: vec![4],
                    output: vec![4],
                }],
                alphabet: Some(vec![vec![0], vec![2]]),
                complete: false,
                method: "lattice".into(),
                state_names: vec![],
            },
            data: Some(observations()),
        }
    }

    fn observations() -> ObservationsData {
        ObservationsData {
            input_dim: 1,
            hidden_dim: 2,
            output_dim: 1,
            sequences: vec![ObservedSequenceData {
                inputs: vec![3, -1],
                hidden: vec![0.5, -0.0, f64::MAX, 1e-300],
                outputs: vec![2.49, -7.5],
                rounded: vec![2, -8],
            }],
        }
    }

    #[test]
    fn messages_round_trip() {
        assert_eq!(ProgramData::from_bytes(&program().to_bytes()), Ok(program()));
        assert_eq!(NetworkData::from_bytes(&network().to_bytes()), Ok(network()));
        assert_eq!(RegressRequest::from_bytes(&request().to_bytes()), Ok(request()));
        let extract = ExtractRequest {
            options: OptionValues::default(),
            seed: 3,
            network: network(),
            data: Some(observations()),
        };
        assert_eq!(ExtractRequest::from_bytes(&extract.to_bytes()), Ok(extract));
        let rewrite = ProgramRequest {
            options: request().options,
            seed: 0,
            program: program(),
            data: None,
        };
        assert_eq!(ProgramRequest::from_bytes(&rewrite.to_bytes()), Ok(rewrite));
        let machine = request().machine;
        assert_eq!(StateMachineData::from_bytes(&machine.to_bytes()), Ok(machine));
        let specs = OptionSpecs(vec![OptionSpecData::new(
            "degree",
            OptionValueData::Int(3),
            "max degree",
        )]);
        assert_eq!(OptionSpecs::from_bytes(&specs.to_bytes()), Ok(specs));
    }

    #[test]
    fn code_tables_follow_declaration_order() {
        assert!(UN_OPS.iter().enumerate().all(|(i, op)| *op as usize == i));
        assert!(BIN_OPS.iter().enumerate().all(|(i, op)| *op as usize == i));
        assert!(ACTIVATIONS.iter().enumerate().all(|(i, a)| *a as usize == i));
    }

    #[test]
    fn every_truncation_and_extension_is_an_error() {
        let bytes = request().to_bytes();
        for end in 0..bytes.len() {
            assert!(
                RegressRequest::from_bytes(&bytes[..end]).is_err(),
                "prefix of {end} bytes"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        let err = RegressRequest::from_bytes(&longer).unwrap_err();
        assert!(err.message.contains("trailing"), "{err}");
    }

    #[test]
    fn wrong_magic_kind_and_tags_are_errors() {
        assert!(
            ProgramData::from_bytes(b"not a program")
                .unwrap_err()
                .message
                .contains("MIPS")
        );
        let err = ProgramData::from_bytes(&network().to_bytes()).unwrap_err();
        assert!(err.message.contains("expected 3 (program)"), "{err}");
        // Corrupt single bytes everywhere: decoding must return, never panic.
        let bytes = program().to_bytes();
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0xA5;
            let _ = ProgramData::from_bytes(&bad);
        }
    }

    #[test]
    fn huge_lengths_are_refused_before_allocating() {
        let mut bytes = b"MIPS\x03".to_vec();
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        let err = ProgramData::from_bytes(&bytes).unwrap_err();
        assert!(err.message.contains("exceeds"), "{err}");
    }

    #[test]
    fn deep_expressions_are_refused() {
        let mut e = ExprData::Const(1);
        for _ in 0..crate::wire::MAX_EXPR_DEPTH {
            e = ExprData::un(UnOpData::Neg, e);
        }
        let deep = ProgramData {
            outputs: vec![e],
            ..ProgramData::default()
        };
        let err = ProgramData::from_bytes(&deep.to_bytes()).unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");
    }
}
