"""Parity of monolith/native_training/native_task_context.py (Rust: ``monolith_training::native_task_context``).

A sequence of ops on the module's current context: ``("get",)`` records ``get()``'s fields;
``("enter", num_ps, ps_index, num_workers, worker_index, model_name, server_type)`` enters
``with_ctx(NativeTaskContext(...))`` (Rust: the guard), ``("exit",)`` leaves the innermost one.
Python's context is a module global (in a worker per case file, so an earlier call's context can
be left behind: each sequence starts by reading it) -- the port's a thread-local.
``sync_backend`` (Python only, an agent_service backend object) is always None and not compared.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, divergence, driver, example, python_call

COVERS = "monolith/native_training/native_task_context.py"
FIELDS = ["num_ps", "ps_index", "num_workers", "worker_index", "model_name", "server_type"]


def context_python(ops):
    import contextlib

    from monolith.native_training import native_task_context as ntc

    # A fresh module state per call: another call in this worker may have left a context behind.
    ntc._CTX = None
    out, scopes = [], []
    for op in ops:
        if op[0] == "get":
            ctx = ntc.get()
            out.append({f: getattr(ctx, f) for f in FIELDS})
        elif op[0] == "enter":
            scope = contextlib.ExitStack()
            scope.enter_context(ntc.with_ctx(ntc.NativeTaskContext(*op[1:5], model_name=op[5], sync_backend=None,
                                                                   server_type=op[6])))
            scopes.append(scope)
        else:
            scopes.pop().close()
    return out


def context_rust(ops):
    import monolith_parity_rs as rs

    out, scopes = [], []
    for op in ops:
        if op[0] == "get":
            out.append(rs.native_task_context_get())
        elif op[0] == "enter":
            scopes.append(rs.native_task_context_enter(*op[1:]))
        else:
            scopes.pop().exit()
    for scope in reversed(scopes):
        scope.exit()
    return out


CTX_A = ("enter", 2, 1, 4, 3, "model_a", "worker")
CTX_B = ("enter", 5, 0, 6, 0, "model_b", "ps")

Case(
    id="with_ctx_and_get",
    covers=COVERS,
    python=python_call(context_python, isolated=True),
    rust=driver(context_rust, needs="native_task_context_get"),
    examples=[
        example([("get",)], id="default", expect=divergence(
            "Python's default context has num_workers=1 (native_task_context.py: get()); the port's "
            "NativeTaskContext::default() has num_workers=0", outcome="mismatch", message="root[0]['num_workers']")),
        example([CTX_A, ("get",)], id="inside"),
        example([CTX_A, CTX_B, ("get",), ("exit",), ("get",)], id="nested"),
        example([CTX_A, ("exit",), ("get",)], id="after_outermost_exit", expect=divergence(
            "Python's with_ctx restores the previous context only if it was not None (`if old_ctx is not None`), "
            "so leaving the outermost block keeps its context; the port restores None (the default)",
            outcome="mismatch", message="root[0]['num_ps']: 2 != 0")),
    ],
)
