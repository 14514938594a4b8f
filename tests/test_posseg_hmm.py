"""The vectorised POS decoder must give jieba's answers exactly."""
import random
import sys

import jieba.posseg
import pytest

from extractors.ner import posseg_hmm
from extractors.ner.jieba_backend import pos_tagger

JIEBA_VITERBI = sys.modules["jieba.posseg.viterbi"].viterbi  # jieba's own, whatever the tagger now calls
TABLES = (jieba.posseg.char_state_tab_P, jieba.posseg.start_P, jieba.posseg.trans_P, jieba.posseg.emit_P)


def random_runs(count: int, seed: int) -> list[str]:
    """Runs of 1–8 characters: mostly characters the HMM knows, some it does not (Latin, digits, rare Han)."""
    rng = random.Random(seed)
    known = sorted(jieba.posseg.char_state_tab_P)
    unknown = list("ＡBx19㐀䶵")
    return ["".join(rng.choice(known if rng.random() < 0.85 else unknown) for _ in range(rng.randint(1, 8)))
            for _ in range(count)]


@pytest.mark.parametrize("run", ["廖泳", "廖泳任", "李忠任", "了由副", "对我局内未", "警和", "年", "x"])
def test_decodes_name_windows_as_jieba_does(run):
    assert posseg_hmm.viterbi(run, *TABLES) == JIEBA_VITERBI(run, *TABLES)


def test_decodes_random_runs_as_jieba_does():
    runs = random_runs(600, seed=7)
    assert [posseg_hmm.viterbi(run, *TABLES) for run in runs] == [JIEBA_VITERBI(run, *TABLES) for run in runs]


def test_the_backend_tagger_uses_it_and_still_finds_names():
    tagger = pos_tagger()
    assert jieba.posseg.viterbi is posseg_hmm.viterbi
    assert ("廖泳", "nr") in [tuple(pair) for pair in tagger.lcut("区市场监管局局长廖泳任组长")]
