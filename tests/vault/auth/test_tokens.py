"""Bearer tokens: the embedded HS256 issuer, and verification locally or against a JWKS.

The JWKS tests run a real HTTP server on 127.0.0.1 (``http.server`` in a thread) that serves
the public half of an RSA key generated here, so the production path is exercised over a
real connection, with no identity provider.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from jwt.types import Options
from pydantic import SecretStr

from vault.auth import tokens
from vault.auth.roles import Principal, Role
from vault.config import Settings
from vault.errors import VaultError

OTHER_SECRET = b"another-deployment's-secret-which-is-long-enough-for-hs256-0123456789"
DROP = object()  # a claim to leave out


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Embedded settings in a fresh data directory, untouched by the caller's environment."""
    for name in list(os.environ):
        if name.startswith("VAULT_"):
            monkeypatch.delenv(name)
    return Settings(data_dir=tmp_path / "data")


def claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "sub": "ayse",
        settings.jwt_roles_claim: ["qa"],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
    }
    for name, value in overrides.items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _json_claims(body: dict[str, Any]) -> bytes:
    plain = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in body.items()}
    return json.dumps(plain).encode()


def forge(header: dict[str, Any], body: dict[str, Any], secret: bytes | None) -> str:
    """A token assembled by hand: HS256 over any secret (even a PEM), or unsigned."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(_json_claims(body))}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def local_token(settings: Settings, **overrides: Any) -> str:
    return jwt.encode(claims(settings, **overrides), tokens.signing_secret(settings), "HS256")


# Issuing (embedded mode).


@pytest.mark.parametrize("role", list(Role))
def test_issue_and_verify_round_trip(local: Settings, role: Role) -> None:
    token = tokens.issue(local, user="ayse", role=role)
    assert tokens.verify(local, token) == Principal(user="ayse", roles=frozenset({role}))


def test_issue_honours_the_lifetime(local: Settings) -> None:
    unverified: Options = {"verify_signature": False}
    short = jwt.decode(
        tokens.issue(local, user="u", role=Role.QA, ttl_seconds=60), options=unverified
    )
    default = jwt.decode(tokens.issue(local, user="u", role=Role.QA), options=unverified)
    assert short["exp"] - short["iat"] == 60
    assert default["exp"] - default["iat"] == local.token_ttl_seconds
    assert short["iss"] == local.jwt_issuer
    assert short["aud"] == local.jwt_audience
    assert short["roles"] == ["qa"]


@pytest.mark.parametrize("user", ["", "x" * 129])
def test_issue_refuses_a_bad_user_name(local: Settings, user: str) -> None:
    with pytest.raises(VaultError, match="user name"):
        tokens.issue(local, user=user, role=Role.QA)


def test_issue_accepts_the_longest_user_name(local: Settings) -> None:
    token = tokens.issue(local, user="x" * 128, role=Role.QA)
    assert tokens.verify(local, token).user == "x" * 128


def test_issue_refuses_when_an_identity_provider_is_configured(local: Settings) -> None:
    settings = local.model_copy(update={"jwks_url": "http://127.0.0.1:9/jwks.json"})
    with pytest.raises(VaultError, match="identity provider"):
        tokens.issue(settings, user="ayse", role=Role.QA)


def test_generated_secret_is_private_and_stable(local: Settings) -> None:
    first = tokens.signing_secret(local)
    path = local.keys_dir / "jwt-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert tokens.signing_secret(local) == first
    token = tokens.issue(local, user="ayse", role=Role.QA)
    # A second process reading the same data directory accepts the token.
    again = Settings(data_dir=local.data_dir)
    assert tokens.verify(again, token).user == "ayse"


def test_configured_secret_wins_over_the_generated_one(local: Settings) -> None:
    secret = "a-configured-secret-of-plenty-of-characters-0123456789"
    settings = local.model_copy(update={"jwt_secret": SecretStr(secret)})
    token = tokens.issue(settings, user="ayse", role=Role.QA)
    assert jwt.decode(token, secret, algorithms=["HS256"], audience=settings.jwt_audience)
    assert not (settings.keys_dir / "jwt-secret").exists()


def test_a_token_from_another_data_directory_is_refused(local: Settings, tmp_path: Path) -> None:
    elsewhere = Settings(data_dir=tmp_path / "elsewhere")
    token = tokens.issue(elsewhere, user="ayse", role=Role.ADMIN)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(local, token)


# Verifying (embedded mode): what is refused.

# Generated once: RSA key generation is the slow part of these tests.
_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_PAST = datetime.now(UTC) - timedelta(hours=2)
_FUTURE = datetime.now(UTC) + timedelta(hours=2)

Maker = Callable[[Settings], str]

REFUSED: list[tuple[str, Maker, str]] = [
    ("expired", lambda s: local_token(s, iat=_PAST, nbf=_PAST, exp=_PAST), "expired"),
    ("not yet valid", lambda s: local_token(s, nbf=_FUTURE), "ImmatureSignature"),
    ("wrong issuer", lambda s: local_token(s, iss="someone-else"), "InvalidIssuer"),
    ("wrong audience", lambda s: local_token(s, aud="another-app"), "InvalidAudience"),
    ("audience list without ours", lambda s: local_token(s, aud=["x", "y"]), "InvalidAudience"),
    ("no expiry", lambda s: local_token(s, exp=DROP), "MissingRequiredClaim"),
    ("no subject", lambda s: local_token(s, sub=DROP), "MissingRequiredClaim"),
    ("no issuer", lambda s: local_token(s, iss=DROP), "MissingRequiredClaim"),
    ("no audience", lambda s: local_token(s, aud=DROP), "MissingRequiredClaim"),
    ("empty subject", lambda s: local_token(s, sub=""), "subject must be a user name"),
    ("overlong subject", lambda s: local_token(s, sub="u" * 129), "1 to 128 characters"),
    ("numeric subject", lambda s: local_token(s, sub=42), "not valid"),
    (
        "another secret",
        lambda s: jwt.encode(claims(s), OTHER_SECRET, "HS256"),
        "InvalidSignature",
    ),
    (
        "HS512 with our secret",
        lambda s: jwt.encode(claims(s), tokens.signing_secret(s), "HS512"),
        "InvalidAlgorithm",
    ),
    (
        "alg none",
        lambda s: forge({"alg": "none", "typ": "JWT"}, claims(s), None),
        "not valid",
    ),
    (
        "alg None, signed anyway",
        lambda s: forge({"alg": "None", "typ": "JWT"}, claims(s), tokens.signing_secret(s)),
        "not valid",
    ),
    (
        "RS256 in embedded mode",
        lambda s: jwt.encode(claims(s), _RSA_KEY, "RS256"),
        "InvalidAlgorithm",
    ),
    ("garbage", lambda s: "not-a-token", "DecodeError"),
    ("three garbage parts", lambda s: "a.b.c", "DecodeError"),
    ("empty", lambda s: "", "DecodeError"),
    (
        "payload not an object",
        lambda s: forge({"alg": "HS256"}, {}, tokens.signing_secret(s)).replace(
            "e30", _b64(b'["qa"]')
        ),
        "not valid",
    ),
]


@pytest.mark.parametrize(("make", "why"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_verify_refuses(local: Settings, make: Maker, why: str) -> None:
    token = make(local)
    with pytest.raises(tokens.InvalidToken) as caught:
        tokens.verify(local, token)
    assert why in str(caught.value)
    if token:
        assert token not in str(caught.value)


def test_a_valid_token_with_a_leeway_free_clock_is_accepted(local: Settings) -> None:
    # The positive twin of the rows above: every claim present and current.
    assert tokens.verify(local, local_token(local)).user == "ayse"


# Roles: one claim, a list or a single string; roles the vault does not know are ignored.

ROLES: list[tuple[str, object, frozenset[Role]]] = [
    ("list of one", ["qa"], frozenset({Role.QA})),
    ("a single string", "auditor", frozenset({Role.AUDITOR})),
    ("list of two", ["agent", "rights_officer"], frozenset({Role.AGENT, Role.RIGHTS_OFFICER})),
    ("duplicates", ["qa", "qa"], frozenset({Role.QA})),
    ("every role", [r.value for r in Role], frozenset(Role)),
    ("unknown next to known", ["qa", "root"], frozenset({Role.QA})),
    ("only unknown", ["root", "superuser"], frozenset()),
    ("unknown string", "root", frozenset()),
    ("case differs", ["QA", "Admin"], frozenset()),
    ("padded", [" qa"], frozenset()),
    ("empty list", [], frozenset()),
    ("empty string", "", frozenset()),
    ("a number", 7, frozenset()),
    ("an object", {"qa": True}, frozenset()),
    ("null", None, frozenset()),
    ("non-strings in the list", [1, None, ["qa"], "qa"], frozenset({Role.QA})),
    ("claim missing", DROP, frozenset()),
]


@pytest.mark.parametrize(("value", "expected"), [r[1:] for r in ROLES], ids=[r[0] for r in ROLES])
def test_roles_claim(local: Settings, value: object, expected: frozenset[Role]) -> None:
    token = local_token(local, roles=value)
    assert tokens.verify(local, token) == Principal(user="ayse", roles=expected)


def test_roles_come_from_the_configured_claim(local: Settings) -> None:
    settings = local.model_copy(update={"jwt_roles_claim": "vault_roles"})
    token = local_token(settings, roles=["admin"], vault_roles=["auditor"])
    assert tokens.verify(settings, token).roles == frozenset({Role.AUDITOR})
    issued = tokens.issue(settings, user="ayse", role=Role.QA)
    assert tokens.verify(settings, issued).roles == frozenset({Role.QA})


# Production mode: keys from a JWKS served over real HTTP on 127.0.0.1.


@dataclass
class Jwks:
    url: str
    kid: str
    key: rsa.RSAPrivateKey
    hits: list[str]


@pytest.fixture
def jwks(local: Settings) -> Iterator[Jwks]:
    jwk = json.loads(RSAAlgorithm.to_jwk(_RSA_KEY.public_key()))
    jwk.update(kid="signing-1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path != "/.well-known/jwks.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield Jwks(f"http://127.0.0.1:{port}/.well-known/jwks.json", "signing-1", _RSA_KEY, hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        tokens._jwks_client.cache_clear()


@pytest.fixture
def production(local: Settings, jwks: Jwks) -> Settings:
    return local.model_copy(
        update={"jwks_url": jwks.url, "jwt_issuer": "https://idp.example", "jwt_audience": "vault"}
    )


def rs256(settings: Settings, key: rsa.RSAPrivateKey, kid: str | None, **overrides: Any) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims(settings, **overrides), key, "RS256", headers=headers)


def test_jwks_token_is_accepted(production: Settings, jwks: Jwks) -> None:
    token = rs256(production, jwks.key, jwks.kid, roles="rights_officer")
    assert tokens.verify(production, token) == Principal(
        user="ayse", roles=frozenset({Role.RIGHTS_OFFICER})
    )
    assert jwks.hits == ["/.well-known/jwks.json"]


def test_jwks_keys_are_cached(production: Settings, jwks: Jwks) -> None:
    for user in ("ayse", "mehmet", "zeynep"):
        token = rs256(production, jwks.key, jwks.kid, sub=user)
        assert tokens.verify(production, token).user == user
    assert len(jwks.hits) == 1


_OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_PUBLIC_PEM = _RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)

JwksMaker = Callable[[Settings, Jwks], str]

JWKS_REFUSED: list[tuple[str, JwksMaker]] = [
    ("unknown kid", lambda s, j: rs256(s, j.key, "rotated-away")),
    ("no kid", lambda s, j: rs256(s, j.key, None)),
    ("another key under our kid", lambda s, j: rs256(s, _OTHER_RSA_KEY, j.kid)),
    (
        "HS256 keyed with the public key (alg confusion)",
        lambda s, j: forge({"alg": "HS256", "typ": "JWT", "kid": j.kid}, claims(s), _PUBLIC_PEM),
    ),
    (
        "HS256 keyed with the embedded secret",
        lambda s, j: forge(
            {"alg": "HS256", "typ": "JWT", "kid": j.kid}, claims(s), tokens.signing_secret(s)
        ),
    ),
    ("alg none", lambda s, j: forge({"alg": "none", "typ": "JWT", "kid": j.kid}, claims(s), None)),
    ("expired", lambda s, j: rs256(s, j.key, j.kid, iat=_PAST, nbf=_PAST, exp=_PAST)),
    ("wrong issuer", lambda s, j: rs256(s, j.key, j.kid, iss="https://evil.example")),
    ("wrong audience", lambda s, j: rs256(s, j.key, j.kid, aud="call-vault")),
    ("no expiry", lambda s, j: rs256(s, j.key, j.kid, exp=DROP)),
]


@pytest.mark.parametrize("make", [r[1] for r in JWKS_REFUSED], ids=[r[0] for r in JWKS_REFUSED])
def test_jwks_verify_refuses(production: Settings, jwks: Jwks, make: JwksMaker) -> None:
    token = make(production, jwks)
    with pytest.raises(tokens.InvalidToken) as caught:
        tokens.verify(production, token)
    assert token not in str(caught.value)


def test_unknown_kids_do_not_hammer_the_identity_provider(production: Settings, jwks: Jwks) -> None:
    tokens.verify(production, rs256(production, jwks.key, jwks.kid))
    for n in range(5):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(production, rs256(production, jwks.key, f"made-up-{n}"))
    # At most one refresh looking for a new kid, not one fetch per forged token.
    assert len(jwks.hits) <= 2


def test_embedded_tokens_are_refused_in_production(local: Settings, production: Settings) -> None:
    token = tokens.issue(local, user="ayse", role=Role.ADMIN)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(production.model_copy(update={"jwt_issuer": local.jwt_issuer}), token)


def test_an_unreachable_identity_provider_is_unavailable_not_unauthorised(
    local: Settings,
) -> None:
    """A token that cannot be checked is not a bad token: the caller should retry (503)."""
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as probe:
        port = probe.server_address[1]  # bound, then closed: nothing listens there any more
    settings = local.model_copy(update={"jwks_url": f"http://127.0.0.1:{port}/jwks.json"})
    try:
        with pytest.raises(tokens.IdentityProviderUnavailable):
            tokens.verify(settings, rs256(settings, _RSA_KEY, "signing-1"))
    finally:
        tokens._jwks_client.cache_clear()
