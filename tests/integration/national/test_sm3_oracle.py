"""SM3 on the push's hot path is OpenSSL's (through cryptography): it must agree with gmssl,
the reference implementation the issue names, on any input and across block boundaries."""

from __future__ import annotations

from gmssl import sm3
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.national.signing import sm3_hex


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_sm3_agrees_with_gmssl(data: bytes) -> None:
    assert sm3_hex(data) == sm3.sm3_hash(list(data))


def test_sm3_agrees_with_gmssl_at_the_padding_edges() -> None:
    # 55, 56 and 64 bytes: the last lengths whose padding fits one block, or does not.
    for length in (0, 55, 56, 63, 64, 65, 119, 120, 128):
        data = bytes(range(length))
        assert sm3_hex(data) == sm3.sm3_hash(list(data))
