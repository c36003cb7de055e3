"""Stage 2a, skills: the vocabulary of skills, finding them in text, its compiled form, and
the ESCO/O*NET imports (``taxonomy``). Nothing here knows of listings, indexes or scores."""
