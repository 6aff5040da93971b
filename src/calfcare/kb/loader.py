"""Read the knowledge files into one immutable, validated `KnowledgeBase`.

Errors name the file, the record and the field, so that a clinician editing YAML sees what
to fix without reading a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from calfcare.errors import KnowledgeBaseError
from calfcare.kb.rehab_schema import Exercise, PainModel, Programme
from calfcare.kb.safety_schema import CompanionCheck, PersonalAdvice, SafetyNet, SafetyNetEntry
from calfcare.kb.schema import (
    AlarmRule,
    Background,
    ConditionGuide,
    DiaryRules,
    Finding,
    LevelText,
    Likelihood,
    Policy,
    Prior,
    Product,
    Question,
    Reference,
    StartOption,
)

M = TypeVar("M", bound=BaseModel)
#: Records kept one per file, named after their id.
OneFile = TypeVar("OneFile", Exercise, Programme)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything calfcare knows, as typed records keyed by id."""

    findings: Mapping[str, Finding]
    guides: Mapping[str, ConditionGuide]
    references: Mapping[str, Reference]
    products: Mapping[str, Product]
    levels: Mapping[str, LevelText]
    priors: Mapping[str, Prior]
    backgrounds: Mapping[str, Background]
    likelihoods: tuple[Likelihood, ...]
    rules: tuple[AlarmRule, ...]
    questions: tuple[Question, ...]
    start_options: tuple[StartOption, ...]
    policy: Policy
    diary_rules: DiaryRules
    exercises: Mapping[str, Exercise]
    figures: Mapping[str, str]
    programmes: Mapping[str, Programme]
    pain_model: PainModel
    safety_net: Mapping[str, SafetyNetEntry]
    companion_checks: Mapping[str, CompanionCheck]
    companion_figures: Mapping[str, str]
    personal_advice: tuple[PersonalAdvice, ...]
    content_hash: str
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        """Conditions in a stable order: the order of the priors file."""
        return tuple(self.priors)


def _where(path: str, index: int | None, record: Mapping[str, Any] | None) -> str:
    rid = record.get("id") or record.get("condition") if isinstance(record, Mapping) else None
    parts = [path]
    if index is not None:
        parts.append(f"record {index + 1}" + (f" ({rid})" if rid else ""))
    return ", ".join(parts)


def _validate(model: type[M], raw: Any, path: str, index: int | None = None) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(record)"
            lines.append(f"{_where(path, index, raw)}: field {loc}: {err['msg']}")
        raise KnowledgeBaseError("\n".join(lines)) from None


def _records(
    model: type[M], data: Any, key: str, path: str
) -> list[M]:
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        raise KnowledgeBaseError(f"{path}: expected a top-level list called '{key}'")
    return [_validate(model, raw, path, i) for i, raw in enumerate(data[key])]


def _by_id(items: Iterable[M], path: str, attr: str = "id") -> dict[str, M]:
    out: dict[str, M] = {}
    for item in items:
        key = getattr(item, attr)
        if key in out:
            raise KnowledgeBaseError(f"{path}: duplicate id '{key}'")
        out[key] = item
    return out


class _Reader:
    """Reads files below the data root and remembers their bytes for the content hash."""

    def __init__(self, root: Traversable) -> None:
        self.root = root
        self.digest = hashlib.sha256()
        self.read: list[str] = []

    def node(self, rel: str) -> Traversable:
        node = self.root
        for part in rel.split("/"):
            node = node.joinpath(part)
        return node

    def text(self, rel: str) -> str:
        node = self.node(rel)
        try:
            raw = node.read_bytes()
        except (FileNotFoundError, OSError):
            raise KnowledgeBaseError(f"{rel}: file is missing") from None
        self.digest.update(rel.encode() + b"\0" + raw)
        self.read.append(rel)
        return raw.decode("utf-8")

    def yaml(self, rel: str) -> Any:
        try:
            return yaml.safe_load(self.text(rel))
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{rel}: not valid YAML: {exc}") from None

    def listdir(self, rel: str, suffix: str) -> list[str]:
        node = self.node(rel)
        if not node.is_dir():
            raise KnowledgeBaseError(f"{rel}: folder is missing")
        return sorted(f"{rel}/{c.name}" for c in node.iterdir() if c.name.endswith(suffix))

    def csv_rows(self, rel: str) -> list[dict[str, Any]]:
        rows = list(csv.DictReader(io.StringIO(self.text(rel))))
        out: list[dict[str, Any]] = []
        for row in rows:
            clean: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if k}
            refs = clean.get("references", "")
            clean["references"] = [r.strip() for r in refs.split(";") if r.strip()]
            if not clean.get("note"):
                clean.pop("note", None)
            out.append(clean)
        return out


