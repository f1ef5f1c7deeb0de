"""The sports a venue can offer. Codes are stable (API filters use them); names are editable."""

from django.db import migrations

SPORTS = [
    ("badminton", "羽毛球", "Badminton"),
    ("basketball", "篮球", "Basketball"),
    ("football", "足球", "Football"),
    ("swimming", "游泳", "Swimming"),
    ("table_tennis", "乒乓球", "Table tennis"),
    ("tennis", "网球", "Tennis"),
    ("fitness", "健身", "Fitness"),
    ("volleyball", "排球", "Volleyball"),
    ("athletics", "田径", "Athletics"),
    ("yoga", "瑜伽", "Yoga"),
    ("climbing", "攀岩", "Climbing"),
    ("skating", "滑冰", "Skating"),
    ("martial_arts", "武术", "Martial arts"),
    ("billiards", "台球", "Billiards"),
    ("golf", "高尔夫", "Golf"),
    ("dance", "舞蹈", "Dance"),
]


def load(apps, schema_editor):
    Sport = apps.get_model("venues", "Sport")
    for order, (code, name, name_en) in enumerate(SPORTS, start=1):
        Sport.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
