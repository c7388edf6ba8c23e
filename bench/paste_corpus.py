"""The pasted-code corpus (tests/pasted) read as pasted: acceptance, wrong counts, refusals.

Run: ``.venv/bin/python bench/paste_corpus.py`` . Each row of tests/pasted/counts.csv is read
twice: bare (the file alone, as pasted, no flags) and with the flags the row gives
(``--input-shape``, ``--model``), which is what a user does after reading the refusal. A
count that differs from the table's framework-verified answer is a wrong count (must be 0).
Every refusal is printed with its message, so that an unhelpful one shows.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.errors import ConfigError  # noqa: E402
from generator.importers import read_code  # noqa: E402
from generator.network import solve  # noqa: E402
from generator.spec import load_spec  # noqa: E402

CORPUS = ROOT / "tests" / "pasted"


def _shape(text: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in text.split("x")) if text else None


def _read(source: str, shape: tuple[int, ...] | None, model: str | None) -> tuple[int | None, str]:
    try:
        code = read_code(source, input_shape=shape, model=model)
        return solve(load_spec(code.spec)).answer, ""
    except ConfigError as e:
        return None, str(e)


def main() -> None:
    with (CORPUS / "counts.csv").open(encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    tally = {"bare": [0, 0, 0], "flags": [0, 0, 0]}  # accepted right, wrong, refused
    refusals: list[tuple[str, str, str]] = []
    for row in rows:
        source = (CORPUS / row["file"]).read_text(encoding="utf-8")
        want = int(row["answer"])
        label = f"{row['file']}{' --model ' + row['model'] if row['model'] else ''}"
        for mode, shape, model in (("bare", None, None),
                                   ("flags", _shape(row["input_shape"]), row["model"] or None)):
            got, message = _read(source, shape, model)
            slot = 2 if got is None else 0 if got == want else 1
            tally[mode][slot] += 1
            if got is None:
                refusals.append((mode, label, message))
            elif got != want:
                refusals.append((mode, label, f"WRONG COUNT {got:,}, the table says {want:,}"))
    n = len(rows)
    print(f"corpus: {n} rows from {len({r['file'] for r in rows})} snippets in tests/pasted")
    for mode, (right, wrong, refused) in tally.items():
        what = "as pasted, no flags" if mode == "bare" else "with the row's --input-shape/--model"
        print(f"{mode:6} ({what}): accepted and right {right}/{n} ({100 * right / n:.0f}%), "
              f"wrong counts {wrong}, refused {refused}")
    print("\nrefusals (each must name the line or the flag and say what to write):")
    for mode, label, message in refusals:
        print(f"  [{mode}] {label}: {message}")


if __name__ == "__main__":
    main()
