"""Texts written now and read later, in the reader's language.

An inbox notification is written by a sweep or a service, in no reader's language, and read
later by someone who may have chosen English. So what it says is stored as a *text*, to
render when read:

- a str: words as they are (a unit's name, a case's title, a date, a reason staff typed);
- an int: a number;
- {"msgid": ..., "params": {...}}: a gettext message in English and the values to put in
  it, each a text. Writers mark the msgid with ``gettext_noop`` so that makemessages finds it;
- a list of texts: lines.

A msgid is the contract with stored rows: change wording by translating it, not by editing
the msgid in code (a row whose msgid is no longer in the catalogue shows the English msgid).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext, override

Text = str | int | dict | list


def _msgid(label: Promise) -> str:
    # A lazily translated label (a choice's) rendered with translation off is its msgid.
    with override(None):
        return str(label)


def message(msgid: str | Promise, **params) -> dict:
    """A message to translate when read.

    ``msgid``: the English message, marked with gettext_noop by the caller, or a lazily
    translated label (a choice's). ``params``: its values: texts, numbers, labels, or
    anything else, kept as its str.
    """
    text = {"msgid": _msgid(msgid) if isinstance(msgid, Promise) else msgid}
    if params:
        text["params"] = {name: _param(value) for name, value in params.items()}
    return text


def _param(value) -> Text:
    if isinstance(value, Promise):
        return {"msgid": _msgid(value)}
    if isinstance(value, int | dict | list):
        return value
    return str(value)


def text_render(text: Text, translate=gettext) -> str:
    """The text in the active language; ``translate``: gettext, or a memo of it where thousands
    of texts share a few msgids (a sweep's digests)."""
    if isinstance(text, list):
        return "\n".join(text_render(line, translate) for line in text)
    if not isinstance(text, dict):
        return str(text)
    translated = translate(text["msgid"])
    params = text.get("params")
    if not params:
        return translated
    return translated % {
        name: value if isinstance(value, int) else text_render(value, translate) for name, value in params.items()
    }
