//! The fuzzing harness: inputs (random bytes, or a valid seed file with structured mutations),
//! and the property every reader must have: it returns (a clear, short error or a usable value),
//! it does not panic, and it does not hang.
//!
//! Case count: `MIPS_FUZZ_CASES` (default [`QUICK_CASES`]) per reader.

use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Cases per reader in a plain `cargo test`.
pub const QUICK_CASES: u32 = 300;

/// How long one parse may take before it counts as a hang (generous: a parse of these inputs
/// takes well under a millisecond; the largest mutated inputs are a few MB).
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The largest input, in bytes (mutations that would grow past it are cut there).
pub const MAX_INPUT: usize = 2 << 20;

/// The longest error message accepted (in characters, beyond the file's path): long inputs
/// must be quoted as excerpts.
pub const MAX_MESSAGE: usize = 400;

/// The proptest configuration: [`QUICK_CASES`] or `MIPS_FUZZ_CASES` cases, no files written.
pub fn config() -> Config {
    let cases = std::env::var("MIPS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(QUICK_CASES);
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

/// Runs `test` on [`config`]'s number of [`inputs`] over `seeds`; prints the case count and
/// time (shown with `--nocapture`) and panics with the failing (shrunk) input, if any.
pub fn fuzz(reader: &str, seeds: &[Vec<u8>], test: impl Fn(Vec<u8>) -> Result<(), TestCaseError>) {
    let config = config();
    let start = std::time::Instant::now();
    let result = TestRunner::new(config.clone()).run(&inputs(seeds.len()), |input| test(input.bytes(seeds)));
    let seconds = start.elapsed().as_secs_f64();
    println!("fuzz {reader}: {} cases in {seconds:.1} s", config.cases);
    if let Err(e) = result {
        panic!("fuzz {reader}: {e}");
    }
}

/// One structured mutation: what, where (a fraction of the length) and a value.
#[derive(Clone, Debug)]
pub struct Mutation {
    kind: u8,
    at: u32,
    value: u64,
}

/// A fuzz input: random bytes, or seed `seed` with mutations.
#[derive(Clone, Debug)]
pub enum Input {
    Random(Vec<u8>),
    Mutated { seed: usize, mutations: Vec<Mutation> },
}

/// Inputs over `seeds` valid files.
pub fn inputs(seeds: usize) -> impl Strategy<Value = Input> {
    let mutation = (0u8..10, any::<u32>(), any::<u64>()).prop_map(|(kind, at, value)| Mutation { kind, at, value });
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..600).prop_map(Input::Random),
        4 => (0..seeds, proptest::collection::vec(mutation, 1..6))
            .prop_map(|(seed, mutations)| Input::Mutated { seed, mutations }),
    ]
}

/// Replacements for a number: huge, negative, not finite, not a number at all.
const NUMBERS: [&str; 18] = [
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e999",
    "-1",
    "-0",
    "0",
    "1.5",
    "18446744073709551616",
    "18446744073709551615",
    "9223372036854775808",
    "9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "0x10",
    "99999999999999999999999999999999999999999999999999",
];

/// Binary replacements for 8 bytes (little-endian u64 / f64 bit patterns).
const WORDS: [u64; 9] = [
    u64::MAX,
    1 << 63,
    (1 << 63) - 1,
    1 << 32,
    0,
    1,
    0x7ff8_0000_0000_0000, // NaN
    0x7ff0_0000_0000_0000, // inf
    0xfff0_0000_0000_0000, // -inf
];

/// Openers for deep nesting, in the syntaxes of the readers.
const OPENERS: [&[u8]; 7] = [
    b"[",
    b"(",
    b"{",
    b"Unary(Neg, ",
    b"Chain(Add, [",
    b"\x03\x00",
    b"{\"a\":",
];

impl Input {
    /// The bytes of this input over the given seed files.
    pub fn bytes(&self, seeds: &[Vec<u8>]) -> Vec<u8> {
        match self {
            Input::Random(bytes) => bytes.clone(),
            Input::Mutated { seed, mutations } => {
                let mut bytes = seeds[*seed].clone();
                for m in mutations {
                    m.apply(&mut bytes, seeds);
                    bytes.truncate(MAX_INPUT);
                }
                bytes
            }
        }
    }
}

