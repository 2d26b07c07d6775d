"""Figures: accuracy against length, and attention heatmaps (matplotlib, written as PNG)."""

from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402


def _mark_training_range(axis, training_lengths: tuple[int, int]) -> None:
    axis.axvspan(training_lengths[0] - 0.5, training_lengths[1] + 0.5, color="tab:green", alpha=0.12,
                 label=f"training lengths {training_lengths[0]}-{training_lengths[1]}")


def plot_accuracy_by_length(report: dict, training_lengths: tuple[int, int], path: str) -> None:
    """Exact match and per-digit accuracy by input length (all splits pooled), one line per decoding."""
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, metric in zip(axes, ("exact_match", "token_accuracy")):
        for decoding, style in (("greedy", "-"), ("beam", "--"), ("teacher_forced", ":")):
            pooled = defaultdict(lambda: [0.0, 0])  # length -> [sum of rate * examples, examples]
            for split in report["splits"].values():
                if decoding not in split or metric not in split[decoding]:
                    continue
                for length, scores in split[decoding]["by_length"].items():
                    pooled[int(length)][0] += scores[metric] * scores["examples"]
                    pooled[int(length)][1] += scores["examples"]
            lengths = sorted(pooled)
            if not lengths:
                continue
            axis.plot(lengths, [pooled[n][0] / pooled[n][1] for n in lengths], style, marker=".", label=decoding)
        _mark_training_range(axis, training_lengths)
        axis.set(xlabel="input length (digits)", title=metric.replace("_", " "), ylim=(-0.02, 1.02))
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy")
    axes[0].legend(loc="lower left")
    figure.suptitle(f"Digit reversal: {report['model']}")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _heatmaps(attentions, row_tokens, column_tokens, title, path) -> None:
    layers, heads = len(attentions), attentions[0].shape[1]
    figure, axes = plt.subplots(layers, heads, figsize=(2.6 * heads + 1, 2.6 * layers + 0.8), squeeze=False)
    for layer in range(layers):
        for head in range(heads):
            axis = axes[layer][head]
            axis.imshow(attentions[layer][0, head].float().numpy(), cmap="viridis", vmin=0, vmax=1)
            axis.set_xticks(range(len(column_tokens)), column_tokens, fontsize=6, rotation=90)
            axis.set_yticks(range(len(row_tokens)), row_tokens, fontsize=6)
            axis.set_title(f"layer {layer} head {head}", fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


@torch.no_grad()
def plot_attention_maps(model, tokenizer, text: str, output_dir: str) -> dict[str, str]:
    """Encoder self-, decoder self- and cross-attention of every layer and head for one input.

    The decoder side is the model's own greedy output, fed back in one teacher-forced pass.
    Returns {kind: png path}.
    """
    inputs = tokenizer([text], return_tensors="pt").to(model.device)
    generated = model.generate(**inputs)
    out = model(**inputs, decoder_input_ids=generated[:, :-1], output_attentions=True)
    source = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
    decoder_inputs = tokenizer.convert_ids_to_tokens(generated[0, :-1])
    answer = tokenizer.decode(generated[0], skip_special_tokens=True)
    kinds = {
        "encoder_self_attention": (out.encoder_attentions, source, source, "Encoder self-attention"),
        "decoder_self_attention": (out.decoder_attentions, decoder_inputs, decoder_inputs,
                                   "Decoder self-attention (look-ahead masked)"),
        "cross_attention": (out.cross_attentions, decoder_inputs, source,
                            "Cross-attention: decoder steps (rows) over input tokens (columns)"),
    }
    paths = {}
    for kind, (attentions, rows, columns, title) in kinds.items():
        paths[kind] = f"{output_dir}/{kind}.png"
        _heatmaps(attentions, rows, columns, f"{title}\n{text} -> {answer}", paths[kind])
    return paths


def length_generalization_rows(reports: dict[str, dict]) -> list[dict]:
    """One row per input length: {"length", name: {"exact_match", "token_accuracy"}} over every report.

    Exact match comes from the teacher-forced pass when a report has it (equal to greedy exact match),
    per-digit accuracy from greedy decoding; all splits are pooled.
    """
    table = defaultdict(dict)
    for name, report in reports.items():
        for split in report["splits"].values():
            for decoding, metric in (("greedy", "exact_match"), ("teacher_forced", "exact_match"),
                                     ("greedy", "token_accuracy")):
                for length, scores in split.get(decoding, {}).get("by_length", {}).items():
                    table[int(length)].setdefault(name, {})[metric] = scores[metric]
    return [{"length": length, **table[length]} for length in sorted(table)]


def plot_length_generalization(reports: dict[str, dict], training_lengths: tuple[int, int], path: str) -> None:
    """Exact match and per-digit accuracy against input length, one line per model, log-scaled lengths."""
    rows = length_generalization_rows(reports)
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, metric in zip(axes, ("exact_match", "token_accuracy")):
        for name in reports:
            points = [(row["length"], row[name][metric]) for row in rows if metric in row.get(name, {})]
            axis.plot(*zip(*points), marker=".", label=name)
        _mark_training_range(axis, training_lengths)
        axis.set(xscale="log", xlabel="input length (digits)", ylim=(-0.02, 1.02), xlim=(0.9, None),
                 title={"exact_match": "exact match", "token_accuracy": "per-digit accuracy"}[metric])
        axis.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("accuracy")
    axes[0].legend(loc="lower left")
    figure.suptitle("Length generalization on digit reversal")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
