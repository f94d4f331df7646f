//! A Cranelift JIT for [`Program`]s: one native function runs a whole batch of sequences, with a
//! tight loop over the steps of each sequence and the state held in registers.
//!
//! Semantics are the interpreter's (`Program::run`): Python floor division and modulo,
//! comparisons and logical operators giving 0/1, both operands of every binary operator
//! evaluated, only the taken branch of a conditional evaluated. Division by zero and i64
//! overflow stop the sequence with a [`Fault`] instead of trapping or wrapping; the harness
//! re-runs the sequences flagged [`Fault::Overflow`] in arbitrary precision
//! ([`Program::run_exact`]).

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
    BadLength {
        /// Position of the sequence in the batch.
        index: usize,
        /// Its number of input values.
        len: usize,
        /// The program's input width.
        dim: usize,
    },
}

/// Why one sequence stopped (the interpreter reports an evaluation error there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `//` or `%` by zero.
    DivisionByZero,
    /// A result outside the i64 range (the exact value exists: [`Program::run_exact`]).
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

type BatchFn = unsafe extern "C" fn(*mut SeqDesc, u64, *const i64);

/// The module owning the generated code, touched only when it is dropped.
struct CodeOwner(Option<JITModule>);

// SAFETY: `CodeOwner` has no methods taking `&self`, so sharing a reference to it between
// threads gives access to nothing; the module is only used, by value, in `Drop`.
unsafe impl Sync for CodeOwner {}

impl Drop for CodeOwner {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the only pointer into this memory, `JitProgram::function`, dies with the
            // `JitProgram` that owns this value.
            unsafe { module.free_memory() };
        }
    }
}

