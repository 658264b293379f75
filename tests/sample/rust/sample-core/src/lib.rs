//! Pure-Rust side of the pytest-monolith-parity sample pair.
//!
//! Each function mirrors one in the Python reference package
//! `sample_reference` (tests/sample/reference).  Several carry *deliberate*
//! divergences that the parity harness must detect and classify; they are
//! listed in tests/sample/README.md.  Do not fix them: they are the point.
//!
//! Cargo feature `pr` selects the "pull request" revision: it fixes
//! [`to_json`]'s key order and breaks [`scale`].  Without it the crate is the
//! "baseline" revision.

use std::fmt;

pub mod records;

/// Which revision this build is: `"baseline"` or `"pr"` (feature `pr`).
#[cfg(not(feature = "pr"))]
pub const REVISION: &str = "baseline";
/// Which revision this build is: `"baseline"` or `"pr"` (feature `pr`).
#[cfg(feature = "pr")]
pub const REVISION: &str = "pr";

/// Kind of a domain error; bindings map it to a Python exception type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Python `ValueError`.
    Value,
    /// Python `OverflowError`.
    Overflow,
}

impl ErrorKind {
    /// The Python exception type name the worker reports.
    pub fn type_name(self) -> &'static str {
        match self {
            ErrorKind::Value => "ValueError",
            ErrorKind::Overflow => "OverflowError",
        }
    }
}

/// A domain error (what Python would raise on purpose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn value(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Value,
            message: message.into(),
        }
    }
    pub fn overflow(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Overflow,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.type_name(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// `a + b`; matches Python whenever the sum fits in i64, OverflowError otherwise.
pub fn add(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b)
        .ok_or_else(|| Error::overflow("add: result does not fit in i64"))
}

/// DELIBERATE DIVERGENCE: wraps on i64 overflow where Python's int is exact.
pub fn add_i64(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Multiply every element by `factor`.
///
/// Baseline: `x * (factor as f32)`, bit-identical to numpy's
/// `xs * np.float32(factor)`.
/// PR revision (DELIBERATE BREAK): multiplies in f64 and rounds the product to
/// f32 once, which differs by 1 ULP when `factor` is not representable in f32
/// (e.g. `scale([3.0], 1.1)`: Python 3.3000002, PR 3.3).
pub fn scale(xs: &[f32], factor: f64) -> Vec<f32> {
    #[cfg(not(feature = "pr"))]
    {
        let f = factor as f32;
        xs.iter().map(|&x| x * f).collect()
    }
    #[cfg(feature = "pr")]
    {
        xs.iter().map(|&x| (x as f64 * factor) as f32).collect()
    }
}

/// DELIBERATE DIVERGENCE: `x / 10` where Python computes `x * float32(0.1)`;
/// 1 ULP apart on some inputs (9.0, 13.0, 18.0, ...), equal on others (3.0).
pub fn tenth(xs: &[f32]) -> Vec<f32> {
    xs.iter().map(|&x| x / 10.0f32).collect()
}

/// A dense layer's forward pass, `relu(x @ w + b)`: `x` is `n x k`, `w` is
/// `k x m` (both row-major), `b` has `m` elements; the result is `n x m`.
///
/// DELIBERATE DIVERGENCE: each output sums its `k` products and the bias in
/// f64 and rounds to f32 once, where the Python reference sums in float32 left
/// to right: a few ULP apart on some inputs (`[[0.2, 1.1, 1.3, -0.3]]` with the
/// README's weights: Python 0.15999997, Rust 0.16000001, 3 ULP), within the
/// float32 default tolerance.  ValueError when the shapes do not line up.
/// NaN passes through (`z < 0` is false), as numpy's `maximum` propagates it.
pub fn dense_relu(
    x: &[f32],
    x_shape: &[usize],
    w: &[f32],
    w_shape: &[usize],
    b: &[f32],
    b_shape: &[usize],
) -> Result<(Vec<f32>, [usize; 2])> {
    let lined_up = x_shape.len() == 2
        && w_shape.len() == 2
        && b_shape.len() == 1
        && x_shape[1] == w_shape[0]
        && w_shape[1] == b_shape[0];
    if !lined_up {
        return Err(Error::value(format!(
            "dense_relu: shapes {:?} @ {:?} + {:?} do not line up",
            x_shape, w_shape, b_shape
        )));
    }
    let (n, k, m) = (x_shape[0], x_shape[1], w_shape[1]);
    let mut out = Vec::with_capacity(n * m);
    for i in 0..n {
        for c in 0..m {
            let mut acc = 0.0f64;
            for j in 0..k {
                acc += x[i * k + j] as f64 * w[j * m + c] as f64;
            }
            let z = (acc + b[c] as f64) as f32;
            out.push(if z < 0.0 { 0.0 } else { z });
        }
    }
    Ok((out, [n, m]))
}

/// Mean summing left to right in f64; `ValueError("empty")` on an empty slice.
pub fn mean(xs: &[f64]) -> Result<f64> {
    if xs.is_empty() {
        return Err(Error::value("empty"));
    }
    let mut total = 0.0f64;
    for &x in xs {
        total += x;
    }
    Ok(total / xs.len() as f64)
}

/// A value of the flat dict given to [`to_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonScalar {
    Int(i64),
    Str(String),
}

/// Compact JSON of a flat `str -> int | str` map, written like Python's
/// `json.dumps(d, separators=(",", ":"))` (ASCII-only output, `\uXXXX`
/// escapes).
///
/// Baseline (DELIBERATE DIVERGENCE): keys are sorted, as if collected into a
/// `BTreeMap`.  PR revision: insertion order is kept, matching Python.
/// Duplicate keys: the last value wins (at the first key's position in the
/// PR revision, like a Python dict).
pub fn to_json(items: &[(String, JsonScalar)]) -> String {
    #[cfg(not(feature = "pr"))]
    let ordered: Vec<(&String, &JsonScalar)> = {
        let map: std::collections::BTreeMap<&String, &JsonScalar> =
            items.iter().map(|(k, v)| (k, v)).collect();
        map.into_iter().collect()
    };
    #[cfg(feature = "pr")]
    let ordered: Vec<(&String, &JsonScalar)> = {
        let mut out: Vec<(&String, &JsonScalar)> = Vec::with_capacity(items.len());
        for (k, v) in items {
            match out.iter_mut().find(|(ok, _)| *ok == k) {
                Some(slot) => slot.1 = v,
                None => out.push((k, v)),
            }
        }
        out
    };

    let mut s = String::from("{");
    for (i, (k, v)) in ordered.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        push_json_string(&mut s, k);
        s.push(':');
        match v {
            JsonScalar::Int(n) => s.push_str(&n.to_string()),
            JsonScalar::Str(t) => push_json_string(&mut s, t),
        }
    }
    s.push('}');
    s
}

