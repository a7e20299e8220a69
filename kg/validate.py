"""Check a built graph against the SHACL shapes of `ontologies/shapes.ttl`."""

from __future__ import annotations

from pathlib import Path

from .ontology import default_paths


def shapes_path() -> Path:
    """The shipped SHACL shapes file."""
    for folder in default_paths():
        candidate = Path(folder) / "shapes.ttl"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("shapes.ttl not found beside the ontology")


def validate(graph) -> tuple[bool, str]:
    """(conforms, report text) of `graph` against the shapes (RDFS inference off: types are explicit)."""
    from pyshacl import validate as shacl_validate
    from rdflib import Graph

    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, _, text = shacl_validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), str(text)
