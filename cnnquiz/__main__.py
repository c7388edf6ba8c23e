"""``python -m cnnquiz`` runs the command line."""

from .cli import main

main(prog_name="cnnquiz")
