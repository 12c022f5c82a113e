"""The transcribe stage and its backends."""
