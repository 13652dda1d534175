"""The console script: each command through CliRunner, exit codes and stderr through main().

CliRunner calls the typer app directly, so domain errors surface as
exceptions there; what a user sees ("Error: ...", exit 1, no traceback) is
checked by running the installed `annotations` script.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from annotations import corpus
from annotations.cli import app, main
from annotations.config import SETTINGS
from annotations.db.engine import Store
from annotations.errors import AnnotationsError, InvalidInput, TextRejected
from annotations.export import COLUMNS, REPLY_COLUMNS
from annotations.permissions import Actor

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def command_paths() -> list[str]:
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            paths.append(f"{prefix} {name}".strip())
            walk(sub, paths[-1])

    walk(typer.main.get_command(app), "")
    return paths


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("annotations")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c",
                                             "from annotations.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def main_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `annotations.cli.main` in-process: the adapter users get, without a new process.

    An exception escaping main() fails the test, as a traceback would fail a user.
    """

    def call(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["annotations", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            main()
        out, err = capsys.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else (0 if code is None else 1)), out, err

    return call


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def cli_store(env_store: str) -> str:
    code, out, _ = run("init")
    assert code == 0, out
    code, out, _ = run("seminar", "create", "history-101", "--title", "History 101",
                       "--join-code", "HIST01")
    assert code == 0 and "HIST01" in out
    return env_store


@pytest.mark.parametrize("path", ["", *command_paths()])
def test_help_works_for_every_command(path: str) -> None:
    result = runner.invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    if path in ("init", "texts list", "texts add", "seminar create", "export", "import",
                "reanchor", "stats", "settings"):
        assert "Example: annotations" in result.output


def test_init_is_idempotent(env_store: str) -> None:
    code, out, _ = run("init")
    assert code == 0
    assert "3 added, 0 new version(s), 0 unchanged" in out
    code, out, _ = run("init")
    assert "0 added, 0 new version(s), 3 unchanged" in out


def test_texts_list(cli_store: str) -> None:
    result = runner.invoke(app, ["texts", "list", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"document_id,title,perspective,sha256,characters\r\n")
    out = result.stdout_bytes.decode()
    rows = _csv(out)
    assert [r[0] for r in rows[1:]] == ["allied-powers-ussr", "stalinism-inner-truth",
                                        "steel-and-sacrifice"]
    by_id = {r[0]: r for r in rows[1:]}
    steel = (ROOT / "texts" / "steel-and-sacrifice.txt").read_text(encoding="utf-8")
    assert by_id["steel-and-sacrifice"][4] == str(len(steel))
    assert by_id["allied-powers-ussr"][1] == "The Allied Powers, 31.2.1: The USSR"
    assert by_id["allied-powers-ussr"][3] == (
        "f9660f975421fac03e0f0f25fefafcc3bcb7e8806f3207b5046c564920ea40e2")
    code, out, _ = run("texts", "list")
    assert code == 0 and "steel-and-sacrifice" in out and "popular history" in out
    with pytest.raises(AnnotationsError, match="unknown format"):
        run("texts", "list", "--format", "xml")


def test_texts_add(cli_store: str, tmp_path: Path) -> None:
    f = tmp_path / "essay.txt"
    f.write_bytes("Ein “Essay” über 🙂\r\nZeile zwei\r\n".encode())
    code, out, err = run("texts", "add", str(f), "--title", "Ein Essay, 1933–34",
                         "--perspective", "textbook")
    assert code == 0
    assert out.strip() == "ein-essay-1933-34: added"
    assert "Warning:" in err and "CRLF" in err
    code, out, _ = run("texts", "add", str(f), "--title", "Ein Essay, 1933–34",
                       "--perspective", "textbook")
    assert out.strip() == "ein-essay-1933-34: unchanged"
    rows = {r[0]: r for r in _csv(run("texts", "list", "--format", "csv")[1])[1:]}
    assert rows["ein-essay-1933-34"][4] == str(len(f.open(encoding="utf-8", newline="").read()))

    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    with pytest.raises(TextRejected, match="damaged or not a PDF"):  # PDFs are read (issue 13)
        run("texts", "add", str(binary), "--title", "Scan", "--perspective", "textbook")


def test_seminar_create_and_list(cli_store: str) -> None:
    code, out, _ = run("seminar", "list")
    assert code == 0 and re.search(r"history-101\s+HIST01\s+History 101", out)
    with pytest.raises(InvalidInput, match="already exists"):
        run("seminar", "create", "history-101")
    with pytest.raises(InvalidInput, match="not a valid id"):
        run("seminar", "create", "History 101")


def _import_file(tmp_path: Path, seminar: str = "history-101") -> Path:
    text = (ROOT / "texts" / "steel-and-sacrifice.txt").read_text(encoding="utf-8")
    rows = [list(COLUMNS)]
    for quote, annotator, codes, note in [
        ("Steel and Sacrifice", "ada", "hedging; loaded language", '=1+1, "quoted"\nline'),
        ("labour camps", "@bob", "boosting", "plain"),
    ]:
        start = text.index(quote)
        rows.append([str(uuid.uuid4()), seminar, "steel-and-sacrifice", "", "", str(start),
                     str(start + len(quote)), quote, "", "", "popular history", codes, note,
                     annotator, "2026-11-25T14:27:24.123Z", "2026-11-25T15:00:00.000Z"])
    path = tmp_path / "notes.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)
    return path


def test_import_export_stats_through_the_cli(cli_store: str, tmp_path: Path) -> None:
    notes = _import_file(tmp_path)
    code, out, _ = run("import", str(notes))
    assert code == 0
    assert "imported: 2 new, 0 updated" in out
    code, out, _ = run("import", str(notes))
    assert "imported: 0 new, 2 updated" in out

    code, out, _ = run("export", "--seminar", "history-101")
    assert code == 0
    rows = _csv(out)
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 3
    by_annotator = {r[COLUMNS.index("annotator")]: r for r in rows[1:]}
    assert set(by_annotator) == {"ada", "'@bob"}
    assert by_annotator["ada"][COLUMNS.index("note")] == "'=1+1, \"quoted\"\nline"
    assert by_annotator["ada"][COLUMNS.index("codes")] == "hedging; loaded language"

    raw_out = run("export", "--raw", "--annotator", "@bob")[1]
    assert [r[COLUMNS.index("annotator")] for r in _csv(raw_out)[1:]] == ["@bob"]
    assert len(_csv(run("export", "--code", "hedging")[1])) == 2
    assert len(_csv(run("export", "--code", "nope")[1])) == 1
    assert len(_csv(run("export", "--perspective", "textbook")[1])) == 1
    assert len(_csv(run("export", "--document", "allied-powers-ussr")[1])) == 1

    target, replies = tmp_path / "out.csv", tmp_path / "replies.csv"
    code, out, _ = run("export", "-o", str(target), "--replies", str(replies))
    assert code == 0 and out == ""
    assert target.read_bytes().startswith(",".join(COLUMNS).encode() + b"\r\n")
    assert _csv(target.open(encoding="utf-8", newline="").read()) == rows
    assert _csv(replies.open(encoding="utf-8", newline="").read()) == [list(REPLY_COLUMNS)]

    code, out, _ = run("stats", "--format", "csv")
    stats = _csv(out)
    assert stats[0][:3] == ["seminar", "document_id", "annotations"]
    assert stats[1][:3] == ["history-101", "steel-and-sacrifice", "2"]
    code, out, _ = run("stats")
    assert code == 0 and "2 annotations" in out and "history-101" in out


def test_reanchor_command(cli_store: str, tmp_path: Path) -> None:
    run("import", str(_import_file(tmp_path)))
    store = Store.open(cli_store)
    try:
        text = corpus.get_text(store, "steel-and-sacrifice").text
        corpus.add_text(store, ("PREFACE\n" + text).encode(),
                        actor=Actor.console(), name="s.txt",
                        title="Steel", perspective="popular history",
                        document_id="steel-and-sacrifice")
    finally:
        store.dispose()
    code, out, _ = run("reanchor", "steel-and-sacrifice")
    assert code == 0
    assert out.startswith("2 moved, 0 need review, 0 orphan(s)")


def test_settings_lists_every_setting(env_store: str) -> None:
    code, out, _ = run("settings")
    assert code == 0
    for s in SETTINGS:
        assert f"{s.name}=" in out
    assert f"ANNOTATIONS_DATABASE_URL={env_store}" in out


# --- What a user sees: the installed script --------------------------------------------


def _no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stderr + p.stdout


def test_script_import_with_bad_rows_lists_them_and_exits_1(cli_store: str,
                                                            tmp_path: Path) -> None:
    notes = _import_file(tmp_path, seminar="no-such-seminar")
    p = script("import", str(notes))
    assert p.returncode == 1
    _no_traceback(p)
    assert p.stderr.startswith("Error: import aborted, nothing was written: 2 bad row(s)")
    assert "row 2: unknown seminar" in p.stderr and "row 3: unknown seminar" in p.stderr
    assert p.stdout == ""
    store = Store.open(cli_store)
    try:
        assert corpus.list_texts(store) and not _count_annotations(store)
    finally:
        store.dispose()


def _count_annotations(store: Store) -> int:
    from annotations.annotation import Filters, list_annotations

    return len(list_annotations(store, Filters()))


def test_user_mistakes_are_one_line_errors(cli_store: str, tmp_path: Path,
                                          main_cli) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Grüße".encode("latin-1"))
    cases = [
        (["texts", "add", str(empty), "--title", "E", "--perspective", "p"], "empty"),
        (["texts", "add", str(latin), "--title", "L", "--perspective", "p"], "not UTF-8"),
        (["seminar", "create", "history-101"], "already exists"),
        (["reanchor", "no-such-document"], "no document"),
        (["export", "--format", "xml"], "unknown format"),
        (["import", str(latin)], "not UTF-8"),
        (["import", str(_import_file(tmp_path, seminar="nope"))], "row 3: unknown seminar"),
    ]
    for args, message in cases:
        code, out, err = main_cli(*args)
        assert code == 1, (args, err)
        assert err.startswith("Error: ") and message in err, (args, err)
        assert "Traceback" not in out + err

    code, _, err = main_cli("texts", "add", str(tmp_path / "missing.txt"), "--title", "x",
                            "--perspective", "p")
    assert code == 2 and "Traceback" not in err
    code, _, err = main_cli("export", "--no-such-option")
    assert code == 2 and "No such option" in err
    code, out, _ = main_cli("export", "--help")
    assert code == 0 and "Usage" in out
    code, out, _ = main_cli("settings")
    assert code == 0 and "ANNOTATIONS_DATABASE_URL=" in out


def test_bad_settings_are_errors_not_tracebacks(tmp_path: Path, main_cli,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", "not a url")
    code, _, err = main_cli("texts", "list")
    assert code == 1 and err.startswith("Error: ") and "ANNOTATIONS_DATABASE_URL" in err
    f = tmp_path / "a.txt"
    f.write_text("text", encoding="utf-8")
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("ANNOTATIONS_MAX_TEXT_BYTES", "2MB")
    code, _, err = main_cli("texts", "add", str(f), "--title", "A", "--perspective", "p")
    assert code == 1 and "ANNOTATIONS_MAX_TEXT_BYTES" in err


# --- a fresh store, as the first command a new user types meets it ------------------------


def test_texts_list_on_a_fresh_store_shows_the_texts_under_a_header(env_store: str,
                                                                   main_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = main_cli("texts", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["document_id", "perspective", "characters", "title"]
    assert [ln.split()[0] for ln in lines[1:]] == [
        "allied-powers-ussr", "stalinism-inner-truth", "steel-and-sacrifice"]
    # Columns line up: every row's title starts where the header's does.
    col = lines[0].index("title")
    assert all(ln[col - 2:col] == "  " and ln[col] != " " for ln in lines[1:])


def test_seminar_list_on_a_fresh_store_shows_the_demo_seminar(env_store: str,
                                                              main_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = main_cli("seminar", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["seminar", "join_code", "title"]
    assert re.search(r"^demo\s+DEMO\s+Demo seminar$", out, re.M)


def test_export_on_a_fresh_store_knows_the_texts(env_store: str, main_cli,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    code, out, err = main_cli("export")
    assert (code, err) == (0, "")
    assert out == ",".join(COLUMNS) + "\r\n"
    # The texts are there at once: an annotation on one imports without `init`.
    code, out, err = main_cli("import", str(_import_file(tmp_path, seminar="demo")))
    assert code == 0, err
    assert "imported: 2 new" in out


def test_every_command_prepares_the_store_once(env_store: str, main_cli) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        assert main_cli("stats")[0] == 0
    store = Store.open(env_store)
    assert [t.document_id for t in corpus.list_texts(store)] == [
        "allied-powers-ussr", "stalinism-inner-truth", "steel-and-sacrifice"]
    assert all(t.versions == 1 for t in corpus.list_texts(store))


def test_preparing_keeps_a_replaced_text_current(env_store: str, main_cli) -> None:  # type: ignore[no-untyped-def]
    from annotations import roles

    main_cli("texts", "list")
    store = Store.open(env_store)
    corpus.replace_text(store, "steel-and-sacrifice", b"A new text.\n", name="new.txt",
                        actor=roles.Actor.console(), seminar="demo")
    main_cli("texts", "list")
    assert corpus.get_text(store, "steel-and-sacrifice").text == "A new text.\n"


# --- output into a closed pipe ------------------------------------------------------------


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the script with stdout a real pipe whose reader is gone before it writes."""
    exe = Path(sys.executable).with_name("annotations")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c",
                                             "from annotations.cli import main; main()"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` that has already read its line and left
    try:
        return subprocess.run([*cmd, *args], stdout=write_end, stderr=subprocess.PIPE,
                              timeout=600, env=os.environ.copy())
    finally:
        os.close(write_end)


def test_head_on_the_pipe_ends_quietly_with_status_0(env_store: str) -> None:
    for args in (("texts", "list"), ("export",), ("seminar", "list"),
                 ("texts", "list", "--format", "csv")):
        done = _into_closed_pipe(*args)
        assert (done.returncode, done.stderr) == (0, b""), (args, done.stderr.decode())


def test_claims_and_framing_into_head_end_quietly(env_store: str, tmp_path: Path) -> None:
    """`annotations claims | head -1` and `annotations framing | head`, with a real head."""
    exe = Path(sys.executable).with_name("annotations")
    cli = f"'{exe}'" if exe.exists() else f"'{sys.executable}' -m annotations.cli"
    for command, head in (("claims", "head -1"), ("framing", "head")):
        done = subprocess.run(["bash", "-c", f"set -o pipefail; {cli} {command} | {head}"],
                              capture_output=True, timeout=600, env=os.environ.copy())
        assert (done.returncode, done.stderr) == (0, b""), (command, done.stderr.decode())
        assert done.stdout.startswith(b"claim_id," if command == "claims" else b"document_id,")


def test_csv_listings_guard_user_text(env_store: str, main_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "essay.txt"
    f.write_text("A short essay.\n", encoding="utf-8")
    code, _, err = main_cli("texts", "add", str(f), "--title", " =HYPERLINK(\"http://x\")",
                            "--perspective", "＠textbook", "--document-id", "essay")
    assert code == 0, err
    code, out, _ = main_cli("texts", "list", "--format", "csv")
    row = next(r for r in _csv(out) if r[0] == "essay")
    assert row[1:3] == ["'=HYPERLINK(\"http://x\")", "'＠textbook"]
    code, out, _ = main_cli("stats", "--format", "csv")
    assert code == 0 and out.startswith("seminar,")
