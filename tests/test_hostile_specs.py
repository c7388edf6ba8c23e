"""Hostile specs and problem files (issue 10.2, 10.5, 10.6): each is refused quickly with exit 2
and a message naming what is wrong, never a hang, a MemoryError or a traceback.

Every command that reads a spec (solve, lint, grade) is run on every case. A hang is caught
by a SIGALRM guard (a guard against a hang, not a timing assertion).
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.spec import MAX_LAYERS

ROOT = Path(__file__).resolve().parent.parent
INPUT = "{shape: [28, 28], color: gray}"
CONV = "{type: conv2d, filters: 8, kernel: 3}"


def bomb(levels: int = 9) -> str:
    """A YAML flow list of a few hundred bytes that expands to 10**levels scalars."""
    parts = ["&a0 [" + ", ".join(["x"] * 10) + "]"]
    parts += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


def spec_with(where: str) -> str:
    """A valid spec with the alias bomb as the value at ``where``."""
    b = bomb()
    layer = {"filters": f"{{type: conv2d, filters: {b}, kernel: 3}}",
             "kernel": f"{{type: conv2d, filters: 8, kernel: {b}}}",
             "name": f"{{type: conv2d, filters: 8, kernel: 3, name: {b}}}",
             "type": f"{{type: {b}, filters: 8, kernel: 3}}",
             "share": f"{{share: {b}}}"}.get(where)
    layers = f"[{CONV}, {layer}]" if layer else f"[{CONV}]"
    inp = {"color": f"{{shape: [28, 28], color: {b}}}",
           "input.shape": f"{{shape: {b}, color: gray}}"}.get(where, INPUT)
    extra = {"convention": f"conventions: {{padding: {b}}}\n", "title": f"title: {b}\n"}
    return f"{extra.get(where, '')}input: {inp}\nlayers: {layers}\n"


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError("hung: a hostile file must be refused quickly")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}")
    return result.exit_code, result.stderr


COMMANDS = [("solve",), ("lint",), ("grade", "--answer", "5")]
POSITIONS = ["filters", "kernel", "name", "type", "share", "convention", "color",
             "input.shape", "title"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("where", POSITIONS)
def test_a_yaml_alias_bomb_is_refused(tmp_path: Path, command: tuple[str, ...], where: str
                                      ) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(spec_with(where), encoding="utf-8")
    code, err = run(command[0], str(path), *command[1:])
    assert code == 2
    assert "more than 100,000 values" in err and "aliases" in err


def test_aliases_that_stay_small_are_read(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text(f"input: {INPUT}\nlayers:\n  - {{type: conv2d, filters: &f 8, kernel: 3}}\n"
                    "  - {type: conv2d, filters: *f, kernel: 3}\n", encoding="utf-8")
    code, err = run("solve", str(path), "--format", "json")
    assert code == 0, err


HOSTILE = {
    "deep.json": ('{"input": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than"),
    "digits.yaml": (f"input: {INPUT}\nlayers: [{{type: conv2d, filters: {'9' * 5000}, "
                    "kernel: 3}]\n", "more than 4,000 digits"),
    "digits.json": ('{"input": {"shape": [28, 28, 1]}, "layers": [{"type": "dense", "units": '
                    + "7" * 4400 + "}]}", "more than 4,000 digits"),
    # three 1,500-digit sides: a 4,500-digit flatten size, over CPython's int-to-text limit
    "flatten.yaml": ("input: {shape: [" + ", ".join(["9" * 1500] * 3) + "]}\n"
                     "layers: [{type: flatten}, {type: dense, units: 2}]\n", "digits"),
    "layers.yaml": (f"input: {INPUT}\nlayers:\n" + f"  - {CONV}\n"
                    + "  - {type: relu}\n" * 5_000, f"at most {MAX_LAYERS:,}"),
    # lint took 57 s on this one; refused while reading, before any layer is built
    "layers100k.yaml": (f"input: {INPUT}\nlayers:\n" + "  - {type: relu}\n" * 100_000,
                        "more than 100,000 values"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_spec_files_exit_2_with_a_message(tmp_path: Path, command: tuple[str, ...],
                                                  name: str) -> None:
    text, message = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, err = run(command[0], str(path), *command[1:])
    assert code == 2 and message in err, err


SPEC = f"title: José\ninput: {INPUT}\nlayers: [{CONV}]\n"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_utf16_and_bom_specs_are_read(tmp_path: Path, command: tuple[str, ...], encoding: str
                                      ) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(SPEC.replace("[28, 28]", "[28, 28], channels: 1").encode(encoding))
    code, _ = run(command[0], str(path), *command[1:])
    assert code in (0, 1)  # lint exits 1 for the unstated padding


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_latin1_spec_is_refused_naming_the_encoding(tmp_path: Path, command: tuple[str, ...]
                                                      ) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(SPEC.encode("latin-1"))
    code, err = run(command[0], str(path), *command[1:])
    assert code == 2
    assert "not UTF-8" in err and "latin-1" in err and "line 1, column 11" in err


@pytest.mark.parametrize("shape", ["9" * 5000, "²x2x1", "0x7x1", "1" * 101 + "x2x1"])
def test_input_shape_digits_are_checked_before_conversion(shape: str) -> None:
    code, err = run("solve", str(ROOT / "examples" / "torch_net.py"), "--input-shape", shape)
    assert code == 2 and "--input-shape" in err


@pytest.fixture(scope="module")
def problem_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("set")
    assert CliRunner().invoke(main, ["generate", "--count", "1", "--format", "json",
                                     "--out", str(out)]).exit_code == 0
    path = next((out / "problems").glob("*.json"))
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(("case", "message"), [
    ("deep", "nested more than"),
    ("digits", "more than 4,000 digits"),
    ("latin1", "latin-1"),
    ("spec is a number", "'spec' must be a mapping"),
    ("no layers", "non-empty list of layers"),
    ("a list", "must be a mapping"),
    ("truncated", "not valid JSON at line 1"),
])
def test_a_malformed_problem_file_exits_2(tmp_path: Path, problem_file: dict[str, object],
                                          case: str, message: str) -> None:
    text = json.dumps(problem_file, ensure_ascii=False)
    raw = {
        "deep": json.dumps({**problem_file, "title": 0})[:-1] + ', "x": '
                + "[" * 100_000 + "]" * 100_000 + "}",
        "digits": text.replace('"answers": {', '"answers": {"macs": ' + "1" * 5000 + ", "),
        "spec is a number": json.dumps({**problem_file, "spec": 5}),
        "no layers": json.dumps({**problem_file, "spec": {"layers": 3}}),
        "a list": "[]",
        "truncated": text[: len(text) // 2],
    }.get(case)
    path = tmp_path / "problem.json"
    if case == "latin1":
        path.write_bytes(json.dumps({**problem_file, "id": "José"}, ensure_ascii=False)
                         .encode("latin-1"))
    else:
        assert raw is not None
        path.write_text(raw, encoding="utf-8")
    code, err = run("grade", str(path), "--answer", "5")
    assert code == 2 and message in err, err


def test_a_utf16_problem_file_is_read(tmp_path: Path, problem_file: dict[str, object]) -> None:
    path = tmp_path / "problem.json"
    path.write_bytes(json.dumps(problem_file).encode("utf-16"))
    code, _ = run("grade", str(path), "--answer", "5")
    assert code == 0


def test_an_unknown_locale_is_a_usage_error(tmp_path: Path, problem_file: dict[str, object]
                                            ) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_file), encoding="utf-8")
    code, err = run("grade", str(path), "--answer", "5", "--locale", "xx")
    assert code == 2 and "unsupported locale 'xx'" in err and "supported: " in err


@pytest.mark.parametrize("key", [
    '{"students": {"s1": "basic-easy-000001"}}',
    '{"students": [1, 2]}',
    '{"students": {"s1": [{"number": 1}]}}',
    '{"students": ',
])
def test_a_malformed_answer_key_exits_2(tmp_path: Path, problem_file: dict[str, object],
                                        key: str) -> None:
    problems = tmp_path / "set"
    (problems / "problems").mkdir(parents=True)
    (problems / "problems" / "p.json").write_text(json.dumps(problem_file), encoding="utf-8")
    (problems / "answer_key.json").write_text(key, encoding="utf-8")
    answers = tmp_path / "answers.csv"
    answers.write_text("student_id,problem,answer\ns1,p,5\n", encoding="utf-8")
    code, err = run("grade-batch", str(answers), "--problems", str(problems),
                    "--out", str(tmp_path / "r.csv"))
    assert code == 2 and "answer_key.json" in err, err


@pytest.mark.parametrize("net", ["resnet152", "densenet201"])
def test_the_caps_admit_real_large_networks(tmp_path: Path, net: str) -> None:
    """ResNet-152 (bottleneck blocks) and DenseNet-201 layer counts pass every cap."""
    blocks = {"resnet152": 3 + 8 + 36 + 3, "densenet201": 6 + 12 + 48 + 32}[net]
    per_block = {"resnet152": 10, "densenet201": 7}[net]
    layer = ("  - {type: conv2d, filters: 4, kernel: 1, padding: same, bias: false}\n"
             "  - {type: batch_normalization}\n  - {type: relu}\n")
    text = ("conventions: {padding: same, bias: true, count: trainable}\n"
            "input: {shape: [8, 8], color: gray}\nlayers:\n"
            + layer * (blocks * per_block // 3 + 1))
    path = tmp_path / f"{net}.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = run("solve", str(path), "--format", "json")
    assert code == 0, err
