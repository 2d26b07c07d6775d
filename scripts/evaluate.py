"""Evaluate an exported reverser: exact match and per-digit accuracy, by length, greedy and beam search.

    python scripts/evaluate.py --model outputs/reverser/model --corpus_dir outputs/corpus
    python scripts/evaluate.py --model outputs/coupled/model --corpus_dir outputs/reverse40 \
        --splits test test_long --decodings teacher_forced greedy

Decodings: `greedy` and `beam` run generate() and give exact match and per-digit accuracy;
`teacher_forced` gives exact match alone from one forward pass per batch (equal to greedy exact
match, and cheap at hundreds of digits).

Writes evaluation.json (also printed) and accuracy_by_length.png, which marks the training range,
into --output_dir (default: MODEL/evaluation, so the results travel with the model to the Hub).
"""

import argparse
import json
import os
import sys

from digit_reversal.corpus import load_corpus, load_spec
from digit_reversal.evaluation import evaluate_split, teacher_forced_split
from digit_reversal.loading import load_reverser
from digit_reversal.plots import plot_accuracy_by_length


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="exported model folder")
    parser.add_argument("--corpus_dir", default="outputs/corpus", help="corpus from build_corpus.py")
    parser.add_argument("--splits", nargs="+", default=["validation", "test", "test_long"])
    parser.add_argument("--decodings", nargs="+", default=["greedy", "beam"], choices=["greedy", "beam", "teacher_forced"])
    parser.add_argument("--num_beams", type=int, default=4, help="beam width of the beam-search pass (paper: 4)")
    parser.add_argument("--max_examples", type=int, default=None, help="evaluate only the first N of each split")
    parser.add_argument("--batch_size", type=int, default=256)
    parser.add_argument("--output_dir", default=None, help="default: MODEL/evaluation")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        model, tokenizer = load_reverser(args.model)
        corpus = load_corpus(args.corpus_dir)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    missing = [split for split in args.splits if split not in corpus]
    if missing:
        sys.exit(f"error: {args.corpus_dir} has no split {', '.join(missing)} (it has {', '.join(corpus)}).")

    report = {"model": os.path.abspath(args.model), "corpus_dir": os.path.abspath(args.corpus_dir), "splits": {}}
    for split in args.splits:
        data = corpus[split]
        if args.max_examples:
            data = data.select(range(min(args.max_examples, len(data))))
        decoders = {
            "greedy": lambda: evaluate_split(model, tokenizer, data, args.batch_size),
            "beam": lambda: evaluate_split(model, tokenizer, data, args.batch_size, num_beams=args.num_beams),
            "teacher_forced": lambda: teacher_forced_split(model, tokenizer, data, args.batch_size),
        }
        report["splits"][split] = {decoding: decoders[decoding]() for decoding in args.decodings}
    report["num_beams"] = args.num_beams

    output_dir = args.output_dir or os.path.join(args.model, "evaluation")
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "evaluation.json"), "w") as f:
        json.dump(report, f, indent=2)
    spec = load_spec(args.corpus_dir)
    plot_accuracy_by_length(report, (spec.min_length, spec.max_length), os.path.join(output_dir, "accuracy_by_length.png"))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
