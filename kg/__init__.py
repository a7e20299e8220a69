"""kg: news articles about the AI industry → an RDF knowledge graph with evidence for every fact.

>>> import kg
>>> report = kg.build(["examples/articles"], out="kg-out")   # doctest: +SKIP
>>> kg.query("SELECT ?s ?o WHERE { ?s kg:investsIn ?o }", out="kg-out")  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["build", "push", "query", "read_articles", "serve", "stats", "__version__"]


def build(*args, **kwargs):
    """Build the graph of the articles under `paths`; see `kg.build.build`."""
    from .pipeline import build as _build

    return _build(*args, **kwargs)


def query(*args, **kwargs):
    """Run a SPARQL query over a built graph; see `kg.sparql.query`."""
    from .sparql import query as _query

    return _query(*args, **kwargs)


def stats(*args, **kwargs):
    """Entities by type, facts by relation and the most connected entities of a built graph."""
    from .pipeline import stats as _stats

    return _stats(*args, **kwargs)


def read_articles(*args, **kwargs):
    """The articles (and skipped inputs) under `paths`, as `kg build` reads them; see `kg.read.read_articles`."""
    from .read import read_articles as _read_articles

    return _read_articles(*args, **kwargs)


def push(*args, **kwargs):
    """Load a built graph into a SPARQL 1.1 server (Graph Store Protocol); see `kg.remote.push`."""
    from .remote import push as _push

    return _push(*args, **kwargs)


def serve(*args, **kwargs):
    """Serve a built graph read-only over the SPARQL 1.1 Protocol; see `kg.server.serve`."""
    from .server import serve as _serve

    return _serve(*args, **kwargs)
