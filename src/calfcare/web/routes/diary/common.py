"""What every part of the diary shares: dependencies, notices and the ownership check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Query
from sqlalchemy.orm import Session

from calfcare.errors import NotFoundError
from calfcare.web.context import WebContext, get_ctx, get_db

Ctx = Annotated[WebContext, Depends(get_ctx)]
Db = Annotated[Session, Depends(get_db, scope="function")]
#: The last page of a diary that can be asked for (five million episodes).
MAX_PAGE = 100_000
#: A page number of the diary list: 1 to MAX_PAGE, anything else is a 422 naming `page`.
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of the diary, from 1")]

#: What the diary page says after a change (its `done` parameter names the change).
NOTICES = {
    "episode_added": "The episode has been added to your diary.",
    "episode_saved": "The episode has been changed.",
    "episode_deleted": "The episode has been deleted.",
    "session_added": "The training session has been added to your diary.",
    "session_saved": "The training session has been changed.",
    "session_deleted": "The training session has been deleted.",
    "assessment_deleted": "The saved result has been deleted.",
}

T = TypeVar("T")


def own(action: Callable[..., T], db: Session, **kwargs: Any) -> T:
    """Run a service call on one of the owner's records; someone else's is a 404."""
    try:
        return action(db, **kwargs)
    except NotFoundError:
        raise HTTPException(status_code=404) from None
