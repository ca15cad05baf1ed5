"""Load the shipped checklist templates and the scenario library from the data files.

The files live in ``port2port/compliance/data``. A template is loaded once per
(code, version): a changed checklist ships as a new version in a later migration,
so that past inspections keep the items they were made with.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    ChecklistTemplate = apps.get_model("compliance", "ChecklistTemplate")
    ChecklistItem = apps.get_model("compliance", "ChecklistItem")
    Scenario = apps.get_model("compliance", "Scenario")
    for path in sorted((DATA / "checklists").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        if ChecklistTemplate.objects.filter(
            code=raw["code"], version=raw["version"]
        ).exists():
            continue
        template = ChecklistTemplate.objects.create(
            code=raw["code"],
            version=raw["version"],
            title=raw["title"],
            description=raw["description"],
            sources=raw["sources"],
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, **item) for item in raw["items"]
        )
    for raw in json.loads((DATA / "scenarios.json").read_text(encoding="utf-8")):
        code = raw.pop("code")
        Scenario.objects.update_or_create(code=code, defaults=raw)


def unload(apps, schema_editor):
    apps.get_model("compliance", "Scenario").objects.filter(
        exercises__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_levels_plans_inspections_drills_ships"),
    ]

    operations = [migrations.RunPython(load, unload)]
