"""Golden fixtures: the Python reference's recorded outputs.

Layout: ``<golden dir>/<module path>/<case id>.json`` holds one entry per
example and, under ``recorded``, who recorded it: the side (always
``python``), the reference revision, the harness version and when;
``<golden dir>/MANIFEST.json`` records each file's sha256 next to the same
facts.  So a lost manifest is rebuilt from the golden files byte for byte
(``--update-golden`` does it when MANIFEST.json is missing; any other run
refuses to start without it).  A golden file of the older layout (without
``recorded``) gets the block, with its manifest entry's facts, the next time
``--update-golden`` runs its case.

Rules that keep goldens trustworthy:

* only the Python reference writes goldens, and only under ``--update-golden``;
* a file whose hash does not match the manifest was edited by hand or
  corrupted: that is an error, never silently regenerated;
* writes are atomic (temp file + ``os.replace``) and serialised by a file
  lock, and only files whose content changes are rewritten (a rewrite keeps
  the ``recorded`` block when the examples did not change).
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


#: The facts of a manifest entry besides the hash, in the order they are written.
RECORDED_KEYS = ("side", "reference_revision", "harness_version", "created")
MISSING_MANIFEST = "{path} is missing: restore it, or run --update-golden to rebuild it from the golden files"


def render_file(case_id: str, covers: str, entries: Mapping[str, GoldenEntry], case_file: str = "",
                recorded: Mapping[str, Any] | None = None) -> bytes:
    document: dict[str, Any] = {
        "case": case_id,
        "covers": covers,
        "case_file": case_file,
    }
    if recorded is not None:
        document["recorded"] = {key: recorded.get(key) for key in RECORDED_KEYS}
    document["examples"] = {key: entries[key].to_json() for key in sorted(entries)}
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def render_manifest(files: Mapping[str, Mapping[str, Any]]) -> bytes:
    manifest = {"format": FORMAT, "files": {relpath: dict(files[relpath]) for relpath in sorted(files)}}
    return (json.dumps(manifest, indent=2) + "\n").encode("utf-8")


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

    def manifest_missing(self) -> bool:
        """Golden files exist but their manifest does not (it was deleted or never committed)."""
        return not (self.root / MANIFEST).exists() and bool(self.existing_files())

    def missing_manifest_message(self) -> str:
        return MISSING_MANIFEST.format(path=self.root / MANIFEST)

    def rebuild_manifest(self) -> list[str]:
        """Write MANIFEST.json afresh from the golden files (if it is missing); return the files of the old layout.

        A file's entry is its sha256 and its ``recorded`` block, so the rebuilt manifest
        is the lost one byte for byte.  A file without the block (the older layout) gets
        this run's revision, harness version and time instead, and is named in the result.
        """
        legacy: list[str] = []
        with FileLock(str(self.root / ".golden.lock")):
            if (self.root / MANIFEST).exists():
                return legacy
            files: dict[str, dict[str, Any]] = {}
            for relpath in self.existing_files():
                data = (self.root / relpath).read_bytes()
                try:
                    recorded = json.loads(data).get("recorded")
                except (ValueError, AttributeError) as error:
                    raise GoldenIntegrityError(f"golden {self.root / relpath} is malformed ({error}); restore it "
                                               "from version control before rebuilding the manifest") from error
                if not isinstance(recorded, dict):
                    legacy.append(relpath)
                    recorded = self._recorded_now()
                files[relpath] = {"sha256": _sha256(data), **{key: recorded.get(key) for key in RECORDED_KEYS}}
            atomic_write(self.root / MANIFEST, render_manifest(files))
            self._cache.clear()
        return legacy

    def _recorded_now(self) -> dict[str, Any]:
        return {"side": "python", "reference_revision": self.reference_revision,
                "harness_version": self.harness_version,
                "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()}

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
        if not (self.root / MANIFEST).exists():
            raise GoldenIntegrityError(self.missing_manifest_message())
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
                    stored = self.entries(relpath)
                    merged = dict(stored)
                except GoldenIntegrityError:
                    stored, merged = None, {}  # an explicit --update-golden replaces a tampered file; reported as changed
                merged.update({k: GoldenEntry.from_json(v) for k, v in update["entries"].items()})
                if stored is not None and merged == stored:
                    # the same examples: keep who recorded them (the file's own block; for a file of the
                    # older layout, its manifest entry's facts)
                    recorded = self._recorded_in(path) or {key: files.get(relpath, {}).get(key) for key in RECORDED_KEYS}
                else:
                    recorded = self._recorded_now()
                data = render_file(update["case"], update["covers"], merged, update.get("case_file", ""), recorded)
                entry = {"sha256": _sha256(data), **{key: recorded.get(key) for key in RECORDED_KEYS}}
                if path.exists() and path.read_bytes() == data and files.get(relpath) == entry:
                    continue
                atomic_write(path, data)
                files[relpath] = entry
                changed.append(relpath)
            if changed:
                atomic_write(self.root / MANIFEST, render_manifest(files))
            self._cache.clear()
        return changed

    def _peek_case_file(self, relpath: str) -> str | None:
        """The case file a golden names even when it cannot be trusted ("" if it names none, None if unreadable)."""
        try:
            case_file = json.loads((self.root / relpath).read_bytes()).get("case_file", "")
        except (OSError, ValueError, AttributeError):
            return None
        return case_file if isinstance(case_file, str) else None

    def _recorded_in(self, path: Path) -> dict[str, Any] | None:
        try:
            recorded = json.loads(path.read_bytes()).get("recorded")
        except (OSError, ValueError, AttributeError):
            return None
        return recorded if isinstance(recorded, dict) else None

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
                recorded_by: str | None = self._case_files.get(relpath, "")
            except GoldenIntegrityError:
                stored = None  # tampered, unlisted or malformed: still unused if no case names it
                recorded_by = self._peek_case_file(relpath)
            if not whole_run:
                if recorded_by is None:
                    continue  # cannot tell which case file recorded it: only a whole run can judge it
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
