"""Signatures on the national exchange: SM2 with SM3, ECDSA P-256 or RSA-PSS, per channel.

Every request between the province and the national system is signed over one canonical
text (``canonical_bytes``), the same for every algorithm::

    METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n hex(DIGEST(body))

``DIGEST`` is SM3 for ``sm2_sm3`` (GB/T 32905) and SHA-256 for the other two; ``TIMESTAMP``
is whole seconds since the epoch and ``NONCE`` a fresh random hex string, so that a captured
request can be neither altered nor replayed. The signature travels base64-encoded in the
headers named by ``SignatureHeaders``, beside the key id and the algorithm:

    X-Sign-Algorithm: sm2_sm3          X-Sign-Timestamp: 1790000000
    X-Sign-Key-Id: hub-340000          X-Sign-Nonce: 5f0c...
    X-Sign-Value: MEUCIQ...

Algorithms (``Algorithm``):

- ``sm2_sm3``: SM2 (GB/T 32918.2) over SM3(Z_A || M), Z_A from the signer's id
  (``1234567812345678`` by default, GM/T 0009) and public key; the signature is r || s, 64
  bytes. Keys are hex: 64 digits private, 128 (x || y, optionally after ``04``) public.
  SM3 is OpenSSL's, through cryptography: gmssl's pure-Python SM3 costs about 6 µs a byte,
  seconds for one batch body, and a batch is digested on both sides. gmssl stays the
  oracle the digest is tested against. The curve arithmetic is written here, in affine
  coordinates, because gmssl's verification fails on some valid inputs (its Jacobian point
  addition returns nothing for some intermediate points). Both are checked against the
  published vectors.
- ``ecdsa_p256_sha256``: ECDSA on P-256 with SHA-256, DER signature; keys PEM.
- ``rsa_pss_sha256``: RSA-PSS with SHA-256, MGF1-SHA-256, salt as long as the digest; PEM.

Private keys never live in the repository: a setting holds a ``${ENV}`` reference to the key
itself or to a key file (``load_private_key``); public keys of the peer are pinned in the
configuration. A bad key is a ``ConfigurationError`` naming the setting, never showing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from hub.errors import ConfigurationError

DEFAULT_SM2_USER_ID = b"1234567812345678"
"""The signer id of GM/T 0009 when none was agreed."""

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class Algorithm(StrEnum):
    SM2_SM3 = "sm2_sm3"
    ECDSA_P256_SHA256 = "ecdsa_p256_sha256"
    RSA_PSS_SHA256 = "rsa_pss_sha256"


@dataclass(frozen=True)
class SignatureHeaders:
    """The header names a signed request carries (one place, both directions)."""

    algorithm: str = "X-Sign-Algorithm"
    key_id: str = "X-Sign-Key-Id"
    timestamp: str = "X-Sign-Timestamp"
    nonce: str = "X-Sign-Nonce"
    value: str = "X-Sign-Value"


HEADERS = SignatureHeaders()


def sm3_hex(data: bytes) -> str:
    """SM3 (GB/T 32905) of ``data`` as 64 hex digits."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def body_digest(algorithm: Algorithm, body: bytes) -> str:
    """The hex digest of a body as the canonical text carries it: SM3 for SM2, else SHA-256."""
    if algorithm is Algorithm.SM2_SM3:
        return sm3_hex(body)
    return hashlib.sha256(body).hexdigest()


def canonical_bytes(
    algorithm: Algorithm, method: str, target: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    """What is signed: ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(DIGEST(body))``.

    ``target`` is the request's path with its query exactly as sent (``/api/v1/x?a=1``).
    """
    digest = body_digest(algorithm, body)
    return f"{method.upper()}\n{target}\n{timestamp}\n{nonce}\n{digest}".encode()


# --- SM2 (GB/T 32918) -------------------------------------------------------------------


@dataclass(frozen=True)
class Sm2Curve:
    """An SM2 curve's parameters as hex (the recommended curve unless a test names another)."""

    p: str
    a: str
    b: str
    n: str
    gx: str
    gy: str


RECOMMENDED_CURVE = Sm2Curve(
    p="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF",
    a="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    b="28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    n="FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
    gx="32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    gy="BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
)


def sm2_z(public_key: str, user_id: bytes, curve: Sm2Curve = RECOMMENDED_CURVE) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2, 5.5)."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    material = entl + user_id + bytes.fromhex(curve.a + curve.b + curve.gx + curve.gy + public_key)
    return bytes.fromhex(sm3_hex(material))


def sm2_e(
    message: bytes, public_key: str, user_id: bytes, curve: Sm2Curve = RECOMMENDED_CURVE
) -> bytes:
    """e = SM3(Z_A || M), the value SM2 signs."""
    return bytes.fromhex(sm3_hex(sm2_z(public_key, user_id, curve) + message))


Point = tuple[int, int] | None
"""An affine point of the curve; None is the point at infinity."""


