"""The grading workers parse blocks of a CSV file themselves (grader.batch.split): the records
of the blocks, joined, are exactly the records of one pass over the file (line numbers,
broken quoting and its reasons, bad bytes, blank lines), wherever the blocks are cut."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ConfigError
from grader.batch import BatchOptions, grade_file, split
from grader.batch.csv_records import MAX_RECORD_LINES, Record
from grader.batch.read import read_records

from .test_batch import HEADER, PROBLEMS, stub

PIECES = ['s1,p1,42\n', 's2,p1,"1,238"\n', 's3,p1,"4\n', '2"\n', '"x\n', 'plain\n', '\n',
          's4,"p1,42\n', 's5,p1,"4"2\n', '\r\n', 's6,p1,7\r\n', 's7,p1,"a\rb"\r',
          '\x00,\x00\n', 'x"y\n', '"""\n', 's8,p2,9', 'Jos\xe9,p1,1\n']
HEADERS = ["student_id,problem,answer\n", "student_id,answer\n",
           '"student_id","problem","answer"\n', 'student_id,problem,"answer\n']


def _one_pass(path: Path) -> tuple[list[str], list[Record]]:
    header, batches, close = read_records(path, BatchOptions(), None)
    records = [r for batch in batches for r in batch]
    close()
    return header, records


def _by_blocks(path: Path, size: int) -> tuple[list[str], list[Record], set[str]]:
    work = split.work(path, BatchOptions(), size)
    records: list[Record] = []
    kinds = set()
    for unit in work.units:
        if isinstance(unit, split.Block):
            assert work.dialect is not None
            records += work.dialect.records(unit)
            kinds.add("block")
        else:
            records += unit
            kinds.add("records")
    work.close()
    return work.header, records, kinds


@settings(max_examples=150, deadline=None)
@given(header=st.sampled_from(HEADERS), body=st.lists(st.sampled_from(PIECES), min_size=100, max_size=400),
       size=st.sampled_from([1, 3, 60, 200]), extra=st.sampled_from([0, 5, split.EXTRA]))
def test_blocks_read_as_one_pass(tmp_path_factory: pytest.TempPathFactory, header: str,
                                 body: list[str], size: int, extra: int) -> None:
    path = tmp_path_factory.mktemp("split") / "in.csv"
    # é written as one latin-1 byte: not valid UTF-8
    path.write_bytes((header + "".join(body)).encode().replace("é".encode(), b"\xe9"))
    saved = split.EXTRA
    split.EXTRA = extra  # 0 and 5: the rest of the file read here, as records
    try:
        blocks = _outcome(lambda: _by_blocks(path, size)[:2])
    finally:
        split.EXTRA = saved
    assert blocks == _outcome(lambda: _one_pass(path))


def _outcome(read: Callable[[], object]) -> object:
    """What reading gives: the header and records, or the refusal (a header with bad bytes)."""
    try:
        return read()
    except ConfigError as e:
        return str(e)


def test_a_file_with_nowhere_to_cut_is_read_here(tmp_path: Path) -> None:
    """Two columns, every cell quoted: no line must start a record, so after EXTRA lines the
    rest is parsed by the reader and sent as records; the results are the same."""
    body = "".join(f'"s{i}","{40 + i % 4}"\n' for i in range(3 * split.EXTRA))
    path = tmp_path / "in.csv"
    path.write_text("student_id,answer\n" + body)
    head, records, kinds = _by_blocks(path, 100)
    assert kinds == {"records"}
    assert (head, records) == _one_pass(path)
    results = []
    for workers in (1, 2):
        out = tmp_path / f"r{workers}.csv"
        grade_file(path, out, BatchOptions(workers=workers, chunk_size=100,
                                           default_part="total"),
                   problems={"": "P"}, grade_fn=stub)
        results.append(out.read_bytes())
    assert results[0] == results[1]


def test_a_broken_record_at_a_block_end_is_judged_on_the_next_lines(tmp_path: Path) -> None:
    """An unclosed quote on a block's last line reads on into the next block: the reason is
    the one a single pass gives (too many lines), not the block's 'unexpected end of data'."""
    lines = [f"s{i},p1,{40 + i % 4}\n" for i in range(200)]
    lines[98] = 's98,p1,"42\n'  # line 100, the last of the first block
    path = tmp_path / "in.csv"
    path.write_text("student_id,problem,answer\n" + "".join(lines))
    head, records, kinds = _by_blocks(path, 99)
    assert kinds == {"block"}
    assert (head, records) == _one_pass(path)
    broken = [r for r in records if r[2] == "unreadable"]
    assert [r[0] for r in broken] == [100]
    assert f"over {MAX_RECORD_LINES} lines" in str(broken[0][3])


def test_a_quoted_cell_over_quote_free_lines_is_not_cut(tmp_path: Path) -> None:
    """Two columns (no line looks like a row): a cell over 10 lines without a quote, across
    where a block would end, stays one record; the cut waits for MAX_RECORD_LINES - 1
    quote-free lines after it."""
    lines = ["s,1\n"] * 95 + ['s,"1\n'] + ["x\n"] * 10 + ['2"\n'] + ["s,1\n"] * 200
    path = tmp_path / "in.csv"
    path.write_text("student_id,answer\n" + "".join(lines))
    head, records, kinds = _by_blocks(path, 100)
    assert kinds == {"block"}
    assert (head, records) == _one_pass(path)
    assert records[95] == (97, ["s", "1\n" + "x\n" * 10 + "2"], None, None)


HOSTILE = [
    ("broken-quoting", (HEADER + 's1,p1,"42\ns2,p1,42\ns3,p1,"4"2\ns4,"p1,42\ns5,p1,41\n'
                        's6,p1,"4\n2"\ns7,p1,"42\n' + "".join(f"x{i}\n" for i in range(60))
                        + "s8,p1,42\n").encode()),
    ("bad-bytes-and-nul", HEADER.encode() + b"s1,p1,\xff\xfe\x00\x80\ns2,p1,42\n\x00\x00\x00\n"
     + "José,p1,42\n".encode("latin-1") + b"s3,p1,41\n"),
    ("utf16-tabs-crlf", "student_id\tproblem\tanswer\r\nJos\u00e9\tp1\t42\r\nZo\u00eb\tp1\t41\r\n"
     "s\tp2\t\"4\r\n2\"\r\n".encode("utf-16")),
    ("semicolons-blank-lines", b"student_id;problem;answer\n\ns1;p1;42\n\n  \ns2;p2;41\r"
     b"s3;p1;1;2\n"),
]


@pytest.mark.parametrize("content", [h[1] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
@pytest.mark.parametrize("chunk_size", [1, 3, 500])
def test_hostile_files_give_the_same_bytes_on_workers(tmp_path: Path, content: bytes,
                                                      chunk_size: int) -> None:
    """Broken quoting, bad bytes, UTF-16, CR line ends: the workers, reading blocks of the
    file themselves, write the bytes one process writes."""
    src = tmp_path / "in.csv"
    src.write_bytes(content * 20)  # repeated: past the small-input rule, blocks are cut
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"r{workers}.csv"
        grade_file(src, out, BatchOptions(workers=workers, chunk_size=chunk_size),
                   problems=PROBLEMS, grade_fn=stub)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\n") > 20
