"""``python -m bench.report [results.json]``: the figures as a Markdown table (for the README), or with
``--merge A.json B.json ... --into results.json`` several runs' figures in one file (later runs win)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.common import fmt

HERE = Path(__file__).parent


def markdown(results: dict[str, object]) -> str:
    rows = ["| figure | value | baseline (same run) | ratio | target | result |", "|---|---|---|---|---|---|"]
    figures = results["figures"]
    assert isinstance(figures, list)
    for f in figures:
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.2f}x"
        result = "-" if f["passed"] is None else ("PASS" if f["passed"] else "**FAIL**")
        baseline = "-" if f["baseline"] is None else f"{fmt(f['baseline'], f['unit'])} ({f['baseline_name']})"
        target = (f["target"] or "-").replace("<", "&lt;")
        rows.append(
            f"| {f['name']} | {fmt(f['value'], f['unit'])} | {baseline} | {ratio} | {target} | {result} |"
        )
    return "\n".join(rows)


def merge(paths: list[Path]) -> dict[str, object]:
    runs: list[object] = []
    by_name: dict[str, dict[str, object]] = {}
    for path in paths:
        run = json.loads(path.read_text())
        for figure in run["figures"]:
            by_name[figure["name"]] = figure
        if "runs" in run:  # a file merged before: keep the runs it lists
            runs.extend(run["runs"])
        else:
            keys = ("command", "started", "seconds", "commit", "machine", "data")
            runs.append({k: run.get(k) for k in keys})
    return {"figures": list(by_name.values()), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report")
    parser.add_argument("files", nargs="*", type=Path, default=[HERE / "results.json"])
    parser.add_argument("--into", type=Path, help="merge the files into this one instead of printing")
    args = parser.parse_args()
    if args.into:
        args.into.write_text(json.dumps(merge(args.files), indent=2) + "\n")
    else:
        print(markdown(json.loads(args.files[0].read_text())))


if __name__ == "__main__":
    main()
