//! Pipelines: an ordered list of pass invocations, written inline
//! (`whiten,jordan,snap{tol=0.01}`) or as a RON file
//! (`(passes: ["whiten", "snap{tol=0.01}"])`).

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Options, Pass, Registry};
use crate::atomic::read_text;
use crate::error::{excerpt, shorten_quoted};
use crate::{MipsError, Result};

/// One invocation: a pass name and its options as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineStep {
    pub pass: String,
    pub options: Vec<(String, String)>,
}

/// An ordered list of pass invocations.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Pipeline {
    pub steps: Vec<PipelineStep>,
}

#[derive(Deserialize)]
struct PipelineFile {
    passes: Vec<String>,
}

/// A pass resolved against the registry, with checked options.
#[derive(Clone)]
pub struct ResolvedStep {
    pub pass: Arc<dyn Pass>,
    pub options: Options,
}

impl Pipeline {
    /// Parses the inline form: comma-separated steps, each `name` or `name{key=value,...}`.
    pub fn parse_inline(text: &str) -> Result<Pipeline> {
        let bad = |m: String| MipsError::invalid("pipeline", m);
        let mut steps = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            let end = rest.find([',', '{']).unwrap_or(rest.len());
            let name = rest[..end].trim();
            if name.is_empty() {
                return Err(bad(format!("empty pass name in '{}'", excerpt(text))));
            }
            let mut options = Vec::new();
            rest = &rest[end..];
            if let Some(after) = rest.strip_prefix('{') {
                (options, rest) = parse_options(after, name, text)?;
            }
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start();
            } else if !rest.is_empty() {
                return Err(bad(format!("expected ',' before '{}'", excerpt(rest))));
            }
            steps.push(PipelineStep {
                pass: name.to_string(),
                options,
            });
        }
        Ok(Pipeline { steps })
    }

    /// Loads a RON pipeline file: `(passes: ["step", ...])`, each step in the inline form.
    pub fn load(path: &Path) -> Result<Pipeline> {
        Pipeline::from_ron(&read_text(path)?, path)
    }

    /// Parses the text of a RON pipeline file; `path` is only used in messages.
    pub fn from_ron(text: &str, path: &Path) -> Result<Pipeline> {
        let file: PipelineFile = ron::from_str(text).map_err(|e| MipsError::Parse {
            path: path.to_path_buf(),
            line: e.span.start.line,
            message: format!(
                "{} (expected `(passes: [\"pass\", \"pass{{key=value}}\", ...])`)",
                shorten_quoted(&e.code.to_string())
            ),
        })?;
        let mut steps = Vec::new();
        for step in &file.passes {
            steps.extend(Pipeline::parse_inline(step)?.steps);
        }
        Ok(Pipeline { steps })
    }

    /// Resolves every step against the registry, checking pass names and options.
    pub fn resolve(&self, registry: &Registry) -> Result<Vec<ResolvedStep>> {
        let steps = self
            .steps
            .iter()
            .map(|step| {
                let entry = registry.get(&step.pass)?;
                let options = Options::resolve(&step.pass, &entry.pass.options(), &step.options)?;
                entry.pass.check_options(&options)?;
                Ok(ResolvedStep {
                    pass: entry.pass.clone(),
                    options,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        check_forward(&steps)?;
        Ok(steps)
    }
}

/// The `key=value` pairs of pass `name` after its `{` (in pipeline `text`), and the rest after
/// the closing `}`.
fn parse_options<'t>(after: &'t str, name: &str, text: &str) -> Result<(Vec<(String, String)>, &'t str)> {
    let bad = |m: String| MipsError::invalid("pipeline", m);
    let close = after.find('}').ok_or_else(|| {
        bad(format!(
            "missing '}}' after '{}{{' in '{}'",
            excerpt(name),
            excerpt(text)
        ))
    })?;
    let mut options = Vec::new();
    for pair in after[..close].split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            bad(format!(
                "option '{}' of '{}' is not key=value",
                excerpt(pair),
                excerpt(name)
            ))
        })?;
        options.push((key.trim().to_string(), value.trim().to_string()));
    }
    Ok((options, &after[close + 1..]))
}

