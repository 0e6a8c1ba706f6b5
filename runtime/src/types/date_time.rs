//! [`DateTime`]: a UTC point in time, and its three wire forms (epoch seconds, ISO 8601,
//! HTTP-date) — formatting, parsing and serde.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in time, with nanosecond precision, in UTC.
///
/// Reads and writes the three wire forms AWS uses: epoch seconds (`1700000000.5`), RFC 3339 /
/// ISO 8601 (`2023-11-14T22:13:20.5Z`), and HTTP-date (`Tue, 14 Nov 2023 22:13:20 GMT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// A string that is not a date-time in the expected form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParseError {
    input: String,
    expected: &'static str,
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a valid {} date-time", self.input, self.expected)
    }
}

impl std::error::Error for DateTimeParseError {}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl DateTime {
    /// The Unix epoch.
    pub const UNIX_EPOCH: DateTime = DateTime { secs: 0, nanos: 0 };

    /// From whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> Self {
        DateTime { secs, nanos: 0 }
    }

    /// From seconds and nanoseconds (`nanos` is carried into seconds when 1e9 or more).
    pub fn from_secs_and_nanos(secs: i64, nanos: u32) -> Self {
        DateTime { secs: secs.saturating_add(i64::from(nanos / 1_000_000_000)), nanos: nanos % 1_000_000_000 }
    }

    /// From fractional seconds since the epoch; `None` when not finite or out of range.
    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs.abs() > 1e17 {
            return None;
        }
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round() as u32;
        Some(Self::from_secs_and_nanos(whole as i64, nanos))
    }

    /// The current time.
    pub fn now() -> Self {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Self::from_secs_and_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let (s, n) = (-(d.as_secs() as i64), d.subsec_nanos());
                if n == 0 {
                    Self::from_secs(s)
                } else {
                    Self::from_secs_and_nanos(s - 1, 1_000_000_000 - n)
                }
            }
        }
    }

    /// Whole seconds since the epoch (rounded down).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`secs`](Self::secs).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Whole milliseconds since the epoch (rounded down; saturating far from the epoch).
    pub fn to_millis(&self) -> i64 {
        self.secs.saturating_mul(1000).saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// From milliseconds since the epoch.
    pub fn from_millis(ms: i64) -> Self {
        Self::from_secs_and_nanos(ms.div_euclid(1000), (ms.rem_euclid(1000) as u32) * 1_000_000)
    }

    /// Seconds since the epoch as a float.
    pub fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// Year, month, day, hour, minute and second (UTC).
    pub(crate) fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        self.parts()
    }

    fn parts(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    fn fraction(&self) -> String {
        if self.nanos == 0 {
            return String::new();
        }
        let digits = format!("{:09}", self.nanos);
        format!(".{}", digits.trim_end_matches('0'))
    }

    /// RFC 3339 in UTC: `2023-11-14T22:13:20Z`, with a fraction only when there is one.
    pub fn to_iso8601(&self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z", self.fraction())
    }

    /// HTTP-date (RFC 7231): `Tue, 14 Nov 2023 22:13:20 GMT`. Sub-second parts are dropped.
    pub fn to_http_date(&self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        let wd = WEEKDAYS[self.secs.div_euclid(86_400).rem_euclid(7) as usize];
        format!("{wd}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT", MONTHS[(mo - 1) as usize])
    }

    /// Epoch seconds as written on the wire: an integer, or a decimal with the fraction.
    pub fn to_epoch_string(&self) -> String {
        if self.secs < 0 && self.nanos > 0 {
            // -1 s + 999_999_999 ns is -0.000000001: write the exact decimal (a float would not
            // round-trip).
            let total = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos);
            let abs = total.unsigned_abs();
            let digits = format!("{:09}", abs % 1_000_000_000);
            return format!("-{}.{}", abs / 1_000_000_000, digits.trim_end_matches('0'));
        }
        format!("{}{}", self.secs, self.fraction())
    }

    /// Parses epoch seconds, with an optional fraction (`1700000000`, `1700000000.123`).
    pub fn parse_epoch(s: &str) -> Result<Self, DateTimeParseError> {
        let err = || DateTimeParseError { input: s.to_string(), expected: "epoch-seconds" };
        let t = s.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            // Scientific notation and the like: go through f64.
            return t.parse::<f64>().ok().and_then(Self::from_secs_f64).ok_or_else(err);
        }
        let secs: i64 = whole.parse().map_err(|_| err())?;
        let nanos = parse_fraction(frac);
        Ok(match (neg, nanos) {
            (false, n) => Self::from_secs_and_nanos(secs, n),
            (true, 0) => Self::from_secs(-secs),
            (true, n) => Self::from_secs_and_nanos(-secs - 1, 1_000_000_000 - n),
        })
    }

    /// Parses RFC 3339 (`2023-11-14T22:13:20.5Z`, offsets like `+02:00`, lower-case `t`/`z`).
    pub fn parse_iso8601(s: &str) -> Result<Self, DateTimeParseError> {
        let err = || DateTimeParseError { input: s.to_string(), expected: "ISO 8601" };
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateTimeParseError> {
            let part = b.get(r).ok_or_else(err)?;
            if part.iter().all(u8::is_ascii_digit) {
                std::str::from_utf8(part).ok().and_then(|p| p.parse().ok()).ok_or_else(err)
            } else {
                Err(err())
            }
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(err());
        }
        let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        let mut nanos = 0;
        if b[i] == b'.' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(err());
            }
            nanos = parse_fraction(std::str::from_utf8(&b[start..i]).map_err(|_| err())?);
        }
        let offset: i64 = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let secs = i64::from(num(i + 1..i + 3)?) * 3600 + i64::from(num(i + 4..i + 6)?) * 60;
                if *sign == b'+' {
                    secs
                } else {
                    -secs
                }
            }
            _ => return Err(err()),
        };
        Self::from_fields(i64::from(y), mo, d, h, mi, sec, nanos)
            .map(|t| DateTime { secs: t.secs - offset, ..t })
            .ok_or_else(err)
    }

    /// Parses HTTP-date (`Tue, 14 Nov 2023 22:13:20 GMT`, also with a fraction of seconds).
    pub fn parse_http_date(s: &str) -> Result<Self, DateTimeParseError> {
        let err = || DateTimeParseError { input: s.to_string(), expected: "HTTP-date" };
        let rest = s.trim().split_once(", ").map(|(_, r)| r).ok_or_else(err)?;
        let parts: Vec<&str> = rest.split(' ').collect();
        if parts.len() != 5 || parts[4] != "GMT" {
            return Err(err());
        }
        let d: u32 = parts[0].parse().map_err(|_| err())?;
        let mo = MONTHS.iter().position(|m| *m == parts[1]).ok_or_else(err)? as u32 + 1;
        let y: i64 = parts[2].parse().map_err(|_| err())?;
        let (hms, frac) = parts[3].split_once('.').unwrap_or((parts[3], ""));
        let t: Vec<u32> = hms.split(':').map(|x| x.parse().map_err(|_| err())).collect::<Result<_, _>>()?;
        if t.len() != 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        Self::from_fields(y, mo, d, t[0], t[1], t[2], parse_fraction(frac)).ok_or_else(err)
    }

    fn from_fields(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Option<Self> {
        // Second 60 (a leap second) is accepted and folds into the next minute. Years are the
        // four-digit years both formats define (a larger one would overflow the arithmetic).
        if !(0..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || s > 60
        {
            return None;
        }
        let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
        Some(DateTime { secs, nanos })
    }
}

/// Nanoseconds of a fraction's digits (`"5"` -> 500_000_000); digits past the ninth are dropped.
fn parse_fraction(digits: &str) -> u32 {
    let mut n = 0u32;
    for (i, c) in digits.bytes().take(9).enumerate() {
        n += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
    }
    n
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso8601())
    }
}

