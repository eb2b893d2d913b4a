"""REST framework's parsers, refusing with 400 what they would otherwise take badly.

JSON nested past Python's recursion limit makes the json module raise RecursionError (a 500).
Bytes that are not UTF-8 would be stored garbled: Django decodes a form body that is not
UTF-8 as Latin-1, its percent-escapes and multipart fields with replacement characters.
Both are answered as a parse error in the caller's own error format (API JSON, Open311's).
"""

import io
from urllib.parse import unquote_to_bytes

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

# What Django's decoding puts in place of bytes that are not UTF-8.
REPLACEMENT = "\ufffd"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from error


def _not_utf8() -> exceptions.ParseError:
    return exceptions.ParseError(_("The request is not valid UTF-8 text."))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            body.decode("utf-8")
            unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as error:
            raise _not_utf8() from error
        return super().parse(io.BytesIO(body), media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        for _name, values in parsed.data.lists():
            if any(REPLACEMENT in value for value in values):
                raise _not_utf8()
        return parsed
