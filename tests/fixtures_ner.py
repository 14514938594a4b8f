"""Fixtures for the optional NER backends (HanLP, LAC): a tiny HanLP model
trained on tests/data/ner_train.jsonl, and documents built by the real
segmenter. Imported by conftest.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.segment import segment
from schemas import NormalizedDocument, SegmentedDocument

NER_TRAIN = Path(__file__).parent / "data" / "ner_train.jsonl"


def labelled_sentences() -> list[dict]:
    """The training set: each line a sentence and its entities, in order of
    appearance, as [surface, label] pairs."""
    with NER_TRAIN.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def char_bio_tags(text: str, entities: list[list[str]]) -> list[str]:
    """One BIO tag per character. Each entity is looked for after the previous
    one, so a place inside an organisation's name is not mistaken for it."""
    tags = ["O"] * len(text)
    search_from = 0
    for surface, label in entities:
        start = text.index(surface, search_from)
        tags[start : start + len(surface)] = [f"B-{label}"] + [f"I-{label}"] * (len(surface) - 1)
        search_from = start + len(surface)
    return tags


def segmented(text: str, doc_id: str = "ner-test.txt") -> SegmentedDocument:
    """A document whose clean text is `text`, cut into sentences by the pipeline's segmenter."""
    return segment(NormalizedDocument(doc_id=doc_id, path=doc_id, original=text, text=text, clean=text))


def assert_grounded_in(doc: SegmentedDocument, entities, backend: str) -> None:
    """What every backend owes the pipeline: each entity's text at its clean
    offsets, its backend and document, no id yet (extract.py gives it one),
    and the sentence it stands in."""
    assert all(doc.clean[e.start : e.end] == e.text for e in entities)
    assert {(e.backend, e.doc_id, e.entity_id) for e in entities} == {(backend, doc.doc_id, "")}
    sentence_of = {e.start: s.text for e in entities for s in doc.sentences if s.start <= e.start < s.end}
    assert [e.sentence for e in entities] == [sentence_of[e.start] for e in entities]


@pytest.fixture(scope="session")
def hanlp_ner_model(tmp_path_factory) -> Path:
    """A character-level HanLP RNN NER model trained to memorise the training
    set (a few seconds on CPU), saved the way HanLP saves any model."""
    pytest.importorskip("hanlp")
    import torch
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    samples = [
        {"token": list(row["text"]), "tag": char_bio_tags(row["text"], row["entities"])}
        for row in labelled_sentences()
    ]
    model_dir = tmp_path_factory.mktemp("hanlp_ner")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: more threads only wait on each other
    try:
        RNNNamedEntityRecognizer().fit(
            samples,
            samples,
            str(model_dir),
            epochs=40,
            embed=32,
            rnn_hidden=64,
            drop=0.0,
            lr=0.01,
            batch_size=8,
            crf=False,  # crf=True is broken in hanlp 2.1.5
            tagging_scheme="BIO",
            patience=3,  # stop once it has memorised the set
            seed=0,
            devices=[],  # CPU
            verbose=False,
        )
    finally:
        torch.set_num_threads(threads)
    return model_dir
