"""Audio decoding (ffmpeg), file I/O (soundfile), subtitle tracks and the peak limiter."""
