"""Train the original Transformer to reverse digit strings, with accelerate.

    accelerate launch scripts/train.py --output_dir outputs/reverser
    python scripts/train.py --output_dir outputs/tiny --max_steps 200 \
        --config_overrides "d_model=32,num_heads=4,d_ff=64,encoder_layers=1,decoder_layers=1"
    accelerate launch --multi_gpu --num_processes 2 scripts/train.py --output_dir outputs/ddp
    accelerate launch scripts/train.py --output_dir outputs/reverser --resume_from_checkpoint latest

The recipe is the paper's (section 5): Adam(0.9, 0.98, 1e-9), the inverse-square-root schedule with
warm-up, dropout 0.1 and label smoothing 0.1. The run folder gets `checkpoints/step_N` (full training
state, for --resume_from_checkpoint), `logs/` (TensorBoard) and `model/`, the exported Hub-ready
model with its card. If --corpus_dir does not hold a corpus yet, the default corpus is built there.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
from accelerate import Accelerator
from accelerate.logging import get_logger
from accelerate.utils import DataLoaderConfiguration, ProjectConfiguration, set_seed
from huggingface_hub.errors import StrictDataclassError
from torch.utils.data import DataLoader
from tqdm.auto import tqdm
from transformers import get_inverse_sqrt_schedule

from digit_reversal.batching import LengthGroupedSampler, ReversalCollator
from digit_reversal.checkpoints import resolve_checkpoint, save_checkpoint
from digit_reversal.corpus import CorpusSpec, build_corpus, load_corpus, save_corpus
from digit_reversal.evaluation import evaluate_split
from digit_reversal.config_overrides import parse_config_overrides
from digit_reversal.export import export_model
from modeling import PRESETS, VanillaTransformerConfig, VanillaTransformerForConditionalGeneration
from tokenization import build_digit_tokenizer

logger = get_logger(__name__)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = parser.add_argument_group("data")
    data.add_argument("--corpus_dir", default="outputs/corpus", help="corpus from build_corpus.py (built here if absent)")
    data.add_argument("--output_dir", required=True, help="run folder: checkpoints/, logs/, model/")
    model = parser.add_argument_group("model")
    model.add_argument("--preset", default="digit-reversal", choices=sorted(PRESETS), help="model size")
    model.add_argument("--config_overrides", default="", help='config fields, e.g. "d_model=32,num_heads=4,dropout=0.0"')
    optim = parser.add_argument_group("optimization (section 5.3)")
    optim.add_argument("--max_steps", type=int, default=3000, help="optimizer updates")
    optim.add_argument("--batch_size", type=int, default=128, help="sentence pairs per process per micro-batch")
    optim.add_argument("--group_by_length", action="store_true",
                       help="batch strings of similar length together: ~1.3x faster steps, but measured to "
                            "need many more steps on reversal, so off by default")
    optim.add_argument("--gradient_accumulation_steps", type=int, default=1)
    optim.add_argument("--warmup_steps", type=int, default=200)
    optim.add_argument("--learning_rate", type=float, default=3e-3,
                       help="peak rate (default tuned for the digit-reversal preset); 0 means the paper's "
                            "formula d_model^-0.5 * warmup^-0.5 (5.3), 8.8e-3 here, measured unstable")
    optim.add_argument("--adam_beta1", type=float, default=0.9)
    optim.add_argument("--adam_beta2", type=float, default=0.98)
    optim.add_argument("--adam_epsilon", type=float, default=1e-9)
    optim.add_argument("--max_grad_norm", type=float, default=1.0,
                       help="clip gradients to this norm (0 = off; the paper does not clip, but without it the "
                            "small model's loss spikes)")
    optim.add_argument("--mixed_precision", choices=["no", "fp16", "bf16"], default="no")
    optim.add_argument("--seed", type=int, default=0)
    run = parser.add_argument_group("evaluation, checkpoints, logging")
    run.add_argument("--eval_every", type=int, default=250, help="greedy exact-match on validation every N steps")
    run.add_argument("--eval_size", type=int, default=2000, help="validation examples used by the periodic evaluation")
    run.add_argument("--target_exact_match", type=float, default=None,
                     help="stop once validation exact-match reaches this (e.g. 1.0)")
    run.add_argument("--checkpoint_every", type=int, default=500)
    run.add_argument("--keep_checkpoints", type=int, default=2, help="how many checkpoints to keep (0 = all)")
    run.add_argument("--resume_from_checkpoint", default=None, help="a checkpoints/step_N folder, or 'latest'")
    run.add_argument("--report_to", default="tensorboard", help="accelerate tracker ('tensorboard', 'all', 'none')")
    run.add_argument("--num_proc", type=int, default=2, help="processes for building a missing corpus")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # Launched as several processes on a machine without a GPU (e.g. `accelerate launch --multi_gpu
    # --num_processes 2` on a laptop), accelerate only forms the gloo process group when told cpu=True.
    several_processes_without_gpu = int(os.environ.get("WORLD_SIZE", "1")) > 1 and not torch.cuda.is_available()
    accelerator = Accelerator(
        cpu=several_processes_without_gpu,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        mixed_precision=args.mixed_precision,
        log_with=None if args.report_to == "none" else args.report_to,
        project_config=ProjectConfiguration(project_dir=args.output_dir, logging_dir=os.path.join(args.output_dir, "logs")),
        # A seeded sampler reshuffles the same way per epoch, so a resumed run sees the same data order.
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
        # Warm-up is counted in optimizer updates: one scheduler step per update, whatever the
        # number of processes (accelerate would otherwise step it once per process).
        step_scheduler_with_optimizer=False,
    )
    set_seed(args.seed)

    # 1. Data: build the corpus if it is missing; batches are tokenized as they are drawn.
    tokenizer = build_digit_tokenizer()
    with accelerator.main_process_first():
        if accelerator.is_main_process and not os.path.exists(os.path.join(args.corpus_dir, "dataset_dict.json")):
            logger.info(f"No corpus in {args.corpus_dir}; building the default one.", main_process_only=True)
            spec = CorpusSpec()
            save_corpus(build_corpus(spec, num_proc=args.num_proc), spec, args.corpus_dir)
        corpus = load_corpus(args.corpus_dir)
    train = corpus["train"]
    sampler = LengthGroupedSampler(train["length"][:], args.batch_size, seed=args.seed) if args.group_by_length else None
    train_dataloader = DataLoader(
        train,
        batch_size=args.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        collate_fn=ReversalCollator(tokenizer),
        # Its own generator: starting an epoch must not draw from the global RNG that dropout uses,
        # or a resumed run (which starts its iterator after restoring that RNG) would drift.
        generator=torch.Generator().manual_seed(args.seed),
    )
    validation = corpus["validation"].select(range(min(args.eval_size, len(corpus["validation"]))))

    # 2. Model and the paper's optimizer and schedule.
    try:
        config = VanillaTransformerConfig.from_preset(args.preset, **parse_config_overrides(args.config_overrides))
    except (ValueError, StrictDataclassError) as error:
        sys.exit(f"error: --config_overrides {args.config_overrides!r}: {str(error).strip().splitlines()[-1].strip()}")
    model = VanillaTransformerForConditionalGeneration(config)
    peak_lr = args.learning_rate or config.d_model**-0.5 * args.warmup_steps**-0.5
    optimizer = torch.optim.Adam(
        model.parameters(), lr=peak_lr, betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon
    )
    # lr = peak * min(step / warmup, sqrt(warmup / step)); with --learning_rate 0, exactly the paper's formula.
    scheduler = get_inverse_sqrt_schedule(optimizer, num_warmup_steps=args.warmup_steps)
    model, optimizer, train_dataloader, scheduler = accelerator.prepare(model, optimizer, train_dataloader, scheduler)
    accelerator.init_trackers("digit_reversal", config={k: v for k, v in vars(args).items() if v is not None})

    # 3. Resume: restore every state, then skip the batches the earlier run consumed.
    completed_steps = 0
    if args.resume_from_checkpoint:
        try:
            completed_steps, path = resolve_checkpoint(args.output_dir, args.resume_from_checkpoint)
        except FileNotFoundError as error:
            sys.exit(f"error: {error}")
        accelerator.load_state(path)
        logger.info(f"Resumed from {path} at step {completed_steps}.", main_process_only=True)
    batches_per_epoch = len(train_dataloader)
    consumed_batches = completed_steps * args.gradient_accumulation_steps

    # 4. Train.
    logger.info(
        f"{sum(p.numel() for p in model.parameters()):,} parameters, {batches_per_epoch} batches of "
        f"{args.batch_size} x {accelerator.num_processes} processes per epoch, peak lr {peak_lr:.2e}",
        main_process_only=True,
    )
    progress = tqdm(total=args.max_steps, initial=completed_steps, disable=not accelerator.is_local_main_process)
    model.train()
    started, validation_scores, stopped_early = time.time(), [], False
    epoch = consumed_batches // batches_per_epoch
    while completed_steps < args.max_steps and not stopped_early:
        train_dataloader.set_epoch(epoch)
        batches = train_dataloader
        if consumed_batches % batches_per_epoch:
            batches = accelerator.skip_first_batches(train_dataloader, consumed_batches % batches_per_epoch)
        for batch in batches:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                if accelerator.sync_gradients and args.max_grad_norm:
                    accelerator.clip_grad_norm_(model.parameters(), args.max_grad_norm)
                optimizer.step()
                if accelerator.sync_gradients:
                    scheduler.step()
                optimizer.zero_grad()
            consumed_batches += 1
            if not accelerator.sync_gradients:
                continue
            completed_steps += 1
            progress.update(1)
            progress.set_postfix(loss=f"{loss.item():.3f}")
            accelerator.log({"train/loss": loss.item(), "train/lr": scheduler.get_last_lr()[0]}, step=completed_steps)

            if completed_steps % args.eval_every == 0 or completed_steps == args.max_steps:
                if accelerator.is_main_process:
                    scores = evaluate_split(accelerator.unwrap_model(model), tokenizer, validation)
                    validation_scores.append({"step": completed_steps, "seconds": time.time() - started,
                                              "exact_match": scores["exact_match"],
                                              "token_accuracy": scores["token_accuracy"]})
                    accelerator.log({"validation/exact_match": scores["exact_match"],
                                     "validation/token_accuracy": scores["token_accuracy"]}, step=completed_steps)
                    progress.write(f"step {completed_steps}: validation exact-match {scores['exact_match']:.4f}")
                    if args.target_exact_match is not None and scores["exact_match"] >= args.target_exact_match:
                        accelerator.set_trigger()
                if accelerator.check_trigger():
                    stopped_early = True
            if completed_steps % args.checkpoint_every == 0 or completed_steps == args.max_steps or stopped_early:
                save_checkpoint(accelerator, args.output_dir, completed_steps, args.keep_checkpoints)
            if completed_steps >= args.max_steps or stopped_early:
                break
        epoch += 1
    progress.close()
    train_seconds = time.time() - started

    # 5. Evaluate on the held-out splits and export the Hub-ready model with its card.
    if accelerator.is_main_process:
        final_model = accelerator.unwrap_model(model)
        results = {split: evaluate_split(final_model, tokenizer, corpus[split])
                   for split in ("test", "test_long") if split in corpus}
        training = {
            "steps": completed_steps, "train_seconds": round(train_seconds, 1), "stopped_early": stopped_early,
            "processes": accelerator.num_processes, "batch_size": args.batch_size,
            "gradient_accumulation_steps": args.gradient_accumulation_steps, "peak_learning_rate": peak_lr,
            "warmup_steps": args.warmup_steps, "seed": args.seed, "corpus_dir": os.path.abspath(args.corpus_dir),
            "device": str(accelerator.device), "torch_threads": torch.get_num_threads(),
            "validation_history": validation_scores,
        }
        model_dir = export_model(final_model, tokenizer, os.path.join(args.output_dir, "model"), results, training)
        summary = {split: {k: results[split][k] for k in ("exact_match", "token_accuracy")} for split in results}
        print(json.dumps({"model_dir": model_dir, **summary, "steps": completed_steps,
                          "train_seconds": round(train_seconds, 1)}, indent=2))
    accelerator.wait_for_everyone()
    accelerator.end_training()  # closes the trackers and the process group


if __name__ == "__main__":
    main()
