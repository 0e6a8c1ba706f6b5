//! Macros used by generated code for the trait impls that are the same for every generated type.

/// Implements the common traits of a generated string enum.
///
/// The enum itself, its `as_str()` and its `From<&str>` are generated as plain Rust (they list the
/// model's values); this macro adds what follows from those two: `From<String>`, `FromStr`,
/// `Display`, `AsRef<str>`, `Default` (an unknown empty value, which the service rejects, rather than
/// a silently chosen real value) and serde support as a JSON string.
///
/// ```
/// use stratus_runtime::types::UnknownValue;
///
/// /// A color.
/// #[derive(Clone, Debug, PartialEq, Eq, Hash)]
/// pub enum Color {
///     /// `red`
///     Red,
///     /// Anything else.
///     Unknown(UnknownValue),
/// }
/// impl Color {
///     /// The wire value.
///     pub fn as_str(&self) -> &str {
///         match self {
///             Color::Red => "red",
///             Color::Unknown(v) => v.as_str(),
///         }
///     }
/// }
/// impl From<&str> for Color {
///     fn from(s: &str) -> Self {
///         match s {
///             "red" => Color::Red,
///             other => Color::Unknown(UnknownValue::new(other.to_owned())),
///         }
///     }
/// }
/// stratus_runtime::impl_string_enum!(Color);
///
/// assert_eq!("red".parse::<Color>().unwrap(), Color::Red);
/// assert_eq!(serde_json::to_string(&Color::from("green")).unwrap(), "\"green\"");
/// ```
#[macro_export]
macro_rules! impl_string_enum {
    ($name:ident) => {
        impl ::core::convert::From<::std::string::String> for $name {
            fn from(s: ::std::string::String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, ::core::convert::Infallible> {
                ::core::result::Result::Ok($name::from(s))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                $name::from("")
            }
        }

        impl $crate::operation::Param for $name {
            fn to_param(&self, _: $crate::operation::ParamLocation) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }

        impl $crate::operation::FromParam for $name {
            fn from_param(s: &str) -> ::core::option::Option<Self> {
                ::core::option::Option::Some($name::from(s))
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let s: ::std::borrow::Cow<'de, str> = $crate::__private::serde::Deserialize::deserialize(d)?;
                ::core::result::Result::Ok($name::from(&*s))
            }
        }
    };
}

/// Defines the builder of a generated structure: a `Builder` type with one setter per field (taking
/// anything convertible into the field's type), `build()`, and `Target::builder()`.
///
/// Required fields are listed first, optional ones (stored as `Option`) after `optional`.
///
/// ```
/// /// A point.
/// #[derive(Clone, Debug, Default, PartialEq)]
/// pub struct Point {
///     /// X.
///     pub x: i32,
///     /// A label.
///     pub label: Option<String>,
/// }
/// stratus_runtime::builder! {
///     /// A builder for [`Point`].
///     PointBuilder => Point {
///         x: i32,
///     } optional {
///         label: String,
///     }
/// }
/// let p = Point::builder().x(1).label("origin").build();
/// assert_eq!(p, Point { x: 1, label: Some("origin".into()) });
/// ```
#[macro_export]
macro_rules! builder {
    (
        $(#[$meta:meta])*
        $builder:ident => $target:ident {
            $( $(#[$rmeta:meta])* $req:ident : $rt:ty ),* $(,)?
        } optional {
            $( $(#[$ometa:meta])* $opt:ident : $ot:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default)]
        pub struct $builder {
            inner: $target,
        }

        impl $builder {
            $(
                #[doc = concat!("Sets [`", stringify!($req), "`](", stringify!($target), "::", stringify!($req), ").")]
                $(#[$rmeta])*
                pub fn $req(mut self, value: impl ::core::convert::Into<$rt>) -> Self {
                    self.inner.$req = value.into();
                    self
                }
            )*
            $(
                #[doc = concat!("Sets [`", stringify!($opt), "`](", stringify!($target), "::", stringify!($opt), ").")]
                $(#[$ometa])*
                pub fn $opt(mut self, value: impl ::core::convert::Into<$ot>) -> Self {
                    self.inner.$opt = ::core::option::Option::Some(value.into());
                    self
                }
            )*

            #[doc = concat!("Returns the built [`", stringify!($target), "`].")]
            pub fn build(self) -> $target {
                self.inner
            }
        }

        impl $target {
            #[doc = concat!("Creates a builder for [`", stringify!($target), "`].")]
            pub fn builder() -> $builder {
                <$builder as ::core::default::Default>::default()
            }
        }
    };
}

/// Implements `Display` and `Error` for a generated exception structure: its error code, then its
/// message when it has one (`message` for an optional field, `required message` for a required one).
#[macro_export]
macro_rules! impl_error {
    ($name:ident, $code:literal) => {
        $crate::impl_error!(@impl $name, $code, |_s: &$name, _f: &mut ::core::fmt::Formatter<'_>| ::core::fmt::Result::Ok(()));
    };
    ($name:ident, $code:literal, $message:ident) => {
        $crate::impl_error!(@impl $name, $code, |s: &$name, f: &mut ::core::fmt::Formatter<'_>| match &s.$message {
            ::core::option::Option::Some(m) => ::core::write!(f, ": {}", m),
            ::core::option::Option::None => ::core::fmt::Result::Ok(()),
        });
    };
    ($name:ident, $code:literal, required $message:ident) => {
        $crate::impl_error!(@impl $name, $code, |s: &$name, f: &mut ::core::fmt::Formatter<'_>| ::core::write!(f, ": {}", s.$message));
    };
    (@impl $name:ident, $code:literal, $message:expr) => {
        impl $name {
            /// The error code on the wire.
            pub const CODE: &'static str = $code;
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($code)?;
                ($message)(self, f)
            }
        }

        impl ::std::error::Error for $name {}
    };
}
