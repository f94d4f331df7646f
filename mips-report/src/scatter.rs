//! The projection as an SVG scatter plot (plotters' SVG backend).

use plotters::prelude::*;

use crate::projection::{Frame, Point, Projection};
use crate::ticks::number;

/// Size of the picture in pixels.
const SIZE: (u32, u32) = (720, 560);

/// Colour of points without an extracted state.
const NO_STATE: RGBColor = RGBColor(0x60, 0x60, 0x60);

/// The scatter plot of `projection` as an SVG document, class `k` drawn in `colour(k)`.
pub fn scatter_svg(projection: &Projection, colour: &dyn Fn(usize) -> RGBColor) -> Result<String, String> {
    let mut svg = String::new();
    draw(projection, colour, &mut svg).map_err(|e| format!("cannot draw the hidden-state projection: {e}"))?;
    Ok(svg)
}

fn draw(
    projection: &Projection,
    colour: &dyn Fn(usize) -> RGBColor,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (x_desc, y_desc) = descriptions(&projection.frame);
    let mut chart = ChartBuilder::on(&root)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(padded(&projection.points, |p| p.x), padded(&projection.points, |p| p.y))?;
    chart
        .configure_mesh()
        .x_label_formatter(&number)
        .y_label_formatter(&number)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 20))
        .label_style(("sans-serif", 16))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
        .draw()?;
    let radius = dot_radius(projection.points.len());
    chart.draw_series(projection.points.iter().map(|p| {
        let fill = p.class.map_or(NO_STATE, colour);
        Circle::new((p.x, p.y), radius, fill.mix(0.85).filled())
    }))?;
    root.present()?;
    Ok(())
}

/// The radius of a dot: 4 pixels, smaller when the dots would cover the plot (a third of the
/// spacing of that many dots spread evenly over it), and at least 1.
fn dot_radius(points: usize) -> u32 {
    let spacing = f64::from(SIZE.0.min(SIZE.1)) / (points.max(1) as f64).sqrt();
    (spacing / 3.0).clamp(1.0, 4.0).round() as u32
}

/// The axis titles for a frame.
fn descriptions(frame: &Frame) -> (String, String) {
    match frame {
        Frame::Principal([a, b]) => (
            format!("principal axis 1 ({:.1}% of the variance)", a * 100.0),
            format!("principal axis 2 ({:.1}%)", b * 100.0),
        ),
        Frame::UnitAgainstStep => ("hidden state h (one unit)".into(), "step".into()),
    }
}

/// The range of one coordinate over the points, widened by 5% on each side (and to a unit
/// when the points do not vary).
fn padded(points: &[Point], get: fn(&Point) -> f64) -> std::ops::Range<f64> {
    let lo = points.iter().map(get).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(get).fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return -1.0..1.0;
    }
    let pad = if hi - lo < 1e-9 { 0.5 } else { (hi - lo) * 0.05 };
    (lo - pad)..(hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::palette;

    #[test]
    fn the_plot_has_one_circle_per_point_in_its_colour() {
        let projection = Projection {
            frame: Frame::Principal([0.75, 0.25]),
            points: vec![
                Point {
                    x: 0.0,
                    y: 0.0,
                    class: Some(0),
                },
                Point {
                    x: 1.0,
                    y: 2.0,
                    class: Some(1),
                },
                Point {
                    x: 2.0,
                    y: 1.0,
                    class: None,
                },
            ],
            states: 3,
        };
        let svg = scatter_svg(&projection, &palette::colour).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert_eq!(svg.matches("<circle").count(), 3);
        let second = palette::hex(palette::colour(1));
        assert!(svg.contains(&second.to_uppercase()) || svg.contains(&second));
        assert!(svg.contains("principal axis 1 (75.0% of the variance)"));
    }

    #[test]
    fn dots_shrink_when_there_are_many() {
        assert_eq!(dot_radius(10), 4);
        assert!(dot_radius(10_000) < 4);
        assert_eq!(dot_radius(10_000_000), 1);
    }

    #[test]
    fn a_cloud_that_does_not_vary_still_gets_a_range() {
        let points = [Point {
            x: 3.0,
            y: 3.0,
            class: None,
        }];
        let r = padded(&points, |p| p.x);
        assert!(r.start < 3.0 && r.end > 3.0);
    }
}
