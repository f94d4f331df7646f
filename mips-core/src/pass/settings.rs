//! Typed pass settings: a pass declares one settings struct with [`crate::pass_settings!`], and
//! the option specs (names, types, defaults, help) and the parsing are derived from it, so
//! declaration is storage: every default is stated once and no pass body looks an option up by
//! its name.

use super::options::{OptionSpec, OptionValue, Options};
use crate::{MipsError, Result};

/// A pass's typed settings, read from resolved [`Options`].
pub trait Settings: Sized + Default {
    /// The option declarations, in field order, with this value's fields as their defaults
    /// (a pass sharing a settings struct states its own defaults by giving its own value).
    fn specs_with(&self) -> Vec<OptionSpec>;
    /// The option declarations with the declared defaults.
    fn specs() -> Vec<OptionSpec> {
        Self::default().specs_with()
    }
    /// Reads every field; a value of the wrong type or range is an error naming the pass and
    /// the option.
    fn read(pass: &str, options: &Options) -> Result<Self>;
}

/// No options.
impl Settings for () {
    fn specs_with(&self) -> Vec<OptionSpec> {
        Vec::new()
    }
    fn read(_: &str, _: &Options) -> Result<Self> {
        Ok(())
    }
}

/// A field of a settings struct: one option (a value of an [`OptionField`] type), or a
/// settings struct shared between passes whose options are flattened into the pass's, in
/// place (the nested struct's field names are the option names; the outer field's name and
/// help are not used).
pub trait SettingsField: Sized {
    /// The declarations of the field's options, with `self` as their defaults.
    fn field_specs(&self, name: &str, help: &str) -> Vec<OptionSpec>;
    /// Reads the field `field` of `pass`'s settings.
    fn read_field(pass: &str, field: &str, options: &Options) -> Result<Self>;
}

macro_rules! one_option_field {
    ($($ty:ty),*) => {
        $(impl SettingsField for $ty {
            fn field_specs(&self, name: &str, help: &str) -> Vec<OptionSpec> {
                vec![<$ty as OptionField>::spec(name, self.to_owned(), help)]
            }
            fn read_field(pass: &str, name: &str, options: &Options) -> Result<Self> {
                field(pass, name, options)
            }
        })*
    };
}

one_option_field!(i64, usize, u64, f64, bool, String);

/// A type a settings field may have.
pub trait OptionField: Sized {
    /// The declaration of an option of this type.
    fn spec(name: &str, default: Self, help: &str) -> OptionSpec;
    /// The field's value from a resolved option value (an error: what was expected, for a
    /// value of the wrong type or range).
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str>;
}

impl OptionField for i64 {
    fn spec(name: &str, default: i64, help: &str) -> OptionSpec {
        OptionSpec::int(name, default, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Int(v) => Ok(*v),
            _ => Err("an integer"),
        }
    }
}

impl OptionField for usize {
    fn spec(name: &str, default: usize, help: &str) -> OptionSpec {
        OptionSpec::int(name, default as i64, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Int(v) => usize::try_from(*v).map_err(|_| "a non-negative integer"),
            _ => Err("a non-negative integer"),
        }
    }
}

impl OptionField for u64 {
    fn spec(name: &str, default: u64, help: &str) -> OptionSpec {
        OptionSpec::int(name, default as i64, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Int(v) => u64::try_from(*v).map_err(|_| "a non-negative integer"),
            _ => Err("a non-negative integer"),
        }
    }
}

impl OptionField for f64 {
    fn spec(name: &str, default: f64, help: &str) -> OptionSpec {
        OptionSpec::float(name, default, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Float(v) => Ok(*v),
            OptionValue::Int(v) => Ok(*v as f64),
            _ => Err("a number"),
        }
    }
}

impl OptionField for bool {
    fn spec(name: &str, default: bool, help: &str) -> OptionSpec {
        OptionSpec::bool(name, default, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Bool(v) => Ok(*v),
            _ => Err("true or false"),
        }
    }
}

impl OptionField for String {
    fn spec(name: &str, default: String, help: &str) -> OptionSpec {
        OptionSpec::text(name, &default, help)
    }
    fn from_value(value: &OptionValue) -> std::result::Result<Self, &'static str> {
        match value {
            OptionValue::Text(v) => Ok(v.clone()),
            _ => Err("text"),
        }
    }
}

/// How a default may be written in a declaration: a value of the field's type, or for text a
/// `&str` or a `String`.
pub trait DefaultOf<T> {
    /// The default as the field's value.
    fn into_default(self) -> T;
}

impl<T> DefaultOf<T> for T {
    fn into_default(self) -> T {
        self
    }
}

impl DefaultOf<String> for &str {
    fn into_default(self) -> String {
        self.to_string()
    }
}

/// A declared default as its field's value.
pub fn default_of<T>(value: impl DefaultOf<T>) -> T {
    value.into_default()
}

/// The option name of a settings field: `max_states` is `max-states`.
pub fn option_name(field: &str) -> String {
    field.replace('_', "-")
}

/// The help of a field from its doc-comment lines, joined by spaces.
pub fn help(lines: &[&str]) -> String {
    lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
}

/// Reads the field `field` of `pass`'s settings; errors name the pass and the option.
pub fn field<T: OptionField>(pass: &str, field: &str, options: &Options) -> Result<T> {
    let name = option_name(field);
    let place = || format!("option '{name}' of pass '{pass}'");
    let value = options
        .value(&name)
        .ok_or_else(|| MipsError::invalid(place(), "missing (the pass declares it, but it was not resolved)"))?;
    T::from_value(value).map_err(|expected| MipsError::invalid(place(), format!("expected {expected}, got '{value}'")))
}

