"""How well matcher finds skills in job postings: precision, recall and F1 on SkillSpan.

SkillSpan (Zhang et al., NAACL 2022) marks the skill and knowledge spans of job-posting
sentences by hand. Each posting's sentences are joined (one per line) so that context rules see
the whole posting, matcher's ``extract_skills`` runs on it, and its spans are compared with the
gold spans of both kinds together:

- exact: a found span counts when a gold span has the same start and end;
- overlap: a found span counts when it overlaps a gold span, and a gold span is recalled when a
  found span overlaps it. SkillSpan's spans are often whole phrases ("work in a team"), where a
  vocabulary finds the skill inside them, so overlap is the fairer measure for a vocabulary.

Vocabularies measured: the built-in one, and the built-in one merged with ESCO, O*NET and both,
imported from ``../shared/data`` with the same rules as ``matcher skills import``.

    python benchmarks/skills.py                 # dev and test
    python benchmarks/skills.py --errors 30     # also the commonest unmatched finds on dev
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher import SkillVocabulary, builtin_vocabulary, extract_skills
from matcher.skills.taxonomy import builtin_rows, esco_rows, merge_rows, onet_rows

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
Span = tuple[int, int]


@dataclass
class Posting:
    text: str
    gold: list[Span]


@dataclass
class Tally:
    found: int = 0
    gold: int = 0
    exact: int = 0  # found spans equal to a gold span (= gold spans matched exactly)
    found_overlapping: int = 0
    gold_overlapped: int = 0
    misses: Counter[str] = field(default_factory=Counter)

    def row(self) -> list[float]:
        def f1(p: float, r: float) -> float:
            return 2 * p * r / (p + r) if p + r else 0.0

        ep, er = _ratio(self.exact, self.found), _ratio(self.exact, self.gold)
        op, orr = (
            _ratio(self.found_overlapping, self.found),
            _ratio(self.gold_overlapped, self.gold),
        )
        return [ep, er, f1(ep, er), op, orr, f1(op, orr)]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def load_postings(path: Path) -> list[Posting]:
    """Read SkillSpan's JSON lines, joining each posting's sentences one per line."""
    by_posting: dict[tuple[str, int], list[dict[str, object]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            by_posting.setdefault((record["source"], record["idx"]), []).append(record)
    postings = []
    for sentences in by_posting.values():
        parts: list[str] = []
        gold: list[Span] = []
        offset = 0
        for sentence in sentences:
            words: list[str] = list(sentence["tokens"])  # type: ignore[call-overload]
            starts = []
            position = offset
            for word in words:
                starts.append(position)
                position += len(word) + 1
            for tags in (sentence["tags_skill"], sentence["tags_knowledge"]):
                gold.extend(_spans(list(tags), starts, words))  # type: ignore[call-overload]
            parts.append(" ".join(words))
            offset = position  # the newline takes the place of the last space
        postings.append(Posting("\n".join(parts), gold))
    return postings


def _spans(tags: list[str], starts: list[int], words: list[str]) -> list[Span]:
    spans: list[Span] = []
    first = None
    for i, tag in enumerate([*tags, "O"]):
        if first is not None and tag != "I":
            spans.append((starts[first], starts[i - 1] + len(words[i - 1])))
            first = None
        if tag == "B":
            first = i
    return spans


def evaluate(postings: Sequence[Posting], vocabulary: SkillVocabulary) -> Tally:
    tally = Tally()
    for posting in postings:
        found = [span for skill in extract_skills(posting.text, vocabulary) for span in skill.spans]
        gold = set(posting.gold)
        tally.found += len(found)
        tally.gold += len(gold)
        tally.exact += sum(span in gold for span in found)
        for start, end in found:
            if any(start < g_end and g_start < end for g_start, g_end in gold):
                tally.found_overlapping += 1
            else:
                tally.misses[posting.text[start:end]] += 1
        tally.gold_overlapped += sum(
            any(start < g_end and g_start < end for start, end in found) for g_start, g_end in gold
        )
    return tally


def vocabularies(shared: Path) -> dict[str, SkillVocabulary]:
    builtin = builtin_vocabulary()
    base = builtin_rows()
    esco = esco_rows(shared / "esco" / "skills_en.csv")
    onet = onet_rows(shared / "onet" / "Technology Skills.csv")
    return {
        "built-in": builtin,
        "built-in + ESCO": SkillVocabulary(merge_rows([base, esco])),
        "built-in + O*NET": SkillVocabulary(merge_rows([base, onet])),
        "built-in + ESCO + O*NET": SkillVocabulary(merge_rows([base, esco, onet])),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    parser.add_argument("--errors", type=int, default=0, help="show N commonest misses on dev")
    args = parser.parse_args(argv)
    folder = args.data / "skillspan"
    if not folder.is_dir():
        print(f"error: {folder}: SkillSpan data not found", file=sys.stderr)
        return 1
    vocabs = vocabularies(args.data)
    header = (
        "| vocabulary | split | skills | P exact | R exact | F1 exact "
        "| P overlap | R overlap | F1 overlap | s |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for split in args.splits:
        postings = load_postings(folder / f"{split}.json")
        for name, vocabulary in vocabs.items():
            start = time.perf_counter()
            tally = evaluate(postings, vocabulary)
            seconds = time.perf_counter() - start
            cells = " | ".join(f"{x:.3f}" for x in tally.row())
            print(f"| {name} | {split} | {len(vocabulary)} | {cells} | {seconds:.1f} |")
            if args.errors and split == "dev":
                misses = ", ".join(f"{w} ({n})" for w, n in tally.misses.most_common(args.errors))
                print(f"|   commonest finds outside gold spans: {misses} |", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
