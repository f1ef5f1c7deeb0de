"""Extract one or more apps' messages and fill their zh_Hans catalogues.

    .venv/bin/python scripts/i18n_merge.py events training approvals

For each app: `makemessages` into <app>/locale, then every empty msgstr is filled from
var/i18n/*.json ({"msgid": "译文"}, written by whoever added the strings) or, failing that, from
the same msgid in any other app's catalogue; then all catalogues are compiled. Entries still
empty are listed. Holds a file lock so two people running it at once do not interleave."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"


def known_translations() -> dict[tuple[str | None, str], str]:
    known: dict[tuple[str | None, str], str] = {}
    for po_path in sorted(ROOT.glob("sportsplatform/*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for e in polib.pofile(str(po_path)).translated_entries():
            if not e.msgid_plural:
                known.setdefault((e.msgctxt, e.msgid), e.msgstr)
    for path in sorted((ROOT / "var" / "i18n").glob("*.json")):
        for msgid, msgstr in json.loads(path.read_text(encoding="utf-8")).items():
            if msgstr:
                ctx, _sep, mid = msgid.rpartition("\x04")  # "context\x04msgid" for pgettext
                known[(ctx or None, mid)] = msgstr  # explicit translations win
    return known


def merge(app: str, known) -> list[str]:
    app_dir = ROOT / "sportsplatform" / app
    (app_dir / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [
            str(PY),
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore",
            "static/*",
            "-v",
            "0",
        ],
        cwd=app_dir,
        check=True,
    )
    po_path = app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    missing = []
    for e in po:
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
            e.msgstr = ""
        if e.msgid_plural:
            if not e.msgstr_plural.get(0):
                value = known.get((e.msgctxt, e.msgid))
                if value:
                    e.msgstr_plural = {0: value}
                else:
                    missing.append(e.msgid)
            continue
        if not e.msgstr:
            value = known.get((e.msgctxt, e.msgid))
            if value:
                e.msgstr = value
            else:
                missing.append(e.msgid)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save()
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return missing


def main(apps: list[str]) -> int:
    lock_path = ROOT / "var" / ".i18n.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = known_translations()
        status = 0
        for app in apps:
            for msgid in merge(app, known):
                print(f"{app}: untranslated: {msgid!r}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
