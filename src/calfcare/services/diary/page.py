"""Everything the diary page shows, read in one call: a page of episodes, the latest sessions
and saved results, and the insights with their doctor prompts.

The same page serves the person and, read-only, a clinician they are linked to; the shells
only render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from calfcare.engine.insights import Insights
from calfcare.kb.loader import KnowledgeBase
from calfcare.services.diary.crud import list_assessments, list_episodes, list_training
from calfcare.services.diary.insights import insights
from calfcare.services.diary.records import AssessmentRecord, EpisodeRecord, TrainingRecord

PAGE_SIZE = 50
SESSIONS_SHOWN = 50
ASSESSMENTS_SHOWN = 10


@dataclass(frozen=True)
class DiaryPage:
    """One page of a diary, newest first (`page` counts from 1)."""

    page: int
    episodes: tuple[EpisodeRecord, ...]
    has_next: bool
    sessions: tuple[TrainingRecord, ...]
    assessments: tuple[AssessmentRecord, ...]
    insights: Insights

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prompted(self) -> frozenset[str]:
        """The ids of the episodes behind a doctor prompt, so that a list can mark them."""
        return frozenset(i for p in self.insights.prompts for i in p.episode_ids)


def read_diary(
    session: Session, *, owner_id: str, page: int, now: datetime, tz: tzinfo, kb: KnowledgeBase
) -> DiaryPage:
    """Page `page` of the owner's diary (a page below 1 reads as the first); times in `tz`."""
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    episodes = list_episodes(session, owner_id=owner_id, limit=PAGE_SIZE + 1, offset=offset)
    return DiaryPage(
        page=page,
        episodes=tuple(episodes[:PAGE_SIZE]),
        has_next=len(episodes) > PAGE_SIZE,
        sessions=tuple(list_training(session, owner_id=owner_id, limit=SESSIONS_SHOWN)),
        assessments=tuple(list_assessments(session, owner_id=owner_id, limit=ASSESSMENTS_SHOWN)),
        insights=insights(session, owner_id=owner_id, now=now, tz=tz, kb=kb),
    )