/// Append `t` as a JSON string the way Python's `json.dumps` does with
/// `ensure_ascii=True`: everything outside `' '..='~'` is escaped.
fn push_json_string(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{08}' => s.push_str("\\b"),
            '\u{0c}' => s.push_str("\\f"),
            ' '..='~' => s.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    s.push_str(&format!("\\u{:04x}", unit));
                }
            }
        }
    }
    s.push('"');
}

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Serialized `sample.Record{name, count}`, hand-encoded (no protobuf crate).
///
/// Fields are written in field-number order like Python's serializer:
/// 1 `count` (varint; a negative int32 is sign-extended to a 10-byte varint),
/// then 2 `name` (length-delimited, skipped when empty: proto3 implicit
/// presence).
///
/// DELIBERATE DIVERGENCE: `count` is written only when non-zero, treating the
/// proto3 `optional` field as if it had implicit presence; Python always sets
/// it, so `record(name, 0)` differs (`08 00` missing).
pub fn record(name: &str, count: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 16);
    if count != 0 {
        out.push(0x08); // field 1, wire type 0 (varint)
        push_varint(&mut out, count as i64 as u64);
    }
    if !name.is_empty() {
        out.push(0x12); // field 2, wire type 2 (length-delimited)
        push_varint(&mut out, name.len() as u64);
        out.extend_from_slice(name.as_bytes());
    }
    out
}

/// Parse a port 0..=65535 with surrounding whitespace allowed.
///
/// DELIBERATE DIVERGENCE: an empty (or all-whitespace) string panics on the
/// `unwrap()` of its first character, where Python raises ValueError.
pub fn parse_port(s: &str) -> Result<i64> {
    let t = s.trim();
    // BUG (deliberate): assumes there is at least one character.
    let first = t.chars().next().unwrap();
    let digits = if first == '+' || first == '-' {
        &t[1..]
    } else {
        t
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::value(format!("invalid port: {:?}", s)));
    }
    let n: i64 = match t.parse::<i64>() {
        Ok(n) => n,
        // Only overflow is left: digits alone cannot fit i64.
        Err(_) => return Err(Error::value(format!("port out of range: {}", t))),
    };
    if !(0..=65535).contains(&n) {
        return Err(Error::value(format!("port out of range: {}", n)));
    }
    Ok(n)
}

