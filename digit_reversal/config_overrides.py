"""The --config_overrides syntax of the scripts: "d_model=32,dropout=0.0,position_scheme=reverse_coupled"."""

import dataclasses
import json

from modeling import VanillaTransformerConfig


def parse_config_overrides(text: str) -> dict:
    """ "d_model=32,dropout=0.0,scale_embedding=false" -> typed keyword arguments for the config."""
    fields = {field.name for field in dataclasses.fields(VanillaTransformerConfig)}
    overrides = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in fields:
            raise ValueError(f"Bad config override {item!r}: expected NAME=VALUE with NAME a config field.")
        try:
            overrides[name] = json.loads(value.lower() if value.lower() in ("true", "false", "null") else value)
        except json.JSONDecodeError:
            overrides[name] = value  # a plain string, e.g. a scheme name
    return overrides