/// Declares a pass's settings struct; the doc comment of each field is its option's help, the
/// field name (underscores as hyphens) its option name, and the expression after `=` its
/// default. A field whose type is itself a settings struct (options shared between passes)
/// contributes that struct's options in its place, with the value after `=` as their defaults
/// for this pass. Implements [`Settings`], [`SettingsField`] and `Default` (the declared
/// defaults).
///
/// ```
/// mips_core::pass_settings! {
///     /// Settings of an example pass.
///     pub struct Example {
///         /// Rounds to run.
///         max_rounds: usize = 3,
///         /// Tie-break order.
///         order: String = "cosine",
///     }
/// }
/// let defaults = Example::default();
/// assert_eq!((defaults.max_rounds, defaults.order.as_str()), (3, "cosine"));
/// ```
#[macro_export]
macro_rules! pass_settings {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[doc = $help:literal])+ $field:ident : $ty:ty = $default:expr),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $($(#[doc = $help])+ pub $field: $ty,)*
        }

        impl $crate::pass::Settings for $name {
            fn specs_with(&self) -> ::std::vec::Vec<$crate::pass::OptionSpec> {
                let mut specs = ::std::vec::Vec::new();
                $(specs.extend($crate::pass::SettingsField::field_specs(
                    &self.$field,
                    &$crate::pass::settings::option_name(stringify!($field)),
                    &$crate::pass::settings::help(&[$($help),+]),
                ));)*
                specs
            }
            fn read(pass: &str, options: &$crate::pass::Options) -> $crate::Result<Self> {
                Ok($name {
                    $($field: <$ty as $crate::pass::SettingsField>::read_field(pass, stringify!($field), options)?,)*
                })
            }
        }

        impl $crate::pass::SettingsField for $name {
            fn field_specs(&self, _: &str, _: &str) -> ::std::vec::Vec<$crate::pass::OptionSpec> {
                $crate::pass::Settings::specs_with(self)
            }
            fn read_field(pass: &str, _: &str, options: &$crate::pass::Options) -> $crate::Result<Self> {
                <$name as $crate::pass::Settings>::read(pass, options)
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $crate::pass::settings::default_of::<$ty>($default),)*
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::pass_settings! {
        /// Settings of a test pass.
        struct Demo {
            /// Tolerance of
            /// the test.
            tol: f64 = 0.01,
            /// Rounds.
            max_rounds: usize = 3,
            /// Method.
            method: String = "cosine",
            /// Strict?
            strict: bool = false,
        }
    }

    crate::pass_settings! {
        /// Settings of a test pass sharing `Demo`'s options, with its own default rounds.
        struct Outer {
            /// Own option.
            first: i64 = 1,
            /// The shared options.
            shared: Demo = Demo { max_rounds: 9, ..Demo::default() },
            /// Last own option.
            last: bool = true,
        }
    }

    #[test]
    fn shared_settings_are_flattened_in_place_with_the_passes_defaults() {
        let specs = Outer::specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["first", "tol", "max-rounds", "method", "strict", "last"]);
        assert_eq!(specs[2].default, OptionValue::Int(9));
        let given = [
            ("max-rounds".to_string(), "4".to_string()),
            ("first".into(), "2".into()),
        ];
        let outer = Outer::read("outer", &Options::resolve("outer", &specs, &given).unwrap()).unwrap();
        assert_eq!((outer.first, outer.shared.max_rounds, outer.last), (2, 4, true));
        let defaults = Outer::read("outer", &Options::resolve("outer", &specs, &[]).unwrap()).unwrap();
        assert_eq!(defaults, Outer::default());
        let missing = Outer::read("outer", &Options::default()).unwrap_err().to_string();
        assert!(missing.contains("option 'first' of pass 'outer'"), "{missing}");
    }

    fn resolve(given: &[(&str, &str)]) -> Result<Demo> {
        let given: Vec<(String, String)> = given.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Demo::read("demo", &Options::resolve("demo", &Demo::specs(), &given)?)
    }

    #[test]
    fn specs_names_defaults_and_help_come_from_the_declaration() {
        let specs = Demo::specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["tol", "max-rounds", "method", "strict"]);
        assert_eq!(specs[0].help, "Tolerance of the test.");
        assert_eq!(specs[2].default, OptionValue::Text("cosine".into()));
        assert_eq!(resolve(&[]).unwrap(), Demo::default());
        assert_eq!(Demo::default().max_rounds, 3);
    }

    #[test]
    fn given_values_are_typed() {
        let demo = resolve(&[("max-rounds", "7"), ("method", "euclid"), ("strict", "true")]).unwrap();
        assert_eq!(
            (demo.max_rounds, demo.method.as_str(), demo.strict),
            (7, "euclid", true)
        );
    }

    #[test]
    fn parse_errors_name_the_pass_and_the_option() {
        for bad in [("max-rounds", "x"), ("max-rounds", "-1"), ("tol", "fast")] {
            let message = resolve(&[bad]).unwrap_err().to_string();
            assert!(
                message.contains(&format!("option '{}' of pass 'demo'", bad.0)) && message.contains("expected"),
                "{message}"
            );
        }
    }
}
