"""Accuracy of a reverser: exact match and per-digit accuracy, overall and by input length."""

from collections import defaultdict

import torch

from .batching import ReversalCollator


def _rates_by_length(lengths: list[int], counts: list[tuple], rates) -> dict:
    """Sum per-example count tuples overall and per length, then turn each sum into rates."""
    by_length = defaultdict(lambda: [0] * len(counts[0]))
    for length, example in zip(lengths, counts, strict=True):
        by_length[length] = [a + b for a, b in zip(by_length[length], example)]
    total = [sum(column) for column in zip(*by_length.values())]
    return {**rates(*total), "by_length": {length: rates(*by_length[length]) for length in sorted(by_length)}}


def score_predictions(predictions: list[str], targets: list[str]) -> dict:
    """Exact match (whole string right) and token accuracy (position-wise digit agreement over the target).

    A prediction that is too long or too short loses the positions it gets wrong or misses.
    """
    counts = [(1, prediction == target, sum(p == t for p, t in zip(prediction, target)), len(target))
              for prediction, target in zip(predictions, targets, strict=True)]

    def rates(examples, exact, correct, digits):
        return {"examples": examples, "exact_match": exact / examples, "token_accuracy": correct / digits}

    return _rates_by_length([len(t) for t in targets], counts, rates)


@torch.no_grad()
def generate_reversals(model, tokenizer, sources: list[str], batch_size: int = 256, **generate_kwargs) -> list[str]:
    """Decode every source with model.generate(); batches are sorted by length so little is padded."""
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    predictions = [""] * len(sources)
    was_training = model.training
    model.eval()
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        batch = tokenizer([sources[i] for i in indices], padding=True, return_tensors="pt").to(model.device)
        output_ids = model.generate(**batch, **generate_kwargs)
        for i, text in zip(indices, tokenizer.batch_decode(output_ids, skip_special_tokens=True)):
            predictions[i] = text
    model.train(was_training)
    return predictions


def evaluate_split(model, tokenizer, dataset, batch_size: int = 256, **generate_kwargs) -> dict:
    """Scores on a corpus split (columns `source`, `target`)."""
    sources, targets = list(dataset["source"]), list(dataset["target"])
    return score_predictions(generate_reversals(model, tokenizer, sources, batch_size, **generate_kwargs), targets)


@torch.no_grad()
def teacher_forced_correct(model, batches) -> torch.Tensor:
    """Per sequence, whether every target token is the argmax given the true prefix, (examples,) bool.

    Equal to greedy exact match (greedy decoding goes wrong exactly where this does first), at the
    cost of one forward pass instead of one per output token. `batches` hold input_ids,
    attention_mask and labels (-100 where ignored), as ReversalCollator makes them.
    """
    was_training = model.training
    model.eval()
    correct = []
    for batch in batches:
        batch = {k: v.to(model.device) for k, v in batch.items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       decoder_input_ids=model.prepare_decoder_input_ids_from_labels(batch["labels"]), use_cache=False).logits
        right = (logits.argmax(-1) == batch["labels"]) | (batch["labels"] == -100)  # (batch, tgt_len)
        correct.append(right.all(dim=1).cpu())
    model.train(was_training)
    return torch.cat(correct)


def teacher_forced_exact_match(model, batches) -> float:
    return teacher_forced_correct(model, batches).float().mean().item()


def teacher_forced_split(model, tokenizer, dataset, batch_size: int = 256) -> dict:
    """Exact match on a corpus split from teacher-forced passes, overall and by length (no decoding)."""
    collate = ReversalCollator(tokenizer)
    rows = sorted(dataset.to_list(), key=lambda row: len(row["source"]))  # little padding per batch
    batches = (collate(rows[start : start + batch_size]) for start in range(0, len(rows), batch_size))
    correct = teacher_forced_correct(model, batches).tolist()

    def rates(examples, exact):
        return {"examples": examples, "exact_match": exact / examples}

    return _rates_by_length([len(row["source"]) for row in rows], [(1, right) for right in correct], rates)
