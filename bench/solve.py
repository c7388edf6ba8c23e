"""Time cnnquiz's solver on VGG-16 next to building VGG-16 in PyTorch and counting its parameters.

Run from the repository root: ``.venv/bin/python bench/solve.py [--runs N]``.

- in-process: ``read_spec_file`` + ``load_spec`` + ``solve`` of examples/vgg16.yaml (the first,
  cold run is printed apart; later runs reuse the solver's formula caches), median of N runs;
- whole process: ``python -m cnnquiz solve examples/vgg16.yaml --format json`` and
  ``python -m cnnquiz --help`` via subprocess;
- PyTorch in-process: build VGG-16 (``nn.Sequential`` as torchvision writes it, no pretrained
  weights) on the CPU with default initialisation and count ``p.numel()``; also on the ``meta``
  device (shapes only, no memory or initialisation), the cheapest way PyTorch can count;
- PyTorch whole process: ``python -c`` importing torch, building the model and counting.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "vgg16.yaml"
VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
EXPECTED = 138_357_544

TORCH_SCRIPT = f"""
import torch
from torch import nn
layers, c = [], 3
for v in {VGG16!r}:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
        c = v
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                      nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))
print(sum(p.numel() for p in model.parameters()))
"""


def timed(fn: Callable[[], object], runs: int) -> tuple[float, list[float], object]:
    """(first run, all later runs, last result), in seconds."""
    times, result = [], None
    for _ in range(runs + 1):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times[0], times[1:], result


def ours() -> int:
    from generator.network import solve
    from generator.spec import load_spec, read_spec_file

    return solve(load_spec(read_spec_file(SPEC))).total


def parts(runs: int) -> dict[str, float]:
    """Median time of each step of ``ours`` (YAML read, spec load, solve)."""
    from generator.network import solve
    from generator.spec import load_spec, read_spec_file

    data = read_spec_file(SPEC)
    network = load_spec(data)
    return {
        "read YAML": statistics.median(timed(lambda: read_spec_file(SPEC), runs)[1]),
        "load_spec": statistics.median(timed(lambda: load_spec(data), runs)[1]),
        "solve": statistics.median(timed(lambda: solve(network), runs)[1]),
    }


def torch_vgg16(device: str) -> int:
    import torch
    from torch import nn

    with torch.device(device):
        layers: list[nn.Module] = []
        c = 3
        for v in VGG16:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, int(v), 3, padding=1), nn.ReLU()]
                c = int(v)
        model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                              nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))
    return sum(p.numel() for p in model.parameters())


CPU: dict[str, list[float]] = {}


def process(args: list[str]) -> Callable[[], int]:
    """Run ``python ARGS``; its CPU time (user + sys) is kept in CPU under the command text."""
    def run() -> int:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU.setdefault(" ".join(args), []).append(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return int(out) if out.strip().isdigit() else len(out)
    return run


def cpu_ms(args: list[str]) -> str:
    """Median CPU time of a subprocess measure (less sensitive to a busy machine than wall)."""
    return f"CPU {statistics.median(CPU[' '.join(args)][1:]) * 1000:.0f} ms"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per in-process measure")
    parser.add_argument("--process-runs", type=int, default=5, help="runs per subprocess measure")
    a = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    t = time.perf_counter()
    import generator.network  # noqa: F401  (imports outside the measure)
    import generator.spec  # noqa: F401
    imports = time.perf_counter() - t
    cold, warm, total = timed(ours, a.runs)
    steps = parts(a.runs)
    assert total == EXPECTED, total
    solve_ms = statistics.median(warm)
    cli = (["-m", "cnnquiz", "solve", str(SPEC), "--format", "json"]
           if (ROOT / "cnnquiz" / "__main__.py").exists() else
           ["-c", "from generator.spec import load_spec, read_spec_file; "
                  "from generator.network import solve; "
                  f"print(solve(load_spec(read_spec_file({str(SPEC)!r}))).total)"])
    _, cli_runs, _ = timed(process(cli), a.process_runs)
    _, help_runs, _ = timed(process(["-m", "cnnquiz", "--help"]), a.process_runs)

    torch_vgg16("cpu")  # import torch outside the measurement
    _, cpu_runs, n_cpu = timed(lambda: torch_vgg16("cpu"), max(a.runs // 4, 3))
    _, meta_runs, n_meta = timed(lambda: torch_vgg16("meta"), a.runs)
    assert n_cpu == n_meta == EXPECTED, (n_cpu, n_meta)
    _, torch_proc, n_proc = timed(process(["-c", TORCH_SCRIPT]), a.process_runs)
    assert n_proc == EXPECTED, n_proc

    cpu, meta, proc, cli_med, help_med = (
        statistics.median(x) for x in (cpu_runs, meta_runs, torch_proc, cli_runs, help_runs))
    print(f"VGG-16, {EXPECTED:,} parameters; medians (runs: in-process {a.runs}, "
          f"subprocess {a.process_runs})")
    print(f"cnnquiz solve, in-process (spec read + load + solve):   {ms(solve_ms)}"
          f"   (first, cold run {ms(cold).strip()}; importing generator {ms(imports).strip()})")
    print("    of which " + ", ".join(f"{k} {ms(v).strip()}" for k, v in steps.items()))
    print(f"cnnquiz, whole process ({' '.join(cli[:3])} ...):{ms(cli_med)}   ({cpu_ms(cli)})")
    print(f"cnnquiz --help, whole process (python -m cnnquiz --help):{ms(help_med)}   "
          f"({cpu_ms(['-m', 'cnnquiz', '--help'])})")
    print(f"PyTorch build + count, in-process, CPU (default init): {ms(cpu)}")
    print(f"PyTorch build + count, in-process, meta device:         {ms(meta)}")
    print(f"PyTorch build + count, whole process (python -c):       {ms(proc)}   "
          f"({cpu_ms(['-c', TORCH_SCRIPT])})")
    print(f"ratio in-process, PyTorch CPU / cnnquiz:   {cpu / solve_ms:8.1f}×")
    print(f"ratio in-process, PyTorch meta / cnnquiz:  {meta / solve_ms:8.1f}×")
    print(f"ratio in-process, PyTorch CPU / cnnquiz cold: {cpu / cold:5.1f}×")
    print(f"ratio whole process, PyTorch / cnnquiz:    {proc / cli_med:8.1f}×")
    goals = [("cnnquiz --help <= 150 ms", help_med <= 0.150),
             ("cnnquiz solve VGG-16 whole process <= 250 ms", cli_med <= 0.250),
             ("whole process >= 10x faster than PyTorch build+count", proc / cli_med >= 10)]
    load = os.getloadavg()[0]
    for goal, met in goals:
        print(f"goal {goal}: {'met' if met else 'NOT met'} (wall time; load average {load:.1f} "
              f"on {os.cpu_count()} cores: goals are for a quiet machine)")


if __name__ == "__main__":
    main()