/// Levels only move forward: a pass may not read a lower level than the previous pass wrote
/// (a network pass after an extraction would throw the machine away), unless both are of one
/// kind (alternatives: a second regressor or extractor tried on the same input).
fn check_forward(steps: &[ResolvedStep]) -> Result<()> {
    for pair in steps.windows(2) {
        let (before, after) = (pair[0].pass.kind(), pair[1].pass.kind());
        if after.input() < before.output() && after != before {
            return Err(MipsError::invalid(
                "pipeline",
                format!(
                    "'{}' ({} pass, reads a {:?}) cannot follow '{}' ({} pass, writes a {:?}): levels only move forward",
                    pair[1].pass.name(),
                    after.name(),
                    after.input(),
                    pair[0].pass.name(),
                    before.name(),
                    before.output()
                ),
            ));
        }
    }
    Ok(())
}

impl std::fmt::Display for Pipeline {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                if s.options.is_empty() {
                    s.pass.clone()
                } else {
                    let opts: Vec<String> = s.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{}{{{}}}", s.pass, opts.join(","))
                }
            })
            .collect();
        write!(out, "{}", steps.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inline_with_options() {
        let p = Pipeline::parse_inline("whiten, jordan,snap{tol=0.01, rounds=2},debias").unwrap();
        let names: Vec<&str> = p.steps.iter().map(|s| s.pass.as_str()).collect();
        assert_eq!(names, ["whiten", "jordan", "snap", "debias"]);
        assert_eq!(
            p.steps[2].options,
            vec![("tol".into(), "0.01".into()), ("rounds".into(), "2".into())]
        );
        assert_eq!(p.to_string(), "whiten,jordan,snap{tol=0.01,rounds=2},debias");
    }

    #[test]
    fn rejects_malformed_inline() {
        assert!(Pipeline::parse_inline("snap{tol=0.01").is_err());
        assert!(Pipeline::parse_inline("snap{tol}").is_err());
        assert!(Pipeline::parse_inline("a,,b").is_err());
        assert!(Pipeline::parse_inline("snap{tol=1} x").is_err());
    }

    #[test]
    fn messages_quote_a_short_excerpt() {
        let huge = "p".repeat(1_000_000);
        for text in [format!("a{{{huge}"), format!("a{{{huge}}}"), format!("a{{x=1}} {huge}")] {
            let msg = Pipeline::parse_inline(&text).unwrap_err().to_string();
            assert!(
                msg.len() < 300 && msg.contains("ppp…"),
                "{}",
                &msg[..msg.len().min(300)]
            );
        }
        let file = format!("(passes: \"{huge}\")");
        let msg = Pipeline::from_ron(&file, Path::new("p.ron")).unwrap_err().to_string();
        assert!(
            msg.len() < 300 && msg.starts_with("p.ron:1:"),
            "{}",
            &msg[..msg.len().min(300)]
        );
    }

    #[test]
    fn unknown_pass_is_named() {
        let p = Pipeline::parse_inline("nosuchpass").unwrap();
        let err = p.resolve(&Registry::default()).err().unwrap();
        assert!(err.to_string().contains("nosuchpass"), "{err}");
    }

    #[test]
    fn loads_ron_file_with_line_numbers_on_errors() {
        let dir = std::env::temp_dir().join(format!("mips-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.ron");
        std::fs::write(&good, "(passes: [\"whiten\", \"snap{tol=0.1}\"])").unwrap();
        assert_eq!(Pipeline::load(&good).unwrap().to_string(), "whiten,snap{tol=0.1}");
        let bad = dir.join("bad.ron");
        std::fs::write(&bad, "(\n passes: [whiten])").unwrap();
        let msg = Pipeline::load(&bad).unwrap_err().to_string();
        assert!(msg.contains("bad.ron:2"), "{msg}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
