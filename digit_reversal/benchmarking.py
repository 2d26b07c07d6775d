"""Shared parts of the benchmarks: the two contenders, the batches, FLOP counts, the machine's matmul peak.

The contenders are our model and transformers' MarianMTModel, the in-library post-LN, sinusoidal,
tied-embedding encoder-decoder, built with the same shape, vocabulary and special tokens.
"""

import json
import os
import resource
import statistics
import time

import numpy as np
import torch
from transformers import MarianConfig, MarianMTModel

from modeling import VanillaTransformerConfig, VanillaTransformerForConditionalGeneration
from tokenization import build_digit_tokenizer

from .batching import ReversalCollator

SHAPE = dict(d_model=128, num_heads=4, d_ff=512, encoder_layers=3, decoder_layers=3)


def build_models(shape: dict = SHAPE, dropout: float = 0.1, seed: int = 0) -> dict:
    """{"ours": ..., "marian": ...}, same shape and special ids, fp32, train mode."""
    torch.manual_seed(seed)
    ours = VanillaTransformerForConditionalGeneration(VanillaTransformerConfig(**shape, dropout=dropout))
    torch.manual_seed(seed)
    marian = MarianMTModel(MarianConfig(
        vocab_size=14, d_model=shape["d_model"], encoder_layers=shape["encoder_layers"],
        decoder_layers=shape["decoder_layers"], encoder_attention_heads=shape["num_heads"],
        decoder_attention_heads=shape["num_heads"], encoder_ffn_dim=shape["d_ff"], decoder_ffn_dim=shape["d_ff"],
        dropout=dropout, attention_dropout=0.0, activation_dropout=0.0, activation_function="relu",
        scale_embedding=True, share_encoder_decoder_embeddings=True, tie_word_embeddings=True,
        max_position_embeddings=512, pad_token_id=0, eos_token_id=2, bos_token_id=1, decoder_start_token_id=1,
        forced_eos_token_id=None,
    ))
    return {"ours": ours, "marian": marian}


def random_batches(count: int, batch_size: int = 128, lengths=(1, 20), seed: int = 0) -> list[dict]:
    """Batches of random digit strings and their reversals, as the training collator makes them."""
    collate = ReversalCollator(build_digit_tokenizer())
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(count):
        sources = ["".join(map(str, rng.integers(0, 10, rng.integers(lengths[0], lengths[1] + 1))))
                   for _ in range(batch_size)]
        batches.append(collate([{"source": s, "target": s[::-1]} for s in sources]))
    return batches


def smoothed_loss(model, batch, label_smoothing: float = 0.1) -> torch.Tensor:
    """The same loss for both models: label-smoothed cross-entropy on the logits."""
    decoder_input_ids = model.prepare_decoder_input_ids_from_labels(batch["labels"])
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                   decoder_input_ids=decoder_input_ids, use_cache=False).logits
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=-100,
                                             label_smoothing=label_smoothing)


def training_flops(batch: dict, shape: dict = SHAPE, vocab: int = 14, padded: bool = True) -> float:
    """Matmul FLOPs of one training step (forward x 3: backward costs twice the forward).

    Per source token and encoder layer: 8 d^2 (Q, K, V, output projections) + 4 d d_ff (FFN)
    + 4 S d (scores and weighted sum over S keys). Per target token and decoder layer: 8 d^2 (self
    projections) + 4 d^2 (cross Q and output) + 4 d d_ff + 4 T d (self-attention) + 4 S d (cross);
    per source token and decoder layer: 4 d^2 (cross K, V). Per target token: 2 d V (output layer).
    `padded` counts every position of the padded batch; otherwise only the real tokens.
    """
    d, d_ff = shape["d_model"], shape["d_ff"]
    n_enc, n_dec = shape["encoder_layers"], shape["decoder_layers"]
    if padded:
        src_lengths = [batch["input_ids"].shape[1]] * batch["input_ids"].shape[0]
        tgt_lengths = [batch["labels"].shape[1]] * batch["labels"].shape[0]
    else:
        src_lengths = batch["attention_mask"].sum(1).tolist()
        tgt_lengths = (batch["labels"] != -100).sum(1).tolist()
    total = 0.0
    for s, t in zip(src_lengths, tgt_lengths):
        encoder = n_enc * s * (8 * d * d + 4 * d * d_ff + 4 * s * d)
        decoder = n_dec * (t * (12 * d * d + 4 * d * d_ff + 4 * t * d + 4 * s * d) + s * 4 * d * d)
        total += encoder + decoder + t * 2 * d * vocab
    return 3 * total


def matmul_peak_gflops(size: int = 1024, repeats: int = 20) -> float:
    """The best fp32 matmul rate of this machine on the current torch threads (GFLOP/s)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values) -> float:
    return statistics.median(values)


def write_report(report: dict, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=2)


def print_table(headers: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    for row in (headers, ["-" * w for w in widths], *rows):
        print("  ".join(str(x).rjust(w) for x, w in zip(row, widths)))
