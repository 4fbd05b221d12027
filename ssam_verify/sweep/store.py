"""Where a sweep's results land: a folder of Parquet parts, written one task at a time.

``DIR/spec.json``           the sweep's definition (quantity, design, options, seed);
``DIR/parts/part-*.parquet`` one file per finished task, written atomically
                            (a temporary file renamed into place), so an interrupted
                            sweep loses nothing it had finished;
``DIR/table.parquet``       every row, sorted by point index, written at the end.

``--resume`` reads the parts, skips the points they hold and computes the rest;
it refuses a folder whose ``spec.json`` describes a different sweep.  The table is
tidy: one row per point, one column per parameter and per computed field.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["SweepStore"]


def _atomic_write_bytes(path: Path, write) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class SweepStore:
    """The output folder of one sweep."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.parts = self.directory / "parts"
        self.spec_path = self.directory / "spec.json"
        self.table_path = self.directory / "table.parquet"

    # --- the definition -------------------------------------------------------------------------
    def read_spec(self) -> dict | None:
        """The stored ``spec.json``, or ``None`` if the folder holds no sweep."""
        if not self.spec_path.exists():
            return None
        try:
            return json.loads(self.spec_path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"out: {self.spec_path} is not a sweep definition ({exc})") from None

    def check(self, spec: dict, resume: bool) -> set:
        """The points already finished for ``spec`` (empty unless ``resume``); writes nothing.

        Refuses (``ValueError`` naming ``--out``) a folder holding another sweep, or
        holding this one without ``resume``, or holding anything else.
        """
        stored = self.read_spec()
        if stored is not None and stored != spec:
            changed = sorted(k for k in set(stored) | set(spec) if stored.get(k) != spec.get(k))
            raise ValueError(f"out: {self.directory} holds a different sweep (differs in {', '.join(changed)}); "
                             "choose another --out")
        if stored is not None and not resume:
            raise ValueError(f"out: {self.directory} already holds this sweep; add --resume to finish it, "
                             "or choose another --out")
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(f"out: {self.directory} is a file, not a folder")
        if stored is None and self.directory.exists() and any(self.directory.iterdir()):
            raise ValueError(f"out: {self.directory} exists and is not a sweep folder; choose another --out")
        return self.finished_points() if stored is not None else set()

    def prepare(self, spec: dict) -> None:
        """Create the folder and write ``spec.json`` (once)."""
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"out: cannot create {self.directory}: {exc.strerror or exc}") from None
        if not self.spec_path.exists():
            text = json.dumps(spec, indent=2) + "\n"
            _atomic_write_bytes(self.spec_path, lambda tmp: Path(tmp).write_text(text))

    # --- the rows ---------------------------------------------------------------------------------
    def part_files(self) -> list:
        return sorted(self.parts.glob("part-*.parquet"))

    def finished_points(self) -> set:
        """The point indices held by the parts written so far."""
        import pyarrow.parquet as pq

        done = set()
        for path in self.part_files():
            done.update(pq.read_table(path, columns=["point"]).column("point").to_pylist())
        return done

    def write_part(self, rows: list) -> Path:
        """Write one task's rows as a part (atomically); returns its path."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        first, last = rows[0]["point"], rows[-1]["point"]
        path = self.parts / f"part-{first:07d}-{last:07d}.parquet"
        table = pa.Table.from_pylist(rows)
        _atomic_write_bytes(path, lambda tmp: pq.write_table(table, tmp))
        return path

    def read_table(self):
        """Every row of the parts as one ``pyarrow.Table``, sorted by point index."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        tables = [pq.read_table(p) for p in self.part_files()]
        if not tables:
            raise ValueError(f"out: {self.directory} holds no results yet")
        table = pa.concat_tables(tables, promote_options="default")
        return table.take(pc.sort_indices(table, sort_keys=[("point", "ascending")]))

    def write_table(self):
        """Write ``table.parquet`` (all rows, sorted by point) atomically; returns the table."""
        import pyarrow.parquet as pq

        table = self.read_table()
        _atomic_write_bytes(self.table_path, lambda tmp: pq.write_table(table, tmp))
        return table
