//! End-to-end tests of the pictures report: `synth` writes a self-contained report.html (and
//! machine.dot), `mips report DIR` rebuilds the same bytes, the per-pass table is printed once,
//! and the page renders in a real headless browser (Debian's chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::*;
use mips_core::ir::versioned;

/// One `synth` run shared by the tests: Bitwise_Not from a hand-built one-unit network.
struct Run {
    dir: PathBuf,
    out: Output,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch("report");
        let model = dir.join("not.ron");
        std::fs::write(&model, versioned::to_ron(&not_network()).unwrap()).unwrap();
        let out_dir = dir.join("out");
        let out = mips(&["synth", "Bitwise_Not", "--model", path(&model), "--out", path(&out_dir)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        Run { dir: out_dir, out }
    })
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The values of every `attr="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| html[at + needle.len()..].split('"').next())
        .collect()
}

/// The HTML of the section with anchor `id`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").expect("the section closes");
    &html[start..start + end]
}

#[test]
fn synth_writes_a_self_contained_report_that_report_rebuilds_byte_for_byte() {
    let run = run();
    let html = read(&run.dir, "report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for attr in ["src", "href"] {
        for value in attribute_values(&html, attr) {
            assert!(
                !value.starts_with("http:") && !value.starts_with("https:") && !value.starts_with("//"),
                "{attr}={value}"
            );
        }
    }
    assert!(!html.contains("<script"), "the page needs no JavaScript");
    let projection = section(&html, "projection");
    assert!(
        projection.contains("<svg") && projection.matches("<circle").count() >= 2,
        "{projection}"
    );
    let graph = section(&html, "state-graph");
    assert!(
        graph.contains("<svg") && graph.contains("q0 / ") && graph.contains("q1 / "),
        "{graph}"
    );
    let complexity = section(&html, "complexity");
    assert!(complexity.contains("<svg") && complexity.contains("whiten"));
    assert!(section(&html, "program").contains("PASSED"));

    let rebuilt = mips(&["report", path(&run.dir)]);
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(
        read(&run.dir, "report.html"),
        html,
        "mips report rebuilt different bytes"
    );
}

#[test]
fn machine_dot_is_a_graphviz_digraph_of_the_machine() {
    let dot = read(&run().dir, "machine.dot");
    assert!(
        dot.starts_with("digraph machine {") && dot.trim_end().ends_with('}'),
        "{dot}"
    );
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert!(dot.contains("shape=doublecircle"), "the initial state is marked: {dot}");
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    assert!(edges >= 2, "{dot}");
    for line in dot
        .lines()
        .skip(1)
        .filter(|l| !l.trim_start().starts_with("//") && l.trim() != "}")
    {
        assert!(line.trim_end().ends_with("];"), "not a DOT statement: {line}");
    }
}

#[test]
fn synth_prints_the_per_pass_table_once_on_stdout() {
    let run = run();
    let stdout = String::from_utf8_lossy(&run.out.stdout);
    let header = stdout
        .lines()
        .filter(|l| l.starts_with("pass ") && l.contains(" status"))
        .count();
    assert_eq!(header, 1, "{stdout}");
    let whiten = stdout.lines().filter(|l| l.starts_with("whiten ")).count();
    assert_eq!(whiten, 1, "the default pipeline runs whiten once: {stdout}");
    let rows: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("pass "))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let column = |line: &str, word: &str| line.find(word);
    let accuracy = column(stdout.lines().find(|l| l.starts_with("pass ")).unwrap(), "accuracy");
    assert!(rows.len() >= 5, "{stdout}");
    for row in &rows {
        assert_eq!(column(row, "100.00%"), accuracy, "columns do not line up: {row}");
    }
    assert!(
        !stderr(&run.out).contains("whiten"),
        "rows are not repeated on stderr: {}",
        stderr(&run.out)
    );
}

/// The chromium binary, if installed.
fn chromium() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("/usr/bin/chromium"),
        PathBuf::from("/usr/bin/chromium-browser"),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

/// Runs headless chromium on `page` with `extra` arguments and a fresh profile.
fn headless(chromium: &Path, page: &Path, extra: &[String]) -> Output {
    let profile = scratch("chromium-profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    out
}

#[test]
fn the_report_renders_in_headless_chromium_with_its_pictures() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium is missing: .ci/run installs Debian's chromium"
        );
        println!("SKIPPED: chromium is not installed (apt-get install chromium); the report is not rendered");
        return;
    };
    let page = run().dir.join("report.html");
    let dom = headless(&chromium, &page, &["--dump-dom".into()]);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    for id in ["projection", "state-graph", "complexity", "program"] {
        assert!(
            section(&dom_text, id).contains('<'),
            "section {id} missing from the rendered DOM"
        );
    }
    assert!(
        dom_text.matches("<svg").count() >= 3,
        "the pictures did not load: {dom_text}"
    );

    let shot = scratch("screenshot").join("report.png");
    let out = headless(
        &chromium,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400".into(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    let (width, height, colours, non_white) = png_summary(&png);
    assert_eq!((width, height), (1200, 2400));
    assert!(colours >= 8, "the screenshot has only {colours} colours");
    assert!(
        non_white > (width * height) as usize / 100,
        "the screenshot is nearly blank"
    );
}

/// Width, height, number of distinct colours and of non-white pixels of a PNG.
fn png_summary(bytes: &[u8]) -> (u32, u32, usize, usize) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    let channels = info.color_type.samples();
    let mut colours = std::collections::BTreeSet::new();
    let mut non_white = 0;
    for px in pixels[..info.buffer_size()].chunks(channels) {
        let rgb = &px[..3.min(channels)];
        colours.insert(rgb.to_vec());
        non_white += usize::from(rgb.iter().any(|&c| c < 0xf0));
    }
    (info.width, info.height, colours.len(), non_white)
}

#[test]
fn report_names_the_file_it_cannot_use() {
    let empty = scratch("report-empty");
    let out = mips(&["report", path(&empty)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("report.ron"), "{}", stderr(&out));

    let broken = scratch("report-broken");
    for name in ["report.ron", "model.ron"] {
        std::fs::copy(run().dir.join(name), broken.join(name)).unwrap();
    }
    std::fs::write(broken.join("machine.ron"), "(not a machine").unwrap();
    let out = mips(&["report", path(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("machine.ron"), "{}", stderr(&out));
    assert!(!broken.join("report.html").exists());
}
