//! The complexity per pass as an SVG chart (plotters): the description length of the artifact
//! in force after each pass (log scale), and the network's parameters and irregular
//! parameters while the pipeline is at the network level.

use mips_core::pass::complexity::Complexity;
use mips_core::pass::{Level, ReportRow};
use plotters::coord::ranged1d::{AsRangedCoord, SegmentValue, SegmentedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::palette;
use crate::ticks::number;

/// Size of the picture in pixels.
const SIZE: (u32, u32) = (1120, 470);

/// The artifact in force after one pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub pass: String,
    /// Its complexity (`None` before any artifact exists).
    pub complexity: Option<Complexity>,
}

/// The artifact in force after each row: the pass's output if it was accepted, else its input.
pub fn steps(rows: &[ReportRow]) -> Vec<Step> {
    rows.iter()
        .map(|r| Step {
            pass: r.pass.clone(),
            complexity: if r.status.accepted() {
                r.after.clone()
            } else {
                r.before.clone()
            },
        })
        .collect()
}

/// The chart of `steps` as an SVG document.
pub fn complexity_svg(steps: &[Step]) -> Result<String, String> {
    let mut svg = String::new();
    draw(steps, &mut svg).map_err(|e| format!("cannot draw the complexity chart: {e}"))?;
    Ok(svg)
}

fn draw(steps: &[Step], svg: &mut String) -> Result<(), DrawError> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(SIZE.0 / 2);
    draw_bits(&left, steps)?;
    draw_parameters(&right, steps)?;
    root.present()?;
    Ok(())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Any drawing error, as plotters reports it.
type DrawError = Box<dyn std::error::Error>;

/// The colour of an IR level.
fn level_colour(level: Level) -> RGBColor {
    palette::colour(match level {
        Level::Network => 0,
        Level::StateMachine => 1,
        Level::Program => 4,
    })
}

/// The x axis: one segment per pass.
type PassAxis = SegmentedCoord<RangedCoordusize>;

/// A chart over the passes, titled `title`, with `y` as its vertical axis.
fn pass_chart<'a, 'b, Y: AsRangedCoord>(
    area: &'a Area<'b>,
    title: &str,
    count: usize,
    y: Y,
) -> Result<ChartContext<'a, SVGBackend<'b>, Cartesian2d<PassAxis, Y::CoordDescType>>, DrawError> {
    Ok(ChartBuilder::on(area)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(130)
        .y_label_area_size(64)
        .build_cartesian_2d((0..count.max(1)).into_segmented(), y)?)
}

/// Draws the grid, the y axis title and the pass names (downwards from the axis at `bottom`:
/// plotters centres rotated tick labels on their tick, so they are drawn as text elements).
fn draw_mesh<Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<PassAxis, Y>>,
    steps: &[Step],
    y_desc: &str,
    bottom: f64,
) -> Result<(), DrawError>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .label_style(("sans-serif", 16))
        .x_labels(steps.len().max(1))
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&number)
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 18))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()?;
    let style = TextStyle::from(("sans-serif", 16).into_font().transform(FontTransform::Rotate90))
        .pos(Pos::new(HPos::Left, VPos::Center));
    chart.draw_series(steps.iter().enumerate().map(|(i, step)| {
        EmptyElement::at((SegmentValue::CenterOf(i), bottom)) + Text::new(step.pass.clone(), (0, 10), style.clone())
    }))?;
    Ok(())
}

/// Left: the description length after each pass, coloured by IR level.
fn draw_bits(area: &Area<'_>, steps: &[Step]) -> Result<(), DrawError> {
    let points: Vec<(usize, f64, Level)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.complexity.as_ref().map(|c| (i, c.bits.max(1.0), c.level)))
        .collect();
    let top = points.iter().map(|p| p.1).fold(2.0, f64::max) * 2.0;
    let mut chart = pass_chart(
        area,
        "description length after each pass",
        steps.len(),
        (0.5..top).log_scale(),
    )?;
    draw_mesh(&mut chart, steps, "bits (log scale)", 0.5)?;
    let at = |i: usize| SegmentValue::CenterOf(i);
    chart.draw_series(LineSeries::new(
        points.iter().map(|p| (at(p.0), p.1)),
        RGBColor(0x99, 0x99, 0x99),
    ))?;
    for level in [Level::Network, Level::StateMachine, Level::Program] {
        let colour = level_colour(level);
        chart.draw_series(
            points
                .iter()
                .filter(|p| p.2 == level)
                .map(|p| Circle::new((at(p.0), p.1), 5, colour.filled())),
        )?;
    }
    Ok(())
}

