"""Protobuf messages of any type, compared field by field through descriptors.

Serialization is not canonical, so both sides (message instances or
serialized bytes) are parsed with the same descriptor and compared
semantically.  A subtree whose deterministic serializations are byte-identical
is equal and skipped (equal bytes imply equal values under every option here;
unequal bytes prove nothing), which keeps large, mostly-equal messages fast.

Paths look like ``features[3].fid_v2_list.value[7]``, map entries like
``labels["k"]``, keyed repeated entries like ``items[id=5]``, extensions like
``[pkg.ext]`` and unknown fields like ``<unknown 7>``.  Option paths
(``ignore``, ``repeated``, ``float_tolerance``) name fields without indices,
``header.timestamp``; they may use ``fnmatch`` wildcards.
"""

from __future__ import annotations

import collections
import fnmatch
import json
import math
import re
import struct
from typing import Any, Iterable, Iterator, Mapping

from google.protobuf import descriptor as _descriptor
from google.protobuf import descriptor_pool, message_factory, text_format
from google.protobuf.message import DecodeError, EncodeError, Message

from .base import Comparator, ComparatorConfigError, ComparatorInputError, Comparison, Difference, join_path
from .describe import bytes_difference, float_text, values_differ

FD = _descriptor.FieldDescriptor
REPEATED_MODES = ("list", "set", "multiset")
_GLOB = set("*?[")


def resolve_descriptor(message_type: Any, pool: Any = None) -> _descriptor.Descriptor:
    """A message descriptor from a message class/instance, a descriptor, or a full name."""
    if isinstance(message_type, _descriptor.Descriptor):
        return message_type
    desc = getattr(message_type, "DESCRIPTOR", None)
    if isinstance(desc, _descriptor.Descriptor):
        return desc
    if isinstance(message_type, str):
        pool = pool or descriptor_pool.Default()
        try:
            return pool.FindMessageTypeByName(message_type)
        except KeyError:
            raise ComparatorConfigError(
                f"message type {message_type!r} is not in the descriptor pool; import the module that "
                "defines it (e.g. tensorflow.core.example.example_pb2) or pass pool="
            ) from None
    raise ComparatorConfigError(f"message_type must be a message class, a Descriptor or a full name, got {message_type!r}")


def _is_map(field: FD) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _is_synthetic(oneof: Any) -> bool:
    """A proto3 ``optional`` field's implicit oneof (``_name``), which is presence, not a choice."""
    fields = oneof.fields
    return len(fields) == 1 and oneof.name == "_" + fields[0].name


def _is_float(field: FD) -> bool:
    return field.type in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE)


def _is_message_field(field: FD) -> bool:
    return field.cpp_type == FD.CPPTYPE_MESSAGE


def _key_problem(field: FD) -> str | None:
    """Why a field cannot key repeated elements (a message or a repeated field has no usable value), or None."""
    if field.label == FD.LABEL_REPEATED:
        return "is a repeated field"
    if _is_message_field(field):
        return "is a message field"
    return None


def _fmt_float(value: float, single: bool) -> str:
    if math.isnan(value):
        return float_text(value)
    if single and math.isfinite(value):
        import numpy as np

        return str(np.float32(value))
    return repr(value)


def _fmt_key(key: Any) -> str:
    if isinstance(key, str):
        return json.dumps(key, ensure_ascii=False)
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _short_message(msg: Message, limit: int = 120) -> str:
    text = text_format.MessageToString(msg, as_one_line=True, print_unknown_fields=True).strip()
    text = "{" + text + "}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validate_tolerance(path: str, spec: Any) -> tuple[float, float]:
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"fraction", "margin"}
        if unknown:
            raise ComparatorConfigError(f"float_tolerance[{path!r}]: unknown keys {sorted(unknown)}")
        spec = (spec.get("fraction", 0.0), spec.get("margin", 0.0))
    try:
        fraction, margin = (float(x) for x in spec)
    except (TypeError, ValueError):
        raise ComparatorConfigError(f"float_tolerance[{path!r}] must be (fraction, margin), got {spec!r}") from None
    for label, v in (("fraction", fraction), ("margin", margin)):
        if not (v >= 0 and math.isfinite(v)):
            raise ComparatorConfigError(f"float_tolerance {label} for {path!r} must be finite and >= 0, got {v!r}")
    return fraction, margin


