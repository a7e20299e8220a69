"""The graph page: one self-contained, offline HTML file to explore a built graph.

Built on vis-network (read from the pyvis package at run time and inlined with its licence
notice) and our own template, `templates/graph.html`. Every string from an article is data:
it reaches the page only as JSON inside `<script type="application/json">` and the page sets
it as text, never as markup. A Content-Security-Policy allows nothing but the page's own
(hashed) scripts, inline styles and `data:` images.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.namespace import ENTITY_TYPES, RELATIONS, SYMMETRIC

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

DEFAULT_TITLE = "kg — AI industry knowledge graph"

# colour-blind-safe hues (Okabe–Ito and Tol), one per type, with a shape vis can scale
TYPE_STYLE: dict[str, tuple[str, str, str]] = {
    # type: (label, colour, vis shape)
    "Organization": ("Organization", "#0072B2", "dot"),
    "Person": ("Person", "#D55E00", "diamond"),
    "AIModel": ("AI model", "#009E73", "hexagon"),
    "Product": ("Product", "#CC79A7", "square"),
    "Hardware": ("Hardware", "#E69F00", "triangle"),
    "Project": ("Project", "#882255", "star"),
    "Place": ("Place", "#56B4E9", "triangleDown"),
    "Sector": ("Sector", "#7A7A7A", "dot"),
    "": ("Other", "#B0B0B0", "dot"),
}
RELATION_STYLE: dict[str, tuple[str, str]] = {
    # relation: (label, colour)
    "competesWith": ("competes with", "#D62728"),
    "investsIn": ("invests in", "#2CA02C"),
    "trainedOn": ("trained on", "#9467BD"),
    "developedBy": ("developed by", "#1F77B4"),
    "partnersWith": ("partners with", "#FF7F0E"),
    "leads": ("leads", "#8C564B"),
    "locatedIn": ("located in", "#7F7F7F"),
}

_MARKER = re.compile(r"@@([A-Z_]+)@@")
_APP_SCRIPT = re.compile(r"<script>(\n.*?)</script>", re.S)


def write_page(
    graph: Any,
    path: str | os.PathLike[str],
    *,
    max_nodes: int | None = 2000,
    title: str = DEFAULT_TITLE,
    built: str | None = None,
    statements: Any = None,
) -> dict[str, Any]:
    """Write the graph page for `graph` (a build's query store or an rdflib graph) to `path`
    (atomically) and return what was drawn; `statements` as for `page_data`.

    `max_nodes` keeps the most important entities (PageRank) and the facts between them; the
    page says what was left out. The output is the same bytes for the same graph unless
    `built` (a date or timestamp shown on the page) changes.
    """
    data = page_data(graph, max_nodes=max_nodes, title=title, built=built, statements=statements)
    page = render_page(data, title=title)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    shown = data["shown"]
    return {
        "path": str(target),
        "nodes": shown["nodes"],
        "edges": shown["facts"],
        "entities": data["summary"]["entities"],
        "facts": data["summary"]["facts"],
        "nodes_left_out": data["summary"]["entities"] - shown["nodes"],
        "edges_left_out": data["summary"]["facts"] - shown["facts"],
        "bytes": len(page.encode("utf-8")),
        "summary": data["summary"],
    }


def _http_url(value: str) -> str:
    """The URL if it is an absolute http(s) URL, else ''."""
    value = (value or "").strip()
    return value if re.match(r"https?://[^\s]+$", value, re.I) else ""


EVIDENCE_PER_FACT = 5  # sentences a page carries for one fact; the count says how many there are
FACTS_PER_NODE = 4  # with a node limit, the page draws at most this many facts per node drawn


def page_data(
    graph: Any,
    *,
    max_nodes: int | None = 2000,
    title: str = DEFAULT_TITLE,
    built: str | None = None,
    statements: Any = None,
) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data: nodes with positions, facts with evidence.

    `graph` is a build's query store (pyoxigraph) or an rdflib graph. With `max_nodes`, the page
    keeps the most important entities and at most `FACTS_PER_NODE` facts per entity kept (those of
    the most important entities first); each fact carries at most `EVIDENCE_PER_FACT` sentences
    and how many state it. So the page stays bounded however large the graph. `statements` gives
    the assertions of a fact (`kg.graph.Statements`, which a build has from its index), where
    reading them from the store would mean a pass over every assertion.
    """
    from kg import measures

    store = measures.as_store(graph)
    nxg = measures.to_networkx(store, with_evidence=False)
    info = measures.summary(store, nxg)
    ranks = measures.importance(nxg)
    degrees = measures.degree(nxg)
    ranked = sorted(nxg.nodes, key=lambda n: (-ranks.get(n, 0.0), nxg.nodes[n]["label"].casefold(), n))
    kept = ranked if max_nodes is None else ranked[: max(0, max_nodes)]
    index = {node: i for i, node in enumerate(kept)}
    chosen = [fact for fact in measures.distinct_facts(nxg) if fact[0] in index and fact[2] in index]
    max_facts = None if max_nodes is None else int(FACTS_PER_NODE * len(kept))
    if max_facts is not None and len(chosen) > max_facts:
        by_importance = sorted(chosen, key=lambda f: (min(index[f[0]], index[f[2]]), max(index[f[0]], index[f[2]]), f))
        chosen = sorted(by_importance[:max_facts])
    if statements is None:
        wanted = set(chosen) | {(o, r, s) for s, r, o in chosen if r in SYMMETRIC}
        statements = measures.statements(store, wanted=wanted.__contains__)
    lookups = measures.ArticleLookup(store)

    articles: list[dict[str, str]] = []
    article_index: dict[str, int] = {}
    edges: list[dict[str, Any]] = []
    for s, relation, o in chosen:
        assertions = statements.get((s, relation, o), [])
        if relation in SYMMETRIC:
            assertions = sorted({*assertions, *statements.get((o, relation, s), [])})
        items = []
        for item in measures.evidence_items(store, assertions[:EVIDENCE_PER_FACT], lookups):
            key = item["article"]
            if key not in article_index:
                article_index[key] = len(articles)
                articles.append(
                    {
                        "title": item["title"],
                        "url": _http_url(item["url"]),
                        "date": item["published"],
                        "lang": item["lang"],
                    }
                )
            items.append(
                {
                    "text": item["text"],
                    "article": article_index[key],
                    "amount": item["amount"],
                    "currency": item["currency"],
                    "date": item["date"],
                    "confidence": item["confidence"],
                }
            )
        edges.append(
            {
                "id": len(edges),
                "from": index[s],
                "to": index[o],
                "rel": relation,
                "count": len(assertions),
                "evidence": items,
            }
        )

    positions = _positions(len(kept), [(e["from"], e["to"]) for e in edges])
    top = max((ranks.get(n, 0.0) for n in kept), default=1.0) or 1.0
    nodes = []
    for i, node in enumerate(kept):
        attrs = nxg.nodes[node]
        nodes.append(
            {
                "id": i,
                "iri": node,
                "label": attrs["label"],
                "type": attrs["type"],
                "aliases": attrs["aliases"],
                "wikidata": _http_url(attrs["wikidata"]),
                "articles": attrs["articles"],
                "degree": degrees.get(node, 0),
                "rank": i + 1,
                "value": round(math.sqrt(ranks.get(node, 0.0) / top), 4),
                "x": round(float(positions[i][0]), 1),
                "y": round(float(positions[i][1]), 1),
            }
        )
    type_counts: dict[str, int] = {}
    for node in nodes:
        type_counts[node["type"]] = type_counts.get(node["type"], 0) + 1
    relation_counts: dict[str, int] = {}
    for edge in edges:
        relation_counts[edge["rel"]] = relation_counts.get(edge["rel"], 0) + 1
    types = [
        {
            "name": name,
            "label": TYPE_STYLE[name][0],
            "color": TYPE_STYLE[name][1],
            "shape": TYPE_STYLE[name][2],
            "count": type_counts.get(name, 0),
        }
        for name in (*ENTITY_TYPES, "")
        if type_counts.get(name) or name
    ]
    relations = [
        {
            "name": name,
            "label": RELATION_STYLE[name][0],
            "color": RELATION_STYLE[name][1],
            "symmetric": name in SYMMETRIC,
            "count": relation_counts.get(name, 0),
        }
        for name in RELATIONS
    ]
    return {
        "title": title,
        "built": built,
        "summary": info,
        "shown": {"nodes": len(nodes), "facts": len(edges), "max_nodes": max_nodes, "max_facts": max_facts},
        "types": types,
        "relations": relations,
        "nodes": nodes,
        "edges": edges,
        "articles": articles,
    }


def _positions(n: int, links: list[tuple[int, int]]) -> np.ndarray:
    """Node positions in page pixels: each connected piece laid out by force, the pieces packed in rows."""
    import numpy as np

    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    pieces = sorted(members.values(), key=lambda m: (-len(m), m[0]))
    piece_of = {i: k for k, m in enumerate(pieces) for i in m}
    local_links: list[list[tuple[int, int]]] = [[] for _ in pieces]
    local_index = {i: j for m in pieces for j, i in enumerate(m)}
    for a, b in links:
        if a != b:
            local_links[piece_of[a]].append((local_index[a], local_index[b]))
    boxes = []
    for k, nodes in enumerate(pieces):
        local = force_layout(len(nodes), local_links[k], seed=7 + k) if len(nodes) > 1 else np.zeros((1, 2))
        local -= local.min(axis=0)
        boxes.append(local)
    # shelf packing: rows of pieces, about 1.6 times wider than tall, with a gap of one edge length
    gap = 1.2
    area = sum((b[:, 0].max() + gap) * (b[:, 1].max() + gap) for b in boxes)
    width = max(math.sqrt(area * 1.6), max(b[:, 0].max() for b in boxes))
    x = y = row = 0.0
    for nodes, box in zip(pieces, boxes, strict=True):
        w, h = box[:, 0].max(), box[:, 1].max()
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + gap, 0.0
        pos[nodes] = box + (x, y)
        x += w + gap
        row = max(row, h)
    # 130 px per median link, more where that would crowd nodes (dense cores of big graphs)
    scale = 130.0
    if n > 1:
        crowd = _median_nearest(pos)
        if crowd > 0:
            scale = max(scale, 55.0 / crowd)
    return (pos - (pos.min(axis=0) + pos.max(axis=0)) / 2) * scale


def _median_nearest(pos: np.ndarray) -> float:
    """Median distance from each point to its nearest neighbour."""
    import numpy as np

    n = len(pos)
    x, y = pos[:, 0], pos[:, 1]
    nearest = np.empty(n)
    block = max(1, 2_000_000 // n)
    for start in range(0, n, block):
        stop = min(n, start + block)
        dx = x[start:stop, None] - x[None, :]
        dist2 = np.multiply(dx, dx, out=dx)
        dy = y[start:stop, None] - y[None, :]
        dist2 += np.multiply(dy, dy, out=dy)
        dist2[np.arange(stop - start), np.arange(start, stop)] = np.inf
        nearest[start:stop] = np.sqrt(dist2.min(axis=1))
    return float(np.median(nearest))


def force_layout(n: int, links: list[tuple[int, int]], *, seed: int = 7, iterations: int | None = None) -> np.ndarray:
    """Fruchterman–Reingold positions (n × 2) with gravity, in numpy, deterministic for a seed.

    Repulsion is exact (computed elementwise in blocks, O(n²) per step, so the layout does not depend
    on the BLAS library or its threads); big graphs get fewer steps
    (`iterations` defaults to 80 up to 500 nodes, falling to 12 at 5,000), which keeps a
    5,000-node layout to a few seconds. Gravity keeps loose parts close; the result is
    scaled so that the median link is 1 long.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((0, 2))
    side = math.sqrt(n)
    pos = (rng.random((n, 2)) * side).astype(np.float32)
    if n == 1:
        return pos.astype(np.float64)
    pairs = np.array([(a, b) for a, b in links if a != b], dtype=np.int64).reshape(-1, 2)
    src, dst = pairs[:, 0], pairs[:, 1]
    deg = np.bincount(pairs.ravel(), minlength=n).astype(np.float32)
    if iterations is None:
        iterations = int(min(80, max(12, 80 * (500 / n) ** 0.8)))
    temperature = side * 0.1
    cooling = temperature / (iterations + 1)
    block = max(1, min(n, 4_000_000 // n))
    gravity = 0.02 * (deg[:, None] + 1.0) / side * 4.0
    dx = np.empty((block, n), dtype=np.float32)  # buffers for one block of rows, reused at every step
    dy = np.empty_like(dx)
    inverse = np.empty_like(dx)
    work = np.empty_like(dx)
    for _ in range(iterations):
        disp = np.zeros((n, 2), dtype=np.float32)
        x, y = pos[:, 0], pos[:, 1]
        for start in range(0, n, block):
            # repulsion sum_j (p_i - p_j) / |p_i - p_j|², elementwise: no matrix product, so no BLAS threads
            stop = min(n, start + block)
            rows = slice(0, stop - start)
            bx, by, inv, sq = dx[rows], dy[rows], inverse[rows], work[rows]
            np.subtract(x[start:stop, None], x[None, :], out=bx)
            np.subtract(y[start:stop, None], y[None, :], out=by)
            np.multiply(bx, bx, out=inv)
            inv += np.multiply(by, by, out=sq)
            np.maximum(inv, 1e-4, out=inv)
            np.reciprocal(inv, out=inv)
            diagonal = np.arange(stop - start)
            inv[diagonal, diagonal + start] = 0.0
            disp[start:stop, 0] = np.multiply(bx, inv, out=sq).sum(axis=1)
            disp[start:stop, 1] = np.multiply(by, inv, out=sq).sum(axis=1)
        if len(pairs):
            delta = pos[src] - pos[dst]
            dist = np.sqrt(np.einsum("ij,ij->i", delta, delta))[:, None]
            pull = delta * dist
            np.subtract.at(disp, src, pull)
            np.add.at(disp, dst, pull)
        disp -= gravity * (pos - pos.mean(axis=0))
        length = np.sqrt(np.einsum("ij,ij->i", disp, disp))[:, None]
        np.maximum(length, 1e-9, out=length)
        pos += disp / length * np.minimum(length, temperature)
        temperature -= cooling
    pos = pos.astype(np.float64)
    if len(pairs):
        unit = float(np.median(np.linalg.norm(pos[src] - pos[dst], axis=1)))
        if unit > 0:
            pos /= unit
    return pos


def _vis_assets() -> tuple[str, str, str]:
    """vis-network's JS, CSS and version, read from the newest copy shipped inside pyvis."""
    lib = resources.files("pyvis") / "lib"
    versions = []
    for entry in lib.iterdir():
        match = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", entry.name)
        if match and entry.is_dir():
            versions.append((tuple(int(p) for p in match.groups()), entry))
    if not versions:
        raise FileNotFoundError("vis-network was not found inside the pyvis package")
    version, folder = max(versions, key=lambda item: item[0])
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    return js, css, ".".join(map(str, version))


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: `<`, `>`, `&`, U+2028 and U+2029 escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render_page(data: dict[str, Any], *, title: str = DEFAULT_TITLE) -> str:
    """The page's HTML for `data` (from `page_data`)."""
    template = (resources.files("kg") / "templates" / "graph.html").read_text(encoding="utf-8")
    js, css, version = _vis_assets()
    js = js.replace("</script", "<\\/script")
    css = css.replace("</style", "<\\/style")
    app = _APP_SCRIPT.search(template)
    if app is None:
        raise ValueError("templates/graph.html has no application script")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(js)} {_sha256(app.group(1))}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    values = {
        "CSP": csp,
        "TITLE": html.escape(title),
        "VIS_VERSION": version,
        "VIS_CSS": css,
        "VIS_JS": js,
        "DATA": script_json(data),
    }
    return _MARKER.sub(lambda m: values[m.group(1)], template)


def layout_graph(nxg: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Page positions of every node of `nxg`, as the page lays them out (for notebooks and checks)."""
    nodes = sorted(nxg.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pos = _positions(len(nodes), [(index[s], index[o]) for s, o in nxg.edges()])
    return {node: (float(pos[i][0]), float(pos[i][1])) for node, i in index.items()}
