#!/usr/bin/env bash
# The length-generalization protocol (tensor2tensor's reverse_decimal40): train on 1-40 digits, test
# at 41..400. Trains the paper's model and the reverse_coupled opt-in the same way, evaluates both
# (exact match from teacher-forced passes, per-digit accuracy from greedy decoding) and writes the
# comparison table and plot. 3,000 steps each, about 30 minutes of training on 2 CPU cores.
#   bash scripts/length_generalization.sh [OUTPUT_ROOT]      (default: outputs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-outputs}
export HF_HUB_OFFLINE=1
launch=(accelerate launch --num_processes 1 --num_machines 1 --num_cpu_threads_per_process "$(nproc)"
        --mixed_precision no --dynamo_backend no)

python scripts/build_corpus.py --output_dir "$out/reverse40" --preset reverse_decimal40
declare -A overrides=([paper40]="position_scheme=sinusoidal" [coupled40]="position_scheme=reverse_coupled,max_position_label=448")
for run in paper40 coupled40; do
    "${launch[@]}" scripts/train.py --corpus_dir "$out/reverse40" --output_dir "$out/$run" --max_steps 3000 \
        --eval_size 500 --config_overrides "${overrides[$run]}"
    python scripts/evaluate.py --model "$out/$run/model" --corpus_dir "$out/reverse40" --splits test test_long \
        --decodings teacher_forced greedy > /dev/null
done
python scripts/compare_lengths.py --corpus_dir "$out/reverse40" --output "$out/length_generalization.png" \
    "paper (sinusoidal)=$out/paper40/model/evaluation/evaluation.json" \
    "reverse_coupled=$out/coupled40/model/evaluation/evaluation.json"
