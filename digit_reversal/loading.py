"""Load an exported model folder with the Auto classes, with one-line errors for broken folders."""

import os

from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")


def load_reverser(model_dir: str, **model_kwargs):
    """(model in eval mode, tokenizer) from a folder written by export_model or save_pretrained."""
    if not os.path.isdir(model_dir):
        raise FileNotFoundError(f"{model_dir}: no such model folder.")
    for name in REQUIRED_FILES:
        if not os.path.isfile(os.path.join(model_dir, name)):
            raise FileNotFoundError(f"{os.path.join(model_dir, name)} is missing: not a complete model folder.")
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=True)
    except Exception as error:  # noqa: BLE001 - one line naming the file beats a deep traceback
        raise ValueError(f"{os.path.join(model_dir, 'tokenizer.json')} cannot be loaded: {error}") from None
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, trust_remote_code=True, **model_kwargs)
    except Exception as error:  # noqa: BLE001
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"{model_dir}: the model cannot be loaded ({type(error).__name__}: {first_line})") from None
    if model.config.vocab_size != len(tokenizer):
        raise ValueError(
            f"{os.path.join(model_dir, 'config.json')}: vocab_size {model.config.vocab_size} disagrees with "
            f"tokenizer.json, which has {len(tokenizer)} tokens."
        )
    return model.eval(), tokenizer
