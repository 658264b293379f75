//! `sample-worker`: the Rust side of the parity sample pair as a framed
//! worker (see docs/protocol.md).
//!
//! Reads frames (u32 little-endian length + UTF-8 JSON) from stdin, answers
//! one frame per request on stdout, logs to stderr only, exits 0 on EOF.
//! Panics are caught per call and answered as `{"panic": {...}}`; `crash`
//! aborts the process on purpose; `countdown(n < 0)` hangs on purpose.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::panic::{self, AssertUnwindSafe};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Map, Number, Value};

use sample_core as core;

/// A non-panic failure of one call: (Python exception type name, message).
struct CallError {
    kind: &'static str,
    message: String,
}

type CallResult = Result<Value, CallError>;

impl From<core::Error> for CallError {
    fn from(e: core::Error) -> Self {
        CallError {
            kind: e.kind.type_name(),
            message: e.message,
        }
    }
}

fn bad_arg(func: &str, arg: &str, what: impl std::fmt::Display) -> CallError {
    CallError {
        kind: "ValueError",
        message: format!("{func}(): argument '{arg}': {what}"),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// If `v` is a tag object (exactly one key, starting with `$`), return (tag, payload).
fn as_tag(v: &Value) -> Option<(&str, &Value)> {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next()?;
            k.starts_with('$').then_some((k.as_str(), inner))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- decoding

fn arg_i64(func: &str, arg: &str, v: &Value) -> Result<i64, CallError> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None if n.is_u64() => Err(bad_arg(func, arg, format!("{n} does not fit in i64"))),
            None => Err(bad_arg(
                func,
                arg,
                format!("expected an int, got float {n}"),
            )),
        },
        other => Err(bad_arg(
            func,
            arg,
            format!("expected an int, got {}", kind_of(other)),
        )),
    }
}

fn arg_f64(func: &str, arg: &str, v: &Value) -> Result<f64, CallError> {
    if let Value::Number(n) = v {
        // Integers are accepted as floats, like Python's float(int).
        return n.as_f64().ok_or_else(|| bad_arg(func, arg, "not a float"));
    }
    match as_tag(v) {
        Some(("$float", Value::String(s))) => match s.as_str() {
            "nan" => Ok(f64::NAN),
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            other => Err(bad_arg(func, arg, format!("bad $float {other:?}"))),
        },
        Some(("$f64bits", Value::String(s))) => u64::from_str_radix(s, 16)
            .map(f64::from_bits)
            .map_err(|_| bad_arg(func, arg, format!("bad $f64bits {s:?}"))),
        _ => Err(bad_arg(
            func,
            arg,
            format!("expected a float, got {}", kind_of(v)),
        )),
    }
}

fn arg_str<'a>(func: &str, arg: &str, v: &'a Value) -> Result<&'a str, CallError> {
    v.as_str()
        .ok_or_else(|| bad_arg(func, arg, format!("expected a str, got {}", kind_of(v))))
}

fn arg_f64_list(func: &str, arg: &str, v: &Value) -> Result<Vec<f64>, CallError> {
    let items = match v {
        Value::Array(a) => a,
        other => match as_tag(other) {
            Some(("$tuple", Value::Array(a))) => a,
            _ => {
                return Err(bad_arg(
                    func,
                    arg,
                    format!("expected a list, got {}", kind_of(v)),
                ))
            }
        },
    };
    items.iter().map(|x| arg_f64(func, arg, x)).collect()
}

/// A float32 array: `{"$ndarray": {"dtype": "<f4", "shape": [...], "data": b64}}`
/// (a plain JSON list of numbers is also accepted, as a 1-D array).
fn arg_f32_array(func: &str, arg: &str, v: &Value) -> Result<(Vec<u64>, Vec<f32>), CallError> {
    if let Value::Array(a) = v {
        let xs = a
            .iter()
            .map(|x| arg_f64(func, arg, x).map(|f| f as f32))
            .collect::<Result<Vec<f32>, _>>()?;
        return Ok((vec![xs.len() as u64], xs));
    }
    let spec = match as_tag(v) {
        Some(("$ndarray", Value::Object(spec))) => spec,
        _ => {
            return Err(bad_arg(
                func,
                arg,
                format!("expected a float32 $ndarray, got {}", kind_of(v)),
            ))
        }
    };
    let dtype = spec.get("dtype").and_then(Value::as_str).unwrap_or("");
    if dtype != "<f4" {
        return Err(bad_arg(
            func,
            arg,
            format!("expected dtype \"<f4\", got {dtype:?}"),
        ));
    }
    let shape = spec
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_arg(func, arg, "$ndarray without a shape"))?
        .iter()
        .map(|d| {
            d.as_u64()
                .ok_or_else(|| bad_arg(func, arg, "bad $ndarray shape"))
        })
        .collect::<Result<Vec<u64>, _>>()?;
    let data = spec
        .get("data")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_arg(func, arg, "$ndarray without data"))?;
    let bytes = B64
        .decode(data)
        .map_err(|e| bad_arg(func, arg, format!("bad base64: {e}")))?;
    let count: u64 = shape.iter().product();
    if bytes.len() as u64 != count * 4 {
        return Err(bad_arg(
            func,
            arg,
            format!(
                "$ndarray data has {} bytes, shape needs {}",
                bytes.len(),
                count * 4
            ),
        ));
    }
    let xs = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((shape, xs))
}

