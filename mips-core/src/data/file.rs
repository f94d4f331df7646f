//! Reading user data files (CSV and JSON lines); implemented with the tasks module.