/// Returns 0 for `n >= 0`.  DELIBERATE DIVERGENCE: for `n < 0` it never
/// returns (it sleeps 10 ms per iteration, a hang rather than a busy loop);
/// Python returns 0 at once.
pub fn countdown(n: i64) -> i64 {
    match countdown_with(n, || Ok::<(), std::convert::Infallible>(())) {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// [`countdown`] calling `tick` on every iteration of the endless loop, so an
/// in-process caller can bail out (the pyo3 module checks Python signals
/// there, so Ctrl-C works).
pub fn countdown_with<E>(
    n: i64,
    mut tick: impl FnMut() -> std::result::Result<(), E>,
) -> std::result::Result<i64, E> {
    if n >= 0 {
        return Ok(0);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tick()?;
    }
}

/// Trim and lowercase.  DELIBERATE DIVERGENCE: returns `""` for an empty or
/// all-whitespace input, where Python raises `ValueError("empty name")`.
pub fn normalize_name(s: &str) -> String {
    s.trim().to_lowercase()
}

/// DELIBERATE DIVERGENCE: aborts the process (SIGABRT) whatever `code` is;
/// Python returns None.  Only the worker exposes it.
pub fn crash(code: i64) -> ! {
    let _ = code;
    std::process::abort()
}

/// `"1.0"`, like Python.
pub fn version() -> &'static str {
    "1.0"
}

/// Number of whitespace-separated words.  Only the "pull request" revision has
/// it: the bindings' API facts (`api_has`) find it or not, and the baseline's
/// cases are *rust unavailable*.
#[cfg(feature = "pr")]
pub fn word_count(s: &str) -> i64 {
    s.split_whitespace().count() as i64
}

/// `x` limited to `lo..=hi`.  Baseline: `-> i64`, panicking when `lo > hi`
/// (`i64::clamp` asserts); "pull request": `-> Result<i64>`, a ValueError
/// instead.  The bindings pick the wrapper variant by signature (`api_sig`).
#[cfg(not(feature = "pr"))]
pub fn clamp(x: i64, lo: i64, hi: i64) -> i64 {
    x.clamp(lo, hi)
}

/// `x` limited to `lo..=hi`, or ValueError when `lo > hi` ("pull request" revision).
#[cfg(feature = "pr")]
pub fn clamp(x: i64, lo: i64, hi: i64) -> Result<i64> {
    if lo > hi {
        return Err(Error::value(format!("clamp: lo {} > hi {}", lo, hi)));
    }
    Ok(x.clamp(lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_bytes() {
        assert_eq!(record("a", 0), b"\x12\x01a");
        assert_eq!(record("a", 5), b"\x08\x05\x12\x01a");
        assert_eq!(record("", 0), b"");
        assert_eq!(
            record("", -1),
            b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
        );
        assert_eq!(record("", 300), b"\x08\xac\x02");
    }

    #[test]
    fn json_escapes() {
        let items = vec![(
            "k".to_string(),
            JsonScalar::Str("x\u{e9}\n\"\u{1F600}\u{7f}".into()),
        )];
        assert_eq!(to_json(&items), r#"{"k":"x\u00e9\n\"\ud83d\ude00\u007f"}"#);
    }

    #[test]
    fn json_order() {
        let items = vec![
            ("b".to_string(), JsonScalar::Int(1)),
            ("a".to_string(), JsonScalar::Int(-2)),
        ];
        #[cfg(not(feature = "pr"))]
        assert_eq!(to_json(&items), r#"{"a":-2,"b":1}"#);
        #[cfg(feature = "pr")]
        assert_eq!(to_json(&items), r#"{"b":1,"a":-2}"#);
    }

    #[test]
    fn dense_relu_shapes_and_values() {
        let x = [0.2f32, 1.1, 1.3, -0.3];
        let w = [0.1f32, 0.2, 0.7, 1.1, 0.1, 0.9, 0.2, 0.9];
        let (out, shape) = dense_relu(&x, &[1, 4], &w, &[4, 2], &[-0.7, -0.7], &[2]).unwrap();
        assert_eq!(shape, [1, 2]);
        assert_eq!(out[0].to_bits(), 0.16000001f32.to_bits());
        let (masked, _) = dense_relu(&[1.0], &[1, 1], &[-2.0], &[1, 1], &[0.5], &[1]).unwrap();
        assert_eq!(masked, vec![0.0]);
        let err = dense_relu(&x, &[1, 4], &w, &[2, 4], &[0.0, 0.0], &[2]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Value);
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port(" 8080 "), Ok(8080));
        assert_eq!(parse_port("+80"), Ok(80));
        assert_eq!(parse_port("-0"), Ok(0));
        assert_eq!(parse_port("abc").unwrap_err().kind, ErrorKind::Value);
        assert_eq!(parse_port("65536").unwrap_err().kind, ErrorKind::Value);
        assert_eq!(
            parse_port("99999999999999999999").unwrap_err().kind,
            ErrorKind::Value
        );
        assert!(std::panic::catch_unwind(|| parse_port("  ")).is_err());
    }
}
