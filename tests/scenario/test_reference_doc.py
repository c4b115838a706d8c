"""docs/scenario-format.md is generated from the schema, is up to date, and documents every
key with its type, default, whether it is required, its range and a description."""

from __future__ import annotations

from pathlib import Path

from dualtrack.doctrines import REGISTRY
from dualtrack.scenario.reference_doc import REGENERATE, _models, main, reference_markdown
from dualtrack.scenario.schema import Scenario

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def test_committed_reference_is_up_to_date():
    assert COMMITTED.read_text(encoding="utf-8") == reference_markdown(), (
        f"docs/scenario-format.md is out of date with the schema; regenerate it with `{REGENERATE}`"
    )


def test_every_key_of_every_part_is_documented_with_a_description():
    models = [model for _, model in _models(Scenario, "")]
    models += [cls.Params for cls in REGISTRY.values()]
    undocumented = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert undocumented == []
    text = reference_markdown()
    for model in models:
        for name in model.model_fields:
            assert f"| `{name}` |" in text, f"{model.__name__}.{name}"


def test_rows_give_type_default_required_and_range():
    text = reference_markdown()
    assert "| `baseline` | number |  | yes | [0, 1e6] |" in text
    assert "| `resolve` | number | 0.5 | no | [0, 1] |" in text
    assert "| `length_km` | number |  | yes | (0, 40075] |" in text
    assert "| `horizon_days` | integer | `365` | no | (0, 36500] |" in text
    assert "| `talk_rate` | number | 0.35 (0.1 to 0.6) | no | [0, 1e9] |" in text
    assert "| `focus` | pair of actor ids (`A-B` or `[A, B]`) or none | none | no |" in text


def test_the_generator_writes_the_file(tmp_path, capsys):
    target = tmp_path / "scenario-format.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == reference_markdown()
    assert str(target) in capsys.readouterr().out
