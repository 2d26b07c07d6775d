#!/usr/bin/env bash
# The main job: build the default corpus, train the default model, evaluate it, export it, and
# reverse a few strings with the exported folder loaded back through the Auto classes.
#   bash scripts/main_job.sh [OUTPUT_ROOT]      (default: outputs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-outputs}
export HF_HUB_OFFLINE=1

python scripts/build_corpus.py --output_dir "$out/corpus"
accelerate launch --num_processes 1 --num_machines 1 --num_cpu_threads_per_process "$(nproc)" --mixed_precision no --dynamo_backend no \
    scripts/train.py --corpus_dir "$out/corpus" --output_dir "$out/reverser" --target_exact_match 1.0
python scripts/evaluate.py --model "$out/reverser/model" --corpus_dir "$out/corpus" > "$out/evaluation.json"
echo "evaluation: $out/reverser/model/evaluation/{evaluation.json,accuracy_by_length.png}"
python scripts/reverse.py --model "$out/reverser/model" 12345 9070 31415926535 27182818284590452353 \
    1234567890123456789012345