/// A flat dict as (key, value) pairs in order: a plain JSON object, or
/// `{"$items": [[key, value], ...]}`.
fn arg_json_items(
    func: &str,
    arg: &str,
    v: &Value,
) -> Result<Vec<(String, core::JsonScalar)>, CallError> {
    let pairs: Vec<(&str, &Value)> = match (as_tag(v), v) {
        (Some(("$items", Value::Array(items))), _) => items
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(k), val]) => Ok((k.as_str(), val)),
                _ => Err(bad_arg(func, arg, "$items entries must be [str, value]")),
            })
            .collect::<Result<_, _>>()?,
        (Some((tag, _)), _) => return Err(bad_arg(func, arg, format!("unexpected tag {tag}"))),
        (None, Value::Object(m)) => m.iter().map(|(k, val)| (k.as_str(), val)).collect(),
        (None, other) => {
            return Err(bad_arg(
                func,
                arg,
                format!("expected a dict, got {}", kind_of(other)),
            ))
        }
    };
    pairs
        .into_iter()
        .map(|(k, val)| {
            let scalar = match val {
                Value::String(s) => core::JsonScalar::Str(s.clone()),
                Value::Number(_) => core::JsonScalar::Int(arg_i64(func, arg, val)?),
                other => {
                    return Err(bad_arg(
                        func,
                        arg,
                        format!(
                            "values must be int or str, got {} for key {k:?}",
                            kind_of(other)
                        ),
                    ))
                }
            };
            Ok((k.to_owned(), scalar))
        })
        .collect()
}

// ---------------------------------------------------------------- encoding

fn enc_f64(x: f64) -> Value {
    if x.is_finite() {
        return Value::Number(Number::from_f64(x).expect("finite"));
    }
    if x.is_nan() {
        if x.to_bits() == f64::NAN.to_bits() {
            json!({"$float": "nan"})
        } else {
            json!({"$f64bits": format!("{:016x}", x.to_bits())})
        }
    } else if x > 0.0 {
        json!({"$float": "inf"})
    } else {
        json!({"$float": "-inf"})
    }
}

fn enc_f32_array(shape: &[u64], xs: &[f32]) -> Value {
    let mut bytes = Vec::with_capacity(xs.len() * 4);
    for x in xs {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    json!({"$ndarray": {"dtype": "<f4", "shape": shape, "data": B64.encode(bytes)}})
}

fn enc_bytes(b: &[u8]) -> Value {
    json!({"$bytes": B64.encode(b)})
}

// ---------------------------------------------------------------- dispatch

/// Bind positional `args` and keyword `kwargs` to the parameter names `params`.
fn bind<'a>(
    func: &str,
    params: &[&str],
    args: &'a [Value],
    kwargs: &'a Map<String, Value>,
) -> Result<Vec<&'a Value>, CallError> {
    let err = |message: String| CallError {
        kind: "ValueError",
        message,
    };
    if args.len() > params.len() {
        return Err(err(format!(
            "{func}() takes {} argument(s) but {} were given",
            params.len(),
            args.len()
        )));
    }
    let mut bound: Vec<Option<&Value>> = args.iter().map(Some).collect();
    bound.resize(params.len(), None);
    for (k, v) in kwargs {
        match params.iter().position(|p| p == k) {
            None => {
                return Err(err(format!(
                    "{func}() got an unexpected keyword argument '{k}'"
                )))
            }
            Some(i) if bound[i].is_some() => {
                return Err(err(format!(
                    "{func}() got multiple values for argument '{k}'"
                )))
            }
            Some(i) => bound[i] = Some(v),
        }
    }
    bound
        .into_iter()
        .zip(params)
        .map(|(v, p)| v.ok_or_else(|| err(format!("{func}() missing argument '{p}'"))))
        .collect()
}

