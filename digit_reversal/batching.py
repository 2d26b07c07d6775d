"""From corpus rows to padded training batches."""

import numpy as np
import torch
from torch.utils.data import Sampler


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


class LengthGroupedSampler(Sampler[int]):
    """A shuffled order of the examples in which every run of `batch_size` has similar lengths.

    Padding a batch of lengths 1..20 to its longest member wastes about half the computation; here
    the shuffled order is cut into groups of `group_batches` batches, each group is sorted by length
    and cut into batches, and the batches are shuffled. The order is a pure function of (seed,
    epoch), so a resumed run sees exactly the batches it would have seen.
    """

    def __init__(self, lengths, batch_size: int, seed: int, group_batches: int = 4):
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.group_size = batch_size * group_batches
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(len(self.lengths))
        batches = []
        for start in range(0, len(order), self.group_size):
            group = order[start : start + self.group_size]
            group = group[np.argsort(self.lengths[group], kind="stable")]
            batches += [group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size)]
        for batch in rng.permutation(len(batches)):
            yield from batches[batch].tolist()
