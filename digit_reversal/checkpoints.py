"""Training checkpoints that are never half-visible.

`accelerator.save_state` writes into `checkpoints/.incomplete-step_N`; once every process has
finished writing, the main process renames it to `checkpoints/step_N`. Only names of that final
form count, so `latest` always means the newest complete checkpoint.
"""

import os
import re
import shutil

CHECKPOINT_PATTERN = re.compile(r"^step_(\d+)$")


def checkpoint_dir(output_dir: str) -> str:
    return os.path.join(output_dir, "checkpoints")


def complete_checkpoints(output_dir: str) -> list[tuple[int, str]]:
    """(step, path) of every complete checkpoint, oldest first."""
    folder = checkpoint_dir(output_dir)
    if not os.path.isdir(folder):
        return []
    found = [(int(m.group(1)), os.path.join(folder, name))
             for name in os.listdir(folder) if (m := CHECKPOINT_PATTERN.match(name))]
    return sorted(found)


def resolve_checkpoint(output_dir: str, requested: str) -> tuple[int, str]:
    """`latest` or a checkpoint path -> (completed optimizer steps, path)."""
    if requested == "latest":
        found = complete_checkpoints(output_dir)
        if not found:
            raise FileNotFoundError(f"--resume_from_checkpoint latest: no complete checkpoint in {checkpoint_dir(output_dir)}.")
        return found[-1]
    match = CHECKPOINT_PATTERN.match(os.path.basename(os.path.normpath(requested)))
    if not match or not os.path.isdir(requested):
        raise FileNotFoundError(f"--resume_from_checkpoint {requested}: not a checkpoint folder named step_N.")
    return int(match.group(1)), requested


def save_checkpoint(accelerator, output_dir: str, step: int, keep: int | None) -> str:
    """Save the full training state (model, optimizer, scheduler, RNGs, sampler) for `step`."""
    staging = os.path.join(checkpoint_dir(output_dir), f".incomplete-step_{step}")
    final = os.path.join(checkpoint_dir(output_dir), f"step_{step}")
    if accelerator.is_main_process and os.path.exists(staging):
        shutil.rmtree(staging)  # left over from a run killed while saving
    accelerator.wait_for_everyone()
    accelerator.save_state(staging)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(staging, final)
        if keep:
            for _, old in complete_checkpoints(output_dir)[:-keep]:
                shutil.rmtree(old)
    accelerator.wait_for_everyone()
    return final