/// Right: the network's parameters and irregular parameters, while it is a network.
fn draw_parameters(area: &Area<'_>, steps: &[Step]) -> Result<(), DrawError> {
    let network: Vec<(usize, &Complexity)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.complexity
                .as_ref()
                .filter(|c| c.level == Level::Network)
                .map(|c| (i, c))
        })
        .collect();
    let top = network.iter().map(|(_, c)| c.count).max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = pass_chart(area, "network parameters after each pass", steps.len(), 0.0..top)?;
    draw_mesh(&mut chart, steps, "parameters", 0.0)?;
    let at = |i: usize| SegmentValue::CenterOf(i);
    for (_, colour, value) in parameter_series() {
        let points: Vec<(SegmentValue<usize>, f64)> = network.iter().map(|(i, c)| (at(*i), value(c) as f64)).collect();
        chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 4, colour.filled())))?;
    }
    Ok(())
}

/// One line of the parameter panel: name, colour, value.
type Series = (&'static str, RGBColor, fn(&Complexity) -> usize);

/// The lines of the parameter panel.
fn parameter_series() -> [Series; 2] {
    [
        ("parameters", palette::colour(6), |c| c.count),
        (
            "irregular parameters (not 0 or a small integer)",
            palette::colour(2),
            |c| c.irregular,
        ),
    ]
}

/// What the colours of the chart mean (drawn beside the chart, not over its data).
pub fn legend() -> Vec<(RGBColor, &'static str)> {
    let levels = [
        (Level::Network, "bits: network"),
        (Level::StateMachine, "bits: state machine"),
        (Level::Program, "bits: program"),
    ];
    let mut entries: Vec<(RGBColor, &'static str)> = levels.iter().map(|&(l, name)| (level_colour(l), name)).collect();
    entries.extend(parameter_series().iter().map(|&(name, colour, _)| (colour, name)));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use mips_core::pass::{PassKind, Status};

    fn complexity(level: Level, count: usize, irregular: usize, bits: f64) -> Option<Complexity> {
        Some(Complexity {
            level,
            size: 1,
            count,
            irregular,
            bits,
        })
    }

    fn row(pass: &str, before: Option<Complexity>, after: Option<Complexity>, status: Status) -> ReportRow {
        ReportRow {
            pass: pass.into(),
            kind: PassKind::Parameter,
            seconds: 0.0,
            verify_seconds: 0.0,
            before,
            after,
            accuracy: None,
            status,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_rolled_back_pass_keeps_its_input() {
        let rows = [
            row(
                "snap",
                complexity(Level::Network, 10, 8, 300.0),
                complexity(Level::Network, 10, 2, 80.0),
                Status::Accepted,
            ),
            row(
                "prune",
                complexity(Level::Network, 10, 2, 80.0),
                complexity(Level::Network, 6, 2, 50.0),
                Status::RolledBack("x".into()),
            ),
        ];
        let s = steps(&rows);
        assert_eq!(s[0].complexity.as_ref().unwrap().bits, 80.0);
        assert_eq!(s[1].complexity.as_ref().unwrap().count, 10);
    }

    #[test]
    fn the_chart_names_every_pass_and_draws_a_point_per_artifact() {
        let rows = [
            row(
                "snap",
                complexity(Level::Network, 10, 8, 300.0),
                complexity(Level::Network, 10, 0, 80.0),
                Status::Accepted,
            ),
            row(
                "extract",
                complexity(Level::Network, 10, 0, 80.0),
                complexity(Level::StateMachine, 4, 0, 8.0),
                Status::Accepted,
            ),
            row(
                "regress",
                complexity(Level::StateMachine, 4, 0, 8.0),
                complexity(Level::Program, 5, 0, 12.0),
                Status::Accepted,
            ),
        ];
        let svg = complexity_svg(&steps(&rows)).unwrap();
        for name in ["snap", "extract", "regress", "description length", "network parameters"] {
            assert!(svg.contains(name), "{name} missing");
        }
        // 3 bits points, and 1 network step × 2 series.
        assert_eq!(svg.matches("<circle").count(), 5);
        assert_eq!(legend().len(), 5);
    }
}
