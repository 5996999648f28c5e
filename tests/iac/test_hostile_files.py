"""Files that are not files: FIFOs, devices, link loops, huge and unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dynaguard.sources.iac import files
from dynaguard.sources.iac.files import IacLimits
from tests.iac.hostile import LIMITS, TABLE, TEMPLATE, lines, scan_tree, scanned, write


def test_a_fifo_named_like_terraform_blocks_its_module_only(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"good/main.tf": TABLE.format(name="good"), "bad/main.tf": TABLE.format(name="bad")},
    )
    os.mkfifo(tmp_path / "bad" / "x.tf")
    result = scan_tree(tmp_path)
    assert lines(result) == [
        f"{_shown(tmp_path / 'bad' / 'x.tf')}: a named pipe (FIFO), not a file: "
        f"Terraform in {_shown(tmp_path / 'bad')} is not scanned"
    ]
    assert scanned(result) == {"aws_dynamodb_table.good"}
    assert result.exit_code() == 3


def test_fifos_and_devices_named_like_templates_are_skipped_with_a_notice(tmp_path: Path) -> None:
    write(tmp_path, {"stack.yaml": TEMPLATE})
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    result = scan_tree(tmp_path)
    assert result.problems == ()
    notes = "\n".join(result.report.notices)
    assert "pipe.json: a named pipe (FIFO), not a file: skipped" in notes
    assert "zero.json: a device, not a file: skipped" in notes
    assert scanned(result) == {"Orders"}


def test_a_device_behind_a_terraform_name_blocks_its_module(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": TABLE.format(name="t")})
    (tmp_path / "zero.tf").symlink_to("/dev/zero")
    result = scan_tree(tmp_path)
    assert [p.message for p in result.problems] == [
        f"a device, not a file: Terraform in {_shown(tmp_path)} is not scanned"
    ]


def test_link_loops_and_links_to_directories_are_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"main.tf": TABLE.format(name="outside")})
    repo = write(tmp_path / "repo", {"app/main.tf": TABLE.format(name="app")})
    (repo / "loop.json").symlink_to(repo / "loop.json")
    (repo / "app" / "up").symlink_to(repo)  # a directory loop
    (repo / "ext").symlink_to(outside)
    result = scan_tree(repo)
    assert result.problems == ()
    assert scanned(result) == {"aws_dynamodb_table.app"}  # once, not through app/up
    notes = "\n".join(result.report.notices)
    assert "loop.json: a symbolic link loop: not followed" in notes
    assert "ext: a link to a directory outside the scanned paths" in notes


def test_a_file_above_the_size_limit_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"big.yaml": TEMPLATE + "#" * 3000, "small/main.tf": TABLE.format(name="s")})
    write(tmp_path, {"big/main.tf": TABLE.format(name="b") + "#" * 3000})
    result = scan_tree(tmp_path, IacLimits(max_file_mb=0.002, timeout_s=30, memory_mb=400))
    messages = sorted(lines(result))
    assert len(messages) == 2
    assert (
        "big.yaml: 3145 bytes," in messages[0]
        and "above the 2097 bytes limit (--max-file-size)" in messages[0]
    )
    assert "big/main.tf" in messages[1] and "Terraform in" in messages[1]
    assert scanned(result) == {"aws_dynamodb_table.s"}
    assert result.exit_code() == 3


def test_an_unreadable_file_and_directory_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {"secret.yaml": TEMPLATE, "locked/x.yaml": TEMPLATE, "ok/main.tf": TABLE.format(name="ok")},
    )
    _make_unreadable(tmp_path / "secret.yaml", tmp_path / "locked", monkeypatch)
    try:
        result = scan_tree(tmp_path)
    finally:
        (tmp_path / "secret.yaml").chmod(0o644)
        (tmp_path / "locked").chmod(0o755)
    found = lines(result)
    assert any("secret.yaml: cannot be read: Permission denied" in line for line in found)
    assert any("locked: cannot read the directory: Permission denied" in line for line in found)
    assert scanned(result) == {"aws_dynamodb_table.ok"}
    assert result.exit_code() == 3


def _make_unreadable(file: Path, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file.chmod(0)
    directory.chmod(0)
    if os.geteuid() != 0:
        return
    # root reads anything: make the OS say no for these two paths only
    real_open, real_scandir = os.open, os.scandir

    def deny_open(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == file:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def deny_scandir(path: object = ".") -> object:
        if Path(str(path)) == directory:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", deny_open)
    monkeypatch.setattr(os, "scandir", deny_scandir)


def test_undecodable_templates_are_reported_not_dropped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "latin.yaml": TEMPLATE.replace("Resources:", "Description: caf\xe9\nResources:").encode(
                "latin-1"
            ),
            "wide.yaml": TEMPLATE.encode("utf-16"),
            "bom.yaml": b"\xef\xbb\xbf" + TEMPLATE.encode(),
        },
    )
    result = scan_tree(tmp_path)
    assert sorted(lines(result)) == [
        f"{_shown(tmp_path / 'latin.yaml')}:2: not valid UTF-8 (byte 0xe9); the file must be "
        "UTF-8: not scanned",
        f"{_shown(tmp_path / 'wide.yaml')}:1: the file is UTF-16 encoded; it must be UTF-8: "
        "not scanned",
    ]
    assert scanned(result) == {"Orders"}  # the UTF-8 file with a byte order mark


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    result = scan_tree(tmp_path / "nope")
    assert [p.message for p in result.problems] == ["no such file or directory"]
    assert result.exit_code() == 3


def test_read_capped_never_reads_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"{}" * 100)
    assert files.read_capped(path, 200) == b"{}" * 100
    with pytest.raises(files.UnsafeFile, match="above the 199 bytes limit"):
        files.read_capped(path, 199)
    with pytest.raises(files.UnsafeFile, match="a device"):
        files.read_capped(Path("/dev/zero"), 10)


def _shown(path: Path) -> str:
    from dynaguard.sources.terraform.sources import display_path

    return display_path(path)


assert LIMITS.timeout_s > 0