def _one_per_file(r: _Reader, model: type[OneFile], folder: str) -> dict[str, OneFile]:
    """Records kept one per file, each file named after the record's id."""
    out: dict[str, OneFile] = {}
    for rel in r.listdir(folder, ".yaml"):
        item = _validate(model, r.yaml(rel), rel)
        ident = item.id
        if not rel.endswith(f"/{ident}.yaml"):
            raise KnowledgeBaseError(f"{rel}: file name must be the id '{ident}'")
        out[ident] = item
    return out


def _load(root: Traversable) -> KnowledgeBase:
    r = _Reader(root)
    findings = _by_id(_records(Finding, r.yaml("findings.yaml"), "findings", "findings.yaml"),
                      "findings.yaml")
    levels = _by_id(_records(LevelText, r.yaml("levels.yaml"), "levels", "levels.yaml"),
                    "levels.yaml")
    references: dict[str, Reference] = {}
    for rel in r.listdir("references", ".yaml"):
        for ref in _records(Reference, r.yaml(rel), "references", rel):
            if ref.id in references:
                raise KnowledgeBaseError(f"{rel}: reference id '{ref.id}' is defined twice")
            references[ref.id] = ref
    products = _by_id(_records(Product, r.yaml("products.yaml"), "products", "products.yaml"),
                      "products.yaml")
    guides: dict[str, ConditionGuide] = {}
    for rel in r.listdir("conditions", ".yaml"):
        guide = _validate(ConditionGuide, r.yaml(rel), rel)
        if not rel.endswith(f"/{guide.id}.yaml"):
            raise KnowledgeBaseError(f"{rel}: file name must be the condition id '{guide.id}'")
        guides[guide.id] = guide
    priors = _by_id(_records(Prior, r.yaml("model/priors.yaml"), "priors", "model/priors.yaml"),
                    "model/priors.yaml", attr="condition")
    backgrounds = _by_id(
        [_validate(Background, row, "model/backgrounds.csv", i)
         for i, row in enumerate(r.csv_rows("model/backgrounds.csv"))],
        "model/backgrounds.csv", attr="finding")
    likelihoods = tuple(
        _validate(Likelihood, row, "model/likelihoods.csv", i)
        for i, row in enumerate(r.csv_rows("model/likelihoods.csv")))
    rules = tuple(_records(AlarmRule, r.yaml("alarm_rules.yaml"), "rules", "alarm_rules.yaml"))
    qdata = r.yaml("questions.yaml")
    questions = tuple(_records(Question, qdata, "questions", "questions.yaml"))
    starts = tuple(_records(StartOption, qdata, "start_options", "questions.yaml"))
    policy = _validate(Policy, r.yaml("model/policy.yaml"), "model/policy.yaml")
    diary_rules = _validate(DiaryRules, r.yaml("diary_rules.yaml"), "diary_rules.yaml")
    _by_id(diary_rules.prompts, "diary_rules.yaml")
    exercises = _one_per_file(r, Exercise, "rehab/exercises")
    programmes = _one_per_file(r, Programme, "rehab/programmes")
    figures = {rel.rsplit("/", 1)[1][:-4]: r.text(rel)
               for rel in r.listdir("rehab/figures", ".svg")}
    pain_model = _validate(PainModel, r.yaml("rehab/pain_model.yaml"), "rehab/pain_model.yaml")
    net = _validate(SafetyNet, r.yaml("model/safety_net.yaml"), "model/safety_net.yaml")
    companions = _by_id(_records(CompanionCheck, r.yaml("companion_checks.yaml"), "checks",
                                 "companion_checks.yaml"), "companion_checks.yaml")
    advice = tuple(_records(PersonalAdvice, r.yaml("personal_advice.yaml"), "advice",
                            "personal_advice.yaml"))
    _by_id(advice, "personal_advice.yaml")
    companion_figures = {rel.rsplit("/", 1)[1][:-4]: r.text(rel)
                         for rel in r.listdir("figures", ".svg")}
    return KnowledgeBase(
        findings=findings, guides=guides, references=references, products=products,
        levels=levels, priors=priors, backgrounds=backgrounds, likelihoods=likelihoods,
        rules=rules, questions=questions, start_options=starts, policy=policy,
        diary_rules=diary_rules, exercises=exercises, figures=figures,
        programmes=programmes, pain_model=pain_model,
        safety_net=_by_id(net.conditions, "model/safety_net.yaml", attr="condition"),
        companion_checks=companions, companion_figures=companion_figures,
        personal_advice=advice,
        content_hash=r.digest.hexdigest()[:16], sources=tuple(r.read),
    )


def data_root() -> Traversable:
    """The knowledge files shipped inside the package."""
    return resources.files("calfcare.kb").joinpath("data")


def load_kb(path: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base (the shipped one unless `path` is given).

    Only file-level and schema validation happens here; `calfcare.kb.checks` proves the
    cross-file integrity (every reference resolves, every condition reachable...).
    """
    if path is None:
        return _default_kb()
    return _load(path)


@cache
def _default_kb() -> KnowledgeBase:
    return _load(data_root())