def _add(first: Point, second: Point, curve: Sm2Curve) -> Point:
    """Point addition on y^2 = x^3 + ax + b over GF(p)."""
    if first is None:
        return second
    if second is None:
        return first
    p = int(curve.p, 16)
    (x1, y1), (x2, y2) = first, second
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if first == second:
        slope = (3 * x1 * x1 + int(curve.a, 16)) * pow(2 * y1, -1, p) % p
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, p) % p
    x3 = (slope * slope - x1 - x2) % p
    return x3, (slope * (x1 - x3) - y1) % p


def _multiply(scalar: int, point: Point, curve: Sm2Curve) -> Point:
    """[scalar]point by double-and-add."""
    result: Point = None
    addend = point
    while scalar:
        if scalar & 1:
            result = _add(result, addend, curve)
        addend = _add(addend, addend, curve)
        scalar >>= 1
    return result


def _generator(curve: Sm2Curve) -> Point:
    return int(curve.gx, 16), int(curve.gy, 16)


def _point(public_key: str) -> tuple[int, int]:
    return int(public_key[:64], 16), int(public_key[64:], 16)


def _on_curve(point: tuple[int, int], curve: Sm2Curve) -> bool:
    p = int(curve.p, 16)
    x, y = point
    return (y * y - x * x * x - int(curve.a, 16) * x - int(curve.b, 16)) % p == 0


def sm2_public_key(private_key: str, curve: Sm2Curve = RECOMMENDED_CURVE) -> str:
    """x || y (128 hex digits) of the private key ``d``: [d]G."""
    point = _multiply(int(private_key, 16), _generator(curve), curve)
    assert point is not None  # d lies in [1, n - 2]
    return f"{point[0]:064X}{point[1]:064X}"


def sm2_sign(
    message: bytes,
    private_key: str,
    *,
    user_id: bytes = DEFAULT_SM2_USER_ID,
    curve: Sm2Curve = RECOMMENDED_CURVE,
    k: str | None = None,
) -> bytes:
    """r || s (64 bytes) over ``message`` (GB/T 32918.2, 6.1); ``k`` fixes the ephemeral
    key (test vectors only)."""
    n, d = int(curve.n, 16), int(private_key, 16)
    e = int.from_bytes(sm2_e(message, sm2_public_key(private_key, curve), user_id, curve), "big")
    while True:
        ephemeral = int(k, 16) if k is not None else secrets.randbelow(n - 1) + 1
        point = _multiply(ephemeral, _generator(curve), curve)
        assert point is not None
        r = (e + point[0]) % n
        s = pow(1 + d, -1, n) * (ephemeral - r * d) % n
        if r != 0 and r + ephemeral != n and s != 0:
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if k is not None:
            raise ValueError("the given k yields no SM2 signature")


def sm2_verify(
    message: bytes,
    signature: bytes,
    public_key: str,
    *,
    user_id: bytes = DEFAULT_SM2_USER_ID,
    curve: Sm2Curve = RECOMMENDED_CURVE,
) -> bool:
    """Whether ``signature`` (r || s) is ``public_key``'s over ``message`` (6.2)."""
    if len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    n = int(curve.n, 16)
    t = (r + s) % n
    if not (0 < r < n and 0 < s < n) or t == 0:
        return False
    e = int.from_bytes(sm2_e(message, public_key, user_id, curve), "big")
    point = _add(
        _multiply(s, _generator(curve), curve), _multiply(t, _point(public_key), curve), curve
    )
    return point is not None and (e + point[0]) % n == r


def _sm2_public_hex(text: str) -> str:
    digits = text.strip().upper()
    if len(digits) == 130 and digits.startswith("04"):
        digits = digits[2:]
    if len(digits) != 128:
        raise ValueError("an SM2 public key is 128 hex digits (x || y), optionally after 04")
    if not _on_curve(_point(digits), RECOMMENDED_CURVE):
        raise ValueError("the SM2 public key is not a point of the curve")
    return digits


def _sm2_private_hex(text: str) -> str:
    digits = text.strip().upper()
    if len(digits) != 64 or not 0 < int(digits, 16) < int(RECOMMENDED_CURVE.n, 16) - 1:
        raise ValueError("an SM2 private key is 64 hex digits, between 1 and n - 2")
    return digits


# --- Signers and verifiers ---------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """A private key with its algorithm and the id the peer knows it by."""

    algorithm: Algorithm
    key_id: str
    _key: str | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    def sign(self, message: bytes) -> bytes:
        key = self._key
        if isinstance(key, str):
            return sm2_sign(message, key)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(message, ec.ECDSA(hashes.SHA256()))
        return key.sign(message, _PSS, hashes.SHA256())

    def signed_headers(self, method: str, target: str, body: bytes) -> dict[str, str]:
        """The headers that sign one request, with a fresh timestamp and nonce."""
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        value = self.sign(canonical_bytes(self.algorithm, method, target, timestamp, nonce, body))
        return {
            HEADERS.algorithm: self.algorithm.value,
            HEADERS.key_id: self.key_id,
            HEADERS.timestamp: timestamp,
            HEADERS.nonce: nonce,
            HEADERS.value: base64.b64encode(value).decode(),
        }


