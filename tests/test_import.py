"""`import`: from an article (a file, or a page on a real local web server) to a routine that
validates and plans; the facts read the many ways articles state them; and, on thirty articles
written for these tests (tests/articles/, with their truth in expected.yaml), how much is right."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from stretchcue.article import facts, fetch
from stretchcue.article.importer import draft_of
from stretchcue.authoring.routine import load

ARTICLES = Path(__file__).parent / "articles"
SEED = (
    ARTICLES / "seed-000_back-stretching-exercises.txt"
)  # ../shared/seeds/000_059985fceebfa4a5.txt, the project's source
EXPECTED = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))


def body(path: Path) -> str:
    """A routine file without its header comments (which name the source and the day)."""
    return "".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("#"))


# -- the command ------------------------------------------------------------------------------------


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    """The seed article, in a folder of its own."""
    copy = tmp_path / SEED.name
    shutil.copy(SEED, copy)
    return copy


def test_the_seed_article_becomes_a_routine_that_plans(cli, seed: Path, tmp_path: Path) -> None:
    out = tmp_path / "back.yaml"
    run = cli("import", seed, "--out", out)
    assert run.code == 0 and run.out == f"routine: {out}  (7 exercises)\n", (run.out, run.err)
    routine = load(out)
    bundled = load("back-stretches")
    names = [e.name.lower() for e in bundled.exercises]
    names[5] = "side stretch for ql and latissimus dorsi"  # the article's own name
    assert [e.name.lower() for e in routine.exercises] == names
    assert {e.reps for e in routine.exercises} == {3} and routine.exercises[0].hold == 5
    assert routine.exercises[4].sides.value == "each"  # "3 times in each direction"
    text = out.read_text(encoding="utf-8")
    assert f"from {seed}" in text and '# "Stretch 3 times per exercise."' in text
    assert "working up to 30" in text and "your right knee" in text and " R knee" not in text
    plan = cli("plan", out, "--voice", "beep")
    assert plan.code == 0, plan.err


def test_an_article_without_exercises_is_one_line_and_nothing_written(cli, tmp_path: Path) -> None:
    for name in ("t06_neck-anatomy-no-exercises.txt", "h09_stretching-gear-shop.html", "h10_page-not-found.html"):
        out = tmp_path / "r.yaml"
        run = cli("import", ARTICLES / name, "--out", out)
        assert run.code == 2 and run.err.count("\n") == 1 and "no exercises found" in run.err, run.err
        assert not out.exists()


def test_import_never_replaces_a_file_and_refuses_what_is_not_a_page(cli, seed: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("my own")
    run = cli("import", seed, "--out", mine)
    assert run.code == 2 and f"{mine} exists" in run.err and mine.read_text() == "my own"
    for missing in (tmp_path / "none.txt", tmp_path):
        run = cli("import", missing, "--out", tmp_path / "x.yaml")
        assert run.code == 2 and run.err.startswith(f"error: {missing}: "), run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([seed.name, "mine.yaml"])


def test_the_default_file_is_named_after_the_routine_here(cli, seed: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("import", seed).code == 0
    assert (tmp_path / "back-stretching-exercises.yaml").is_file() or len(list(tmp_path.glob("*.yaml"))) == 1


# -- a real web server ---------------------------------------------------------------------------------


class Pages(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article.html")
            self.end_headers()
        elif self.path == "/picture":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")
        elif self.path == "/trickle":  # the headers, then a byte now and then, forever
            self.send_response(200)
            self.send_header("Content-Type", "text/markdown")
            self.end_headers()
            while True:
                try:
                    self.wfile.write(b"#")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.3)
        elif self.path == "/empty":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"a" * 6_000_000)
        else:
            super().do_GET()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A web server on 127.0.0.1 serving tests/articles' HTML page as /article.html."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ARTICLES / "h02_hip-flexor-openers.html", site / "article.html")
    shutil.copy(ARTICLES / "m07_five-minute-shoulder-reset.md", site / "shoulders.md")
    handler = functools.partial(Pages, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_from_a_web_server_gives_the_routine_its_saved_file_gives(cli, server: str, tmp_path: Path) -> None:
    for address, saved in (
        (f"{server}/article.html", "h02_hip-flexor-openers.html"),
        (f"{server}/moved", "h02_hip-flexor-openers.html"),  # a redirect is followed
        (f"{server}/shoulders.md", "m07_five-minute-shoulder-reset.md"),
    ):
        web, disk = tmp_path / "web.yaml", tmp_path / "disk.yaml"
        first, second = cli("import", address, "--out", web), cli("import", ARTICLES / saved, "--out", disk)
        assert first.code == 0 and second.code == 0, (first.err, second.err)
        assert body(web) == body(disk), address
        assert f"from {address}" in web.read_text(encoding="utf-8")
        web.unlink()
        disk.unlink()


def test_pages_that_cannot_be_imported_are_one_line_each(cli, server: str, tmp_path: Path) -> None:
    closed = http.server.HTTPServer(("127.0.0.1", 0), Pages)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    cases = {
        f"{server}/gone.html": "the server answered 404",
        f"{server}/picture": "not a text page (image/png)",
        f"{server}/huge": "too large for an article",
        f"http://127.0.0.1:{port}/": "cannot connect",
    }
    for address, says in cases.items():
        run = cli("import", address, "--out", tmp_path / "r.yaml")
        assert run.code == 2 and run.err.count("\n") == 1 and says in run.err and address in run.err, run.err
        assert "Traceback" not in run.err and not (tmp_path / "r.yaml").exists()


def test_a_server_that_never_finishes_is_given_up_on(cli, server: str, tmp_path: Path, monkeypatch) -> None:
    """A page whose bytes trickle in forever (each in time for the read timeout) meets the deadline
    for the whole answer (60 s; 2 s here)."""
    monkeypatch.setattr(fetch, "DEADLINE", 2.0)
    run = cli("import", f"{server}/trickle", "--out", tmp_path / "r.yaml")
    assert run.code == 2 and "not all there after 2 s" in run.err and not (tmp_path / "r.yaml").exists(), run.err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "no exercises found"),  # an empty page: lxml has no document to give
        (b"<!-- only a comment -->", "no exercises found"),
        (b"<html><script type='application/ld+json'>" + b"[" * 100_000 + b"]" * 100_000 + b"</script>", "no exercises"),
    ],
)
def test_pages_with_nothing_in_them_are_one_line(cli, tmp_path: Path, content: bytes, says: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    run = cli("import", page, "--out", tmp_path / "r.yaml")
    assert run.code == 2 and run.err.count("\n") == 1 and says in run.err, run.err


@pytest.mark.parametrize("address", ["http://" + "a" * 64 + ".com/", "http://a..com/", "http://xn--zz.com/"])
def test_host_names_that_cannot_be_are_one_line(cli, tmp_path: Path, address: str) -> None:
    run = cli("import", address, "--out", tmp_path / "r.yaml")
    assert run.code == 2 and run.err.count("\n") == 1 and "Traceback" not in run.err, run.err


def test_a_source_name_cannot_write_into_the_routine(cli, tmp_path: Path) -> None:
    """The source is named in the file's header; a line break in its name stays in the comment."""
    text = (ARTICLES / "m07_five-minute-shoulder-reset.md").read_bytes()
    for name in ("a\ndefaults: {hold: 99, reps: 9}\n#.md", "b\u2028description: injected\u2028#.md"):
        source = tmp_path / name
        source.write_bytes(text)
        out = tmp_path / "r.yaml"
        assert cli("import", source, "--out", out).code == 0
        routine = load(out)
        assert routine.description is None and 99 not in {e.hold for e in routine.exercises}
        header = out.read_text(encoding="utf-8").splitlines()[1]
        assert (header.startswith("# Imported by") and "\\n" in header) or "\\u2028" in header, header
        out.unlink()


