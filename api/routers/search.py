"""Search over redacted transcripts, for the quality team (and agents over their own calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError

from api.access import Access, Gate
from api.deps import DbSession, VaultDep
from models.schemas import Speaker
from vault.auth.policy import Action
from vault.errors import InvalidInput
from vault.redaction.types import EntityType
from vault.search import audit as search_audit
from vault.search import service as search
from vault.search.schemas import MAX_LIMIT, SearchFilters, SearchPage, Sort

router = APIRouter(tags=["search"])


@dataclass(frozen=True)
class SearchRequest:
    """An allowed search, its access audited with the query redacted."""

    access: Access
    query: str
    filters: SearchFilters
    sort: Sort
    cursor: str | None
    limit: int


def _gate(request: Request, vault: VaultDep) -> Gate:
    # Authenticated and authorised before the parameters are read (a caller without a token
    # is refused as such); the allowed entry waits for them, to carry the redacted query.
    gate = Gate(request, vault, action=Action.SEARCH, resource_type="recording")
    gate.authorise()
    gate.require_purpose()
    return gate


def search_request(
    gate: Annotated[Gate, Depends(_gate)],
    q: Annotated[str, Query(max_length=500, description='words, "phrases", prefix*, OR, NOT')] = "",
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    agent_id: Annotated[str | None, Query(max_length=128)] = None,
    language: Annotated[str | None, Query(pattern="^[a-z]{2}$")] = None,
    min_duration: Annotated[float | None, Query(ge=0)] = None,
    max_duration: Annotated[float | None, Query(ge=0)] = None,
    speaker: Speaker | None = None,
    entity: Annotated[list[EntityType] | None, Query(description="calls holding these")] = None,
    sort: Sort = "relevance",
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> SearchRequest:
    try:
        filters = SearchFilters(
            started_from=started_from,
            started_to=started_to,
            agent_id=agent_id,
            language=language,
            min_duration=min_duration,
            max_duration=max_duration,
            speaker=speaker,
            entity_types=entity or [],
        )
    except ValidationError as error:
        problems = "; ".join(e["msg"] for e in error.errors(include_input=False))
        gate.write("error", "invalid_input")
        raise InvalidInput(f"invalid search filters: {problems}") from None
    gate.detail = search_audit.describe(query=q, filters=filters, sort=sort)
    return SearchRequest(gate.allow(), q, filters, sort, cursor, limit)


SearchRequestDep = Annotated[SearchRequest, Depends(search_request)]


@router.get("/search", response_model=SearchPage, summary="Search redacted transcripts")
def search_transcripts(
    request: SearchRequestDep, session: DbSession, vault: VaultDep
) -> SearchPage:
    return search.search(
        session,
        query=request.query,
        agent_id=request.access.own_agent,
        filters=request.filters,
        sort=request.sort,
        cursor=request.cursor,
        limit=request.limit,
        window=vault.settings.search_relevance_window,
    )