impl From<std::time::SystemTime> for DateTime {
    fn from(t: std::time::SystemTime) -> Self {
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Self::from_secs_and_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => Self::from_secs_f64(-e.duration().as_secs_f64()).unwrap_or_default(),
        }
    }
}

/// Serialized as epoch seconds, the restJson1 default for body members.
impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.nanos == 0 {
            s.serialize_i64(self.secs)
        } else {
            s.serialize_f64(self.as_secs_f64())
        }
    }
}

/// Accepts epoch seconds (number or string), ISO 8601 and HTTP-date, so a server's choice of format
/// never loses a response.
impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp (epoch seconds, ISO 8601 or HTTP-date)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateTime, E> {
                Ok(DateTime::from_secs(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateTime, E> {
                i64::try_from(v).map(DateTime::from_secs).map_err(|_| E::custom("timestamp out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DateTime, E> {
                DateTime::from_secs_f64(v).ok_or_else(|| E::custom("timestamp out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse_iso8601(v)
                    .or_else(|_| DateTime::parse_epoch(v))
                    .or_else(|_| DateTime::parse_http_date(v))
                    .map_err(|_| E::custom(format!("`{v}` is not a timestamp")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        let t = DateTime::from_secs_and_nanos(1_400_000_000, 123_000_000);
        assert_eq!(t.to_iso8601(), "2014-05-13T16:53:20.123Z");
        assert_eq!(t.to_http_date(), "Tue, 13 May 2014 16:53:20 GMT");
        assert_eq!(t.to_epoch_string(), "1400000000.123");
        assert_eq!(DateTime::parse_iso8601("2014-05-13T16:53:20.123Z"), Ok(t));
        assert_eq!(DateTime::parse_epoch("1400000000.123"), Ok(t));
        assert_eq!(DateTime::parse_http_date("Tue, 13 May 2014 16:53:20 GMT"), Ok(DateTime::from_secs(1_400_000_000)));
        assert_eq!(DateTime::parse_iso8601("2014-05-13T18:53:20+02:00"), Ok(DateTime::from_secs(1_400_000_000)));
    }

    #[test]
    fn negative_fractions_round_trip_exactly() {
        // Found by the date_time fuzz target.
        for text in ["-0.000000001", "-1.5", "-1700000000.123456789"] {
            let t = DateTime::parse_epoch(text).unwrap();
            assert_eq!(t.to_epoch_string(), text);
            assert_eq!(DateTime::parse_epoch(&t.to_epoch_string()), Ok(t));
        }
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(DateTime::from_secs(0).to_http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(DateTime::from_secs(951_782_400).to_iso8601(), "2000-02-29T00:00:00Z");
        assert_eq!(DateTime::from_secs(-1).to_iso8601(), "1969-12-31T23:59:59Z");
        assert!(DateTime::parse_iso8601("2001-02-29T00:00:00Z").is_err());
        assert!(DateTime::parse_iso8601("garbage").is_err());
        assert!(DateTime::parse_http_date("Tue, 13 Foo 2014 16:53:20 GMT").is_err());
        assert_eq!(DateTime::parse_epoch("-1.5"), Ok(DateTime::from_secs_and_nanos(-2, 500_000_000)));
    }

    #[test]
    fn serde_accepts_every_form() {
        let want = DateTime::from_secs(1_400_000_000);
        for json in ["1400000000", "1400000000.0", "\"2014-05-13T16:53:20Z\"", "\"Tue, 13 May 2014 16:53:20 GMT\""] {
            assert_eq!(serde_json::from_str::<DateTime>(json).unwrap(), want, "{json}");
        }
        assert_eq!(serde_json::to_string(&want).unwrap(), "1400000000");
        assert!(serde_json::from_str::<DateTime>("\"nope\"").is_err());
    }
}
