"""Load an exported model folder with the Auto classes, with one-line errors for broken folders."""

import json
import os

from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

import modeling  # registers the Auto classes and the digit-reversal pipeline

REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def load_reverser(model_dir: str, **model_kwargs):
    """(model in eval mode, tokenizer) from a folder written by export_model or save_pretrained.

    Every failure is a FileNotFoundError or ValueError whose message names the file at fault.
    """
    if not os.path.isdir(model_dir):
        raise FileNotFoundError(f"{model_dir}: no such model folder.")
    path = {name: os.path.join(model_dir, name) for name in REQUIRED_FILES}
    for name in REQUIRED_FILES:
        if not os.path.isfile(path[name]):
            raise FileNotFoundError(f"{path[name]} is missing: not a complete model folder.")
    try:
        with open(path["config.json"]) as f:
            model_type = json.load(f).get("model_type")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as error:
        raise ValueError(f"{path['config.json']} is not a JSON config ({_first_line(error)})") from None
    if model_type != modeling.VanillaTransformerConfig.model_type:
        raise ValueError(f"{path['config.json']}: model_type {model_type!r} is not "
                         f"{modeling.VanillaTransformerConfig.model_type}.")
    try:
        config = AutoConfig.from_pretrained(model_dir, trust_remote_code=True)
    except Exception as error:  # noqa: BLE001 - one line naming the file beats a deep traceback
        raise ValueError(f"{path['config.json']} cannot be used ({_first_line(error)})") from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=True)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"{path['tokenizer.json']} cannot be loaded ({_first_line(error)})") from None
    if getattr(config, "vocab_size", None) != len(tokenizer):
        raise ValueError(f"{path['config.json']}: vocab_size {getattr(config, 'vocab_size', None)} disagrees with "
                         f"tokenizer.json, which has {len(tokenizer)} tokens.")
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir, trust_remote_code=True, **model_kwargs)
    except Exception as error:  # noqa: BLE001
        raise ValueError(f"{path['model.safetensors']} cannot be loaded ({_first_line(error)})") from None
    return model.eval(), tokenizer
