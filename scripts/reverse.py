"""Reverse digit strings with an exported model, loaded back with the transformers Auto classes.

    python scripts/reverse.py --model outputs/reverser/model 12345 907 31415926535

Prints one line per input: the input, the model's reversal, and whether it is right.
"""

import argparse
import sys

from transformers import pipeline

from digit_reversal.loading import load_reverser


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="exported model folder")
    parser.add_argument("texts", nargs="+", help="digit strings to reverse")
    parser.add_argument("--num_beams", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        model, tokenizer = load_reverser(args.model)
        reverser = pipeline("digit-reversal", model=model, tokenizer=tokenizer)
        outputs = reverser(args.texts, num_beams=args.num_beams)
    except (FileNotFoundError, ValueError, TypeError) as error:
        sys.exit(f"error: {error}")
    for text, output in zip(args.texts, outputs):
        print(f"{text.strip():>24} -> {output:<24} {'ok' if output == text.strip()[::-1] else 'WRONG'}")


if __name__ == "__main__":
    main()
