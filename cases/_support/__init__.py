"""Support code for the case files of monolith's top-level modules (``cases/utils.py``, ``cases/path_utils.py``)."""
