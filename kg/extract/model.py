"""The trained classifier that decides which relation, if any, a candidate states.

One logistic regression per relation over the sparse features of `features`, fitted on the
candidates whose types fit that relation. Logistic regression is chosen for speed (a prediction is a
sum of a few dozen weights), determinism (liblinear with a fixed seed gives the same weights) and
probabilities that are close to calibrated, which become `kg:confidence`. Prediction needs numpy
only; fitting uses scikit-learn (the `train` extra).

A model is a folder: `config.json` (format, feature version, relations, thresholds,
hyper-parameters, what it was trained on), `vocab.txt` (one feature a line) and `weights.npy`
(one column per relation, the bias in the last row).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ExtractorError
from .features import FEATURES_VERSION

FORMAT = "kg-extractor/1"
FILES = ("config.json", "vocab.txt", "weights.npy")


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a fit: regularisation, the rarest feature kept, the seed, the folds."""

    c: float = 0.5
    min_count: int = 2
    seed: int = 13
    folds: int = 5
    rule_features: bool = True
    class_weight: float = 1.0  # weight of positive examples

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RelationModel:
    """Weights per relation over a feature vocabulary, with a decision threshold per relation."""

    relations: tuple[str, ...]
    vocab: dict[str, int]
    weights: np.ndarray  # (len(vocab) + 1, len(relations)); the last row is the bias
    thresholds: dict[str, float]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """What the model is, for cache keys: a hash of its config, vocabulary and weights."""
        h = hashlib.sha256(json.dumps(self.config, sort_keys=True).encode())
        h.update("\n".join(sorted(self.vocab)).encode())
        h.update(np.ascontiguousarray(self.weights).tobytes())
        return h.hexdigest()[:16]

    def probabilities(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """P(relation | candidate) for each row of features: an array (rows, relations)."""
        if not rows:
            return np.empty((0, len(self.relations)), dtype=np.float64)
        vocab, weights = self.vocab, self.weights
        bias_row = len(weights) - 1
        indices: list[int] = []
        starts: list[int] = []
        known = vocab.get
        for row in rows:
            starts.append(len(indices))
            indices.append(bias_row)  # every row has the bias, so no row is empty
            found = set(map(known, row))
            found.discard(None)
            indices.extend(found)
        z = np.add.reduceat(weights[indices], starts, axis=0)
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the model to `folder` (created); the files are byte-identical for the same model."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        config = {**self.config, "format": FORMAT, "features": FEATURES_VERSION}
        config["relations"] = list(self.relations)
        config["thresholds"] = {r: round(float(t), 4) for r, t in sorted(self.thresholds.items())}
        (path / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        if any("\n" in w for w in words):
            raise ValueError("a feature holds a line break")
        (path / "vocab.txt").write_text("".join(w + "\n" for w in words), encoding="utf-8")
        with open(path / "weights.npy", "wb") as f:
            np.save(f, self.weights.astype(np.float32), allow_pickle=False)
        return path


def load(folder: str | os.PathLike[str]) -> RelationModel:
    """The model saved in `folder`; `ExtractorError` when it is missing, corrupt or of another format."""
    path = Path(folder)
    stamp = tuple(_stamp(path / name) for name in FILES)
    return _load(str(path.resolve()), stamp)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _load(folder: str, stamp: tuple) -> RelationModel:
    path = Path(folder)
    if not path.is_dir():
        raise ExtractorError(f"no extractor model at {path}: not a folder")
    missing = [name for name in FILES if not (path / name).is_file()]
    if missing:
        raise ExtractorError(f"not an extractor model: {path} lacks {', '.join(missing)}")
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        words = (path / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
        weights = np.load(path / "weights.npy", allow_pickle=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ExtractorError(f"corrupt extractor model in {path}: {exc}") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ExtractorError(f"{path}: not a {FORMAT} model (format {config.get('format')!r})")
    if config.get("features") != FEATURES_VERSION:
        raise ExtractorError(
            f"{path}: made for features version {config.get('features')}, this kg uses {FEATURES_VERSION}; "
            "retrain it with `kg train`"
        )
    relations = tuple(config.get("relations", ()))
    if weights.ndim != 2 or weights.shape != (len(words) + 1, len(relations)):
        raise ExtractorError(f"corrupt extractor model in {path}: weights do not match the vocabulary")
    vocab = {w: i for i, w in enumerate(words)}
    thresholds = {r: float(t) for r, t in config.get("thresholds", {}).items()}
    return RelationModel(relations, vocab, weights.astype(np.float64), thresholds, config)


def fit(
    rows: Sequence[Sequence[str]],
    labels: np.ndarray,
    applicable: np.ndarray,
    relations: Sequence[str],
    config: TrainConfig,
) -> RelationModel:
    """Fit one logistic regression per relation on the rows whose types fit it.

    `labels` and `applicable` are boolean arrays (rows, relations)."""
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ExtractorError("training needs scikit-learn: pip install 'kg[train]'") from exc

    counts = Counter(f for row in rows for f in set(row))
    words = sorted(f for f, n in counts.items() if n >= config.min_count)
    vocab = {w: i for i, w in enumerate(words)}
    indptr, indices = [0], []
    for row in rows:
        indices.extend(sorted({vocab[f] for f in row if f in vocab}))
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.ones(len(indices), dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=(len(rows), len(words)),
    )
    weights = np.zeros((len(words) + 1, len(relations)), dtype=np.float64)
    weights[-1, :] = -10.0  # a relation never seen positive is never predicted
    for r, _name in enumerate(relations):
        mask = applicable[:, r]
        y = labels[mask, r]
        if y.sum() == 0 or y.sum() == len(y):
            continue
        learner = LogisticRegression(
            C=config.c,
            solver="liblinear",
            random_state=config.seed,
            class_weight={0: 1.0, 1: config.class_weight},
            max_iter=1000,
        )
        learner.fit(matrix[mask], y.astype(int))
        weights[:-1, r] = learner.coef_[0]
        weights[-1, r] = learner.intercept_[0]
    # keep the vocabulary to the features some relation weighs
    used = np.flatnonzero(np.abs(weights[:-1]).max(axis=1) > 1e-6)
    kept = [words[i] for i in used]
    weights = np.vstack([weights[used], weights[-1:]])
    thresholds = {name: 0.5 for name in relations}
    return RelationModel(tuple(relations), {w: i for i, w in enumerate(kept)}, weights, thresholds, {})
