"""From corpus rows to padded training batches."""

import torch


class ReversalCollator:
    """Tokenizes corpus rows into one padded batch: input_ids, attention_mask, labels.

    Tokenizing per batch (microseconds for digit strings) avoids a tokenized copy of the corpus.
    Label padding becomes -100, which the loss ignores.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(
            [row["source"] for row in rows],
            text_target=[row["target"] for row in rows],
            padding=True,
            return_tensors="pt",
        )
        batch["labels"] = batch["labels"].masked_fill(batch["labels"] == self.tokenizer.pad_token_id, -100)
        return dict(batch)
