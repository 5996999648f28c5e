import io

from dynaguard.cli import commands


class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with commands.progress_bar(True) as progress:
        assert progress is None


def test_progress_bar_draws_on_stderr_only(monkeypatch, capsys):
    fake = FakeTty()
    monkeypatch.setattr("sys.stderr", fake)
    with commands.progress_bar(True) as progress:
        assert progress is not None
        progress(3, 10)
        progress(10, 10)
    assert capsys.readouterr().out == ""
    assert "collecting" in fake.getvalue()
