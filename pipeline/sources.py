"""Where input files live: local paths, or fsspec URLs (file://, s3://, gs://,
abfs://, http(s):// …).

A URL becomes a universal_pathlib `UPath`: the same interface as pathlib's
(`stat`, `open`, `name`, `suffix`) over the URL's fsspec filesystem, so the
read stage treats both alike. Listing folders and globs goes through the
filesystem's own `find` and `glob` (one listing call on an object store, not
one per folder). A URL input's bytes are read where the document is
processed — in the worker, so on a cluster the machine that runs `zhfig`
never downloads the corpus. The result cache keys a URL input by the
filesystem's version token (`fs.ukey`: the ETag on S3, size and mtime on
others) instead of hashing its bytes, for the same reason.

URLs need the `dask` extra (fsspec, universal-pathlib) and, for a remote
store, its fsspec package: s3fs for s3://, gcsfs for gs://, adlfs for abfs://.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
GLOB_MAGIC = set("*?[")
LOCAL_PROTOCOLS = {"file", "local"}


class SourceUnavailable(ValueError):
    """A URL whose filesystem cannot be used here (a package is missing, an unknown protocol)."""


def is_url(argument: Any) -> bool:
    return isinstance(argument, str) and URL.match(argument) is not None


def as_path(path: str | os.PathLike) -> Any:
    """A local path as a pathlib.Path; a URL (or a UPath already) as a UPath."""
    if isinstance(path, Path):
        return path
    if is_url(path):
        return _upath(path)
    upath = sys.modules.get("upath")
    if upath is not None and isinstance(path, upath.UPath):
        return path
    return Path(path)


def _upath(url: str) -> Any:
    try:
        from upath import UPath
    except ImportError:
        raise SourceUnavailable(f"{url}: reading URLs needs fsspec and universal-pathlib; "
                                "install with pip install 'zhfig[dask]'") from None
    try:
        return UPath(url)
    except ValueError as exc:  # fsspec knows no such protocol
        raise SourceUnavailable(f"{url}: {exc}") from None


def content_token(path: Any) -> str:
    """What the result cache keys a file's content by: the SHA-256 of a local
    file's bytes; the filesystem's version token for a URL (no download)."""
    if isinstance(path, Path):
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    return "fsspec:" + path.fs.ukey(path.path)


def expand_url(url: str, exclude: Path | None) -> Iterator[tuple[Any, Any, str, str]]:
    """(path, root, doc_id, missing) for each file a URL names, as the
    runner's discovery does for local paths: a folder is listed recursively
    (sorted, hidden files and folders left out), a glob (`**` too) expands
    relative to its leading folder, and a URL that names nothing comes back
    once with the reason."""
    path = as_path(url)
    fs = path.fs
    try:
        if fs.isdir(path.path):
            yield from _listed(path, path, exclude)
        elif fs.isfile(path.path):
            yield path, None, path.name, ""
        elif GLOB_MAGIC & set(url):
            matches = fs.glob(path.path, detail=True)
            if not matches:
                yield path, None, url, "no file matches this pattern"
            root = _with_path(path, _glob_root(path.path))
            for name, info in sorted(matches.items()):
                match = _with_path(path, name)
                if info["type"] == "directory":
                    yield from _listed(match, match, exclude)
                elif not _excluded(match, exclude):
                    yield match, root, _relative(name, root.path), ""
        else:
            yield path, None, url, "no such file or directory"
    except ImportError as exc:  # fsspec names the package to install: "Install s3fs to access S3"
        raise SourceUnavailable(f"{url}: {exc}") from None


def _listed(folder: Any, root: Any, exclude: Path | None) -> Iterator[tuple[Any, Any, str, str]]:
    for name in sorted(folder.fs.find(folder.path)):
        relative = _relative(name, root.path)
        file = _with_path(folder, name)
        if not any(part.startswith(".") for part in relative.split("/")) and not _excluded(file, exclude):
            yield file, root, relative, ""


def _with_path(like: Any, path: str) -> Any:
    """The UPath of `path` on the same filesystem (and options) as `like`."""
    from upath import UPath

    return UPath(like.fs.unstrip_protocol(path), **like.storage_options)


def _relative(name: str, root: str) -> str:
    return name[len(root.rstrip("/")) + 1:]


def _glob_root(pattern: str) -> str:
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if GLOB_MAGIC & set(part):
            return "/".join(parts[:i]) or "/"
    return pattern


def _excluded(file: Any, exclude: Path | None) -> bool:
    """A local file under the output folder (a run over file:///… that holds its own --out)."""
    return (exclude is not None and file.protocol in LOCAL_PROTOCOLS
            and Path(file.path).resolve().is_relative_to(exclude))
