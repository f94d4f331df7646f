//! A Cranelift JIT for [`Program`]s: one native function runs a whole batch of sequences, with a
//! tight loop over the steps of each sequence and the state held in registers.
//!
//! Semantics are the interpreter's (`Program::run`): Python floor division and modulo,
//! comparisons and logical operators giving 0/1, both operands of every binary operator
//! evaluated, only the taken branch of a conditional evaluated. Division by zero and i64
//! overflow stop the sequence with a [`Fault`] instead of trapping or wrapping.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, Block, InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};
use mips_core::ir::{BinOp, Expr, Program, UnOp, Var};

const I64: Type = types::I64;

/// Why a program could not be compiled or run.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    /// The program reads variables it does not have, or its parts disagree in size.
    #[error("invalid program: {0}")]
    InvalidProgram(String),
    /// Cranelift rejected the generated code or the host is not supported.
    #[error("cannot compile the program: {0}")]
    Compile(String),
    /// A sequence's input length is not a whole number of steps.
    #[error("sequence {index}: {len} input values is not a multiple of the input width {dim}")]
    BadLength { index: usize, len: usize, dim: usize },
}

/// Why one sequence stopped (the interpreter reports an evaluation error there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `//` or `%` by zero.
    DivisionByZero,
    /// A result outside the i64 range.
    Overflow,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        out.write_str(match self {
            Fault::DivisionByZero => "division by zero",
            Fault::Overflow => "integer overflow",
        })
    }
}

const FAULT_DIV: i64 = 1;
const FAULT_OVERFLOW: i64 = 2;

/// One sequence as the generated code sees it (`#[repr(C)]`, 32 bytes).
#[repr(C)]
struct SeqDesc {
    inputs: *const i64,
    outputs: *mut i64,
    steps: u64,
    /// Written by the generated code: 0, or `FAULT_DIV` / `FAULT_OVERFLOW`.
    fault: i64,
}

const DESC_INPUTS: i32 = 0;
const DESC_OUTPUTS: i32 = 8;
const DESC_STEPS: i32 = 16;
const DESC_FAULT: i32 = 24;
const DESC_SIZE: i64 = 32;

type BatchFn = unsafe extern "C" fn(*mut SeqDesc, u64);

/// A program compiled to native code. The code is freed when this value is dropped.
pub struct JitProgram {
    module: Option<JITModule>,
    function: BatchFn,
    input_dim: usize,
    output_dim: usize,
}

impl JitProgram {
    /// Validates and compiles `program`.
    pub fn compile(program: &Program) -> Result<JitProgram, JitError> {
        program
            .validate()
            .map_err(|e| JitError::InvalidProgram(e.to_string()))?;
        let compile_error = |e: &dyn std::fmt::Display| JitError::Compile(e.to_string());
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| compile_error(&e))?;
        flags.set("is_pic", "false").map_err(|e| compile_error(&e))?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| compile_error(&e))?;
        let isa = cranelift_native::builder()
            .map_err(|e| compile_error(&e))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| compile_error(&e))?;
        let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));

        let mut ctx = module.make_context();
        let pointer = module.target_config().pointer_type();
        ctx.func.signature.params.push(AbiParam::new(pointer));
        ctx.func.signature.params.push(AbiParam::new(I64));
        let id = module
            .declare_function("run_batch", Linkage::Local, &ctx.func.signature)
            .map_err(|e| compile_error(&e))?;
        let mut builder_ctx = FunctionBuilderContext::new();
        Lowering::build(
            program,
            FunctionBuilder::new(&mut ctx.func, &mut builder_ctx),
            module.target_config(),
        );
        let defined = module.define_function(id, &mut ctx).map_err(|e| compile_error(&e));
        let finalized = defined.and_then(|()| module.finalize_definitions().map_err(|e| compile_error(&e)));
        if let Err(e) = finalized {
            // SAFETY: no pointer into the module's memory has been handed out.
            unsafe { module.free_memory() };
            return Err(e);
        }
        let code = module.get_finalized_function(id);
        // SAFETY: the function was built with exactly this signature (pointer, i64) -> ().
        let function = unsafe { std::mem::transmute::<*const u8, BatchFn>(code) };
        Ok(JitProgram {
            module: Some(module),
            function,
            input_dim: program.input_dim(),
            output_dim: program.output_dim(),
        })
    }

    /// Runs every sequence (`len × input_dim` inputs, row-major by step), returning per sequence
    /// its `len × output_dim` outputs or the fault that stopped it. Fails, before running
    /// anything, when a sequence's length is not a whole number of steps.
    pub fn run_batch<'a>(
        &self,
        sequences: impl IntoIterator<Item = &'a [i64]>,
    ) -> Result<Vec<Result<Vec<i64>, Fault>>, JitError> {
        let dim = self.input_dim.max(1);
        let mut outputs = Vec::new();
        let mut descs = Vec::new();
        for (index, inputs) in sequences.into_iter().enumerate() {
            if inputs.len() % dim != 0 {
                return Err(JitError::BadLength {
                    index,
                    len: inputs.len(),
                    dim: self.input_dim,
                });
            }
            let steps = inputs.len() / dim;
            let mut out = vec![0; steps * self.output_dim];
            descs.push(SeqDesc {
                inputs: inputs.as_ptr(),
                outputs: out.as_mut_ptr(),
                steps: steps as u64,
                fault: 0,
            });
            outputs.push(out);
        }
        // SAFETY: every descriptor points at `steps × input_dim` readable inputs and
        // `steps × output_dim` writable outputs (a Vec's heap buffer does not move when the Vec
        // is moved into `outputs`), and the generated code touches nothing else.
        unsafe { (self.function)(descs.as_mut_ptr(), descs.len() as u64) };
        Ok(descs
            .iter()
            .zip(outputs)
            .map(|(d, out)| match d.fault {
                0 => Ok(out),
                FAULT_DIV => Err(Fault::DivisionByZero),
                _ => Err(Fault::Overflow),
            })
            .collect())
    }
}

