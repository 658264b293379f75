"""The inventory of the Python reference: every file, its facts, its Rust counterpart, its parity status.

* :mod:`.scan` -- the files of the checkout and the facts read from them;
* :mod:`.rust` -- where each file lives in monolith-rs (established, not guessed);
* :mod:`.store` -- ``inventory/monolith.toml``: generate (keeping hand edits) and check;
* :mod:`.index` -- PYTHON_PARITY_INDEX.md and per-file checklists from the
  inventory and the latest parity report.

See docs/inventory.md.  Pytest-free.
"""
