"""Reading arrays from the files people have: ``.npz``, ``.npy``, ``.csv``/``.txt``.

Used by ``ssam-verify sgd-threshold`` (a helper module of :mod:`ssam_verify.commands`:
it registers no command).  The shape and type of a NumPy file are read from its header
before any data, so a file too large for the limits, with complex, object or text
entries, or of the wrong rank is refused at once with one line naming the option;
a corrupt archive (``BadZipFile``), a truncated file or a file that is not NumPy's
is a one-line error too.
"""
from __future__ import annotations

import math
import os
import zipfile

import numpy as np

__all__ = ["load_array", "MAX_FILE_NUMBERS"]

#: The most numbers an input array may hold (400 MB of float64).
MAX_FILE_NUMBERS = 50_000_000
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def _header(fh, option: str, path):
    """``(shape, dtype)`` from the header of an ``.npy`` stream."""
    try:
        version = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
    except (ValueError, OSError, EOFError):
        raise ValueError(f"{option}: {path} is not a NumPy .npy/.npz file (or it is damaged)") from None
    return shape, dtype


def _check_header(shape, dtype, option: str, path, ranks: tuple) -> None:
    if dtype.kind not in "iuf":
        kind = {"c": "complex", "b": "boolean", "O": "Python object", "U": "text", "S": "text",
                "V": "structured"}.get(dtype.kind, str(dtype))
        raise ValueError(f"{option}: {path} holds {kind} entries; real numbers are needed")
    if len(shape) not in ranks:
        want = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{option}: {path} holds an array of shape {tuple(shape)}; a {want} array is needed")
    if math.prod(shape) > MAX_FILE_NUMBERS:
        raise ValueError(f"{option}: {path} holds {math.prod(shape)} numbers; at most {MAX_FILE_NUMBERS}")


def _npz_member(zf: zipfile.ZipFile, keys: tuple, option: str, path) -> str:
    names = [n[:-4] for n in zf.namelist() if n.endswith(".npy")]
    for key in keys:
        if key in names:
            return key
    if len(names) == 1:
        return names[0]
    raise ValueError(f"{option}: {path} has no array named {' or '.join(keys)} (it holds: "
                     f"{', '.join(names) or 'nothing'})")


def load_array(path, option: str, keys: tuple, ranks: tuple) -> np.ndarray:
    """The array in ``path`` for the option ``option`` (e.g. ``"hessians"``) as float64.

    ``.npz``: the member named one of ``keys`` (or the only member); ``.npy``: its array;
    ``.csv``/``.txt``/``.tsv``: a 2-D table of numbers (commas, tabs or spaces; ``#`` comments).
    ``ranks``: the accepted numbers of dimensions.  ``ValueError`` naming ``option`` otherwise.
    """
    path = str(path)
    if not path.strip():
        raise ValueError(f"{option}: the path is empty; give a file name")
    if not os.path.isfile(path):
        what = "is a folder" if os.path.isdir(path) else "does not exist"
        raise ValueError(f"{option}: cannot read {path}: it {what}")
    if path.lower().endswith(_TEXT_SUFFIXES):
        return _load_text(path, option, ranks)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                key = _npz_member(zf, keys, option, path)
                with zf.open(key + ".npy") as fh:
                    shape, dtype = _header(fh, option, path)
                    _check_header(shape, dtype, option, path, ranks)
                with zf.open(key + ".npy") as fh:
                    arr = np.lib.format.read_array(fh, allow_pickle=False)
        else:
            with open(path, "rb") as fh:
                shape, dtype = _header(fh, option, path)
                _check_header(shape, dtype, option, path, ranks)
            arr = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError):
        raise ValueError(f"{option}: {path} is a damaged .npz archive") from None
    except OSError as exc:
        raise ValueError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        if str(exc).startswith(option):
            raise
        raise ValueError(f"{option}: {path} is damaged or not a NumPy file") from None
    return np.asarray(arr, dtype=float)


def _load_text(path, option: str, ranks: tuple) -> np.ndarray:
    if 2 not in ranks:
        raise ValueError(f"{option}: a text table holds a 2-D array; this option needs a .npy/.npz file")
    if os.path.getsize(path) > 20 * MAX_FILE_NUMBERS:
        raise ValueError(f"{option}: {path} is larger than {20 * MAX_FILE_NUMBERS // 10**6} MB")
    with open(path, "rb") as fh:
        head = fh.read(65536)
    delimiter = "," if b"," in head else None
    try:
        arr = np.loadtxt(path, delimiter=delimiter, dtype=float, ndmin=2, comments="#", encoding="ascii")
    except (ValueError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "not a table of numbers"
        raise ValueError(f"{option}: cannot read {path} as a table of numbers: {first[:120]}") from None
    if arr.size == 0:
        raise ValueError(f"{option}: {path} holds no numbers")
    return arr
