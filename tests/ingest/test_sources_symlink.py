"""A folder's broken symbolic link is one error line naming it, not skipped in silence."""

from pathlib import Path

from newsdesk.ingest.sources import expand
from newsdesk.models import IngestError


def test_a_broken_symlink_in_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A page.", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")  # a working link is read
    out = list(expand([str(tmp_path)]))
    errors = [e for e in out if isinstance(e, IngestError)]
    assert [str(tmp_path / n) for n in ("a.txt", "b.txt")] == [e for e in out if isinstance(e, str)]
    assert len(errors) == 1 and errors[0].source == str(tmp_path / "gone.txt")
    assert "broken symbolic link" in errors[0].reason
