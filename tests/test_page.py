"""The folder's web page, opened in a real browser (headless Chromium, driven by Selenium through
Debian's chromedriver) as a listener would: from a web server and straight from the disk. Each
player is as long as its track, a chapter plays from its start, the words and holds follow the
audio as the track's own tags say, no console errors, no image without alt text. Without a
browser installed these tests are skipped, saying why; CI installs one (.ci/run)."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import feedparser
import pytest
from conftest import SMALL_ROUTINE, read_tags, run_cli

from stretchcue.authoring import phrases
from stretchcue.disk.files import is_own_file
from stretchcue.outputs.tags import Tags

BASE = "https://example.com/stretch/"
CHROMIUM, DRIVER = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")


GERMAN = """\
title: Kurzer Test mit Oberschenkelrückseitendehnungsübungen
language: de
defaults: {hold: 3, reps: 1, rest: 1, countdown: 2}
exercises:
  - {name: Katzenbuckel, instructions: Auf alle viere gehen und den Rücken rund machen.}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tracks of the small routine and one German track (another album): their playlist,
    cards, feed and page."""
    folder = tmp_path_factory.mktemp("page") / "my site"  # a space: every address must be quoted
    routine, german = folder.parent / "quick.yaml", folder.parent / "kurz.yaml"
    routine.write_text(SMALL_ROUTINE, encoding="utf-8")
    german.write_text(GERMAN, encoding="utf-8")
    for command in (
        ["cards", routine, "--hold", "5", "--out", folder / "cards"],
        ["build", german, "--voice", "beep", "--out", folder],
        ["build", routine, "--voice", "beep", "--hold", "5", "--hold", "2.5", "--guidance", "brief", "--out", folder,
         "--feed", BASE, "--page"],
    ):  # fmt: skip
        made = run_cli(*command)
        assert made.returncode == 0, made.stderr
    assert "page: " in made.stdout and "(3 tracks)" in made.stdout, made.stdout
    return folder


def tracks_of(folder: Path) -> list[tuple[Path, Tags]]:
    """The tracks in the page's order: album, then track number."""
    found = [(path, read_tags(path)) for path in folder.glob("*.mp3")]
    return sorted(found, key=lambda item: (item[1].album, item[1].track))


# -- the page as written: no browser needed ---------------------------------------------------------


@pytest.mark.slow
def test_the_page_is_ours_links_the_feed_and_the_feed_links_it(site: Path) -> None:
    page = site / "index.html"
    assert is_own_file(page)
    html = page.read_text(encoding="utf-8")
    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert '<link rel="alternate" type="application/rss+xml"' in html and 'href="feed.xml"' in html
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert feed.feed.link == BASE + "index.html"
    # links to the playlist and the cards' PDF, each a file of ours in the folder
    hrefs = re.findall(r'<a href="([^"]+)" type="(?:audio/x-mpegurl|application/pdf)"', html)
    assert sorted(Path(unquote(h)).suffix for h in hrefs) == [".m3u8", ".pdf"], hrefs
    assert all(is_own_file(site / unquote(href)) for href in hrefs)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["page", "FOLDER"],
        ["feed", "FOLDER", "--base-url", BASE, "--page"],
        ["build", "ROUTINE", "--voice", "beep", "--page", "--out", "FOLDER"],
    ],
)
def test_a_file_in_the_way_stops_the_page_and_nothing_is_written(site: Path, tmp_path: Path, command) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(site, folder)
    (folder / "index.html").unlink()  # (a disk may tell names apart only by case)
    (folder / "INDEX.HTML").write_text("<p>my own page</p>", encoding="utf-8")
    (folder / "feed.xml").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    routine = tmp_path / "quick.yaml"
    routine.write_text(SMALL_ROUTINE, encoding="utf-8")
    made = run_cli(*[{"FOLDER": folder, "ROUTINE": routine}.get(arg, arg) for arg in command])
    assert made.returncode == 2 and "exists and was not made by stretchcue" in made.stderr, made.stderr
    assert made.stderr.count("\n") == 1 and "Traceback" not in made.stderr
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # not even the feed
    assert (folder / "INDEX.HTML").read_text(encoding="utf-8") == "<p>my own page</p>"