/// A program compiled to native code (`Send + Sync`). The code is freed when this value is
/// dropped.
pub struct JitProgram {
    /// Owns the code `function` points into; frees it when dropped.
    _code: CodeOwner,
    function: BatchFn,
    /// Read by the generated code: `[magic, divisor]` per constant divisor (see [`magic`]).
    constants: Box<[i64]>,
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
        // Cache-line aligned code: the loop's performance must not depend on where it lands.
        flags
            .set("log2_min_function_alignment", "6")
            .map_err(|e| compile_error(&e))?;
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
        ctx.func.signature.params.push(AbiParam::new(pointer));
        let id = module
            .declare_function("run_batch", Linkage::Local, &ctx.func.signature)
            .map_err(|e| compile_error(&e))?;
        let mut builder_ctx = FunctionBuilderContext::new();
        let divisors = magic_divisors(program);
        Lowering::build(
            program,
            &divisors,
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
        // SAFETY: the function was built with exactly this signature (pointer, i64, pointer) -> ().
        let function = unsafe { std::mem::transmute::<*const u8, BatchFn>(code) };
        Ok(JitProgram {
            _code: CodeOwner(Some(module)),
            function,
            constants: divisors.iter().flat_map(|&d| [magic(d).0, d]).collect(),
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
            // Not zeroed: the generated code writes every value (see below).
            let mut out = Vec::with_capacity(steps * self.output_dim);
            descs.push(SeqDesc {
                inputs: inputs.as_ptr(),
                outputs: out.as_mut_ptr(),
                steps: steps as u64,
                fault: 0,
            });
            outputs.push(out);
        }
        // SAFETY: every descriptor points at `steps × input_dim` readable inputs and room for
        // `steps × output_dim` outputs (a Vec's heap buffer does not move when the Vec is moved
        // into `outputs`), and the generated code touches nothing else but `constants`, which
        // holds the two values per divisor the code loads.
        unsafe { (self.function)(descs.as_mut_ptr(), descs.len() as u64, self.constants.as_ptr()) };
        Ok(descs
            .iter()
            .zip(outputs)
            .map(|(d, mut out)| match d.fault {
                0 => {
                    // SAFETY: a sequence without a fault ran all its steps, and every step
                    // stores all `output_dim` outputs: `steps × output_dim` values (the
                    // capacity asked for) are initialized.
                    unsafe { out.set_len(d.steps as usize * self.output_dim) };
                    Ok(out)
                }
                FAULT_DIV => Err(Fault::DivisionByZero),
                _ => Err(Fault::Overflow),
            })
            .collect())
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

/// The constant divisors of `//` and `%` that are divided by multiplication (all but 0, ±1 and
/// powers of two, which Cranelift handles with shifts), each once, in order.
fn magic_divisors(program: &Program) -> Vec<i64> {
    fn visit(e: &Expr, found: &mut std::collections::BTreeSet<i64>) {
        match e {
            Expr::Const(_) | Expr::Var(_) => {}
            Expr::Unary(_, a) => visit(a, found),
            Expr::Binary(op, a, b) => {
                if let (BinOp::FloorDiv | BinOp::Mod, Expr::Const(d)) = (op, &**b)
                    && !d.unsigned_abs().is_power_of_two()
                    && d.unsigned_abs() > 1
                {
                    found.insert(*d);
                }
                visit(a, found);
                visit(b, found);
            }
            Expr::If(c, t, e) => {
                visit(c, found);
                visit(t, found);
                visit(e, found);
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    program
        .updates
        .iter()
        .chain(&program.outputs)
        .for_each(|e| visit(e, &mut found));
    found.into_iter().collect()
}

/// Magic multiplier and shift for truncated signed division by `d` (|d| ≥ 2, not a power of
/// two): Hacker's Delight, figure 10-1. The quotient is `t = mulhi(a, m)`, plus `a` when
/// `d > 0 > m`, minus `a` when `d < 0 < m`, shifted right arithmetically by `shift`, plus one
/// when negative.
fn magic(d: i64) -> (i64, u32) {
    const TWO63: u64 = 1 << 63;
    let ad = d.unsigned_abs();
    let t = TWO63 + ((d as u64) >> 63);
    let anc = t - 1 - t % ad;
    let mut p = 63;
    let (mut q1, mut q2) = (TWO63 / anc, TWO63 / ad);
    let (mut r1, mut r2) = (TWO63 - q1 * anc, TWO63 - q2 * ad);
    loop {
        p += 1;
        q1 = q1.wrapping_mul(2);
        r1 = r1.wrapping_mul(2);
        if r1 >= anc {
            q1 = q1.wrapping_add(1);
            r1 = r1.wrapping_sub(anc);
        }
        q2 = q2.wrapping_mul(2);
        r2 = r2.wrapping_mul(2);
        if r2 >= ad {
            q2 = q2.wrapping_add(1);
            r2 = r2.wrapping_sub(ad);
        }
        let delta = ad - r2;
        if !(q1 < delta || (q1 == delta && r1 == 0)) {
            break;
        }
    }
    let m = q2.wrapping_add(1) as i64;
    (if d < 0 { m.wrapping_neg() } else { m }, p - 64)
}

/// A constant divisor with its magic numbers; the multiplier and the divisor are loaded once from
/// the constants table (so they stay in registers rather than being reloaded every step).
#[derive(Clone, Copy)]
struct Magic {
    d: i64,
    m: i64,
    shift: u32,
    m_value: Value,
    d_value: Value,
}

/// Builds the batch function `(descriptors, count, constants)`:
///
/// ```text
/// for each descriptor d:                          (seq_head, seq_body)
///     state = init; in, out, left = d.inputs, d.outputs, d.steps
///     if left > 0:
///         x = in[..]                              (first_inputs)
///         do:                                     (step_body)
///             x_next = in[..] of the next step (of this one on the last step)
///             state = updates(state, x); out[..] = outputs(state, x)
///             x = x_next; left -= 1
///         while left > 0
///         if an overflow was recorded: d.fault = overflow   (seq_end)
///     a division by zero (or an overflow before a division): d.fault = code, next descriptor
/// ```
struct Lowering<'a> {
    b: FunctionBuilder<'a>,
    /// Per constant divisor divided by multiplication.
    magic: std::collections::HashMap<i64, Magic>,
    /// i8, non-zero once an addition, subtraction, multiplication, negation or `abs` of this
    /// sequence overflowed; checked before any division that may fault and at the end of the
    /// sequence, so that the step loop has no branch per operation. Wrapped values computed
    /// after an overflow never fault on their own and the sequence's outputs are discarded.
    overflow: Variable,
    fault_div: Block,
    fault_overflow: Block,
}

impl<'a> Lowering<'a> {
    fn build(program: &Program, divisors: &[i64], mut b: FunctionBuilder<'a>, config: TargetFrontendConfig) {
        let pointer = config.pointer_type();
        let entry = b.create_block();
        let seq_head = b.create_block();
        let seq_body = b.create_block();
        let step_body = b.create_block();
        let first_inputs = b.create_block();
        let seq_end = b.create_block();
        let next_seq = b.create_block();
        let exit = b.create_block();
        let fault_div = b.create_block();
        let fault_overflow = b.create_block();

        let index = b.declare_var(I64);
        let desc = b.declare_var(pointer);
        let input = b.declare_var(pointer);
        let output = b.declare_var(pointer);
        let left = b.declare_var(I64);
        let overflow = b.declare_var(types::I8);
        let current: Vec<Variable> = (0..program.input_dim()).map(|_| b.declare_var(I64)).collect();
        let state: Vec<Variable> = program.init.iter().map(|_| b.declare_var(I64)).collect();

        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let (descs, count, constants) = (
            b.block_params(entry)[0],
            b.block_params(entry)[1],
            b.block_params(entry)[2],
        );
        let flags = MemFlagsData::trusted();
        let mut magic_values = std::collections::HashMap::new();
        for (k, &d) in divisors.iter().enumerate() {
            let m = b.ins().load(I64, flags, constants, (16 * k) as i32);
            let value = b.ins().load(I64, flags, constants, (16 * k + 8) as i32);
            let (m_const, shift) = magic(d);
            let entry = Magic {
                d,
                m: m_const,
                shift,
                m_value: m,
                d_value: value,
            };
            magic_values.insert(d, entry);
        }
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
        let no_overflow = b.ins().iconst(types::I8, 0);
        b.def_var(overflow, no_overflow);
        b.ins().brif(v, first_inputs, &[], next_seq, &[]);

        // Inputs are loaded one step ahead, so that the load of step t + 1 comes before the
        // stores of step t: a load waiting on a store (as the CPU may predict) then costs no
        // time on the state's dependency chain.
        b.switch_to_block(first_inputs);
        let in_ptr = b.use_var(input);
        for (k, var) in current.iter().enumerate() {
            let v = b.ins().load(I64, flags, in_ptr, (8 * k) as i32);
            b.def_var(*var, v);
        }
        b.ins().jump(step_body, &[]);

        // The step loop, tested at the bottom.
        b.switch_to_block(step_body);
        let n = b.use_var(left);
        let left_after = b.ins().iadd_imm_s(n, -1);
        let in_ptr = b.use_var(input);
        let next_in = b.ins().iadd_imm_s(in_ptr, 8 * program.input_dim() as i64);
        // On the last step, reload the current inputs instead of reading past the end.
        let ahead = b.ins().select(left_after, next_in, in_ptr);
        let xs: Vec<Value> = current.iter().map(|v| b.use_var(*v)).collect();
        for (k, var) in current.iter().enumerate() {
            let v = b.ins().load(I64, flags, ahead, (8 * k) as i32);
            b.def_var(*var, v);
        }
        let mut low = Lowering {
            b,
            magic: magic_values,
            overflow,
            fault_div,
            fault_overflow,
        };
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
        b.def_var(input, next_in);
        let v = b.ins().iadd_imm_s(out_ptr, 8 * program.output_dim() as i64);
        b.def_var(output, v);
        b.def_var(left, left_after);
        b.ins().brif(left_after, step_body, &[], seq_end, &[]);

        // Overflows are checked once per sequence (values computed after one are discarded).
        b.switch_to_block(seq_end);
        let so_far = b.use_var(overflow);
        b.ins().brif(so_far, fault_overflow, &[], next_seq, &[]);

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

    /// Records an i8 overflow flag.
    fn note_overflow(&mut self, flag: Value) {
        let so_far = self.b.use_var(self.overflow);
        let v = self.b.ins().bor(so_far, flag);
        self.b.def_var(self.overflow, v);
    }

    /// Stops the sequence when an overflow was recorded, so that it is reported before any
    /// later fault, as the interpreter does.
    fn check_overflow(&mut self) {
        let so_far = self.b.use_var(self.overflow);
        self.fault_if(so_far, self.fault_overflow);
        let none = self.b.ins().iconst(types::I8, 0);
        self.b.def_var(self.overflow, none);
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
                self.note_overflow(is_min);
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
                self.note_overflow(overflow);
                v
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if divisor.is_none_or(|c| c == 0 || (c == -1 && op == BinOp::FloorDiv)) {
                    // This division may fault: earlier overflows must be reported first.
                    self.check_overflow();
                }
                if divisor.is_none_or(|c| c == 0) {
                    let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                    self.fault_if(zero, self.fault_div);
                }
                if op == BinOp::FloorDiv && divisor.is_none_or(|c| c == -1) {
                    let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                    let b_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
                    let overflow = self.b.ins().band(a_min, b_minus_one);
                    self.fault_if(overflow, self.fault_overflow);
                }
                let magic = divisor.and_then(|d| self.magic.get(&d).copied());
                // Truncated quotient q (division only) and remainder r, then the floor
                // adjustment where r is non-zero with a sign other than b's: q - 1, r + b.
                let (q, r, b) = match magic {
                    Some(magic) => {
                        let q = self.magic_quotient(a, magic);
                        let qb = self.b.ins().imul(q, magic.d_value);
                        (Some(q), self.b.ins().isub(a, qb), magic.d_value)
                    }
                    None if op == BinOp::FloorDiv => {
                        let q = self.b.ins().sdiv(a, b);
                        let qb = self.b.ins().imul(q, b);
                        (Some(q), self.b.ins().isub(a, qb), b)
                    }
                    None => (None, self.b.ins().srem(a, b), b),
                };
                let adjust = if divisor.is_some_and(|c| c > 0) {
                    // b > 0: adjust exactly when r < 0; r's sign bit is the mask.
                    self.b.ins().sshr_imm_s(r, 63)
                } else {
                    let differ = self.sign_differs(r, b);
                    self.b.ins().bmask(I64, differ)
                };
                match q {
                    Some(q) if op == BinOp::FloorDiv => self.b.ins().iadd(q, adjust),
                    _ => {
                        let add = self.b.ins().band(adjust, b);
                        self.b.ins().iadd(r, add)
                    }
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

    /// The truncated quotient `a / d` by multiplication (see [`magic`]).
    fn magic_quotient(&mut self, a: Value, magic: Magic) -> Value {
        let mut t = self.b.ins().smulhi(a, magic.m_value);
        if magic.d > 0 && magic.m < 0 {
            t = self.b.ins().iadd(t, a);
        } else if magic.d < 0 && magic.m > 0 {
            t = self.b.ins().isub(t, a);
        }
        if magic.shift > 0 {
            t = self.b.ins().sshr_imm_s(t, i64::from(magic.shift));
        }
        let negative = self.b.ins().ushr_imm_s(t, 63);
        self.b.ins().iadd(t, negative)
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
    fn compiled_programs_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        let jit = JitProgram::compile(&testkit::sum_mod()).unwrap();
        send_sync(&jit);
        let runs: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| jit.run_batch([&[3, 5][..]]).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(runs, vec![vec![Ok(vec![3, 1])]; 2]);
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

    #[test]
    fn constant_divisors_match_the_interpreter() {
        let mut numerators: Vec<i64> = (-40..=40).collect();
        numerators.extend([i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1, 1 << 40, -(1 << 40) - 3]);
        numerators.extend(testkit::values(11, 300, i64::MIN, i64::MAX));
        let sequences: Vec<Vec<i64>> = numerators.chunks(7).map(<[i64]>::to_vec).collect();
        let divisors = [
            3,
            5,
            6,
            7,
            10,
            12,
            100,
            641,
            -3,
            -7,
            -10,
            (1 << 31) + 1,
            -(1 << 33) - 5,
            i64::MAX,
            i64::MIN + 1,
            2,
            4,
            -8,
            1,
            -1,
            i64::MIN,
        ];
        for d in divisors {
            let program = testkit::program(
                vec![],
                &["a"],
                vec![
                    testkit::bin(BinOp::FloorDiv, x(0), c(d)),
                    testkit::bin(BinOp::Mod, x(0), c(d)),
                ],
            );
            agree(&format!("divisor {d}"), &program, &sequences);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn jit_matches_the_interpreter_on_random_programs(
            updates in prop::collection::vec(testkit::expr(), 2),
            outputs in prop::collection::vec(testkit::expr(), 1..3),
            init in prop::collection::vec(-3i64..4, 2),
            sequences in prop::collection::vec(prop::collection::vec(testkit::value(), 0..12), 1..6),
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