def test_text_a_voice_cannot_say_stays_out(cli, tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        "# Arm stretches\n\n## Cross-body stretch\n\nBring your right arm across your chest, as in the GIF below.\n"
        "Hold it with your left hand [1]. Scroll down for the next stretch. Read more at healthline.com.\n"
        "Keep your shoulder\ndown, away from your ear.\u0007 Continue reading below \U0001f447\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.yaml"
    assert cli("import", article, "--out", out).code == 0
    [exercise] = load(out).exercises
    assert exercise.instructions == (
        "Bring your right arm across your chest. Hold it with your left hand. "
        "Keep your shoulder down, away from your ear."
    ), exercise.instructions


def test_more_exercises_than_a_routine_holds_is_one_line(cli, tmp_path: Path) -> None:
    article = tmp_path / "many.md"
    article.write_text(
        "# Many\n\n" + "".join(f"## Side bend {n}\n\nBend your knee and reach your arm up.\n\n" for n in range(150))
    )
    run = cli("import", article, "--out", tmp_path / "r.yaml")
    assert run.code == 2 and "150 exercises found; a routine holds at most 100" in run.err, run.err


# -- the facts, in the ways articles say them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "seconds"),
    [
        ("Hold for 30 seconds.", 30),
        ("Hold it for thirty seconds.", 30),
        ("Stay there for half a minute, breathing slowly.", 30),
        ("Hold this pose for a minute.", 60),
        ("Keep the stretch for 1 min.", 60),
        ("Remain in this position for 90 secs", 90),
        ("A 20-second hold is plenty.", 20),
        ("Hold: 45 s", 45),
        ("Hold 15 to 30 seconds.", 15),
        ("Hold for between 20 and 40 seconds", 20),
        ("Hold for 5\u201310 seconds, working up to 30.", 5),
        ("Stretch for one and a half minutes.", 90),
        ("Do 3 x 20 s on each side.", 20),
        ("Hold it for fifteen seconds before you let go.", 15),
    ],
)
def test_holds_read_every_way_articles_write_them(sentence: str, seconds: float) -> None:
    fact = facts.hold(sentence)
    assert fact is not None and fact.value == seconds, fact


