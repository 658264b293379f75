"""The declared kernel libraries: which sources make which shared library, and what else each needs.

The list is data (``kernels/monolith.toml`` for monolith, a small one of our
own in ``tests/reference/kernels/`` for CI), so adding a kernel is an edit
to a table, not to code::

    format = 1

    [[library]]
    name = "gen_seq_mask"                       # the shared library: libgen_seq_mask.so
    kind = "tensorflow"                         # loaded with tf.load_op_library (default); or "c-abi" (ctypes)
    sources = ["monolith/.../gen_seq_mask.cc"]  # must all compile (relative to the source root: the checkout)
    optional = []                               # kernels linked only when they compile (each failure recorded)
    own_sources = []                            # our code (a C ABI shim...), relative to this manifest's directory
    protos = []                                 # .proto files compiled with protoc into the build directory
                                                # (one library per proto: protobuf aborts on a duplicate)
    libs = []                                   # system libraries to link (-l<name>)
    callers = []                                # Python files whose cases call the library directly (a C ABI
                                                # library has no op the bootstrap could trace): a run whose
                                                # cases cover one builds the library before they run
    link_tensorflow = false                     # c-abi only: compile and link with TensorFlow's flags too
                                                # (its protobuf and absl, so one copy of each per process)
    why = "..."                                 # one line for the docs and the reports

Pytest-free; a malformed manifest raises :class:`ManifestError` naming the
file, the entry and the fix.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

FORMAT = 1
KINDS = ("tensorflow", "c-abi")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LIST_FIELDS = ("sources", "optional", "own_sources", "protos", "libs", "defines", "callers")


class ManifestError(ValueError):
    """The kernel manifest is malformed; the message names the file, the entry and the fix."""


@dataclasses.dataclass(frozen=True)
class Library:
    """One declared shared library."""

    name: str
    kind: str
    sources: tuple[str, ...]
    optional: tuple[str, ...] = ()
    own_sources: tuple[str, ...] = ()
    protos: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    callers: tuple[str, ...] = ()
    link_tensorflow: bool = False
    why: str = ""

    @property
    def uses_tensorflow(self) -> bool:
        return self.kind == "tensorflow" or self.link_tensorflow

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def build_fields(self) -> dict:
        """What decides the compiled library (its cache key): not ``why`` nor ``callers``."""
        return {k: v for k, v in self.to_json().items() if k not in {"why", "callers"}}


@dataclasses.dataclass(frozen=True)
class KernelManifest:
    path: Path
    libraries: tuple[Library, ...]

    @property
    def directory(self) -> Path:
        """Where ``own_sources`` are resolved."""
        return self.path.parent

    def library(self, name: str) -> Library:
        for library in self.libraries:
            if library.name == name:
                return library
        known = ", ".join(lib.name for lib in self.libraries)
        raise ManifestError(f"{self.path}: no library named {name!r} (declared: {known})")


def load_manifest(path: str | Path) -> KernelManifest:
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"kernel manifest {path} does not exist; set kernels_manifest (--parity-kernels, "
                            "MONOLITH_PARITY_KERNELS) to the TOML file that declares the kernel libraries")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: not valid TOML ({error}); fix the file") from None
    if data.get("format") != FORMAT:
        raise ManifestError(f"{path}: `format = {FORMAT}` expected at the top, found {data.get('format')!r}")
    entries = data.get("library", [])
    if not isinstance(entries, list):
        raise ManifestError(f"{path}: libraries are declared as [[library]] tables")
    libraries: list[Library] = []
    seen: set[str] = set()
    proto_owner: dict[str, str] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: [[library]] #{index + 1}"
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ManifestError(f"{where}: `name` must be an identifier (it names lib<name>.so), got {name!r}")
        where = f"{path}: library {name!r}"
        if name in seen:
            raise ManifestError(f"{where} is declared twice; give each library its own name")
        seen.add(name)
        unknown = set(entry) - {"name", "kind", "why", "link_tensorflow", *_LIST_FIELDS}
        if unknown:
            raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; "
                                f"known: name, kind, why, link_tensorflow, {', '.join(_LIST_FIELDS)}")
        kind = entry.get("kind", "tensorflow")
        if kind not in KINDS:
            raise ManifestError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        fields = {}
        for field in _LIST_FIELDS:
            value = entry.get(field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ManifestError(f"{where}: `{field}` must be a list of strings")
            fields[field] = tuple(value)
        if not fields["sources"] and not fields["own_sources"]:
            raise ManifestError(f"{where}: declares no `sources` (or `own_sources`); a library needs at least one")
        why = entry.get("why", "")
        if not isinstance(why, str):
            raise ManifestError(f"{where}: `why` must be a string")
        link_tensorflow = entry.get("link_tensorflow", False)
        if not isinstance(link_tensorflow, bool):
            raise ManifestError(f"{where}: `link_tensorflow` must be true or false")
        for proto in fields["protos"]:
            owner = proto_owner.setdefault(proto, name)
            if owner != name:
                raise ManifestError(f"{where}: proto {proto} is already compiled into library {owner!r}; a proto "
                                    "may belong to one library only (protobuf aborts when a second library "
                                    "registers the same file): move the kernels that need it into that library")
        libraries.append(Library(name=name, kind=kind, why=why, link_tensorflow=link_tensorflow, **fields))
    return KernelManifest(path=path.resolve(), libraries=tuple(libraries))
