"""HTML main text: fixture pages in site templates (menus, cookie banners, sidebars of other headlines,
related stories, comments) keep the article and leave the boilerplate out, in English and Portuguese."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import kg
from kg import extract
from kg.read import read_file
from kg.records import Article

PAGES = Path(__file__).parent / "data" / "pages"

# (page, words of the article that must be kept, boilerplate that must not, metadata)
CASES = [
    (
        "portal-en.html",
        ["Cerebras competes with NVIDIA for inference work", "The round values the company at about $8 billion"],
        [
            "Amazon invests $4 billion in Anthropic",
            "We use cookies",
            "Sign up",
            "Microsoft backs",
            "All rights",
            "Share on X",
            "Podcasts",
        ],
        {
            "title": "Chip startup Cerebras raises $1.1 billion ahead of listing",
            "author": "Dana Whitfield",
            "published": "2025-09-30",
            "url": "https://dailycircuit.example/chip-startup-raises",
            "lang": "en",
        },
    ),
    (
        "legacy-pt.html",
        ["captou R$ 150 milhões numa rodada liderada pelo SoftBank", "maior volume de investimento de risco"],
        ["Amazon investe US$ 4 bilhões", "Leia também", "Usamos cookies", "Todos os direitos", "Esportes"],
        {
            "title": "Startup brasileira de IA capta R$ 150 milhões com fundo japonês",
            "author": "Mariana Tavares",
            "published": "2025-05-07",
            "url": "https://jornaldocircuito.example/startup-brasileira-capta",
            "lang": "pt",
        },
    ),
    (
        "blog-pt.html",
        ["treinado em chips da AMD", "elevou os salários da área"],
        ["Ótima matéria", "ninguém pergunta", "Google firma parceria", "Compartilhar", "Leia também"],
        {"author": "Luísa Ferraz", "published": "2025-11-03", "lang": "pt"},
    ),
]


@pytest.mark.parametrize(("page", "kept", "dropped", "meta"), CASES, ids=[c[0] for c in CASES])
def test_main_text_keeps_the_article_and_drops_boilerplate(page: str, kept, dropped, meta) -> None:
    (article,) = list(read_file(PAGES / page))
    assert isinstance(article, Article)
    for words in kept:
        assert words in article.text
    for words in dropped:
        assert words not in article.document
    for field, value in meta.items():
        assert getattr(article, field) == value


def test_no_sidebar_headline_becomes_a_fact(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    kg.build([pages], out=tmp_path / "out", model=None)
    rows = kg.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(kg:))) }", tmp_path / "out")
    facts = {tuple(re.split(r"[:/#]", term)[-1] for term in row) for row in rows.rows}
    assert ("cerebras", "competesWith", "nvidia") in facts  # the article's own facts, in both languages
    assert ("softbank-group", "investsIn", "dharma-labs") in facts
    mentioned = {o for s, p, o in facts if p == "mentions"}
    for sidebar in ("amazon", "anthropic", "samsung", "huawei", "microsoft", "intel"):  # sidebar and related only
        assert sidebar not in mentioned
        assert not any(sidebar in (s, o) for s, p, o in facts if p not in ("mentions",))


def test_the_author_is_dcterms_creator(tmp_path: Path) -> None:
    kg.build([PAGES / "portal-en.html"], out=tmp_path / "out", model=None)
    rows = kg.query("SELECT ?c WHERE { ?a a kg:Article ; dcterms:creator ?c }", tmp_path / "out").rows
    assert rows == [("Dana Whitfield",)]


@pytest.mark.parametrize("page", [c[0] for c in CASES])
def test_evidence_offsets_refer_to_the_stored_text(page: str) -> None:
    from kg.pipeline import process_article

    (article,) = list(read_file(PAGES / page))
    result = process_article(article, (), None, extract.resolve_extractor("default"))
    assert result.mentions and (result.facts or page == "blog-pt.html")
    for fact in result.facts:
        assert article.document[fact.start : fact.end] == fact.evidence
    for mention in result.mentions:
        assert article.document[mention.start : mention.end] == mention.text
