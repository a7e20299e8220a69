"""Table tests of each general pattern of `kg.extract.patterns`, in English and Portuguese.

Every row is a sentence (or two) and the facts one pattern must read from it, named by the pattern
that reads them; no trained model is involved (the blank tokenizers and the knowledge base only).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg import link
from kg.analyse import analyse
from kg.extract import patterns
from kg.extract.sentence import Sentence, coordinated, lexicon, negated
from kg.namespace import SYMMETRIC
from kg.ontology import load

KB = load()
B = 10**9
M = 10**6


def found(text: str, lang: str) -> list[patterns.Found]:
    doc = analyse(text, lang)
    return [f for _, f in patterns.found(doc, link.mentions(doc, KB), KB, lang)]


def read(text: str, lang: str) -> set[tuple[str, str, str, str]]:
    """(subject, relation, object, pattern) of every fact found; symmetric pairs in sorted order."""
    out = set()
    for f in found(text, lang):
        a, b = f.subject.key, f.object.key
        if f.relation in SYMMETRIC:
            a, b = sorted((a, b))
        out.add((a, f.relation, b, f.pattern))
    return out


def facts(text: str, lang: str) -> set[tuple[str, str, str]]:
    doc = analyse(text, lang)
    return {(f.subject, f.predicate, f.object) for f in patterns.facts(doc, link.mentions(doc, KB), KB, lang, "t")}


def canonical(s: str, p: str, o: str) -> tuple[str, str, str]:
    """Symmetric relations as unordered pairs, sorted."""
    if p in SYMMETRIC:
        s, o = sorted((s, o))
    return s, p, o


def expect(pattern: str, *triples: tuple[str, str, str]) -> set[tuple[str, str, str, str]]:
    return {(*canonical(*t), pattern) for t in triples}


# ---------------------------------------------------------------- trigger: a relation word between entities

TRIGGER = [
    # subject left, object right
    ("en", "Nvidia invested heavily in Mistral AI last year.", [("nvidia", "investsIn", "mistral-ai")]),
    ("en", "Nvidia will fund Mistral AI.", [("nvidia", "investsIn", "mistral-ai")]),
    ("pt", "A Nvidia investiu pesado na Mistral AI no ano passado.", [("nvidia", "investsIn", "mistral-ai")]),
    # inverse words swap the two
    ("en", "Anthropic, backed by Amazon, hired more engineers.", [("amazon", "investsIn", "anthropic")]),
    ("pt", "A Anthropic, apoiada pela Amazon, contratou engenheiros.", [("amazon", "investsIn", "anthropic")]),
    # a round that included its investors
    ("en", "xAI closed a funding round that included BlackRock.", [("blackrock", "investsIn", "xai")]),
    ("pt", "A xAI fechou uma rodada de financiamento que incluiu a BlackRock.", [("blackrock", "investsIn", "xai")]),
    # a passive after an active word
    ("en", "Mistral AI was financed in part by Nvidia.", [("nvidia", "investsIn", "mistral-ai")]),
    # both after the word, told apart by their prepositions
    ("pt", "O investimento da Microsoft na OpenAI cresceu.", [("microsoft", "investsIn", "openai")]),
    # types give the direction: both ends after the word, a comma between
    ("en", "The chief executive of Nvidia, Jensen Huang, spoke first.", [("jensen-huang", "leads", "nvidia")]),
    ("pt", "O presidente-executivo da Nvidia, Jensen Huang, falou primeiro.", [("jensen-huang", "leads", "nvidia")]),
    # or the title after both
    ("en", "Jensen Huang, Nvidia's chief executive, spoke first.", [("jensen-huang", "leads", "nvidia")]),
    ("en", "Grok 3 was trained on the Colossus supercomputer.", [("grok-3", "trainedOn", "colossus")]),
    ("pt", "O Grok 3 foi treinado no supercomputador Colossus.", [("grok-3", "trainedOn", "colossus")]),
    # the antecedent of a relative clause, not a name inside it
    (
        "pt",
        "O R1, que supera o Gemini, foi treinado com chips H800.",
        [("deepseek-r1", "trainedOn", "h800"), ("deepseek-r1", "competesWith", "gemini")],
    ),
    ("en", "DeepSeek R1, which rivals Gemini, was trained on H800 chips.", [("deepseek-r1", "trainedOn", "h800")]),
    # symmetric relations: one of each side, a list before the word, "between"
    ("en", "Microsoft partnered with Oracle on cloud capacity.", [("microsoft", "partnersWith", "oracle")]),
    ("pt", "A Microsoft firmou parceria com a Oracle.", [("microsoft", "partnersWith", "oracle")]),
    ("en", "Oracle will partner with the American chip giant Nvidia.", [("nvidia", "partnersWith", "oracle")]),
    ("pt", "A Oracle ampliou sua parceria com a gigante de chips Nvidia.", [("nvidia", "partnersWith", "oracle")]),
    ("en", "Microsoft and Oracle signed an agreement.", [("microsoft", "partnersWith", "oracle")]),
    ("pt", "A Microsoft e a Oracle assinaram um acordo.", [("microsoft", "partnersWith", "oracle")]),
    ("en", "It is a partnership between Oracle and SoftBank.", [("oracle", "partnersWith", "softbank-group")]),
    ("pt", "É uma parceria entre a Oracle e o SoftBank.", [("oracle", "partnersWith", "softbank-group")]),
    ("en", "Qwen competes with Gemini in benchmarks.", [("qwen", "competesWith", "gemini")]),
    ("pt", "O Qwen concorre com o Gemini.", [("qwen", "competesWith", "gemini")]),
    # a place before an organisation
    ("en", "Paris-based Mistral AI hired staff.", [("mistral-ai", "locatedIn", "paris")]),
    ("pt", "A Mistral AI, sediada em Paris, contratou.", [("mistral-ai", "locatedIn", "paris")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), TRIGGER)
def test_trigger(lang, text, expected):
    assert expect("trigger", *expected) <= read(text, lang)


TRIGGER_NOT = [
    # a noun's complement is not the actor
    ("en", "Researchers from Google joined Anthropic, backed by Amazon.", [("google", "investsIn", "anthropic")]),
    ("pt", "Pesquisadores do Google criaram a Anthropic, apoiada pela Amazon.", [("google", "investsIn", "anthropic")]),
    # a word that needs an amount has none
    ("pt", "A Mistral AI receberá chips da Nvidia.", [("nvidia", "investsIn", "mistral-ai")]),
    ("en", "xAI closed a funding round that included BlackRock.", [("xai", "investsIn", "blackrock")]),
    # a relation word that is also an organisation noun, used as the noun
    (
        "en",
        "Mistral AI is owned by a sovereign wealth fund, the Public Investment Fund.",
        [("mistral-ai", "investsIn", "public-investment-fund")],
    ),
    # a former title
    ("en", "The former Nvidia chief executive Jensen Huang spoke.", [("jensen-huang", "leads", "nvidia")]),
    # a list that goes on is not the subject of the word after it
    (
        "en",
        "The plan names Microsoft, Oracle and the partners of Stargate.",
        [("microsoft", "partnersWith", "oracle")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "forbidden"), TRIGGER_NOT)
def test_trigger_does_not_read(lang, text, forbidden):
    got = {(s, p, o) for s, p, o, _ in read(text, lang)}
    assert not {canonical(*t) for t in forbidden} & got


# ---------------------------------------------------------------- compound, possessive, apposition

MAKERS = [
    ("compound", "en", "Nvidia H800 chips remain scarce.", [("h800", "developedBy", "nvidia")]),
    ("compound", "pt", "Os chips Nvidia H800 seguem escassos.", [("h800", "developedBy", "nvidia")]),
    ("compound", "en", "Huawei Ascend 910C parts shipped.", [("ascend-910c", "developedBy", "huawei")]),
    ("possessive", "en", "Meta unveiled its Llama 3.1 model.", [("llama-3-1", "developedBy", "meta")]),
    ("possessive", "pt", "A Meta apresentou seu modelo Llama 3.1.", [("llama-3-1", "developedBy", "meta")]),
    ("possessive", "pt", "A Meta prepara a sua nova versão do Llama 3.1.", [("llama-3-1", "developedBy", "meta")]),
    # the named thing in apposition to the possessed noun, either side
    (
        "possessive",
        "pt",
        "O Google lançou seu novo modelo de linguagem, o Gemini.",
        [("gemini", "developedBy", "google")],
    ),
    (
        "possessive",
        "en",
        "Google showed its new model, called Gemini, on Monday.",
        [("gemini", "developedBy", "google")],
    ),
    ("possessive", "pt", "O Google mostrou o Gemini, seu modelo de IA.", [("gemini", "developedBy", "google")]),
    ("apposition", "en", "Copilot, Microsoft's AI assistant, grew.", [("copilot", "developedBy", "microsoft")]),
    (
        "apposition",
        "pt",
        "O CloudMatrix 384, supercomputador da Huawei, chegou.",
        [("cloudmatrix-384", "developedBy", "huawei")],
    ),
]


@pytest.mark.parametrize(("pattern", "lang", "text", "expected"), MAKERS)
def test_makers(pattern, lang, text, expected):
    assert expect(pattern, *expected) <= read(text, lang)


MAKERS_NOT = [
    # a possessive before a rival's product
    ("en", "Google must defend its search business against Copilot.", [("copilot", "developedBy", "google")]),
    ("pt", "O Google defende seu negócio contra o Copilot.", [("copilot", "developedBy", "google")]),
    # a maker's word whose maker is a complement, or whose thing is a place to work on
    ("en", "Oracle plans to offer services on the Copilot platform.", [("copilot", "developedBy", "oracle")]),
    (
        "pt",
        "Um assessor da Casa Branca comentou o lançamento do Llama 3.1.",
        [("llama-3-1", "developedBy", "white-house")],
    ),
    # a possessive that a preposition's complement cannot own
    ("en", "Analysts at Google praised Meta for its Llama 3.1.", [("llama-3-1", "developedBy", "google")]),
]


@pytest.mark.parametrize(("lang", "text", "forbidden"), MAKERS_NOT)
def test_makers_not(lang, text, forbidden):
    got = {(s, p, o) for s, p, o, _ in read(text, lang)}
    assert not set(forbidden) & got


# ---------------------------------------------------------------- investor nouns

INVESTORS = [
    ("en", "Microsoft, OpenAI's largest backer, said nothing.", [("microsoft", "investsIn", "openai")]),
    ("pt", "A Microsoft, maior investidora da OpenAI, não comentou.", [("microsoft", "investsIn", "openai")]),
    ("en", "Microsoft, which is OpenAI's biggest investor, agreed.", [("microsoft", "investsIn", "openai")]),
    ("pt", "A Nvidia é acionista da Mistral AI.", [("nvidia", "investsIn", "mistral-ai")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), INVESTORS)
def test_investor_nouns(lang, text, expected):
    assert expect("investor", *expected) <= read(text, lang)


COUNTED_AS = [
    ("en", "Stargate counts Oracle and MGX as initial investors.", ["oracle", "mgx"]),
    ("pt", "O Stargate tem a Oracle e a MGX como investidoras.", ["oracle", "mgx"]),
]


@pytest.mark.parametrize(("lang", "text", "investors"), COUNTED_AS)
def test_counted_as_investors(lang, text, investors):
    assert expect("apposition", *[(i, "investsIn", "stargate") for i in investors]) <= read(text, lang)


# ---------------------------------------------------------------- nationality

NATIONALITY = [
    ("en", "The French startup Mistral AI grew fast.", [("mistral-ai", "locatedIn", "france")]),
    ("pt", "A startup francesa Mistral AI cresceu rápido.", [("mistral-ai", "locatedIn", "france")]),
    ("pt", "A chinesa DeepSeek cresceu.", [("deepseek", "locatedIn", "china")]),
    ("en", "Chinese AI start-up DeepSeek grew.", [("deepseek", "locatedIn", "china")]),
    ("en", "DeepSeek is a Chinese company.", [("deepseek", "locatedIn", "china")]),
    ("pt", "A DeepSeek é uma empresa chinesa.", [("deepseek", "locatedIn", "china")]),
    ("pt", "A gigante chinesa de tecnologia Alibaba anunciou.", [("alibaba", "locatedIn", "china")]),
    # a plural description spreads over its list
    (
        "en",
        "European firms such as Airbus and Mistral AI agreed.",
        [("airbus", "locatedIn", "europe"), ("mistral-ai", "locatedIn", "europe")],
    ),
    (
        "pt",
        "Empresas europeias como a Airbus e a Mistral AI concordaram.",
        [("airbus", "locatedIn", "europe"), ("mistral-ai", "locatedIn", "europe")],
    ),
    # an apposition with a place
    ("pt", "A G42, de Abu Dhabi, anunciou.", [("g42", "locatedIn", "abu-dhabi")]),
    ("pt", "A Mistral AI, startup de Paris, anunciou.", [("mistral-ai", "locatedIn", "paris")]),
    ("en", "Airbus, the European aerospace group, agreed.", [("airbus", "locatedIn", "europe")]),
    # a described noun: the organisation it stands beside, or the one the sentence opens with
    ("en", "G42, an Abu Dhabi-based company, agreed.", [("g42", "locatedIn", "abu-dhabi")]),
    ("en", "DeepSeek grew fast. The Hangzhou-based company said so.", [("deepseek", "locatedIn", "hangzhou")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), NATIONALITY)
def test_nationality(lang, text, expected):
    assert expect("nationality", *expected) <= read(text, lang)


NATIONALITY_NOT = [
    # a place that is no description of the name after it
    ("en", "In China, Microsoft opened a lab.", [("microsoft", "locatedIn", "china")]),
    ("pt", "A Microsoft fechou um acordo com a startup francesa Mistral AI.", [("microsoft", "locatedIn", "france")]),
    ("en", "Nvidia praised the Chinese start-up on Monday.", [("nvidia", "locatedIn", "china")]),
]


@pytest.mark.parametrize(("lang", "text", "forbidden"), NATIONALITY_NOT)
def test_nationality_not(lang, text, forbidden):
    got = {(s, p, o) for s, p, o, _ in read(text, lang)}
    assert not set(forbidden) & got


# ---------------------------------------------------------------- funding rounds

ROUNDS = [
    ("en", "OpenAI raised $6 billion in a round led by Thrive Capital.", [("thrive-capital", "investsIn", "openai")]),
    (
        "pt",
        "A OpenAI captou US$ 6 bilhões em uma rodada liderada pela Thrive Capital.",
        [("thrive-capital", "investsIn", "openai")],
    ),
    (
        "en",
        "OpenAI raised $6 billion in a round with participation from Nvidia and SoftBank.",
        [("nvidia", "investsIn", "openai"), ("softbank-group", "investsIn", "openai")],
    ),
    (
        "pt",
        "A OpenAI captou US$ 6 bilhões numa rodada com participação da Nvidia e do SoftBank.",
        [("nvidia", "investsIn", "openai"), ("softbank-group", "investsIn", "openai")],
    ),
    ("en", "SoftBank led OpenAI's latest funding round.", [("softbank-group", "investsIn", "openai")]),
    ("pt", "O SoftBank liderou a rodada de financiamento da OpenAI.", [("softbank-group", "investsIn", "openai")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ROUNDS)
def test_rounds(lang, text, expected):
    assert expect("round", *expected) <= read(text, lang)


# an investor with no object named, in a sentence about the article's round: the company raising
ROUND_TARGET = [
    ("en", "xAI raised $6 billion. BlackRock and Nvidia joined the funding round.", ["blackrock", "nvidia"]),
    (
        "pt",
        "A xAI captou US$ 6 bilhões. A BlackRock e a Nvidia participaram da rodada de financiamento.",
        ["blackrock", "nvidia"],
    ),
]


@pytest.mark.parametrize(("lang", "text", "investors"), ROUND_TARGET)
def test_round_target(lang, text, investors):
    assert {(i, "investsIn", "xai") for i in investors} <= facts(text, lang)


# ---------------------------------------------------------------- lists, negation, hedges, referring words

LISTS = [
    (
        "en",
        "Oracle, OpenAI and SoftBank will invest in Stargate.",
        [
            ("oracle", "investsIn", "stargate"),
            ("openai", "investsIn", "stargate"),
            ("softbank-group", "investsIn", "stargate"),
        ],
    ),
    (
        "pt",
        "A Oracle, a OpenAI e o SoftBank vão investir no Stargate.",
        [
            ("oracle", "investsIn", "stargate"),
            ("openai", "investsIn", "stargate"),
            ("softbank-group", "investsIn", "stargate"),
        ],
    ),
    (
        "pt",
        "A Tencent assinou uma parceria com a Microsoft e com a OpenAI.",
        [("microsoft", "partnersWith", "tencent"), ("openai", "partnersWith", "tencent")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), LISTS)
def test_a_fact_spreads_over_a_list(lang, text, expected):
    assert {canonical(*t) for t in expected} <= {canonical(*t) for t in facts(text, lang)}


COORDINATION = [
    ("en", "Oracle, OpenAI and SoftBank agreed.", [["oracle", "openai", "softbank-group"]]),
    ("pt", "A Oracle, a OpenAI e o SoftBank concordaram.", [["oracle", "openai", "softbank-group"]]),
    ("pt", "Falaram da OpenAI, da Anthropic e do Google.", [["openai", "anthropic", "google"]]),
    ("en", "Oracle agreed with OpenAI.", [["oracle"], ["openai"]]),
]


@pytest.mark.parametrize(("lang", "text", "lists"), COORDINATION)
def test_coordination(lang, text, lists):
    doc = analyse(text, lang)
    mentions = link.mentions(doc, KB)
    s = sentence_of(doc, mentions, lang)
    groups = {tuple(m.key for m in members) for members in coordinated(s).values()}
    assert groups == {tuple(keys) for keys in lists}


def sentence_of(doc, mentions, lang) -> Sentence:
    from kg.analyse import folded_words
    from kg.extract.sentence import Ent

    ents = []
    for m in mentions:
        span = doc.char_span(m.start, m.end)
        ents.append(Ent(span.start, span.end, m.label, m.key, m.source == "demonym"))
    return Sentence(doc, 0, len(doc), folded_words(doc), ents, lexicon(KB.version, lang, KB), [])


NEGATED = [
    # the same sentences without the negation state the fact (see TRIGGER and LISTS)
    ("en", "Apple did not invest in OpenAI.", ("apple", "investsIn", "openai")),
    ("pt", "A Apple não investiu na OpenAI.", ("apple", "investsIn", "openai")),
    ("en", "Apple denied partnering with OpenAI.", ("apple", "partnersWith", "openai")),
    ("pt", "A Apple negou parceria com a OpenAI.", ("apple", "partnersWith", "openai")),
]


@pytest.mark.parametrize(("lang", "text", "triple"), NEGATED)
def test_negation_cancels(lang, text, triple):
    assert canonical(*triple) not in {canonical(*t) for t in facts(text, lang)}


def test_negation_window():
    doc = analyse("Apple did not comment, but it invested in OpenAI.", "en")
    s = sentence_of(doc, link.mentions(doc, KB), "en")
    at = [t.i for t in doc if t.text == "invested"][0]
    assert not negated(s, at)
    assert negated(s, [t.i for t in doc if t.text == "comment"][0])


HEDGED = [
    ("en", "Apple invested in OpenAI.", "Apple might invest in OpenAI."),
    ("pt", "A Apple investiu na OpenAI.", "A Apple negocia investir na OpenAI."),
]


@pytest.mark.parametrize(("lang", "plain", "hedged"), HEDGED)
def test_hedge_lowers_confidence(lang, plain, hedged):
    def confidence(text):
        return max(f.confidence for f in found(text, lang) if f.relation == "investsIn")

    assert confidence(hedged) < confidence(plain)


REFERRING = [
    ("en", "OpenAI grew fast. The company partnered with Microsoft.", ("microsoft", "partnersWith", "openai")),
    ("pt", "A OpenAI cresceu. A empresa firmou parceria com a Microsoft.", ("microsoft", "partnersWith", "openai")),
    ("en", "Grok 3 launched. It was trained on H100 GPUs.", ("grok-3", "trainedOn", "h100")),
    # a chief executive's title in a sentence naming no organisation: the one the text is about
    ("en", "Nvidia grew. Nvidia hired. The CEO, Jensen Huang, was upbeat.", ("jensen-huang", "leads", "nvidia")),
    ("pt", "A Nvidia cresceu. O CEO Jensen Huang comemorou o resultado.", ("jensen-huang", "leads", "nvidia")),
    ("pt", "O Stargate foi anunciado. A Oracle vai investir no projeto.", ("oracle", "investsIn", "stargate")),
]


@pytest.mark.parametrize(("lang", "text", "triple"), REFERRING)
def test_referring_words(lang, text, triple):
    assert canonical(*triple) in {canonical(*t) for t in facts(text, lang)}


MAKER_RIVALRY = [
    ("en", "Alibaba's Qwen rivals DeepSeek.", ("alibaba", "competesWith", "deepseek")),
    ("pt", "O Qwen, da Alibaba, concorre com a DeepSeek.", ("alibaba", "competesWith", "deepseek")),
]


@pytest.mark.parametrize(("lang", "text", "triple"), MAKER_RIVALRY)
def test_a_models_rivalry_with_a_company_is_its_makers(lang, text, triple):
    assert canonical(*triple) in {canonical(*t) for t in facts(text, lang)}


# ---------------------------------------------------------------- amounts

AMOUNTS = [
    # the amount nearest the word
    ("en", "Nvidia will invest $2 billion in OpenAI.", "nvidia", "openai", 2 * B, "USD"),
    ("pt", "A Nvidia vai investir US$ 2 bilhões na OpenAI.", "nvidia", "openai", 2 * B, "USD"),
    # "each" / "cada": every investor's
    ("en", "Amazon and Google each invested $3 billion in Anthropic.", "google", "anthropic", 3 * B, "USD"),
    ("pt", "A Amazon e o Google investiram US$ 3 bilhões cada na Anthropic.", "amazon", "anthropic", 3 * B, "USD"),
    # shared by several investors: nobody's own
    ("en", "Amazon and Google invested a total of $9 billion in Anthropic.", "amazon", "anthropic", None, ""),
    ("pt", "A Amazon e o Google investiram ao todo US$ 9 bilhões na Anthropic.", "google", "anthropic", None, ""),
    # an amount right before "from X" is X's
    ("en", "Anthropic received $4 billion from Amazon.", "amazon", "anthropic", 4 * B, "USD"),
    ("pt", "A Anthropic recebeu US$ 4 bilhões da Amazon.", "amazon", "anthropic", 4 * B, "USD"),
    # a round's total raised is not the lead investor's
    ("en", "OpenAI raised $6 billion in a round led by Thrive Capital.", "thrive-capital", "openai", None, ""),
    # "pelo menos" / "at least" before the amount is no passive's agent
    ("pt", "A Microsoft vai investir pelo menos US$ 5 bilhões na Mistral AI.", "microsoft", "mistral-ai", 5 * B, "USD"),
    ("en", "Microsoft will invest at least $5 billion in Mistral AI.", "microsoft", "mistral-ai", 5 * B, "USD"),
    # "à" / "às" ("to the") marks the object as "ao" does, past a head noun of its own
    (
        "pt",
        "O Itaú vai destinar R$ 800 milhões à área de inteligência artificial.",
        "itau-unibanco",
        "artificial-intelligence",
        800 * M,
        "BRL",
    ),
    (
        "pt",
        "A Arábia Saudita planeja fornecer apoio financeiro de pelo menos US$ 10 bilhões à cadeia do setor de "
        "inteligência artificial.",
        "saudi-arabia",
        "artificial-intelligence",
        10 * B,
        "USD",
    ),
]


@pytest.mark.parametrize(("lang", "text", "investor", "target", "amount", "currency"), AMOUNTS)
def test_investment_amount(lang, text, investor, target, amount, currency):
    doc = analyse(text, lang)
    got = [
        f
        for f in patterns.facts(doc, link.mentions(doc, KB), KB, lang, "t")
        if (f.subject, f.predicate, f.object) == (investor, "investsIn", target)
    ]
    assert got, "the investment itself is missing"
    assert {(f.amount, f.currency) for f in got} == {(Decimal(amount) if amount else None, currency)}


def test_each_fact_names_its_patterns():
    doc = analyse("Nvidia H800 chips power DeepSeek. Meta unveiled its Llama 3.1.", "en")
    named = patterns.facts_with_patterns(doc, link.mentions(doc, KB), KB, "en", "t")
    by_triple = {(f.subject, f.predicate, f.object): names for f, names in named}
    assert by_triple[("h800", "developedBy", "nvidia")] == ("compound",)
    assert "possessive" in by_triple[("llama-3-1", "developedBy", "meta")]


NOT_ONE_ANOTHERS = [
    # members of one list of investors do not invest in each other
    (
        "en",
        "Cohere builds models. Supported by investors like Nvidia, Oracle, Salesforce and Inovia Capital, the "
        "firm has so far raised $900m.",
        ("nvidia", "investsIn", "inovia-capital"),
    ),
    (
        "pt",
        "A startup recebeu no total US$ 30 milhões de investidores como a Kaszek, a Monashees e a Maya Capital.",
        ("maya-capital", "investsIn", "kaszek"),
    ),
    # a preposition before the verb does not mark a name after it as its object
    (
        "en",
        "Tencent plans to invest 9 billion yuan as Alibaba prepares a smaller budget.",
        ("tencent", "investsIn", "alibaba"),
    ),
]


@pytest.mark.parametrize(("lang", "text", "triple"), NOT_ONE_ANOTHERS)
def test_facts_the_sentence_does_not_state(lang, text, triple):
    assert canonical(*triple) not in {canonical(*t) for t in facts(text, lang)}


def test_the_company_that_raised_is_the_referred_one_not_the_last_investor_named():
    text = (
        "Cohere builds models. Supported by investors like Nvidia, Oracle, Salesforce and Inovia Capital, the "
        "firm has so far raised $900m."
    )
    assert {("nvidia", "investsIn", "cohere"), ("inovia-capital", "investsIn", "cohere")} <= facts(text, "en")
