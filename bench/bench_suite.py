"""The harness's cost per item for each runner kind, and the reference zygote against a spawn, side by side.

Two tables, each measured in this one run, in interleaved rounds so that both
columns of a ratio see the same machine load:

1. *Per-item overhead* -- for each runner kind (pyo3, framed worker, isolated
   call, CLI, reference CLI), one parity item made through the harness
   (``execution.run_example``: both sides, the comparison, the record) against
   calling the same functions directly in this process.  On the sample pair
   (``tests/sample``, no checkout needed), and, with ``MONOLITH_ROOT`` (or
   ``--monolith-root``) set, on real ``monolith.agent_service`` functions and
   entry points.
2. *Zygote vs spawn* -- reference CLIs and isolated calls forked from the
   reference zygote against the same calls spawned (``fork=False``: what the
   harness did before the zygote).  Target: the zygote at least 5x faster.

Every figure is the median over ``--rounds`` rounds of ``--calls`` calls,
with the spread (min-max over rounds), as wall time and as CPU time (user +
system of this process and every process it started, the zygote and its
forks included).  The machine's load (load average, and the CPU share of
processes that are not this benchmark's) is printed with the results: on a
shared 2-core machine, wall time moves with the neighbours, CPU time much
less.

    python bench/bench_suite.py                       # the sample pair only
    MONOLITH_ROOT=/path/to/checkout python bench/bench_suite.py --rounds 5
    python bench/bench_suite.py --json bench-suite.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pytest_monolith_parity import Case, cli, example, pyo3, python_call, reference_cli, rust_cli, worker  # noqa: E402
from pytest_monolith_parity.config import Settings  # noqa: E402
from pytest_monolith_parity.execution import run_example  # noqa: E402
from pytest_monolith_parity.records import build_record  # noqa: E402
from pytest_monolith_parity.runners.base import RunContext  # noqa: E402
from pytest_monolith_parity.runners.workers import WorkerPool  # noqa: E402

SAMPLE_WORKER = REPO / "tests" / "sample" / "rust" / "target" / "release" / "sample-worker"
TICK = os.sysconf("SC_CLK_TCK")


# -- measuring --------------------------------------------------------------------------------------

def _proc_times(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children) from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / TICK


def tree_cpu() -> float:
    """CPU seconds of this process and every process it started (live ones from /proc, reaped ones from rusage)."""
    me = os.getpid()
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            times = _proc_times(int(entry))
            if times is not None:
                table[int(entry)] = times
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, list(children.get(me, []))
    while stack:
        pid = stack.pop()
        total += table[pid][1]
        stack.extend(children.get(pid, []))
    own = os.times()
    return total + own.user + own.system + own.children_user + own.children_system


def machine_busy() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


@dataclasses.dataclass
class Series:
    """Per-call wall and CPU seconds, one value per round."""

    wall: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)

    def add(self, calls: int, wall: float, cpu: float) -> None:
        self.wall.append(wall / calls)
        self.cpu.append(cpu / calls)

    @staticmethod
    def spread(values: list[float]) -> str:
        return f"{_ms(statistics.median(values))} ({_ms(min(values))}-{_ms(max(values))})"

    def median(self, which: str) -> float:
        return statistics.median(getattr(self, which))

    def to_json(self) -> dict:
        return {"wall": self.wall, "cpu": self.cpu}


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def block(function: Callable[[], object], calls: int) -> tuple[float, float]:
    cpu, wall = tree_cpu(), time.perf_counter()
    for _ in range(calls):
        function()
    return time.perf_counter() - wall, tree_cpu() - cpu


#: A round of one row lasts at least this long (more calls for fast rows), so CPU time is many clock ticks.
ROUND_SECONDS = 0.5


def measure(rows: dict[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, Series]:
    """Each row once to warm up (a zygote or worker starts), then ``rounds`` interleaved rounds of each row.

    A round makes at least ``calls`` calls, and as many more as fill ROUND_SECONDS (capped at 20,000).
    """
    counts = {}
    for name, function in rows.items():
        start = time.perf_counter()
        function()
        first = time.perf_counter() - start
        again = time.perf_counter()
        function()
        second = max(time.perf_counter() - again, 1e-7)
        counts[name] = max(calls, min(20000, int(ROUND_SECONDS / second)))
        print(f"  warm-up {name}: first call {_ms(first)}, then {_ms(second)}; {counts[name]} calls per round",
              file=sys.stderr)
    series = {name: Series() for name in rows}
    names = list(rows)
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else reversed(names):  # alternate the order: fair to both ends
            wall, cpu = block(rows[name], counts[name])
            series[name].add(counts[name], wall, cpu)
    return series


# -- what is measured -------------------------------------------------------------------------------

def item(case: Case, context: RunContext) -> Callable[[], object]:
    """One parity item through the harness: both sides, the comparison and the record."""
    def run() -> object:
        execution = run_example(case, case.examples[0], context, None, False)
        if execution.verdict.outcome.value not in ("match", "error agreement"):
            raise SystemExit(f"bench case {case.id} did not agree: {execution.verdict.outcome.value}: "
                             f"{execution.verdict.message}")
        return build_record(execution, case.id)
    return run


def direct(python_function: Callable, rust_function: Callable | None, *args) -> Callable[[], object]:
    def run() -> object:
        python_function(*args)
        return rust_function(*args) if rust_function is not None else None
    return run


def context_for(settings: Settings, timeout: float = 120.0) -> RunContext:
    return RunContext(settings=settings, workers=WorkerPool(start_timeout=120), timeout=timeout,
                      scratch_dir=tempfile.mkdtemp(prefix="parity-bench-"))


SAMPLE_CLI = "import sys, sample_reference; print(sample_reference.add(int(sys.argv[1]), int(sys.argv[2])))"
SAMPLE_ENTRY = '''
    import sys
    import sample_reference

    if __name__ == "__main__":
        print(sample_reference.add(int(sys.argv[1]), int(sys.argv[2])))
'''


def sample_checkout() -> Path:
    """A minimal checkout whose one entry point calls the sample reference (reference_cli needs a checkout)."""
    root = Path(tempfile.mkdtemp(prefix="parity-bench-checkout-"))
    for rel in ("idl", "monolith-rs", "monolith/bench"):
        (root / rel).mkdir(parents=True)
    (root / "monolith" / "bench" / "__init__.py").write_text("")
    (root / "monolith" / "bench" / "entry.py").write_text(textwrap.dedent(SAMPLE_ENTRY))
    return root


def cli_value(value: dict) -> dict:
    return {"stdout": value["stdout"].strip(), "exit_code": value["exit_code"]}


def sample_rows(rounds: int, calls: int) -> tuple[dict[str, Series], dict[str, str]]:
    import sample_reference
    import sample_rust

    if not SAMPLE_WORKER.exists():
        raise SystemExit(f"the sample worker is not built ({SAMPLE_WORKER}); run `make setup`")
    checkout = sample_checkout()
    settings = Settings(rootdir=REPO, rust_module="sample_rust", monolith_root=str(checkout),
                        reference_preload=[])  # the sample reference needs no TensorFlow
    context = context_for(settings)
    plain = lambda value: {"stdout": str(value), "exit_code": 0}  # noqa: E731 - the in-process side, as a CLI says it
    args = (example(2, 3, id="add"),)
    py = python_call("sample_reference:add")

    def case(name, python, rust):
        return Case(id=name, covers="sample_reference/__init__.py", python=python, rust=rust, examples=args,
                    golden=False)

    py_cli = lambda fork: cli(["{python}", "-c", SAMPLE_CLI, "{0}", "{1}"], side="python",  # noqa: E731
                              capture=("exit_code", "stdout"), post=cli_value, fork=fork)
    ref_cli = lambda fork: reference_cli("monolith.bench.entry", ["{0}", "{1}"],  # noqa: E731
                                         capture=("exit_code", "stdout"), post=cli_value, fork=fork)
    in_process_as_cli = python_call("sample_reference:add", post=plain)
    rows = {
        "direct: sample_reference.add + sample_rust.add": direct(sample_reference.add, sample_rust.add, 2, 3),
        "pyo3": item(case("pyo3", py, pyo3("add")), context),
        "framed worker": item(case("worker", py, worker("add", command=[str(SAMPLE_WORKER)])), context),
        "isolated call (zygote)": item(case("isolated", python_call("sample_reference:add", isolated=True),
                                            pyo3("add")), context),
        "isolated call (spawn)": item(case("isolated_spawn", python_call("sample_reference:add", isolated=True,
                                                                         fork=False), pyo3("add")), context),
        "CLI python -c (zygote)": item(case("cli", py_cli(True), _as_cli_rust(in_process_as_cli)), context),
        "CLI python -c (spawn)": item(case("cli_spawn", py_cli(False), _as_cli_rust(in_process_as_cli)), context),
        "reference CLI (zygote)": item(case("ref_cli", ref_cli(True), _as_cli_rust(in_process_as_cli)), context),
        "reference CLI (spawn)": item(case("ref_cli_spawn", ref_cli(False), _as_cli_rust(in_process_as_cli)),
                                      context),
    }
    rows.update(worker_start_rows(context, "sample_reference"))
    try:
        return measure(rows, rounds, calls), {}
    finally:
        context.workers.close()


def worker_start_rows(context: RunContext, group: str) -> dict[str, Callable[[], object]]:
    """A case file's worker for isolated calls, started and asked its first ``__ping__`` (what each file pays).

    Forked from the zygote, or spawned (and importing the reference, TensorFlow included, by itself).
    """
    import functools

    from pytest_monolith_parity.runners import zygote
    from pytest_monolith_parity.runners.base import harness_pythonpath, subprocess_environment
    from pytest_monolith_parity.runners.workers import FramedWorker

    env = {"PYTHONPATH": harness_pythonpath(), "MONOLITH_PARITY_WORKER_GROUP": group,
           "MONOLITH_PARITY_FORK_PER_CALL": "1"}
    if context.settings.monolith_root:
        env["MONOLITH_PARITY_REFERENCE_ROOT"] = str(context.settings.path(context.settings.monolith_root))
    argv = [sys.executable, "-m", "pytest_monolith_parity.pyworker"]

    def start(launcher) -> None:
        worker = FramedWorker(argv, env=env, launcher=launcher)
        try:
            if "ok" not in worker.request({"call": "__ping__"}, 300):
                raise SystemExit("the worker did not answer its __ping__")
        finally:
            worker.close()

    launcher = functools.partial(zygote.launch, context.workers.zygotes, context.settings, subprocess_environment())
    return {"isolated-call worker start, per case file (zygote)": lambda: start(launcher),
            "isolated-call worker start, per case file (spawn)": lambda: start(None)}


def _as_cli_rust(runner):
    """The in-process reference as the *rust* side of a CLI item (the sample pair has no Rust CLI)."""
    return runner.for_side("rust")


# -- monolith ---------------------------------------------------------------------------------------

V2_CONF = "bzid parity\nbase_name parity_model\ndeploy_type unified\nagent_version 2\n"


def monolith_rows(root: str, rounds: int, calls: int) -> tuple[dict[str, Series], dict[str, str]]:
    from pytest_monolith_parity import monolith_rs_build
    from pytest_monolith_parity.config import resolve
    from pytest_monolith_parity.reference.bootstrap import activate

    activate(root)
    # never build inside a benchmark: with no current build the Rust rows are left out, and the note says so
    settings = resolve(REPO, {"monolith_root": root, "rust_artifacts": "bindings,cli", "rust_build": "never"},
                       os.environ)
    notes: dict[str, str] = {}
    rust_built = True
    try:
        artifacts = monolith_rs_build.prepare(settings, what=["bindings", "cli"])
        monolith_rs_build.activate(artifacts)
        settings.rust_cli = str(artifacts.cli) if artifacts.cli else None
    except Exception as error:  # noqa: BLE001 - the Python-side rows still mean something
        rust_built = False
        notes["rust"] = f"the checkout's Rust side is not built ({type(error).__name__}: {error}); " \
                        "run `python -m pytest_monolith_parity build-rust --what all` for the pyo3 and CLI rows"
    context = context_for(settings)
    from monolith.agent_service import utils

    conf = Path(tempfile.mkdtemp(prefix="parity-bench-conf-")) / "v2.conf"
    conf.write_text(V2_CONF)
    regex = (example("/{bzid}/service/{base}/ps:{index}", id="several"),)
    cover = "monolith/agent_service/utils.py"
    exit_only = ("exit_code",)

    def case(name, python, rust, examples=regex, compare=None):
        return Case(id=name, covers=cover, python=python, rust=rust, examples=examples, golden=False,
                    compare=compare)

    in_process = python_call("monolith.agent_service.utils:normalize_regex")
    rows: dict[str, Callable[[], object]] = {
        "direct: utils.normalize_regex (python)": direct(utils.normalize_regex, None, "/{bzid}/service/{base}/ps:{index}"),
    }
    if rust_built:
        import monolith_parity_rs

        rows["direct: utils.normalize_regex (python) + monolith_parity_rs.normalize_regex"] = direct(
            utils.normalize_regex, monolith_parity_rs.normalize_regex, "/{bzid}/service/{base}/ps:{index}")
        rows["pyo3: normalize_regex"] = item(case("pyo3", in_process, pyo3("normalize_regex")), context)
        rust_side = pyo3("normalize_regex")
    else:
        rust_side = python_call("monolith.agent_service.utils:normalize_regex").for_side("rust")
    for label, fork in (("zygote", True), ("spawn", False)):
        rows[f"isolated call: normalize_regex ({label})"] = item(case(
            f"isolated_{label}", python_call("monolith.agent_service.utils:normalize_regex", isolated=True,
                                             fork=fork), rust_side), context)
    controller = lambda fork: reference_cli("monolith.agent_service.agent_controller",  # noqa: E731
                                            ["--cmd", "bogus"], capture=exit_only, fork=fork)
    agent = lambda fork: reference_cli("monolith.agent_service.agent",  # noqa: E731
                                       ["--conf", str(conf), "--tfs_log", "/dev/null"], capture=exit_only, fork=fork)
    same_exit = python_call(lambda: {"exit_code": 1}).for_side("rust")
    for label, fork in (("zygote", True), ("spawn", False)):
        rows[f"reference CLI: agent_controller --cmd bogus ({label})"] = item(case(
            f"controller_{label}", controller(fork), same_exit, examples=(example(id="bogus"),)), context)
        rows[f"reference CLI: agent --conf v2 ({label})"] = item(case(
            f"agent_{label}", agent(fork), same_exit, examples=(example(id="v2"),)), context)
    if rust_built and settings.rust_cli:
        rows["CLI (Rust): monolith agent-service controller --cmd bogus"] = item(case(
            "rust_cli", python_call(lambda: {"exit_code": 2}),
            rust_cli(["controller", "--cmd", "bogus"], subcommand=["agent-service"], capture=exit_only),
            examples=(example(id="bogus"),)), context)
    rows.update(worker_start_rows(context, "monolith.agent_service.tfs_client"))
    try:
        return measure(rows, rounds, calls), notes
    finally:
        context.workers.close()


# -- reporting --------------------------------------------------------------------------------------

def print_table(title: str, series: dict[str, Series], direct_name: str | None) -> None:
    print(f"\n## {title}\n")
    print("| row | wall per item, median (min-max) | CPU per item, median (min-max) | x direct (wall) | x direct (CPU) |")
    print("|---|---|---|---:|---:|")
    base = series.get(direct_name) if direct_name else None
    for name, values in series.items():
        ratio_wall = ratio_cpu = ""
        if base is not None and values is not base:
            ratio_wall = f"{values.median('wall') / base.median('wall'):.3g}"
            cpu_base = base.median("cpu")
            ratio_cpu = f"{values.median('cpu') / cpu_base:.3g}" if cpu_base > 0 else "(direct CPU below the clock tick)"
        print(f"| {name} | {Series.spread(values.wall)} | {Series.spread(values.cpu)} | {ratio_wall} | {ratio_cpu} |")


def print_zygote(series: dict[str, Series]) -> list[dict]:
    pairs = []
    for name in series:
        if name.endswith("(zygote)"):
            spawn = name.replace("(zygote)", "(spawn)")
            if spawn in series:
                pairs.append((name[: -len(" (zygote)")], series[name], series[spawn]))
    if not pairs:
        return []
    print("\n### zygote vs spawn (spawn / zygote per item; target >= 5)\n")
    print("| call | wall ratio, median (min-max over rounds) | CPU ratio, median (min-max over rounds) |")
    print("|---|---|---|")
    out = []
    for name, zygote, spawn in pairs:
        walls = [s / z for s, z in zip(spawn.wall, zygote.wall)]
        cpus = [s / z for s, z in zip(spawn.cpu, zygote.cpu) if z > 0]
        cpu_text = (f"{statistics.median(cpus):.3g} ({min(cpus):.3g}-{max(cpus):.3g})" if cpus
                    else "(zygote CPU below the clock tick)")
        print(f"| {name} | {statistics.median(walls):.3g} ({min(walls):.3g}-{max(walls):.3g}) | {cpu_text} |")
        out.append({"call": name, "wall_ratios": walls, "cpu_ratios": cpus})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per row (the spread; default 5)")
    parser.add_argument("--calls", type=int, default=5, help="calls per row and round (default 5)")
    parser.add_argument("--monolith-root", default=os.environ.get("MONOLITH_ROOT"),
                        help="checkout for the agent_service rows (default: MONOLITH_ROOT; none: sample pair only)")
    parser.add_argument("--json", help="also write every measurement here")
    options = parser.parse_args(argv)

    load_start, busy_start, cpu_start, wall_start = os.getloadavg(), machine_busy(), tree_cpu(), time.perf_counter()
    results: dict = {"rounds": options.rounds, "calls": options.calls}
    sample, _ = sample_rows(options.rounds, options.calls)
    print_table("sample pair (tests/sample): per item", sample, "direct: sample_reference.add + sample_rust.add")
    results["sample"] = {name: s.to_json() for name, s in sample.items()}
    results["sample_zygote"] = print_zygote(sample)
    if options.monolith_root:
        real, notes = monolith_rows(options.monolith_root, options.rounds, options.calls)
        base = next((n for n in real if n.startswith("direct:") and "+" in n), next(iter(real)))
        print_table(f"monolith agent_service ({options.monolith_root}): per item", real, base)
        results["monolith"] = {name: s.to_json() for name, s in real.items()}
        results["monolith_zygote"] = print_zygote(real)
        for note in notes.values():
            print(f"\nnote: {note}")
    wall = time.perf_counter() - wall_start
    ours, everyone = tree_cpu() - cpu_start, machine_busy() - busy_start
    cores = os.cpu_count() or 1
    load_end = os.getloadavg()
    others = max(0.0, everyone - ours) / (wall * cores)
    print(f"\nmachine: {cores} cores; load average {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} "
          f"at the start, {load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} at the end; "
          f"during the {wall:.0f} s of this run other processes used {others:.0%} of the machine's CPU "
          f"(this benchmark {ours / (wall * cores):.0%})")
    results["machine"] = {"cores": cores, "loadavg_start": load_start, "loadavg_end": load_end, "seconds": wall,
                          "others_cpu_share": others, "bench_cpu_share": ours / (wall * cores)}
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
