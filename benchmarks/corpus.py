"""A synthetic, deterministic news corpus for benchmarks and tests: English and Portuguese articles
about the AI industry, written from sentence templates filled with knowledge-base names.

    python benchmarks/corpus.py 1000 /tmp/corpus      # 1000 articles under /tmp/corpus
"""

# ruff: noqa: E501  (the sentence templates read best one to a line)

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

# Each template names its slots in braces: org, org2, org3, model, hw, person, place, product,
# project, sector, new_org (a company the knowledge base lacks), amount, pct, day.
EN_FACTS = [
    "{org} said on {day} it would invest {amount} in {org2}, deepening a bet on {sector}.",
    "{org} agreed to invest {amount} in {new_org}, a startup based in {place}, according to people familiar with the deal.",
    "{org2} raised {amount} in a funding round led by {org}, which valued the company at several times its revenue.",
    "{model} was developed by {org}, which released the model under a licence that allows commercial use.",
    "{org} trained {model} on thousands of {hw} chips in a data center in {place}.",
    "The company said {model} was trained on {hw} accelerators supplied by {org2}.",
    "{org} competes with {org2} and {org3} in the market for large language models.",
    "{org2}, a rival of {org}, is preparing a new version of {product} for business customers.",
    "{org} and {org2} announced a partnership to offer {product} to hospitals and banks in {place}.",
    "{person}, the chief executive of {org}, told analysts that demand for {hw} still exceeds supply.",
    "{org}, led by {person}, plans to open a research lab in {place} next year.",
    "{org} is headquartered in {place}, where it employs about {pct} thousand engineers.",
    "Under the {project}, {org} will build a campus in {place} with capacity of {pct} gigawatts.",
    "{new_org} said it had signed a deal with {org} to use {product} across its operations.",
    "Shares of {org} rose {pct}% after {org2} said it would buy more {hw} systems.",
    "{org} unveiled {model}, saying it outperforms {model2} from {org2} on coding benchmarks.",
]
EN_FILLER = [
    "Analysts said the announcement showed how quickly spending on computing power is growing.",
    "The company did not disclose the terms of the agreement or the expected return.",
    "Regulators in several countries are studying how such deals affect competition.",
    "Investors have poured money into the sector over the past two years, pushing valuations higher.",
    "Executives said the new systems would be available to customers in the second half of the year.",
    "Critics argue that the cost of training ever larger models is hard to justify.",
    "The shortage of electricity near big cities has become a constraint for new data centers.",
    "A spokesperson declined to comment on the financial details when contacted on {day}.",
    "The move comes as governments try to keep sensitive technology within their borders.",
    "Some researchers warned that benchmark results do not always translate into useful products.",
]
PT_FACTS = [
    "A {org} anunciou na {day} que vai investir {amount} na {org2}, ampliando sua aposta em {sector}.",
    "A {org} aceitou investir {amount} na {new_org}, startup sediada em {place}, segundo pessoas a par do negócio.",
    "A {org2} captou {amount} em uma rodada liderada pela {org}, que avaliou a empresa em várias vezes sua receita.",
    "O {model} foi desenvolvido pela {org}, que publicou o modelo com licença que permite uso comercial.",
    "A {org} treinou o {model} com milhares de chips {hw} em um centro de dados em {place}.",
    "Segundo a empresa, o {model} foi treinado com aceleradores {hw} fornecidos pela {org2}.",
    "A {org} concorre com a {org2} e a {org3} no mercado de grandes modelos de linguagem.",
    "A {org2}, rival da {org}, prepara uma nova versão do {product} para clientes corporativos.",
    "A {org} e a {org2} anunciaram uma parceria para oferecer o {product} a hospitais e bancos em {place}.",
    "{person}, presidente-executivo da {org}, disse a analistas que a demanda por {hw} ainda supera a oferta.",
    "A {org}, comandada por {person}, planeja abrir um laboratório de pesquisa em {place} no ano que vem.",
    "A {org} tem sede em {place}, onde emprega cerca de {pct} mil engenheiros.",
    "No âmbito do {project}, a {org} vai construir um campus em {place} com capacidade de {pct} gigawatts.",
    "A {new_org} disse ter fechado um acordo com a {org} para usar o {product} em suas operações.",
    "As ações da {org} subiram {pct}% depois que a {org2} disse que compraria mais sistemas {hw}.",
    "A {org} apresentou o {model}, que segundo ela supera o {model2} da {org2} em testes de programação.",
]
PT_FILLER = [
    "Analistas disseram que o anúncio mostra a rapidez com que cresce o gasto com poder de computação.",
    "A empresa não divulgou os termos do acordo nem o retorno esperado.",
    "Reguladores de vários países estudam como esse tipo de negócio afeta a concorrência.",
    "Investidores despejaram dinheiro no setor nos últimos dois anos, elevando as avaliações.",
    "Os executivos disseram que os novos sistemas estarão disponíveis aos clientes no segundo semestre.",
    "Críticos afirmam que o custo de treinar modelos cada vez maiores é difícil de justificar.",
    "A falta de energia elétrica perto das grandes cidades virou um limite para novos centros de dados.",
    "Procurada na {day}, a assessoria de imprensa não quis comentar os detalhes financeiros.",
    "A decisão ocorre num momento em que governos tentam manter tecnologia sensível dentro de suas fronteiras.",
    "Alguns pesquisadores alertaram que resultados em testes nem sempre se traduzem em produtos úteis.",
]
EN_TITLES = [
    "{org} bets {amount} on {org2} as the AI race heats up",
    "{org} unveils {model} to take on {org2}",
    "{org} and {org2} team up on {product}",
]
PT_TITLES = [
    "{org} aposta {amount} na {org2} em meio à corrida da IA",
    "{org} lança {model} para enfrentar a {org2}",
    "{org} e {org2} se unem em torno do {product}",
]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
PT_DAYS = ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira"]
NEW_ORG_PARTS = (
    ["Zent", "Lum", "Quor", "Vald", "Nexa", "Orb", "Kair", "Tess", "Aur", "Mird"],
    ["rix", "ora", "ion", "ant", "ega", "ix", "eon", "ara", "us", "ent"],
    ["AI", "Labs", "Systems", "Robotics"],
)


