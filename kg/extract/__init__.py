"""Extract facts from an analysed article.

The steps, one module each: `candidates` (typed mention pairs a sentence may relate), `features`
(what a model sees of a candidate), `model` (the trained classifier that decides), `amounts` (which
money span of a sentence belongs to an investment) and `rules` (general patterns whose verdicts are
the model's strongest features).
"""

from .rules import facts

__all__ = ["facts"]
