"""Export a trained model as a complete Hub repo folder.

The folder holds model.safetensors, config.json (with auto_map and custom_pipelines), the model and
pipeline code, tokenizer.json, generation_config.json and README.md, the model card rendered from
the top-level model_card.md, with attention maps and the project's length-generalization figure.
It is written under a temporary name and renamed into place when complete, so an interrupted export
never leaves a folder that looks complete.
"""

import json
import os
import shutil
from pathlib import Path

from huggingface_hub import EvalResult, ModelCard, ModelCardData
from transformers import pipeline

from modeling import PIPELINE_TASK

from .atomic import staged_folder
from .plots import plot_attention_maps

MODEL_CARD_TEMPLATE = Path(__file__).resolve().parent.parent / "model_card.md"
# The project's measured length-generalization figure, which the card shows next to its table.
LENGTH_FIGURE = Path(__file__).resolve().parent.parent / "docs" / "length_generalization.png"
ATTENTION_EXAMPLE = "123456789"  # the input whose attention maps ship in the folder and the card
SPLIT_NAMES = {"validation": "validation", "test": "test (in-distribution lengths)",
               "test_long": "test_long (longer than training)"}


def render_model_card(config, results: dict, training: dict, repo_id: str) -> ModelCard:
    """The card: YAML metadata with a model-index of the measured exact-match, then model_card.md filled in."""
    eval_results = [
        EvalResult(
            task_type="text2text-generation", task_name="Digit-sequence reversal",
            dataset_type="digit-reversal", dataset_name="Digit-sequence reversal", dataset_split=split,
            metric_type=metric, metric_name=metric.replace("_", " "), metric_value=round(scores[metric], 6),
        )
        for split, scores in results.items()
        for metric in ("exact_match", "token_accuracy")
    ]
    card_data = ModelCardData(
        license="apache-2.0",
        library_name="transformers",
        pipeline_tag="text2text-generation",
        tags=["transformer", "encoder-decoder", "attention-is-all-you-need", "digit-reversal", "custom_code"],
        datasets=["digit-reversal"],
        metrics=["exact_match", "accuracy"],
        model_name=repo_id,
        eval_results=eval_results,
    )
    rows = [
        {"split": SPLIT_NAMES.get(split, split), "examples": scores["examples"],
         "exact_match": f"{100 * scores['exact_match']:.2f}%", "token_accuracy": f"{100 * scores['token_accuracy']:.2f}%",
         "lengths": f"{min(scores['by_length'])}..{max(scores['by_length'])}"}
        for split, scores in results.items()
    ]
    return ModelCard.from_template(
        card_data,
        template_path=str(MODEL_CARD_TEMPLATE),
        repo_id=repo_id,
        config=config,
        parameters=f"{training['parameters']:,}",
        results=rows,
        training=training,
        attention_example=ATTENTION_EXAMPLE,
    )


def export_model(model, tokenizer, output_dir: str, results: dict, training: dict,
                 repo_id: str = "your-name/vanilla-transformer-digit-reversal") -> str:
    """Write the Hub repo folder for `model` (via the pipeline, so the pipeline code ships too)."""
    training = {**training, "parameters": sum(p.numel() for p in model.parameters())}
    model.eval()
    with staged_folder(output_dir) as staging:
        # save_pretrained records one auto class per class; AutoModel (the base model) is added here.
        model.config.auto_map = {"AutoModel": "modeling_vanilla_transformer.VanillaTransformerModel"}
        pipeline(PIPELINE_TASK, model=model, tokenizer=tokenizer).save_pretrained(staging)
        os.makedirs(os.path.join(staging, "attention"))
        plot_attention_maps(model, tokenizer, ATTENTION_EXAMPLE, os.path.join(staging, "attention"))
        shutil.copyfile(LENGTH_FIGURE, os.path.join(staging, LENGTH_FIGURE.name))
        render_model_card(model.config, results, training, repo_id).save(os.path.join(staging, "README.md"))
        with open(os.path.join(staging, "results.json"), "w") as f:
            json.dump({"results": results, "training": training}, f, indent=2)
    return os.path.abspath(output_dir)