def split_option_path(path: str) -> list[str]:
    """``a.b[pkg.ext].c`` -> ``["a", "b", "[pkg.ext]", "c"]``.

    A bracket group that starts a segment or holds a dot names an extension
    (``[pkg.ext]``, literally); any other bracket group is an fnmatch character
    class inside a field name (``feat[12]``).
    """
    segments: list[str] = []
    i, n, current = 0, len(path), ""
    while i < n:
        ch = path[i]
        if ch == "[":
            close = path.find("]", i + 1)
            group = path[i:close + 1] if close > i else ""
            if group and (not current or "." in group):
                if current:
                    segments.append(current)
                    current = ""
                segments.append(group)
                i = close + 1
                if i < n and path[i] == ".":
                    i += 1
                continue
        if ch == ".":
            segments.append(current)
            current = ""
        else:
            current += ch
        i += 1
    if current or not segments or path.endswith("."):
        segments.append(current)
    return segments


def join_option_path(segments: list[str]) -> str:
    """The canonical spelling, as the walk writes paths: extensions attach directly (``b[pkg.ext]``)."""
    out = ""
    for segment in segments:
        out = join_path(out, segment)
    return out


def _is_extension(segment: str) -> bool:
    return segment.startswith("[") and segment.endswith("]")


def _glob_regex(segment: str) -> str:
    if _is_extension(segment):
        return re.escape(segment)
    translated = fnmatch.translate(segment)  # "(?s:...)\\Z"
    return translated[: -len("\\Z")] if translated.endswith("\\Z") else translated


def _pattern_regex(segments: list[str]) -> re.Pattern:
    parts = []
    for k, segment in enumerate(segments):
        if k and not _is_extension(segment):
            parts.append(r"\.")
        parts.append(_glob_regex(segment))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _has_glob(segments: list[str]) -> bool:
    return any(_GLOB & set(s) for s in segments if not _is_extension(s))


class _Patterns:
    """Exact option paths and fnmatch patterns, looked up by index-free path."""

    def __init__(self, items: Mapping[str, Any]) -> None:
        self.exact: dict[str, Any] = {}
        self.wild: list[tuple[re.Pattern, Any]] = []
        for path, value in items.items():
            segments = split_option_path(path)
            if _has_glob(segments):
                self.wild.append((_pattern_regex(segments), value))
            else:
                self.exact[join_option_path(segments)] = value

    def get(self, path: str, default: Any = None) -> Any:
        if path in self.exact:
            return self.exact[path]
        for pattern, value in self.wild:
            if pattern.match(path):
                return value
        return default