@pytest.mark.parametrize(
    "sentence",
    [
        "Do this routine for 10 minutes a day.",
        "Rest for 30 seconds between stretches.",
        "Hold for a count of ten.",
        "90% of adults sit for 8 hours.",
        "The whole session takes 15 minutes.",
        "Never hold this stretch for 60 seconds or longer.",
        "Avoid holding it for 2 minutes.",
        "Hold your breath for 5 seconds.",
    ],
)
def test_durations_that_are_not_holds_are_not_taken(sentence: str) -> None:
    assert facts.hold(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("Repeat 3 times.", 3),
        ("Do this twice on each side.", 2),
        ("Reps: 5", 5),
        ("Do three repetitions.", 3),
        ("x 4", 4),
        ("2 sets of 10", 10),
        ("Perform it once, then move on.", 1),
        ("Do 3 \u00d7 30 s.", 3),
    ],
)
def test_reps_read_every_way_articles_write_them(sentence: str, count: int) -> None:
    fact = facts.reps(sentence)
    assert fact is not None and fact.value == count, fact


@pytest.mark.parametrize("sentence", ["Do it 3 times a day.", "Once you are comfortable, go further.", "Twice a week"])
def test_frequencies_are_not_reps(sentence: str) -> None:
    assert facts.reps(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "sides"),
    [
        ("Switch sides and repeat.", "each"),
        ("Do the same on the other leg.", "each"),
        ("Repeat with the opposite arm.", "each"),
        ("30 seconds per side.", "each"),
        ("Alternate sides with each rep.", "alternate"),
        ("Alternating legs, 8 times.", "alternate"),
        ("Reach both arms up.", None),
    ],
)
def test_sides_read_every_way_articles_write_them(sentence: str, sides: str | None) -> None:
    fact = facts.sides(sentence)
    assert (fact.value if fact else None) == sides


