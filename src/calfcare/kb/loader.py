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
from calfcare.kb.diary_schema import DiaryRules
from calfcare.kb.interop_schema import InteropCodes
from calfcare.kb.model_schema import Contract, WellsScore
from calfcare.kb.prevention_schema import Prevention
from calfcare.kb.rehab_ids import PublishedIds, RehabIds, Renames
from calfcare.kb.rehab_schema import Exercise, PainModel, Programme, TestProtocol
from calfcare.kb.safety_schema import CompanionCheck, PersonalAdvice, SafetyNet, SafetyNetEntry
from calfcare.kb.schema import (
    AlarmRule,
    Background,
    ConditionGuide,
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
    rehab_tests: Mapping[str, TestProtocol]
    rehab_ids: RehabIds
    safety_net: Mapping[str, SafetyNetEntry]
    companion_checks: Mapping[str, CompanionCheck]
    companion_figures: Mapping[str, str]
    personal_advice: tuple[PersonalAdvice, ...]
    wells: WellsScore
    contract: Contract
    prevention: Prevention
    interop: InteropCodes
    content_hash: str
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        """Conditions in a stable order: the order of the priors file."""
        return tuple(self.priors)

    @property
    def min_supported_age(self) -> int:
        """The youngest age, in whole years, that the web pages and the HTTP API assess
        (`contract.yaml`); younger children are told to see a clinician instead."""
        return self.contract.min_supported_age


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


def _records(model: type[M], data: Any, key: str, path: str) -> list[M]:
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


def _by_file(r: _Reader, folder: str, model: type[M], key: str) -> dict[str, M]:
    """Records of several files of one folder, each id defined once across them."""
    out: dict[str, M] = {}
    for rel in r.listdir(folder, ".yaml"):
        for record in _records(model, r.yaml(rel), key, rel):
            ident = getattr(record, "id")  # noqa: B009  (every such record has an id)
            if ident in out:
                raise KnowledgeBaseError(f"{rel}: {key[:-1]} id '{ident}' is defined twice")
            out[ident] = record
    return out


def _guides(r: _Reader) -> dict[str, ConditionGuide]:
    guides: dict[str, ConditionGuide] = {}
    for rel in r.listdir("conditions", ".yaml"):
        guide = _validate(ConditionGuide, r.yaml(rel), rel)
        if not rel.endswith(f"/{guide.id}.yaml"):
            raise KnowledgeBaseError(f"{rel}: file name must be the condition id '{guide.id}'")
        guides[guide.id] = guide
    return guides


def _content(r: _Reader) -> dict[str, Any]:
    """The vocabulary, the levels, the sources, the kit and the condition guides."""
    return {
        "findings": _by_id(
            _records(Finding, r.yaml("findings.yaml"), "findings", "findings.yaml"), "findings.yaml"
        ),
        "levels": _by_id(
            _records(LevelText, r.yaml("levels.yaml"), "levels", "levels.yaml"), "levels.yaml"
        ),
        "references": _by_file(r, "references", Reference, "references"),
        "products": _by_id(
            _records(Product, r.yaml("products.yaml"), "products", "products.yaml"), "products.yaml"
        ),
        "guides": _guides(r),
    }


def _model(r: _Reader) -> dict[str, Any]:
    """The probability model, the safety rules, the interview and the policy."""
    qdata = r.yaml("questions.yaml")
    return {
        "priors": _by_id(
            _records(Prior, r.yaml("model/priors.yaml"), "priors", "model/priors.yaml"),
            "model/priors.yaml",
            attr="condition",
        ),
        "backgrounds": _by_id(
            [
                _validate(Background, row, "model/backgrounds.csv", i)
                for i, row in enumerate(r.csv_rows("model/backgrounds.csv"))
            ],
            "model/backgrounds.csv",
            attr="finding",
        ),
        "likelihoods": tuple(
            _validate(Likelihood, row, "model/likelihoods.csv", i)
            for i, row in enumerate(r.csv_rows("model/likelihoods.csv"))
        ),
        "rules": tuple(
            _records(AlarmRule, r.yaml("alarm_rules.yaml"), "rules", "alarm_rules.yaml")
        ),
        "questions": tuple(_records(Question, qdata, "questions", "questions.yaml")),
        "start_options": tuple(_records(StartOption, qdata, "start_options", "questions.yaml")),
        "policy": _validate(Policy, r.yaml("model/policy.yaml"), "model/policy.yaml"),
    }


def _diary_and_rehab(r: _Reader) -> dict[str, Any]:
    diary_rules = _validate(DiaryRules, r.yaml("diary_rules.yaml"), "diary_rules.yaml")
    _by_id(diary_rules.prompts, "diary_rules.yaml")
    return {
        "diary_rules": diary_rules,
        "exercises": _one_per_file(r, Exercise, "rehab/exercises"),
        "programmes": _one_per_file(r, Programme, "rehab/programmes"),
        "figures": _svgs(r, "rehab/figures"),
        "pain_model": _validate(
            PainModel, r.yaml("rehab/pain_model.yaml"), "rehab/pain_model.yaml"
        ),
        "rehab_tests": _by_id(
            _records(TestProtocol, r.yaml("rehab/tests.yaml"), "tests", "rehab/tests.yaml"),
            "rehab/tests.yaml",
            attr="kind",
        ),
        "rehab_ids": RehabIds(
            published=_validate(
                PublishedIds, r.yaml("rehab/published_ids.yaml"), "rehab/published_ids.yaml"
            ),
            renames=_validate(Renames, r.yaml("rehab/renames.yaml"), "rehab/renames.yaml"),
        ),
    }


def _safety(r: _Reader) -> dict[str, Any]:
    """The can't-miss safety net, companion checks, personal advice, Wells, the contract, and
    the confirmed terminology codes of exports."""
    net = _validate(SafetyNet, r.yaml("model/safety_net.yaml"), "model/safety_net.yaml")
    advice = tuple(
        _records(PersonalAdvice, r.yaml("personal_advice.yaml"), "advice", "personal_advice.yaml")
    )
    _by_id(advice, "personal_advice.yaml")
    return {
        "safety_net": _by_id(net.conditions, "model/safety_net.yaml", attr="condition"),
        "companion_checks": _by_id(
            _records(
                CompanionCheck, r.yaml("companion_checks.yaml"), "checks", "companion_checks.yaml"
            ),
            "companion_checks.yaml",
        ),
        "personal_advice": advice,
        "companion_figures": _svgs(r, "figures"),
        "wells": _validate(WellsScore, r.yaml("model/wells.yaml"), "model/wells.yaml"),
        "contract": _validate(Contract, r.yaml("contract.yaml"), "contract.yaml"),
        "interop": _validate(InteropCodes, r.yaml("interop/codes.yaml"), "interop/codes.yaml"),
    }


def _prevention(r: _Reader) -> dict[str, Any]:
    """The numbers of sweat tests and session plans, one file per part, as one record."""
    fluid = r.yaml("prevention/fluid.yaml")
    risk = r.yaml("prevention/risk.yaml")
    parts = {
        "limits": fluid.get("limits") if isinstance(fluid, Mapping) else None,
        "fluid": fluid.get("fluid") if isinstance(fluid, Mapping) else None,
        "sodium": fluid.get("sodium") if isinstance(fluid, Mapping) else None,
        "fuel": r.yaml("prevention/fuel.yaml"),
        "heat": r.yaml("prevention/heat.yaml"),
        "risk": risk.get("risk") if isinstance(risk, Mapping) else None,
        "medicines": risk.get("medicines") if isinstance(risk, Mapping) else None,
        "night": r.yaml("prevention/night.yaml"),
    }
    return {"prevention": _validate(Prevention, parts, "prevention/*.yaml")}


def _svgs(r: _Reader, folder: str) -> dict[str, str]:
    return {rel.rsplit("/", 1)[1][:-4]: r.text(rel) for rel in r.listdir(folder, ".svg")}


def _load(root: Traversable) -> KnowledgeBase:
    r = _Reader(root)
    parts = {**_content(r), **_model(r), **_diary_and_rehab(r), **_safety(r), **_prevention(r)}
    return KnowledgeBase(**parts, content_hash=r.digest.hexdigest()[:16], sources=tuple(r.read))


def data_root() -> Traversable:
    """The knowledge files shipped inside the package."""
    return resources.files("calfcare.kb").joinpath("data")


def read_kb(path: Path | None = None) -> KnowledgeBase:
    """Read a knowledge base with file and schema validation only (the shipped one unless
    `path` is given). `calfcare kb check` uses it to list every cross-file problem at once;
    everything else uses `load_kb`."""
    return _load(data_root() if path is None else path)


def load_kb(path: Path | None = None) -> KnowledgeBase:
    """Load a knowledge base and prove it whole: the schemas and every cross-file check of
    `calfcare.kb.checks`. A knowledge base with any problem is refused with all of them, so
    nothing runs on half-consistent knowledge."""
    if path is None:
        return _default_kb()
    return _checked(_load(path))


def _checked(kb: KnowledgeBase) -> KnowledgeBase:
    from calfcare.kb.checks import check_kb  # the checks read the loaded records

    problems = check_kb(kb)
    if problems:
        raise KnowledgeBaseError("\n".join(str(p) for p in problems))
    return kb


@cache
def _default_kb() -> KnowledgeBase:
    return _checked(_load(data_root()))