impl Mutation {
    /// Applies the mutation to `bytes` (`seeds` are spliced from).
    fn apply(&self, bytes: &mut Vec<u8>, seeds: &[Vec<u8>]) {
        let len = bytes.len();
        let at = (self.at as usize * (len + 1)) >> 32;
        let v = self.value;
        match self.kind {
            // Flip bits of one byte.
            0 if len > 0 => bytes[at.min(len - 1)] ^= (v as u8).max(1),
            // Insert a random byte.
            1 => bytes.insert(at, v as u8),
            // Delete a run of up to 16 bytes.
            2 => {
                let end = (at + 1 + (v % 16) as usize).min(len);
                bytes.drain(at.min(end)..end);
            }
            // Truncate.
            3 => bytes.truncate(at),
            // Duplicate a line (or, in binary, a run of bytes) up to v % 1000 times.
            4 => {
                let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(len, |p| at + p + 1);
                let line = bytes[start..end].to_vec();
                let copies = (1 + (v % 1000) as usize).min(MAX_INPUT / line.len().max(1));
                let repeated: Vec<u8> = line.iter().copied().cycle().take(line.len() * copies).collect();
                bytes.splice(end..end, repeated);
            }
            // Replace the number at or after `at` with a special one.
            5 => {
                if let Some(start) = bytes[at..].iter().position(u8::is_ascii_digit).map(|p| at + p) {
                    let end = start
                        + bytes[start..]
                            .iter()
                            .take_while(|b| b.is_ascii_digit() || **b == b'.')
                            .count();
                    let start = if start > 0 && bytes[start - 1] == b'-' {
                        start - 1
                    } else {
                        start
                    };
                    let with = NUMBERS[(v % NUMBERS.len() as u64) as usize].as_bytes();
                    bytes.splice(start..end, with.iter().copied());
                }
            }
            // Overwrite 8 bytes with a special word.
            6 => {
                let word = WORDS[(v % WORDS.len() as u64) as usize].to_le_bytes();
                let end = (at + 8).min(len);
                bytes.splice(at.min(end)..end, word);
            }
            // Deep nesting: up to 200,000 openers (and as many closers half of the time).
            7 => {
                let opener = OPENERS[(v % OPENERS.len() as u64) as usize];
                let depth = 1 + ((v >> 8) % 200_000) as usize;
                let mut inserted = opener.repeat(depth);
                if v & 1 == 0 {
                    let closer = match opener.last() {
                        Some(b'[') => b"]".as_slice(),
                        Some(b'{') => b"}",
                        Some(b'(') | Some(b' ') => b")",
                        _ => b"",
                    };
                    inserted.extend(b"0".iter().chain(&closer.repeat(depth)));
                }
                bytes.splice(at..at, inserted);
            }
            // Splice in a piece of another seed.
            8 if !seeds.is_empty() => {
                let other = &seeds[(v % seeds.len() as u64) as usize];
                let from = ((v >> 16) as usize) % (other.len() + 1);
                let to = (from + ((v >> 40) as usize % 64)).min(other.len());
                bytes.splice(at..at, other[from..to].iter().copied());
            }
            // A huge token: one byte repeated up to 1 MB.
            9 => {
                let count = 1 + ((v >> 8) % 1_000_000) as usize;
                bytes.splice(at..at, std::iter::repeat_n(v as u8 | 0x40, count));
            }
            _ => {}
        }
    }
}

/// Runs `read` on its own thread (2 MiB stack, like a test thread) and returns its result:
/// a test failure when it panics or takes longer than [`TIMEOUT`].
pub fn bounded<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    let (send, receive) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = send.send(read());
        })
        .expect("spawn a reader thread");
    match receive.recv_timeout(TIMEOUT) {
        Ok(value) => {
            let _ = worker.join();
            Ok(value)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err().map(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            });
            Err(TestCaseError::fail(format!("the reader panicked: {panic:?}")))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "the reader hung (no answer within {TIMEOUT:?})"
        ))),
    }
}

/// Checks that an error message is short and not empty.
pub fn short_message(message: &str) -> Result<(), TestCaseError> {
    let n = message.chars().count();
    prop_assert!(n > 0, "empty error message");
    prop_assert!(
        n <= MAX_MESSAGE,
        "error message of {n} characters: {}…",
        message.chars().take(300).collect::<String>()
    );
    Ok(())
}

#[test]
fn a_panicking_reader_fails_the_case() {
    let err = bounded(|| -> u8 { panic!("boom") }).unwrap_err();
    assert!(
        err.to_string().contains("panicked") && err.to_string().contains("boom"),
        "{err}"
    );
    assert_eq!(bounded(|| 7).unwrap(), 7);
}

#[test]
fn mutations_stay_within_the_size_limit() {
    let seeds = vec![b"1,1\n".repeat(1000)];
    for kind in 0..10 {
        for value in [0, 1, u64::MAX, 0x1234_5678_9abc_def0] {
            let input = Input::Mutated {
                seed: 0,
                mutations: vec![
                    Mutation {
                        kind,
                        at: u32::MAX / 3,
                        value
                    };
                    5
                ],
            };
            assert!(input.bytes(&seeds).len() <= MAX_INPUT, "kind {kind}");
        }
    }
}
