"""JWT bearer tokens: HS256 with a local secret when embedded, an identity provider's JWKS in
production. Roles come from one claim (``VAULT_JWT_ROLES_CLAIM``, a list or a single string)."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import jwt
from jwt.types import Options

from vault.auth.roles import Principal, Role
from vault.config import Settings
from vault.errors import ConfigurationError, VaultError

ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]


class InvalidToken(VaultError):
    """No usable bearer token (HTTP 401). The message never echoes the token."""


class IdentityProviderUnavailable(VaultError):
    """The identity provider's keys cannot be fetched: a token cannot be judged (HTTP 503)."""


MIN_SECRET_BYTES = 32
MAX_USER = 128


def _secret_file(settings: Settings) -> Path:
    return settings.keys_dir / "jwt-secret"


def signing_secret(settings: Settings) -> bytes:
    """The HS256 secret: ``VAULT_JWT_SECRET``, else one generated once into the data directory."""
    if settings.jwt_secret is not None:
        secret = settings.jwt_secret.get_secret_value().encode()
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"VAULT_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes for HS256"
            )
        return secret
    path = _secret_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_urlsafe(48).encode())
    return path.read_bytes().strip()


def issue(settings: Settings, *, user: str, role: Role, ttl_seconds: int | None = None) -> str:
    """A signed token for ``user`` with one role (embedded mode's local identity provider)."""
    if settings.jwks_url:
        raise VaultError("tokens come from the identity provider when VAULT_JWKS_URL is set")
    if not user or len(user) > MAX_USER:
        raise VaultError(f"a user name of 1 to {MAX_USER} characters is required")
    if ttl_seconds is not None and ttl_seconds <= 0:
        raise VaultError("a token's lifetime must be a positive number of seconds")
    now = datetime.now(UTC)
    claims = {
        "sub": user,
        settings.jwt_roles_claim: [role.value],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now
        + timedelta(seconds=settings.token_ttl_seconds if ttl_seconds is None else ttl_seconds),
    }
    return jwt.encode(claims, signing_secret(settings), algorithm="HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)


def verify(settings: Settings, token: str) -> Principal:
    """The caller a token names, or InvalidToken. Unknown roles are ignored, not trusted."""
    options: Options = {"require": ["exp", "sub", "iss", "aud"]}
    try:
        if settings.jwks_url:
            key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=ASYMMETRIC,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options=options,
            )
        else:
            claims = jwt.decode(
                token,
                signing_secret(settings),
                algorithms=["HS256"],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options=options,
            )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except jwt.PyJWKClientConnectionError:
        raise IdentityProviderUnavailable(
            "the identity provider cannot be reached to check the token; try again"
        ) from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
        raise InvalidToken(f"the token is not valid: {type(error).__name__}") from None
    raw = claims.get(settings.jwt_roles_claim, [])
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    roles = frozenset(Role(r) for r in names if isinstance(r, str) and r in Role._value2member_map_)
    user = claims["sub"]
    if not isinstance(user, str) or not user or len(user) > MAX_USER:
        raise InvalidToken(f"the token's subject must be a user name of 1 to {MAX_USER} characters")
    return Principal(user=user, roles=roles)
