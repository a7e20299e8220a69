"""Sentences and entity mentions found by the blank `kg` pipeline (no statistical model)."""

from __future__ import annotations

import pytest

from kg.analyse import SPAN_KEY, analyse


def sentences(text: str, lang: str) -> list[str]:
    return [s.text.strip() for s in analyse(text, lang).sents]


def spans(text: str, lang: str) -> list[tuple[str, str, str, str]]:
    """(surface, type, key, how found) of every mention, in text order."""
    doc = analyse(text, lang)  # the span group lives only as long as its Doc
    return [(s.text, s.label_, s.kb_id_, s.id_) for s in doc.spans[SPAN_KEY]]


def xfail(*values, reason: str):
    return pytest.param(*values, marks=pytest.mark.xfail(reason=reason, strict=True))


# ---------------------------------------------------------------- sentences

SENTENCES = [
    (
        "en",
        "Nvidia shares slump after the launch\nInvestors sold the stock on Monday. Prices recovered later.",
        ["Nvidia shares slump after the launch", "Investors sold the stock on Monday.", "Prices recovered later."],
    ),
    (
        "en",
        "Exports to the U.S. Commerce Department rose. Then they fell.",
        ["Exports to the U.S. Commerce Department rose.", "Then they fell."],
    ),
    (
        "en",
        "On Jan. 27, Nvidia fell sharply. Shares recovered on Feb. 3 in New York.",
        ["On Jan. 27, Nvidia fell sharply.", "Shares recovered on Feb. 3 in New York."],
    ),
    (
        "en",
        "The model cost $5.6 million to train. The chips cost far more.",
        ["The model cost $5.6 million to train.", "The chips cost far more."],
    ),
    ("en", "Was it cheap? Analysts think so!", ["Was it cheap?", "Analysts think so!"]),
    ("en", "The chips sold out... and then prices rose.", ["The chips sold out... and then prices rose."]),
    ("en", "Line one without a stop\nLine two without a stop", ["Line one without a stop", "Line two without a stop"]),
    (
        "pt",
        "Ações da Nvidia despencam após lançamento chinês\nO mercado reagiu na segunda-feira. Depois houve alta.",
        [
            "Ações da Nvidia despencam após lançamento chinês",
            "O mercado reagiu na segunda-feira.",
            "Depois houve alta.",
        ],
    ),
    ("pt", "O Sr. Almeida chegou cedo. Ela saiu tarde.", ["O Sr. Almeida chegou cedo.", "Ela saiu tarde."]),
    (
        "pt",
        "A empresa captou US$ 5,6 milhões. O valor é baixo.",
        ["A empresa captou US$ 5,6 milhões.", "O valor é baixo."],
    ),
    ("pt", "A Nvidia cresceu 4,5% em 2024. Os EUA reagiram.", ["A Nvidia cresceu 4,5% em 2024.", "Os EUA reagiram."]),
    ("pt", "Quem ganhou a disputa? A DeepSeek!", ["Quem ganhou a disputa?", "A DeepSeek!"]),
    (
        "pt",
        "Em 27 de jan. de 2025, as ações caíram. Depois subiram.",
        ["Em 27 de jan. de 2025, as ações caíram.", "Depois subiram."],
    ),
    ("en", 'He said "it works." Then he left.', ['He said "it works."', "Then he left."]),
    ("pt", "Ele disse “funciona muito bem.” Depois saiu.", ["Ele disse “funciona muito bem.”", "Depois saiu."]),
    ("en", "AMD launched the MI355X. Shares rose.", ["AMD launched the MI355X.", "Shares rose."]),
    ("pt", "A Huawei lançou o Ascend 910C. As ações subiram.", ["A Huawei lançou o Ascend 910C.", "As ações subiram."]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SENTENCES)
def test_sentences(lang, text, expected):
    assert sentences(text, lang) == expected


# ---------------------------------------------------------------- knowledge-base names

KB_NAMES = [
    # (lang, text, surface, type, key)
    ("pt", "O Banco da China anunciou um plano de crédito.", "Banco da China", "Organization", "bank-of-china"),
    ("pt", "O BANCO DA CHINA confirmou o plano.", "BANCO DA CHINA", "Organization", "bank-of-china"),
    ("en", "Bank of China announced a credit plan.", "Bank of China", "Organization", "bank-of-china"),
    ("en", "NVIDIA reported record revenue.", "NVIDIA", "Organization", "nvidia"),
    ("pt", "A Nvidia reportou receita recorde.", "Nvidia", "Organization", "nvidia"),
    ("pt", "Os EUA restringiram as exportações.", "EUA", "Place", "united-states"),
    ("pt", "Os Estados Unidos restringiram as exportações.", "Estados Unidos", "Place", "united-states"),
    ("en", "The U.S. restricted exports.", "U.S.", "Place", "united-states"),
    ("en", "The United States restricted exports.", "United States", "Place", "united-states"),
    ("pt", "O DeepSeek-R1 chamou a atenção do mercado.", "DeepSeek-R1", "AIModel", "deepseek-r1"),
    ("en", "Engineers praised the DeepSeek R1 release.", "R1", "AIModel", "deepseek-r1"),
    ("pt", "A DeepSeek lançou um modelo barato.", "DeepSeek", "Organization", "deepseek"),
    ("pt", "O modelo da OpenAI foi atualizado.", "OpenAI", "Organization", "openai"),
    ("en", "DeepSeek's R1 is cheap to run.", "DeepSeek", "Organization", "deepseek"),
    ("en", "DeepSeek's R1 is cheap to run.", "R1", "AIModel", "deepseek-r1"),
    (
        "en",
        "The U.S. Commerce Department tightened its rules.",
        "U.S. Commerce Department",
        "Organization",
        "us-department-of-commerce",
    ),
    (
        "pt",
        "Pesquisadores da Universidade Federal de Minas Gerais publicaram o estudo.",
        "Universidade Federal de Minas Gerais",
        "Organization",
        "federal-university-of-minas-gerais",
    ),
    ("en", "She met Sundar Pichai in Paris last week.", "Sundar Pichai", "Person", "sundar-pichai"),
    ("en", "She met Sundar Pichai in Paris last week.", "Paris", "Place", "paris"),
    ("pt", "A startup abriu um escritório em Pequim.", "Pequim", "Place", "beijing"),
    ("pt", "O governo de Pequim apoia os chips nacionais.", "governo de Pequim", "Organization", "chinese-government"),
    ("en", "Zhipu AI released a new model.", "Zhipu AI", "Organization", "zhipu-ai"),
    ("pt", "O Sabiá-3 foi treinado pela Maritaca AI.", "Maritaca AI", "Organization", "maritaca-ai"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "type_name", "key"), KB_NAMES)
def test_knowledge_base_names(lang, text, surface, type_name, key):
    assert (surface, type_name, key, "kb") in spans(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The DeepSeek-R1 model surprised investors."),
        ("pt", "O DeepSeek-R1 surpreendeu investidores."),
    ],
)
def test_hyphenated_model_name_links_to_the_model(lang, text):
    assert ("AIModel", "deepseek-r1") in [(label, key) for _, label, key, _ in spans(text, lang)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The DeepSeek-R1 model surprised investors."),
        ("en", "The Nvidia H100 is in demand."),
        ("pt", "O DeepSeek-R1 surpreendeu investidores."),
    ],
)
def test_mentions_never_end_with_a_joiner(lang, text):
    assert not [s for s in spans(text, lang) if s[0][-1:] in "-–" or s[0][:1] in "-–"]