def _names() -> dict[str, list[str]]:
    """Canonical labels of the knowledge base by slot, a deterministic order."""
    from kg.ontology import load

    by_type: dict[str, list[str]] = {}
    for entity in load().entities.values():
        by_type.setdefault(entity.type, []).append(entity.label)
    for names in by_type.values():
        names.sort()
    return by_type


def _amount(rng: random.Random, lang: str) -> str:
    value = rng.choice([1.5, 2, 4, 6.6, 10, 13, 40, 100, 300, 500])
    unit = rng.choice(["million", "billion"])
    if lang == "en":
        return f"${value:g} {unit}"
    number = f"{value:g}".replace(".", ",")
    return f"US$ {number} {'milhões' if unit == 'million' else 'bilhões'}"


class World:
    """Who is who in the generated news: a fixed, skewed world, so that articles restate the same facts.

    Real news mentions a few companies far more than the rest and repeats what is known of them (a
    model has one developer, a company one chief executive and a few rivals). Each organisation
    here has a weight (a Zipf law over a shuffled list), five related organisations, a home, a
    leader, a product and a project; each model a developer and two chips it was trained on.
    """

    def __init__(self, names: dict[str, list[str]], seed: int = 0):
        rng = random.Random(f"world:{seed}")
        self.names = names
        self.orgs = list(names["Organization"])
        rng.shuffle(self.orgs)
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.orgs))]
        pick = {kind: rng.sample(names[kind], len(names[kind])) for kind in ("Person", "Place", "Product", "Project")}
        self.related: dict[str, list[str]] = {}
        self.home, self.leader, self.product, self.project = {}, {}, {}, {}
        for i, org in enumerate(self.orgs):
            others = rng.choices(self.orgs, weights=self.weights, k=12)
            self.related[org] = list(dict.fromkeys(o for o in others if o != org))[:5] or [self.orgs[0]]
            self.home[org] = pick["Place"][i % len(pick["Place"])]
            self.leader[org] = pick["Person"][i % len(pick["Person"])]
            self.product[org] = pick["Product"][i % len(pick["Product"])]
            self.project[org] = pick["Project"][i % len(pick["Project"])]
        self.models: dict[str, list[str]] = {}
        self.chips: dict[str, list[str]] = {}
        for model in names["AIModel"]:
            developer = rng.choices(self.orgs, weights=self.weights)[0]
            self.models.setdefault(developer, []).append(model)
            self.chips[model] = rng.sample(names["Hardware"], 2)
        self.all_models = sorted(names["AIModel"])

    def org(self, rng: random.Random) -> str:
        return rng.choices(self.orgs, weights=self.weights)[0]

    def model_of(self, org: str, rng: random.Random) -> str:
        return rng.choice(self.models.get(org) or self.all_models)


