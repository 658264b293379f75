"""The mutants cargo-mutants generates for a Rust tree, and a seeded sample of them stratified by file.

cargo-mutants only *lists* here (``cargo mutants --list --json --diff``):
applying, building and judging a mutant is ours (:mod:`.workcopy`,
:mod:`.run`), because the judge is the parity suite against the unmutated
baseline report, not ``cargo test``.  The sample is reproducible: the same
list, ``n`` and ``seed`` give the same mutants, drawn round-robin from the
files (each file's mutants shuffled by the seed), so a large file does not
crowd out the small ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

#: The cargo-mutants release this harness reads (its JSON list format); `make setup` installs it.
CARGO_MUTANTS_VERSION = "27.1.0"


class MutantsError(RuntimeError):
    """cargo-mutants is missing or failed, or a mutant cannot be applied; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One generated mutant: where it is and the change it makes."""

    package: str
    file: str  # relative to the tree cargo-mutants listed (the copy's root)
    function: str
    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    genre: str
    name: str  # cargo-mutants' own one-line description
    diff: str

    @property
    def key(self) -> str:
        """Stable identity of the mutant: a hash of its diff (the results cache is keyed by it)."""
        return hashlib.sha256(self.diff.encode()).hexdigest()[:16]

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["key"] = self.key
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Mutant":
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


def cargo_mutants_program() -> list[str]:
    """``cargo mutants`` as an argv, or a clear error naming the install command."""
    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which("cargo-mutants") is None and not (Path.home() / ".cargo" / "bin" / "cargo-mutants").exists():
        raise MutantsError("cargo-mutants is not installed: run `cargo install --locked cargo-mutants --version "
                           f"{CARGO_MUTANTS_VERSION}` (`make setup` does)")
    return [cargo, "mutants"]


def list_mutants(tree: Path, *, files: Sequence[str] = (), packages: Sequence[str] = (),
                 timeout: float = 600) -> list[Mutant]:
    """Every mutant cargo-mutants generates under ``tree`` (a Cargo workspace), optionally only some files/crates."""
    argv = cargo_mutants_program() + ["--list", "--json", "--diff", "--dir", str(tree)]
    for name in files:
        argv += ["--file", name]
    for name in packages:
        argv += ["--package", name]
    try:
        process = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise MutantsError(f"`{' '.join(argv)}` did not list the mutants within {timeout:.0f}s") from None
    if process.returncode != 0:
        tail = "\n".join((process.stdout + process.stderr).splitlines()[-20:])
        raise MutantsError(f"`{' '.join(argv)}` failed with exit status {process.returncode}:\n{tail}")
    return parse_list(process.stdout)


def parse_list(text: str) -> list[Mutant]:
    """cargo-mutants' ``--list --json --diff`` output -> mutants (refuses another format by name)."""
    try:
        items = json.loads(text)
    except ValueError as error:
        raise MutantsError(f"cargo-mutants printed no JSON list ({error}); it must be version "
                           f"{CARGO_MUTANTS_VERSION}") from None
    mutants = []
    for item in items:
        try:
            span = item["span"]
            function = item.get("function") or {}
            mutants.append(Mutant(
                package=item["package"], file=item["file"],
                function=function.get("function_name", "") if isinstance(function, dict) else str(function),
                line=span["start"]["line"], column=span["start"]["column"],
                end_line=span["end"]["line"], end_column=span["end"]["column"],
                replacement=item.get("replacement", ""), genre=item.get("genre", ""),
                name=item.get("name") or _describe(item), diff=item["diff"]))
        except (KeyError, TypeError) as error:
            raise MutantsError(f"cargo-mutants' JSON item lacks {error} (is it version {CARGO_MUTANTS_VERSION}?): "
                               f"{json.dumps(item)[:300]}") from None
    return mutants


def _describe(item: dict) -> str:
    span = item["span"]["start"]
    return f"{item['file']}:{span['line']}:{span['column']}: replace with {item.get('replacement', '')}"


def sample(mutants: Iterable[Mutant], n: int | None, seed: int) -> list[Mutant]:
    """``n`` mutants (all when None), round-robin over the files, each file's order shuffled by ``seed``."""
    by_file: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_file.setdefault(mutant.file, []).append(mutant)
    rng = random.Random(seed)
    queues = []
    for name in sorted(by_file):
        items = sorted(by_file[name], key=lambda m: (m.line, m.column, m.diff))
        rng.shuffle(items)
        queues.append(items)
    rng.shuffle(queues)
    chosen: list[Mutant] = []
    while any(queues) and (n is None or len(chosen) < n):
        for queue in queues:
            if queue and (n is None or len(chosen) < n):
                chosen.append(queue.pop(0))
    return chosen
