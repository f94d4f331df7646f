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

/// The colour of class `k` as `#rrggbb`.
pub fn hex(k: usize) -> String {
    let RGBColor(r, g, b) = colour(k);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The colour of class `k` mixed half-way with white, as `#rrggbb`: a fill that dark text
/// stays readable on.
pub fn light_hex(k: usize) -> String {
    let RGBColor(r, g, b) = colour(k);
    let mix = |c: u8| (u16::from(c) + 255).div_ceil(2);
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_repeat_after_the_palette_and_lighten_towards_white() {
        assert_eq!(hex(0), "#4e79a7");
        assert_eq!(hex(SIZE), hex(0));
        assert_ne!(hex(1), hex(0));
        assert_eq!(light_hex(0), "#a7bcd3");
    }
}
