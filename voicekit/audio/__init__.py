"""Audio decoding (ffmpeg), file I/O (soundfile) and subtitle tracks."""
