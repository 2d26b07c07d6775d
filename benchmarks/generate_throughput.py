"""Generation throughput: our model vs MarianMTModel through the same generate() call, and generate() vs a loop.

    python benchmarks/generate_throughput.py [--repeats 5] [--threads 2]

Inputs are 20-digit strings; every call generates exactly 21 tokens (eos_token_id=None: no stop at
</s>, and no logits processor, whose per-step signature inspection a min_new_tokens limit would add),
so both models and the hand-written loop do the same work whatever their untrained weights predict. Cases: greedy at batch 1, 32 and
256, beam 4 at batch 32, each with and without the KV cache; then ours through generate() vs a
minimal hand-written cached greedy loop at batch 1 (the cost of the generation machinery). The
contenders alternate call by call; the median of --repeats calls is reported as sequences/s.
"""

import argparse
import time

import torch

from digit_reversal.benchmarking import build_models, median, print_table, random_batches, write_report

NEW_TOKENS = 21
CASES = [("greedy", 1), ("greedy", 32), ("greedy", 256), ("beam4", 32)]


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


@torch.no_grad()
def hand_written_greedy(model, batch):
    """The least a cached greedy decoder must do: encode once, then one decoder step per token."""
    encoder_outputs = model.get_encoder()(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    tokens = torch.full((batch["input_ids"].shape[0], 1), model.config.decoder_start_token_id)
    past, generated = None, [tokens]
    for _ in range(NEW_TOKENS):
        out = model(encoder_outputs=encoder_outputs, attention_mask=batch["attention_mask"],
                    decoder_input_ids=tokens, past_key_values=past, use_cache=True)
        past, tokens = out.past_key_values, out.logits[:, -1:].argmax(-1)
        generated.append(tokens)
    return torch.cat(generated, dim=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", default="benchmarks/results/generate_throughput.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    models = {name: model.eval() for name, model in build_models().items()}
    report = {"threads": args.threads, "new_tokens": NEW_TOKENS, "cases": {}}
    rows = []
    for decoding, batch_size in CASES:
        batch = random_batches(1, batch_size, lengths=(20, 20), seed=batch_size)[0]
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        options = dict(max_new_tokens=NEW_TOKENS, eos_token_id=None,
                       num_beams=4 if decoding == "beam4" else 1, do_sample=False)
        for use_cache in (True, False):
            seconds = {name: [] for name in models}
            for repeat in range(args.repeats + 1):  # the first round warms up
                for name, model in models.items():
                    elapsed = timed(lambda: model.generate(**inputs, **options, use_cache=use_cache))
                    if repeat:
                        seconds[name].append(elapsed)
            rates = {name: batch_size / median(seconds[name]) for name in models}
            key = f"{decoding} batch {batch_size} {'cache' if use_cache else 'no cache'}"
            report["cases"][key] = {f"{name}_sequences_per_second": round(rate, 2) for name, rate in rates.items()}
            report["cases"][key]["ratio_ours_over_marian"] = round(rates["ours"] / rates["marian"], 3)
            rows.append([key, f"{rates['ours']:.1f}", f"{rates['marian']:.1f}", f"{rates['ours'] / rates['marian']:.2f}x"])

    # generate() against the hand-written loop, batch 1, cached greedy.
    ours = models["ours"]
    batch = random_batches(1, 1, lengths=(20, 20), seed=1)[0]
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    options = dict(max_new_tokens=NEW_TOKENS, eos_token_id=None, do_sample=False)
    assert ours.generate(**inputs, **options).shape == hand_written_greedy(ours, inputs).shape  # same work
    loop, machinery = [], []
    for repeat in range(3 * args.repeats + 1):
        elapsed_loop = timed(lambda: hand_written_greedy(ours, inputs))
        elapsed_generate = timed(lambda: ours.generate(**inputs, **options))
        if repeat:
            loop.append(elapsed_loop)
            machinery.append(elapsed_generate)
    overhead = median(machinery) / median(loop) - 1
    report["generate_vs_hand_written_loop_batch_1"] = {
        "generate_seconds": round(median(machinery), 5), "loop_seconds": round(median(loop), 5),
        "generate_overhead": round(overhead, 3)}

    print(f"torch threads {args.threads}; {NEW_TOKENS} new tokens per sequence; 20-digit inputs")
    print_table(["case", "ours seq/s", "marian seq/s", "ours/marian"], rows)
    print(f"ours, batch 1 greedy: generate() {median(machinery) * 1e3:.1f} ms vs hand-written loop "
          f"{median(loop) * 1e3:.1f} ms: generate() overhead {100 * overhead:+.1f}%")
    write_report(report, args.output)


if __name__ == "__main__":
    main()
