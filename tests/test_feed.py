"""The podcast feed, read by a real feed reader (feedparser): every enclosure, cover and chapters
file resolves to its file in the folder with its exact length, the chapters are the plan's, and
guids stay the same across rebuilds."""

from __future__ import annotations

import datetime
import json
import shutil
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
import webvtt
from conftest import SMALL_ROUTINE, cli_once, ffprobe, plan_json, read_tags

from stretchcue.outputs.feed import check_base_url, rss, show_guid
from stretchcue.outputs.listing import Episode

BASE = "https://example.com/my stretches/"  # a space, so the addresses must be quoted


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two tracks of the small routine (5 s and 8 s holds), their playlist and
    feed: built once for the module."""
    folder = tmp_path_factory.mktemp("feed")
    routine = folder / "quick.yaml"
    routine.write_text(SMALL_ROUTINE, encoding="utf-8")
    run = cli_once("build", routine, "--voice", "beep", "--hold", "5", "--hold", "8", "--out", folder / "site",
                   "--feed", BASE)  # fmt: skip
    assert "feed: " in run.out and "(2 episodes)" in run.out, run.out
    return folder / "site"


@pytest.fixture
def served(built: Path, tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the built folder of this test's own, and its feed as read."""
    out = tmp_path / "site"
    shutil.copytree(built, out)
    return out, parse(out)


def parse(folder: Path) -> dict:
    parsed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def local(folder: Path, url: str) -> Path:
    """The file in `folder` that an address under BASE names (unquoted)."""
    assert url.startswith("https://example.com/my%20stretches/"), url
    return folder / unquote(urlsplit(url).path.rsplit("/", 1)[1])


def test_a_feed_reader_takes_the_feed_and_every_enclosure_is_its_file(served) -> None:
    folder, feed = served
    assert feed.version == "rss20"
    assert feed.feed.title == "Quick check - 5, 8 s holds"  # the tracks' album
    # Apple's spelling, true/false (feedparser maps only "yes" and "clean", so it reads ours as not explicit)
    xml = ElementTree.parse(folder / "feed.xml").getroot()
    explicit = [e.text for e in xml.iter("{http://www.itunes.com/dtds/podcast-1.0.dtd}explicit")]
    assert explicit == ["false"] * 3 and not feed.feed.itunes_explicit
    assert local(folder, feed.feed.image.href).name == "01 - Quick check - 5 s holds.jpg"
    assert [e.title for e in feed.entries] == ["Quick check - 5 s holds", "Quick check - 8 s holds"]
    for number, entry in enumerate(feed.entries, start=1):
        [enclosure] = entry.enclosures
        track = local(folder, enclosure.href)
        assert track.is_file() and int(enclosure.length) == track.stat().st_size, enclosure
        assert enclosure.type == "audio/mpeg"
        assert int(entry.itunes_episode) == number
        assert not entry.itunes_explicit
        assert int(entry.itunes_duration) == round(read_tags(track).length_ms / 1000)
        assert float(ffprobe(track)["format"]["duration"]) == pytest.approx(int(entry.itunes_duration), abs=0.5)
        assert local(folder, entry.image.href).read_bytes() == read_tags(track).cover
        assert entry.id.startswith("urn:uuid:") and entry.guidislink is False


def test_each_track_has_its_chapters_as_podcasting_2_json(cli, served, small_routine: Path) -> None:
    folder, _ = served
    xml = (folder / "feed.xml").read_text(encoding="utf-8")
    assert 'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in xml
    plan = plan_json(cli, small_routine, "--voice", "beep", "--hold", "5")
    planned = [(round(c["start"], 3), c["chapter"]) for c in plan["cues"] if c["chapter"]]
    url = BASE.replace(" ", "%20") + "01%20-%20Quick%20check%20-%205%20s%20holds.chapters.json"
    assert f'<podcast:chapters url="{url}?v=' in xml and 'type="application/json+chapters"/>' in xml
    chapters = json.loads(local(folder, url).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in chapters["chapters"]] == planned


