//! The wire encoding: a small little-endian binary format for the types of [`crate::data`].
//! The format is specified in the crate documentation; [`crate::codec`] implements [`Wire`] for
//! every data type. Decoding never panics and never allocates more than the input could hold:
//! truncated input, trailing bytes, bad tags, bad UTF-8 and too deep expressions are errors.

/// The first four bytes of every message.
pub const MAGIC: [u8; 4] = *b"MIPS";

/// The deepest expression nesting a decoder accepts.
pub const MAX_EXPR_DEPTH: usize = 512;

/// Why bytes did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset where decoding stopped.
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Accumulates encoded bytes.
#[derive(Debug, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// Appends raw bytes.
    pub fn put(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads encoded bytes, tracking the offset (for errors) and the expression depth.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            offset: 0,
            depth: 0,
        }
    }

    /// An error at the current offset.
    pub fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.offset,
            message: message.into(),
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.offset
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(format!("needs {n} more bytes, only {} left", self.remaining())));
        }
        let taken = &self.bytes[self.offset..self.offset + n];
        self.offset += n;
        Ok(taken)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A length or count (u64), which must not exceed the bytes left: every encoded item takes
    /// at least one byte, so a larger count is malformed and is refused before allocating.
    pub fn count(&mut self) -> Result<usize, DecodeError> {
        let n = u64::from_le_bytes(self.array()?);
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() => Ok(n),
            _ => Err(self.error(format!("length {n} exceeds the {} bytes left", self.remaining()))),
        }
    }

    /// Runs `inner` one nesting level deeper; too deep is an error.
    pub fn nested<T>(&mut self, inner: impl FnOnce(&mut Self) -> Result<T, DecodeError>) -> Result<T, DecodeError> {
        if self.depth >= MAX_EXPR_DEPTH {
            return Err(self.error(format!("expression nested deeper than {MAX_EXPR_DEPTH} levels")));
        }
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }
}

/// A type with a wire encoding.
pub trait Wire: Sized {
    /// Appends the encoding of `self`.
    fn encode(&self, out: &mut Writer);
    /// Reads one value.
    fn decode(input: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// A top-level message: [`MAGIC`], a one-byte kind, then the body; nothing may follow.
pub trait Message: Wire {
    /// The kind byte.
    const KIND: u8;
    /// What the message holds, for errors.
    const NAME: &'static str;

    /// The complete message.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Writer::default();
        out.put(&MAGIC);
        out.put(&[Self::KIND]);
        self.encode(&mut out);
        out.into_bytes()
    }

    /// Decodes a complete message, checking magic, kind and that every byte is used.
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut input = Reader::new(bytes);
        if input.array::<4>().ok() != Some(MAGIC) {
            return Err(DecodeError {
                offset: 0,
                message: format!("not a mips message (expected it to start with {:?})", "MIPS"),
            });
        }
        let [kind] = input.array()?;
        if kind != Self::KIND {
            return Err(DecodeError {
                offset: 4,
                message: format!("message kind {kind}, expected {} ({})", Self::KIND, Self::NAME),
            });
        }
        let value = Self::decode(&mut input)?;
        if input.remaining() != 0 {
            return Err(input.error(format!("{} trailing bytes after the {}", input.remaining(), Self::NAME)));
        }
        Ok(value)
    }
}
