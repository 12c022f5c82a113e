"""Pipeline stages, in order: ingest, separate, diarize, identify, transcribe, segment, filters, export."""