def test_the_show_and_its_episodes_carry_what_podcast_apps_use(served) -> None:
    folder, feed = served
    xml = ElementTree.parse(folder / "feed.xml").getroot()
    podcast = "{https://podcastindex.org/namespace/1.0}"
    # The show's guid: UUIDv5 of the feed's address without "https://", in the podcast namespace.
    assert show_guid("https://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"  # (spec)
    [guid] = [e.text for e in xml.iter(f"{podcast}guid")]
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    assert guid == str(uuid.uuid5(namespace, "example.com/my%20stretches/feed.xml"))
    assert feed.feed.language == "en"
    assert any(link.rel == "self" and link.href == BASE.replace(" ", "%20") + "feed.xml" for link in feed.feed.links)
    dates = [entry.published_parsed for entry in feed.entries]
    assert dates == sorted(dates) and len(set(dates)) == len(dates), dates  # apps sorting by date keep the order
    items = xml.find("channel").findall("item")  # type: ignore[union-attr]
    for item, entry in zip(items, feed.entries, strict=True):
        [transcript] = item.findall(f"{podcast}transcript")
        assert transcript.get("type") == "text/vtt" and transcript.get("rel") == "captions", transcript.attrib
        assert transcript.get("language") == "en"
        vtt = local(folder, transcript.get("url", ""))
        track = local(folder, entry.enclosures[0].href)
        assert vtt == track.with_suffix(".vtt")
        said = [caption.text for caption in webvtt.read(vtt)]
        assert said and said == [line.text for line in read_tags(track).lines]


def test_guids_stay_and_a_rerun_replaces_the_feed_whole(cli, served, small_routine: Path) -> None:
    folder, before = served
    guids, addresses = [e.id for e in before.entries], [e.enclosures[0].href for e in before.entries]
    assert cli("feed", folder, "--base-url", BASE).code == 0
    assert [e.enclosures[0].href for e in parse(folder).entries] == addresses  # the same audio, the same address
    # rebuilt with chimes (new audio, same tracks), then one track removed
    run = cli("build", small_routine, "--voice", "beep", "--hold", "5", "--hold", "8", "--chimes", "--out", folder)
    assert run.code == 0 and run.out.count("built:") == 2, run
    run = cli("feed", folder, "--base-url", BASE, "--title", "My back", "--author", "Sam")
    assert run.code == 0, run.err
    after = parse(folder)
    assert [e.id for e in after.entries] == guids
    renewed = [e.enclosures[0].href for e in after.entries]
    # New audio at a new address (apps keep the audio of an address they know), of the same file.
    for new, old in zip(renewed, addresses, strict=True):
        assert new != old and local(folder, new) == local(folder, old), (new, old)
    assert after.feed.title == "My back" and after.feed.author_detail.name == "Sam"
    (folder / "02 - Quick check - 8 s holds.mp3").unlink()
    assert cli("feed", folder, "--base-url", BASE).code == 0
    assert [e.id for e in parse(folder).entries] == guids[:1]
    assert not list(folder.glob(".*stretchcue-part*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "ftp://example.com/x/"], "'ftp://example.com/x/' is not the address of a folder (not an http"),
        (["--base-url", "example.com/x"], "(not an http(s) address)"),
        (["--base-url", "https://[::1/"], "(Invalid IPv6 URL)"),
        (["--base-url", "https://[fe80::1/stretch/"], "(Invalid IPv6 URL)"),
        (["--base-url", "https://my host.example/x/"], "host 'my host.example'"),
        (["--base-url", "https://-dash-.example/"], "host '-dash-.example'"),
        (["--base-url", "https://a..b.example/"], "host 'a..b.example'"),
        (["--base-url", "https://example.com:99999999/"], "(Port out of range"),
        (["--base-url", "https://xn--/"], "is not the address of a folder ("),
        (["--base-url", "https://a.xn--abc-.de/"], "is not the address of a folder ("),
        (["--base-url", "https://example.com:0/"], "(port 0)"),
        (["--base-url", "https://[fe80::1%25eth0]/"], "a zone index is local to one machine"),
        (["--base-url", "https://1.2.3/"], "not an IP address, nor a name"),
        (["--base-url", "https://256.1.1.1/x/"], "not an IP address, nor a name"),
        (["--base-url", "https://user:pw@example.com/x/"], "must not hold a user name or password"),
        (["--base-url", "https://token@example.com/"], "must not hold a user name or password"),
        (["--base-url", "https://example.com/x/?page=2"], "no ?query or #fragment"),
        (["--base-url", "https://example.com/x/#top"], "no ?query or #fragment"),
        (["--base-url", "https://exa\x07mple.com/"], "control character (U+0007)"),
        (["--base-url", "https://example.com/x\tx/"], "control character (U+0009)"),
        (["--base-url", "https://example.com/\uffff/"], "U+FFFF, which is not a character"),
        (["--base-url", "https://example.com/\udcff/"], "bytes that are not UTF-8 text"),  # as argv gives them
        (["--base-url", BASE, "--title", "Back\x00"], "--title: 'Back\\x00' contains a control character (U+0000)"),
        (["--base-url", BASE, "--title", "Back\ufffe"], "--title: 'Back\\ufffe' contains U+FFFE"),
        (["--base-url", BASE, "--title", "   "], "--title: '   ' is empty"),
        (["--base-url", BASE, "--author", "Sam\x1b[31m"], "--author: 'Sam\\x1b[31m' contains a control character"),
        (["--base-url", BASE, "--author", "Sam \udc80"], "--author: 'Sam \\udc80' contains bytes that are not UTF-8"),
        (["--base-url", BASE, "--author", "Sam\u202eevil"], "--author: 'Sam\\u202eevil' contains a control character"),
    ],
)
def test_a_bad_address_is_one_line_and_writes_nothing(cli, served, args: list[str], message: str) -> None:
    folder, _ = served
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    run = cli("feed", folder, *args)
    assert run.code == 2 and run.err.count("\n") == 1 and message in run.err, run.err
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_a_foreign_feed_is_never_overwritten(cli, served) -> None:
    folder, _ = served
    (folder / "feed.xml").write_text("<rss>someone else's</rss>", encoding="utf-8")
    run = cli("feed", folder, "--base-url", BASE)
    assert run.code == 2 and "not made by stretchcue" in run.err, run.err
    assert (folder / "feed.xml").read_text(encoding="utf-8") == "<rss>someone else's</rss>"


def test_a_folder_without_tracks_has_no_feed(cli, tmp_path: Path) -> None:
    run = cli("feed", tmp_path, "--base-url", BASE)
    assert run.code == 2 and "no tracks made by stretchcue" in run.err, run.err
    assert list(tmp_path.iterdir()) == []  # refused before its lock was taken: nothing written


def test_a_foreign_feed_stops_a_build_with_feed_before_anything_is_built(cli, small_routine: Path, tmp_path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "feed.xml").write_text("<rss>someone else's</rss>", encoding="utf-8")
    run = cli("build", small_routine, "--voice", "beep", "--out", out, "--feed", BASE)
    assert run.code == 2 and run.err.count("\n") == 1 and "feed.xml exists and was not made by" in run.err, run.err
    assert sorted(p.name for p in out.iterdir()) == ["feed.xml"]  # not even a lock file


def test_an_address_has_one_spelling_and_two_tracks_of_one_title_two_guids(tmp_path: Path) -> None:
    assert check_base_url("https://Example.com:443/s") == check_base_url("https://example.com/s/")
    assert check_base_url("http://example.com:8080/s/") == "http://example.com:8080/s/"
    published = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    twins = []
    for name in ("Back.mp3", "Back (2).mp3"):  # a manifest listing one routine twice, with other reps
        (tmp_path / name).write_bytes(b"audio")
        twins.append(Episode(tmp_path / name, "Back", "Series", 1, 60.0, "", b"", (), published, audio=name * 8))
    xml = ElementTree.fromstring(rss(twins, BASE, "Series", "me"))
    guids = [guid.text for guid in xml.iter("guid")]
    assert len(set(guids)) == 2 and guids[0] == twins[0].guid, guids
    dates = [date.text for date in xml.iter("pubDate")]
    assert dates == ["Thu, 01 Jan 2026 00:00:00 +0000", "Thu, 01 Jan 2026 00:00:01 +0000"]  # in order, one second apart
