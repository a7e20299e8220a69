"""Domain exceptions. The CLI turns each into a one-line message and a non-zero exit."""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error `kg` reports to its user."""


class InputError(KGError):
    """An input path or argument cannot be used (missing path, nothing to read)."""


class OntologyError(KGError):
    """An ontology or knowledge-base file is missing or malformed."""


class BuildError(KGError):
    """A build could not produce a graph (nothing readable, strict mode failures)."""


class OutputError(BuildError):
    """The output folder cannot be written (disk full, no permission, read-only, a file in the way)."""


class BuildLockedError(BuildError):
    """Another build is writing to the same output folder."""


class NoGraphError(KGError):
    """The output folder holds no built graph yet."""


class QueryError(KGError):
    """A SPARQL query is malformed, refused, or timed out."""


class ModelError(KGError):
    """A spaCy model was asked for that is not installed."""


class ExtractorError(KGError):
    """A trained extractor folder is missing, corrupt, or was made for another version of `kg`."""


class TrainError(KGError):
    """Training data cannot be used (no gold files, no articles, nothing to learn from)."""


class ClusterError(BuildError):
    """A build on a cluster could not reach its scheduler, or lost it."""


class EndpointError(KGError):
    """A SPARQL server refused a request (credentials, HTTP 4xx, a server error) or cannot be reached."""


class ServeError(KGError):
    """`kg serve` cannot start (no Oxigraph server installed, the address is taken)."""