impl Drop for JitProgram {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: `function` points into this memory and dies with `self`.
            unsafe { module.free_memory() };
        }
    }
}

/// True when evaluating `e` can never fault, so a conditional may evaluate it unconditionally.
fn infallible(e: &Expr) -> bool {
    match e {
        Expr::Const(_) | Expr::Var(_) => true,
        Expr::Unary(op, a) => *op == UnOp::Not && infallible(a),
        Expr::Binary(op, a, b) => {
            let safe_op = match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul => false,
                BinOp::FloorDiv => matches!(**b, Expr::Const(c) if c != 0 && c != -1),
                BinOp::Mod => matches!(**b, Expr::Const(c) if c != 0),
                _ => true,
            };
            safe_op && infallible(a) && infallible(b)
        }
        Expr::If(c, t, e) => infallible(c) && infallible(t) && infallible(e),
    }
}

/// Builds the batch function:
///
/// ```text
/// for each descriptor d:                     (seq_head / seq_body)
///     state = init; in, out, left = d.inputs, d.outputs, d.steps
///     while left > 0:                        (step_head / step_body)
///         x = in[..]; state = updates(state, x); out[..] = outputs(state, x)
///     on a fault: d.fault = code, next descriptor
/// ```
struct Lowering<'a> {
    b: FunctionBuilder<'a>,
    fault_div: Block,
    fault_overflow: Block,
}

