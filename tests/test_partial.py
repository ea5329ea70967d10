"""A killed scoring job resumes from its per-architecture progress file."""

import math

import pandas as pd
import pytest

from nasmetrics.partial import PartialRows, fingerprint
from nasmetrics.shard import score_rows

ITEMS = [{"arch_id": i} for i in (3, 5, 8, 13)]
MODE = "faithful"


class Killed(BaseException):
    """Stands for SIGKILL / pre-emption: not an Exception, so score_rows does not catch it."""


def scorer(calls, kill_at=None):
    def score(item):
        if item["arch_id"] == kill_at:
            raise Killed
        calls.append(item["arch_id"])
        return {MODE: {"m": item["arch_id"] / 2,
                       "inf": math.inf if item["arch_id"] == 5 else 1.0}}
    return score


def quiet(_):
    pass


def test_killed_job_resumes_where_it_stopped(tmp_path):
    out = tmp_path / "shard.parquet"
    calls = []
    with pytest.raises(Killed):
        score_rows(ITEMS, scorer(calls, kill_at=8), ["m", "inf"], [MODE], log=quiet,
                   progress=PartialRows.beside(out, "fp"))
    assert calls == [3, 5]
    calls.clear()
    logs = []
    resumed = score_rows(ITEMS, scorer(calls), ["m", "inf"], [MODE], log=logs.append,
                         progress=PartialRows.beside(out, "fp"))[MODE]
    assert calls == [8, 13]  # only what the killed run had not finished
    assert logs[0] == "resuming: 2 of 4 already scored by an interrupted run"
    calls.clear()
    fresh = score_rows(ITEMS, scorer(calls), ["m", "inf"], [MODE], log=quiet)[MODE]
    cols = ["arch_id", "m", "inf", "status", "error"]
    pd.testing.assert_frame_equal(resumed[cols], fresh[cols])
    assert resumed.loc[1, "status"] == "nonfinite_metric"  # inf survived the JSON round trip


def test_other_fingerprint_or_other_architectures_are_not_reused(tmp_path):
    out = tmp_path / "shard.parquet"
    with pytest.raises(Killed):
        score_rows(ITEMS, scorer([], kill_at=13), ["m", "inf"], [MODE], log=quiet,
                   progress=PartialRows.beside(out, "old code"))
    calls = []
    score_rows(ITEMS, scorer(calls), ["m", "inf"], [MODE], log=quiet,
               progress=PartialRows.beside(out, "new code"))
    assert calls == [3, 5, 8, 13]
    # same fingerprint, but the job now scores a different list: only the common prefix counts
    with pytest.raises(Killed):
        score_rows(ITEMS, scorer([], kill_at=13), ["m", "inf"], [MODE], log=quiet,
                   progress=PartialRows.beside(out, "fp"))
    calls = []
    other = [{"arch_id": 3}, {"arch_id": 6}, {"arch_id": 8}]
    score_rows(other, scorer(calls), ["m", "inf"], [MODE], log=quiet,
               progress=PartialRows.beside(out, "fp"))
    assert calls == [6, 8]


def test_truncated_last_line_is_rescored(tmp_path):
    out = tmp_path / "shard.parquet"
    progress = PartialRows.beside(out, "fp")
    with pytest.raises(Killed):
        score_rows(ITEMS, scorer([], kill_at=13), ["m", "inf"], [MODE], log=quiet,
                   progress=progress)
    text = progress.path.read_text()
    progress.path.write_text(text[:-5])  # the kill hit mid-write of the third row
    calls = []
    score_rows(ITEMS, scorer(calls), ["m", "inf"], [MODE], log=quiet, progress=progress)
    assert calls == [8, 13]
    progress.remove()
    assert not progress.path.exists()


def test_fingerprint_covers_params_and_file_contents(tmp_path):
    f = tmp_path / "in.npz"
    f.write_bytes(b"abc")
    a = fingerprint({"mode": "faithful"}, [f])
    assert a == fingerprint({"mode": "faithful"}, [f])
    assert a != fingerprint({"mode": "corrected"}, [f])
    f.write_bytes(b"abd")
    assert a != fingerprint({"mode": "faithful"}, [f])


def test_output_written_atomically_then_progress_dropped(tmp_path, monkeypatch):
    """A job killed while writing its output leaves no file under the final name (Snakemake
    does not re-run an incomplete job that came after a checkpoint: nasmetrics/atomic.py)."""
    out = tmp_path / "0.parquet"
    progress = PartialRows.beside(out, "fp")
    progress.start([])
    table = pd.DataFrame({"arch_id": [3, 5], "m": [1.5, 2.5]})

    real = pd.DataFrame.to_parquet

    def killed_mid_write(self, path, **kwargs):
        real(self, path, **kwargs)
        with open(path, "r+b") as fh:  # half a file on disk, then the kill
            fh.truncate(fh.seek(0, 2) // 2)
        raise Killed

    monkeypatch.setattr(pd.DataFrame, "to_parquet", killed_mid_write)
    with pytest.raises(Killed):
        progress.finish({out: table})
    assert not out.exists()
    assert progress.path.exists()  # the rows kept so far are not lost with it

    monkeypatch.undo()
    progress.finish({out: table})
    pd.testing.assert_frame_equal(pd.read_parquet(out), table)
    assert not progress.path.exists()
    # the killed attempt's half file was the temporary one, now replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.parquet"]


def test_rows_without_the_modes_asked_for_are_rescored(tmp_path):
    """A progress file from a run with other modes (or an older row format) is trusted only
    up to its first row that lacks a mode asked for now."""
    out = tmp_path / "shard.parquet"
    with pytest.raises(Killed):
        score_rows(ITEMS, scorer([], kill_at=13), ["m", "inf"], [MODE], log=quiet,
                   progress=PartialRows.beside(out, "fp"))

    def both(item):
        return {m: scorer([])(item)[MODE] for m in ("faithful", "corrected")}

    calls = []
    tables = score_rows(ITEMS, lambda item: calls.append(item["arch_id"]) or both(item),
                        ["m", "inf"], ["faithful", "corrected"], log=quiet,
                        progress=PartialRows.beside(out, "fp"))
    assert calls == [3, 5, 8, 13]
    assert tables["corrected"]["m"].tolist() == [1.5, 2.5, 4.0, 6.5]
