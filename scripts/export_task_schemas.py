"""Export the JSON Schemas of the official Evo compute task catalogue.

Reads the task runners of the pinned `evo-compute` Python SDK (requirements-dev.txt) and writes,
for every runner, the JSON Schema of its parameters model and of its result model
(`model_json_schema(by_alias=True)`), its topic, task and preview flag, to
`schemas/tasks/<topic>/<task>.json`, plus `schemas/tasks/index.json` listing them.

    python3 scripts/export_task_schemas.py [OUTPUT_DIR]     # npm run schemas
    python3 scripts/export_task_schemas.py --check [DIR]    # exit 1 when DIR differs

The schema describes the request body the SDK sends, `model_dump(mode="json", by_alias=True,
exclude_none=True)`. Pydantic's validation schema is the Python input form, which differs from
what is sent wherever a model has its own serializer:
- fields declared `exclude=True` are not sent at the top level; the model's serializer moves them
  into a nested object (a filter into `source.filter`): WIRE_PLACEMENT says where each goes;
- `SearchNeighborhood` sends its ellipsoid as `Ellipsoid.to_dict()` (`ellipsoid_ranges`,
  `rotation`) where the input form has `ranges` and `_rotation`;
- the others only send a key as null that `exclude_none` would drop, which the schema allows.
CUSTOM_SERIALIZERS lists every model with its own serializer, and the export fails when a model
reachable from a task's parameters has one that is not listed, so an SDK upgrade cannot silently
ship a schema that disagrees with the wire.
"""

from __future__ import annotations

import copy
import importlib.metadata
import inspect
import json
import sys
import typing
from pathlib import Path

from evo.compute.tasks import geostatistics  # noqa: F401  (registers the runners)
from evo.compute.tasks.common.runner import TaskRegistry
from pydantic import BaseModel

# (parameters model, excluded field) -> (property it is nested in, name inside it)
WIRE_PLACEMENT = {
    ("KrigingParameters", "source_filter"): ("source", "filter"),
    ("KrigingParameters", "target_filter"): ("target", "filter"),
    ("KrigingParameters", "diagnostics"): ("target", "diagnostics"),
    ("IDWParameters", "source_filter"): ("source", "filter"),
    ("IDWParameters", "target_filter"): ("target", "filter"),
    ("KNNParameters", "source_filter"): ("source", "filter"),
    ("KNNParameters", "target_filter"): ("target", "filter"),
}

# Every model with its own serializer, and what this export does about it.
CUSTOM_SERIALIZERS = {
    "KrigingParameters": "moves excluded fields: WIRE_PLACEMENT",
    "IDWParameters": "moves excluded fields: WIRE_PLACEMENT",
    "KNNParameters": "moves excluded fields: WIRE_PLACEMENT",
    "SearchNeighborhood": "ellipsoid as Ellipsoid.to_dict(): WIRE_ELLIPSOID",
    "DeclusteringParameters": "sends power: null (allowed by the schema)",
    "DistributionParams": "sends tail_extrapolation: null (allowed by the schema)",
    "TailExtrapolationParams": "sends lower: null (allowed by the schema)",
    "SimulationReportDistribution": "sends tail_extrapolation: null (allowed by the schema)",
}

# `Ellipsoid.to_dict()`: what SearchNeighborhood sends for its ellipsoid (rotation always present).
WIRE_ELLIPSOID = {
    "description": "An ellipsoid defining a spatial region, as SearchNeighborhood sends it (Ellipsoid.to_dict()).",
    "properties": {
        "ellipsoid_ranges": {"$ref": "#/$defs/EllipsoidRanges"},
        "rotation": {"$ref": "#/$defs/Rotation"},
    },
    "required": ["ellipsoid_ranges", "rotation"],
    "title": "Ellipsoid",
    "type": "object",
}

# A runner is preview-only when its documentation says to run it with `preview=True`
# (the SDK has no flag for it; its docs are the statement).
PREVIEW_MARKER = "preview=True"


