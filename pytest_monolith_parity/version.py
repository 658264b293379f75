"""The harness version, recorded in golden manifests and reports (its own module so no layer imports the package facade)."""

__version__ = "0.1.0"
