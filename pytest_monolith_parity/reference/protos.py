"""The reference's protobuf modules, compiled once per content and cached.

Upstream, Bazel generates ``*_pb2.py`` (and ``*_pb2_grpc.py``) next to the
sources; a plain checkout has only the ``.proto`` files, so the reference
cannot even import.  :func:`build` compiles every ``.proto`` of ``idl/`` and
``monolith/`` with grpcio-tools into a cache directory keyed by a hash of the
inputs (proto contents, grpcio-tools and protobuf versions), so an unchanged
checkout is compiled once per machine, not once per run or per xdist worker.

TensorFlow Serving protos that the ``tensorflow-serving-api`` wheel lacks
(``platform_config.proto``...) are compiled too, from a *serving proto path*
(the checkout's ``monolith-rs/proto`` by default; more directories through
``MONOLITH_PARITY_SERVING_PROTO_PATH``).  They land in a separate ``serving/``
tree that is not put on ``sys.path``: the bootstrap loads them by name,
because ``tensorflow_serving`` itself is the installed package.

Concurrency: the build happens in a temporary directory next to the final
one and is renamed into place under a file lock, so two pytest-xdist workers
racing for the same key compile once and nobody sees a half-written tree.
Cache location: argument > ``MONOLITH_PARITY_PROTO_CACHE`` >
``~/.cache/monolith-parity/protos``.  Pytest-free.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from filelock import FileLock

from ..files import atomic_write
from .checkout import Checkout

FORMAT = 1  # bump when the layout of a build directory changes
CACHE_ENV = "MONOLITH_PARITY_PROTO_CACHE"
SERVING_PATH_ENV = "MONOLITH_PARITY_SERVING_PROTO_PATH"
MANIFEST = "MANIFEST.json"
_SERVICE = re.compile(r"^\s*service\s+\w+\s*\{", re.MULTILINE)
PROTOC_RUNS = 0  # protoc invocations by this process (tests use it to prove the cache is reused)


class ProtoCompileError(RuntimeError):
    """protoc rejected a proto (the message carries protoc's stderr), or grpcio-tools is missing."""


@dataclasses.dataclass(frozen=True)
class ProtoBuild:
    """A compiled, cached set of proto modules."""

    directory: Path  # the build directory (holds python/, serving/, MANIFEST.json)
    key: str
    compiled: bool  # True when this call ran protoc, False when the cache was reused
    modules: tuple[str, ...]  # modules generated from the checkout (idl.*, monolith.*)
    serving_modules: tuple[str, ...]  # tensorflow_serving.* modules generated from the serving proto path

    @property
    def python_dir(self) -> Path:
        """Goes on sys.path: ``idl/...`` and ``monolith/...`` generated modules."""
        return self.directory / "python"

    @property
    def serving_dir(self) -> Path:
        """Not on sys.path: ``tensorflow_serving/...`` modules the bootstrap loads by name."""
        return self.directory / "serving"

    def serving_file(self, module: str) -> Path:
        return self.serving_dir.joinpath(*module.split(".")).with_suffix(".py")


def default_cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path("~/.cache/monolith-parity/protos").expanduser()


def serving_proto_path(checkout: Checkout, extra: Iterable[str | Path] | None = None) -> list[Path]:
    """Directories searched for TF Serving protos: explicit ones, then the environment, then monolith-rs/proto."""
    dirs: list[Path] = [Path(p).expanduser() for p in (extra or [])]
    dirs += [Path(p).expanduser() for p in os.environ.get(SERVING_PATH_ENV, "").split(os.pathsep) if p.strip()]
    dirs.append(checkout.rust_dir / "proto")
    seen: list[Path] = []
    for directory in dirs:
        if directory.is_dir() and directory.resolve() not in seen:
            seen.append(directory.resolve())
    return seen


def _installed(module: str) -> bool:
    """Whether ``module`` ships with an installed distribution (site-packages), without importing anything.

    Uses only the path-based finder, so an active bootstrap (which serves
    compiled stand-ins for these very names) cannot change the answer.
    """
    import importlib.machinery

    top, _, rest = module.partition(".")
    try:
        spec = importlib.machinery.PathFinder.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    if not rest:
        return True
    locations = list(spec.submodule_search_locations or [])
    parts = rest.split(".")
    for location in locations:
        base = Path(location).joinpath(*parts)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return True
    return False


def missing_serving_protos(search: Sequence[Path]) -> dict[str, Path]:
    """``tensorflow_serving/**/*.proto`` found on ``search`` whose module is not installed.

    Compiling a proto the wheel already ships would register the same file
    twice in protobuf's default pool (an error when the contents differ), so
    only the missing ones are taken; the first directory that has a file wins.
    """
    found: dict[str, Path] = {}
    for directory in search:
        base = directory / "tensorflow_serving"
        if not base.is_dir():
            continue
        for proto in sorted(base.rglob("*.proto")):
            rel = proto.relative_to(directory).as_posix()
            if rel in found:
                continue
            module = rel[: -len(".proto")].replace("/", ".") + "_pb2"
            if not _installed(module):
                found[rel] = proto
    return found


def _tensorflow_include() -> Path | None:
    """TensorFlow's installed ``include/`` (its .proto files), found without importing TensorFlow."""
    try:
        spec = importlib.util.find_spec("tensorflow")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    include = Path(list(spec.submodule_search_locations)[0]) / "include"
    return include if include.is_dir() else None


def _grpc_tools_include() -> Path:
    spec = importlib.util.find_spec("grpc_tools")
    if spec is None or not spec.submodule_search_locations:
        raise ProtoCompileError("grpcio-tools is not installed; install it with "
                                "`pip install 'pytest-monolith-parity[reference]'` (or `pip install grpcio-tools`)")
    return Path(list(spec.submodule_search_locations)[0]) / "_proto"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def cache_key(checkout: Checkout, serving: dict[str, Path]) -> str:
    """Hash of everything that decides the generated code (not of where the checkout lives)."""
    digest = hashlib.sha256()
    digest.update(f"format={FORMAT};grpcio-tools={_version('grpcio-tools')};protobuf={_version('protobuf')}".encode())
    for rel in checkout.proto_files():
        digest.update(b"\0checkout\0" + rel.encode() + b"\0" + (checkout.root / rel).read_bytes())
    for rel in sorted(serving):
        digest.update(b"\0serving\0" + rel.encode() + b"\0" + serving[rel].read_bytes())
    return digest.hexdigest()[:24]


def _protoc(includes: Sequence[Path], out: Path, files: Sequence[str], cwd: Path) -> None:
    global PROTOC_RUNS
    PROTOC_RUNS += 1
    command = [sys.executable, "-m", "grpc_tools.protoc", *[f"-I{p}" for p in includes],
               f"--python_out={out}", f"--grpc_python_out={out}", *files]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise ProtoCompileError(
            f"protoc failed (exit {result.returncode}) compiling {len(files)} proto(s) from {cwd}:\n"
            f"{result.stderr.strip() or result.stdout.strip()}\ncommand: {' '.join(command)}")


def _drop_empty_grpc(out: Path, sources: dict[str, Path]) -> None:
    """grpcio-tools writes a ``_pb2_grpc.py`` for every proto; keep it only where a service exists."""
    for rel, proto in sources.items():
        grpc_file = out / (rel[: -len(".proto")] + "_pb2_grpc.py")
        if grpc_file.exists() and not _SERVICE.search(proto.read_text("utf-8", errors="replace")):
            grpc_file.unlink()


def _modules(tree: Path) -> tuple[str, ...]:
    if not tree.is_dir():
        return ()
    return tuple(sorted(".".join(p.relative_to(tree).with_suffix("").parts) for p in tree.rglob("*.py")))


def _compile_into(temp: Path, checkout: Checkout, serving: dict[str, Path], search: Sequence[Path]) -> None:
    grpc_include = _grpc_tools_include()
    tf_include = _tensorflow_include()
    python_out = temp / "python"
    python_out.mkdir(parents=True)
    protos = checkout.proto_files()
    if protos:
        # One protoc per tree keeps include paths from shadowing each other.
        _protoc([checkout.root, grpc_include], python_out, protos, checkout.root)
        _drop_empty_grpc(python_out, {rel: checkout.root / rel for rel in protos})
    if serving:
        serving_out = temp / "serving"
        serving_out.mkdir()
        by_dir: dict[Path, list[str]] = {}
        for rel, proto in sorted(serving.items()):
            by_dir.setdefault(proto.parents[len(Path(rel).parts) - 1], []).append(rel)
        for directory, rels in by_dir.items():
            # TensorFlow's own protos come from the installed wheel (the generated code imports its *_pb2).
            includes = [grpc_include, *([tf_include] if tf_include else []), directory,
                        *[d for d in search if d != directory]]
            _protoc(includes, serving_out, rels, directory)
        _drop_empty_grpc(serving_out, serving)


def build(checkout: Checkout, cache_root: str | Path | None = None,
          serving_proto_dirs: Iterable[str | Path] | None = None) -> ProtoBuild:
    """Compile (or reuse) the checkout's protos; the result is not yet on sys.path (see :func:`install`)."""
    root = Path(cache_root).expanduser() if cache_root is not None else default_cache_root()
    root.mkdir(parents=True, exist_ok=True)
    search = serving_proto_path(checkout, serving_proto_dirs)
    serving = missing_serving_protos(search)
    key = cache_key(checkout, serving)
    final = root / key
    compiled = False
    with FileLock(str(root / f"{key}.lock"), timeout=900):
        if not (final / MANIFEST).is_file():
            if final.exists():  # a build killed mid-rename on a filesystem without atomic rename
                shutil.rmtree(final, ignore_errors=True)
            temp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
            try:
                _compile_into(temp, checkout, serving, search)
                manifest = {
                    "format": FORMAT,
                    "key": key,
                    "checkout": str(checkout.root),
                    "revision": checkout.revision,
                    "grpcio_tools": _version("grpcio-tools"),
                    "protobuf": _version("protobuf"),
                    "protos": checkout.proto_files(),
                    "serving_protos": {rel: str(path) for rel, path in sorted(serving.items())},
                    "modules": list(_modules(temp / "python")),
                    "serving_modules": list(_modules(temp / "serving")),
                }
                atomic_write(temp / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
                os.replace(temp, final)
            except BaseException:
                shutil.rmtree(temp, ignore_errors=True)
                raise
            compiled = True
    manifest = json.loads((final / MANIFEST).read_text("utf-8"))
    return ProtoBuild(directory=final, key=key, compiled=compiled, modules=tuple(manifest["modules"]),
                      serving_modules=tuple(manifest["serving_modules"]))


def install(protos: ProtoBuild) -> None:
    """Put the generated ``idl``/``monolith`` modules on ``sys.path`` (once)."""
    entry = str(protos.python_dir)
    if entry not in sys.path:
        sys.path.insert(0, entry)
    importlib.invalidate_caches()


def uninstall(protos: ProtoBuild) -> None:
    entry = str(protos.python_dir)
    while entry in sys.path:
        sys.path.remove(entry)
    importlib.invalidate_caches()
