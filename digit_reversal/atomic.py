"""Folders that appear complete or not at all."""

import contextlib
import os
import shutil
import tempfile


@contextlib.contextmanager
def staged_folder(destination: str):
    """Yield a temporary folder beside `destination`; on success it replaces `destination` whole.

    On an exception (or a kill) `destination` keeps its old content, and the temporary folder is
    removed (or, after a kill, left under a hidden `.staging-*` name that nothing reads).
    """
    destination = os.path.abspath(destination)
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=os.path.dirname(destination))
    try:
        yield staging
        if os.path.exists(destination):
            retired = tempfile.mkdtemp(prefix=".retired-", dir=os.path.dirname(destination))
            os.rename(destination, os.path.join(retired, "old"))
            os.rename(staging, destination)
            shutil.rmtree(retired)
        else:
            os.rename(staging, destination)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
