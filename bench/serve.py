"""Load test of class mode on loopback: simulated students answering, for a bounded time.

Starts ``cnnquiz serve --class`` (waitress, open sign-up) in a child process on 127.0.0.1
with a fresh store, then runs N students in threads: each signs in, then repeatedly opens a
problem, answers it (right or wrong, with a CSRF token and a nonce as the browser does),
follows the redirect, and thinks for a while (exponential, mean ``--think`` seconds).
Prints requests/s, latency percentiles, errors, and checks the store: every answer sent is
recorded exactly once.

    .venv/bin/python bench/serve.py                      # 50 students, 60 s, SQLite
    .venv/bin/python bench/serve.py --seconds 10 --store postgresql://...
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnquiz import practice_core as core  # noqa: E402
from cnnquiz.classmode import hash_password  # noqa: E402
from cnnquiz.store import open_store  # noqa: E402

TOKEN = re.compile(r'name="(csrf|nonce)" value="([^"]+)"')
TOPICS = ("basic", "color", "padding", "sharing", "batchnorm", "no-bias")


class Student:
    def __init__(self, port: int, sid: str, rng: random.Random, stats: Stats) -> None:
        self.port, self.sid, self.rng, self.stats = port, sid, rng, stats
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.sent = 0

    def request(self, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, str, dict[str, str]]:
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "Origin": f"http://127.0.0.1:{self.port}"}
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            self.stats.error(f"{method} {path.split('?')[0]}: {type(e).__name__}")
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, "", {}
        self.stats.done(time.perf_counter() - start, method)
        got = {k.lower(): v for k, v in resp.getheaders()}
        if "set-cookie" in got:
            self.cookie = got["set-cookie"].split(";", 1)[0]
        if resp.status >= 400:
            self.stats.error(f"{method} {path.split('?')[0]}: HTTP {resp.status}")
        return resp.status, text, got

    def tokens(self, html: str) -> dict[str, str]:
        return dict(TOKEN.findall(html))

    def sign_in(self, code: str) -> None:
        _, html, _ = self.request("GET", "/signin")
        self.request("POST", "/signin", self.tokens(html) | {"student": self.sid, "code": code})

    def answer_one(self, pool: list[tuple[str, int, int]]) -> None:
        topic, seed, right = self.rng.choice(pool)
        url = f"/p/{topic}/easy/{seed}"
        status, html, _ = self.request("GET", url)
        t = self.tokens(html)
        if status != 200 or "nonce" not in t:
            return  # already solved (no answer box) or an error, counted above
        value = right if self.rng.random() < 0.5 else right + self.rng.choice((-1, 1, 100))
        status, _, headers = self.request("POST", url, t | {"total": str(value)})
        if status == 303:
            self.sent += 1
            self.request("GET", headers.get("location", url).split("#")[0])
        else:
            self.stats.error(f"answer POST: status {status}")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.by_method: dict[str, list[float]] = {}

    def done(self, seconds: float, method: str = "GET") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_method.setdefault(method, []).append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


SERVER = """
import logging
import sys
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" notes
from waitress import serve
from cnnquiz.classmode import ClassConfig
from cnnquiz.web import create_app
klass = ClassConfig(code="bench", password_hash=sys.argv[3], open=True, name="bench")
serve(create_app(sys.argv[2], klass=klass), host="127.0.0.1", port=int(sys.argv[1]),
      threads=int(sys.argv[4]), ident="cnnquiz", _quiet=True)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between actions (s)")
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    ap.add_argument("--store", default=None, help="a postgresql:// URL (default: a new SQLite file)")
    ap.add_argument("--problems", type=int, default=60,
                    help="distinct problems the class works on (an assignment's worth)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="cnnquiz-bench-")
    where = args.store or str(Path(tmp.name) / "class.db")
    open_store(where).close()  # the schema before the clock starts
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), where,
                               hash_password("bench"), str(args.threads)], cwd=ROOT)
    try:
        for _ in range(300):  # wait for the port
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/signin")
                break
            except OSError:
                time.sleep(0.1)
        stats = Stats()
        rng = random.Random(0)
        pool = [(t, rng.randrange(10**5), 0) for t in TOPICS for _ in range(-(-args.problems //
                                                                           len(TOPICS)))]
        pool = [(t, seed, core.build(t, "easy", seed).answers["total"]) for t, seed, _ in pool]
        warm = Student(port, "warm-up", random.Random(-1), stats)
        warm.sign_in("bench")
        t0 = time.perf_counter()
        for item in pool:  # each problem built and prepared for grading once, as in a long run
            warm.answer_one([item])
        warm_s = time.perf_counter() - t0
        students = [Student(port, f"s{i:03d}", random.Random(i), stats)
                    for i in range(args.students)]
        for s in students:
            s.sign_in("bench")
        stats.latencies.clear()
        stats.by_method.clear()
        stop = time.monotonic() + args.seconds

        def run(s: Student) -> None:
            while time.monotonic() < stop:
                s.answer_one(pool)
                time.sleep(max(0.0, min(s.rng.expovariate(1 / args.think), stop - time.monotonic()))
                           if args.think > 0 else 0)

        began = time.perf_counter()
        threads = [threading.Thread(target=run, args=(s,)) for s in students]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = sorted(stats.latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0.0] * 99
    sent = sum(s.sent for s in students) + warm.sent
    with open_store(where) as store:
        counts = store.counts()
        per_student = all(store.progress(s.sid).topics is not None for s in students)
    print(f"class mode under waitress ({args.threads} threads), {args.students} students, "
          f"{args.seconds:.0f} s, think time {args.think:.1f} s (mean), store "
          f"{'PostgreSQL' if args.store else 'SQLite'}")
    print(f"warm-up: {len(pool)} problems opened and graded once in {warm_s:.1f} s "
          f"({warm_s / len(pool) * 1000:.0f} ms per new problem, not in the figures below)")
    print(f"requests: {len(lat)} in {elapsed:.1f} s = {len(lat) / elapsed:.1f} requests/s")
    print(f"latency: p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, "
          f"p99 {q[98] * 1000:.1f} ms, max {lat[-1] * 1000 if lat else 0:.1f} ms")
    for method, xs in sorted(stats.by_method.items()):
        xs.sort()
        print(f"  {method}: {len(xs)} requests, p50 {xs[len(xs) // 2] * 1000:.1f} ms, "
              f"p95 {xs[int(len(xs) * 0.95)] * 1000:.1f} ms")
    print(f"errors: {sum(stats.errors.values())}" +
          ("" if not stats.errors else " " + ", ".join(f"{k} x{v}" for k, v in stats.errors.items())))
    ok = counts["answers"] == sent and per_student
    print(f"answers sent: {sent}, recorded: {counts['answers']} "
          f"({'each once' if ok else 'MISMATCH'})")
    tmp.cleanup()


if __name__ == "__main__":
    main()
