"""Checks that every app's zh_Hans catalogue is complete (no untranslated or fuzzy entry) and
that the committed .mo matches its .po, so the Chinese UI never falls back to English.
With --compile, writes the .mo files from the .po files first (polib: no GNU gettext needed)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compile_first = "--compile" in sys.argv
    problems = []
    for po_path in sorted(ROOT.glob("sportsplatform/*/locale/zh_Hans/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        if compile_first:
            po.save_as_mofile(str(mo_path))
        rel = po_path.relative_to(ROOT)
        for entry in po.untranslated_entries():
            problems.append(f"{rel}: untranslated: {entry.msgid!r}")
        for entry in po.fuzzy_entries():
            problems.append(f"{rel}: fuzzy: {entry.msgid!r}")
        if not mo_path.exists():
            problems.append(f"{rel}: missing compiled {mo_path.name} (run `make messages`)")
            continue
        mo = polib.mofile(str(mo_path))
        compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
        for e in po.translated_entries():
            if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr, tuple(sorted(e.msgstr_plural.items()))):
                problems.append(f"{rel}: {mo_path.name} is stale for {e.msgid!r} (run `make messages`)")
                break
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
