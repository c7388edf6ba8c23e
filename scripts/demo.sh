#!/usr/bin/env bash
# `make demo`: the main jobs on the built-in examples. Outputs go to demo-out/ (git-ignored).
set -euo pipefail
cq=".venv/bin/cnnquiz"
out="demo-out"
rm -rf "$out"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say cnnquiz solve examples/stackoverflow_gray.yaml
$cq solve examples/stackoverflow_gray.yaml

say cnnquiz lint examples/cmyk_shared.yaml
$cq lint examples/cmyk_shared.yaml || echo "(exit $?: ambiguous, as expected)"

say cnnquiz solve examples/torch_net.py --input-shape 32x32x3 --format markdown
$cq solve examples/torch_net.py --input-shape 32x32x3 --format markdown | head -12

say cnnquiz generate --topics color,sharing,trainable-pooling --count 6 --seed 1 --format html --out $out/set
$cq generate --topics color,sharing,trainable-pooling --count 6 --seed 1 --format html --out "$out/set"
first=$(ls "$out"/set/problems/*.json | head -1)

say cnnquiz generate --from examples/midterm_network.yaml --count 3 --choices 4 --format md --out $out/mine
$cq generate --from examples/midterm_network.yaml --count 3 --choices 4 --format md --out "$out/mine"

say cnnquiz exam tests/exam/midterm.yaml --format pdf --out $out/exam
$cq exam tests/exam/midterm.yaml --format pdf --out "$out/exam"

say cnnquiz grade "$first" --answer 12345
$cq grade "$first" --answer 12345

say cnnquiz grade examples/cmyk_shared.yaml --answer 1830600
$cq grade examples/cmyk_shared.yaml --answer 1830600

say cnnquiz grade-batch examples/class_submissions.csv --out $out/results.csv --canvas $out/canvas.csv --feedback-dir $out/feedback
$cq grade-batch examples/class_submissions.csv --out "$out/results.csv" --canvas "$out/canvas.csv" \
    --feedback-dir "$out/feedback"

say cnnquiz report $out/results.csv --out $out/report.html
$cq report "$out/results.csv" --out "$out/report.html"

printf '\nOpen %s/set/problems.html (problem set), %s/set/solutions.html (answer key with worked\nsolutions), %s/exam/exam.pdf (an assembled exam) and %s/report.html (class report).\nPractise with: .venv/bin/cnnquiz practice\n' \
    "$out" "$out" "$out" "$out"
