"""Compile the declared libraries into a cache keyed by what goes into them.

The key of one library hashes its manifest entry, the content of its
sources and of every tree file they include, as patched (:mod:`.sources`:
a new patch rebuilds only the libraries whose files it changes), the
compiler's version line, and -- for TensorFlow kernels -- the
TensorFlow version and its compile and link flags (and protoc's version
when it compiles protos).  So an unchanged library is never rebuilt, and a
library built against another TensorFlow is simply another key.

One library builds in a temporary directory next to its final one, under a
file lock, and is renamed into place with its stamp (``BUILD.json``): two
pytest-xdist workers racing build once, nobody sees half a library.  A
compile failure is a *result* (the stamp records the compiler's first
error line and the full log), never an exception, so a broken kernel is
not recompiled on every run and never fails one.

``optional`` sources are kernels linked when they compile; each one that
does not is recorded with its first error line, and the ops it defines
become unavailable for that reason alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from filelock import FileLock

from ..files import atomic_write
from . import ops as _ops
from . import sources as _sources
from . import toolchain
from .manifest import KernelManifest, Library

FORMAT = 1
CACHE_ENV = "MONOLITH_PARITY_KERNEL_CACHE"
STAMP = "BUILD.json"
LOG = "build.log"
BUILDS = 0  # libraries compiled by this process (tests use it to prove the cache is reused)

Progress = Callable[[str], None]


def default_cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path("~/.cache/monolith-parity/kernels").expanduser()


@dataclasses.dataclass
class LibraryResult:
    """What became of one declared library (read back from its stamp when cached)."""

    name: str
    kind: str
    status: str  # built | failed | missing | tool missing
    reason: str = ""  # why it is not built (status != built)
    key: str = ""
    directory: str = ""
    library: str = ""  # the shared library's path when built
    action: str = ""  # compiled | cached | not attempted
    seconds: float = 0.0  # of the compile (a cached result keeps the original figure)
    ops: list[str] = dataclasses.field(default_factory=list)  # registered by the linked sources
    kernels: list[str] = dataclasses.field(default_factory=list)  # CPU kernels in the linked sources
    failed_sources: dict[str, str] = dataclasses.field(default_factory=dict)  # optional source -> first error
    unlinked_ops: dict[str, str] = dataclasses.field(default_factory=dict)  # op -> reason (its kernel failed)
    declared_ops: list[str] = dataclasses.field(default_factory=list)  # every op the declared sources register
    patches: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    toolchain: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def built(self) -> bool:
        return self.status == "built"

    def reason_for(self, op: str) -> str:
        """Why ``op`` (declared by this library) is not available from it."""
        if not self.built:
            return f"library {self.name} is not built: {self.reason}"
        if op in self.unlinked_ops:
            return self.unlinked_ops[op]
        if op not in self.kernels:
            return f"library {self.name} registers {op} but none of its compiled sources defines a CPU kernel for it"
        return ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "LibraryResult":
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclasses.dataclass
class BuildReport:
    results: list[LibraryResult]
    seconds: float
    cache_root: Path

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"cache_root": str(self.cache_root), "seconds": round(self.seconds, 2), "counts": self.counts(),
                "libraries": [r.to_json() for r in self.results]}


# -- keys ----------------------------------------------------------------------------
def toolchain_facts(library: Library) -> dict[str, Any]:
    facts: dict[str, Any] = {"compiler": toolchain.compiler_version(), "cxx": toolchain.cxx()}
    if library.uses_tensorflow:
        facts["tensorflow"] = toolchain.tensorflow()
    if library.protos:
        facts["protoc"] = toolchain.protoc_version()
    return facts


def library_key(library: Library, source_digest: str, facts: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    payload = {"format": FORMAT, "library": library.build_fields(), "sources": source_digest,
               "flags": toolchain.COMPILE_FLAGS, "toolchain": facts}
    digest.update(json.dumps(payload, sort_keys=True).encode())
    return digest.hexdigest()[:24]


# -- one library ------------------------------------------------------------------------
def ensure_library(library: Library, manifest: KernelManifest, source_root: Path, cache_root: Path,
                   progress: Progress | None = None, build: bool = True) -> LibraryResult:
    """The library's cached result, building it first when its key has no stamp yet (unless ``build=False``)."""
    say = progress or (lambda message: None)
    declared = [*library.sources, *library.optional]
    files = _sources.collect(source_root, [*declared, *library.protos], manifest.directory, library.own_sources)
    declared_ops = _declared_ops(source_root, declared)
    required_missing = [rel for rel in files.missing if rel not in library.optional]
    if required_missing:
        return LibraryResult(library.name, library.kind, "missing", declared_ops=declared_ops, action="not attempted",
                             reason=f"source {required_missing[0]} is not in this source tree ({source_root})")
    try:
        facts = toolchain_facts(library)
    except toolchain.ToolMissing as error:
        return LibraryResult(library.name, library.kind, "tool missing", reason=str(error),
                             declared_ops=declared_ops, action="not attempted")
    key = library_key(library, files.digest(), facts)
    final = cache_root / f"{library.name}-{key}"
    cached = _cached(final)  # a stamp appears with its directory's rename, so it is read without the lock
    if cached is not None:
        return cached
    if not build:
        return LibraryResult(library.name, library.kind, "not built", key=key, declared_ops=declared_ops,
                             action="not attempted", reason="not in the cache and building is off here "
                             "(python -m pytest_monolith_parity build-ops builds it)")
    cache_root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_root / f"{library.name}-{key}.lock"), timeout=3600):
        cached = _cached(final)  # another process built it while this one waited
        if cached is not None:
            return cached
        if final.exists():  # a build killed before its stamp was written
            shutil.rmtree(final, ignore_errors=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{library.name}-{key}.", dir=cache_root))
        try:
            result = _compile(library, files, temp, key, facts, say)
            result.declared_ops = declared_ops
            result.directory = str(final)
            if result.library:
                result.library = str(final / Path(result.library).name)
            atomic_write(temp / STAMP, (json.dumps(result.to_json(), indent=2) + "\n").encode())
            os.replace(temp, final)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    result.action = "compiled"
    return result


def _cached(final: Path) -> LibraryResult | None:
    if not (final / STAMP).is_file():
        return None
    result = LibraryResult.from_json(json.loads((final / STAMP).read_text("utf-8")))
    result.action = "cached"
    return result


def _declared_ops(root: Path, rels: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for rel in rels:
        path = root / rel
        if path.is_file():
            found.update(_ops.registered_ops(path.read_text("utf-8", errors="replace")))
    return sorted(found)


def _compile(library: Library, files: _sources.SourceSet, work: Path, key: str, facts: dict[str, Any],
             say: Progress) -> LibraryResult:
    global BUILDS
    BUILDS += 1
    start = time.perf_counter()
    result = LibraryResult(library.name, library.kind, "failed", key=key, toolchain=facts)
    result.patches = files.stage(work)
    log: list[str] = []

    def finish(status: str, reason: str = "") -> LibraryResult:
        result.status, result.reason = status, reason
        result.seconds = round(time.perf_counter() - start, 2)
        atomic_write(work / LOG, "\n".join(log).encode("utf-8", errors="replace"))
        return result

    checkout_dir, own_dir, gen_dir, obj_dir = work / "checkout", work / "own", work / "gen", work / "obj"

    def first_error(output: str) -> str:
        """The compiler's first error line, with the build directory's paths made tree-relative."""
        line = toolchain.first_error(output)
        for directory, label in ((checkout_dir, ""), (own_dir, "(own) "), (gen_dir, "(generated) ")):
            line = line.replace(f"{directory}/", label)
        return line

    gen_dir.mkdir(exist_ok=True)
    obj_dir.mkdir(exist_ok=True)
    generated: list[Path] = []
    if library.protos:
        say(f"{library.name}: protoc {len(library.protos)} proto(s)")
        command = ["protoc", f"-I{checkout_dir}", f"--cpp_out={gen_dir}", *library.protos]
        status, output = toolchain.run(command, cwd=str(checkout_dir))
        log += ["$ " + " ".join(command), output]
        if status != 0:
            return finish("failed", f"protoc: {first_error(output)}")
        generated = [gen_dir / (rel[: -len(".proto")] + ".pb.cc") for rel in library.protos]

    tf = facts.get("tensorflow")
    include = [f"-I{own_dir}", f"-I{checkout_dir}", f"-I{gen_dir}"]
    cflags = [*toolchain.COMPILE_FLAGS, *(tf["compile_flags"] if tf else ["-std=c++17"]),
              *[f"-D{d}" for d in library.defines]]
    units: list[tuple[str, Path, bool]] = [(rel, checkout_dir / rel, True) for rel in library.sources]
    units += [(f"(generated) {p.relative_to(gen_dir).as_posix()}", p, True) for p in generated]
    units += [(f"(own) {rel}", own_dir / rel, True) for rel in library.own_sources]
    units += [(rel, checkout_dir / rel, False) for rel in library.optional if (checkout_dir / rel).is_file()]
    missing_optional = [rel for rel in library.optional if not (checkout_dir / rel).is_file()]
    for rel in missing_optional:
        result.failed_sources[rel] = "not in this source tree"
    objects: list[tuple[str, Path, bool]] = []
    for index, (label, source, required) in enumerate(units, 1):
        say(f"{library.name}: compiling {label} ({index}/{len(units)}, {time.perf_counter() - start:.0f}s)")
        obj = obj_dir / f"{index:03d}-{source.stem}.o"
        command = [toolchain.cxx(), "-c", *cflags, *include, str(source), "-o", str(obj)]
        status, output = toolchain.run(command)
        log += ["$ " + " ".join(command), output]
        if status != 0:
            first = first_error(output)
            if required:
                return finish("failed", f"{label}: {first}")
            result.failed_sources[label] = first
            continue
        objects.append((label, obj, required))

    target = work / f"lib{library.name}.so"
    while True:
        say(f"{library.name}: linking {len(objects)} object(s) ({time.perf_counter() - start:.0f}s)")
        command = [toolchain.cxx(), "-shared", *[str(o) for _, o, _ in objects], "-o", str(target),
                   *(tf["link_flags"] if tf else []), *_rpath(tf), *[f"-l{lib}" for lib in library.libs],
                   "-Wl,--no-undefined"]
        status, output = toolchain.run(command)
        log += ["$ " + " ".join(command), output]
        if status == 0:
            break
        culprits = [item for item in objects if not item[2] and item[1].name in output]
        if not culprits:
            return finish("failed", f"link: {first_error(output)}")
        for item in culprits:  # an optional kernel that needs what is not linked: drop it, link the rest
            result.failed_sources[item[0]] = f"link: {_undefined_symbol(output, item[0]) or first_error(output)}"
            objects.remove(item)

    linked = {label for label, _, _ in objects}
    texts = {rel: (checkout_dir / rel).read_text("utf-8", errors="replace")
             for rel in [*library.sources, *library.optional] if (checkout_dir / rel).is_file()}
    texts.update({f"(own) {rel}": (own_dir / rel).read_text("utf-8", errors="replace") for rel in library.own_sources})
    registered: set[str] = set()
    kernels: set[str] = set()
    for label, text in texts.items():
        if label in linked:
            registered.update(_ops.registered_ops(text))
            kernels.update(_ops.cpu_kernels(text))
        elif label in result.failed_sources:
            for op in {*_ops.cpu_kernels(text), *_ops.registered_ops(text)}:
                result.unlinked_ops[op] = f"its kernel {label} did not build: {result.failed_sources[label]}"
    result.ops = sorted(registered)
    result.kernels = sorted(kernels - set(result.unlinked_ops))
    result.library = str(target)
    return finish("built")


def _undefined_symbol(output: str, label: str) -> str:
    """The linker's first ``undefined reference to `X'`` line for the source ``label`` (the cause, not collect2's)."""
    name = Path(label.split(" ")[-1]).name
    for line in output.splitlines():
        if "undefined reference to" in line and (f"{name}:" in line or f"{Path(name).stem}.o" in line):
            return f"{name}: undefined reference to {line.split('undefined reference to', 1)[1].strip()[:240]}"
    return ""


def _rpath(tf: dict[str, Any] | None) -> list[str]:
    """A C ABI library linked against TensorFlow finds libtensorflow_framework where it was linked."""
    if not tf:
        return []
    return [f"-Wl,-rpath,{flag[2:]}" for flag in tf["link_flags"] if flag.startswith("-L")]


# -- all of them -----------------------------------------------------------------------------
def build_libraries(manifest: KernelManifest, source_root: Path, names: Iterable[str] | None = None,
                    cache_root: Path | None = None, progress: Progress | None = None) -> BuildReport:
    """Ensure every selected library (default: all) is built or has a recorded failure."""
    start = time.perf_counter()
    cache_root = Path(cache_root) if cache_root is not None else default_cache_root()
    selected = [manifest.library(name) for name in names] if names is not None else list(manifest.libraries)
    results = []
    for index, library in enumerate(selected, 1):
        if progress:
            progress(f"[{index}/{len(selected)}] {library.name} ({time.perf_counter() - start:.0f}s elapsed)")
        results.append(ensure_library(library, manifest, source_root, cache_root, progress))
    return BuildReport(results=results, seconds=time.perf_counter() - start, cache_root=cache_root)