impl<'a> Lowering<'a> {
    fn build(program: &Program, mut b: FunctionBuilder<'a>, config: TargetFrontendConfig) {
        let pointer = config.pointer_type();
        let entry = b.create_block();
        let seq_head = b.create_block();
        let seq_body = b.create_block();
        let step_head = b.create_block();
        let step_body = b.create_block();
        let next_seq = b.create_block();
        let exit = b.create_block();
        let fault_div = b.create_block();
        let fault_overflow = b.create_block();

        let index = b.declare_var(I64);
        let desc = b.declare_var(pointer);
        let input = b.declare_var(pointer);
        let output = b.declare_var(pointer);
        let left = b.declare_var(I64);
        let state: Vec<Variable> = program.init.iter().map(|_| b.declare_var(I64)).collect();

        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let (descs, count) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let zero = b.ins().iconst(I64, 0);
        b.def_var(index, zero);
        b.ins().jump(seq_head, &[]);

        b.switch_to_block(seq_head);
        let i = b.use_var(index);
        let done = b.ins().icmp(IntCC::Equal, i, count);
        b.ins().brif(done, exit, &[], seq_body, &[]);

        b.switch_to_block(seq_body);
        let i = b.use_var(index);
        let offset = b.ins().imul_imm_s(i, DESC_SIZE);
        let offset = if pointer == I64 {
            offset
        } else {
            b.ins().ireduce(pointer, offset)
        };
        let d = b.ins().iadd(descs, offset);
        b.def_var(desc, d);
        let flags = MemFlagsData::trusted();
        let v = b.ins().load(pointer, flags, d, DESC_INPUTS);
        b.def_var(input, v);
        let v = b.ins().load(pointer, flags, d, DESC_OUTPUTS);
        b.def_var(output, v);
        let v = b.ins().load(I64, flags, d, DESC_STEPS);
        b.def_var(left, v);
        for (var, &init) in state.iter().zip(&program.init) {
            let v = b.ins().iconst(I64, init);
            b.def_var(*var, v);
        }
        b.ins().jump(step_head, &[]);

        b.switch_to_block(step_head);
        let n = b.use_var(left);
        let finished = b.ins().icmp_imm_s(IntCC::Equal, n, 0);
        b.ins().brif(finished, next_seq, &[], step_body, &[]);

        b.switch_to_block(step_body);
        let mut low = Lowering {
            b,
            fault_div,
            fault_overflow,
        };
        let in_ptr = low.b.use_var(input);
        let xs: Vec<Value> = (0..program.input_dim())
            .map(|k| low.b.ins().load(I64, flags, in_ptr, (8 * k) as i32))
            .collect();
        let old: Vec<Value> = state.iter().map(|v| low.b.use_var(*v)).collect();
        let new: Vec<Value> = program.updates.iter().map(|e| low.expr(e, &old, &xs)).collect();
        let out_ptr = low.b.use_var(output);
        for (k, e) in program.outputs.iter().enumerate() {
            let y = low.expr(e, &new, &xs);
            low.b.ins().store(flags, y, out_ptr, (8 * k) as i32);
        }
        let mut b = low.b;
        for (var, v) in state.iter().zip(new) {
            b.def_var(*var, v);
        }
        let v = b.ins().iadd_imm_s(in_ptr, 8 * program.input_dim() as i64);
        b.def_var(input, v);
        let v = b.ins().iadd_imm_s(out_ptr, 8 * program.output_dim() as i64);
        b.def_var(output, v);
        let n = b.use_var(left);
        let v = b.ins().iadd_imm_s(n, -1);
        b.def_var(left, v);
        b.ins().jump(step_head, &[]);

        for (block, code) in [(fault_div, FAULT_DIV), (fault_overflow, FAULT_OVERFLOW)] {
            b.switch_to_block(block);
            let d = b.use_var(desc);
            let code = b.ins().iconst(I64, code);
            b.ins().store(flags, code, d, DESC_FAULT);
            b.ins().jump(next_seq, &[]);
        }

        b.switch_to_block(next_seq);
        let i = b.use_var(index);
        let v = b.ins().iadd_imm_s(i, 1);
        b.def_var(index, v);
        b.ins().jump(seq_head, &[]);

        b.switch_to_block(exit);
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(config);
    }

    /// Continues in a fresh block when `fault` (an i8 flag) is zero, else jumps to `target`.
    fn fault_if(&mut self, fault: Value, target: Block) {
        let ok = self.b.create_block();
        self.b.ins().brif(fault, target, &[], ok, &[]);
        self.b.switch_to_block(ok);
    }

    fn bool_to_int(&mut self, flag: Value) -> Value {
        self.b.ins().uextend(I64, flag)
    }

    fn expr(&mut self, e: &Expr, state: &[Value], xs: &[Value]) -> Value {
        match e {
            Expr::Const(c) => self.b.ins().iconst(I64, *c),
            Expr::Var(Var::State(k)) => state[*k],
            Expr::Var(Var::Input(k)) => xs[*k],
            Expr::Unary(op, a) => {
                let a = self.expr(a, state, xs);
                self.unary(*op, a)
            }
            Expr::Binary(op, a, b) => {
                let divisor = match **b {
                    Expr::Const(c) => Some(c),
                    _ => None,
                };
                let a = self.expr(a, state, xs);
                let b = self.expr(b, state, xs);
                self.binary(*op, a, b, divisor)
            }
            Expr::If(c, t, e) if infallible(t) && infallible(e) => {
                let c = self.expr(c, state, xs);
                let t = self.expr(t, state, xs);
                let e = self.expr(e, state, xs);
                self.b.ins().select(c, t, e)
            }
            Expr::If(c, t, e) => {
                let c = self.expr(c, state, xs);
                let (then_block, else_block, merge) =
                    (self.b.create_block(), self.b.create_block(), self.b.create_block());
                let result = self.b.append_block_param(merge, I64);
                self.b.ins().brif(c, then_block, &[], else_block, &[]);
                for (block, branch) in [(then_block, t), (else_block, e)] {
                    self.b.switch_to_block(block);
                    let v = self.expr(branch, state, xs);
                    self.b.ins().jump(merge, &[v.into()]);
                }
                self.b.switch_to_block(merge);
                result
            }
        }
    }

