"""The HanLP backend: loads a model only from local disk, fails fast and
offline when there is none, and maps what the model finds to exact clean
offsets. The model is a tiny one trained here (fixtures_ner.py); the tests
that need it skip when the [hanlp] extra is not installed."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time

import pytest

from extractors.ner.base import NerUnavailable
from extractors.ner.hanlp_backend import MODEL_FILES, HanlpBackend
from fixtures_ner import assert_grounded_in, hanlp_ner_model, segmented  # noqa: F401  (hanlp_ner_model is a fixture)


@pytest.fixture
def network_attempts(monkeypatch) -> list:
    """Every attempt to open a connection, refused and recorded."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def unavailable_message(model, limit_seconds: float = 2.0) -> str:
    """The NerUnavailable message HanlpBackend(model) fails with, checking it fails in time."""
    began = time.perf_counter()
    with pytest.raises(NerUnavailable) as failure:
        HanlpBackend(model=model)
    assert time.perf_counter() - began < limit_seconds
    return str(failure.value)


def test_missing_model_folder_fails_at_once_offline(tmp_path, network_attempts):
    missing = tmp_path / "no-such-model"
    message = unavailable_message(missing)
    assert str(missing) in message
    assert "does not exist" in message
    assert "--hanlp-model" in message and "HANLP_HOME" in message
    assert network_attempts == []


def test_failing_for_want_of_a_model_does_not_even_import_hanlp(tmp_path):
    # A fresh interpreter: in this one the trained-model fixture may have imported it.
    script = (
        "import sys\n"
        "from extractors.ner.base import NerUnavailable\n"
        "from extractors.ner.hanlp_backend import HanlpBackend\n"
        "try:\n"
        f"    HanlpBackend(model={str(tmp_path / 'missing')!r})\n"
        "except NerUnavailable:\n"
        "    print(sorted(name for name in sys.modules if name.split('.')[0] in ('hanlp', 'torch')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_folder_without_model_files_names_what_is_missing(tmp_path, network_attempts):
    (tmp_path / "config.json").write_text('{"classpath": "hanlp.components.ner.rnn_ner.RNNNamedEntityRecognizer"}')
    message = unavailable_message(tmp_path)
    assert "vocabs.json, model.pt missing" in message
    assert "--hanlp-model" in message and "HANLP_HOME" in message
    assert network_attempts == []


def test_folder_holding_another_kind_of_model_is_refused(tmp_path, network_attempts):
    for name in MODEL_FILES:
        (tmp_path / name).write_text("{}")
    (tmp_path / "config.json").write_text(
        json.dumps({"classpath": "hanlp.components.tokenizers.transformer.TransformerTaggingTokenizer"})
    )
    message = unavailable_message(tmp_path)
    assert "TransformerTaggingTokenizer, not a NER model" in message
    assert network_attempts == []


def test_folder_with_a_broken_config_is_refused(tmp_path, network_attempts):
    for name in MODEL_FILES:
        (tmp_path / name).write_text("")
    message = unavailable_message(tmp_path)
    assert message.startswith(f"HanLP model folder {tmp_path} has an unreadable config.json")
    assert network_attempts == []


def test_no_model_and_empty_hanlp_home_fails_at_once_offline(tmp_path, monkeypatch, network_attempts):
    monkeypatch.setenv("HANLP_HOME", str(tmp_path))
    message = unavailable_message(None)
    assert "MSRA_NER_ELECTRA_SMALL_ZH" in message
    assert str(tmp_path / "ner" / "msra_ner_electra_small_20220215_205503") in message
    assert "--hanlp-model" in message and "HANLP_HOME" in message
    assert network_attempts == []


def test_trained_model_finds_entities_at_exact_clean_offsets(hanlp_ner_model, network_attempts):
    # Two training sentences; the first has spaces that the model never sees.
    text = "2023年， 重庆市公安局渝北区分局共办理行政案件1200余件。某某区司法局关于2022年法治政府建设情况的报告"
    doc = segmented(text, doc_id="hanlp-test.txt")
    assert [sentence.start for sentence in doc.sentences] == [0, 32]

    entities = HanlpBackend(model=hanlp_ner_model).find(doc)

    assert [(e.start, e.end, e.label, e.text) for e in entities] == [
        (0, 5, "DATE", "2023年"),
        (7, 18, "ORG", "重庆市公安局渝北区分局"),
        (32, 38, "ORG", "某某区司法局"),
        (40, 45, "DATE", "2022年"),
    ]
    assert_grounded_in(doc, entities, "hanlp")
    assert entities[1].sentence == doc.sentences[0].text
    assert entities[2].sentence == doc.sentences[1].text
    assert network_attempts == []


def test_without_a_model_argument_the_model_unpacked_under_hanlp_home_is_used(
    hanlp_ner_model, tmp_path, monkeypatch, network_attempts
):
    shutil.copytree(hanlp_ner_model, tmp_path / "ner" / "msra_ner_electra_small_20220215_205503")
    monkeypatch.setenv("HANLP_HOME", str(tmp_path))
    entities = HanlpBackend(model=None).find(segmented("汉中市市场监督管理局全年查处各类违法案件856件。"))
    assert [(e.start, e.end, e.label, e.text) for e in entities] == [(0, 10, "ORG", "汉中市市场监督管理局")]
    assert network_attempts == []


def test_unreadable_weights_fail_with_a_message_not_a_lookup_online(hanlp_ner_model, tmp_path, network_attempts):
    # hanlp.load() would look up the latest HanLP release online here.
    broken = tmp_path / "broken"
    shutil.copytree(hanlp_ner_model, broken)
    (broken / "model.pt").write_bytes(b"not a torch file")
    message = unavailable_message(broken, limit_seconds=10)
    assert message.startswith(f"could not load the HanLP model in {broken}:")
    assert network_attempts == []


def test_a_resource_missing_from_hanlp_home_is_refused_not_downloaded(tmp_path, network_attempts):
    pytest.importorskip("hanlp")
    from hanlp.utils.io_util import get_resource

    from extractors.ner.hanlp_backend import downloads_refused

    began = time.perf_counter()
    with downloads_refused(), pytest.raises(NerUnavailable, match="needs https://file.hankcs.com/hanlp/ner/x.zip"):
        get_resource("https://file.hankcs.com/hanlp/ner/x.zip", save_dir=str(tmp_path))
    assert time.perf_counter() - began < 2
    assert network_attempts == []
