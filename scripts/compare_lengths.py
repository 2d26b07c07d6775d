"""Accuracy against input length for several evaluated models: a markdown table and one plot.

    python scripts/compare_lengths.py --corpus_dir outputs/reverse40 --output docs/length_generalization.png \
        paper=outputs/paper40/model/evaluation/evaluation.json coupled=outputs/coupled40/model/evaluation/evaluation.json

Each NAME=PATH is an evaluation.json written by evaluate.py (run it with `--decodings teacher_forced
greedy` for cheap exact match at long lengths). The table (printed) gives exact match / per-digit
accuracy per length; the plot marks the training range read from the corpus spec.
"""

import argparse
import json
import sys

from digit_reversal.corpus import load_spec
from digit_reversal.plots import length_generalization_rows, plot_length_generalization


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("reports", nargs="+", metavar="NAME=PATH", help="evaluation.json of one model")
    parser.add_argument("--corpus_dir", required=True, help="the corpus the models were trained on")
    parser.add_argument("--output", required=True, help="PNG to write")
    parser.add_argument("--lengths", type=int, nargs="*", default=None, help="table rows (default: every length)")
    args = parser.parse_args(argv)
    reports = {}
    try:
        for item in args.reports:
            name, sep, path = item.partition("=")
            if not sep or not name:
                raise ValueError(f"expected NAME=PATH, got {item!r}")
            with open(path) as f:
                reports[name] = json.load(f)
        spec = load_spec(args.corpus_dir)
    except (OSError, ValueError) as error:
        sys.exit(f"error: {error}")

    plot_length_generalization(reports, (spec.min_length, spec.max_length), args.output)
    rows = [row for row in length_generalization_rows(reports) if args.lengths is None or row["length"] in args.lengths]

    def cell(scores):
        return " / ".join(f"{scores[m]:{fmt}}" if m in scores else "-" for m, fmt in (("exact_match", ".1%"), ("token_accuracy", ".2%")))

    print("| input length | " + " | ".join(f"{name}: exact / per-digit" for name in reports) + " |")
    print("|---|" + "---|" * len(reports))
    for row in rows:
        print(f"| {row['length']} | " + " | ".join(cell(row.get(name, {})) for name in reports) + " |")
    print(f"\nplot: {args.output}")


if __name__ == "__main__":
    main()
