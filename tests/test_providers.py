"""Providers through deep-translator's real LibreTranslator client, against our loopback server."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import libre_server
import pytest
import requests
from libre_server import LibreServer, fake_translate

from pipeline import settings as settings_module
from pipeline.errors import ProviderError, SettingsError
from pipeline.providers import (
    SEPARATOR,
    Engine,
    ProviderConfig,
    batches,
    guard,
    pieces,
    provider_config,
)
from pipeline.providers.resilience import CircuitBreaker, RateLimiter, RequestFailed

libre = libre_server.libre  # the loopback server fixture


def engine(url: str, **options) -> Engine:
    config = ProviderConfig("libre", url=url, **{"backoff": 0.01, "timeout": 5.0, **options})
    return Engine(config, "en", "es", CircuitBreaker(), RateLimiter(0))


def test_translates_through_the_real_client_with_any_api_key(libre: LibreServer) -> None:
    assert engine(libre.url.rstrip("/")).request("Hello {name}") == "es: olleH {eman}"
    assert [(r.path, r.source, r.target, r.api_key) for r in libre.log] == [
        ("/translate", "en", "es", "homelang")
    ]


def test_many_texts_go_in_one_request_and_come_back_apart(libre: LibreServer) -> None:
    texts = ["One school.", "Two ⟦0⟧ families.", "Three."]
    assert engine(libre.url).translate_many(texts) == [fake_translate(t, "es") for t in texts]
    assert len(libre.translations) == 1


def test_merged_paragraphs_fall_back_to_one_request_per_text(libre: LibreServer) -> None:
    libre.behavior.merge_paragraphs = True
    texts = ["One school.", "Two families.", "Three."]
    assert engine(libre.url).translate_many(texts) == [fake_translate(t, "es") for t in texts]
    assert len(libre.translations) == 1 + len(texts)


def test_a_text_over_the_limit_goes_in_sentence_groups(libre: LibreServer) -> None:
    text = "First sentence here. Second one, ⟦0⟧ with a token! Third and last?"
    assert engine(libre.url, max_chars_per_request=40).request_long(text) == " ".join(
        fake_translate(s, "es")
        for s in ("First sentence here.", "Second one, ⟦0⟧ with a token!", "Third and last?")
    )
    with pytest.raises(RequestFailed, match="longer than libre's 10 characters"):
        engine(libre.url, max_chars_per_request=10).request_long(text)


def test_batches_respect_the_size_limit() -> None:
    texts = ["a" * 40, "b" * 40, "c" * 40, "d" * 200, "e\nf", "g" * 10]
    groups = batches(texts, 100)
    assert sorted(i for g in groups for i in g) == list(range(len(texts)))
    for group in groups:
        joined = "\n\n".join(texts[i] for i in group)
        assert len(joined) <= 100 or len(group) == 1
    assert [3] in groups and [4] in groups


@pytest.mark.parametrize("statuses", [[429], [503, 429], [500, 500, 502]])
def test_retries_429_and_5xx_then_succeeds(libre: LibreServer, statuses: list[int]) -> None:
    libre.behavior.statuses = list(statuses)
    assert engine(libre.url).request("Hello") == "es: olleH"
    assert len(libre.translations) == len(statuses) + 1


@pytest.mark.parametrize(
    ("behavior", "message"),
    [
        ({"always_status": 429}, "rate limiting us"),
        ({"always_status": 500}, r"server error \(500\)"),
        ({"garbage": True}, "not a translation"),
    ],
)
def test_exhausted_retries_fail_with_a_clear_message(
    libre: LibreServer, behavior: dict, message: str
) -> None:
    for key, value in behavior.items():
        setattr(libre.behavior, key, value)
    with pytest.raises(RequestFailed, match=message):
        engine(libre.url, retries=2).request("Hello")
    assert len(libre.translations) == 3


def test_our_deadline_ends_a_hanging_request(libre: LibreServer) -> None:
    libre.behavior.hang = True
    with pytest.raises(RequestFailed, match=r"did not answer within 0.3 s"):
        engine(libre.url, timeout=0.3, retries=1).request("Hello")
    assert len(libre.translations) == 2


def test_a_404_is_a_wrong_url_not_a_daily_limit(libre: LibreServer) -> None:
    with pytest.raises(RequestFailed, match="404 Not Found: wrong URL"):
        engine(libre.url + "v1/").request("Hello")


def test_refused_key_never_appears_in_the_message(libre: LibreServer) -> None:
    libre.behavior.always_status = 403
    with pytest.raises(RequestFailed) as caught:
        engine(libre.url, api_key="sekrit-key-123").request("Hello")
    assert "refused the API key" in str(caught.value)
    assert "sekrit" not in str(caught.value) and "sekrit" not in repr(caught.value.__dict__)
    assert "sekrit" not in repr(provider_config_with_key())


def provider_config_with_key() -> ProviderConfig:
    return ProviderConfig("libre", url="http://127.0.0.1:1/", api_key="sekrit-key-123")


def test_unreachable_url_fails_at_once_and_stops_the_provider() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    broken = engine(url)
    with pytest.raises(RequestFailed, match="cannot reach"):
        broken.request("Hello")
    assert broken.breaker.open and broken.requests == 1
    with pytest.raises(RequestFailed, match="stopped: cannot reach"):
        broken.request("Again")
    assert broken.requests == 1


def test_requests_to_any_other_destination_are_refused_before_sending(libre: LibreServer) -> None:
    with LibreServer() as other:
        with guard.policy(frozenset({guard.origin(libre.url)}), 5.0):
            with pytest.raises(guard.ForbiddenDestination):
                requests.post(other.url + "translate", params={"q": "private text"})
        assert other.log == []
        # outside a policy requests works as usual
        assert requests.get(other.url + "languages", timeout=5).status_code == 200


def test_libre_without_a_url_never_falls_back_to_the_public_server() -> None:
    with pytest.raises(ProviderError, match="HOMELANG_LIBRE_URL"):
        engine("")
    with pytest.raises(ProviderError, match="only used by libre"):
        Engine(
            ProviderConfig("google", url="http://127.0.0.1:9/"),
            "en",
            "es",
            CircuitBreaker(),
            RateLimiter(0),
        )


def test_settings_and_environment_give_the_provider_options(tmp_path: Path) -> None:
    (tmp_path / "homelang.toml").write_text(
        'languages = ["es"]\n[providers.libre]\nurl = "http://127.0.0.1:5000"\ntimeout = 3\nprice_per_million_chars = 20\n'
    )
    cfg = settings_module.load(tmp_path)
    config = provider_config(
        cfg, "libre", {"HOMELANG_LIBRE_API_KEY": "k", "HOMELANG_LIBRE_TIMEOUT": "7.5"}
    )
    assert (config.url, config.api_key, config.timeout, config.cost(1_000_000)) == (
        "http://127.0.0.1:5000",
        "k",
        7.5,
        20.0,
    )
    with pytest.raises(SettingsError, match="HOMELANG_LIBRE_TIMEOUT"):
        provider_config(cfg, "libre", {"HOMELANG_LIBRE_TIMEOUT": "soon"})


def test_concurrent_requests_each_get_their_own_answer(libre: LibreServer) -> None:
    libre.behavior.latency = 0.01
    shared = engine(libre.url)
    texts = [f"Segment number {i} about school {'x' * (i % 7)}" for i in range(120)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(shared.request, texts))
    assert answers == [fake_translate(t, "es") for t in texts]
    assert threading.active_count() < 50


@pytest.mark.parametrize(
    ("name", "key", "where"),
    [
        ("google", "", "https://translate.google.com:443"),
        ("deepl", "abc:fx", "https://api-free.deepl.com:443"),
        ("deepl", "abc", "https://api.deepl.com:443"),
        ("microsoft", "abc", "https://api.cognitive.microsofttranslator.com:443"),
        ("mymemory", "", "http://api.mymemory.translated.net:80"),
    ],
)
def test_each_provider_may_send_only_to_its_own_service(name: str, key: str, where: str) -> None:
    chosen = Engine(ProviderConfig(name, api_key=key), "en", "es", CircuitBreaker(), RateLimiter(0))
    assert chosen.origins == frozenset({where})


# --- batching, table-driven: which texts share a request, how a long one is cut ----------
BATCHES = [  # (texts, limit, groups of indexes)
    ([], 10, []),
    (["a", "b", "c"], 10, [[0, 1, 2]]),
    (["aaaa", "bbbb"], 10, [[0, 1]]),  # "aaaa\n\nbbbb" is exactly 10
    (["aaaa", "bbbb"], 9, [[0], [1]]),
    (["a", "b", "c"], 4, [[0, 1], [2]]),
    (["a", "x\ny", "b"], 100, [[0], [1], [2]]),  # a line break goes alone (the separator is one)
    (["a", "b" * 20, "c"], 10, [[0], [1], [2]]),  # over the limit: alone, cut in sentences later
    (["a" * 10], 10, [[0]]),
]


@pytest.mark.parametrize("texts,limit,groups", BATCHES)
def test_batches(texts: list[str], limit: int, groups: list[list[int]]) -> None:
    assert batches(texts, limit) == groups
    for group in groups:
        if len(group) > 1:
            assert len(SEPARATOR.join(texts[i] for i in group)) <= limit


PIECES = [  # (text, limit, sentence groups or None)
    ("short", 10, ["short"]),
    ("One. Two. Three.", 9, ["One. Two.", "Three."]),
    ("One. Two. Three.", 16, ["One. Two. Three."]),
    ("A: b; c? d!", 4, ["A:", "b;", "c?", "d!"]),
    ("Averyveryverylongword. x", 5, None),  # one sentence over the limit: cannot be sent
]


@pytest.mark.parametrize("text,limit,expected", PIECES)
def test_pieces(text: str, limit: int, expected: list[str] | None) -> None:
    assert pieces(text, limit) == expected
