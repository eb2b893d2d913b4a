"""Forms of the petitioner's pages: they validate what a person typed; services write.

Petitioners use phones and may be old or afraid: every field says in plain words what it
is for, the choices are large radio buttons or one select, and every message is a
sentence that tells them what to do.
"""

import functools
import hashlib
import html
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm
from responsibility.api.units import PublicUnitListView
from responsibility.models import Unit

from ..api_public.categories import localised
from ..attachments import attachments_check
from ..models import Category, PetitionerIdentity, RatingValue
from ..services import COMMENT_MAX, CONTENT_MAX, LOCATION_MAX, MESSAGE_MAX, NAME_MAX, TITLE_MAX
from ..transitions import REASON_MAX
from .attachments import AttachmentsInput

UNKNOWN_UNIT = "unknown"
_IDENTITY = PetitionerIdentity._meta
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Attachments: several files in one input --------------------------------------------


class AttachmentsField(forms.FileField):
    """Zero or more files from one ``<input type=file multiple>``; cleans to a list.

    The batch is judged by complaints.attachments (kinds by content, sizes, count), so a
    refused file is named with the form's other errors, before anything is stored.
    """

    widget = AttachmentsInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [super(AttachmentsField, self).clean(file, initial) for file in files if file]
        try:
            attachments_check(files)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["attachments"]) from None
        return files


# --- The subject unit: a select grouped by parent, searchable by pinyin with JS --------------


