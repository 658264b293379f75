"""A forked child of the reference zygote becomes the command a spawn would have run.

The zygote (:mod:`.zygote_server`) is a pristine process: it imported the
reference environment and TensorFlow, and never runs case code.  For each
call it forks, and the child turns itself into ``python -m module args``,
``python -c code args`` or ``python script args`` as if the interpreter had
just started with the call's argv, environment, working directory and
standard streams.  What a fresh interpreter would have fresh is made fresh:

* standard streams: the call's pipes on fds 0, 1 and 2 (the zygote flushed
  its own buffers before forking, so nothing of it leaks into them);
* a new session (``start_new_session=True`` of a spawn), so a timeout kills
  the child's whole process group;
* the working directory, ``os.environ`` (and the C environment under it),
  ``sys.argv`` and ``sys.orig_argv``, ``sys.path[0]`` (the cwd for ``-m``,
  ``''`` for ``-c``, the script's directory), a new ``__main__`` module;
* per-process caches a spawn recomputes: ``tempfile.tempdir``, the import
  system's directory caches, NumPy's global random state (reseeded from the
  OS like a fresh import; ``random`` reseeds itself after a fork);
* the reference environment: kept for the harness's own launchers (they
  activate it themselves), removed for any other command, which a spawn would
  start without it;
* import-time output: what a pre-imported module wrote to stdout/stderr while
  the zygote imported it is written again, into the call's streams, when the
  command first imports that module (TensorFlow's C++ start-up log lines,
  with the current time), so the streams carry the same bytes as a spawn's;
* everything else a module holds (absl flags, module globals the entry point
  mutates) is fresh because the parent never ran the entry point.

The child ends like the interpreter it stands for (:func:`_exit`): the exit
status CPython computes (``SystemExit`` codes and messages, 1 after an
uncaught exception whose traceback is printed without the zygote's frames,
SIGINT after an uncaught KeyboardInterrupt, 120 when stdout cannot be
flushed), non-daemon threads joined, atexit handlers run, streams flushed,
and what the command created released so its destructors run -- but the
zygote's own objects are not torn down, which would cost more than the rest
of the call.  What cannot be made fresh in a live process is the hash seed:
all children of one zygote share one (a sample of what spawned processes
would draw); a call whose ``PYTHONHASHSEED`` differs is not forked at all
(see :mod:`.zygote`).
"""

from __future__ import annotations

import atexit
import builtins
import datetime
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import runpy
import signal
import sys
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

#: TensorFlow's (absl C++) log line prefix: the time a spawned process would have printed.
_LOG_STAMP = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}(?=: )", re.MULTILINE)

#: Modules that start this harness's own processes; they activate the reference environment themselves.
REFERENCE_LAUNCHERS = frozenset({"pytest_monolith_parity.reference.run", "pytest_monolith_parity.pyworker"})


class ImportOutput:
    """What one pre-import wrote to stdout and stderr, replayed when the command first imports ``module``."""

    def __init__(self, module: str, stdout: bytes, stderr: bytes):
        self.module, self.stdout, self.stderr = module, stdout, stderr

    def replay(self) -> None:
        now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f").encode()
        for fd, data in ((1, self.stdout), (2, self.stderr)):
            if data:
                _write_all(fd, _LOG_STAMP.sub(now, data))


class _ReplayOnImport(importlib.abc.MetaPathFinder):
    """Holds back pre-imported top-level modules whose import printed something; the first import replays it.

    The module object is the one the zygote imported (``create_module``
    returns it; nothing is executed again); loading it puts its own spec back,
    writes what its import printed, and lets go of it.  A spec lookup alone
    (``importlib.util.find_spec``) loads nothing and keeps it held.
    """

    def __init__(self, held: Mapping[str, tuple[types.ModuleType, ImportOutput]]):
        self.held = dict(held)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        entry = self.held.get(fullname)
        if entry is None:
            return None
        module, _output = entry
        return importlib.machinery.ModuleSpec(fullname, _Restore(self, fullname, module),
                                              is_package=hasattr(module, "__path__"))

    def loaded(self, fullname: str) -> None:
        _module, output = self.held.pop(fullname)
        if not self.held and self in sys.meta_path:
            sys.meta_path.remove(self)
        output.replay()


