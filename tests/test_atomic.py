"""Outputs appear under their final name only when whole (nasmetrics/atomic.py)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nasmetrics import plots
from nasmetrics.atomic import (
    atomic_path,
    savez,
    temporary_name,
    write_csv,
    write_parquets,
    write_text,
)


class Killed(BaseException):
    pass


def test_temporary_name_is_hidden_and_keeps_the_suffix(tmp_path):
    assert temporary_name(tmp_path / "scores.parquet") == tmp_path / ".scores.tmp.parquet"
    assert temporary_name("a/b/fig.pdf").name == ".fig.tmp.pdf"


def test_failed_write_keeps_the_previous_output_and_no_temporary(tmp_path):
    out = tmp_path / "correlations.csv"
    write_csv(pd.DataFrame({"metric": ["a"], "n": [3]}), out)
    before = out.read_bytes()
    with pytest.raises(Killed), atomic_path(out) as tmp:
        tmp.write_text("metric,n\nb,")  # half a table, then the job dies
        raise Killed
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["correlations.csv"]


def test_writers_round_trip(tmp_path):
    table = pd.DataFrame({"metric": ["x", "y"], "kendall_tau": [0.25, -0.5]})
    write_csv(table, tmp_path / "t.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), table)
    write_text("n_shards\t2\n", tmp_path / "index.tsv")
    assert (tmp_path / "index.tsv").read_text() == "n_shards\t2\n"
    # np.savez appends .npz to a name without it: the temporary name must keep the suffix
    savez(tmp_path / "inputs.npz", data=np.arange(6).reshape(2, 3), n_words=np.int64(10000))
    with np.load(tmp_path / "inputs.npz") as z:
        assert z["data"].tolist() == [[0, 1, 2], [3, 4, 5]] and int(z["n_words"]) == 10000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.tsv", "inputs.npz", "t.csv"]


def test_figures_are_written_whole_in_the_format_of_their_name(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    plots.save(fig, str(tmp_path / "f.png"), str(tmp_path / "f.pdf"))
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]


def test_write_parquets_writes_all_or_none(tmp_path):
    good = pd.DataFrame({"a": [1, 2]})
    write_parquets({tmp_path / "x.parquet": good, tmp_path / "y.parquet": good})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.parquet", "y.parquet"]

    class Broken:
        def to_parquet(self, *args, **kwargs):
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_parquets({tmp_path / "u.parquet": good, tmp_path / "v.parquet": Broken()})
    # the first table was written under its temporary name only, and removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.parquet", "y.parquet"]
