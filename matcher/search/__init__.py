"""Stage 4, search: a resume's query vector, its scores against an index through one kernel
interface, the top k, and the exact explanation of each score."""
