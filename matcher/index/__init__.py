"""Stage 3, index: the listings' vectors as postings (``model``), the build's steps
(``build``), and saving and loading them (``store``)."""
