"""Search over redacted transcripts, for the quality team (and agents over their own calls)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from api.deps import DbSession, SearchAccess
from models.schemas import Speaker
from vault.errors import InvalidInput
from vault.redaction.types import EntityType
from vault.search import service as search
from vault.search.schemas import MAX_LIMIT, SearchFilters, SearchPage, Sort

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchPage, summary="Search redacted transcripts")
def search_transcripts(
    access: SearchAccess,
    session: DbSession,
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
) -> SearchPage:
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
        raise InvalidInput(f"invalid search filters: {problems}") from None
    return search.search(
        session,
        query=q,
        agent_id=access.own_agent,
        filters=filters,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