def without_null(schema: dict) -> dict:
    """`X | None` with default None: the wire form leaves the key out rather than send null."""
    options = schema.get("anyOf")
    if options is None:
        return schema
    rest = [option for option in options if option != {"type": "null"}]
    if len(rest) == 1:
        return {key: value for key, value in schema.items() if key not in ("anyOf", "default")} | rest[0]
    return {key: value for key, value in schema.items() if key != "default"} | {"anyOf": rest}


def models_reachable(annotation: object, found: set[type]) -> set[type]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                models_reachable(field.annotation, found)
        return found
    for argument in typing.get_args(annotation):
        models_reachable(argument, found)
    return found


def check_serializers(model: type) -> None:
    for reachable in models_reachable(model, set()):
        if reachable.__pydantic_decorators__.model_serializers and reachable.__name__ not in CUSTOM_SERIALIZERS:
            raise SystemExit(
                f"{reachable.__name__} (in {model.__name__}) has its own serializer; "
                "say in CUSTOM_SERIALIZERS what it sends"
            )


def wire_parameters_schema(model: type) -> dict:
    check_serializers(model)
    schema = model.model_json_schema(by_alias=True)
    if "Ellipsoid" in schema.get("$defs", {}):
        schema["$defs"]["Ellipsoid"] = copy.deepcopy(WIRE_ELLIPSOID)
    properties = schema["properties"]
    for name, field in model.model_fields.items():
        if not field.exclude:
            continue
        key = (model.__name__, name)
        if key not in WIRE_PLACEMENT:
            raise SystemExit(f"{model.__name__}.{name} is not sent at the top level; add it to WIRE_PLACEMENT")
        parent, child = WIRE_PLACEMENT[key]
        moved = without_null(properties.pop(field.alias or name))
        properties[parent] = {"$ref": f"#/$defs/{nested_definition(schema, model, parent)}"}
        schema["$defs"][nested_definition(schema, model, parent)]["properties"][child] = moved
    return schema


def nested_definition(schema: dict, model: type, parent: str) -> str:
    """The definition of `parent` as this task sends it (`KrigingTarget`: a `Target` plus what moved into it)."""
    name = model.__name__.removesuffix("Parameters") + parent[:1].upper() + parent[1:]
    definitions = schema["$defs"]
    if name not in definitions:
        reference = schema["properties"][parent]["$ref"]
        definitions[name] = copy.deepcopy(definitions[reference.rsplit("/", 1)[1]]) | {"title": name}
    return name


def is_preview(runner: type) -> bool:
    module = inspect.getmodule(runner)
    docs = (runner.__doc__ or "") + ((module.__doc__ or "") if module else "")
    return PREVIEW_MARKER in docs


def export() -> dict[str, str]:
    """File name -> text, for every file of the export."""
    files: dict[str, str] = {}
    entries = []
    runners = sorted(TaskRegistry()._runners.values(), key=lambda runner: (runner.topic, runner.task))
    for runner in runners:
        document = {
            "topic": runner.topic,
            "task": runner.task,
            "preview": is_preview(runner),
            "runner": runner.__name__,
            "parameters": wire_parameters_schema(runner.params_type),
            "result": runner.result_model_type.model_json_schema(by_alias=True),
        }
        name = f"{runner.topic}/{runner.task}.json"
        files[name] = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        entries.append({"topic": runner.topic, "task": runner.task, "file": name})
    index = {"sdk": "evo-compute", "version": importlib.metadata.version("evo-compute"), "tasks": entries}
    files["index.json"] = json.dumps(index, indent=2, ensure_ascii=False) + "\n"
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [arg for arg in argv if arg != "--check"]
    out = Path(args[0] if args else "schemas/tasks")
    files = export()
    if check:
        present = {str(path.relative_to(out)) for path in out.rglob("*.json")} if out.exists() else set()
        stale = sorted(name for name, text in files.items() if not (out / name).exists() or (out / name).read_text() != text)
        extra = sorted(present - set(files))
        for name in stale + extra:
            print(f"{out / name} differs from what evo-compute {importlib.metadata.version('evo-compute')} exports")
        return 1 if stale or extra else 0
    for stale in out.rglob("*.json") if out.exists() else []:
        if str(stale.relative_to(out)) not in files:
            stale.unlink()
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(files) - 1} task schemas to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
