"""``cnnquiz serve``: the practice loop as a local web app (Flask, no external assets)."""

from __future__ import annotations

import click

from . import progress as prog

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; keep 127.0.0.1 unless you mean to share it.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--progress", "progress_file", type=click.Path(dir_okay=False), default=None,
              help=f"Progress file (default: ${prog.ENV_VAR} or ~/.cnnquiz/progress.json).")
def serve_command(host: str, port: int, progress_file: str | None) -> None:
    """Practise in the browser: problems with diagrams, feedback, hints, solutions, progress.

    \b
    Example:
      cnnquiz serve --port 8000    # then open http://127.0.0.1:8000/
    """
    from werkzeug.serving import make_server

    from .web import create_app

    path = prog.resolve_path(progress_file)
    server = make_server(host, port, create_app(progress_path=path), threaded=True)
    click.echo(f"cnnquiz practice: http://{host}:{server.server_port}/  (Ctrl-C stops; "
               f"progress in {path})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
