"""Signing on the national exchange: the published SM3 and SM2 vectors, and every algorithm
signing, verifying and refusing what was altered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import ConfigurationError
from hub.national.signing import (
    HEADERS,
    Algorithm,
    Signer,
    Sm2Curve,
    Verifier,
    canonical_bytes,
    decode_signature,
    generate_key_pair,
    load_private_key,
    private_key,
    public_key,
    sm2_e,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
    sm2_z,
    sm3_hex,
)

# GB/T 32905-2016 Appendix A (SM3): the two examples.
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@dataclass(frozen=True)
class Sm2Vector:
    """A published SM2 signature example: curve, signer, message and every intermediate."""

    curve: Sm2Curve
    message: bytes
    user_id: bytes
    d: str
    public: str
    z: str
    e: str
    k: str
    r: str
    s: str


# GB/T 32918.2-2016 (GM/T 0003.2) Appendix A.2: signature over the example 256-bit curve.
SM2_EXAMPLE = Sm2Vector(
    curve=Sm2Curve(
        p="8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3",
        a="787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498",
        b="63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A",
        n="8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7",
        gx="421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D",
        gy="0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2",
    ),
    message=b"message digest",
    user_id=b"ALICE123@YAHOO.COM",
    d="128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263",
    public="0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A"
    "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857",
    z="F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A",
    e="B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76",
    k="6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F",
    r="40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1",
    s="6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7",
)


@pytest.mark.parametrize(("message", "digest"), SM3_VECTORS)
def test_sm3_matches_the_published_examples(message: bytes, digest: str) -> None:
    assert sm3_hex(message) == digest


def test_sm2_matches_the_published_signature_example() -> None:
    v = SM2_EXAMPLE
    assert sm2_public_key(v.d, v.curve) == v.public
    assert sm2_z(v.public, v.user_id, v.curve).hex().upper() == v.z
    assert sm2_e(v.message, v.public, v.user_id, v.curve).hex().upper() == v.e
    signature = sm2_sign(v.message, v.d, user_id=v.user_id, curve=v.curve, k=v.k)
    assert signature.hex().upper() == v.r + v.s
    assert sm2_verify(v.message, signature, v.public, user_id=v.user_id, curve=v.curve)
    assert not sm2_verify(b"message digesT", signature, v.public, user_id=v.user_id, curve=v.curve)
    assert not sm2_verify(v.message, signature, v.public, user_id=b"BOB", curve=v.curve)


@pytest.fixture(scope="module", params=list(Algorithm))
def key_pair(request: pytest.FixtureRequest) -> tuple[Signer, Verifier]:
    private_text, public_text = generate_key_pair(request.param)
    return (
        private_key(request.param, "hub", private_text, setting="test"),
        public_key(request.param, "hub", public_text, setting="test"),
    )


@settings(max_examples=15, deadline=None)
@given(message=st.binary(max_size=300), flip=st.integers(min_value=0, max_value=10_000))
def test_every_algorithm_verifies_its_own_signature_and_no_altered_message(
    key_pair: tuple[Signer, Verifier], message: bytes, flip: int
) -> None:
    signer, verifier = key_pair
    signature = signer.sign(message)
    assert verifier.verify(message, signature)
    altered = bytearray(message or b"\x00")
    altered[flip % len(altered)] ^= 0x01
    assert not verifier.verify(bytes(altered), signature)


def test_a_signature_by_another_key_is_refused(key_pair: tuple[Signer, Verifier]) -> None:
    signer, _ = key_pair
    other_private, _ = generate_key_pair(signer.algorithm)
    other = private_key(signer.algorithm, "other", other_private, setting="test")
    _, verifier = key_pair
    assert not verifier.verify(b"batch", other.sign(b"batch"))


def test_signed_headers_sign_the_canonical_text(key_pair: tuple[Signer, Verifier]) -> None:
    signer, verifier = key_pair
    body = b'{"batch_number": "2026050100001"}'
    headers = signer.signed_headers("post", "/api/v1/batches?x=1", body)
    assert headers[HEADERS.algorithm] == signer.algorithm.value
    assert headers[HEADERS.key_id] == "hub"
    text = canonical_bytes(
        signer.algorithm,
        "POST",
        "/api/v1/batches?x=1",
        headers[HEADERS.timestamp],
        headers[HEADERS.nonce],
        body,
    )
    signature = decode_signature(headers[HEADERS.value])
    assert signature is not None and verifier.verify(text, signature)
    assert not verifier.verify(text.replace(b"x=1", b"x=2"), signature)


def test_the_canonical_text_digests_the_body_with_sm3_for_sm2_and_sha256_otherwise() -> None:
    sm2_text = canonical_bytes(Algorithm.SM2_SM3, "get", "/p", "1", "n", b"abc")
    assert sm2_text == f"GET\n/p\n1\nn\n{SM3_VECTORS[0][1]}".encode()
    sha_text = canonical_bytes(Algorithm.RSA_PSS_SHA256, "GET", "/p", "1", "n", b"abc")
    assert sha_text.endswith(b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_keys_are_refused_with_the_setting_named_never_shown() -> None:
    with pytest.raises(ConfigurationError, match=r"signing\.private_key: not a sm2_sm3") as caught:
        private_key("sm2_sm3", "hub", "SECRET-not-hex", setting="signing.private_key")
    assert "SECRET" not in str(caught.value)
    with pytest.raises(ConfigurationError, match="unknown algorithm 'md5'"):
        public_key("md5", "hub", "x", setting="signing")
    _, rsa_public = generate_key_pair(Algorithm.RSA_PSS_SHA256)
    with pytest.raises(ConfigurationError, match="not a ecdsa_p256_sha256 public key"):
        public_key(Algorithm.ECDSA_P256_SHA256, "n", rsa_public, setting="signing")


def test_a_key_file_must_lie_outside_the_repository(tmp_path: Path) -> None:
    private_text, public_text = generate_key_pair(Algorithm.SM2_SM3)
    outside = tmp_path / "hub.key"
    outside.write_text(private_text, encoding="ascii")
    signer = load_private_key("sm2_sm3", "hub", key=None, key_file=str(outside), setting="signing")
    assert public_key("sm2_sm3", "hub", public_text, setting="t").verify(b"m", signer.sign(b"m"))
    inside = Path(__file__)
    with pytest.raises(ConfigurationError, match="inside the repository"):
        load_private_key("sm2_sm3", "hub", key=None, key_file=str(inside), setting="signing")
    with pytest.raises(ConfigurationError, match="not both"):
        load_private_key("sm2_sm3", "hub", key=private_text, key_file=str(outside), setting="s")
