"""Time to read pasted code: the repair step alone and the whole read, per snippet.

Run: ``.venv/bin/python bench/repair.py`` . Prints CPU milliseconds for each snippet of the
pasted corpus (tests/pasted) and for large damaged inputs near the size cap, and the whole
read of pastes beyond the caps (refused in milliseconds, before the repair, when they make
more than 8,000 calls), so that a slow repair shows as a number, never as a timed assert.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.errors import ConfigError  # noqa: E402
from generator.importers import read_code  # noqa: E402
from generator.importers.repair import repair  # noqa: E402

LARGE = {
    "curly quotes, 30k lines (~1 MB)": "x = Dense(4, activation=’relu’)\n" * 30_000,
    "missing commas, 20k list items": "m = Sequential([\n" + "    Dense(4)\n" * 20_000 + "])\n",
    "lost indentation, 20k lines": "class Net(nn.Module):\ndef __init__(self):\n"
                                   + "self.a = nn.Linear(4, 4)\n" * 20_000,
    "prose, 5k lines": "This is a line of prose about the model\n" * 5_000,
    # beyond the caps: refused before the repair (calls) or while reading (unrolled layers)
    "Keras, 20k layers written out": "from keras import layers, Sequential\nm = Sequential([\n"
                                     + "    layers.Dense(4),\n" * 20_000 + "])\n",
    "PyTorch, 20k layers written out": "import torch.nn as nn\nm = nn.Sequential(\n"
                                       + "    nn.Linear(4, 4),\n" * 20_000 + ")\n",
    "Keras loop, 1,000 × 20 layers": "from keras import layers, Sequential\nm = Sequential()\n"
                                     "m.add(layers.Input((4,)))\nfor i in range(1000):\n"
                                     + "    m.add(layers.Dense(4))\n" * 20,
}


def cpu_ms(fn, *args, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        try:
            fn(*args)
        except ConfigError:
            pass
        best = min(best, time.process_time() - t0)
    return best * 1000


def main() -> None:
    print(f"{'input':45} {'chars':>9} {'repair ms':>10} {'read ms':>9}")
    for path in sorted((ROOT / "tests" / "pasted").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        print(f"{path.name:45} {len(text):9,} {cpu_ms(repair, text, repeat=20):10.2f} "
              f"{cpu_ms(lambda t: read_code(t, input_shape=(32, 32, 3)), text, repeat=5):9.2f}")
    for name, text in LARGE.items():
        print(f"{name:45} {len(text):9,} {cpu_ms(repair, text, repeat=1):10.0f} "
              f"{cpu_ms(lambda t: read_code(t, input_shape=(4,)), text, repeat=1):9.0f}")


if __name__ == "__main__":
    main()
