"""Stage 3b, store: a saved index's folder: writing it safely, reading it back memory-mapped,
verifying it, and describing it."""