@pytest.mark.slow
def test_a_page_of_ours_is_renewed_with_its_tracks(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(site, folder)
    routine = tmp_path / "quick.yaml"
    routine.write_text(SMALL_ROUTINE, encoding="utf-8")
    made = run_cli("build", routine, "--voice", "beep", "--hold", "5", "--hold", "2.5", "--reps", "1", "--out", folder)
    assert made.returncode == 0 and "page: " in made.stdout, made.stderr
    assert "feed.xml still lists the audio before this run" in made.stderr, made.stderr
    html = (folder / "index.html").read_text(encoding="utf-8")
    for path, tags in tracks_of(folder):
        assert f'data-seconds="{tags.length_ms / 1000:.3f}"' in html, path


def test_a_folder_without_tracks_gets_no_page(tmp_path: Path) -> None:
    made = run_cli("page", tmp_path)
    assert made.returncode == 2 and "no tracks made by stretchcue here" in made.stderr, made.stderr
    assert list(tmp_path.iterdir()) == []


# -- in a browser ---------------------------------------------------------------------------------


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Python's file server, with the byte ranges every static host serves (a browser seeks in
    audio only where it may ask for a range), and quiet."""

    def send_head(self):  # type: ignore[no-untyped-def]
        found = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not found or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = int(found[1]), min(int(found[2] or size - 1), size - 1)
        file = path.open("rb")
        file.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Part(file, end - start + 1)

    def log_message(self, *args: object) -> None:
        pass


class _Part:
    """The part of a file a range asks for, as `copyfile` reads it."""

    def __init__(self, file, length: int) -> None:  # type: ignore[no-untyped-def]
        self.file, self.left = file, length

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(_RangeHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not (CHROMIUM and DRIVER):
        pytest.skip("no Chromium here (Debian: apt-get install chromium chromium-driver; CI installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium")
    # as root, on a machine with no network but the registries (Chromium's own calls are refused)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture(params=["served", "from the disk"])
def opened(request: pytest.FixtureRequest, browser, site: Path):  # type: ignore[no-untyped-def]
    """The page open in the browser, every player's metadata loaded, the console's log emptied."""
    address = request.getfixturevalue("server") if request.param == "served" else site.as_uri() + "/"
    browser.get(address + "index.html")
    wait(browser, "return [...document.querySelectorAll('audio')].every(a => a.readyState >= 1)")
    browser.get_log("browser")
    return browser


def wait(browser, script: str, *args: object, seconds: float = 10) -> object:  # type: ignore[no-untyped-def]
    """Wait until `script` returns something true; gives it."""
    deadline = time.monotonic() + seconds
    while not (found := browser.execute_script(script, *args)):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {script}"
        time.sleep(0.05)
    return found


def articles(browser) -> list:  # type: ignore[no-untyped-def]
    return browser.find_elements("css selector", "article.track")


@pytest.mark.slow
def test_each_player_is_as_long_as_its_track_and_shows_its_facts(opened, site: Path) -> None:
    found = tracks_of(site)
    shown = articles(opened)
    assert len(shown) == len(found) == 3
    for article, (path, tags) in zip(shown, found, strict=True):
        book = phrases.book(tags.language)
        audio = article.find_element("css selector", "audio")
        assert audio.get_attribute("preload") == "metadata"
        assert unquote(urlsplit(audio.get_attribute("src")).path).endswith("/" + path.name)
        duration = opened.execute_script("return arguments[0].duration", audio)
        assert duration == pytest.approx(tags.length_ms / 1000, abs=0.03), (path.name, duration, tags.length_ms)
        facts = article.find_element("css selector", ".facts").text
        minutes, seconds = divmod(tags.length_ms // 1000, 60)
        assert facts.startswith(f"{minutes}:{seconds:02d} · {book.guidance[tags.guidance]} · "), facts
        [hold] = {(end - start) / 1000 for start, end in tags.holds}  # each track's holds are one length
        assert facts.endswith(book.fill(book.holds_of, hold=hold)), facts  # "2.5 s holds", "3 s Haltezeit"
        assert article.find_element("css selector", "h3").text == tags.title
        assert article.get_attribute("lang") == tags.language


@pytest.mark.slow
def test_a_chapter_chosen_by_click_or_keyboard_plays_from_its_start(opened, site: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    (_, tags), article = tracks_of(site)[1], articles(opened)[1]
    audio = article.find_element("css selector", "audio")
    buttons = article.find_elements("css selector", ".chapters button")
    assert [b.text.split(" ", 1)[1] for b in buttons] == [c.title for c in tags.chapters]
    for chapter, button, press in [(tags.chapters[2], buttons[2], False), (tags.chapters[1], buttons[1], True)]:
        if press:  # by keyboard: a button takes the focus and Enter
            opened.execute_script("arguments[0].focus()", button)
            button.send_keys(Keys.ENTER)
        else:
            button.click()
        assert button.tag_name == "button" and button.get_attribute("type") == "button"
        now = wait(opened, "const a = arguments[0]; return !a.paused && a.currentTime > 0 && a.currentTime", audio)
        assert chapter.start_ms / 1000 - 0.05 <= float(now) < chapter.start_ms / 1000 + 1.5, (chapter, now)  # type: ignore[arg-type]
        assert button.get_attribute("aria-current") == "true"
    opened.execute_script("arguments[0].pause()", audio)
    assert opened.get_log("browser") == []


@pytest.mark.slow
def test_the_words_and_the_holds_follow_the_audio(opened, site: Path) -> None:
    """At moments in the track (set on the player), the line said last and the hold's seconds
    left are the ones the track's own tags give."""
    article = articles(opened)[2]
    _, tags = tracks_of(site)[2]
    listed = [li.text.split(" ", 1)[1] for li in article.find_elements("css selector", ".words li")]
    assert listed == [line.text for line in tags.lines]  # every word is on the page
    now = article.find_element("css selector", ".now")
    assert now.get_attribute("aria-live") == "polite"
    audio = article.find_element("css selector", "audio")
    hold = article.find_element("css selector", ".hold")
    moments = [(start + (end - start) * part) / 1000 for start, end in tags.holds[:3] for part in (0.1, 0.55)]
    moments += [line.start_ms / 1000 + 0.2 for line in tags.lines[::7]]
    for t in moments:
        opened.execute_script("arguments[0].currentTime = arguments[1]", audio, t)
        there = "return !arguments[0].seeking && Math.abs(arguments[0].currentTime - arguments[1]) < 0.01"
        wait(opened, there, audio, t)
        said = [line.text for line in tags.lines if line.start_ms / 1000 <= t + 0.01][-1]
        wait(opened, "return arguments[0].textContent === arguments[1]", now, said)
        held = [(s / 1000, e / 1000) for s, e in tags.holds if s / 1000 <= t < e / 1000]
        if held:
            left = int(-(-(held[0][1] - t - 0.05) // 1))
            assert hold.is_displayed() and hold.text == f"Hold: {left} s left", (t, hold.text)
        else:
            assert not hold.is_displayed(), t
    assert opened.get_log("browser") == []


@pytest.mark.slow
def test_each_track_is_labelled_in_its_own_language(opened, site: Path) -> None:
    german = next(a for a in articles(opened) if a.get_attribute("lang") == "de")
    assert [h.text for h in german.find_elements("css selector", "h4")] == ["Kapitel", "Text"]
    audio = german.find_element("css selector", "audio")
    [(start, end), *_] = next(tags for _, tags in tracks_of(site) if tags.language == "de").holds
    opened.execute_script("arguments[0].currentTime = arguments[1]", audio, (start + 200) / 1000)
    left = int(-(-(end - start - 200 - 50) // 1000))
    wait(opened, "return arguments[0].querySelector('.hold').textContent === arguments[1]", german,
         f"Halten: noch {left} s")  # fmt: skip
    assert opened.find_element("css selector", "html").get_attribute("lang") == "en"  # most of the tracks'


@pytest.mark.slow
def test_nothing_is_missing_or_broken_at_phone_and_desktop_width(opened) -> None:
    images = opened.find_elements("css selector", "img")
    alts = [img.get_attribute("alt") for img in images]
    assert len(alts) == 3 and all(alt.startswith(("Card of ", "Karte: ")) for alt in alts), alts
    assert all(opened.execute_script("return arguments[0].naturalWidth", img) > 0 for img in images)
    for width in (320, 390, 1280):  # (a long German word, too)
        opened.set_window_size(width, 900)
        overflow = opened.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
    opened.set_window_size(1280, 900)
    levels = [int(h.tag_name[1]) for h in opened.find_elements("css selector", "h1, h2, h3, h4")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels  # no level skipped
    opened.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not any(a.is_displayed() for a in opened.find_elements("css selector", "audio"))
        last = opened.find_elements("css selector", ".words li")[-1]
        assert last.is_displayed() and opened.execute_script(
            "const r = arguments[0].getBoundingClientRect(), box = arguments[0].parentElement.getBoundingClientRect();"
            "return r.bottom <= box.bottom + 1", last)  # fmt: skip  # printed whole, not cut off in its box
    finally:
        opened.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert [entry for entry in opened.get_log("browser") if entry["level"] != "INFO"] == []


@pytest.mark.slow
def test_every_link_on_the_page_resolves_when_served(browser, server: str, site: Path) -> None:
    import urllib.request

    browser.get(server + "index.html")
    hrefs = browser.execute_script("return [...document.querySelectorAll('a[href], img[src], audio[src]')]"
                                   ".map(e => e.href || e.src)")  # fmt: skip
    local = [h for h in hrefs if h.startswith(server)]
    assert len(local) == 3 * 4 + 3, hrefs  # each track: audio, cover, download, words; a playlist, cards, feed
    for href in local:
        with urllib.request.urlopen(href) as answer:
            assert answer.status == 200, href
    assert quote("feed.xml") in " ".join(local)
    feed = json.dumps(feedparser.parse((site / "feed.xml").read_bytes()).feed.link)
    assert "index.html" in feed
