"""NER with HanLP 2.x (the optional `[hanlp]` extra), from a model on local disk only.

HanLP fetches its pretrained models from the internet on first use, which on a
machine without access takes ~25 s to fail, or hangs. This backend never lets it
try: the model folder is checked before hanlp is even imported, HanLP's
downloader is swapped for one that refuses while the model loads, and the
Hugging Face libraries it uses are told to stay offline.

The model is either a folder given by the user (`--hanlp-model DIR`), or HanLP's
MSRA NER model already unpacked under HANLP_HOME. Any saved HanLP NER component
works: a pretrained one (MSRA or OntoNotes tags) or one trained on our BIO tags.
Sentences are given to it as characters (spaces left out, see squeeze.py), so
every entity maps back to exact offsets.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from extractors.ner.base import TAG_LABELS, NerUnavailable, Span, to_entities
from extractors.ner.squeeze import squeeze, unsqueeze
from schemas import EntityRecord, SegmentedDocument

# What HanLP's TorchComponent.save() writes into a model folder.
MODEL_FILES = ("config.json", "vocabs.json", "model.pt")

# The model used when none is given: HanLP's MSRA_NER_ELECTRA_SMALL_ZH, which
# HanLP unpacks to this folder under HANLP_HOME (~/.hanlp by default).
DEFAULT_MODEL = "MSRA_NER_ELECTRA_SMALL_ZH"
DEFAULT_MODEL_FOLDER = Path("ner", "msra_ner_electra_small_20220215_205503")

HOW_TO_PROVIDE = (
    "Give a saved HanLP NER model folder with --hanlp-model DIR (it holds "
    + ", ".join(MODEL_FILES)
    + f"), or set HANLP_HOME to a folder where HanLP has unpacked {DEFAULT_MODEL} "
    f"(HANLP_HOME/{DEFAULT_MODEL_FOLDER.as_posix()}); copy it from a machine with internet access, "
    "models are never downloaded at run time."
)


def hanlp_home() -> Path:
    """HanLP's data folder, as HanLP itself finds it."""
    return Path(os.environ.get("HANLP_HOME") or Path.home() / ".hanlp")


class SavedModel(NamedTuple):
    folder: Path
    classpath: str  # the HanLP component class that saved it


def find_saved_model(model: Path | None) -> SavedModel:
    """The local folder of the model to load; NerUnavailable when it is not there.

    Only the file system is looked at: this runs before hanlp is imported.
    """
    if model is None:
        folder = hanlp_home() / DEFAULT_MODEL_FOLDER
        what = f"HanLP's {DEFAULT_MODEL} model (looked for {folder})"
    else:
        folder = Path(model)
        what = f"HanLP model folder {folder}"
    if not folder.is_dir():
        raise NerUnavailable(f"{what} does not exist. {HOW_TO_PROVIDE}")
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise NerUnavailable(f"{what} is not a saved HanLP model: {', '.join(missing)} missing. {HOW_TO_PROVIDE}")
    try:
        classpath = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("classpath", "")
    except (ValueError, AttributeError) as error:  # not JSON, or not a JSON object
        raise NerUnavailable(f"{what} has an unreadable config.json ({error}). {HOW_TO_PROVIDE}") from None
    if ".ner." not in classpath:
        raise NerUnavailable(f"{what} holds a {classpath or 'component of unknown type'}, not a NER model. {HOW_TO_PROVIDE}")
    return SavedModel(folder, classpath)


@contextmanager
def downloads_refused():
    """While loading, make any download HanLP attempts (a model that needs a
    resource not on disk) fail at once with a NerUnavailable naming it."""
    from hanlp.utils import io_util

    def refuse(url, *args, **kwargs):
        raise NerUnavailable(
            f"the HanLP model needs {url}, which is not under HANLP_HOME ({hanlp_home()}). {HOW_TO_PROVIDE}"
        )

    original = io_util.download
    io_util.download = refuse
    try:
        yield
    finally:
        io_util.download = original


def load_component(model: SavedModel):
    """Load a saved HanLP component from its folder, offline.

    The component's own load() is used rather than hanlp.load(), whose error
    path looks up the latest HanLP release on the internet.
    """
    # Read when transformers / huggingface_hub are imported: set them first.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from hanlp_common.reflection import object_from_classpath  # not installed: get_backend says how to install it

    with downloads_refused():
        try:
            component = object_from_classpath(model.classpath)
            component.load(str(model.folder), verbose=False)
        except NerUnavailable:
            raise
        except Exception as error:  # a broken or incompatible model: say which and why
            raise NerUnavailable(f"could not load the HanLP model in {model.folder}: {error}") from None
    return component


class HanlpBackend:
    name = "hanlp"

    def __init__(self, model: Path | None):
        self._ner = load_component(find_saved_model(model))

    def find(self, doc: SegmentedDocument) -> list[EntityRecord]:
        sentences = [squeeze(sentence.text, sentence.start) for sentence in doc.sentences]
        sentences = [sentence for sentence in sentences if sentence.text]
        if not sentences:
            return []
        # One call for the whole document: HanLP batches the sentences itself.
        found = self._ner.predict([list(sentence.text) for sentence in sentences])
        spans: list[Span] = []
        for sentence, entities in zip(sentences, found):
            # Each entity is (text, tag, first token, token after it); a token is a character.
            in_sentence = [
                Span(first, after, TAG_LABELS[tag]) for _, tag, first, after in entities if tag in TAG_LABELS
            ]
            spans += unsqueeze(in_sentence, sentence)
        return to_entities(doc, spans, backend=self.name)
