"""Settings, with one documented precedence.

command-line option  >  environment variable  >  ``[tool.monolith_parity]`` in
pyproject.toml  >  built-in default.

Every setting is declared once in :data:`SETTINGS` (its option, its
variable, its key, its default and its parser), so the plugin's options, the
README's table and the resolution logic cannot drift apart.  Nothing here
imports pytest: :func:`resolve` takes plain mappings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the setting, where it came from and the fix."""


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return text

    return parse


def _positive_float(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be a positive number of seconds")
    return number


def _optional_str(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(os.pathsep if os.pathsep in value else ",")) if part]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    raise ValueError("must be a list of paths")


def _shard(value: Any) -> str | None:
    """``K/N``: shard K (1-based) of N."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    index, slash, count = text.partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError("must look like K/N, e.g. 2/3 (shard 2 of 3)")
    k, n = int(index), int(count)
    if not 1 <= k <= n:
        raise ValueError(f"shard {k} of {n} does not exist: K must be between 1 and N")
    return f"{k}/{n}"


def _comma_list(value: Any) -> list[str]:
    """A list, or one string of comma-separated entries (entries may contain ':')."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    raise ValueError("must be a list of module names")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


@dataclasses.dataclass(frozen=True)
class SettingSpec:
    name: str
    option: str
    env: str
    default: Any
    parse: Callable[[Any], Any]
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("monolith_root", "--monolith-root", "MONOLITH_ROOT", None, _optional_str,
                "monolith checkout root (holds monolith/, idl/, monolith-rs/)"),
    SettingSpec("cases_dirs", "--parity-cases", "MONOLITH_PARITY_CASES", ["cases"], _str_list,
                "directories whose .py files declare parity cases (relative to the rootdir)"),
    SettingSpec("require_monolith_root", "--require-monolith-root", "MONOLITH_PARITY_REQUIRE_MONOLITH_ROOT", False,
                _bool, "the cases are written against a monolith checkout: refuse to collect them without one"),
    SettingSpec("rust_module", "--rust-module", "MONOLITH_PARITY_RUST_MODULE", "monolith_parity_rs", str,
                "name of the PyO3 extension module that pyo3() cases call"),
    SettingSpec("rust_worker", "--rust-worker", "MONOLITH_PARITY_RUST_WORKER", None, _optional_str,
                "command line of the framed-protocol Rust worker that worker() cases call"),
    SettingSpec("rust_cli", "--rust-cli", "MONOLITH_PARITY_RUST_CLI", None, _optional_str,
                "path of monolith-rs's `monolith` CLI binary for cli() cases"),
    SettingSpec("rust_build", "--rust-build", "MONOLITH_PARITY_RUST_BUILD", "auto", _choice("auto", "never", "force"),
                "build the Rust side before the run: auto (when sources changed), never, force"),
    SettingSpec("rust_build_command", "--rust-build-command", "MONOLITH_PARITY_RUST_BUILD_COMMAND", None,
                _optional_str, "shell command that builds the Rust side (run per --rust-build)"),
    SettingSpec("rust_sources", "--rust-sources", "MONOLITH_PARITY_RUST_SOURCES", [], _str_list,
                "files/directories whose content decides whether the Rust build is stale"),
    SettingSpec("rust_artifacts", "--rust-artifacts", "MONOLITH_PARITY_RUST_ARTIFACTS", ["bindings"], _str_list,
                "with monolith_root: what the run may build from the checkout's monolith-rs (bindings, cli), each only "
                "when a selected item needs it"),
    SettingSpec("rust_build_hint", "--rust-build-hint", "MONOLITH_PARITY_RUST_BUILD_HINT",
                "point MONOLITH_ROOT (or --monolith-root) at the checkout: the run then builds rust_bindings/ against "
                "its monolith-rs (or run `python -m pytest_monolith_parity build-rust`)", str,
                "what error messages tell users to run when the Rust side is missing"),
    SettingSpec("golden_dir", "--golden-dir", "MONOLITH_PARITY_GOLDEN_DIR", "golden", str,
                "directory of golden fixtures (relative to the rootdir)"),
    SettingSpec("report_dir", "--parity-report-dir", "MONOLITH_PARITY_REPORT_DIR", "parity-report", str,
                "directory for JSON/Markdown reports and replay files (relative to the rootdir)"),
    SettingSpec("timeout", "--parity-timeout", "MONOLITH_PARITY_TIMEOUT", 60.0, _positive_float,
                "seconds per call for workers, isolated calls and CLIs"),
    SettingSpec("worker_start_timeout", "--parity-worker-start-timeout", "MONOLITH_PARITY_WORKER_START_TIMEOUT",
                30.0, _positive_float, "seconds a fresh worker has to answer its first ping"),
    SettingSpec("hypothesis_profile", "--parity-hypothesis-profile", "MONOLITH_PARITY_HYPOTHESIS_PROFILE", None,
                _optional_str, "Hypothesis profile: dev, ci (default: ci when CI is set, else dev)"),
    SettingSpec("unused_goldens", "--unused-goldens", "MONOLITH_PARITY_UNUSED_GOLDENS", "warn",
                _choice("warn", "fail", "ignore"), "what to do with golden entries no collected case uses"),
    SettingSpec("allow_golden_update_in_ci", "--allow-golden-update-in-ci", "MONOLITH_PARITY_ALLOW_GOLDEN_UPDATE_IN_CI",
                False, _bool, "let --update-golden run when CI is set"),
    SettingSpec("strict_records", "--parity-strict-records", "MONOLITH_PARITY_STRICT_RECORDS", False, _bool,
                "fail the gate on recorded divergences without a message prefix (else a warning)"),
    SettingSpec("revision", "--parity-revision", "MONOLITH_PARITY_REVISION", None, _optional_str,
                "label of the Rust revision under test, recorded in reports and the trend (e.g. a commit)"),
    SettingSpec("history_file", "--parity-history", "MONOLITH_PARITY_HISTORY", "parity-report/history.jsonl", str,
                "trend file: each run appends its date, revision and counts (relative to the rootdir)"),
    SettingSpec("inventory_file", "--parity-inventory", "MONOLITH_PARITY_INVENTORY", "inventory/monolith.toml", str,
                "inventory of the reference's files; the HTML report shows coverage from it when present"),
    SettingSpec("probe_file", "--parity-probe", "MONOLITH_PARITY_PROBE", "parity-report/probe.json", str,
                "import probe of the reference (`python -m pytest_monolith_parity probe --format json`); "
                "its table goes into the reports when present"),
    SettingSpec("kernels_manifest", "--parity-kernels", "MONOLITH_PARITY_KERNELS", "kernels/monolith.toml", str,
                "the declared C++ kernel libraries built from the checkout (`build-ops`); relative to the rootdir"),
    SettingSpec("reference_revision", "--reference-revision", "MONOLITH_PARITY_REFERENCE_REVISION", None,
                _optional_str, "revision recorded in golden manifests (default: git HEAD of the monolith root)"),
    SettingSpec("reference_zygote", "--parity-zygote", "MONOLITH_PARITY_ZYGOTE", "auto", _choice("auto", "off"),
                "Python reference CLIs and isolated calls: auto (fork each from a process that imported "
                "TensorFlow and the reference once; spawn when that cannot match a spawn) or off (spawn each)"),
    SettingSpec("reference_preload", "--parity-zygote-preload", "MONOLITH_PARITY_ZYGOTE_PRELOAD", None, _comma_list,
                "modules the zygote imports once ('module' or 'module:attribute.path', comma-separated); default: "
                "numpy, absl, protobuf and TensorFlow (Keras, estimator) with a checkout, else none"),
    SettingSpec("shard", "--parity-shard", "MONOLITH_PARITY_SHARD", None, _shard,
                "run only shard K of N (K/N), balanced by the per-item seconds of --parity-durations"),
    SettingSpec("shard_durations", "--parity-durations", "MONOLITH_PARITY_DURATIONS", None, _optional_str,
                "JSON report whose per-item seconds balance --parity-shard (default: the report directory's "
                "parity-report.json, when present)"),
)