# -- thirty articles no importer was tuned on alone --------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().rstrip("*")).strip()


@functools.cache
def scores() -> dict[str, float]:
    """Share of exercises found, and of their facts right, over every article (see tests/articles/README.md)."""
    right = dict.fromkeys(("found", "title", "hold", "reps", "sides", "position", "feel", "kept", "clean"), 0)
    totals = dict.fromkeys(right, 0)
    refused = 0
    for name, truth in EXPECTED.items():
        expected = truth["exercises"] or []
        try:
            draft, _ = draft_of(str(ARTICLES / name))
        except Exception:
            refused += not expected
            totals["found"] += len(expected)
            continue
        got = {_norm(e.name): e for e in draft.exercises}
        totals["found"] += len(expected)
        ours, theirs = _norm(draft.title), _norm(truth["title"] or "")
        right["title"] += bool(ours) and (ours in theirs or theirs in ours)
        totals["title"] += 1
        for want in expected:
            key = _norm(want["name"])
            exercise = got.get(key) or next((e for k, e in got.items() if key in k or k in key), None)
            if exercise is None:
                continue
            right["found"] += 1
            hold = (exercise.hold or draft.hold).value if (exercise.hold or draft.hold) else None
            reps = (exercise.reps or draft.reps).value if (exercise.reps or draft.reps) else None
            low, high = want.get("hold_range", [want.get("hold")] * 2)
            right["hold"] += (hold is None) if low is None else (hold is not None and low <= hold <= high)
            low, high = want.get("reps_range", [want.get("reps")] * 2)
            right["reps"] += (reps is None) if low is None else (reps is not None and low <= reps <= high)
            sides = exercise.sides.value if exercise.sides else None
            right["sides"] += sides == want.get("sides") or (sides is None and want.get("sides") in (None, "none"))
            right["position"] += (exercise.position.value if exercise.position else None) == want.get("position")
            feel, wanted = (exercise.feel.value if exercise.feel else None), want.get("feel")
            words = set(re.findall(r"[a-z]{4,}", (wanted or "").lower()))
            right["feel"] += (
                (feel is None)
                if wanted is None
                else bool(feel) and len(words & set(re.findall(r"[a-z]{4,}", feel.lower()))) >= max(1, len(words) // 2)
            )
            text = " ".join(exercise.sentences).lower()
            right["kept"] += sum(p.lower() in text for p in want.get("instructions_contain", []))
            totals["kept"] += len(want.get("instructions_contain", [])) - 1
            right["clean"] += sum(p.lower() not in text for p in want.get("instructions_exclude", []))
            totals["clean"] += len(want.get("instructions_exclude", [])) - 1
        for key in ("hold", "reps", "sides", "position", "feel"):
            totals[key] = totals["found"]
    result = {
        key: right[key] / max(1, totals[key] + (totals["found"] if key in ("kept", "clean") else 0)) for key in right
    }
    result["refused"] = refused / sum(1 for truth in EXPECTED.values() if not truth["exercises"])
    return result


MINIMUMS = {  # a little under what was measured on them when these were set (the note has the figures)
    "found": 0.95,
    "title": 0.88,
    "hold": 0.85,
    "reps": 0.78,
    "sides": 0.78,
    "position": 0.82,
    "feel": 0.82,
    "kept": 0.96,
    "clean": 0.88,
    "refused": 1.0,
}


@pytest.mark.parametrize("measure", list(MINIMUMS))
def test_thirty_articles_are_read_well_enough(measure: str) -> None:
    assert scores()[measure] >= MINIMUMS[measure], scores()