@dataclass(frozen=True)
class Verifier:
    """A pinned public key of the peer, with its algorithm and key id."""

    algorithm: Algorithm
    key_id: str
    _key: str | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

    def verify(self, message: bytes, signature: bytes) -> bool:
        key = self._key
        if isinstance(key, str):
            return sm2_verify(message, signature, key)
        try:
            if isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            else:
                key.verify(signature, message, _PSS, hashes.SHA256())
        except InvalidSignature:
            return False
        return True


_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def private_key(algorithm: Algorithm | str, key_id: str, text: str, *, setting: str) -> Signer:
    """A signer from key text (hex for SM2, PEM otherwise); ``setting`` names it in errors."""
    chosen = _algorithm(algorithm, setting)
    try:
        if chosen is Algorithm.SM2_SM3:
            return Signer(chosen, key_id, _sm2_private_hex(text))
        loaded = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{setting}: not a {chosen.value} private key ({exc})") from exc
    if (
        chosen is Algorithm.ECDSA_P256_SHA256
        and isinstance(loaded, ec.EllipticCurvePrivateKey)
        and isinstance(loaded.curve, ec.SECP256R1)
    ):
        return Signer(chosen, key_id, loaded)
    if (
        chosen is Algorithm.RSA_PSS_SHA256
        and isinstance(loaded, rsa.RSAPrivateKey)
        and loaded.key_size >= 2048
    ):
        return Signer(chosen, key_id, loaded)
    raise ConfigurationError(f"{setting}: the key is not a {chosen.value} key (RSA: 2048 bits+)")


def public_key(algorithm: Algorithm | str, key_id: str, text: str, *, setting: str) -> Verifier:
    """A verifier from pinned key text (hex for SM2, PEM otherwise)."""
    chosen = _algorithm(algorithm, setting)
    try:
        if chosen is Algorithm.SM2_SM3:
            return Verifier(chosen, key_id, _sm2_public_hex(text))
        loaded = serialization.load_pem_public_key(text.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{setting}: not a {chosen.value} public key ({exc})") from exc
    if (
        chosen is Algorithm.ECDSA_P256_SHA256
        and isinstance(loaded, ec.EllipticCurvePublicKey)
        and isinstance(loaded.curve, ec.SECP256R1)
    ):
        return Verifier(chosen, key_id, loaded)
    if chosen is Algorithm.RSA_PSS_SHA256 and isinstance(loaded, rsa.RSAPublicKey):
        return Verifier(chosen, key_id, loaded)
    raise ConfigurationError(f"{setting}: the key is not a {chosen.value} public key")


def load_private_key(
    algorithm: Algorithm | str,
    key_id: str,
    *,
    key: str | None,
    key_file: str | None,
    setting: str,
) -> Signer:
    """The signer from ``key`` (resolved key text) or ``key_file`` (a path outside the
    repository, so that a key is never committed by mistake); exactly one of them."""
    if (key is None) == (key_file is None):
        raise ConfigurationError(f"{setting}: give private_key or private_key_file, not both")
    if key is not None:
        return private_key(algorithm, key_id, key, setting=f"{setting}.private_key")
    path = Path(str(key_file)).expanduser().resolve()
    if path.is_relative_to(REPOSITORY_ROOT):
        raise ConfigurationError(
            f"{setting}.private_key_file: {path} lies inside the repository; keep keys outside"
        )
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise ConfigurationError(f"{setting}.private_key_file: cannot read {path}: {exc}") from exc
    return private_key(algorithm, key_id, text, setting=f"{setting}.private_key_file")


def generate_key_pair(algorithm: Algorithm | str) -> tuple[str, str]:
    """A new (private, public) key pair as text: hex for SM2, PEM otherwise."""
    chosen = _algorithm(algorithm, "algorithm")
    if chosen is Algorithm.SM2_SM3:
        while True:
            digits = secrets.token_hex(32).upper()
            if 0 < int(digits, 16) < int(RECOMMENDED_CURVE.n, 16) - 1:
                return digits, sm2_public_key(digits)
    generated: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if chosen is Algorithm.ECDSA_P256_SHA256
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    private_pem = generated.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        generated.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def decode_signature(value: str) -> bytes | None:
    """The base64 signature of a header, or None when it is not base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _algorithm(name: Algorithm | str, setting: str) -> Algorithm:
    try:
        return Algorithm(name)
    except ValueError:
        known = ", ".join(member.value for member in Algorithm)
        raise ConfigurationError(f"{setting}: unknown algorithm {name!r}; known: {known}") from None
