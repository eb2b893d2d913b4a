"""The Chinese catalogue is complete, compiled, and covers every string in the code."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
SOURCES = ["jiufeng", "responsibility", "complaints", "evaluations", "audit", "demo", "templates", "manage.py"]


def catalogue(po: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file, read by compiling it the way Django will."""
    mo = po.with_suffix(".check.mo")
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_no_string_is_untranslated_or_fuzzy():
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(PO)], capture_output=True, text=True, check=True
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(PO)], capture_output=True, text=True, check=True
    ).stdout
    assert untranslated == "", untranslated
    assert fuzzy == "", fuzzy


def test_the_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    copy = tmp_path / "django.po"
    shutil.copy(PO, copy)
    with MO.open("rb") as handle:
        committed = dict(gettext.GNUTranslations(handle)._catalog)
    assert committed == catalogue(copy)


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "PYTHONPATH": str(tmp_path)},
    )
    # msgcmp fails naming each msgid of the fresh extraction that the catalogue lacks.
    result = subprocess.run(
        ["msgcmp", "--use-untranslated", str(PO), str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
