"""Upload an exported model folder, and optionally the corpus, to the Hugging Face Hub.

    python scripts/push_to_hub.py outputs/reverser/model --repo_id your-name/vanilla-transformer-reversal
    python scripts/push_to_hub.py outputs/reverser/model --repo_id your-name/vanilla-transformer-reversal \
        --dataset_dir outputs/corpus --dataset_repo_id your-name/digit-reversal --dry_run

--dry_run makes no network call: it prints which file goes where and copies them, laid out as the
repos would be, into --staging_dir. A real upload needs a token (`hf auth login` or HF_TOKEN).
"""

import argparse
import os
import sys
import tempfile

from digit_reversal.hub import check_repo_id, plan_folder, require_token, stage, upload, write_dataset_repo
from digit_reversal.loading import REQUIRED_FILES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", help="folder written by train.py (RUN/model)")
    parser.add_argument("--repo_id", required=True, help="model repo, NAMESPACE/NAME")
    parser.add_argument("--dataset_dir", default=None, help="also upload this corpus (as parquet) ...")
    parser.add_argument("--dataset_repo_id", default=None, help="... to this dataset repo (default: REPO_ID-corpus)")
    parser.add_argument("--private", action="store_true", help="create the repos as private")
    parser.add_argument("--dry_run", action="store_true", help="print and stage the upload; no network")
    parser.add_argument("--staging_dir", default=None, help="where --dry_run stages the files (default: a temp dir)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    repo_ids = {"model": args.repo_id}
    if args.dataset_dir:
        repo_ids["dataset"] = args.dataset_repo_id or f"{args.repo_id}-corpus"
    try:
        for repo_id in repo_ids.values():
            check_repo_id(repo_id)
        missing = [name for name in REQUIRED_FILES if not os.path.isfile(os.path.join(args.model_dir, name))]
        if missing:
            raise ValueError(f"{args.model_dir} is not an exported model folder (missing {', '.join(missing)}).")
        token = None if args.dry_run else require_token()
        with tempfile.TemporaryDirectory() as workdir:
            plan = plan_folder(args.model_dir, "model")
            if args.dataset_dir:
                plan += plan_folder(write_dataset_repo(args.dataset_dir, os.path.join(workdir, "dataset")), "dataset")
            for item in plan:
                print(f"{item.local_path} -> {item.repo_type}:{repo_ids[item.repo_type]}/{item.path_in_repo}")
            if args.dry_run:
                staging_dir = args.staging_dir or tempfile.mkdtemp(prefix="hub-staging-")
                stage(plan, staging_dir)
                print(f"dry run: {len(plan)} files staged in {staging_dir}; nothing was uploaded.")
                return
            try:
                urls = upload(plan, repo_ids, token, args.private)
            except Exception as error:  # noqa: BLE001 - network, auth and Hub errors, reported in one line
                first_line = (str(error).strip().splitlines() or [""])[0]
                raise RuntimeError(f"upload failed ({type(error).__name__}: {first_line})") from None
            for url in urls:
                print(f"uploaded: {url}")
    except (ValueError, RuntimeError, FileNotFoundError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
