"""Run a monolith entry point as ``__main__`` inside the reference environment.

    python -m pytest_monolith_parity.reference.run <module> [args...]

``<module>`` is a dotted name (``monolith.agent_service.agent_controller``) or
a path relative to the checkout root (``monolith/agent_service/agent_controller.py``).
The checkout comes from ``MONOLITH_PARITY_REFERENCE_ROOT`` (what the harness
sets for its Python subprocesses), else ``MONOLITH_ROOT``.  The reference
environment is activated first (docs/reference-environment.md), so the
entry point imports exactly like the in-process reference; then the module
runs with :func:`runpy.run_module` as ``__main__``, with ``sys.argv[0]`` its
file and ``sys.argv[1:]`` the given arguments, the way ``python -m`` runs it.

This is what ``cli([...], side="python")`` cases run, e.g.
``cli(["{python}", "-m", "pytest_monolith_parity.reference.run",
"monolith.agent_service.agent_controller", "--cmd", "bzid_info"], side="python")``.

Exit status: whatever the module exits with (``SystemExit`` passes through;
an uncaught exception prints its traceback and exits 1, like ``python -m``).
The launcher's own outcomes use codes a module is unlikely to produce:

* ``EXIT_USAGE`` (64): no module given, no checkout configured, or the
  checkout/module cannot be found; the reason is on stderr.
* ``EXIT_UNAVAILABLE`` (69): the entry point hit something the reference
  environment cannot provide here (``ReferenceUnavailable``: a custom op,
  a missing TF Serving proto...), or the module (or something it imports
  while running) needs a module that is not installed here -- a third-party
  package, a TensorFlow module this version lacks, a Bazel-generated
  monolith module (the import probe's static classes; a missing module that
  is the entry point itself stays a usage error); stderr has one line
  starting with ``UNAVAILABLE_MARKER`` and the reason, which a case maps to
  *reference unavailable*.  Without this a missing ``horovod`` would be an
  ordinary exit 1 with a traceback, compared as if the entry point had run.

``MONOLITH_PARITY_REFERENCE_STANDINS`` (comma-separated module names, set by
the case through ``reference_cli(..., env=...)``) names third-party modules
the entry point imports at top level but the case never executes
(``horovod,horovod.tensorflow,mpi4py`` for ``monolith/gpu_runner.py``'s flag
parsing): those that are not installed are served as stand-ins whose every
use raises *reference unavailable* (``ReferenceEnvironment.add_package_standins``);
installed ones are never replaced.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback

from ..outcomes import UNAVAILABLE_EXIT, UNAVAILABLE_MARKER

EXIT_USAGE = 64
STANDINS_ENV = "MONOLITH_PARITY_REFERENCE_STANDINS"
STANDINS_WHY = "named by the case: imported at top level by the entry point, not executed on the path it runs"
EXIT_UNAVAILABLE = UNAVAILABLE_EXIT
USAGE = "usage: python -m pytest_monolith_parity.reference.run <module> [args...]"


def module_name(spec: str) -> str:
    """``monolith/agent_service/agent.py`` -> ``monolith.agent_service.agent``; dotted names pass through."""
    if spec.endswith(".py"):
        spec = spec[: -len(".py")].replace(os.sep, ".").replace("/", ".")
    return spec


def reference_root(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> str | None:
    return environ.get("MONOLITH_PARITY_REFERENCE_ROOT") or environ.get("MONOLITH_ROOT") or None


def _fail(message: str, code: int) -> int:
    print(f"pytest_monolith_parity.reference.run: {message}", file=sys.stderr, flush=True)
    return code


#: The import probe's classes of a module that cannot be imported here for a static reason.
_STATIC_IMPORT_CLASSES = frozenset({"needs package", "broken on this TensorFlow", "missing in checkout"})


def _unavailable(module: str, error: BaseException) -> str | None:
    """Why ``error`` means the entry point cannot run here (a stand-in used, a module not installed), else None."""
    from ..outcomes import ReferenceUnavailable

    if isinstance(error, ReferenceUnavailable):
        return str(error)
    if not isinstance(error, ModuleNotFoundError) or not error.name:
        return None
    if module == error.name or module.startswith(error.name + "."):
        return None  # the entry point itself (or its package) is missing: a wrong name, not "unavailable"
    from .probe import classify

    klass, detail = classify(error)
    return f"{klass}: {detail}" if klass in _STATIC_IMPORT_CLASSES else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") and len(argv) == 1:
        return _fail(USAGE, EXIT_USAGE)
    root = reference_root()
    if not root:
        return _fail("no checkout: set MONOLITH_PARITY_REFERENCE_ROOT or MONOLITH_ROOT", EXIT_USAGE)

    from ..outcomes import ReferenceUnavailable
    from .bootstrap import activate
    from .checkout import CheckoutError

    try:
        environment = activate(root)
    except CheckoutError as error:
        return _fail(str(error), EXIT_USAGE)
    standins = [n.strip() for n in os.environ.get(STANDINS_ENV, "").split(",") if n.strip()]
    if standins:
        environment.add_package_standins(standins, STANDINS_WHY)

    name = module_name(argv[0])
    import importlib.util

    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError) as error:  # a parent package failed to import
        found = None
        reason = f"{type(error).__name__}: {error}"
    else:
        reason = "not found"
    if found is None:
        return _fail(f"module {name!r}: {reason}", EXIT_USAGE)

    sys.argv = [found.origin or name, *argv[1:]]
    try:
        runpy.run_module(name, run_name="__main__", alter_sys=True)
    except ReferenceUnavailable as error:
        print(f"{UNAVAILABLE_MARKER}{error}", file=sys.stderr, flush=True)
        return EXIT_UNAVAILABLE
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 - report like `python -m` would, but keep a stand-in's reason
        cause = error
        while cause is not None:
            reason = _unavailable(name, cause)
            if reason is not None:
                print(f"{UNAVAILABLE_MARKER}{reason}", file=sys.stderr, flush=True)
                return EXIT_UNAVAILABLE
            cause = cause.__cause__ or cause.__context__
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
