"""voicekit: films in, a clean single-speaker voice dataset out."""

__version__ = "0.1.0"
