"""Mentions resolved to entity keys: known names, short forms within an article, new names across articles."""

from __future__ import annotations

import re

import pytest

from kg import link
from kg.analyse import analyse
from kg.ontology import fold, load
from kg.pipeline import process_article
from kg.records import Article, ArticleResult, Mention

KB = load()


def keys_of(text: str, lang: str) -> list[tuple[str, str, str]]:
    """(surface, type, key) of every mention, in text order."""
    doc = analyse(text, lang)
    return [(m.text, m.label, m.key) for m in link.mentions(doc, KB)]


def xfail(*values, reason: str):
    return pytest.param(*values, marks=pytest.mark.xfail(reason=reason, strict=True))


# ---------------------------------------------------------------- short forms within one article

SHORT_FORMS = [
    # (lang, text, short surface, expected key, expected type)
    (
        "pt",
        "O analista Rafael Antunes comentou o plano. Para Antunes, o plano é bom.",
        "Antunes",
        "new:Person:rafael-antunes",
        "Person",
    ),
    (
        "pt",
        "A startup Jabuticaba Labs lançou um modelo. Segundo a Jabuticaba, o modelo é barato.",
        "Jabuticaba",
        "new:Organization:jabuticaba-labs",
        "Organization",
    ),
    (
        "en",
        "The startup Lanternly Labs launched a model. Investors in Lanternly were pleased.",
        "Lanternly",
        "new:Organization:lanternly-labs",
        "Organization",
    ),
    (
        "en",
        "The startup Lanternly Labs launched a model. According to Lanternly, the model is cheap.",
        "Lanternly",
        "new:Organization:lanternly-labs",
        "Organization",
    ),
    ("en", "Zhipu AI released a new model. Zhipu said the model is open.", "Zhipu", "zhipu-ai", "Organization"),
    ("pt", "A Zhipu AI lançou um modelo. Segundo a Zhipu, o modelo é aberto.", "Zhipu", "zhipu-ai", "Organization"),
    (
        "pt",
        "A francesa Mistral AI captou recursos. A Mistral vai contratar engenheiros.",
        "Mistral",
        "mistral-ai",
        "Organization",
    ),
    (
        "en",
        "Nvidia CEO Jensen Huang spoke on Monday. Later, Huang said demand was strong.",
        "Huang",
        "jensen-huang",
        "Person",
    ),
    ("pt", "Jensen Huang falou na segunda-feira. Para Huang, a demanda é forte.", "Huang", "jensen-huang", "Person"),
    (
        "en",
        "The analyst Priya Ramaswamy reviewed the plan. According to Ramaswamy, the plan is sound.",
        "Ramaswamy",
        "new:Person:priya-ramaswamy",
        "Person",
    ),
]


@pytest.mark.parametrize(("lang", "text", "short", "key", "type_name"), SHORT_FORMS)
def test_short_forms_resolve_to_the_full_name(lang, text, short, key, type_name):
    assert (short, type_name, key) in keys_of(text, lang)


# ---------------------------------------------------------------- the knowledge base across languages

CROSS_LINGUAL = [
    # the same entity named in English and in Portuguese has one key
    (("en", "Bank of China announced a plan."), ("pt", "O Banco da China anunciou um plano."), "bank-of-china"),
    (("en", "The United States restricted exports."), ("pt", "Os EUA restringiram as exportações."), "united-states"),
    (("en", "The White House praised the deal."), ("pt", "A Casa Branca elogiou o acordo."), "white-house"),
    (("en", "Beijing backs local chips."), ("pt", "Pequim apoia chips locais."), "beijing"),
    (("en", "The European Council agreed."), ("pt", "O Conselho Europeu aprovou."), "european-council"),
    (
        ("en", "The Inter-American Development Bank lent $1 billion."),
        ("pt", "O Banco Interamericano de Desenvolvimento emprestou US$ 1 bilhão."),
        "inter-american-development-bank",
    ),
    (("en", "The University of Lisbon hired."), ("pt", "A Universidade de Lisboa contratou."), "university-of-lisbon"),
]


# ---------------------------------------------------------------- names that are also ordinary words

ORDINARY_WORDS = [
    # a name restricted to its spelling, or left out, does not link the ordinary phrase
    ("pt", "Novo banco digital promete crédito barato.", "novo-banco"),
    ("pt", "Seu dinheiro está seguro, diz o banco.", "seu-dinheiro"),
    ("pt", "Porto seguro para investidores, o setor atrai fundos.", "porto-seguro"),
    ("pt", "O técnico do time elogiou o sistema.", "instituto-superior-tecnico"),
    ("en", "Capital one day will be cheap.", "capital-one"),
    ("en", "Benchmark results show the model is ahead.", "benchmark-capital"),
]


@pytest.mark.parametrize(("lang", "text", "key"), ORDINARY_WORDS)
def test_ordinary_words_are_not_names(lang, text, key):
    assert key not in {k for _, _, k in keys_of(text, lang)}


