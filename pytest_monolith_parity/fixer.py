"""``--parity-fix``: bring the known-divergence list in the case files up to date.

After a person has reviewed a run's report, this rewrites the case files in
place -- with libcst, so comments and formatting survive:

* an *unexpected pass* loses its ``expect=`` (the divergence is gone);
* a *divergence changed* gets the observed class and message prefix;
* a new divergence (a failing case without an expectation) gets
  ``expect=divergence("recorded by --parity-fix ...: <why?>", ...)``
  whose reason a person must then complete;
* a recorded divergence that matched but has no message prefix gets the
  observed message's stable head as its ``message=``.

Every expectation it writes carries a message prefix (:func:`message_prefix`):
the head of the observed message before any value, so it stays the same when
the values do (measured memory, a shrunk Hypothesis input).

Only cases whose ``id=`` (and example ``id=``, or position) are literals can
be located; anything else is reported as needing a hand edit.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import libcst as cst

from .files import atomic_write
from .outcomes import Outcome

_FIXABLE = {Outcome.UNEXPECTED_PASS, Outcome.DIVERGENCE_CHANGED}


@dataclasses.dataclass(frozen=True)
class Fix:
    """One edit: at ``case_id`` (and ``example_id``, None for the case itself) set or drop ``expect``."""

    case_file: str
    case_id: str
    example_id: str | None
    action: str  # "remove", "update", "add", or "manual" (needs a person)
    outcome: str = ""
    message: str = ""
    reason: str = ""
    declared_on_example: bool = True


_VALUE_START = re.compile(r"""[\d'"(\[{<-]""")


def message_prefix(message: str) -> str:
    """The stable head of a verdict message: its location or error type (``[1]:``, ``count:``, ``ValueError:``).

    Without a ``head: `` the words before the first value (a digit, quote or
    bracket) are the head (``bytes differ at offset``); a message that starts
    with a value keeps its first 60 characters (classify.py leads such messages
    with ``root: ``, so that does not happen for mismatches).  Never empty for a
    non-empty message.
    """
    message = message.strip()
    head, sep, _ = message.partition(": ")
    if sep and head and len(head) <= 80:
        return head + ":"
    value = _VALUE_START.search(message)
    words = message[: value.start()].rstrip(" ,;:=") if value else message[:60]
    return words if words else message[:60]


def plan(records: Iterable[Mapping[str, Any]]) -> list[Fix]:
    """The edits a run's records call for."""
    fixes: list[Fix] = []
    today = _dt.date.today().isoformat()
    records = list(records)
    still_expected = {(r["case_file"], r["case_id"]) for r in records
                      if r["outcome"] == Outcome.EXPECTED_DIVERGENCE.value}
    for record in records:
        outcome, raw = Outcome(record["outcome"]), Outcome(record["raw"])
        expected = record.get("expected_divergence")
        on_example = bool(record.get("expectation_on_example", record.get("example_id") is not None))
        common = dict(case_file=record["case_file"], case_id=record["case_id"], example_id=record.get("example_id"))
        if outcome is Outcome.UNEXPECTED_PASS:
            # a case-wide expectation that other inputs still need cannot simply be dropped
            shared = not on_example and (record["case_file"], record["case_id"]) in still_expected
            fixes.append(Fix(**common, action="manual" if shared else "remove", declared_on_example=on_example))
        elif outcome is Outcome.DIVERGENCE_CHANGED:
            fixes.append(Fix(**common, action="update", outcome=raw.value, message=message_prefix(record["raw_message"]),
                             reason=expected["reason"] if expected else "", declared_on_example=on_example))
        elif outcome is Outcome.EXPECTED_DIVERGENCE and expected is not None and not expected.get("message"):
            fixes.append(Fix(**common, action="update", outcome=expected["outcome"],
                             message=message_prefix(record.get("raw_message") or record["message"]),
                             reason=expected["reason"], declared_on_example=on_example))
        elif outcome is raw and raw.is_divergence and expected is None:
            reason = f"recorded by --parity-fix on {today}: explain why the sides differ ({record['message'][:80]})"
            fixes.append(Fix(**common, action="add", outcome=raw.value, message=message_prefix(record["message"]),
                             reason=reason))
    return _agree_on_shared(fixes)


def _agree_on_shared(fixes: list[Fix]) -> list[Fix]:
    """One expectation shared by several inputs gets one prefix: the common head of theirs (or a person decides)."""
    shared: dict[tuple[str, str], list[Fix]] = defaultdict(list)
    for fix in fixes:
        if fix.action == "update" and not fix.declared_on_example:
            shared[(fix.case_file, fix.case_id)].append(fix)
    replace: dict[Fix, Fix] = {}
    for group in shared.values():
        if len({(f.outcome, f.message) for f in group}) <= 1:
            continue
        common = _common_head([f.message for f in group]) if len({f.outcome for f in group}) == 1 else ""
        for fix in group:
            replace[fix] = dataclasses.replace(fix, message=common, action="update" if common else "manual")
    return [replace.get(fix, fix) for fix in fixes]


def _common_head(messages: list[str]) -> str:
    head = messages[0]
    for message in messages[1:]:
        while not message.startswith(head):
            head = head[:-1]
    return head.rstrip()


def _kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def _literal(arg: cst.Arg | None) -> str | None:
    if arg is not None and isinstance(arg.value, cst.SimpleString):
        return arg.value.evaluated_value
    return None


def _callee(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def _divergence_call(fix: Fix) -> cst.Call:
    source = f"divergence({fix.reason!r}, outcome={fix.outcome!r}, message={fix.message!r})"
    return cst.parse_expression(source)


def _set_expect(call: cst.Call, fix: Fix) -> cst.Call | None:
    """``call`` with its ``expect=`` changed per ``fix``, or None when it cannot be done safely."""
    existing = _kwarg(call, "expect")
    if fix.action == "remove":
        if existing is None:
            return None
        args = [a for a in call.args if a is not existing]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return call.with_changes(args=args)
    if fix.action == "update":
        inner = existing.value if existing is not None else None
        if not isinstance(inner, cst.Call) or _callee(inner) != "divergence":
            return None  # built by a helper function: only a person can say how to change it
        replaced = {"outcome": fix.outcome, "message": fix.message}
        new_args = [a.with_changes(value=cst.SimpleString(repr(replaced[a.keyword.value])))
                    if a.keyword is not None and a.keyword.value in replaced
                    and _literal(a) != replaced[a.keyword.value] else a for a in inner.args]
        for name, value in replaced.items():
            if _kwarg(inner, name) is None:
                new_args.append(_keyword(name, cst.SimpleString(repr(value))))
        return call.with_changes(args=[a.with_changes(value=inner.with_changes(args=new_args)) if a is existing else a
                                       for a in call.args])
    if existing is not None:
        return None  # "add" where an expectation already exists: the records and the source disagree
    args = list(call.args)
    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, _keyword("expect", _divergence_call(fix))])


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(keyword=cst.Name(name), value=value,
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


class _CaseFileFixer(cst.CSTTransformer):
    """Applies the fixes of one file; remembers which it found."""

    def __init__(self, fixes: list[Fix]):
        self.by_case: dict[str, list[Fix]] = defaultdict(list)
        for fix in fixes:
            self.by_case[fix.case_id].append(fix)
        self.applied: set[Fix] = set()
        self.handled: set[Fix] = set()  # case-level fixes already tried (applied or not)
        self._case_stack: list[str | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        self._case_stack.append(_literal(_kwarg(node, "id")) if _callee(node) == "Case" else None)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        self._case_stack.pop()
        name = _callee(original)
        if name == "Case":
            case_id = _literal(_kwarg(original, "id"))
            fixes = self.by_case.get(case_id or "", [])
            for fix in fixes:
                if fix.action == "manual":
                    continue
                if fix.example_id is None or (not fix.declared_on_example and fix.action != "add"):
                    changed = _set_expect(updated, fix)
                    if changed is not None:
                        updated = changed
                        self.applied.add(fix)
                    self.handled.add(fix)
            return self._fix_examples(updated, [f for f in fixes if f not in self.handled])
        return updated

    def _fix_examples(self, case_call: cst.Call, fixes: list[Fix]) -> cst.Call:
        examples = _kwarg(case_call, "examples")
        if not fixes or examples is None or not isinstance(examples.value, (cst.List, cst.Tuple)):
            return case_call
        elements = list(examples.value.elements)
        for index, element in enumerate(elements):
            call = element.value
            if not isinstance(call, cst.Call) or _callee(call) != "example":
                continue
            example_id = _literal(_kwarg(call, "id")) or (None if _kwarg(call, "id") else f"ex{index}")
            for fix in fixes:
                if fix.example_id == example_id and fix.action != "manual":
                    changed = _set_expect(call, fix)
                    if changed is not None:
                        call = changed
                        self.applied.add(fix)
            elements[index] = element.with_changes(value=call)
        new_examples = examples.with_changes(value=examples.value.with_changes(elements=elements))
        return case_call.with_changes(args=[new_examples if a is examples else a for a in case_call.args])


@dataclasses.dataclass
class FixReport:
    changed_files: list[str]
    applied: list[Fix]
    manual: list[Fix]


def apply_fixes(rootdir: Path, fixes: list[Fix]) -> FixReport:
    """Rewrite the case files; return what changed and what needs a hand edit."""
    by_file: dict[str, list[Fix]] = defaultdict(list)
    for fix in fixes:
        by_file[fix.case_file].append(fix)
    report = FixReport([], [], [])
    for case_file, file_fixes in sorted(by_file.items()):
        path = rootdir / case_file
        source = path.read_text("utf-8")
        module = cst.parse_module(source)
        fixer = _CaseFileFixer(file_fixes)
        new_source = module.visit(fixer).code
        report.applied.extend(f for f in file_fixes if f in fixer.applied)
        report.manual.extend(f for f in file_fixes if f not in fixer.applied)
        if new_source != source:
            if any(f.action == "add" for f in fixer.applied) and "divergence" not in _imported_names(module):
                new_source = _add_import(cst.parse_module(new_source)).code
            atomic_write(path, new_source.encode("utf-8"))
            report.changed_files.append(case_file)
    return report


def _add_import(module: cst.Module) -> cst.Module:
    """Import ``divergence`` next to the file's other pytest_monolith_parity imports (or after its docstring)."""
    body = list(module.body)
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom):
            node = statement.body[0]
            if isinstance(node.module, cst.Name) and node.module.value == "pytest_monolith_parity" \
                    and not isinstance(node.names, cst.ImportStar):
                names = [*node.names[:-1], node.names[-1].with_changes(comma=cst.Comma(
                    whitespace_after=cst.SimpleWhitespace(" "))), cst.ImportAlias(name=cst.Name("divergence"))]
                body[index] = statement.with_changes(body=[node.with_changes(names=names)])
                return module.with_changes(body=body)
    position = 1 if body and module.get_docstring() is not None else 0
    body.insert(position, cst.parse_statement("from pytest_monolith_parity import divergence\n"))
    return module.with_changes(body=body)


def _imported_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    names.update(alias.evaluated_alias or alias.evaluated_name for alias in small.names)
    return names
