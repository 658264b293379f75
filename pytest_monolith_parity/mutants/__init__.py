"""Mutation testing of the parity cases: how many behaviour changes of the Rust side would they miss?

cargo-mutants lists the mutants; each is applied to a private copy of the
Rust tree, rebuilt, and judged by the parity cases that cover its file
against the unmutated baseline run (docs/mutation.md).
"""

from .judge import KILLED, STATUSES, SURVIVED, TIMEOUT, UNVIABLE
from .listing import CARGO_MUTANTS_VERSION, Mutant, MutantsError, list_mutants, parse_list, sample

__all__ = ["CARGO_MUTANTS_VERSION", "KILLED", "Mutant", "MutantsError", "STATUSES", "SURVIVED", "TIMEOUT",
           "UNVIABLE", "list_mutants", "parse_list", "sample"]
