"""Hostile inputs, part of the corpus (corpus.py): oversized text, binary and invalid UTF-8 and NUL characters,
and JSON that is nested deep, of the wrong type, or malformed."""

from typing import Iterator

from tests.abuse.hostile_value import KB, MB, Hostile


def _deep_json(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "dict":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"message":' + "[" * depth + "]" * depth + ',"sender":"deep"}'


def malformed_inputs() -> Iterator[Hostile]:
    # Oversized text ---------------------------------------------------------------------------------------
    words = "where is my order please help the kettle arrived broken and I want a refund now "
    yield Hostile("oversized-100k-words", "oversized", (words * (100 * KB // len(words) + 1))[: 100 * KB], heavy=True)
    yield Hostile("oversized-1m-words", "oversized", (words * (MB // len(words) + 1))[:MB], heavy=True)
    yield Hostile("oversized-100k-one-letter", "oversized", "A" * (100 * KB), heavy=True)
    yield Hostile("oversized-1m-one-letter", "oversized", "A" * MB, heavy=True)
    yield Hostile("oversized-20001-chars", "oversized", "x" * 20_001)
    yield Hostile("oversized-5001-chars", "oversized", "hello " * 833 + "abc")
    yield Hostile("oversized-1m-bytes", "oversized", b"\x00\xff" * (MB // 2), heavy=True)

    # Binary, invalid UTF-8, NUL --------------------------------------------------------------------------
    yield Hostile("binary-all-bytes", "binary", bytes(range(256)))
    yield Hostile("binary-ff-run", "binary", b"\xff" * 64)
    yield Hostile("utf8-lone-continuation", "invalid-utf8", b"\x80hello\x80")
    yield Hostile("utf8-overlong-slash", "invalid-utf8", b"\xc0\xaf\xc0\xaf")
    yield Hostile("utf8-truncated", "invalid-utf8", b"order \xe2\x82")
    yield Hostile("utf8-encoded-surrogate", "invalid-utf8", b"\xed\xa0\x80")
    yield Hostile("utf8-5-byte", "invalid-utf8", b"\xf8\x88\x80\x80\x80")
    yield Hostile("utf8-bom-garbage", "invalid-utf8", b"\xef\xbb\xbf\xfe\xff{}")
    yield Hostile("utf16-le-json", "invalid-utf8", '{"sender":"u16","message":"hi"}'.encode("utf-16-le"))
    yield Hostile("nul-only", "nul", "\x00")
    yield Hostile("nul-inside", "nul", "where is my\x00 order 104233")
    yield Hostile("nul-run", "nul", "\x00" * 1000)
    yield Hostile("control-chars", "nul", "".join(chr(c) for c in range(32)) + "\x7f")
    yield Hostile("nul-json-escape", "nul", "hi\u0000there")

    # JSON structure: deep nesting, wrong types ----------------------------------------------------------
    for depth in (100, 1_000, 10_000, 100_000):
        for kind in ("list", "dict", "in-message"):
            yield Hostile(
                f"deep-json-{kind}-{depth}", "deep-json", None, raw_json=_deep_json(depth, kind), heavy=depth >= 100_000
            )
    wrong_types = {
        "int": 1,
        "zero": 0,
        "negative": -1,
        "float": 1.5,
        "true": True,
        "false": False,
        "null": None,
        "empty-list": [],
        "list-of-str": ["hi", "there"],
        "empty-dict": {},
        "dict": {"text": "hi"},
        "huge-int": 10**400,
        "huge-negative-int": -(10**400),
        "int-64-overflow": 2**64,
        "nan": float("nan"),
        "infinity": float("inf"),
        "minus-infinity": float("-inf"),
        "tiny-float": 5e-324,
        "big-float": 1.7976931348623157e308,
        "list-of-null": [None] * 100,
        "nested-lists": [[[["x"]]]],
        "dict-with-nan": {"name": float("nan")},
        "list-10000": list(range(10_000)),
        "dict-1000-keys": {f"k{i}": i for i in range(1000)},
    }
    for name, value in wrong_types.items():
        yield Hostile(f"json-{name}", "wrong-type", value)
    raw_documents = {
        "json-truncated": '{"sender": "x", "message": "hi"',
        "json-trailing-comma": '{"message": "hi",}',
        "json-single-quotes": "{'sender': 'x', 'message': 'hi'}",
        "json-nan-literal": '{"message": NaN}',
        "json-duplicate-keys": '{"message": "hi", "message": 5, "sender": "a", "sender": null}',
        "json-huge-number-literal": '{"message": ' + "9" * 5000 + "}",
        "json-huge-exponent": '{"message": 1e999999}',
        "json-bare-string": '"hi"',
        "json-bare-null": "null",
        "json-lone-surrogate-escape": '{"sender": "\\ud800", "message": "\\udfff"}',
        "json-empty": "",
        "json-whitespace": "   \n\t ",
        "json-bom": '\ufeff{"message": "hi"}',
        "json-comment": '{"message": "hi" /* comment */}',
        "json-proto": '{"__proto__": {"admin": true}}',
    }
    for name, document in raw_documents.items():
        yield Hostile(name, "malformed-json", document, raw_json=document)
