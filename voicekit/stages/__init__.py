"""Pipeline stages: ingest, separate, diarize, identify, transcribe, segment, filters, export."""
