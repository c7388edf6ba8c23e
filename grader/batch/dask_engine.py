"""``grade-batch --engine dask``: chunks graded by :func:`grade_frame` on a Dask cluster.

The submissions are read here, by the project's reader (line numbers, broken quoting and
bad bytes reported per row), and sent in windows of ``2 × workers`` chunks as a
``dask.dataframe`` whose partitions are graded with ``map_partitions(grade_frame)``; the
results come back in input order and are written by :func:`frame_lines`, so the file is
byte for byte the local engine's. Without ``--scheduler`` a ``distributed.LocalCluster`` of
``--workers`` processes is started; with ``--scheduler tcp://host:8786`` an existing
cluster is used, whose workers must see the problem set at the same path. Dask is imported
only here, when this engine is chosen.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from generator.errors import ConfigError

from .frame import frame_lines, grade_frame, internal_options, result_meta, rows_frame
from .grading import GradeFn
from .options import BatchOptions, InputRow

__all__ = ["QUIET_HTTP", "graded_on_dask"]

#: scheduler options of a local cluster: no dashboard, its HTTP server on a free loopback port
QUIET_HTTP: dict[str, object] = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}


def graded_on_dask(chunks: Iterator[list[InputRow]], opts: BatchOptions,
                   directory: Path | None, base: Path, problems: Mapping[str, Any] | None,
                   grade_fn: GradeFn | None) -> Iterator[tuple[str, int, Counter[str]]]:
    try:
        import dask.dataframe as dd
        import distributed
    except ImportError as e:  # an optional engine of an installed package: say what to do
        raise ConfigError(f"--engine dask needs dask[dataframe] and distributed ({e}); "
                          "pip install 'dask[dataframe]' distributed") from None
    dist: Any = distributed  # untyped
    cluster: Any = None
    if opts.scheduler:
        client = dist.Client(opts.scheduler, set_as_default=False)
    else:
        # dashboard_address=None turns the dashboard off but the scheduler's HTTP server still
        # binds port 8787 by default (distributed/scheduler.py Scheduler.__init__ ->
        # node.py ServerNode.start_http_server(default_port=8787)) and warns when another
        # cluster holds it: a free port on loopback instead.
        cluster = dist.LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True,
                                    dashboard_address=None, silence_logs=logging.ERROR,
                                    scheduler_kwargs=QUIET_HTTP)
        client = dist.Client(cluster, set_as_default=False)
    source: Any = str(Path(directory).resolve()) if directory is not None else problems
    inner = internal_options(opts)
    try:
        window: list[list[InputRow]] = []
        for chunk in chunks:
            window.append(chunk)
            if len(window) >= 2 * max(opts.workers, 1):
                yield _graded(dd, client, window, source, inner, base, grade_fn)
                window = []
        if window:
            yield _graded(dd, client, window, source, inner, base, grade_fn)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _graded(dd: Any, client: Any, window: list[list[InputRow]], source: Any,
            opts: BatchOptions, base: Path, grade_fn: GradeFn | None
            ) -> tuple[str, int, Counter[str]]:
    frame = rows_frame(chain.from_iterable(window))
    ddf = dd.from_pandas(frame, npartitions=len(window), sort=False)
    graded = ddf.map_partitions(grade_frame, source, opts, base=base, grade_fn=grade_fn,
                                meta=result_meta())
    out = client.compute(graded, sync=True)
    return frame_lines(out), 0, Counter(out["status"].tolist())
