"""A framed-protocol worker that runs Python reference calls in isolation.

Started by :class:`~pytest_monolith_parity.runners.python_side.IsolatedPython`
as ``python -m pytest_monolith_parity.pyworker``; each request's ``call`` is
an import target ``package.module:function``.
"""

from __future__ import annotations

import json
import os
import struct
import sys
import traceback

from . import values
from .outcomes import ReferenceUnavailable
from .runners.base import RunnerConfigError
from .runners.framed_call import HARNESS_ERROR_TYPE
from .runners.python_side import resolve_target

_HEADER = struct.Struct("<I")


def _read_frame(stream) -> dict | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return json.loads(stream.read(length).decode("utf-8"))


def _write_frame(stream, message: dict) -> None:
    payload = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def handle(request: dict) -> dict:
    call = request.get("call")
    if call == "__ping__":
        return {"ok": None}
    try:
        try:
            function = resolve_target(call)
        except RunnerConfigError as error:  # the case is broken (a target that does not import): not a finding
            return {"error": {"type": HARNESS_ERROR_TYPE, "message": str(error)}}
        args = [values.decode(a) for a in request.get("args", [])]
        kwargs = {k: values.decode(v) for k, v in request.get("kwargs", {}).items()}
        result = function(*args, **kwargs)
        return {"ok": values.encode(result)}
    except ReferenceUnavailable as error:
        return {"error": {"type": "ReferenceUnavailable", "message": str(error)}}
    except Exception as error:  # noqa: BLE001 - every failure is reported to the harness
        return {"error": {"type": type(error).__name__, "message": str(error),
                          "detail": traceback.format_exc(limit=8)}}
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise
        return {"panic": {"message": str(error)}}


def main() -> None:
    extra = os.environ.get("MONOLITH_PARITY_SYS_PATH", "")
    for entry in reversed([p for p in extra.split(os.pathsep) if p]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    reference_root = os.environ.get("MONOLITH_PARITY_REFERENCE_ROOT")
    if reference_root:
        from .reference.bootstrap import activate

        activate(reference_root)  # the same import environment as the in-process reference
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the reference prints must not corrupt the frame stream
    while True:
        request = _read_frame(stdin)
        if request is None:
            return
        response = handle(request)
        response["id"] = request.get("id")
        _write_frame(stdout, response)


if __name__ == "__main__":
    main()
