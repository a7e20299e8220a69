"""Realistic pages around the articles of `articles.py`: four site templates with menus, cookie banners,
sidebars of other headlines (some stating facts of their own), related stories, share bars, comments,
newsletter boxes and footers. Every boilerplate string is returned beside the page, so a reader's
output can be scored: article paragraphs kept (recall) and boilerplate left out (precision)."""

from __future__ import annotations

import html
import json

BOILERPLATE = {
    "en": {
        "menu": ["World", "Business", "Technology", "Markets", "Opinion", "Podcasts"],
        "cookie": "We use cookies to improve your experience, to show personalised advertising and to analyse "
        "our traffic. By clicking accept you agree to our use of cookies.",
        "headlines": [
            "Amazon invests $4 billion in Anthropic as cloud rivalry heats up",
            "Google partners with Samsung on a new phone chip",
            "Meta competes with OpenAI for the best researchers in London",
        ],
        "related": [
            (
                "Microsoft backs a French robotics startup",
                "The software group joined a round that values the "
                "young company at half a billion euros, its founders said.",
            ),
            (
                "Intel names a new head of its foundry business",
                "The appointment follows a difficult year in which the chip maker lost customers to rivals in Asia.",
            ),
        ],
        "comments": [
            "Great article, but nobody is asking who pays for the electricity these machines need.",
            "I worked in this industry for ten years and the hype cycle always looks exactly like this.",
        ],
        "share": ["Share on X", "Share on LinkedIn", "Copy link"],
        "newsletter": "Sign up for our morning briefing and get the day's most important technology news "
        "in your inbox.",
        "read_more": "Read more: Huawei invests in a chip plant near Shanghai",
        "footer": "© 2025 The Daily Circuit. All rights reserved. Terms of use. Privacy policy. Contact us.",
        "labels": ("Most read", "Related stories", "Comments", "By"),
        "subheading": "What comes next",
        "bio": "covers the technology industry from London and writes the weekly chips column.",
        "crumbs": ["Home", "Technology", "Artificial intelligence"],
        "tags": "Tags: artificial intelligence, semiconductors, venture capital",
    },
    "pt": {
        "menu": ["Brasil", "Mundo", "Economia", "Tecnologia", "Opinião", "Esportes"],
        "cookie": "Usamos cookies para melhorar a sua experiência, exibir publicidade personalizada e analisar "
        "o nosso tráfego. Ao continuar navegando, você concorda com a nossa política de privacidade.",
        "headlines": [
            "Amazon investe US$ 4 bilhões na Anthropic em disputa por clientes de nuvem",
            "Google firma parceria com a Samsung para novo chip de celular",
            "Meta concorre com a OpenAI por pesquisadores em Londres",
        ],
        "related": [
            (
                "Microsoft apoia startup francesa de robótica",
                "O grupo de software entrou numa rodada que avalia "
                "a jovem empresa em meio bilhão de euros, segundo os fundadores.",
            ),
            (
                "Intel escolhe novo chefe para a divisão de fábricas",
                "A nomeação ocorre depois de um ano difícil "
                "em que a fabricante de chips perdeu clientes para rivais asiáticos.",
            ),
        ],
        "comments": [
            "Ótima matéria, mas ninguém pergunta quem paga a conta de luz dessas máquinas todas.",
            "Trabalho na área há dez anos e o ciclo de euforia sempre parece exatamente assim.",
        ],
        "share": ["Compartilhar no WhatsApp", "Compartilhar no Facebook", "Copiar link"],
        "newsletter": "Assine a nossa newsletter matinal e receba as notícias de tecnologia mais importantes "
        "do dia no seu e-mail.",
        "read_more": "Leia também: Huawei investe em fábrica de chips perto de Xangai",
        "footer": "© 2025 Jornal do Circuito. Todos os direitos reservados. Termos de uso. Política de "
        "privacidade. Fale conosco.",
        "labels": ("Mais lidas", "Notícias relacionadas", "Comentários", "Por"),
        "subheading": "Próximos passos",
        "bio": "cobre o setor de tecnologia em São Paulo e assina a coluna semanal sobre startups.",
        "crumbs": ["Início", "Tecnologia", "Inteligência artificial"],
        "tags": "Tags: inteligência artificial, semicondutores, capital de risco",
    },
}
SITE = {
    "en": ("The Daily Circuit", "https://dailycircuit.example"),
    "pt": ("Jornal do Circuito", "https://jornaldocircuito.example"),
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def boilerplate_strings(lang: str) -> list[str]:
    """Every boilerplate text of `lang` a page may carry (what must not reach the article text)."""
    b = BOILERPLATE[lang]
    out = [b["cookie"], *b["headlines"], *b["comments"], b["newsletter"], b["read_more"], b["footer"], b["bio"]]
    out += [b["tags"], " › ".join(b["crumbs"])]
    out += [t for pair in b["related"] for t in pair]
    return out


def _head(a: dict, site: str, url: str, jsonld: bool) -> str:
    meta = (
        f'<meta charset="utf-8"><title>{_e(a["title"])} | {_e(site)}</title>'
        f'<link rel="canonical" href="{url}/{a["slug"]}">'
        f'<meta property="og:title" content="{_e(a["title"])}"><meta property="og:site_name" content="{_e(site)}">'
        f'<meta name="author" content="{_e(a["author"])}">'
        f'<meta property="article:published_time" content="{a["date"]}T08:00:00Z">'
        "<style>.cookie{position:fixed;bottom:0}</style><script>window.dataLayer=[];</script>"
    )
    if jsonld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a["title"],
            "datePublished": a["date"],
            "author": {"@type": "Person", "name": a["author"]},
        }
        meta += f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
    return f"<head>{meta}</head>"


