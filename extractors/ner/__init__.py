"""Named-entity recognition backends: jieba (default, always available),
HanLP and LAC (optional extras, imported only when asked for)."""
from __future__ import annotations

from pathlib import Path

from extractors.ner.base import NerBackend, NerUnavailable

BACKENDS = ("jieba", "hanlp", "lac")
EXTRA_FOR = {"hanlp": "hanlp", "lac": "lac"}


def get_backend(name: str, model: Path | None = None) -> NerBackend:
    """The backend called `name`; NerUnavailable (saying what is missing) when
    it cannot run here. `model` is a local model folder, for HanLP."""
    try:
        if name == "jieba":
            from extractors.ner.jieba_backend import JiebaBackend

            return JiebaBackend()
        if name == "hanlp":
            from extractors.ner.hanlp_backend import HanlpBackend

            return HanlpBackend(model)
        if name == "lac":
            from extractors.ner.lac_backend import LacBackend

            return LacBackend()
    except ImportError as error:
        if name not in EXTRA_FOR:
            raise
        raise NerUnavailable(
            f"the {name} NER backend needs a package that is not installed ({error}); "
            f"install with pip install 'zhfig[{EXTRA_FOR[name]}]'"
        ) from None
    raise NerUnavailable(f"unknown NER backend {name!r}; choose one of: {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "NerBackend", "NerUnavailable", "get_backend"]
