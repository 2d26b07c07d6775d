"""Build the digit-reversal corpus with `datasets` and save it with `save_to_disk`.

    python scripts/build_corpus.py --output_dir outputs/corpus
    python scripts/build_corpus.py --output_dir outputs/corpus_10m --train_size 10000000 --num_proc 2
    python scripts/build_corpus.py --output_dir outputs/reverse40 --preset reverse_decimal40

Splits: train / validation / test with lengths min_length..max_length (no evaluation string occurs
in train), and test_long with lengths long_min_length..long_max_length. The same arguments give
byte-identical files. The folder also holds a dataset card (README.md) and corpus_spec.json.
"""

import argparse
import dataclasses
import sys

from digit_reversal.corpus import CORPUS_PRESETS, CorpusSpec, build_corpus, save_corpus


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output_dir", required=True, help="folder to write (replaced whole if it exists)")
    parser.add_argument("--preset", default="default", choices=sorted(CORPUS_PRESETS),
                        help="named spec; the options below override its fields")
    for field in dataclasses.fields(CorpusSpec):
        nargs = "+" if field.name == "long_lengths" else None  # the one tuple-valued field
        parser.add_argument(f"--{field.name}", type=int, nargs=nargs, default=None,
                            help=f"default (preset 'default') {field.default}")
    parser.add_argument("--num_proc", type=int, default=2, help="processes generating the train split")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(CorpusSpec) if getattr(args, f.name) is not None}
    try:
        spec = dataclasses.replace(CORPUS_PRESETS[args.preset], **overrides)
    except ValueError as error:
        sys.exit(f"error: {error}")
    corpus = build_corpus(spec, num_proc=args.num_proc)
    save_corpus(corpus, spec, args.output_dir)
    print(f"Saved {', '.join(f'{split} {len(ds):,}' for split, ds in corpus.items())} to {args.output_dir}")


if __name__ == "__main__":
    main()
