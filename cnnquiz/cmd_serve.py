"""``cnnquiz serve``: the practice loop as a web app, for one student or a whole class.

Served by waitress (a production WSGI server), never Flask's development server. Without
``--class`` it is a single-student app on 127.0.0.1; with ``--class CLASS.yaml`` students
sign in with their id and the class code, and the instructor sees the class report.
"""

from __future__ import annotations

import click

from generator.errors import ConfigError

from . import progress as prog
from .terminal import echo

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; keep 127.0.0.1 unless you mean to share it.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--progress", "progress_file", default=None, metavar="PATH|URL",
              help=f"Progress store: a SQLite file or a postgresql:// URL (default: "
                   f"${prog.ENV_VAR} or ~/.cnnquiz/progress.db); an old .json file is imported once.")
@click.option("--class", "class_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Class mode: a class file (code, roster or open sign-up, instructor password hash).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Worker threads of the server.")
@click.option("--hash-password", is_flag=True,
              help="Print the hash of an instructor password (asked for) for the class file, and exit.")
def serve_command(host: str, port: int, progress_file: str | None, class_file: str | None,
                  threads: int, hash_password: bool) -> None:
    """Practise in the browser: problems with diagrams, feedback, hints, solutions, progress.

    \b
    Examples:
      cnnquiz serve --port 8000                  # then open http://127.0.0.1:8000/
      cnnquiz serve --hash-password              # for instructor_password_hash:
      cnnquiz serve --class cnn101.yaml --host 0.0.0.0 --progress postgresql:///cnn101
    """
    from .classmode import hash_password as make_hash

    if hash_password:
        echo(make_hash(click.prompt("Instructor password", hide_input=True,
                                          confirmation_prompt=True)))
        return
    from waitress import create_server

    from .classmode import load_class
    from .web import create_app

    try:
        klass = load_class(class_file) if class_file else None
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    store = progress_file or (klass.store if klass else None)
    path, _ = prog.resolve(store)
    app = create_app(store or path, klass=klass)
    server = create_server(app, host=host, port=port, threads=threads, ident="cnnquiz")
    where = "PostgreSQL" if "://" in path else path
    mode = f"class {klass.name}, " if klass else ""
    echo(f"cnnquiz practice: http://{host}:{server.effective_port}/  ({mode}progress in "
               f"{where}; Ctrl-C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        echo("Stopped.")
    finally:
        server.close()
