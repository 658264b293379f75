"""Support code for the monolith/core case files (operation scripts over Params and NestedMap)."""