def _body_paragraphs(a: dict) -> str:
    return "".join(f"<p>{_e(p)}</p>" for p in a["paragraphs"])


def portal(a: dict) -> str:
    """Semantic HTML5: header, nav, cookie banner, article, aside of most-read headlines, related, footer."""
    lang, b = a["lang"], BOILERPLATE[a["lang"]]
    site, url = SITE[lang]
    most, related, _, by = b["labels"]
    menu = "".join(f'<li><a href="/{_e(m.lower())}">{_e(m)}</a></li>' for m in b["menu"])
    side = "".join(f'<li><a href="/s/{i}">{_e(h)}</a></li>' for i, h in enumerate(b["headlines"]))
    share = "".join(f'<a href="#">{_e(s)}</a> ' for s in b["share"])
    rel = "".join(
        f'<div class="card"><h3><a href="/r/{i}">{_e(t)}</a></h3><p>{_e(d)}</p></div>'
        for i, (t, d) in enumerate(b["related"])
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}">{_head(a, site, url, False)}<body>'
        f'<div class="cookie-banner" id="cookie-consent"><p>{_e(b["cookie"])}</p><button>OK</button></div>'
        f'<header><a class="logo" href="/">{_e(site)}</a><nav><ul>{menu}</ul></nav></header>'
        f'<main><article><h1>{_e(a["title"])}</h1><p class="byline">{by} {_e(a["author"])}, '
        f'<time datetime="{a["date"]}">{a["date"]}</time></p>{_body_paragraphs(a)}'
        f'<div class="share">{share}</div></article>'
        f'<section class="related"><h2>{related}</h2>{rel}</section></main>'
        f'<aside class="sidebar"><h2>{most}</h2><ol>{side}</ol></aside>'
        f"<footer><p>{_e(b['footer'])}</p></footer></body></html>"
    )


def blog(a: dict) -> str:
    """Divs only, named by class: a menu, the post with a share bar and a read-more line, a comment thread."""
    lang, b = a["lang"], BOILERPLATE[a["lang"]]
    site, url = SITE[lang]
    _, _, comments, by = b["labels"]
    menu = " | ".join(f'<a href="/{_e(m.lower())}">{_e(m)}</a>' for m in b["menu"])
    thread = "".join(
        f'<div class="comment"><div class="comment-author">reader{i}</div><div class="comment-body"><p>{_e(c)}</p>'
        f"</div></div>"
        for i, c in enumerate(b["comments"])
    )
    paragraphs = a["paragraphs"]
    middle = len(paragraphs) // 2
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs[:middle])
    body += f'<p class="read-more"><a href="/x"><strong>{_e(b["read_more"])}</strong></a></p>'
    body += "".join(f"<p>{_e(p)}</p>" for p in paragraphs[middle:])
    side = "".join(f'<div class="widget-item"><a href="/s/{i}">{_e(h)}</a></div>' for i, h in enumerate(b["headlines"]))
    return (
        f'<html lang="{lang}">{_head(a, site, url, True)}<body><div id="wrapper">'
        f'<div id="top-menu">{menu}</div>'
        f'<div class="container"><div class="col-main"><div class="post">'
        f'<h1 class="post-title">{_e(a["title"])}</h1><div class="post-meta">{by} {_e(a["author"])}</div>'
        f'<div class="post-content entry-content">{body}</div>'
        f'<div class="social-share">{" ".join(_e(s) for s in b["share"])}</div></div>'
        f'<div id="comments" class="comments-area"><h3>{comments}</h3>{thread}</div></div>'
        f'<div class="col-side widget-area">{side}</div></div>'
        f'<div class="gdpr-notice"><p>{_e(b["cookie"])}</p></div>'
        f'<div id="site-footer"><p>{_e(b["footer"])}</p></div></div></body></html>'
    )