def test_entity_keys_are_slugs():
    assert [key for key in KB.entities if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key)] == []


def test_no_two_entities_of_one_type_share_a_name():
    owners: dict[tuple[str, str], set[str]] = {}
    for name in KB.names:
        owners.setdefault((fold(name.text), KB.entities[name.key].type), set()).add(name.key)
    assert {name: keys for name, keys in owners.items() if len(keys) > 1} == {}


@pytest.mark.parametrize(("english", "portuguese", "key"), CROSS_LINGUAL)
def test_names_in_both_languages_share_a_key(english, portuguese, key):
    en_keys = {k for _, _, k in keys_of(english[1], english[0])}
    pt_keys = {k for _, _, k in keys_of(portuguese[1], portuguese[0])}
    assert key in en_keys and key in pt_keys


def test_mentions_carry_offsets_and_sentence_numbers():
    text = "Nvidia shares fell.\nA chinesa DeepSeek lançou o R1. A OpenAI reagiu."
    doc = analyse(text, "pt")
    mentions = link.mentions(doc, KB)
    assert [(m.text, m.sentence) for m in mentions] == [
        ("Nvidia", 0),
        ("chinesa", 1),
        ("DeepSeek", 1),
        ("R1", 1),
        ("OpenAI", 2),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text
    assert [m.source for m in mentions] == ["kb", "demonym", "kb", "kb", "kb"]


# ---------------------------------------------------------------- keys of names the knowledge base lacks


@pytest.mark.parametrize(
    ("text", "type_name", "key"),
    [
        ("Jabuticaba Labs", "Organization", "new:Organization:jabuticaba-labs"),
        ("Tucunaré", "Product", "new:Product:tucunare"),
        ("Cajuí-2", "AIModel", "new:AIModel:cajui-2"),
        ("Ascend 920C", "Hardware", "new:Hardware:ascend-920c"),
    ],
)
def test_new_keys_are_slugs_qualified_by_type(text, type_name, key):
    assert link.new_key(text, type_name) == key


def test_same_name_of_two_types_gets_two_keys():
    """An app and its company with the same name are two entities."""
    found = keys_of("The startup Tucunaré launched the app Tucunaré.", "en")
    assert ("Tucunaré", "Organization", "new:Organization:tucunare") in found
    assert ("Tucunaré", "Product", "new:Product:tucunare") in found
    assert link.new_key("Tucunaré", "Organization") != link.new_key("Tucunaré", "Product")


# ---------------------------------------------------------------- merging new names across articles


def _article(id_: str, text: str, lang: str) -> Article:
    return Article(id=id_, path=id_, title="", text=text, lang=lang)


def test_new_entities_merge_across_articles():
    first = process_article(
        _article(
            "a.pt.txt",
            "A startup Jabuticaba Labs lançou o app Piracema. Segundo a Jabuticaba, o app Piracema é gratuito.",
            "pt",
        )
    )
    second = process_article(
        _article(
            "b.en.txt", "The startup Jabuticaba Labs raised money. Investors in Jabuticaba Labs were pleased.", "en"
        )
    )
    entities = link.new_entities([first, second])
    org = entities["new:Organization:jabuticaba-labs"]
    assert (org.label, org.type, org.aliases) == ("Jabuticaba Labs", "Organization", ("Jabuticaba",))
    app = entities["new:Product:piracema"]
    assert (app.label, app.type, app.aliases) == ("Piracema", "Product", ())
    assert not [k for k in entities if not k.startswith(link.NEW_PREFIX)]  # knowledge-base names are not new
    assert ("new:Product:piracema", "developedBy", "new:Organization:jabuticaba-labs") in {
        (f.subject, f.predicate, f.object) for f in first.facts
    }


def _result(*forms: tuple[str, str]) -> ArticleResult:
    article = _article("x", "", "en")
    mentions = tuple(Mention(0, len(text), text, "Organization", key, "rule") for text, key in forms)
    return ArticleResult(article=article, mentions=mentions)


def test_new_entity_label_is_the_most_frequent_form():
    key = "new:Organization:corvana-semiconductor"
    entities = link.new_entities(
        [
            _result(("Corvana Semiconductor", key), ("Corvana", key)),
            _result(("Corvana", key)),
            _result(("Nvidia", "nvidia")),
        ]
    )
    assert list(entities) == [key]
    assert entities[key].label == "Corvana"
    assert entities[key].aliases == ("Corvana Semiconductor",)


def test_new_entity_label_ties_go_to_the_longer_form():
    key = "new:Organization:corvana-semiconductor"
    entities = link.new_entities([_result(("Corvana", key), ("Corvana Semiconductor", key))])
    assert entities[key].label == "Corvana Semiconductor"
    assert entities[key].aliases == ("Corvana",)
