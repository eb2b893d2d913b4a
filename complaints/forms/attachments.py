"""The file input of every form that takes attachments, public and staff."""

import json

from django import forms

from ..attachments import ACCEPT, attachment_limits_shown


class AttachmentsInput(forms.FileInput):
    """Several files from one ``<input type=file multiple>``.

    It offers only the kinds accepted in the file picker, and hands the limits to
    static/js/attachments.js (loaded by base.html), which names a file over them as soon as
    it is chosen and keeps the form from sending it. Read when rendered: the limits are
    settings and the messages are in the page's language.
    """

    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"] |= {
            "accept": ACCEPT,
            "data-attachment-limits": json.dumps(attachment_limits_shown(), ensure_ascii=False),
        }
        return context
