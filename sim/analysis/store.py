"""A batch's folder on disk: chunk files while it runs, Parquet files and a manifest after.

While a batch runs, every finished chunk of runs is written at once to ``parts/`` as two
small Arrow IPC files (``turns-START-STOP`` first, then ``runs-START-STOP``, each written to a
temporary name and renamed): a ``runs`` part is the mark that its chunk is done, so an
interrupted or killed batch loses at most the chunks still running. ``--resume`` reads the
parts to find the runs still to do. When the batch stops (finished or interrupted) the parts
are merged, in run order, into ``runs.parquet`` and ``turns.parquet`` (row groups of about
32 MB, so memory stays flat); once every run is done the parts are removed.

Parts are Arrow rather than Parquet because they are written once and read once, by this
module: Arrow writes and reads them several times faster (a hundred parts' metadata alone
made reading Parquet parts slower than writing the merged file). Parts of an interrupted
batch from an older version, in Parquet, are still read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.analysis.errors import AnalysisError
from sim.files import write_text

PARTS = "parts"
_PART = re.compile(r"^runs-(\d{10})-(\d{10})\.(arrow|parquet)$")
PART_EXT = ".arrow"
MANIFEST = "manifest.json"
RESULT_FILES = ("runs.parquet", "turns.parquet", "failures.json", MANIFEST, "report.md")


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.parts = self.root / PARTS

    # --- the folder ------------------------------------------------------------------------

    def has_batch(self) -> bool:
        return (self.root / MANIFEST).is_file() or self.parts.is_dir()

    def prepare(self, *, resume: bool, overwrite: bool) -> None:
        """Create the folder; refuse to mix a new batch into an old one by accident."""
        if self.root.exists() and not self.root.is_dir():
            raise AnalysisError(f"--out {self.root}: exists and is not a folder; expected a folder for the results")
        if self.has_batch() and not resume:
            if not overwrite:
                raise AnalysisError(
                    f"--out {self.root} already holds a batch; use --resume to finish it, "
                    "--overwrite to replace it, or choose another --out folder")
            self.clear()
        if resume and not (self.root / MANIFEST).is_file():
            raise AnalysisError(f"--resume: {self.root} holds no batch to resume (no {MANIFEST}); "
                                "expected the --out folder of an interrupted batch")
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AnalysisError(f"--out {self.root}: cannot create the folder ({exc.strerror or exc})") from None

    def drop_empty_parts(self) -> None:
        if self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()

    def clear(self) -> None:
        for name in RESULT_FILES:
            (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.parts, ignore_errors=True)
        shutil.rmtree(self.root / "plots", ignore_errors=True)

    # --- manifest ---------------------------------------------------------------------------

    def read_manifest(self) -> dict:
        try:
            return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise AnalysisError(f"{self.root / MANIFEST}: cannot read the manifest ({exc})") from None

    def write_manifest(self, manifest: dict) -> None:
        _atomic_text(self.root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=False) + "\n")

    # --- parts ------------------------------------------------------------------------------

    def done_ranges(self) -> list[tuple[int, int]]:
        """The [start, stop) chunks already written, in order. Half-written chunks (a turns
        part without its runs part) are removed."""
        if not self.parts.is_dir():
            return []
        done = []
        for p in self.parts.iterdir():
            m = _PART.match(p.name)
            if m:
                done.append((int(m.group(1)), int(m.group(2))))
        keep = {f"{a:010d}-{b:010d}" for a, b in done}
        for p in self.parts.iterdir():
            tag = p.name.split("-", 1)[-1].split(".", 1)[0]
            if p.name.startswith(("turns-", "failed-")) and tag not in keep:
                p.unlink(missing_ok=True)
            elif p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)
        return sorted(done)

    def write_chunk(self, start: int, stop: int, runs: pa.Table, turns: pa.Table, failures: list[dict]) -> None:
        tag = f"{start:010d}-{stop:010d}"
        _atomic_arrow(self.parts / f"turns-{tag}{PART_EXT}", turns)
        if failures:
            _atomic_text(self.parts / f"failed-{tag}.json", json.dumps(failures, indent=1))
        _atomic_arrow(self.parts / f"runs-{tag}{PART_EXT}", runs)  # last: marks the chunk done

    def _part(self, kind: str, a: int, b: int) -> Path:
        path = self.parts / f"{kind}-{a:010d}-{b:010d}{PART_EXT}"
        return path if path.exists() else path.with_suffix(".parquet")

    def failures(self) -> list[dict]:
        out: list[dict] = []
        for p in sorted(self.parts.glob("failed-*.json")) if self.parts.is_dir() else []:
            out += json.loads(p.read_text(encoding="utf-8"))
        if not out and (self.root / "failures.json").is_file():
            out = json.loads((self.root / "failures.json").read_text(encoding="utf-8"))
        return sorted(out, key=lambda f: f["run_id"])

    # --- merging ----------------------------------------------------------------------------

    def merge(self, *, complete: bool) -> None:
        """Write runs.parquet and turns.parquet from the parts, in run order; remove the parts
        if the batch is complete (else keep them for --resume)."""
        ranges = self.done_ranges()
        failures = self.failures()
        # the two files at once: the work is in Arrow, which leaves the interpreter lock
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda kind: _merge([self._part(kind, a, b) for a, b in ranges],
                                              self.root / f"{kind}.parquet"), ("runs", "turns")))
        if failures:
            _atomic_text(self.root / "failures.json", json.dumps(failures, indent=1) + "\n")
        else:
            (self.root / "failures.json").unlink(missing_ok=True)
        if complete:
            shutil.rmtree(self.parts, ignore_errors=True)


ROW_GROUP_BYTES = 32 * 2**20


def _merge(files: list[Path], out: Path) -> None:
    """Concatenate the parts into one file, gathering small chunks into row groups of about
    ROW_GROUP_BYTES: a file of thousands of tiny row groups costs a reader far more memory
    (its metadata alone) than its data."""
    tmp = out.with_name(out.name + ".tmp")
    writer = None
    held: list[pa.Table] = []
    size = 0

    def flush() -> None:
        nonlocal held, size
        if held:
            table = pa.concat_tables(held)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
        held, size = [], 0

    try:
        for f in files:
            table = _read_part(f)
            if writer is None:
                # dictionary pages only where they pay: the zone columns (a few names); on
                # the figures they cost time and make the file larger
                coded = [x.name for x in table.schema if pa.types.is_dictionary(x.type)]
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd", use_dictionary=coded)
            elif table.schema != writer.schema:
                table = table.cast(writer.schema)
            held.append(table)
            size += table.nbytes
            if size >= ROW_GROUP_BYTES:
                flush()
        if writer is not None:
            flush()
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        out.unlink(missing_ok=True)
        return
    os.replace(tmp, out)


def _atomic_arrow(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with pa.OSFile(str(tmp), "wb") as sink:
        with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as w:
            w.write_table(table)
    os.replace(tmp, path)


def _read_part(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    with pa.OSFile(str(path), "rb") as src:
        return pa.ipc.open_file(src).read_all()


def _atomic_text(path: Path, text: str) -> None:
    write_text(path, text)


def remaining(total: int, done: list[tuple[int, int]], chunk: int) -> list[tuple[int, int]]:
    """The chunks still to run: the gaps between done ranges, cut into pieces of ``chunk``."""
    out = []
    pos = 0
    for a, b in sorted(done) + [(total, total)]:
        while pos < min(a, total):
            stop = min(pos + chunk, a, total)
            out.append((pos, stop))
            pos = stop
        pos = max(pos, b)
    return out
