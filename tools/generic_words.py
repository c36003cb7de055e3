"""Regenerate ``matcher/data/generic_words.txt``: the words of job adverts that say nothing
about the job, learned from two corpora of real postings of unrelated trades.

A word is generic when it stands in at least ``SHARE`` of the postings of both corpora: the UK
NHS postings of 2018-2020 (health care) and the SkillSpan postings (Zhang et al., NAACL 2022:
technology and other trades), read in ``../shared/data/`` beside the checkout. A word that
common in two trades that share nothing is advert language ("experience", "team", "year",
"ability", "full", "time"), not a requirement. ``KEEP`` names the words that pass that test
but are a field of work in many adverts (care, research, data): they keep their weight. Only
the list of words is shipped, none of the postings' text.

    python tools/generic_words.py [--share 0.1]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "matcher" / "data" / "generic_words.txt"
SHARE = 0.1
# Words common in both corpora that still name a field, a function or a level of work.
KEEP = frozenset(
    """care health healthcare medical mental research education university network
    communication leadership management manager model social community specialist patient
    data learning""".split()
)


def _document_frequency(texts: list[str]) -> collections.Counter[str]:
    sys.path.insert(0, str(ROOT))
    from matcher import Settings
    from matcher.analyse.words import Words

    words = Words(Settings(generic_words=False))
    df: collections.Counter[str] = collections.Counter()
    for text in texts:
        df.update(set(words.unigrams(text)))
    return df


def _nhs() -> list[str]:
    path = DATA / "nhs_jobs" / "nhs_jobs_2020.jsonl"
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["description"] for line in lines]


def _skillspan() -> list[str]:
    postings: dict[tuple[str, str, int], list[str]] = collections.defaultdict(list)
    for split in ("train", "dev", "test"):
        with (DATA / "skillspan" / f"{split}.json").open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                postings[split, row["source"], row["idx"]].append(" ".join(row["tokens"]))
    return ["\n".join(sentences) for sentences in postings.values()]


def generic_words(share: float = SHARE) -> list[str]:
    """Return the generic words, sorted: in ``share`` of both corpora's postings, not KEEP."""
    corpora = [_nhs(), _skillspan()]
    counts = [_document_frequency(texts) for texts in corpora]
    common = set.intersection(
        *(
            {w for w, n in df.items() if n >= share * len(texts)}
            for df, texts in zip(counts, corpora, strict=True)
        )
    )
    return sorted(common - KEEP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--share", type=float, default=SHARE)
    args = parser.parse_args()
    words = generic_words(args.share)
    header = (
        f"# Generic words of job adverts: in at least {args.share:.0%} of both the NHS postings\n"
        "# (2018-2020) and the SkillSpan postings (Zhang et al., NAACL 2022), less the words\n"
        "# that name a field of work. Made by tools/generic_words.py; a word a line.\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main()
