//! `report.ron`: what a `synth` run knew that its other output files do not say (the task, the
//! verification set, the per-pass rows and the verification of the program), so that
//! `mips report DIR` can rebuild `report.html` from the folder alone.

use std::path::Path;

use mips_core::pass::ReportRow;
use serde::{Deserialize, Serialize};

/// The version of the `report.ron` layout this build writes and reads.
pub const FORMAT: u32 = 1;

/// The contents of `report.ron`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// The task as `synth` was given it: a built-in name or a data file's path.
    pub task: String,
    /// The `--verify-size` of the run (0: the whole test split): which test sequences the
    /// verifier checked after each pass, and which the projection shows.
    pub verify_size: usize,
    /// One row per pass, in pipeline order.
    pub rows: Vec<ReportRow>,
    /// The verification report of the final program, if there was one.
    pub verification: Option<String>,
}

impl ReportData {
    /// The data as RON text.
    pub fn to_ron(&self) -> Result<String, String> {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default()).map_err(|e| e.to_string())
    }

    /// Reads `report.ron` at `path`; errors name the file and what was expected.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the report data: {e}", path.display()))?;
        let data: ReportData = ron::from_str(&text).map_err(|e| {
            format!(
                "{}: not a mips report data file (expected `(format: {FORMAT}, task: ..., verify_size: ..., \
                 rows: [...], verification: ...)`): {e}",
                path.display()
            )
        })?;
        if data.format != FORMAT {
            return Err(format!(
                "{}: field `format` is {}, this mips reads format {FORMAT}",
                path.display(),
                data.format
            ));
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_data_round_trips_through_ron() {
        let data = ReportData {
            format: FORMAT,
            task: "Parity_All".into(),
            verify_size: 200,
            rows: Vec::new(),
            verification: Some("verification (jit backend): PASSED\n".into()),
        };
        let dir = std::env::temp_dir().join(format!("mips-report-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.ron");
        std::fs::write(&path, data.to_ron().unwrap()).unwrap();
        assert_eq!(ReportData::load(&path).unwrap(), data);
    }

    #[test]
    fn a_wrong_file_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("mips-report-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.ron");
        std::fs::write(&path, "(passes: [])").unwrap();
        let e = ReportData::load(&path).unwrap_err();
        assert!(
            e.contains("report.ron") && e.contains("not a mips report data file"),
            "{e}"
        );
        std::fs::write(
            &path,
            "(format: 99, task: \"x\", verify_size: 0, rows: [], verification: None)",
        )
        .unwrap();
        let e = ReportData::load(&path).unwrap_err();
        assert!(e.contains("field `format` is 99"), "{e}");
    }
}
