"""Shared output helpers for the CLI: checked output paths, atomic writes, JSON, tables, progress.

Every file the application writes goes through :func:`atomic_path` (or
:func:`atomic_write_text`, :func:`staged_folder`): it is written under a temporary
name beside its destination and renamed onto it only when complete, so an
interrupted command (Ctrl-C, a full disk) never leaves a truncated PNG, JSON or
notebook behind, and an earlier complete file stays as it was.

Output paths are checked before any work is done (:func:`check_output_file`,
:func:`check_output_dir`, :func:`open_output`): an empty path, a folder where a
file is expected or a device that refuses writes (``/dev/full``) is a one-line
error at once, not after a minute of computation.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from checks.framework import to_jsonable

__all__ = ["dump_json", "table", "check_output_file", "check_output_dir", "open_output", "OutputFile",
           "atomic_path", "atomic_write_text", "staged_folder", "save_figure", "Progress"]


# ---------------------------------------------------------------------------------------------------
# Atomic writes


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` (same suffix); rename it onto ``path`` when the block succeeds.

    On any exception, ``KeyboardInterrupt`` included, the temporary file is removed and
    ``path`` is left as it was.  The temporary name starts with ``.`` and keeps the
    suffix, so writers that infer the format from the name (``savefig``) work unchanged.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:func:`atomic_path`); returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def save_figure(fig, path, **kwargs) -> Path:
    """``fig.savefig(path, **kwargs)`` atomically (:func:`atomic_path`); returns ``path``."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **kwargs)
    return Path(path)


@contextmanager
def staged_folder(outdir):
    """Yield a temporary folder inside ``outdir``; on success move every file in it into ``outdir``.

    For writers that write several files into a folder (figures, notebooks, a
    report): each file is moved by an atomic rename when the whole block has
    succeeded, sub-folders included; on any exception (Ctrl-C included) the
    temporary folder is removed and ``outdir`` keeps only complete files.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=outdir))
    try:
        yield stage
        for src in sorted(p for p in stage.rglob("*") if p.is_file()):
            dest = outdir / src.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# Output paths checked up front


def _nonempty(path, name: str) -> str:
    if path is None or not str(path).strip():
        raise ValueError(f"{name}: the path is empty; give a file or folder name")
    return str(path)


def check_output_file(path, name: str, suffix: str | None = None) -> None:
    """``ValueError`` naming the option unless ``path`` (a file to write; ``-`` is stdout) can be written.

    The path must not be empty or an existing folder, its folder must exist and be
    writable, and with ``suffix`` (e.g. ``".png"``) its name must end in it.
    """
    if path == "-":
        return
    path = _nonempty(path, name)
    if os.path.isdir(path):
        raise ValueError(f"{name}: {path} is a folder; give a file name"
                         + (f" ending in {suffix}" if suffix else ""))
    if suffix and not path.lower().endswith(suffix):
        raise ValueError(f"{name}: give a file name ending in {suffix}, got {path}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
        raise ValueError(f"{name}: cannot write {path} (the folder must exist and be writable)")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ValueError(f"{name}: cannot write {path} (the file is not writable)")


def check_output_dir(path, name: str) -> None:
    """Create the output folder ``path`` or raise ``ValueError`` naming the option."""
    path = _nonempty(path, name)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{name}: {path} exists and is not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{name}: cannot create the folder {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise ValueError(f"{name}: the folder {path} is not writable")


class OutputFile:
    """A file checked (and, for a device or pipe, opened and probed) before the work, written after it.

    Use :func:`open_output`.  A regular file is written atomically by :meth:`write`;
    an existing non-regular file (``/dev/stdout``, a named pipe, ``/dev/full``) is
    opened at once and a newline is written and flushed as a probe (JSON ignores
    leading whitespace), so a device that refuses writes fails before the run.
    """

    def __init__(self, path, name: str):
        self.path, self.name, self._handle = path, name, None
        if path == "-":
            return
        check_output_file(path, name)
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            try:
                self._handle = open(path, "wb", buffering=0)  # unbuffered: a refused write fails here
                self._handle.write(b"\n")
            except OSError as exc:
                try:
                    self.close()
                except OSError:
                    pass
                raise ValueError(f"{name}: cannot write {path}: {exc.strerror or exc}") from None

    def write(self, text: str) -> None:
        """Write ``text`` (the whole content) to the destination."""
        if self.path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        elif self._handle is not None:
            try:
                self._handle.write(text.encode())
            finally:
                self.close()
        else:
            atomic_write_text(self.path, text)

    def close(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            finally:
                self._handle = None


def open_output(path, name: str) -> OutputFile:
    """An :class:`OutputFile` for the option ``name``; ``ValueError`` if ``path`` cannot be written."""
    return OutputFile(path, name)


def dump_json(obj, path=None) -> None:
    """Write ``obj`` as JSON to ``path`` (``-`` or ``None``: stdout; an :class:`OutputFile`; a file, atomically)."""
    text = json.dumps(to_jsonable(obj), indent=2, allow_nan=True) + "\n"
    if path is None or path == "-":
        sys.stdout.write(text)
    elif isinstance(path, OutputFile):
        path.write(text)
    else:
        atomic_write_text(path, text)


def table(rows, headers) -> str:
    """A plain-text table with columns padded to width."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# Progress on stderr


class Progress:
    """Progress of ``total`` units on stderr: a bar on a terminal, a line every ``every`` seconds otherwise.

    ``quiet`` turns it off.  Not on a terminal (a log file, CI, a pipe) the line reads
    ``ssam-verify run: 5/17 claims (lemma-2.3), 12 s``; a command done within ``every``
    seconds prints nothing, a longer one also its last line.
    """

    def __init__(self, total: int, unit: str, label: str, quiet: bool = False, every: float = 5.0,
                 stream=None):
        self.total, self.unit, self.label, self.every = int(total), unit, label, float(every)
        self.stream = stream if stream is not None else sys.stderr
        self.done, self._bar, self._start = 0, None, time.monotonic()
        self._last, self._lines = self._start, 0
        self.quiet = quiet
        if quiet:
            return
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=self.total, unit=unit, file=self.stream, leave=False)
            except ImportError:  # pragma: no cover - tqdm is a dependency
                self._bar = None

    def update(self, n: int = 1, what: str = "") -> None:
        """``n`` more units done (``what``: the item just finished)."""
        self.done += n
        if self.quiet:
            return
        if self._bar is not None:
            if what:
                self._bar.set_description(what)
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= self.every or (self.done >= self.total and self._lines):
            self._last, self._lines = now, self._lines + 1
            item = f" ({what})" if what else ""
            print(f"ssam-verify {self.label}: {self.done}/{self.total} {self.unit}{item}, "
                  f"{now - self._start:.0f} s", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