class _Restore(importlib.abc.Loader):
    def __init__(self, finder: _ReplayOnImport, fullname: str, module: types.ModuleType):
        self.finder, self.fullname, self.module = finder, fullname, module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec
        self.finder.loaded(self.fullname)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except OSError:
            return  # a closed stream: a spawn's write would have failed the same way, silently for C code


def _fresh_main() -> types.ModuleType:
    """``__main__`` as a starting interpreter has it, before the command's code runs in it."""
    main = types.ModuleType("__main__")
    main.__annotations__ = {}
    main.__builtins__ = builtins
    main.__loader__ = importlib.machinery.BuiltinImporter
    main.__spec__ = None
    main.__package__ = None
    sys.modules["__main__"] = main
    return main


def _fresh_process_state(env: Mapping[str, str], cwd: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    import tempfile

    tempfile.tempdir = None  # recomputed from TMPDIR & co. of the call's environment
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    numpy = sys.modules.get("numpy")
    if numpy is not None and hasattr(numpy, "random"):
        numpy.random.seed()  # a fresh import seeds from the OS; a fork would share the zygote's stream


def _setup_streams(fds: Sequence[int]) -> None:
    for target, fd in enumerate(fds):
        if fd != target:
            os.dup2(fd, target)
    for fd in set(fds):
        if fd > 2:
            os.close(fd)


def _strip_own_frames(error: BaseException) -> Any:
    """The traceback from the command's first frame on, as the interpreter would print it."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def _prepare_command(argv: Sequence[str]) -> None:
    """``sys.argv`` and ``sys.path[0]`` as ``python`` sets them for these options (see :func:`.zygote.python_command`).

    The zygote itself was started with ``-c``, so its ``sys.path[0]`` is ``''``
    (the reference environment may have put its proto directory before it).
    """
    option = argv[1]
    if option == "-m":
        sys.argv, path0 = ["-m", *argv[3:]], os.getcwd()
    elif option == "-c":
        sys.argv, path0 = ["-c", *argv[3:]], ""
    else:
        sys.argv, path0 = list(argv[1:]), os.path.dirname(os.path.realpath(argv[1]))
    sys.path[sys.path.index("")] = path0


def _run(argv: Sequence[str]) -> None:
    """Run the command in a fresh ``__main__``, the way ``python`` does for ``-m``, ``-c`` and a script."""
    option = argv[1]
    main = _fresh_main()
    if option == "-m":
        runpy._run_module_as_main(argv[2], alter_argv=True)  # noqa: SLF001 - exactly what `python -m` calls
    elif option == "-c":
        exec(compile(argv[2], "<string>", "exec"), vars(main))  # noqa: S102 - the command's own code
    else:
        path = argv[1]
        with open(path, "rb") as handle:
            source = handle.read()
        main.__file__ = path
        main.__cached__ = None
        main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
        exec(compile(source, path, "exec"), vars(main))  # noqa: S102 - the command's own script


def become(argv: Sequence[str], env: Mapping[str, str], cwd: str, fds: Sequence[int], *,
           keep_reference: bool, import_outputs: Sequence[ImportOutput], at_start: Sequence[ImportOutput],
           setup_done: Callable[[str], None]) -> NoReturn:
    """Turn this forked child into ``argv`` (see the module docstring); never returns.

    ``setup_done("")`` is called once the process is ready to run the command,
    ``setup_done(reason)`` if it could not be prepared (then the child exits
    without running anything and the zygote refuses the call).
    """
    try:
        os.setsid()
        _setup_streams(fds)
        _fresh_process_state(env, cwd)
        bootstrap = sys.modules.get("pytest_monolith_parity.reference.bootstrap")
        if not keep_reference and bootstrap is not None:
            bootstrap.deactivate()
        sys.orig_argv = list(argv)
        _prepare_command(argv)
        held = {}
        for output in import_outputs:
            module = sys.modules.get(output.module)
            if module is not None and (output.stdout or output.stderr):
                held[output.module] = (sys.modules.pop(output.module), output)
        if held:
            sys.meta_path.insert(0, _ReplayOnImport(held))
    except BaseException as error:  # noqa: BLE001 - the zygote refuses the call and the harness spawns it
        setup_done(f"the forked child could not be prepared: {type(error).__name__}: {error}")
        os._exit(70)
    setup_done("")
    zygote_modules = set(sys.modules) | set(held)
    for output in at_start:
        output.replay()
    interrupted = False
    try:
        _run(argv)
    except SystemExit as error:
        status = _exit_status(error)
    except KeyboardInterrupt as error:
        sys.excepthook(type(error), error, _strip_own_frames(error))
        status, interrupted = 1, True
    except BaseException as error:  # noqa: BLE001 - printed as an uncaught exception, exit status 1
        error.__traceback__ = _strip_own_frames(error)
        sys.excepthook(type(error), error, error.__traceback__)
        status = 1
    else:
        status = 0
    _exit(status, zygote_modules, interrupted)


def _exit_status(error: SystemExit) -> int:
    """What CPython makes of an uncaught SystemExit: its code, or 1 after printing a non-integer one."""
    code = error.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - a closed stderr: CPython prints nothing either
        pass
    return 1


def _exit(status: int, zygote_modules: set[str], interrupted: bool) -> NoReturn:
    """End the process the way the interpreter's exit does, for everything that can be seen from outside.

    In CPython's order: non-daemon threads are joined, atexit handlers run
    (``logging`` flushes, temporary directories go), ``sys.stdout`` is flushed
    (a failure is reported like CPython reports it, and the status becomes
    120), then what the command itself created is released -- ``__main__``
    and every module imported after the fork, then their garbage -- so its
    objects' destructors run (an unclosed file is flushed) as at a real
    exit.  The zygote's own objects are not torn down: that would cost a
    third of a second per call in copied pages, and changes nothing outside
    the process (no TensorFlow, NumPy or absl object writes when destroyed).
    """
    threading._shutdown()  # noqa: SLF001 - what Py_FinalizeEx does first
    atexit._run_exitfuncs()  # noqa: SLF001
    if _flush(sys.stdout, report=True) and not interrupted:
        status = 120
    _flush(sys.stderr, report=False)
    _release(zygote_modules)
    _flush(sys.stdout, report=False)
    _flush(sys.stderr, report=False)
    _flush_c_stdio()
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)  # CPython ends an uncaught KeyboardInterrupt by SIGINT
    os._exit(status)


def _flush(stream: Any, *, report: bool) -> bool:
    """Flush ``stream``; True if that failed (reported as CPython's exit reports a failing stdout)."""
    if stream is None or getattr(stream, "closed", True):
        return False
    try:
        stream.flush()
    except Exception as error:  # noqa: BLE001
        if report:
            sys.unraisablehook(types.SimpleNamespace(exc_type=type(error), exc_value=error,
                                                     exc_traceback=error.__traceback__, err_msg=None, object=stream))
        return True
    return False


def _release(zygote_modules: set[str]) -> None:
    """Drop what the command imported and left in ``__main__``, so its objects are destroyed before the exit."""
    import gc

    created = [name for name in reversed(list(sys.modules)) if name not in zygote_modules]
    namespaces = [vars(sys.modules[name]) for name in ["__main__", *created] if name in sys.modules]
    for name in created:
        sys.modules.pop(name, None)
    for namespace in namespaces:
        for key in [k for k in namespace if k != "__builtins__"]:
            try:
                namespace[key] = None
            except Exception:  # noqa: BLE001 - a destructor's error is printed by the interpreter, never raised
                pass
    gc.collect()


def _flush_c_stdio() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass
