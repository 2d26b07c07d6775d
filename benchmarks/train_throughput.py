"""Training throughput: our model vs transformers' MarianMTModel of the same shape, same batches, same loss.

    python benchmarks/train_throughput.py [--steps 40] [--threads 2]

Both models: d_model 128, 4 heads, d_ff 512, 3+3 layers, tied embeddings, the digit vocabulary,
dropout 0.1, Adam(0.9, 0.98, 1e-9), label-smoothed cross-entropy, batches of 128 pairs of length
1..20. The contenders alternate step by step (A B A B ...) so machine drift hits both alike. Prints
median target tokens/s, the ratio, peak RSS, and model FLOPs utilization (padded and useful FLOPs,
formula in digit_reversal.benchmarking.training_flops) against the fp32 matmul peak measured here.
"""

import argparse
import time

import torch

from digit_reversal.benchmarking import (
    SHAPE, build_models, matmul_peak_gflops, median, peak_rss_mib, print_table, random_batches, smoothed_loss,
    training_flops, write_report,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40, help="measured steps per model")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured steps per model first")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", default="benchmarks/results/train_throughput.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    models = build_models()
    optimizers = {name: torch.optim.Adam(m.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
                  for name, m in models.items()}
    batches = random_batches(args.warmup + args.steps)
    seconds = {name: [] for name in models}
    for step, batch in enumerate(batches):
        for name, model in models.items():  # A B A B ...
            model.train()
            started = time.perf_counter()
            smoothed_loss(model, batch).backward()
            optimizers[name].step()
            optimizers[name].zero_grad(set_to_none=True)
            if step >= args.warmup:
                seconds[name].append(time.perf_counter() - started)

    measured = batches[args.warmup:]
    tokens = [int((b["labels"] != -100).sum()) for b in measured]
    padded = median([training_flops(b, padded=True) for b in measured])
    useful = median([training_flops(b, padded=False) for b in measured])
    peak = matmul_peak_gflops()
    report = {"threads": args.threads, "shape": SHAPE, "batch_size": 128, "steps": args.steps,
              "matmul_peak_gflops": round(peak, 1), "peak_rss_mib": round(peak_rss_mib(), 1), "models": {}}
    rows = []
    for name in models:
        step_seconds = median(seconds[name])
        report["models"][name] = {
            "median_step_seconds": round(step_seconds, 4),
            "median_target_tokens_per_second": round(median([t / s for t, s in zip(tokens, seconds[name])]), 1),
            "mfu_padded": round(padded / step_seconds / 1e9 / peak, 4),
            "mfu_useful": round(useful / step_seconds / 1e9 / peak, 4),
        }
        r = report["models"][name]
        rows.append([name, r["median_step_seconds"], r["median_target_tokens_per_second"],
                     f"{100 * r['mfu_padded']:.1f}%", f"{100 * r['mfu_useful']:.1f}%"])
    report["ratio_ours_over_marian"] = round(report["models"]["ours"]["median_target_tokens_per_second"]
                                             / report["models"]["marian"]["median_target_tokens_per_second"], 3)
    print(f"torch threads {args.threads}; fp32 matmul peak {peak:.1f} GFLOP/s; "
          f"padded {padded / 1e9:.2f} / useful {useful / 1e9:.2f} GFLOP per step; peak RSS {report['peak_rss_mib']} MiB")
    print_table(["model", "s/step", "target tok/s", "MFU padded", "MFU useful"], rows)
    print(f"throughput ours / marian: {report['ratio_ours_over_marian']}x")
    write_report(report, args.output)


if __name__ == "__main__":
    main()