@functools.lru_cache(maxsize=8192)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a unit name, lower case without spaces: 县教育局 -> ("xjyj", "xianjiaoyuju")."""
    # Imported when first needed: pypinyin builds its phrase dictionary and segmenter on import
    # (about 50 MB), which a process that only imports this module (a worker writing a ledger
    # through the case filters) never needs; the built choices are cached (public_unit_choices).
    from pypinyin import Style, lazy_pinyin

    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).replace(" ", "").lower()
    full = "".join(lazy_pinyin(name)).replace(" ", "").lower()
    return initials, full


@dataclass(frozen=True)
class UnitChoices:
    """The units a petitioner may choose, as the select's markup and the values it offers.

    ``pieces``: the select's inner markup, one option (or an optgroup's tag) each; ``at``:
    each option's piece by value, to mark the chosen one.
    """

    pieces: tuple[str, ...]
    at: dict[str, int]

    def markup(self, chosen: str) -> str:
        index = self.at.get(chosen)
        if index is None:
            return "".join(self.pieces)
        pieces = list(self.pieces)
        # Attribute values are escaped, so the first ">" closes the option's tag.
        pieces[index] = pieces[index].replace(">", " selected>", 1)
        return "".join(pieces)


def _option(value: str, label: str, data: dict[str, str] | None = None) -> str:
    attrs = "".join(f' {name}="{html.escape(text)}"' for name, text in sorted((data or {}).items()))
    return f'<option value="{html.escape(value)}"{attrs}>{html.escape(label)}</option>'


class UnitSelect(forms.Select):
    """The select of units, with pinyin keys and the parent's name on each option for filing.js's search box."""

    def __init__(self, *args, unit_choices: UnitChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_choices = unit_choices

    def render(self, name, value, attrs=None, renderer=None):
        chosen = str(value[0] if isinstance(value, list | tuple) and value else value or "")
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        options = mark_safe(self.unit_choices.markup(chosen))  # noqa: S308 escaped by _option
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


class UnitField(forms.ChoiceField):
    """A public unit by its id, or "I don't know" (UNKNOWN_UNIT): one of ``unit_choices``."""

    default_error_messages = {
        "required": _("Choose the unit, or “I don't know which unit”."),
        "invalid_choice": _("This unit cannot be chosen; choose one from the list, or “I don't know which unit”."),
    }
    unit_choices: UnitChoices

    def valid_value(self, value) -> bool:
        return value in self.unit_choices.at


def public_unit_choices() -> UnitChoices:
    """The choices for "the unit complained about", with the search data of each option.

    The units are those the public API offers (PublicUnitListView's queryset, unscoped by
    design: anyone may name any public unit), read on every request so that a unit renamed
    or closed leaves the form at once, in tree order, grouped under their parent's name; top
    units stand alone after "I don't know". Parents come from the paths: the queryset's
    parent_id annotation is a subquery per row (0.8 s for 500 units here), left out by values().
    The built choices are cached per language and unit list: a county names a thousand units
    or more, and building and escaping their options cost the filing page ~40 ms.
    """
    units = tuple(PublicUnitListView.queryset.values_list("pk", "name", "path"))
    language = get_language()
    key = f"filing-unit-choices:{language}:{hashlib.blake2b(repr(units).encode(), digest_size=16).hexdigest()}"
    choices = cache.get(key)
    if choices is None:
        choices = _unit_choices_build(units)
        cache.set(key, choices, timeout=UNIT_CHOICES_SECONDS)
    return choices


# A unit list that changes gets a new key; the old entry is dropped after this long.
UNIT_CHOICES_SECONDS = 24 * 3600


def _unit_choices_build(units: tuple) -> UnitChoices:
    by_path = {path: (pk, name) for pk, name, path in units}
    pieces = [_option("", str(_("— Choose —"))), _option(UNKNOWN_UNIT, str(_("I don't know which unit")))]
    at = {UNKNOWN_UNIT: 1}
    groups: dict[int, tuple[str, list[tuple[str, str, dict]]]] = {}
    for pk, name, path in units:
        initials, full = pinyin_keys(name)
        parent = by_path.get(path[: -Unit.steplen])
        option = (
            str(pk),
            name,
            {"data-initials": initials, "data-pinyin": full, "data-parent": parent[1] if parent else ""},
        )
        if parent is None:
            at[option[0]] = len(pieces)
            pieces.append(_option(*option))
        else:
            groups.setdefault(parent[0], (parent[1], []))[1].append(option)
    for label, options in groups.values():
        pieces.append(f'<optgroup label="{html.escape(label)}">')
        for option in options:
            at[option[0]] = len(pieces)
            pieces.append(_option(*option))
        pieces.append("</optgroup>")
    return UnitChoices(pieces=tuple(pieces), at=at)


# --- Categories: a short tree with plain-language hints --------------------------------------


def category_label(category: Category) -> str:
    return localised(category.name, category.name_en)


def category_tree() -> list[dict]:
    """Active top categories, each with its active descendants, in tree order, in one query.

    A descendant of an inactive category is left out with it: what is shown is what may be chosen.
    """
    tree: list[dict] = []
    for category in Category.objects.filter(is_active=True).order_by("path"):
        category.label = category_label(category)
        category.hint_shown = localised(category.hint, category.hint_en)
        if category.depth == 1:
            tree.append({"category": category, "children": []})
        elif tree and category.path.startswith(tree[-1]["category"].path):
            tree[-1]["children"].append(category)
    return tree


class CategoryField(forms.Field):
    """One of the categories the form shows (its ``shown``: the active tree, by id)."""

    widget = forms.RadioSelect
    default_error_messages = {
        "required": _("Choose what kind of problem it is; if none fits, choose “Other”."),
        "invalid_choice": _("This kind of problem cannot be chosen; choose one from the list."),
    }
    shown: dict[str, Category]

    def to_python(self, value) -> Category | None:
        if value in self.empty_values:
            return None
        try:
            return self.shown[str(value)]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class Identity:
    ANONYMOUS = "anonymous"
    REAL_NAME = "real_name"
    CHOICES = [(ANONYMOUS, _("Anonymous")), (REAL_NAME, _("With my name"))]


class ComplaintFileForm(BootstrapForm):
    """The filing form. ``subject_unit`` cleans to a Unit or None ("I don't know")."""

    category = CategoryField(label=_("What kind of problem?"))
    subject_unit = UnitField(label=_("Which unit is it about?"))
    title = forms.CharField(
        label=_("In one line: what is it about?"),
        max_length=TITLE_MAX,
        help_text=_("For example: the school charges for exercise books we did not order."),
    )
    content = forms.CharField(
        label=_("What happened?"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who did what, when and where, and what you were asked to pay or do. Facts help us most."),
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"), required=False, widget=_DATE, help_text=_("The day, if you remember it.")
    )
    location = forms.CharField(
        label=_("Where did it happen?"),
        max_length=LOCATION_MAX,
        required=False,
        help_text=_("For example: the service hall of the county education bureau, window 3."),
    )
    attachments = AttachmentsField(label=_("Photos or documents (optional)"))
    identity = forms.ChoiceField(
        label=_("Do you want to give your name?"),
        choices=Identity.CHOICES,
        initial=Identity.ANONYMOUS,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=NAME_MAX, required=False)
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=_IDENTITY.get_field("phone").max_length,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID card number (optional)"), max_length=_IDENTITY.get_field("id_number").max_length, required=False
    )
    email = forms.CharField(
        label=_("Email (optional)"),
        max_length=_IDENTITY.get_field("email").max_length,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email", "inputmode": "email"}),
    )
    # Shown only after a similar complaint was found: the petitioner files anyway.
    file_anyway = forms.BooleanField(label=_("This is a different complaint: file it anyway"), required=False)

    IDENTITY_FIELDS = ("name", "phone", "id_number", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_tree = category_tree()
        chosen = str(self["category"].value() or "")
        shown = {}
        for node in self.category_tree:
            for category in [node["category"], *node["children"]]:
                category.checked = str(category.pk) == chosen
                shown[str(category.pk)] = category
            # The group of the chosen kind stays open when the form comes back.
            node["open"] = any(category.checked for category in [node["category"], *node["children"]])
        self.fields["category"].shown = shown
        field = self.fields["subject_unit"]
        field.unit_choices = public_unit_choices()
        field.widget = UnitSelect(unit_choices=field.unit_choices)
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.style()

    def clean_subject_unit(self):
        value = self.cleaned_data["subject_unit"]
        if value == UNKNOWN_UNIT:
            return None
        # One of this request's choices, so an active public unit.
        return Unit.objects.get(pk=int(value))

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The day it happened cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        data["anonymous"] = data.get("identity") != Identity.REAL_NAME
        if data["anonymous"]:
            # What an anonymous petitioner typed before changing their mind is never stored.
            for name in self.IDENTITY_FIELDS:
                data[name] = ""
        else:
            if not data.get("name"):
                self.add_error("name", _("Give your name, or choose to stay anonymous."))
            if not data.get("phone"):
                self.add_error("phone", _("Give a phone number we can call, or choose to stay anonymous."))
        return data

    def service_fields(self) -> dict:
        """The cleaned data as complaint_file's keyword arguments."""
        data = self.cleaned_data
        keys = ("category", "subject_unit", "title", "content", "occurred_on", "location", "anonymous")
        return {key: data[key] for key in keys + self.IDENTITY_FIELDS} | {"attachments": data["attachments"]}


# --- Tracking ---------------------------------------------------------------------------


class TrackForm(BootstrapForm):
    code = forms.CharField(
        label=_("Your tracking code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "JF-XXXX-XXXX-XXXX-XXXX",
            }
        ),
        help_text=_("Capital or small letters, with or without dashes or spaces: all the same."),
        error_messages={"required": _("Type the tracking code you were given when you filed.")},
    )


class MessageForm(BootstrapForm):
    body = forms.CharField(
        label=_("Your answer or more information"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message first.")},
    )
    attachments = AttachmentsField(label=_("Photos or documents (optional)"))


class RatingForm(BootstrapForm):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with how your complaint was handled?"),
        choices=RatingValue.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three answers.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to add (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Why should the case be looked at again?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what in the reply is wrong or missing, and what you expect."),
        error_messages={"required": _("Give your reasons for asking for a review.")},
    )
