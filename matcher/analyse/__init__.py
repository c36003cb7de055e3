"""Stage 2b, analyse: a text's sections, sentences, boilerplate and words, turned into the
terms of each part of its vector (``Analyzer``). Reads skills through ``matcher.skills``."""
