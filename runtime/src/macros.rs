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

/// Defines the builder of a generated structure: a `Builder` type with one setter per field (taking
/// anything convertible into the field's type), `build()`, and `Target::builder()`.
///
/// Required fields are listed first, optional ones (stored as `Option`) after `optional`. An
/// operation's input is marked `[operation]`: its builder then also works as the client's fluent
/// request builder, with a `send()` that runs the operation.
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
        $builder:ident => $target:ident $([$op:ident])? {
            $( $(#[$rmeta:meta])* $req:ident : $rt:ty ),* $(,)?
        } optional {
            $( $(#[$ometa:meta])* $opt:ident : $ot:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default)]
        pub struct $builder<C = ()> {
            inner: $target,
            ctx: C,
        }

        impl<C> $builder<C> {
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

            #[doc(hidden)]
            pub fn into_parts(self) -> (C, $target) {
                (self.ctx, self.inner)
            }

            #[doc(hidden)]
            pub fn with_context(ctx: C) -> Self {
                $builder { inner: <$target as ::core::default::Default>::default(), ctx }
            }
        }

        $(
            impl<C: $crate::operation::Dispatch<$target>> $builder<C> {
                #[doc = concat!("Sends the request (`", stringify!($op), "`).")]
                pub fn send(self) -> impl ::core::future::Future<Output = C::Output> {
                    self.ctx.dispatch(self.inner)
                }
            }

            impl<C, W> $builder<$crate::waiter::WaiterCtx<C, W>>
            where
                W: $crate::waiter::Waiter<$target>,
                C: $crate::operation::Dispatch<
                        $target,
                        Output = ::core::result::Result<
                            <$target as $crate::operation::Operation>::Output,
                            $crate::Error<<$target as $crate::operation::Operation>::Error>,
                        >,
                    > + ::core::clone::Clone,
            {
                /// Polls until an acceptor of the waiter matches, starting at the model's delay and
                /// never waiting past `max_wait`.
                pub async fn wait(self, max_wait: ::std::time::Duration) -> $crate::waiter::WaitResult<$target> {
                    self.wait_with($crate::waiter::WaitOptions::new(W::MIN_DELAY, max_wait)).await
                }

                /// Polls with explicit timing.
                pub async fn wait_with(self, options: $crate::waiter::WaitOptions) -> $crate::waiter::WaitResult<$target> {
                    $crate::waiter::run(self.ctx, self.inner, options).await
                }
            }
        )?

        impl $target {
            #[doc = concat!("Creates a builder for [`", stringify!($target), "`].")]
            pub fn builder() -> $builder {
                <$builder as ::core::default::Default>::default()
            }
        }
    };
}

/// Implements `Display`, `Error` and [`ErrorShape`](crate::operation::ErrorShape) for a generated
/// exception structure: its error code, then its message when it has one (`message: field` for an
/// optional field, `required_message: field` for a required one); `headers { field: "Name" }` reads
/// header-bound members from the error response.
#[macro_export]
macro_rules! impl_error {
    (
        $name:ident, $code:literal
        $(, retry: $retry:ident)?
        $(, message: $msg:ident)?
        $(, required_message: $rmsg:ident)?
        $(, headers { $($hf:ident: $hn:literal),* $(,)? })?
        $(, format: $format:ident)?
    ) => {
        impl $name {
            /// The error code on the wire.
            pub const CODE: &'static str = $code;
        }

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
            $(
                const RETRY: ::core::option::Option<$crate::retry::RetryClass> =
                    ::core::option::Option::Some($crate::retry::RetryClass::$retry);
            )?

            $(
                // `format: xml`: the structure is read from the body's `<Error>` element.
                fn parse(raw: &$crate::error::RawResponse, message: ::core::option::Option<&str>) -> Self {
                    <Self as $crate::operation::ErrorShape>::$format(raw, message)
                }
            )?

            fn read_headers(&mut self, _raw: &$crate::error::RawResponse) {
                $($( self.$hf = $crate::operation::raw_header(_raw, $hn); )*)?
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

/// Defines an operation's error enum: one variant per modeled exception (named after its structure,
/// matched by its wire code), plus `Unhandled` for anything else.
#[macro_export]
macro_rules! operation_error {
    (
        $(#[$meta:meta])*
        $name:ident { $( $variant:ident = $code:literal $(| $alt:literal)* ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("The service returned [`", stringify!($variant), "`].")]
                $variant($variant),
            )*
            /// An error this version of the client does not model (see its code and message).
            Unhandled($crate::operation::Unhandled),
        }

        impl $crate::operation::OperationError for $name {
            fn from_response(
                code: &str,
                message: ::core::option::Option<&str>,
                raw: &$crate::error::RawResponse,
            ) -> Self {
                match code {
                    $( $code $(| $alt)* => $name::$variant(<$variant as $crate::operation::ErrorShape>::parse(raw, message)), )*
                    _ => $name::Unhandled($crate::operation::Unhandled {
                        code: ::std::borrow::ToOwned::to_owned(code),
                        message: message.map(::std::borrow::ToOwned::to_owned),
                    }),
                }
            }

            fn retry_class(&self) -> ::core::option::Option<$crate::retry::RetryClass> {
                match self {
                    $( $name::$variant(_) => <$variant as $crate::operation::ErrorShape>::RETRY, )*
                    $name::Unhandled(_) => ::core::option::Option::None,
                }
            }

            fn is_unhandled(&self) -> bool {
                ::core::matches!(self, $name::Unhandled(_))
            }
        }

        impl $name {
            /// The error code.
            pub fn code(&self) -> &str {
                match self {
                    $( $name::$variant(_) => $code, )*
                    $name::Unhandled(u) => &u.code,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( $name::$variant(e) => ::core::fmt::Display::fmt(e, f), )*
                    $name::Unhandled(u) => ::core::fmt::Display::fmt(u, f),
                }
            }
        }

        impl ::std::error::Error for $name {}
    };
}