fn dispatch(func: &str, args: &[Value], kwargs: &Map<String, Value>) -> CallResult {
    let a = |params: &[&str]| bind(func, params, args, kwargs);
    match func {
        "__ping__" => Ok(Value::Null),
        "__revision__" => Ok(json!(core::REVISION)),
        "add" => {
            let v = a(&["a", "b"])?;
            Ok(json!(core::add(
                arg_i64(func, "a", v[0])?,
                arg_i64(func, "b", v[1])?
            )?))
        }
        "add_i64" => {
            let v = a(&["a", "b"])?;
            Ok(json!(core::add_i64(
                arg_i64(func, "a", v[0])?,
                arg_i64(func, "b", v[1])?
            )))
        }
        "scale" => {
            let v = a(&["xs", "factor"])?;
            let (shape, xs) = arg_f32_array(func, "xs", v[0])?;
            let factor = arg_f64(func, "factor", v[1])?;
            Ok(enc_f32_array(&shape, &core::scale(&xs, factor)))
        }
        "tenth" => {
            let v = a(&["xs"])?;
            let (shape, xs) = arg_f32_array(func, "xs", v[0])?;
            Ok(enc_f32_array(&shape, &core::tenth(&xs)))
        }
        "mean" => {
            let v = a(&["xs"])?;
            Ok(enc_f64(core::mean(&arg_f64_list(func, "xs", v[0])?)?))
        }
        "to_json" => {
            let v = a(&["d"])?;
            Ok(json!(core::to_json(&arg_json_items(func, "d", v[0])?)))
        }
        "record" => {
            let v = a(&["name", "count"])?;
            let name = arg_str(func, "name", v[0])?;
            let count = arg_i64(func, "count", v[1])?;
            let count = i32::try_from(count)
                .map_err(|_| bad_arg(func, "count", format!("Value out of range: {count}")))?;
            Ok(enc_bytes(&core::record(name, count)))
        }
        "parse_port" => {
            let v = a(&["s"])?;
            Ok(json!(core::parse_port(arg_str(func, "s", v[0])?)?))
        }
        "countdown" => {
            let v = a(&["n"])?;
            Ok(json!(core::countdown(arg_i64(func, "n", v[0])?)))
        }
        "normalize_name" => {
            let v = a(&["s"])?;
            Ok(json!(core::normalize_name(arg_str(func, "s", v[0])?)))
        }
        "crash" => {
            let v = a(&["code"])?;
            let code = arg_i64(func, "code", v[0])?;
            eprintln!("sample-worker: crash({code}) called, aborting");
            core::crash(code)
        }
        "version" => {
            a(&[])?;
            Ok(json!(core::version()))
        }
        _ => Err(CallError {
            kind: "UnknownFunction",
            message: format!("no function named {func:?}"),
        }),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

/// Answer one request payload; never panics itself.
fn handle(payload: &[u8]) -> Value {
    let req: Value = match serde_json::from_slice(payload) {
        Ok(v) => v,
        Err(e) => {
            return json!({"id": null, "error": {"type": "ProtocolError", "message": format!("bad request JSON: {e}")}})
        }
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let Some(call) = req.get("call").and_then(Value::as_str) else {
        return json!({"id": id, "error": {"type": "ProtocolError", "message": "request without a \"call\" string"}});
    };
    let empty_args = Vec::new();
    let empty_kwargs = Map::new();
    let args = match req.get("args") {
        None | Some(Value::Null) => &empty_args,
        Some(Value::Array(a)) => a,
        Some(_) => {
            return json!({"id": id, "error": {"type": "ProtocolError", "message": "\"args\" must be a list"}})
        }
    };
    let kwargs = match req.get("kwargs") {
        None | Some(Value::Null) => &empty_kwargs,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return json!({"id": id, "error": {"type": "ProtocolError", "message": "\"kwargs\" must be an object"}})
        }
    };
    match panic::catch_unwind(AssertUnwindSafe(|| dispatch(call, args, kwargs))) {
        Ok(Ok(value)) => json!({"id": id, "ok": value}),
        Ok(Err(e)) => json!({"id": id, "error": {"type": e.kind, "message": e.message}}),
        Err(payload) => json!({"id": id, "panic": {"message": panic_message(payload.as_ref())}}),
    }
}

/// Read one frame; `Ok(None)` on a clean EOF before its first byte.
fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "EOF inside a frame header",
                ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut payload = vec![0u8; u32::from_le_bytes(len) as usize];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

fn write_frame(w: &mut impl Write, value: &Value) -> io::Result<()> {
    let payload = serde_json::to_vec(value).map_err(io::Error::other)?;
    let len =
        u32::try_from(payload.len()).map_err(|_| io::Error::other("response larger than 4 GiB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(&payload)?;
    w.flush()
}

fn main() {
    // One line per panic, on stderr (the harness keeps the stderr tail);
    // stdout carries frames only.
    panic::set_hook(Box::new(|info| {
        eprintln!("sample-worker: {info}");
    }));
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    loop {
        let payload = match read_frame(&mut input) {
            Ok(Some(p)) => p,
            Ok(None) => return, // EOF: exit 0
            Err(e) => {
                eprintln!("sample-worker: reading a request failed: {e}");
                std::process::exit(2);
            }
        };
        let response = handle(&payload);
        if let Err(e) = write_frame(&mut output, &response) {
            eprintln!("sample-worker: writing a response failed: {e}");
            std::process::exit(2);
        }
    }
}
