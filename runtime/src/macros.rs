//! Macros used by generated code for the trait impls that are the same for every generated type.
//!
//! They implement traits only: every type and inherent method of a generated crate is written out
//! in its sources.

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

        impl $crate::types::StringEnum for $name {}

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

        impl $crate::waiter::ToJm for $name {
            fn to_jm(&self) -> $crate::waiter::Jm {
                $crate::waiter::Jm::Str(::std::borrow::ToOwned::to_owned(self.as_str()))
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

/// Implements `Display`, `Error` and [`ErrorShape`](crate::operation::ErrorShape) for a generated
/// exception structure: its error code, then its message when it has one (`message = field` for an
/// optional field, `required_message = field` for a required one); each `header(field, "Name")`
/// reads a header-bound member from the error response. The arguments read as expressions, so
/// formatters lay the invocation out like a call.
#[macro_export]
macro_rules! impl_error {
    (
        $name:ident, $code:literal
        $(, retry = $retry:ident)?
        $(, message = $msg:ident)?
        $(, required_message = $rmsg:ident)?
        $(, header($hf:ident, $hn:literal))*
        $(, format = $format:ident)?
        $(,)?
    ) => {
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($code)?;
                $(
                    if let ::core::option::Option::Some(m) = &self.$msg {
                        ::core::write!(f, ": {}", m)?;
                    }
                )?
                $( ::core::write!(f, ": {}", self.$rmsg)?; )?
                ::core::fmt::Result::Ok(())
            }
        }

        impl ::std::error::Error for $name {}

        impl $crate::operation::ErrorShape for $name {
            const CODE: &'static str = $code;

            $(
                const RETRY: ::core::option::Option<$crate::retry::RetryClass> =
                    ::core::option::Option::Some($crate::retry::RetryClass::$retry);
            )?

            $(
                // `format = xml`: the structure is read from the body's `<Error>` element.
                fn parse(raw: &$crate::error::RawResponse, message: ::core::option::Option<&str>) -> Self {
                    <Self as $crate::operation::ErrorShape>::$format(raw, message)
                }
            )?

            fn read_headers(&mut self, _raw: &$crate::error::RawResponse) {
                $( self.$hf = $crate::operation::raw_header(_raw, $hn); )*
            }

            fn fill_message(&mut self, _message: ::core::option::Option<&str>) {
                $(
                    if self.$msg.is_none() {
                        self.$msg = _message.map(::std::borrow::ToOwned::to_owned);
                    }
                )?
                $(
                    if self.$rmsg.is_empty() {
                        if let ::core::option::Option::Some(m) = _message {
                            self.$rmsg = ::std::borrow::ToOwned::to_owned(m);
                        }
                    }
                )?
            }
        }
    };
}
