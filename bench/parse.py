"""Microseconds per parse for typical answers (batch grading needs ~1M answers/min on 2 cores).

Run: ``.venv/bin/python bench/parse.py [calls]`` (default 20,000 calls per input). Prints wall
and CPU time per call; on a busy machine the CPU column is the one to trust.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.parse import parse_answer, parse_number  # noqa: E402

INPUTS = [
    ("plain int", parse_answer, "50828751"),
    ("grouped (fast path)", parse_answer, "50,828,751"),
    ("grouped, thin space", parse_answer, "50\u2009828\u2009751"),
    ("with unit word", parse_answer, "50828751 params"),
    ("scientific", parse_answer, "5.0828751e7"),
    ("scientific x10^", parse_answer, "5.0828751 \u00d7 10^7"),
    ("parse_number plain", parse_number, "1792"),
    ("expression", parse_answer, "(7*7*1+1)*60 + (5*5*60+1)*100"),
    ("breakdown, 3 lines", parse_answer, "conv1: 1792\nconv2: 36928\ndense: (250+1)*10"),
    ("shape", parse_answer, "(None, 94, 94, 60)"),
    ("invalid: ambiguous", parse_answer, "1,234"),
    ("DoS: 9**9**9", parse_answer, "9**9**9"),
]


def main(calls: int = 20_000) -> None:
    print(f"{'input':24} {'wall µs':>8} {'cpu µs':>8}   text")
    for name, fn, text in INPUTS:
        fn(text)  # warm up
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            fn(text)
        wall = (time.perf_counter() - wall) / calls * 1e6
        cpu = (time.process_time() - cpu) / calls * 1e6
        print(f"{name:24} {wall:8.2f} {cpu:8.2f}   {text!r}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
