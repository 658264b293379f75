"""Golden fixtures: the Python reference's recorded outputs.

Layout: ``<golden dir>/<module path>/<case id>.json`` holds one entry per
example; ``<golden dir>/MANIFEST.json`` records each file's sha256, the side
that produced it (always ``python``), the reference revision, the harness
version and when it was written.

Rules that keep goldens trustworthy:

* only the Python reference writes goldens, and only under ``--update-golden``;
* a file whose hash does not match the manifest was edited by hand or
  corrupted: that is an error, never silently regenerated;
* writes are atomic (temp file + ``os.replace``) and serialised by a file
  lock, and only files whose content changes are rewritten.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock

from . import values
from .files import atomic_write
from .outcomes import SideKind, SideResult

MANIFEST = "MANIFEST.json"
FORMAT = 1


class GoldenIntegrityError(Exception):
    """A golden file disagrees with its manifest entry, or is not valid."""


@dataclasses.dataclass(frozen=True)
class GoldenEntry:
    """What the reference did for one example: a value, or an error it raised."""

    kind: str  # "value" or "raised"
    value: Any = None  # encoded (see values.encode)
    error_type: str = ""
    message: str = ""

    @classmethod
    def from_side(cls, result: SideResult) -> "GoldenEntry | None":
        """Only values and ordinary exceptions are worth recording (not crashes or timeouts)."""
        if result.kind is SideKind.VALUE:
            return cls("value", value=values.encode(result.value))
        if result.kind is SideKind.RAISED:
            return cls("raised", error_type=result.error_type, message=result.message)
        return None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "GoldenEntry":
        return cls(data["kind"], data.get("value"), data.get("error_type", ""), data.get("message", ""))

    def to_json(self) -> dict[str, Any]:
        if self.kind == "value":
            return {"kind": "value", "value": self.value}
        return {"kind": "raised", "error_type": self.error_type, "message": self.message}

    def as_side(self) -> SideResult:
        if self.kind == "value":
            return SideResult("golden", SideKind.VALUE, value=values.decode(self.value))
        return SideResult("golden", SideKind.RAISED, error_type=self.error_type, message=self.message)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_file(case_id: str, covers: str, entries: Mapping[str, GoldenEntry], case_file: str = "") -> bytes:
    document = {
        "case": case_id,
        "covers": covers,
        "case_file": case_file,
        "examples": {key: entries[key].to_json() for key in sorted(entries)},
    }
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


class GoldenStore:
    """Reads and writes goldens under one directory."""

    def __init__(self, root: Path, *, harness_version: str, reference_revision: str):
        self.root = root
        self.harness_version = harness_version
        self.reference_revision = reference_revision
        self._cache: dict[str, dict[str, GoldenEntry]] = {}
        self._case_files: dict[str, str] = {}  # relpath -> the case file that recorded it ("" if unknown)

    # -- paths ------------------------------------------------------------
    def relpath(self, module_path: str, case_id: str) -> str:
        return f"{module_path}/{case_id}.json"

    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"format": FORMAT, "files": {}}
        try:
            return json.loads(path.read_text("utf-8"))
        except ValueError as error:
            raise GoldenIntegrityError(f"{path} is not valid JSON ({error}); restore it from version control") from error

    # -- reading ----------------------------------------------------------
    def entries(self, relpath: str) -> dict[str, GoldenEntry]:
        """All entries of one golden file (empty if it does not exist); verifies the manifest hash."""
        if relpath in self._cache:
            return self._cache[relpath]
        path = self.root / relpath
        if not path.exists():
            self._cache[relpath] = {}
            return {}
        data = path.read_bytes()
        recorded = self.manifest().get("files", {}).get(relpath)
        if recorded is None:
            raise GoldenIntegrityError(
                f"golden {path} is not listed in {self.root / MANIFEST}: it was added by hand or the manifest "
                "was lost. Review it, then delete it and re-record with --update-golden.")
        if recorded.get("sha256") != _sha256(data):
            raise GoldenIntegrityError(
                f"golden {path} does not match its manifest hash (sha256 {_sha256(data)[:12]} != recorded "
                f"{str(recorded.get('sha256'))[:12]}): it was edited by hand or corrupted. Restore it from "
                "version control, or re-record it with --update-golden after review.")
        try:
            document = json.loads(data)
            entries = {k: GoldenEntry.from_json(v) for k, v in document["examples"].items()}
            self._case_files[relpath] = document.get("case_file", "")
        except (ValueError, KeyError, TypeError) as error:
            raise GoldenIntegrityError(f"golden {path} is malformed ({error})") from error
        self._cache[relpath] = entries
        return entries

    def lookup(self, relpath: str, example_id: str) -> GoldenEntry | None:
        return self.entries(relpath).get(example_id)

    def existing_files(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.json") if p.name != MANIFEST)

    # -- writing ----------------------------------------------------------
    def apply_updates(self, updates: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """Merge recorded entries into golden files; return the files whose content changed.

        ``updates`` maps a golden relpath to ``{"case": id, "covers": path,
        "entries": {example_id: entry-json}}``.  Examples not in the update
        keep their stored entries (a ``-k`` run updates only what it ran).
        """
        changed: list[str] = []
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.root / ".golden.lock")):
            self._cache.clear()
            manifest = self.manifest()
            files = manifest.setdefault("files", {})
            for relpath in sorted(updates):
                update = updates[relpath]
                path = self.root / relpath
                try:
                    merged = dict(self.entries(relpath))
                except GoldenIntegrityError:
                    merged = {}  # an explicit --update-golden replaces a tampered file; reported as changed
                merged.update({k: GoldenEntry.from_json(v) for k, v in update["entries"].items()})
                data = render_file(update["case"], update["covers"], merged, update.get("case_file", ""))
                if path.exists() and path.read_bytes() == data and files.get(relpath, {}).get("sha256") == _sha256(data):
                    continue
                atomic_write(path, data)
                files[relpath] = {
                    "sha256": _sha256(data),
                    "side": "python",
                    "reference_revision": self.reference_revision,
                    "harness_version": self.harness_version,
                    "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
                }
                changed.append(relpath)
            if changed:
                manifest["format"] = FORMAT
                manifest["files"] = dict(sorted(files.items()))
                atomic_write(self.root / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
            self._cache.clear()
        return changed

    def unused(self, used: Mapping[str, Iterable[str]], modules: Iterable[str], whole_run: bool,
               case_files: Iterable[str] = ()) -> list[str]:
        """Golden files / entries that no collected case uses.

        Unless the run collected every case (``whole_run``), only goldens it
        can judge are: those recorded by a case file this run collected, or,
        for goldens that do not name their case file, those under a module
        directory it collected cases for.  Two case files may cover one
        module; a run of one must not call the other's goldens unused.
        """
        module_set, file_set = set(modules), set(case_files)
        report: list[str] = []
        for relpath in self.existing_files():
            try:
                stored: dict[str, GoldenEntry] | None = self.entries(relpath)
            except GoldenIntegrityError:
                stored = None  # unreadable or unlisted: still unused if no case names it
            if not whole_run:
                recorded_by = self._case_files.get(relpath, "")
                judged = recorded_by in file_set if recorded_by else relpath.rsplit("/", 1)[0] in module_set
                if not judged:
                    continue
            if relpath not in used:
                report.append(relpath)
                continue
            if stored is None:
                continue
            extra = sorted(set(stored) - set(used[relpath]))
            report.extend(f"{relpath}::{example_id}" for example_id in extra)
        return report