def magazine(a: dict) -> str:
    """An article with a "read also" box inside the body, a newsletter form and a related grid with teasers."""
    lang, b = a["lang"], BOILERPLATE[a["lang"]]
    site, url = SITE[lang]
    most, related, _, by = b["labels"]
    paragraphs = a["paragraphs"]
    box = (
        f'<div class="inline-related"><span>{most}</span><ul>'
        + "".join(f'<li><a href="/s/{i}">{_e(h)}</a></li>' for i, h in enumerate(b["headlines"]))
        + "</ul></div>"
    )
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs[:2]) + box + "".join(f"<p>{_e(p)}</p>" for p in paragraphs[2:])
    grid = "".join(
        f'<article class="teaser"><h3><a href="/r/{i}">{_e(t)}</a></h3><p>{_e(d)}</p></article>'
        for i, (t, d) in enumerate(b["related"])
    )
    menu = "".join(f'<a class="nav-link" href="/{_e(m.lower())}">{_e(m)}</a>' for m in b["menu"])
    return (
        f'<!DOCTYPE html><html lang="{lang}">{_head(a, site, url, True)}<body>'
        f'<div class="navbar">{menu}</div>'
        f'<article class="story"><header><h1>{_e(a["title"])}</h1><div class="author">{by} '
        f'<a rel="author" href="/a">{_e(a["author"])}</a></div></header>'
        f'<div class="story-body">{body}</div></article>'
        f'<div class="newsletter-signup"><p>{_e(b["newsletter"])}</p><form><input type="email"></form></div>'
        f'<section class="more-stories"><h2>{related}</h2>{grid}</section>'
        f'<div class="consent-overlay" role="dialog"><p>{_e(b["cookie"])}</p></div>'
        f'<div class="page-footer">{_e(b["footer"])}</div></body></html>'
    )


def legacy(a: dict) -> str:
    """A table layout of the old web: a menu column, the story, a column of headlines and a footer row."""
    lang, b = a["lang"], BOILERPLATE[a["lang"]]
    site, url = SITE[lang]
    most, _, _, by = b["labels"]
    menu = "<br>".join(f'<a href="/{_e(m.lower())}">{_e(m)}</a>' for m in b["menu"])
    side = "".join(f'<p><a href="/s/{i}">{_e(h)}</a></p>' for i, h in enumerate(b["headlines"]))
    return (
        f'<html lang="{lang}">{_head(a, site, url, False)}<body><table width="100%"><tr>'
        f'<td class="menu" width="15%">{menu}</td>'
        f'<td class="content"><h1>{_e(a["title"])}</h1><p><i>{by} {_e(a["author"])}</i></p>'
        f'{_body_paragraphs(a)}<p class="readmore">{_e(b["read_more"])}</p></td>'
        f'<td class="headlines" width="25%"><b>{most}</b>{side}</td></tr>'
        f'<tr><td colspan="3" class="footer">{_e(b["footer"])}<br>{_e(b["cookie"])}</td></tr></table></body></html>'
    )


def wire(a: dict) -> str:
    """Breadcrumbs, paragraphs separated by <br><br> with a subheading, tags, an author box with a biography,
    and a most-popular list inside the same container as the story."""
    lang, b = a["lang"], BOILERPLATE[a["lang"]]
    site, url = SITE[lang]
    most, _, _, by = b["labels"]
    paragraphs = a["paragraphs"]
    half = len(paragraphs) // 2
    body = "<br><br>".join(_e(p) for p in paragraphs[:half])
    body += f"<h2>{_e(b['subheading'])}</h2>" + "<br><br>".join(_e(p) for p in paragraphs[half:])
    popular = "".join(f'<li><a href="/s/{i}">{_e(h)}</a></li>' for i, h in enumerate(b["headlines"]))
    return (
        f'<!DOCTYPE html><html lang="{lang}">{_head(a, site, url, True)}<body><div class="page">'
        f'<div class="breadcrumbs">{" › ".join(_e(c) for c in b["crumbs"])}</div>'
        f'<div class="content-wrapper"><h1 class="headline">{_e(a["title"])}</h1>'
        f'<div class="article-body">{body}</div>'
        f'<div class="tags">{_e(b["tags"])}</div>'
        f'<div class="author-box"><b>{_e(a["author"])}</b> {_e(b["bio"])}</div>'
        f'<div class="popular"><h3>{most}</h3><ol>{popular}</ol></div></div>'
        f'<div class="cookie-notice">{_e(b["cookie"])}</div>'
        f'<div class="footer">{_e(b["footer"])}</div></div></body></html>'
    )


TEMPLATES = {"portal": portal, "blog": blog, "magazine": magazine, "legacy": legacy, "wire": wire}
