"""``careapp report control-group`` run as a user would: shows the setting, changes it as the owner
(--on/--off, --share N, --by OWNER), and refuses with a sentence (nothing changed, no traceback) for
staff, a share outside 5-10 % or a change with no --by."""

from __future__ import annotations

import json

import pytest

from careapp.cli import main
from careapp.config import Paths
from careapp.context import Services
from careapp.services.shop.staff import Role


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_control_group_command(services: Services, paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    owner = services.staff.add(None, "Olivia", Role.OWNER).actor()
    services.staff.add(owner, "Sam", Role.STAFF)
    folder = ["--data-dir", str(paths.data_dir), "report", "control-group"]
    code, out, _ = run(capsys, *folder)
    assert (code, out) == (0, "Control group: off (share when on: 5 % of customers).\n")

    code, out, err = run(capsys, *folder, "--on", "--share", "8", "--by", "Olivia", "--format", "json")
    assert code == 0 and json.loads(out) == {"enabled": True, "percent": 8}
    assert "Saved the control group setting." in err
    seed = services.value.control_group().seed
    assert services.value.control_group().enabled and seed

    code, _, err = run(capsys, *folder, "--off", "--by", "Sam")
    assert code == 2 and "Nothing was changed." in err and "Traceback" not in err
    code, _, err = run(capsys, *folder, "--off")
    assert code == 2 and "--by NAME" in err
    assert services.value.control_group().enabled  # still on after the refusals

    with pytest.raises(SystemExit) as exited:  # argparse's own exit, with a sentence
        main([*folder, "--share", "20", "--by", "Olivia"])
    assert exited.value.code == 2 and "5 to 10 % of customers, not 20" in capsys.readouterr().err

    code, out, _ = run(capsys, *folder, "--off", "--by", "Olivia")
    assert code == 0 and out.startswith("Control group: off (share when on: 8 %")
    assert services.value.control_group().seed == seed  # the draw is kept for the next time
