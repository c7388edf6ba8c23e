#!/usr/bin/env bash
# `make demo`: the main jobs on the built-in examples.
set -euo pipefail
cq=".venv/bin/cnnquiz"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say cnnquiz solve examples/stackoverflow_gray.yaml
$cq solve examples/stackoverflow_gray.yaml

say cnnquiz lint examples/cmyk_shared.yaml
$cq lint examples/cmyk_shared.yaml || echo "(exit $?: ambiguous, as expected)"
