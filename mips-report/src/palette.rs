//! The colours that tie the pictures together: a state has the same colour in the projection,
//! in the state graph and in the legend.

use plotters::style::RGBColor;

/// A ten-colour categorical palette (Tableau 10), distinguishable side by side.
const COLOURS: [(u8, u8, u8); 10] = [
    (0x4e, 0x79, 0xa7),
    (0xf2, 0x8e, 0x2b),
    (0xe1, 0x57, 0x59),
    (0x76, 0xb7, 0xb2),
    (0x59, 0xa1, 0x4f),
    (0xed, 0xc9, 0x48),
    (0xb0, 0x7a, 0xa1),
    (0xff, 0x9d, 0xa7),
    (0x9c, 0x75, 0x5f),
    (0xba, 0xb0, 0xac),
];

/// How many classes get colours of their own; class `k` shares the colour of `k mod SIZE`.
pub const SIZE: usize = COLOURS.len();

/// The colour of class `k` (repeating every [`SIZE`] classes).
pub fn colour(k: usize) -> RGBColor {
    let (r, g, b) = COLOURS[k % SIZE];
    RGBColor(r, g, b)
}

/// A colour as `#rrggbb`.
pub fn hex(c: RGBColor) -> String {
    let RGBColor(r, g, b) = c;
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A colour mixed half-way with white, as `#rrggbb`: a fill that dark text stays readable on.
pub fn light_hex(c: RGBColor) -> String {
    let RGBColor(r, g, b) = c;
    let mix = |c: u8| (u16::from(c) + 255).div_ceil(2);
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

/// The colour at `t` (0 to 1, clamped) on a perceptually even scale from dark blue to yellow
/// (viridis), for values with a natural order.
pub fn gradient(t: f64) -> RGBColor {
    use plotters::style::colors::colormaps::ViridisRGB;
    ViridisRGB::get_color(t.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gradient_runs_from_dark_to_light() {
        let brightness = |c: RGBColor| u32::from(c.0) + u32::from(c.1) + u32::from(c.2);
        assert!(brightness(gradient(0.0)) < brightness(gradient(0.5)));
        assert!(brightness(gradient(0.5)) < brightness(gradient(1.0)));
        assert_eq!(gradient(2.0), gradient(1.0));
    }

    #[test]
    fn colours_repeat_after_the_palette_and_lighten_towards_white() {
        assert_eq!(hex(colour(0)), "#4e79a7");
        assert_eq!(colour(SIZE), colour(0));
        assert_ne!(colour(1), colour(0));
        assert_eq!(light_hex(colour(0)), "#a7bcd3");
    }
}
