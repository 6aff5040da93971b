"""The symptom diary: a person's cramp episodes, training sessions and saved assessments.

The shells and the tests call the functions named here; the modules behind them each hold one
responsibility:

* `records`: the frozen dataclasses returned (never ORM rows) and the fields of each;
* `validation`: the checks of one record's values, whatever they came from;
* `crud`: creating, reading, changing and deleting, always filtered by the owner;
* `results`: keeping the assessment result a person was shown, and opening it again;
* `entry` and `command`: what a person types in their own units (the pages' forms, the
  command line);
* `insights`: patterns and doctor prompts (computed by `engine/insights.py`), and citations;
* `page`: everything the diary page shows, in one call;
* `overview` and `clinician`: what a clinician reads, only of the persons linked to them;
* `export`, `upload` and `importing`: the complete copy in JSON or CSV, and back.

Functions take a SQLAlchemy `Session` and keyword-only arguments; they flush but never commit,
so the caller's transaction holds the whole use case. Invalid input raises `FormError`, whose
`errors` name every bad field; another person's record is `NotFoundError`, exactly like one
that does not exist. Those that need the knowledge base take it (`kb`) from the caller.
"""

from calfcare.services.diary.clinician import linked_diary, linked_overview, linked_person
from calfcare.services.diary.command import LoggedEpisode, log_episode
from calfcare.services.diary.crud import (
    create_episode,
    create_training,
    delete_assessment,
    delete_episode,
    delete_training,
    get_assessment,
    get_episode,
    get_training,
    list_assessments,
    list_episodes,
    list_training,
    person_by_email,
    save_assessment,
    update_episode,
    update_training,
)
from calfcare.services.diary.entry import (
    EPISODE_FORM,
    TRAINING_FORM,
    episode_form,
    new_episode_form,
    new_training_form,
    save_episode_form,
    save_training_form,
    training_form,
)
from calfcare.services.diary.export import (
    CSV_FILES,
    FORMAT,
    ExportFile,
    export_bundle,
    export_csv,
    export_file,
    export_json,
)
from calfcare.services.diary.importing import import_csv, import_file, import_json
from calfcare.services.diary.insights import citation, insights
from calfcare.services.diary.overview import clinician_overview
from calfcare.services.diary.page import DiaryPage, read_diary
from calfcare.services.diary.records import (
    ACTIVITIES,
    ASSESSMENT_COLUMNS,
    EPISODE_COLUMNS,
    TRAINING_ACTIVITIES,
    TRAINING_COLUMNS,
    AssessmentRecord,
    EpisodeRecord,
    FlaggedEpisode,
    ImportResult,
    Person,
    PersonOverview,
    TrainingRecord,
)
from calfcare.services.diary.results import (
    PreparedResult,
    ReopenedResult,
    keep_result,
    linked_result,
    open_result,
    prepare_result,
    save_result,
)

__all__ = [
    "ACTIVITIES",
    "ASSESSMENT_COLUMNS",
    "CSV_FILES",
    "EPISODE_COLUMNS",
    "EPISODE_FORM",
    "FORMAT",
    "TRAINING_ACTIVITIES",
    "TRAINING_COLUMNS",
    "TRAINING_FORM",
    "AssessmentRecord",
    "DiaryPage",
    "EpisodeRecord",
    "ExportFile",
    "FlaggedEpisode",
    "ImportResult",
    "LoggedEpisode",
    "Person",
    "PersonOverview",
    "PreparedResult",
    "ReopenedResult",
    "TrainingRecord",
    "citation",
    "clinician_overview",
    "create_episode",
    "create_training",
    "delete_assessment",
    "delete_episode",
    "delete_training",
    "episode_form",
    "export_bundle",
    "export_csv",
    "export_file",
    "export_json",
    "get_assessment",
    "get_episode",
    "get_training",
    "import_csv",
    "import_file",
    "import_json",
    "insights",
    "keep_result",
    "linked_diary",
    "linked_overview",
    "linked_person",
    "linked_result",
    "list_assessments",
    "list_episodes",
    "list_training",
    "log_episode",
    "new_episode_form",
    "new_training_form",
    "open_result",
    "person_by_email",
    "prepare_result",
    "read_diary",
    "save_assessment",
    "save_episode_form",
    "save_result",
    "save_training_form",
    "training_form",
    "update_episode",
    "update_training",
]
