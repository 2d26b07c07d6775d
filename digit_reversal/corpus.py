"""The digit-reversal corpus as a `datasets.DatasetDict`: source "12345", target "54321".

Splits: `train`, `validation`, `test` over the training lengths, and `test_long` over longer strings
for length generalization. A string's split is decided by a hash of the string itself (see
`heldout_bucket`), so no string of `validation` or `test` can occur in `train`, and examples are
generated block by block inside `Dataset.map`, so a 10-million-example corpus never sits in memory.
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass

import numpy as np
from datasets import Dataset, DatasetDict, Features, Value, load_from_disk
from huggingface_hub import DatasetCard

from .atomic import staged_folder

CORPUS_VERSION = 1  # bump when the generation rule changes: it is part of every fingerprint
BLOCK_SIZE = 10_000  # examples generated per map() call; bounds the memory of one worker
FEATURES = Features({"source": Value("string"), "target": Value("string"), "length": Value("int32")})
# A string whose heldout_bucket is below 5 may only be in validation, 5..9 only in test, else only in train.
HELDOUT_BUCKETS = {"validation": range(0, 5), "test": range(5, 10), "train": range(10, 100)}


@dataclass(frozen=True)
class CorpusSpec:
    """Everything that determines the corpus; the same spec gives the same bytes."""

    min_length: int = 1
    max_length: int = 20
    train_size: int = 500_000
    validation_size: int = 2_000
    test_size: int = 5_000
    long_min_length: int = 21
    long_max_length: int = 40
    long_size: int = 2_000
    long_lengths: tuple[int, ...] = ()  # if set, test_long holds exactly these lengths, in equal numbers
    seed: int = 0

    def __post_init__(self):
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError(f"Need 1 <= min_length <= max_length, got {self.min_length}..{self.max_length}.")
        if not self.max_length < self.long_min_length <= self.long_max_length:
            raise ValueError(
                f"test_long lengths {self.long_min_length}..{self.long_max_length} must lie beyond the "
                f"training lengths {self.min_length}..{self.max_length}."
            )
        object.__setattr__(self, "long_lengths", tuple(self.long_lengths))  # JSON gives a list back
        if self.long_lengths and not all(self.long_min_length <= n <= self.long_max_length for n in self.long_lengths):
            raise ValueError(f"long_lengths {self.long_lengths} must lie in {self.long_min_length}..{self.long_max_length}.")
        for name in ("train_size", "validation_size", "test_size", "long_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}.")

    def splits(self) -> dict[str, tuple[int, int, int]]:
        """split -> (number of examples, shortest, longest)."""
        return {
            "train": (self.train_size, self.min_length, self.max_length),
            "validation": (self.validation_size, self.min_length, self.max_length),
            "test": (self.test_size, self.min_length, self.max_length),
            "test_long": (self.long_size, self.long_min_length, self.long_max_length),
        }

    def fingerprint(self, split: str) -> str:
        text = json.dumps({"version": CORPUS_VERSION, "split": split, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# Named corpora. "reverse_decimal40" follows tensor2tensor's algorithmic_reverse_decimal40 protocol
# (train on 1-40 digits, test up to 400; Dehghani et al. 2018, Table 4): test_long holds 200 strings
# at each of nine lengths from 41 to 400.
CORPUS_PRESETS = {
    "default": CorpusSpec(),
    "reverse_decimal40": CorpusSpec(max_length=40, long_min_length=41, long_max_length=400, train_size=1_000_000,
                                    long_lengths=(41, 50, 60, 80, 100, 150, 200, 300, 400), long_size=1_800),
}


def heldout_bucket(text: str) -> int:
    """A stable number in 0..99 for a string (Python's hash() is salted per process, so not that)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") % 100


def _generate_block(batch, split: str, split_id: int, spec: CorpusSpec):
    """map() function: one block index in, BLOCK_SIZE (or fewer, for the last block) examples out."""
    block, count = batch["block"][0], batch["count"][0]
    _, shortest, longest = spec.splits()[split]
    buckets = HELDOUT_BUCKETS.get(split)  # None for test_long: its lengths never occur in train
    rng = np.random.default_rng([spec.seed, split_id, block])
    sources = []
    while len(sources) < count:
        if split == "test_long" and spec.long_lengths:  # cycle through the listed lengths
            lengths = np.resize(spec.long_lengths, block * BLOCK_SIZE + count)[block * BLOCK_SIZE :]
        else:
            lengths = rng.integers(shortest, longest + 1, size=count)
        digits = rng.integers(0, 10, size=(count, longest), dtype=np.uint8) + ord("0")
        for row, length in zip(digits, lengths):
            text = row[:length].tobytes().decode()
            if buckets is None or heldout_bucket(text) in buckets:
                sources.append(text)
    sources = sources[:count]
    return {"source": sources, "target": [s[::-1] for s in sources], "length": [len(s) for s in sources]}


def build_corpus(spec: CorpusSpec, num_proc: int | None = None) -> DatasetDict:
    splits = {}
    for split_id, (split, (size, _, _)) in enumerate(spec.splits().items()):
        starts = range(0, size, BLOCK_SIZE)
        blocks = Dataset.from_dict(
            {"block": list(range(len(starts))), "count": [min(BLOCK_SIZE, size - start) for start in starts]}
        )
        splits[split] = blocks.map(
            _generate_block,
            batched=True,
            batch_size=1,
            remove_columns=["block", "count"],
            features=FEATURES,
            fn_kwargs={"split": split, "split_id": split_id, "spec": spec},
            num_proc=min(num_proc or 1, len(blocks)),
            new_fingerprint=spec.fingerprint(split),
            desc=f"Generating {split}",
        )
    return DatasetDict(splits)


def _size_category(n: int) -> str:
    """The Hub's size_categories label for n examples."""
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < bound:
            return label
    return "10M<n<100M"


def _lengths_text(spec: CorpusSpec, split: str, shortest: int, longest: int) -> str:
    if split == "test_long" and spec.long_lengths:
        return ", ".join(map(str, spec.long_lengths))
    return f"{shortest}..{longest}"


def dataset_card(spec: CorpusSpec) -> DatasetCard:
    content = f"""---
license: apache-2.0
pretty_name: Digit-sequence reversal
task_categories:
- text2text-generation
language:
- en
size_categories:
- {_size_category(spec.train_size)}
tags:
- synthetic
- algorithmic
---

# Digit-sequence reversal

Random strings of the digits 0-9 (`source`), each with its reversal (`target`) and its `length`.
Generated by `scripts/build_corpus.py` of the vanilla-transformer project with this spec:

```json
{json.dumps(asdict(spec), indent=2)}
```

| split | examples | lengths |
|---|---|---|
""" + "".join(
        f"| {split} | {size:,} | {_lengths_text(spec, split, lo, hi)} |\n" for split, (size, lo, hi) in spec.splits().items()
    ) + """
Lengths are uniform within each range and digits are uniform and independent. A string's split
is fixed by `blake2b(string) mod 100` (0-4 validation, 5-9 test, 10-99 train), so no validation or
test string occurs in train; very short lengths have few distinct strings, so the evaluation splits
hold few of them. `test_long` holds lengths beyond the training range, to measure length
generalization. The same spec gives byte-identical files.
"""
    return DatasetCard(content)


def save_corpus(corpus: DatasetDict, spec: CorpusSpec, output_dir: str) -> None:
    """Write the corpus, its card and its spec; a crash mid-way leaves the old corpus or nothing."""
    with staged_folder(output_dir) as staging:
        corpus.save_to_disk(staging)
        dataset_card(spec).save(os.path.join(staging, "README.md"))
        with open(os.path.join(staging, "corpus_spec.json"), "w") as f:
            json.dump(asdict(spec), f, indent=2)


def load_corpus(corpus_dir: str) -> DatasetDict:
    """load_from_disk with a one-line error when the folder is not a corpus written by save_corpus."""
    try:
        corpus = load_from_disk(corpus_dir)
    except (FileNotFoundError, ValueError, json.JSONDecodeError) as error:
        raise ValueError(f"{corpus_dir} is not a saved digit-reversal corpus ({error}).") from None
    if not isinstance(corpus, DatasetDict) or not {"train", "validation", "test"} <= set(corpus):
        raise ValueError(f"{corpus_dir} is not a saved digit-reversal corpus (needs train/validation/test splits).")
    return corpus


def load_spec(corpus_dir: str) -> CorpusSpec:
    with open(os.path.join(corpus_dir, "corpus_spec.json")) as f:
        return CorpusSpec(**json.load(f))