    fn unary(&mut self, op: UnOp, a: Value) -> Value {
        match op {
            UnOp::Not => {
                let flag = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                self.bool_to_int(flag)
            }
            UnOp::Neg | UnOp::Abs => {
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                self.fault_if(is_min, self.fault_overflow);
                if op == UnOp::Neg {
                    self.b.ins().ineg(a)
                } else {
                    self.b.ins().iabs(a)
                }
            }
        }
    }

    /// `divisor` is the right operand's value when it is a constant (checks it makes
    /// impossible are left out).
    fn binary(&mut self, op: BinOp, a: Value, b: Value, divisor: Option<i64>) -> Value {
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                let (v, overflow) = match op {
                    BinOp::Add => self.b.ins().sadd_overflow(a, b),
                    BinOp::Sub => self.b.ins().ssub_overflow(a, b),
                    _ => self.b.ins().smul_overflow(a, b),
                };
                self.fault_if(overflow, self.fault_overflow);
                v
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if divisor.is_none_or(|c| c == 0) {
                    let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                    self.fault_if(zero, self.fault_div);
                }
                if op == BinOp::FloorDiv {
                    if divisor.is_none_or(|c| c == -1) {
                        let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                        let b_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
                        let overflow = self.b.ins().band(a_min, b_minus_one);
                        self.fault_if(overflow, self.fault_overflow);
                    }
                    // Truncated quotient, minus one when the remainder's sign differs from b's.
                    let q = self.b.ins().sdiv(a, b);
                    let qb = self.b.ins().imul(q, b);
                    let r = self.b.ins().isub(a, qb);
                    let adjust = self.sign_differs(r, b);
                    let adjust = self.bool_to_int(adjust);
                    self.b.ins().isub(q, adjust)
                } else {
                    // Truncated remainder, plus b when its sign differs from b's.
                    let r = self.b.ins().srem(a, b);
                    let adjust = self.sign_differs(r, b);
                    let zero = self.b.ins().iconst(I64, 0);
                    let add = self.b.ins().select(adjust, b, zero);
                    self.b.ins().iadd(r, add)
                }
            }
            BinOp::Min => self.b.ins().smin(a, b),
            BinOp::Max => self.b.ins().smax(a, b),
            BinOp::Xor => self.b.ins().bxor(a, b),
            BinOp::And | BinOp::Or => {
                let a = self.b.ins().icmp_imm_s(IntCC::NotEqual, a, 0);
                let b = self.b.ins().icmp_imm_s(IntCC::NotEqual, b, 0);
                let flag = if op == BinOp::And {
                    self.b.ins().band(a, b)
                } else {
                    self.b.ins().bor(a, b)
                };
                self.bool_to_int(flag)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let cc = match op {
                    BinOp::Eq => IntCC::Equal,
                    BinOp::Ne => IntCC::NotEqual,
                    BinOp::Lt => IntCC::SignedLessThan,
                    BinOp::Le => IntCC::SignedLessThanOrEqual,
                    BinOp::Gt => IntCC::SignedGreaterThan,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                let flag = self.b.ins().icmp(cc, a, b);
                self.bool_to_int(flag)
            }
        }
    }

    /// i8 flag: `r != 0 && (r < 0) != (b < 0)`.
    fn sign_differs(&mut self, r: Value, b: Value) -> Value {
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let signs = self.b.ins().bxor(r, b);
        let differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
        self.b.ins().band(nonzero, differ)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, c, s, x};
    use proptest::prelude::*;

    /// Runs `program` on every sequence with the JIT and the interpreter and requires the same
    /// outputs, or errors of the same kind. Returns (ok, division-by-zero, overflow) counts.
    fn agree(name: &str, program: &Program, sequences: &[Vec<i64>]) -> (usize, usize, usize) {
        let jit = JitProgram::compile(program).unwrap();
        let results = jit.run_batch(sequences.iter().map(Vec::as_slice)).unwrap();
        let mut counts = (0, 0, 0);
        for (seq, got) in sequences.iter().zip(results) {
            match (program.run(seq), got) {
                (Ok(want), Ok(got)) => {
                    assert_eq!(want, got, "{name}: inputs {seq:?}");
                    counts.0 += 1;
                }
                (Err(e), Err(fault)) => {
                    let by_zero = e.to_string().contains("by zero");
                    assert_eq!(
                        by_zero,
                        fault == Fault::DivisionByZero,
                        "{name}: inputs {seq:?}: {e} vs {fault}"
                    );
                    if by_zero { counts.1 += 1 } else { counts.2 += 1 }
                }
                (want, got) => panic!("{name}: inputs {seq:?}: interpreter {want:?}, JIT {got:?}"),
            }
        }
        counts
    }

    #[test]
    fn jit_matches_the_interpreter_on_the_suite() {
        let mut total = (0, 0, 0);
        for case in testkit::suite() {
            let (ok, div, overflow) = agree(case.name, &case.program, &case.sequences);
            total = (total.0 + ok, total.1 + div, total.2 + overflow);
        }
        assert!(
            total.0 > 100 && total.1 > 5 && total.2 > 5,
            "suite exercises faults: {total:?}"
        );
    }

    #[test]
    fn untaken_faulting_branches_do_not_fault() {
        let (a, b) = (x(0), x(1));
        let guarded = testkit::program(
            vec![],
            &["a", "b"],
            vec![testkit::ite(
                a.clone(),
                testkit::bin(BinOp::FloorDiv, b.clone(), a.clone()),
                testkit::bin(BinOp::Add, b, c(i64::MAX)),
            )],
        );
        let jit = JitProgram::compile(&guarded).unwrap();
        let out = jit.run_batch([&[0, -1][..], &[2, 7], &[0, 1]]).unwrap();
        assert_eq!(out, vec![Ok(vec![i64::MAX - 1]), Ok(vec![3]), Err(Fault::Overflow)]);
    }

    #[test]
    fn bad_lengths_and_invalid_programs_are_errors() {
        let jit = JitProgram::compile(&testkit::adder()).unwrap();
        let err = jit.run_batch([&[1, 0][..], &[1, 0, 1]]).unwrap_err();
        assert!(
            matches!(
                err,
                JitError::BadLength {
                    index: 1,
                    len: 3,
                    dim: 2
                }
            ),
            "{err}"
        );
        assert!(jit.run_batch(std::iter::empty()).unwrap().is_empty());
        let mut bad = testkit::adder();
        bad.outputs.push(s(5));
        let err = JitProgram::compile(&bad).err().unwrap();
        assert!(err.to_string().contains("state variable 5"), "{err}");
    }

    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            (-4i64..5).prop_map(Expr::Const),
            prop::sample::select(vec![i64::MIN, i64::MAX, -1, 1 << 40]).prop_map(Expr::Const),
            (0usize..2).prop_map(Expr::state),
            (0usize..2).prop_map(Expr::input),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        leaf().prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (
                    prop::sample::select(vec![UnOp::Neg, UnOp::Not, UnOp::Abs]),
                    inner.clone()
                )
                    .prop_map(|(op, a)| Expr::un(op, a)),
                (prop::sample::select(BinOp::ALL.to_vec()), inner.clone(), inner.clone())
                    .prop_map(|(op, a, b)| Expr::bin(op, a, b)),
                (inner.clone(), inner.clone(), inner).prop_map(|(c, t, e)| Expr::ite(c, t, e)),
            ]
        })
    }

    fn value() -> impl Strategy<Value = i64> {
        prop_oneof![4 => -6i64..7, 1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1, 0, 1 << 33])]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn jit_matches_the_interpreter_on_random_programs(
            updates in prop::collection::vec(expr(), 2),
            outputs in prop::collection::vec(expr(), 1..3),
            init in prop::collection::vec(-3i64..4, 2),
            sequences in prop::collection::vec(prop::collection::vec(value(), 0..12), 1..6),
        ) {
            let program = testkit::program(
                vec![("p", init[0], updates[0].clone()), ("q", init[1], updates[1].clone())],
                &["a", "b"],
                outputs,
            );
            let sequences: Vec<Vec<i64>> =
                sequences.into_iter().map(|mut s| { s.truncate(s.len() / 2 * 2); s }).collect();
            agree("random", &program, &sequences);
        }
    }
}
