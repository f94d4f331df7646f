//! The 62 built-in tasks of the catalog, and opening a task by name or data file.
