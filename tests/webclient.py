"""Helpers for the web tests: an app on a real SQLite store, and posting like a browser."""

from __future__ import annotations

import re

from cnnquiz.store import open_store

URL = "/p/color/easy/5"
ID = "color-easy-000005"


def token(html: str, name: str = "csrf") -> str:
    m = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert m, f"no {name} in the page"
    return m.group(1)


def post(client, url: str, data: dict | None = None, *, page: str | None = None, **kw):
    """POST like the browser does: the form's CSRF token and nonce from the page first."""
    html = client.get(page or url.split("/solution")[0].split("/hint")[0]).text
    form = {"csrf": token(html)} | ({"nonce": token(html, "nonce")} if "nonce" in html else {})
    form |= data or {}
    return client.post(url, data=form, **kw)


def answer(client, url: str, data: dict):
    """Answer and follow the redirect: the page the student sees."""
    r = post(client, url, data)
    assert r.status_code == 303, r.text
    return client.get(r.headers["Location"].split("#")[0]).text


def state(store_path, student: str = "local"):
    return open_store(store_path).progress(student)


def notations(n: int) -> list[str]:
    """How a count may be written: 1369, 1,369, 1 369, 1_369, 1.369, 1'369, thin spaces."""
    plain = str(n)
    grouped = f"{n:,}"
    return sorted({plain, grouped} | {grouped.replace(",", sep)
                                      for sep in (" ", "_", ".", "'", "\u2009", "\u202f", "&#x2009;")})


_RANDOM = re.compile(r'(name="(?:csrf|nonce)" value=)"[^"]*"')


def leaks(html: str, n: int) -> list[str]:
    """The notations of ``n`` the page shows. The CSRF token and the nonce are random text
    (hex, URL-safe base64) that may contain any digits by chance: they are left out."""
    html = _RANDOM.sub(r'\1""', html)
    return [s for s in notations(n) if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d])", html)]
