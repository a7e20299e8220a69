"""Archive and feed formats: WARC (plain and gzipped, made with warcio here), gzipped text formats, RSS
and Atom feeds, each as a table of cases, in English and Portuguese; and `kg read` / `kg.read_articles`."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import kg
import kg.read as read
from kg.cli import cli
from kg.records import Article, Skipped

EN = "NVIDIA said on Monday that it would invest in OpenAI, which competes with Anthropic in chat assistants."
PT = "A Nvidia afirmou nesta segunda-feira que vai investir na OpenAI, que concorre com a Anthropic."


def page(title: str, body: str, lang: str) -> bytes:
    return (
        f'<html lang="{lang}"><head><title>{title}</title></head><body><nav><a href="/">Home</a></nav>'
        f"<article><h1>{title}</h1><p>{body}</p></article>"
        "<footer>All rights reserved.</footer></body></html>"
    ).encode()


def warc(records: list[tuple[str, str, bytes, str]], compress: bool) -> bytes:
    """A WARC of (kind, uri, payload, content type) records, as warcio writes them."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    for kind, uri, payload, content_type in records:
        if kind == "response":
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-02-03T10:00:00Z"},
            )  # fmt: skip
        else:
            record = writer.create_warc_record(uri, kind, payload=io.BytesIO(payload))
        writer.write_record(record)
    return out.getvalue()


def read_all(path: Path) -> list[Article | Skipped]:
    return list(read.read_file(path, root=path.parent))


WARC_RECORDS = [
    ("warcinfo", "", b"software: test", ""),
    ("response", "https://news.example/en/nvidia", page("Nvidia and OpenAI", EN, "en"), "text/html; charset=utf-8"),
    ("response", "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
    ("response", "https://news.example/pt/nvidia", page("Nvidia e OpenAI", PT, "pt"), "text/html"),
    ("response", "https://news.example/empty", b"   ", "text/html"),
]


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_warc_records_are_articles_with_their_uri_and_date(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    path.write_bytes(warc(WARC_RECORDS, compress))
    en, pt, empty = read_all(path)
    assert isinstance(en, Article) and isinstance(pt, Article)
    assert (en.id, en.url, en.published, en.lang, en.title) == (
        "crawl.warc" + (".gz" if compress else "") + "#2", "https://news.example/en/nvidia", "2025-02-03", "en",
        "Nvidia and OpenAI",
    )  # fmt: skip
    assert en.text == EN and "Home" not in en.document and "rights" not in en.document
    assert (pt.lang, pt.url, pt.text.split("\n")[0]) == ("pt", "https://news.example/pt/nvidia", PT)
    assert isinstance(empty, Skipped) and empty.path.endswith("#5") and empty.reason == "record 5: empty"


def test_a_warc_record_over_the_limit_is_skipped_by_number(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 2000)
    big = page("Big", EN * 40, "en")
    path = tmp_path / "big.warc.gz"
    path.write_bytes(warc([WARC_RECORDS[1], ("response", "https://news.example/big", big, "text/html")], True))
    first, second = read_all(path)
    assert isinstance(first, Article)
    assert isinstance(second, Skipped) and second.path.endswith("#2") and "record 2: too large" in second.reason


def test_a_warc_that_breaks_off_keeps_the_records_before(tmp_path: Path) -> None:
    good = warc(WARC_RECORDS[:2], False)
    path = tmp_path / "cut.warc"
    path.write_bytes(good + b"this is not a WARC record\r\n\r\n")
    items = read_all(path)
    assert isinstance(items[0], Article)
    assert isinstance(items[-1], Skipped) and items[-1].path.endswith("#3") and "not a WARC record" in items[-1].reason


def test_a_large_warc_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "many.warc.gz"
    records = [("response", f"https://news.example/{i}", page(f"Story {i}", EN, "en"), "text/html") for i in range(300)]
    path.write_bytes(warc(records, True))
    tracemalloc.start()
    count = 0
    for item in read.read_file(path):
        assert isinstance(item, Article)
        count += 1
        if count == 10:
            _, early = tracemalloc.get_traced_memory()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 300
    assert peak < 3 * early + 2_000_000  # memory does not grow with the records read


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt.gz", f"Nvidia e OpenAI\n\n{PT}\n", [("a.txt.gz", "pt", "Nvidia e OpenAI")]),
        ("a.html.gz", page("Nvidia and OpenAI", EN, "en").decode(), [("a.html.gz", "en", "Nvidia and OpenAI")]),
        ("a.json.gz", json.dumps({"title": "T", "text": EN, "url": "https://x.example"}), [("a.json.gz", "en", "T")]),
        (
            "a.jsonl.gz",
            json.dumps({"text": EN, "title": "One"}) + "\n{bad\n" + json.dumps({"text": PT, "title": "Dois"}) + "\n",
            [
                ("a.jsonl.gz#1", "en", "One"),
                ("a.jsonl.gz:2", None, "line 2: invalid JSON"),
                ("a.jsonl.gz#3", "pt", "Dois"),
            ],
        ),
        ("a.md.gz", f"# Título\n\n{PT}\n", [("a.md.gz", "pt", "Título")]),
    ],
)
def test_gzipped_text_formats(tmp_path: Path, name: str, content: str, expected) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(content.encode("utf-8")))
    got = []
    for item in read_all(path):
        if isinstance(item, Article):
            got.append((item.id, item.lang, item.title))
        else:
            got.append((Path(item.path).name, None, item.reason))
    assert got == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not gzip at all", "not a valid gzip file"),
        (gzip.compress(b"x" * 10_000)[:40], "not a valid gzip file"),
        (gzip.compress(b"a " * 600_000), "too large once decompressed"),
    ],
    ids=["not-gzip", "truncated", "bomb"],
)
def test_bad_gzip_is_skipped_with_a_reason(tmp_path: Path, monkeypatch, data: bytes, reason: str) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 1_000_000)
    path = tmp_path / "a.txt.gz"
    path.write_bytes(data)
    (item,) = read_all(path)
    assert isinstance(item, Skipped) and item.reason.startswith(reason)


RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Notícias</title><language>pt-BR</language>
<item><title>Nvidia e OpenAI</title><link>https://n.example/1</link>
<pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate><description>&lt;p&gt;{PT}&lt;/p&gt;</description></item>
<item><title>Sem texto</title><link>https://n.example/2</link></item>
<item><title>English one</title><link>https://n.example/3</link><author>ana@n.example (Ana Lima)</author>
<description>{EN}</description></item>
</channel></rss>"""
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>Nvidia and OpenAI</title><link href="https://e.example/a"/><updated>2025-01-02T00:00:00Z</updated>
<author><name>Sam Reed</name></author>
<content type="html">&lt;p&gt;{EN}&lt;/p&gt;&lt;p&gt;More.&lt;/p&gt;</content></entry>
</feed>"""
ATOM_ENTRY = ("en", "Nvidia and OpenAI", "https://e.example/a", "2025-01-02", "Sam Reed", f"{EN}\n\nMore.")


@pytest.mark.parametrize(
    ("name", "feed", "expected"),
    [
        (
            "news.rss",
            RSS,
            [
                ("news.rss#1", "pt", "Nvidia e OpenAI", "https://n.example/1", "2025-03-04", "", PT),
                ("news.rss#2", None, "item 2: no content or description"),
                ("news.rss#3", "en", "English one", "https://n.example/3", "", "ana@n.example (Ana Lima)", EN),
            ],
        ),
        (
            "news.atom",
            ATOM,
            [("news.atom#1", *ATOM_ENTRY)],
        ),
        (
            "news.xml",
            ATOM,
            [("news.xml#1", *ATOM_ENTRY)],
        ),
        (
            "other.xml",
            "<?xml version='1.0'?><config><a>1</a></config>",
            [("other.xml", None, "not an RSS or Atom feed")],
        ),
    ],
)
def test_feeds(tmp_path: Path, name: str, feed: str, expected) -> None:
    path = tmp_path / name
    path.write_text(feed, encoding="utf-8")
    got = []
    for item in read_all(path):
        if isinstance(item, Article):
            got.append((item.id, item.lang, item.title, item.url, item.published, item.author, item.text))
        else:
            got.append((Path(item.path).name, None, item.reason))
    assert got == expected


def test_kg_read_prints_what_will_be_analysed(tmp_path: Path) -> None:
    (tmp_path / "news.rss").write_text(RSS, encoding="utf-8")
    (tmp_path / "crawl.warc.gz").write_bytes(warc(WARC_RECORDS[:2], True))
    result = CliRunner().invoke(cli, ["read", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["crawl.warc.gz#2", "news.rss#1", "news.rss#3"]
    assert set(rows[0]) == {"id", "path", "title", "text", "lang", "url", "date", "author"}
    assert (rows[1]["lang"], rows[1]["date"], rows[1]["text"]) == ("pt", "2025-03-04", PT)
    assert "skipped" in result.stderr and "news.rss#2: item 2: no content or description" in result.stderr
    text = CliRunner().invoke(cli, ["read", str(tmp_path / "news.rss"), "--format", "text"], catch_exceptions=False)
    assert text.stdout.startswith("# news.rss#1: Nvidia e OpenAI\n(pt · 2025-03-04 · https://n.example/1)\n\n" + PT)
    missing = CliRunner().invoke(cli, ["read", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and missing.output.strip() == f"Error: no such file or folder: {tmp_path / 'nope'}"


def test_the_library_reads_as_kg_read_does(tmp_path: Path) -> None:
    (tmp_path / "crawl.warc").write_bytes(warc(WARC_RECORDS[:2], False))
    (article,) = kg.read_articles([tmp_path])
    assert read.article_record(article)["url"] == "https://news.example/en/nvidia"


def test_an_unsupported_gzipped_file_is_not_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "photo.png.gz"
    path.write_bytes(gzip.compress(b"\x89PNG\r\n\x1a\n" + b"\0" * 100))
    (item,) = read_all(path)
    assert isinstance(item, Skipped) and item.reason == "unsupported file type (.png.gz): binary file"


def test_a_utf16_jsonl_gz_is_read_within_the_limit(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 100_000)
    small, big = tmp_path / "small.jsonl.gz", tmp_path / "big.jsonl.gz"
    small.write_bytes(gzip.compress(json.dumps({"text": PT}).encode("utf-16")))
    big.write_bytes(gzip.compress((json.dumps({"text": PT}) + "\n").encode("utf-16") * 2000))
    (article,) = read_all(small)
    assert isinstance(article, Article) and article.text == PT
    (skipped,) = read_all(big)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("file too large")


@pytest.mark.parametrize(("text", "lang"), [(EN, "en"), (PT, "pt")])
def test_a_json_record_s_author(tmp_path: Path, text: str, lang: str) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"text": text, "author": "Ana Lima", "lang": lang}), encoding="utf-8")
    (article,) = read_all(path)
    assert isinstance(article, Article) and (article.author, article.lang) == ("Ana Lima", lang)