def _slots(rng: random.Random, world: World, lang: str) -> dict[str, str]:
    org = world.org(rng)
    related = world.related[org]
    org2, org3 = rng.sample(related, 2) if len(related) > 1 else (related[0], related[0])
    model = world.model_of(org, rng)
    new_org = rng.choice(NEW_ORG_PARTS[0]) + rng.choice(NEW_ORG_PARTS[1]) + " " + rng.choice(NEW_ORG_PARTS[2])
    return {
        "org": org,
        "org2": org2,
        "org3": org3,
        "model": model,
        "model2": world.model_of(org2, rng),
        "hw": rng.choice(world.chips[model]),
        "person": world.leader[org],
        "place": world.home[org] if rng.random() < 0.8 else rng.choice(world.names["Place"]),
        "product": world.product[org],
        "project": world.project[org],
        "sector": rng.choice(world.names["Sector"]),
        "new_org": new_org,
        "amount": _amount(rng, lang),
        "pct": str(rng.randint(2, 30)),
        "day": rng.choice(EN_DAYS if lang == "en" else PT_DAYS),
    }


def article(number: int, world: World, seed: int = 0) -> tuple[str, str, str, str]:
    """(language, title, date, body) of article `number`: ~250 words, one fact sentence in two."""
    rng = random.Random(f"{seed}:{number}")
    lang = "en" if number % 2 == 0 else "pt"
    english = (EN_FACTS, EN_FILLER, EN_TITLES)
    facts, filler, titles = english if lang == "en" else (PT_FACTS, PT_FILLER, PT_TITLES)
    slots = _slots(rng, world, lang)
    title = rng.choice(titles).format(**slots)
    paragraphs = []
    words = 0
    while words < 240:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            slots = _slots(rng, world, lang) if rng.random() < 0.3 else slots
            template = rng.choice(facts) if rng.random() < 0.55 else rng.choice(filler)
            sentences.append(template.format(**slots))
        paragraph = " ".join(sentences)
        words += len(paragraph.split())
        paragraphs.append(paragraph)
    date = f"20{rng.randint(23, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return lang, title, date, "\n\n".join(paragraphs)


def write_article(folder: Path, number: int, world: World, seed: int = 0) -> Path:
    """Write article `number` in one of the formats `kg` reads (txt, md, html, json), by its number."""
    lang, title, date, body = article(number, world, seed)
    kind = ("txt", "md", "html", "json")[(number // 2) % 4]
    path = folder / f"{number // 1000:03d}" / f"article-{number:06d}.{lang}.{kind}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "txt":
        text = f"{title}\n\n{body}\n"
    elif kind == "md":
        text = f"---\ntitle: {title}\ndate: {date}\nlang: {lang}\n---\n\n# {title}\n\n{body}\n"
    elif kind == "html":
        import html

        paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
        text = (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>\n"
            f'<meta name="date" content="{date}"></head>\n<body>\n<nav><a href="/">Home</a></nav>\n'
            f"<article>\n<h1>{html.escape(title)}</h1>\n{paras}\n</article>\n</body>\n</html>\n"
        )
    else:
        record = {
            "title": title,
            "text": body,
            "language": lang,
            "published": date,
            "url": f"https://news.example/{number}",
        }
        text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def generate(folder: str | Path, n: int, seed: int = 0) -> Path:
    """Write `n` articles under `folder` (in sub-folders of 1000) and return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = World(_names(), seed)
    for number in range(n):
        write_article(folder, number, world, seed)
    return folder


if __name__ == "__main__":
    generate(sys.argv[2], int(sys.argv[1]))