# ---------------------------------------------------------------- demonyms

DEMONYMS = [
    # (lang, text, surface, key)
    ("pt", "A chinesa DeepSeek cresceu rapidamente.", "chinesa", "china"),
    ("pt", "A francesa Mistral AI captou recursos.", "francesa", "france"),
    ("pt", "A holandesa ASML vende máquinas de litografia.", "holandesa", "netherlands"),
    ("en", "The Chinese startup DeepSeek grew quickly.", "Chinese", "china"),
    ("en", "The French startup Mistral AI raised money.", "French", "france"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "key"), DEMONYMS)
def test_demonyms_are_place_mentions(lang, text, surface, key):
    assert (surface, "Place", key, "demonym") in spans(text, lang)


# ---------------------------------------------------------------- makers before their products

VENDORS = [
    # (lang, text, [(surface, type, key)] in order)
    (
        "en",
        "Labs still want the Nvidia H100 for training.",
        [("Nvidia", "Organization", "nvidia"), ("H100", "Hardware", "h100")],
    ),
    (
        "pt",
        "A empresa usa placas Nvidia H100 no treino.",
        [("Nvidia", "Organization", "nvidia"), ("H100", "Hardware", "h100")],
    ),
    (
        "pt",
        "O DeepSeek R1 chamou atenção.",
        [("DeepSeek", "Organization", "deepseek"), ("R1", "AIModel", "deepseek-r1")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), VENDORS)
def test_vendor_prefix_is_split(lang, text, expected):
    assert [(s, label, key) for s, label, key, _ in spans(text, lang)] == expected


# ---------------------------------------------------------------- model and chip versions

VERSIONS = [
    # (lang, text, surface, type)
    ("en", "Anthropic released Claude Sonnet 4.5 on Monday.", "Claude Sonnet 4.5", "AIModel"),
    ("pt", "O GLM-4.7 foi lançado pela Zhipu AI.", "GLM-4.7", "AIModel"),
    ("en", "Zhipu AI shipped GLM-4.7 this week.", "GLM-4.7", "AIModel"),
    ("en", "Huawei showed the Ascend 920C chip to clients.", "Ascend 920C", "Hardware"),
    ("pt", "A Huawei apresentou o chip Ascend 920C na sexta-feira.", "Ascend 920C", "Hardware"),
    ("en", "Meta's Llama 3.1 405B was released in July.", "Llama 3.1 405B", "AIModel"),
    ("en", "Nvidia's Blackwell B200 is shipping.", "Blackwell B200", "Hardware"),
    ("en", "Zhipu AI trained GLM-4.5 on the Ascend 910C.", "Ascend 910C", "Hardware"),
]


@pytest.mark.parametrize(("lang", "text", "surface", "type_name"), VERSIONS)
def test_versions_extend_model_and_chip_names(lang, text, surface, type_name):
    assert (surface, type_name) in [(s, label) for s, label, _, _ in spans(text, lang)]


# ---------------------------------------------------------------- names the knowledge base lacks

CUES = [
    # (lang, text, surface, type): invented names typed from the words around them
    ("en", "The chipmaker Corvana Semiconductor doubled its output.", "Corvana Semiconductor", "Organization"),
    ("en", "The startup Quillfeather launched a coding tool.", "Quillfeather", "Organization"),
    ("en", "The startup Quillfeather launched the app Lanternly.", "Lanternly", "Product"),
    ("en", "Investors such as Quillfeather, a Chinese startup, gained.", "Quillfeather", "Organization"),
    ("en", "The supercomputer Ironbark was switched on.", "Ironbark", "Hardware"),
    ("en", "The company said its model Quill-3 beats rivals.", "Quill-3", "AIModel"),
    ("en", "Priya Ramaswamy, CEO of the firm, spoke at length.", "Priya Ramaswamy", "Person"),
    ("pt", "A startup Tucunaré lançou o app Piracema.", "Tucunaré", "Organization"),
    ("pt", "A startup Tucunaré lançou o app Piracema.", "Piracema", "Product"),
    ("pt", "A startup Jabuticaba Labs lançou um modelo.", "Jabuticaba Labs", "Organization"),
    ("pt", "Segundo o analista Rafael Antunes, a Corvana Tecnologia cresceu.", "Rafael Antunes", "Person"),
    ("pt", "Segundo o analista Rafael Antunes, a Corvana Tecnologia cresceu.", "Corvana Tecnologia", "Organization"),
    ("pt", "O CEO Rafael Antunes disse que a empresa vai crescer.", "Rafael Antunes", "Person"),
    ("pt", "A Corvana Tecnologia lançou o modelo Cajuí-2.", "Cajuí-2", "AIModel"),
    ("en", "Analyst Priya Ramaswamy said the deal was large.", "Priya Ramaswamy", "Person"),
    ("en", "The campus rises in Lordstown, Ohio, next year.", "Lordstown", "Place"),
    ("pt", "O novo campus fica em Lordstown, Ohio.", "Lordstown", "Place"),
    ("en", "Quillfeather, a Chinese startup, raised money.", "Quillfeather", "Organization"),
    ("pt", "Quillfeather, uma startup chinesa, captou recursos.", "Quillfeather", "Organization"),
    ("en", "Lumora Robotics said it would hire engineers.", "Lumora Robotics", "Organization"),
    ("pt", "A fabricante de chips Corvana Semicondutores cresceu.", "Corvana Semicondutores", "Organization"),
    # a title inside the capitalised run: the person's name starts after it
    ("en", "Trade Minister Odile Marchetti visited the plant.", "Odile Marchetti", "Person"),
    ("en", "Lumora Chief Technology Officer Priya Ramaswamy spoke first.", "Priya Ramaswamy", "Person"),
    ("pt", "O Governador Tarcísio Amaral visitou a fábrica.", "Tarcísio Amaral", "Person"),
    ("pt", "A Vice-Presidente Helena Quintela falou primeiro.", "Helena Quintela", "Person"),
    # a department between the title and the name
    ("en", "AWS Vice President of Infrastructure Prasad Quillon said the chips sold out.", "Prasad Quillon", "Person"),
    (
        "pt",
        "A Lumora Vice-Presidente de Infraestrutura Rafael Antunes disse que a empresa vai crescer.",
        "Rafael Antunes",
        "Person",
    ),
    # an apposition naming the company's officer names a person
    ("en", "Odile Marchetti, the company’s chief AI officer, confirmed the deal.", "Odile Marchetti", "Person"),
]


# a known company followed by its legal form, or by the kind of company it owns
COMPANY_SUFFIXES = [
    # (lang, text, surface, key): the mention, and its knowledge-base key ("" for a new company)
    ("en", "Rides are offered with Uber Technologies Inc. in Austin.", "Uber Technologies Inc.", "uber"),
    ("en", "The round was led by SenseTime Group Ltd on Monday.", "SenseTime Group Ltd", "sensetime"),
    ("pt", "A Uber Technologies Inc. anunciou a parceria.", "Uber Technologies Inc.", "uber"),
    ("en", "Investors such as Schroders Capital joined the round.", "Schroders Capital", ""),
    ("en", "SoftBank Robotics makes robots.", "SoftBank Robotics", ""),
    ("pt", "A Globo Ventures investiu na startup.", "Globo Ventures", ""),
]


@pytest.mark.parametrize(("lang", "text", "surface", "key"), COMPANY_SUFFIXES)
def test_company_suffixes_after_a_known_company(lang, text, surface, key):
    found = spans(text, lang)
    assert [s for s in found if s[0] == surface and s[1] == "Organization" and s[2] == key], found
    assert not [s for s in found if s[0] != surface and s[0] in surface], found


@pytest.mark.parametrize(("lang", "text", "surface", "type_name"), CUES)
def test_unknown_names_typed_from_cues(lang, text, surface, type_name):
    assert (surface, type_name, "", "rule") in spans(text, lang)


# ---------------------------------------------------------------- words that are not names

NOT_NAMES = [
    # (lang, text, word): no mention of a named entity covers the word
    ("en", "In January, analysts were cautious.", "January"),
    ("en", "On Monday the shares fell.", "Monday"),
    ("en", "However, Friday was calmer for chip stocks.", "However"),
    ("en", "However, Friday was calmer for chip stocks.", "Friday"),
    ("en", "Companies spent US$ 5 billion on chips.", "US"),
    ("en", "According to analysts, the market grew.", "According"),
    ("en", "Analysts expect the market to grow.", "Analysts"),
    ("en", "Investors sold chip stocks.", "Investors"),
    ("pt", "Em janeiro, os analistas ficaram cautelosos.", "janeiro"),
    ("pt", "Na segunda-feira as ações caíram.", "segunda-feira"),
    ("pt", "A IA avançou muito em 2024.", "IA"),
    ("pt", "Empresas investem US$ 5 bilhões em chips.", "US"),
    ("pt", "Empresas investem US$ 5 bilhões em chips.", "Empresas"),
    ("pt", "Segundo analistas, o setor cresce.", "Segundo"),
    ("pt", "Hoje o mercado cresceu.", "Hoje"),
    ("pt", "Governo e empresas discutem regras.", "Governo"),
    ("pt", "Em Março, as ações subiram.", "Março"),
    ("en", "The GPUs sold out in May.", "May"),
    # a sentence opened by an adverb and a comma
    ("pt", "Recentemente, a empresa anunciou um investimento.", "Recentemente"),
    ("pt", "Paralelamente, investidores estrangeiros compraram ações.", "Paralelamente"),
    ("pt", "Atualmente, a empresa emprega mil pessoas.", "Atualmente"),
    ("en", "Separately, the company raised money.", "Separately"),
    ("en", "Instead, the company expects lower costs.", "Instead"),
    # generic technical terms
    ("en", "The startup trains NLP models on its servers.", "NLP"),
    ("pt", "A empresa usa modelos NLP de grande escala.", "NLP"),
    ("en", "The company makes SRAM chips for phones.", "SRAM"),
    # a capitalised sector on its own stays the sector
    ("pt", "A empresa vai treinar modelos de Inteligência Artificial no Brasil.", "Inteligência"),
    # a title alone is no person
    ("en", "The Vice Chairman said the deal was large.", "Chairman"),
    ("en", "The General Manager said the deal was large.", "Manager"),
    ("en", "Lumora Executive Vice President said the chips sold out.", "President"),
    ("en", "Odile Marchetti, Lumora President and Chief Engineering Officer, said the deal was large.", "Officer"),
    ("pt", "O Diretor Executivo disse que a empresa vai crescer.", "Executivo"),
    ("en", "Faisal Quillon, Secretary General of the council, spoke.", "General"),
]


@pytest.mark.parametrize(("lang", "text", "word"), NOT_NAMES)
def test_not_names(lang, text, word):
    # "IA"/"AI" may be the Sector artificial intelligence (an investment target), never a named entity
    named = [s for s in spans(text, lang) if s[1] != "Sector"]
    assert not [s for s in named if word in s[0].split()], named


# ---------------------------------------------------------------- what the name typer sees

GIVEN_NAMES = [
    # (lang, text, name): a name opening with a common given name, whoever the knowledge base knows
    ("en", "The board heard Dominic Pemberwick on Monday.", "Dominic Pemberwick"),
    ("en", "The board heard Bethany Pemberwick on Monday.", "Bethany Pemberwick"),
    ("pt", "O conselho ouviu Sofia Quaresmeira ontem.", "Sofia Quaresmeira"),
    ("pt", "O conselho ouviu Tânia Quaresmeira ontem.", "Tânia Quaresmeira"),
]


@pytest.mark.parametrize(("lang", "text", "name"), GIVEN_NAMES)
def test_given_names_are_a_typer_feature(lang, text, name):
    from kg.nametyper import UNTYPED_KEY

    doc = analyse(text, lang)
    untyped = {doc[a:b].text: features for a, b, features in doc.user_data.get(UNTYPED_KEY, [])}
    assert "n:firstname" in untyped[name], untyped
