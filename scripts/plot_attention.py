"""Heatmaps of what the model attends to, for every layer and head, from output_attentions.

    python scripts/plot_attention.py --model outputs/reverser/model --text 123456789

Writes three PNGs into --output_dir (default: MODEL/attention): encoder self-attention,
decoder self-attention and cross-attention (decoder steps against input tokens), one figure per
kind with a row per layer and a column per head, tokens on the axes. The decoder side is the
model's own greedy output, fed back in one teacher-forced pass. A trained reverser's
cross-attention shows the anti-diagonal: output step i looks at input position n-1-i.
"""

import argparse
import os
import sys

from digit_reversal.loading import load_reverser
from digit_reversal.plots import plot_attention_maps
from modeling import check_digit_strings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--text", default="123456789", help="the digit string to reverse and look at")
    parser.add_argument("--output_dir", default=None)
    args = parser.parse_args(argv)
    try:
        (text,) = check_digit_strings(args.text)
        model, tokenizer = load_reverser(args.model)
    except (FileNotFoundError, ValueError, TypeError) as error:
        sys.exit(f"error: {error}")
    output_dir = args.output_dir or os.path.join(args.model, "attention")
    os.makedirs(output_dir, exist_ok=True)
    for path in plot_attention_maps(model, tokenizer, text, output_dir).values():
        print(path)


if __name__ == "__main__":
    main()
