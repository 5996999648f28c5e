"""Config and provision-schema files as an attacker writes them: every one is a ConfigError /
SchemaError naming file and line, bounded in size, never a traceback or a hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dynaguard.config_load import load_config
from dynaguard.errors import ConfigError
from dynaguard.provisioning import SchemaError, SpecDefaults, load_spec
from dynaguard.yaml_lines import MAX_BYTES, MAX_DEPTH, parse_text

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
)

HOSTILE: dict[str, bytes] = {
    "not utf-8": b"baseline:\n  encryption: \xff\xfe\n",
    "huge integer": b"baseline:\n  pitr_min_days: 1" + b"0" * 5000 + b"\n",
    "impossible date": b"suppressions:\n  - {control: DDB.002, resources: [a], reason: r, "
    b"expires: 2027-02-30}\n",
    "deep flow nesting": b"a: " + b"[" * 100_000 + b"\n",
    "deep block nesting": "".join(f"{'  ' * i}k{i}:\n" for i in range(200)).encode(),
    "billion laughs": LAUGHS.encode(),
    "recursive alias": b"a: &a [*a]\n",
    "recursive merge": b"a: &a {<<: *a}\n",
    "duplicate key": b"baseline: {}\nbaseline: {encryption: kms}\n",
    "control character": b"baseline:\n  encryption: \x1b[31m\n",
    "unknown tag": b"baseline: !!python/object:os.system {}\n",
    "set tag": b"baseline: !!set {a, b}\n",
    "non-scalar key": b"? [a, b]\n: 1\n",
    "syntax error": b"baseline:\n  encryption: cmk\n   bad: indent\n",
}
EXPECTED_LINE = {
    "not utf-8": 2,
    "huge integer": 2,
    "impossible date": 2,
    "duplicate key": 2,
    "control character": 2,
    "syntax error": 3,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_config_is_one_bounded_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / "dynaguard.yaml"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message and len(message) < 400 + len(str(path)), message
    assert "\x1b" not in message
    if name in EXPECTED_LINE:
        assert message.startswith(f"{path}:{EXPECTED_LINE[name]}:"), message


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_schema_is_one_problem_with_its_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / "table.yaml"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(SchemaError) as caught:
        load_spec(schema=path, defaults=SpecDefaults(region="us-east-1"))
    (problem,) = caught.value.problems
    assert problem.field == "(file)"
    assert "\x1b" not in str(caught.value)
    if name in EXPECTED_LINE:
        assert problem.line == EXPECTED_LINE[name]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_config(path)


def test_depth_limit_is_the_documented_one() -> None:
    ok = "a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n"
    assert parse_text(ok, "x").data is not None


def test_huge_values_are_truncated_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "dynaguard.yaml"
    big = "x" * 200_000
    path.write_text(
        f"baseline:\n  encryption: {big}\n  ? {big}\n  : 1\n  trusted_accounts: [{big}]\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert len(message) < 2000
    assert message.count("(200000 chars)") == 3


def test_every_config_problem_at_once_in_line_order(tmp_path: Path) -> None:
    path = tmp_path / "dynaguard.yaml"
    path.write_text(
        "baseline:\n"
        "  encyption: cmk\n"  # 2
        "  pitr_min_days: 99\n"  # 3
        "controls:\n"
        "  DDB.099: {enabled: maybe}\n"  # 5
        "suppressions:\n"
        "  - {control: DDB.77, resources: [], reason: ''}\n"  # 7
        "  - just a string\n"  # 8
        "harden:\n"
        "  pitr_days: 7\n"  # 10
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid config (9 problems):"
    body = [line.strip().removeprefix(f"{path}:") for line in lines[1:]]
    assert body == [
        "2: baseline.encyption: unknown key (did you mean 'encryption'?); allowed: encryption, "
        "allowed_kms_keys, pitr_min_days, trusted_accounts, trusted_org_ids, trusted_vpc_endpoints, trusted_vpcs, stream_view_types, "
        "required_tags, autoscaling, dax_min_azs, dax_min_nodes",
        "3: baseline.pitr_min_days: must be 1 to 35 (AWS limit), got 99",
        "5: controls.DDB.099: unknown key (did you mean 'DDB.009'?): not a control id",
        "5: controls.DDB.099.enabled: expected bool, got a string ('maybe')",
        "7: suppressions[0].control: unknown control 'DDB.77' (did you mean 'DDB.017'?)",
        "7: suppressions[0].resources: needs at least one resource pattern",
        "7: suppressions[0].reason: a suppression needs a reason",
        "8: suppressions[1]: expected a mapping, got a string ('just a string')",
        "10: harden.pitr_days: 7 is below baseline.pitr_min_days (35): the fix would not pass "
        "the control",
    ]


def test_merge_keys_and_anchors_still_work(tmp_path: Path) -> None:
    path = tmp_path / "dynaguard.yaml"
    path.write_text(
        "baseline: {required_tags: &tags [owner, team], trusted_org_ids: *tags}\n"
        "controls:\n"
        "  DDB.013: &off {enabled: false}\n"
        "  DDB.014: {<<: *off, severity: high}\n"
    )
    cfg = load_config(path)
    assert cfg.baseline.required_tags == ("owner", "team") == cfg.baseline.trusted_org_ids
    assert cfg.controls["DDB.014"].enabled is False
    assert cfg.controls["DDB.014"].severity == "high"


def test_empty_config_file_is_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "dynaguard.yaml"
    path.write_text("# nothing configured yet\n")
    assert load_config(path).baseline.pitr_min_days == 35


def test_help_and_controls_do_not_import_pydantic() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from dynaguard.cli.main import run\n"
        "for argv in (['--help'], ['controls'], ['scan', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            run(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_devices_are_refused_without_reading(path: str) -> None:
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(path)
    with pytest.raises(SchemaError) as caught:
        load_spec(schema=path, defaults=SpecDefaults(region="us-east-1"))
    assert "not a regular file" in caught.value.problems[0].message


def test_a_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config: Is a directory"):
        load_config(tmp_path)