_BY_NAME = {spec.name: spec for spec in SETTINGS}


@dataclasses.dataclass
class Settings:
    """Resolved settings plus where each value came from."""

    rootdir: Path
    monolith_root: str | None = None
    cases_dirs: list[str] = dataclasses.field(default_factory=lambda: ["cases"])
    require_monolith_root: bool = False
    rust_module: str = "monolith_parity_rs"
    rust_worker: str | None = None
    rust_cli: str | None = None
    rust_build: str = "auto"
    rust_build_command: str | None = None
    rust_sources: list[str] = dataclasses.field(default_factory=list)
    rust_artifacts: list[str] = dataclasses.field(default_factory=lambda: ["bindings"])
    rust_build_hint: str = ""
    golden_dir: str = "golden"
    report_dir: str = "parity-report"
    timeout: float = 60.0
    worker_start_timeout: float = 30.0
    hypothesis_profile: str | None = None
    unused_goldens: str = "warn"
    allow_golden_update_in_ci: bool = False
    strict_records: bool = False
    revision: str | None = None
    history_file: str = "parity-report/history.jsonl"
    inventory_file: str = "inventory/monolith.toml"
    probe_file: str = "parity-report/probe.json"
    kernels_manifest: str = "kernels/monolith.toml"
    reference_revision: str | None = None
    reference_zygote: str = "auto"
    reference_preload: list[str] | None = None
    shard: str | None = None
    shard_durations: str | None = None
    sources: dict[str, str] = dataclasses.field(default_factory=dict)

    def path(self, value: str) -> Path:
        """A configured path, made absolute against the rootdir."""
        candidate = Path(os.path.expanduser(value))
        return candidate if candidate.is_absolute() else self.rootdir / candidate

    @property
    def golden_path(self) -> Path:
        return self.path(self.golden_dir)

    @property
    def report_path(self) -> Path:
        return self.path(self.report_dir)

    @property
    def build_stamp(self) -> Path:
        key = hashlib.sha256((self.rust_build_command or "").encode()).hexdigest()[:12]
        return self.rootdir / ".parity-build" / f"stamp-{key}.json"

    @property
    def case_paths(self) -> list[Path]:
        return [self.path(d).resolve() for d in self.cases_dirs]

    def describe(self) -> list[str]:
        return [f"{spec.name}={getattr(self, spec.name)!r} ({self.sources.get(spec.name, 'default')})"
                for spec in SETTINGS]


