"""CAREAPP_BENCH_TIMES: the start-up milestones the benchmark reads, each written once, then done."""

from __future__ import annotations

from pathlib import Path

from careapp.app import BenchTimes, bench_times_path


def test_each_milestone_once_then_done(tmp_path: Path) -> None:
    path = tmp_path / "times.txt"
    times = BenchTimes(path)
    finished: list[bool] = []
    times.done.connect(lambda: finished.append(True))

    times.record("first_paint")
    times.record("first_paint")  # a second paint is not a milestone
    times.record("pages")
    times.record("list")
    assert finished == []
    times.record("queue")

    lines = path.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["first_paint", "pages", "list", "queue"]
    moments = [float(line.split()[1]) for line in lines]
    assert moments == sorted(moments) and moments[0] > 1_000_000_000  # wall-clock seconds
    assert finished == [True]


def test_only_when_asked(tmp_path: Path) -> None:
    assert bench_times_path({}) is None
    assert bench_times_path({"CAREAPP_BENCH_TIMES": str(tmp_path / "t")}) == tmp_path / "t"
