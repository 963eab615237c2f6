"""The plan's 21 indicators (Table 1 with Annex 1's formulas) and the five seed topics
(经济调节, 市场监管, 社会管理, 公共服务, 生态环境保护), read from the app's data files;
later edits of the definitions reach existing databases through the seed step's sync."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def forwards(apps, schema_editor):
    Indicator = apps.get_model("governance", "Indicator")
    Topic = apps.get_model("governance", "Topic")
    for row in json.loads((DATA / "indicators.json").read_text(encoding="utf-8")):
        number = row.pop("number")
        Indicator.objects.update_or_create(number=number, defaults=row)
    for row in json.loads((DATA / "topics.json").read_text(encoding="utf-8")):
        numbers = row.pop("indicators")
        code = row.pop("code")
        topic, _ = Topic.objects.update_or_create(code=code, defaults=row)
        topic.indicators.set(Indicator.objects.filter(number__in=numbers))


def backwards(apps, schema_editor):
    apps.get_model("governance", "Topic").objects.all().delete()
    apps.get_model("governance", "Indicator").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_governance_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