def load_pyproject(rootdir: Path) -> tuple[dict[str, Any], str]:
    """The ``[tool.monolith_parity]`` table of ``rootdir/pyproject.toml`` (empty if absent)."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}, str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML ({error}); fix the file") from error
    table = data.get("tool", {}).get("monolith_parity", {})
    unknown = sorted(set(table) - set(_BY_NAME) - {"tolerances", "mutants"})
    if unknown:
        raise SettingsError(f"{path}: unknown key(s) {unknown} in [tool.monolith_parity]; "
                            f"known keys: {', '.join(sorted(_BY_NAME))}")
    return table, str(path)


def resolve(rootdir: Path, options: Mapping[str, Any], environ: Mapping[str, str] | None = None,
            pyproject: Mapping[str, Any] | None = None, pyproject_path: str = "pyproject.toml") -> Settings:
    """Apply the precedence rule to every setting.

    ``options`` maps setting names to command-line values (``None`` = not given).
    """
    environ = os.environ if environ is None else environ
    pyproject = pyproject or {}
    settings = Settings(rootdir=rootdir)
    for spec in SETTINGS:
        raw, source = spec.default, "default"
        if pyproject.get(spec.name) is not None:
            raw, source = pyproject[spec.name], f"{pyproject_path} [tool.monolith_parity] {spec.name}"
        if environ.get(spec.env):
            raw, source = environ[spec.env], f"environment {spec.env}"
        if options.get(spec.name) is not None:
            raw, source = options[spec.name], f"option {spec.option}"
        try:
            value = spec.parse(raw) if raw is not None else None
        except (TypeError, ValueError) as error:
            raise SettingsError(f"setting {spec.name} = {raw!r} from {source}: {error}") from None
        setattr(settings, spec.name, value)
        settings.sources[spec.name] = source
    if settings.hypothesis_profile is None:
        settings.hypothesis_profile = "ci" if environ.get("CI") else "dev"
    return settings


def derandomize_for_gate(settings: Settings) -> None:
    """A gate against a baseline must not depend on luck: the derandomized profile, unless one was named.

    With the random ``dev`` profile a local gate run could find an input the
    baseline's run never tried and call the item a regression.
    """
    if settings.sources.get("hypothesis_profile", "default") == "default" and settings.hypothesis_profile != "ci":
        settings.hypothesis_profile = "ci"
        settings.sources["hypothesis_profile"] = "derandomized for --parity-baseline"
