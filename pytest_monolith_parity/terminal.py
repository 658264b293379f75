"""The ``monolith parity`` section of pytest's terminal summary, as plain lines."""

from __future__ import annotations

from .figures import figures_of, headline
from .perf import SLOWER_MIN_SECONDS, SLOWER_RATIO
from .session import ParitySession


def summary_lines(state: ParitySession) -> list[tuple[str, bool]]:
    """``(line, bold)`` pairs, in the order a person reads them: inputs, goldens, reports, verdicts."""
    lines: list[tuple[str, bool]] = []
    if state.rust_lines():
        lines += [(f"rust side: {line}", False) for line in state.rust_lines()]
    elif state.build is not None and state.build.action != "skipped":
        lines.append((f"rust build: {state.build.action} in {state.build.seconds:.2f}s", False))
    if state.legacy_goldens:
        lines.append((f"{state.settings.golden_path / 'MANIFEST.json'} was rebuilt from the golden files; "
                      f"{len(state.legacy_goldens)} of them predate the `recorded` block, so their entries carry this "
                      "run's revision and time", False))
    lines += [(f"golden written: {state.settings.golden_path / relpath}", False) for relpath in state.changed_goldens]
    if state.update_golden and not state.changed_goldens:
        lines.append(("goldens: nothing changed", False))
    level = "ERROR" if state.settings.unused_goldens == "fail" else "warning"
    lines += [(f"{level}: unused golden {item} (no collected case uses it; delete it or restore the case)", False)
              for item in state.unused_goldens]
    lines += [(f"report ({kind}): {path}", False) for kind, path in state.report_paths.items()]
    if state.fix_report is not None:
        lines += [(f"--parity-fix rewrote {case_file}", False) for case_file in state.fix_report.changed_files]
        lines += [(f"--parity-fix could not locate {fix.case_file}::{fix.case_id}[{fix.example_id}] ({fix.action}): "
                   "edit it by hand (its id is not a literal, or the expectation is shared by other inputs)", False)
                  for fix in state.fix_report.manual]
    if state.fix_refused:
        lines.append((state.fix_refused, False))
    lines += [(line, False) for line in state.annotations()]
    gate = state.gate
    if gate is not None and gate.loose_records:
        level = "ERROR" if gate.strict_records else "warning"
        lines += [(f"{level}: {nodeid}: its recorded divergence has no message prefix, so any message of its class "
                   "would satisfy it; add message=\"<the observed message's stable head>\" (--parity-fix writes it)",
                   False) for nodeid in gate.loose_records]
    lines += [(f"ERROR: {error}", False) for error in state.finish_errors]
    if state.records:
        lines.append((state.summary(), True))
        lines.append((headline(figures_of(r["outcome"] for r in state.records)), True))
    if state.slower:
        gating = "they fail the run (--parity-perf-gate)" if state.perf_gate else \
            "reported, not gating (--parity-perf-gate makes them fail the run)"
        lines.append((f"PERF: {len(state.slower)} timed item(s) got slower than the baseline (Rust >= {SLOWER_RATIO:g}x and "
                      f">= {SLOWER_MIN_SECONDS * 1000:g} ms more, beyond their noise); {gating}", True))
        lines += [(f"  slower: {s['nodeid']} Rust {s['before'] * 1000:.3g} ms -> {s['after'] * 1000:.3g} ms "
                   f"({s['factor']:.2g}x)", False) for s in state.slower[:10]]
    verdict = state.gate_line()
    if verdict is not None:
        lines.append((verdict, True))
    if not state.complete and state.completeness.started:
        lines.append(("run incomplete: " + "; ".join(state.completeness.reasons())
                      + ". The reports of the last finished run were left in place (this run's are *.partial.*) "
                      "and nothing was added to the trend history", False))
    return lines
