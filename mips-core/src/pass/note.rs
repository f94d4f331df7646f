//! Typed report notes: a note a pass writes and another crate reads back (the bench reading
//! what the architecture search found) is declared once as a [`Note`], a key with the type of
//! its value, so writer and reader cannot disagree on the key's spelling or the value's form.

use std::marker::PhantomData;
use std::str::FromStr;

use super::{PassContext, ReportRow};

/// The key of a report-row note whose value is a `T`.
pub struct Note<T> {
    key: &'static str,
    value: PhantomData<fn() -> T>,
}

impl<T> Note<T> {
    /// The note `key`.
    pub const fn new(key: &'static str) -> Self {
        Note {
            key,
            value: PhantomData,
        }
    }

    /// The key as written in report rows.
    pub fn key(&self) -> &'static str {
        self.key
    }
}

impl<T: std::fmt::Display> Note<T> {
    /// Records `value` for the running pass's report row.
    pub fn write(&self, ctx: &PassContext, value: T) {
        ctx.note(self.key, value);
    }
}

impl<T: FromStr> Note<T> {
    /// The value `row` holds for this note: `None` when the pass did not record it (or
    /// recorded something that does not read as a `T`).
    pub fn read(&self, row: &ReportRow) -> Option<T> {
        row.note(self.key)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: Note<u64> = Note::new("steps");

    #[test]
    fn a_written_note_reads_back_as_its_type() {
        let task = crate::tasks::builtin("Bitwise_Not").unwrap();
        let verify = crate::task::Task::test_split(&task).head(2);
        let ctx = PassContext::new(&task, &verify, 0, true);
        STEPS.write(&ctx, 1234);
        let row = ReportRow {
            pass: "search".into(),
            kind: super::super::PassKind::Architecture,
            seconds: 0.0,
            verify_seconds: 0.0,
            before: None,
            after: None,
            accuracy: None,
            status: super::super::Status::Accepted,
            notes: ctx.notes.take(),
        };
        assert_eq!(STEPS.read(&row), Some(1234));
        assert_eq!(Note::<u64>::new("shape").read(&row), None);
    }
}
