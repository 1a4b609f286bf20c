"""What a search takes and gives back: filters, hits with highlighted snippets, a page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from models.schemas import Speaker
from vault.redaction.types import EntityType

Sort = Literal["relevance", "date"]
"""``relevance``: best match first among the newest matches (``RELEVANCE_WINDOW`` of them);
``date``: the newest call first, over every match."""

RELEVANCE_WINDOW = 500
"""Relevance ranks at most this many matches, the newest by ``started_at``, unless told otherwise
(``VAULT_SEARCH_RELEVANCE_WINDOW``): a broad query costs the same at any size of index, rather
than scoring every call that says "fatura". Ranking a match costs a few microseconds (reading
its terms again), so at this size it costs no more than the rest of a search: parsing,
reading the page, cutting its snippets."""

MAX_LIMIT = 100


class SearchFilters(BaseModel):
    """Conditions every hit meets, on top of the query text.

    ``speaker`` narrows the query's words (and the entity types) to what that side of the call
    said: ``speaker=customer`` with ``iptal`` finds calls where the *customer* asked to cancel.
    Without query words it keeps the calls where that speaker is heard at all. Mono recordings
    have one ``mixed`` speaker.

    ``entity_types`` keeps the calls whose redacted transcript holds a tag of each listed type
    ("calls where a card number was given").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    started_from: AwareDatetime | None = Field(default=None, description="inclusive")
    started_to: AwareDatetime | None = Field(default=None, description="exclusive")
    agent_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None
    min_duration: Annotated[float, Field(ge=0)] | None = Field(default=None, description="seconds")
    max_duration: Annotated[float, Field(ge=0)] | None = Field(default=None, description="seconds")
    speaker: Speaker | None = None
    entity_types: Annotated[list[EntityType], Field(max_length=len(EntityType))] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        if (
            self.started_from is not None
            and self.started_to is not None
            and self.started_from >= self.started_to
        ):
            raise ValueError("started_from must come before started_to")
        if (
            self.min_duration is not None
            and self.max_duration is not None
            and self.min_duration > self.max_duration
        ):
            raise ValueError("min_duration must not exceed max_duration")
        return self


class SearchSnippet(BaseModel):
    """One segment where the query matched: ``html`` is escaped text with ``<mark>`` around hits.

    ``start`` is the segment's start, in seconds from the start of the call: where a player
    jumps to in the redacted audio.
    """

    start: float
    end: float
    speaker: Speaker
    html: str


class SearchHit(BaseModel):
    recording_id: str
    call_id: str
    agent_id: str
    started_at: datetime
    language: str | None
    duration_seconds: float
    speakers: list[Speaker]
    entity_types: list[str]
    score: float | None = Field(
        description="relevance, higher is better; none when sorted by date or without words"
    )
    snippets: list[SearchSnippet] = Field(
        description="the first segments with a hit (at most three), in the order of the call"
    )


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
    ranked_within: int | None = Field(
        default=None,
        description=(
            "under relevance sorting, the most matches ranked: only the newest this many (by "
            "started_at) are ranked and paged, best first; older matches are "
            "left out, so narrow the query or its dates, or sort by date, to reach them. None "
            "when hits come by date, which covers every match"
        ),
    )
