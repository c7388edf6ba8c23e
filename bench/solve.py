"""Time cnnquiz's solver on VGG-16 (and ResNet-50) next to building them in PyTorch and counting.

Run from the repository root: ``.venv/bin/python bench/solve.py [--runs N]``.

- in-process: ``read_spec_file`` + ``load_spec`` + ``solve`` of examples/vgg16.yaml (the first,
  cold run is printed apart; later runs reuse the solver's formula caches), median of N runs;
- whole process: ``python -m cnnquiz solve examples/vgg16.yaml --format json`` and
  ``python -m cnnquiz --help`` via subprocess, with the project's bytecode written first (as
  an installed package has it);
- PyTorch in-process: build VGG-16 (``nn.Sequential`` as torchvision writes it, no pretrained
  weights) on the CPU with default initialisation and count ``p.numel()``; also on the ``meta``
  device (shapes only, no memory or initialisation), the cheapest way PyTorch can count;
- PyTorch whole process: ``python -c`` importing torch, building the model and counting;
- ResNet-50: cnnquiz reading tests/known/resnet_torch.py (torchvision-style code, never run)
  into a graph and solving it, next to PyTorch building that code and counting.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
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


RESNET = ROOT / "tests" / "known" / "resnet_torch.py"  # torchvision's ResNet as code
RESNET50 = 25_557_032


def resnet50_ours() -> int:
    """Read the ResNet-50 code (never run), import it as a graph and solve it."""
    from generator.importers import import_source
    from generator.network import solve
    from generator.spec import load_spec
    source = RESNET.read_text(encoding="utf-8")
    spec = import_source(source, input_shape=(224, 224, 3), model="resnet50")
    return solve(load_spec(spec)).trainable


def resnet50_torch(device: str) -> int:
    import torch
    namespace: dict[str, object] = {}
    exec(compile(RESNET.read_text(encoding="utf-8"), str(RESNET), "exec"), namespace)  # noqa: S102
    with torch.device(device):
        model = namespace["resnet50"]()  # type: ignore[operator]
    return sum(p.numel() for p in model.parameters())


def resnet50_report(runs: int) -> None:
    """ResNet-50 next to VGG-16: a graph read from torchvision-style code."""
    cold, warm, n = timed(resnet50_ours, runs)
    assert n == RESNET50, n
    resnet50_torch("meta")
    _, meta_runs, n_meta = timed(lambda: resnet50_torch("meta"), runs)
    _, cpu_runs, n_cpu = timed(lambda: resnet50_torch("cpu"), max(runs // 4, 3))
    assert n_meta == n_cpu == RESNET50, (n_meta, n_cpu)
    ours, meta, cpu = (statistics.median(x) for x in (warm, meta_runs, cpu_runs))
    print(f"ResNet-50, {RESNET50:,} parameters (torchvision-style code, {RESNET.name})")
    print(f"cnnquiz import (ast, never run) + solve, in-process:    {ms(ours)}"
          f"   (first, cold run {ms(cold).strip()})")
    print(f"PyTorch build + count, in-process, meta device:         {ms(meta)}")
    print(f"PyTorch build + count, in-process, CPU (default init): {ms(cpu)}")
    print(f"ratio in-process, PyTorch CPU / cnnquiz:   {cpu / ours:8.1f}×")


def compile_bytecode() -> int:
    """Write the project's bytecode before the whole-process runs, as an install does (pip
    compiles on install; Python writes it on first import unless PYTHONDONTWRITEBYTECODE is
    set, as in some shells and CI): without it every run compiles each module from source,
    a third of a solve's time. Returns how many modules were stale."""
    stale = 0
    for package in ("generator", "grader", "cnnquiz"):
        for path in (ROOT / package).rglob("*.py"):
            cached = Path(importlib.util.cache_from_source(str(path)))
            stale += not cached.exists() or cached.stat().st_mtime < path.stat().st_mtime
        compileall.compile_dir(ROOT / package, quiet=1)
    return stale


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
    stale = compile_bytecode()
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
    print(f"cnnquiz, whole process ({' '.join(cli[:3])} ...):{ms(cli_med)}   ({cpu_ms(cli)}; "
          f"bytecode written first for {stale} stale modules)")
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
    resnet50_report(max(a.runs // 4, 3))
    goals = [("cnnquiz --help <= 150 ms", help_med <= 0.150),
             ("cnnquiz solve VGG-16 whole process <= 250 ms", cli_med <= 0.250),
             ("whole process >= 10x faster than PyTorch build+count", proc / cli_med >= 10)]
    load = os.getloadavg()[0]
    for goal, met in goals:
        print(f"goal {goal}: {'met' if met else 'NOT met'} (wall time; load average {load:.1f} "
              f"on {os.cpu_count()} cores: goals are for a quiet machine)")


if __name__ == "__main__":
    main()
