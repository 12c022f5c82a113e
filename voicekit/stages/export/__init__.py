"""The export stage and its backends."""
