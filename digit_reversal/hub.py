"""Upload an exported model folder (and optionally the corpus) to the Hugging Face Hub.

The upload is planned first as a list of (local file, path in repo); `--dry_run` prints that plan
and copies the files into a staging folder laid out exactly as the repos would be, and the real
upload commits exactly that list, so what a dry run shows is what an upload sends.
"""

import os
import shutil
from dataclasses import dataclass

from huggingface_hub import CommitOperationAdd, HfApi, get_token
from huggingface_hub.utils import HFValidationError, validate_repo_id

from .corpus import load_corpus

SKIPPED_DIRS = {".git", ".cache", "__pycache__"}


@dataclass(frozen=True)
class PlannedFile:
    repo_type: str  # "model" or "dataset"
    local_path: str
    path_in_repo: str


def check_repo_id(repo_id: str) -> None:
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise ValueError(f"Bad repo id {repo_id!r}: {str(error).splitlines()[0]}") from None
    if "/" not in repo_id:
        raise ValueError(f"Bad repo id {repo_id!r}: use NAMESPACE/NAME, e.g. your-user/vanilla-transformer-reversal.")


def plan_folder(folder: str, repo_type: str) -> list[PlannedFile]:
    """Every file under `folder` except VCS and cache folders, in a stable order."""
    planned = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".staging-"))
        for name in sorted(files):
            path = os.path.join(root, name)
            planned.append(PlannedFile(repo_type, path, os.path.relpath(path, folder).replace(os.sep, "/")))
    return planned


def write_dataset_repo(corpus_dir: str, destination: str) -> str:
    """The corpus as the Hub expects it: data/{split}-00000-of-00001.parquet plus the dataset card."""
    corpus = load_corpus(corpus_dir)
    os.makedirs(os.path.join(destination, "data"), exist_ok=True)
    for split, dataset in corpus.items():
        dataset.to_parquet(os.path.join(destination, "data", f"{split}-00000-of-00001.parquet"))
    card = os.path.join(corpus_dir, "README.md")
    if os.path.exists(card):
        shutil.copy(card, os.path.join(destination, "README.md"))
    return destination


def stage(plan: list[PlannedFile], staging_dir: str) -> None:
    """Copy the planned files to staging_dir/{model,dataset}/path_in_repo."""
    for item in plan:
        target = os.path.join(staging_dir, item.repo_type, item.path_in_repo)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(item.local_path, target)


def require_token() -> str:
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        raise RuntimeError("HF_HUB_OFFLINE is set: unset it to upload, or use --dry_run.")
    token = get_token()
    if not token:
        raise RuntimeError("No Hugging Face token: run `hf auth login` or set HF_TOKEN (or use --dry_run).")
    return token


def upload(plan: list[PlannedFile], repo_ids: dict[str, str], token: str, private: bool) -> list[str]:
    """Create the repos if needed and commit each repo's planned files in one commit; return commit URLs."""
    api = HfApi(token=token)
    urls = []
    for repo_type, repo_id in repo_ids.items():
        operations = [CommitOperationAdd(path_in_repo=f.path_in_repo, path_or_fileobj=f.local_path)
                      for f in plan if f.repo_type == repo_type]
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        info = api.create_commit(repo_id, operations, repo_type=repo_type,
                                 commit_message="Upload with scripts/push_to_hub.py")
        urls.append(info.commit_url)
    return urls