class ProtoComparator(Comparator):
    """Semantic comparison of protobuf messages, driven by descriptors.

    Options:

    * ``message_type``: class, descriptor or full name (resolved in ``pool`` or
      the default pool); needed for serialized input, else taken from ``expected``.
    * ``unset_equals_default``: an unset field with presence equals its default
      (default False: ``count: unset != 0 (presence)``).
    * ``repeated``: ``{path: "list" | "set" | "multiset" | "key:<subfield>"}``;
      lists by default.  Set/multiset membership is exact (messages by
      deterministic serialization).
    * ``ignore``: field paths to skip, e.g. ``header.timestamp``.
    * ``fraction``/``margin`` (all float/double fields) and ``float_tolerance``
      ``{path: (fraction, margin)}``: equal if ``|a-b| <= margin`` or
      ``|a-b| <= fraction * max(|a|, |b|)`` (symmetric, as C++
      ``MessageDifferencer``).  Default exact.  Infinities only equal themselves.
    * ``nan``: ``equal`` (default, NaN equals NaN) or ``payload`` (same bits too);
      ``signed_zero``: ``-0.0 != 0.0`` when True (default False).
    * ``ignore_unknown_fields``: skip unknown-field differences (default False).
    * ``wire_identical``: also require byte-identical serializations.
    """

    name = "proto"

    def __init__(
        self,
        message_type: Any = None,
        *,
        pool: Any = None,
        unset_equals_default: bool = False,
        repeated: Mapping[str, Any] | None = None,
        ignore: Iterable[str] = (),
        fraction: float = 0.0,
        margin: float = 0.0,
        float_tolerance: Mapping[str, Any] | None = None,
        nan: str = "equal",
        signed_zero: bool = False,
        ignore_unknown_fields: bool = False,
        wire_identical: bool = False,
        max_differences: int = 100,
    ) -> None:
        self.descriptor = resolve_descriptor(message_type, pool) if message_type is not None else None
        self.pool = pool or (self.descriptor.file.pool if self.descriptor is not None else descriptor_pool.Default())
        if nan not in ("equal", "payload"):
            raise ComparatorConfigError(f"unknown nan policy {nan!r}; expected 'equal' or 'payload'")
        if isinstance(ignore, str):
            ignore = (ignore,)
        self.default_tolerance = _validate_tolerance("*", (fraction, margin))
        reps: dict[str, tuple[str, str | None]] = {}
        for path, spec in (repeated or {}).items():
            reps[path] = self._parse_repeated(path, spec)
        tols = {path: _validate_tolerance(path, spec) for path, spec in (float_tolerance or {}).items()}
        ignore = tuple(ignore)
        for path in (*reps, *tols, *ignore):
            self._validate_path(path)
        for path, (mode, key) in reps.items():
            self._validate_repeated(path, mode, key)
        self.repeated = _Patterns(reps)
        self.tolerances = _Patterns(tols)
        self.ignore = _Patterns({p: True for p in ignore})
        self.ignore_paths = ignore
        self.unset_equals_default = bool(unset_equals_default)
        self.nan = nan
        self.signed_zero = bool(signed_zero)
        self.ignore_unknown_fields = bool(ignore_unknown_fields)
        self.wire_identical = bool(wire_identical)
        if not isinstance(max_differences, int) or max_differences < 1:
            raise ComparatorConfigError(f"max_differences must be a positive int, got {max_differences!r}")
        self.max_differences = max_differences

    # ------------------------------------------------------------------ config

    @property
    def full_name(self) -> str:
        return self.descriptor.full_name if self.descriptor is not None else "<message>"

    def new_message(self, descriptor: Any = None) -> Message:
        desc = descriptor or self.descriptor
        if desc is None:
            raise ComparatorInputError("proto comparator needs message_type to parse serialized input")
        return message_factory.GetMessageClass(desc)()

    @staticmethod
    def _parse_repeated(path: str, spec: Any) -> tuple[str, str | None]:
        if isinstance(spec, tuple) and len(spec) == 2 and spec[0] == "key":
            return "key", str(spec[1])
        if isinstance(spec, str):
            if spec in REPEATED_MODES:
                return spec, None
            if spec.startswith("key:") and len(spec) > 4:
                return "key", spec[4:]
        raise ComparatorConfigError(
            f"repeated[{path!r}] must be 'list', 'set', 'multiset' or 'key:<subfield>', got {spec!r}"
        )

    def _field_at(self, path: str) -> FD | None:
        segments = split_option_path(path)
        if self.descriptor is None or _has_glob(segments):
            return None
        desc, field = self.descriptor, None
        for name in segments:
            if desc is None:
                raise ComparatorConfigError(f"option path {path!r}: {field.name!r} is not a message")  # type: ignore[union-attr]
            if _is_extension(name):
                try:
                    field = self.pool.FindExtensionByName(name[1:-1])
                except KeyError:
                    raise ComparatorConfigError(f"option path {path!r}: no extension {name[1:-1]!r} in the descriptor pool") from None
                if field.containing_type is not desc:
                    raise ComparatorConfigError(f"option path {path!r}: {name[1:-1]} does not extend {desc.full_name}")
            else:
                field = desc.fields_by_name.get(name)
                if field is None:
                    raise ComparatorConfigError(f"option path {path!r}: {desc.full_name} has no field {name!r}")
            desc = field.message_type
            if desc is not None and desc.GetOptions().map_entry:
                desc = desc.fields_by_name["value"].message_type
        return field

    def _validate_path(self, path: str) -> None:
        if not isinstance(path, str) or not path:
            raise ComparatorConfigError(f"option paths must be non-empty strings, got {path!r}")
        self._field_at(path)

    def _validate_repeated(self, path: str, mode: str, key: str | None) -> None:
        field = self._field_at(path)
        if field is None:
            return
        if field.label != FD.LABEL_REPEATED or _is_map(field):
            raise ComparatorConfigError(f"repeated[{path!r}]: {field.full_name} is not a repeated (non-map) field")
        if mode == "key":
            if not _is_message_field(field) or key not in field.message_type.fields_by_name:
                raise ComparatorConfigError(f"repeated[{path!r}]: key {key!r} is not a field of the element message")
            problem = _key_problem(field.message_type.fields_by_name[key])
            if problem:
                raise ComparatorConfigError(f"repeated[{path!r}]: key {key!r} {problem}; key by a singular scalar field")

    def describe(self) -> str:
        opts = []
        if self.unset_equals_default:
            opts.append("unset_equals_default")
        if self.ignore_paths:
            opts.append(f"ignore={list(self.ignore_paths)}")
        if self.default_tolerance != (0.0, 0.0):
            opts.append(f"fraction={self.default_tolerance[0]:g}, margin={self.default_tolerance[1]:g}")
        if self.ignore_unknown_fields:
            opts.append("ignore_unknown_fields")
        if self.wire_identical:
            opts.append("wire_identical")
        return f"proto({self.full_name}{', ' if opts else ''}{', '.join(opts)})"

    # ------------------------------------------------------------------ entry

    def compare(self, expected: Any, actual: Any) -> Comparison:
        desc = self.descriptor
        if desc is None:
            for v in (expected, actual):
                if isinstance(v, Message):
                    desc = v.DESCRIPTOR
                    break
            else:
                raise ComparatorInputError("proto comparator needs message_type to parse serialized input")
        e, e_raw, e_err = self._coerce(expected, "expected", desc)
        a, a_raw, a_err = self._coerce(actual, "actual", desc)
        problems = [d for d in (e_err, a_err) if d is not None]
        if problems:
            return Comparison.differ(*problems, summary="; ".join(p.message for p in problems))
        walk = _Walk(self)
        if self.wire_identical:
            msg = bytes_difference(e_raw or _serialize(e), a_raw or _serialize(a))
            if msg:
                walk.record("", f"wire bytes differ: {msg}")
        try:
            walk.run(e, a, "", "")
        except (RecursionError, EncodeError) as exc:
            raise ComparatorInputError(f"proto: cannot walk these {desc.full_name} messages: {type(exc).__name__}: {exc}") from None
        if not walk.count:
            return Comparison.same()
        summary = f"{walk.count} difference(s) in {desc.full_name}"
        if walk.count > len(walk.out):
            summary += f" (first {len(walk.out)} shown)"
        return Comparison.differ(*walk.out, summary=summary, mismatched=walk.count)

    def _coerce(self, value: Any, side: str, desc: Any) -> tuple[Message | None, bytes | None, Difference | None]:
        if isinstance(value, Message):
            if value.DESCRIPTOR.full_name != desc.full_name:
                return None, None, Difference("", f"{side} is a {value.DESCRIPTOR.full_name}, not a {desc.full_name}")
            if value.DESCRIPTOR is desc:
                return value, None, None
            # the same type name from another descriptor pool: compare what it says on the wire, read as ``desc``
            raw = value.SerializePartialToString()
            msg = self.new_message(desc)
            try:
                msg.MergeFromString(raw)
            except (DecodeError, RuntimeError, ValueError) as exc:
                return None, None, Difference("", f"{side}: a {desc.full_name} from another descriptor pool whose "
                                                  f"{len(raw)} wire bytes do not parse as this one: {exc}")
            return msg, None, None
        if isinstance(value, (bytes, bytearray, memoryview)):
            raw = bytes(value)
            msg = self.new_message(desc)
            try:
                msg.MergeFromString(raw)
            except (DecodeError, RuntimeError, ValueError) as exc:
                return None, None, Difference("", f"{side}: cannot parse {len(raw)} bytes as {desc.full_name}: {exc}")
            return msg, raw, None
        raise ComparatorInputError(f"proto comparator needs a message or serialized bytes, {side} is {type(value).__name__}")

    # ------------------------------------------------------------------ scalars

    def float_equal(self, x: float, y: float, spath: str) -> bool:
        if math.isnan(x) or math.isnan(y):
            if not (math.isnan(x) and math.isnan(y)):
                return False
            return self.nan == "equal" or struct.pack("<d", x) == struct.pack("<d", y)
        if x == y:
            return not (self.signed_zero and x == 0 and math.copysign(1, x) != math.copysign(1, y))
        if math.isinf(x) or math.isinf(y):
            return False
        fraction, margin = self.tolerances.get(spath, self.default_tolerance)
        d = abs(x - y)
        return d <= margin or d <= fraction * max(abs(x), abs(y))


