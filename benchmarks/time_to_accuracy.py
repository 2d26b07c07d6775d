"""Time to accuracy: steps and wall seconds to 99% and 99.9% exact match, ours vs MarianMTModel.

    python benchmarks/time_to_accuracy.py [--max_steps 2500] [--threads 2]

Same recipe for both: the training script's defaults (the digit-reversal preset shape d_model 64,
4 heads, d_ff 256, 2+2 layers; Adam(0.9, 0.98, 1e-9), inverse-square-root schedule, warm-up 200,
peak 3e-3, clipping 1.0, dropout 0.1, label smoothing 0.1, batches of 128), same seed, same batches,
alternating step by step. Exact match on the held-out test split (2,000 strings of length 1..20) is
measured every --eval_every steps with one teacher-forced forward pass, which equals greedy
exact match; greedy decoding checks it at the end. Wall seconds count training steps only.
"""

import argparse
import time

import torch
from torch.utils.data import DataLoader
from transformers import get_inverse_sqrt_schedule

from digit_reversal.batching import ReversalCollator
from digit_reversal.benchmarking import build_models, print_table, smoothed_loss, write_report
from digit_reversal.corpus import CorpusSpec, build_corpus
from digit_reversal.evaluation import evaluate_split, teacher_forced_exact_match
from modeling import PRESETS
from tokenization import build_digit_tokenizer

TARGETS = (0.99, 0.999)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max_steps", type=int, default=2500)
    parser.add_argument("--eval_every", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default="benchmarks/results/time_to_accuracy.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    tokenizer = build_digit_tokenizer()
    corpus = build_corpus(CorpusSpec(train_size=400_000, validation_size=10, test_size=2000, long_size=10,
                                     seed=args.seed))
    collate = ReversalCollator(tokenizer)
    test_batches = [collate([corpus["test"][i] for i in range(s, min(s + 500, 2000))]) for s in range(0, 2000, 500)]
    train_batches = iter(DataLoader(corpus["train"], batch_size=128, shuffle=True, collate_fn=collate,
                                    generator=torch.Generator().manual_seed(args.seed)))

    shape = {k: v for k, v in PRESETS["digit-reversal"].items() if k != "dropout"}
    models = build_models(shape, dropout=0.1, seed=args.seed)
    optimizers = {n: torch.optim.Adam(m.parameters(), lr=3e-3, betas=(0.9, 0.98), eps=1e-9) for n, m in models.items()}
    schedulers = {n: get_inverse_sqrt_schedule(o, num_warmup_steps=200) for n, o in optimizers.items()}
    state = {n: {"seconds": 0.0, "reached": {}, "history": []} for n in models}
    running = set(models)
    for step in range(1, args.max_steps + 1):
        batch = next(train_batches)
        for name in sorted(running):  # alternate: marian, ours, marian, ours ...
            model = models[name].train()
            started = time.perf_counter()
            smoothed_loss(model, batch).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizers[name].step()
            schedulers[name].step()
            optimizers[name].zero_grad(set_to_none=True)
            state[name]["seconds"] += time.perf_counter() - started
        if step % args.eval_every == 0:
            for name in sorted(running):
                exact = teacher_forced_exact_match(models[name], test_batches)
                state[name]["history"].append((step, round(state[name]["seconds"], 1), exact))
                for target in TARGETS:
                    if exact >= target and target not in state[name]["reached"]:
                        state[name]["reached"][target] = {"step": step, "seconds": round(state[name]["seconds"], 1)}
                if len(state[name]["reached"]) == len(TARGETS):
                    running.discard(name)
            print(f"step {step}: " + ", ".join(f"{n} {state[n]['history'][-1][2]:.4f}" for n in sorted(models)
                                               if state[n]["history"] and state[n]["history"][-1][0] == step),
                  flush=True)
        if not running:
            break

    report = {"threads": args.threads, "shape": shape, "max_steps": args.max_steps, "models": {}}
    rows = []
    for name, model in models.items():
        greedy = evaluate_split(model, tokenizer, corpus["test"])["exact_match"]
        final_tf = state[name]["history"][-1][2] if state[name]["history"] else None
        report["models"][name] = {"reached": {str(t): v for t, v in state[name]["reached"].items()},
                                  "final_teacher_forced_exact_match": final_tf, "final_greedy_exact_match": greedy,
                                  "history": state[name]["history"]}
        cells = [f"{r['step']} / {r['seconds']} s" if (r := state[name]["reached"].get(t)) else "not reached"
                 for t in TARGETS]
        rows.append([name, *cells, f"{final_tf:.4f} / {greedy:.4f}"])
    for target in TARGETS:
        ours, marian = (state[n]["reached"].get(target) for n in ("ours", "marian"))
        if ours and marian:
            report[f"wall_ratio_ours_over_marian_{target}"] = round(ours["seconds"] / marian["seconds"], 3)
    print(f"torch threads {args.threads}; shape {shape}; test split 2,000 strings of 1..20 digits")
    print_table(["model", "99% (step / s)", "99.9% (step / s)", "final exact: teacher-forced / greedy"], rows)
    for key, value in report.items():
        if key.startswith("wall_ratio"):
            print(f"{key}: {value}")
    write_report(report, args.output)


if __name__ == "__main__":
    main()
