//! Client-side validation of the model's constraints, before anything is sent.

use crate::error::ValidationError;
use crate::types::Blob;
use crate::types::IndexMap;

/// Checks the model's constraints, collecting the first failure with the member's path.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<&'static str>,
    error: Option<ValidationError>,
}

/// Something with a length (strings count characters; blobs bytes; lists and maps entries).
pub trait HasLength {
    /// The length.
    fn length(&self) -> usize;
}

impl HasLength for String {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl HasLength for Blob {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> HasLength for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V> HasLength for IndexMap<K, V> {
    fn length(&self) -> usize {
        self.len()
    }
}

/// A numeric value for range checks.
pub trait Number: Copy {
    /// As f64.
    fn as_f64(self) -> f64;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
number!(i8, i16, i32, i64, f32, f64);

/// A structure whose members have constraints.
pub trait Validate {
    /// Checks its members.
    fn validate(&self, v: &mut Validator);
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, v: &mut Validator) {
        (**self).validate(v)
    }
}

impl Validator {
    /// The first failure, if any.
    pub fn finish(self) -> Result<(), ValidationError> {
        self.error.map_or(Ok(()), Err)
    }

    fn fail(&mut self, member: &str, message: String) {
        if self.error.is_none() {
            let mut path = self.path.join(".");
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(member);
            self.error = Some(ValidationError { path, message });
        }
    }

    /// A required string (or enum) member must not be empty.
    pub fn required(&mut self, member: &str, value: &impl AsRef<str>) {
        if value.as_ref().is_empty() {
            self.fail(member, "is required but not set".into());
        }
    }

    /// Length bounds.
    pub fn length<T: HasLength>(&mut self, member: &str, value: Option<&T>, min: Option<usize>, max: Option<usize>) {
        let Some(v) = value else { return };
        let n = v.length();
        if n == 0 && min.is_some_and(|m| m > 0) {
            self.fail(member, "is required but not set (it must not be empty)".into());
        } else if let Some(min) = min.filter(|m| n < *m) {
            self.fail(member, format!("length {n} is below the minimum of {min}"));
        } else if let Some(max) = max.filter(|m| n > *m) {
            self.fail(member, format!("length {n} is above the maximum of {max}"));
        }
    }

    /// Value bounds.
    pub fn range<T: Number>(&mut self, member: &str, value: Option<&T>, min: Option<f64>, max: Option<f64>) {
        let Some(v) = value else { return };
        let x = v.as_f64();
        if let Some(min) = min.filter(|m| x < *m) {
            self.fail(member, format!("value {x} is below the minimum of {min}"));
        } else if let Some(max) = max.filter(|m| x > *m) {
            self.fail(member, format!("value {x} is above the maximum of {max}"));
        }
    }

    /// Validates a nested structure.
    pub fn nested<T: Validate>(&mut self, member: &'static str, value: Option<&T>) {
        if let Some(v) = value {
            self.path.push(member);
            v.validate(self);
            self.path.pop();
        }
    }

    /// Validates each element of a list of structures.
    pub fn each<T: Validate>(&mut self, member: &'static str, value: Option<&Vec<T>>) {
        if let Some(items) = value {
            self.path.push(member);
            for item in items {
                item.validate(self);
            }
            self.path.pop();
        }
    }

    /// Validates each value of a map of structures (keyed by strings or by an enum).
    pub fn each_value<K, T: Validate>(&mut self, member: &'static str, value: Option<&IndexMap<K, T>>) {
        if let Some(items) = value {
            self.path.push(member);
            for item in items.values() {
                item.validate(self);
            }
            self.path.pop();
        }
    }
}