def _serialize(msg: Message) -> bytes:
    return msg.SerializePartialToString(deterministic=True)


def _unknown(msg: Message) -> list[tuple[int, int, Any]]:
    from google.protobuf.unknown_fields import UnknownFieldSet

    def data(v: Any) -> Any:
        if isinstance(v, UnknownFieldSet):
            return tuple((f.field_number, f.wire_type, data(f.data)) for f in v)
        return v

    return [(f.field_number, f.wire_type, data(f.data)) for f in UnknownFieldSet(msg)]


class _Walk:
    """One comparison's traversal state: differences found and their count.

    Iterative: a message's own differences and its sub-messages become tasks,
    kept in field order, on an explicit stack, so nesting depth is not bounded
    by Python's recursion limit and differences come out in depth-first order.
    """

    def __init__(self, cmp: ProtoComparator) -> None:
        self.cmp = cmp
        self.out: list[Difference] = []
        self.count = 0
        self._tasks: list[tuple] | None = None

    def record(self, path: str, message: str) -> None:
        self.count += 1
        if len(self.out) < self.cmp.max_differences:
            self.out.append(Difference(path, message))

    def add(self, path: str, message: str) -> None:
        if self._tasks is None:
            self.record(path, message)
        else:
            self._tasks.append((path, message))

    def message(self, e: Message, a: Message, path: str, spath: str) -> None:
        if self._tasks is None:
            self.run(e, a, path, spath)
        else:
            self._tasks.append((e, a, path, spath))

    def later(self, tasks: Iterator[tuple]) -> None:
        """Tasks made lazily, in order (a long repeated field is not materialised up front)."""
        assert self._tasks is not None
        self._tasks.append((tasks,))

    def run(self, e: Message, a: Message, path: str, spath: str) -> None:
        stack: list[tuple] = [(e, a, path, spath)]
        while stack:
            task = stack.pop()
            if len(task) == 1:
                following = next(task[0], None)
                if following is not None:
                    stack.append(task)
                    stack.append(following)
                continue
            if len(task) == 2:
                self.record(*task)
                continue
            self._tasks = tasks = []
            self._message(*task)
            self._tasks = None
            if tasks:
                stack.extend(reversed(tasks))

    # -------------------------------------------------------------- messages

    def _message(self, e: Message, a: Message, path: str, spath: str) -> None:
        if _serialize(e) == _serialize(a):
            return
        cmp = self.cmp
        desc = e.DESCRIPTOR
        skip: set[str] = set()
        for oneof in desc.oneofs:
            if _is_synthetic(oneof):
                continue
            we, wa = e.WhichOneof(oneof.name), a.WhichOneof(oneof.name)
            if we != wa:
                skip.update(f.name for f in oneof.fields)
                if not cmp.ignore.get(join_path(spath, oneof.name)):
                    self.add(join_path(path, oneof.name), f"{self._member(e, we)} != {self._member(a, wa)} (oneof)")
        for field in desc.fields:
            if field.name in skip:
                continue
            fpath, fspath = join_path(path, field.name), join_path(spath, field.name)
            if cmp.ignore.get(fspath):
                continue
            if field.label == FD.LABEL_REPEATED:
                if _is_map(field):
                    self.map(field, getattr(e, field.name), getattr(a, field.name), fpath, fspath)
                else:
                    self.repeated(field, getattr(e, field.name), getattr(a, field.name), fpath, fspath)
                continue
            if field.has_presence:
                he, ha = e.HasField(field.name), a.HasField(field.name)
                if not he and not ha:
                    continue
                if he != ha and not cmp.unset_equals_default:
                    self.add(fpath, f"{self._presence(field, e, he)} != {self._presence(field, a, ha)} (presence)")
                    continue
            self.value(field, getattr(e, field.name), getattr(a, field.name), fpath, fspath)
        self.extensions(e, a, path, spath)
        if not cmp.ignore_unknown_fields:
            self.unknown(e, a, path)

    def _member(self, msg: Message, name: str | None) -> str:
        if name is None:
            return "unset"
        return f"{name}={self._presence(msg.DESCRIPTOR.fields_by_name[name], msg, True)}"

    def _presence(self, field: FD, msg: Message, has: bool) -> str:
        if not has:
            return "unset"
        value = getattr(msg, field.name)
        return _short_message(value) if _is_message_field(field) else self.fmt(field, value)

    def extensions(self, e: Message, a: Message, path: str, spath: str) -> None:
        # an empty repeated extension is absent on the wire (upb lists one that was merely read)
        ee = {f.full_name: (f, v) for f, v in e.ListFields() if f.is_extension and (f.label != FD.LABEL_REPEATED or len(v))}
        ea = {f.full_name: (f, v) for f, v in a.ListFields() if f.is_extension and (f.label != FD.LABEL_REPEATED or len(v))}
        for name in sorted(set(ee) | set(ea)):
            p, sp = join_path(path, f"[{name}]"), join_path(spath, f"[{name}]")
            if self.cmp.ignore.get(sp):
                continue
            if name not in ea:
                self.add(p, "extension missing in actual")
            elif name not in ee:
                self.add(p, "extension unexpected in actual")
            else:
                field = ee[name][0]
                if field.label == FD.LABEL_REPEATED:
                    self.repeated(field, ee[name][1], ea[name][1], p, sp)
                else:
                    self.value(field, ee[name][1], ea[name][1], p, sp)

    def unknown(self, e: Message, a: Message, path: str) -> None:
        ue, ua = _unknown(e), _unknown(a)
        if ue == ua:
            return
        by_e: dict[int, list] = collections.defaultdict(list)
        by_a: dict[int, list] = collections.defaultdict(list)
        for num, wt, data in ue:
            by_e[num].append((wt, data))
        for num, wt, data in ua:
            by_a[num].append((wt, data))
        for num in sorted(set(by_e) | set(by_a)):
            if by_e.get(num) != by_a.get(num):
                self.add(join_path(path, f"<unknown {num}>"), f"{_fmt_unknown(by_e.get(num))} != {_fmt_unknown(by_a.get(num))} (unknown field)")

    # -------------------------------------------------------------- values

    def value(self, field: FD, ve: Any, va: Any, path: str, spath: str) -> None:
        if _is_message_field(field):
            self.message(ve, va, path, spath)
            return
        if _is_float(field):
            if not self.cmp.float_equal(ve, va, spath):
                detail = ""
                if math.isfinite(ve) and math.isfinite(va):
                    d = abs(va - ve)
                    rel = d / abs(ve) if ve else math.inf
                    detail = f" (abs {d:.2g}, rel {rel:.2g})"
                elif math.isnan(ve) and math.isnan(va):
                    detail = " (NaN payload differs)"
                elif ve == va:
                    detail = " (signed zero)"
                self.add(path, f"{self.fmt(field, ve)} != {self.fmt(field, va)}{detail}")
            return
        if field.type == FD.TYPE_BYTES:
            msg = bytes_difference(ve, va)
            if msg:
                self.add(path, msg)
            return
        if field.type == FD.TYPE_STRING and ve != va:
            self.add(path, values_differ(ve, va, lambda text: json.dumps(text, ensure_ascii=False)))
            return
        if ve != va or type(ve) is not type(va):
            self.add(path, f"{self.fmt(field, ve)} != {self.fmt(field, va)}")

    def fmt(self, field: FD, value: Any) -> str:
        if field.type == FD.TYPE_ENUM:
            known = field.enum_type.values_by_number.get(value)
            return f"{known.name} ({value})" if known is not None else f"{value} (unknown enum value)"
        if _is_float(field):
            return _fmt_float(value, field.type == FD.TYPE_FLOAT)
        if field.type == FD.TYPE_BOOL:
            return "true" if value else "false"
        if field.type == FD.TYPE_STRING:
            text = json.dumps(value, ensure_ascii=False)
            return text if len(text) <= 80 else text[:79] + "…"
        if field.type == FD.TYPE_BYTES:
            return f"{len(value)} bytes {value[:16].hex()}{'…' if len(value) > 16 else ''}"
        if _is_message_field(field):
            return _short_message(value)
        return str(value)

    # -------------------------------------------------------------- containers

    def repeated(self, field: FD, le: Any, la: Any, path: str, spath: str) -> None:
        mode, key = self.cmp.repeated.get(spath, ("list", None))
        if mode == "list":
            self._list(field, le, la, path, spath)
        elif mode == "key":
            self._keyed(field, key, le, la, path, spath)  # type: ignore[arg-type]
        else:
            self._bag(field, mode, le, la, path)

    def _list(self, field: FD, le: Any, la: Any, path: str, spath: str) -> None:
        ne, na = len(le), len(la)
        if ne != na:
            self.add(path, f"length {ne} != {na}")
        if _is_message_field(field):
            self.later(self._message_items(field, le, la, path, spath))
            return
        for i in range(min(ne, na)):
            self.value(field, le[i], la[i], f"{path}[{i}]", spath)
        for i in range(na, ne):
            self.add(f"{path}[{i}]", f"missing in actual (expected {self.fmt(field, le[i])})")
        for i in range(ne, na):
            self.add(f"{path}[{i}]", f"unexpected in actual (actual {self.fmt(field, la[i])})")

    def _message_items(self, field: FD, le: Any, la: Any, path: str, spath: str) -> Iterator[tuple]:
        """The tasks of a repeated message field, made one at a time so only the walked path is held."""
        ne, na = len(le), len(la)
        for i in range(min(ne, na)):
            x, y = le[i], la[i]
            if _serialize(x) != _serialize(y):  # equal elements are skipped here, without a task
                yield (x, y, f"{path}[{i}]", spath)
        for i in range(na, ne):
            yield (f"{path}[{i}]", f"missing in actual (expected {self.fmt(field, le[i])})")
        for i in range(ne, na):
            yield (f"{path}[{i}]", f"unexpected in actual (actual {self.fmt(field, la[i])})")

    def _elem_key(self, field: FD, value: Any) -> Any:
        if _is_message_field(field):
            return _serialize(value)
        if _is_float(field):
            if math.isnan(value):
                return ("nan", struct.pack("<d", value) if self.cmp.nan == "payload" else b"")
            if value == 0 and not self.cmp.signed_zero:
                return 0.0
            return struct.pack("<d", value)
        return (type(value), value)

    def _bag(self, field: FD, mode: str, le: Any, la: Any, path: str) -> None:
        ke, ka = collections.Counter(), collections.Counter()
        sample: dict[Any, Any] = {}
        for v in le:
            k = self._elem_key(field, v)
            ke[k] += 1
            sample.setdefault(k, v)
        for v in la:
            k = self._elem_key(field, v)
            ka[k] += 1
            sample.setdefault(k, v)
        if mode == "set":
            ke, ka = collections.Counter(set(ke)), collections.Counter(set(ka))
        for k in ke:
            if ke[k] > ka.get(k, 0):
                n = ke[k] - ka.get(k, 0)
                self.add(path, f"missing in actual: {self.fmt(field, sample[k])}" + (f" (x{n})" if n > 1 or ka.get(k) else ""))
        for k in ka:
            if ka[k] > ke.get(k, 0):
                n = ka[k] - ke.get(k, 0)
                self.add(path, f"unexpected in actual: {self.fmt(field, sample[k])}" + (f" (x{n})" if n > 1 or ke.get(k) else ""))

    def _keyed(self, field: FD, key: str, le: Any, la: Any, path: str, spath: str) -> None:
        key_field = field.message_type.fields_by_name.get(key) if _is_message_field(field) else None
        problem = "is not a field of the element message" if key_field is None else _key_problem(key_field)
        if problem:
            raise ComparatorConfigError(f"repeated[{spath!r}] (matched by a pattern): key {key!r} {problem}; "
                                        "key by a singular scalar field")
        def index(items: Any, side: str) -> dict:
            out: dict = {}
            for item in items:
                k = getattr(item, key)
                if k in out:
                    self.add(f"{path}[{key}={_fmt_key(k)}]", f"duplicate key in {side}")
                out[k] = item
            return out

        me, ma = index(le, "expected"), index(la, "actual")

        def items() -> Iterator[tuple]:
            for k in list(me) + [k for k in ma if k not in me]:
                p = f"{path}[{key}={_fmt_key(k)}]"
                if k not in ma:
                    yield (p, f"missing in actual (expected {_short_message(me[k])})")
                elif k not in me:
                    yield (p, f"unexpected in actual (actual {_short_message(ma[k])})")
                else:
                    yield (me[k], ma[k], p, spath)

        self.later(items())

    def map(self, field: FD, me: Any, ma: Any, path: str, spath: str) -> None:
        value_field = field.message_type.fields_by_name["value"]
        ke, ka = set(me.keys()), set(ma.keys())
        for k in sorted(ke | ka, key=lambda k: (type(k).__name__, k)):
            p = f"{path}[{_fmt_key(k)}]"
            if k not in ka:
                self.add(p, f"missing in actual (expected {self.fmt(value_field, me[k])})")
            elif k not in ke:
                self.add(p, f"unexpected in actual (actual {self.fmt(value_field, ma[k])})")
            else:
                self.value(value_field, me[k], ma[k], p, spath)


def _fmt_unknown(items: list | None) -> str:
    if not items:
        return "absent"
    parts = []
    for wt, data in items:
        if isinstance(data, bytes):
            parts.append(f"bytes {data[:12].hex()}{'…' if len(data) > 12 else ''}")
        else:
            parts.append(repr(data))
    return "[" + ", ".join(parts) + "]"
