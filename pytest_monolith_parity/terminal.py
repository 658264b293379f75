"""The ``monolith parity`` section of pytest's terminal summary, as plain lines."""

from __future__ import annotations

from .session import ParitySession


def summary_lines(state: ParitySession) -> list[tuple[str, bool]]:
    """``(line, bold)`` pairs, in the order a person reads them: inputs, goldens, reports, verdicts."""
    lines: list[tuple[str, bool]] = []
    if state.rust_lines():
        lines += [(f"rust side: {line}", False) for line in state.rust_lines()]
    elif state.build is not None and state.build.action != "skipped":
        lines.append((f"rust build: {state.build.action} in {state.build.seconds:.2f}s", False))
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
    lines += [(line, False) for line in state.annotations()]
    if state.records:
        lines.append((state.summary(), True))
    if state.gate is not None:
        lines.append((state.gate.line(), True))
    return lines
