from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..services.pledges import ItemScore, PledgeItemData


def year_from(value: str | None) -> int:
    """The year asked for in a query string, or this year when it is missing or not a sensible year."""
    try:
        year = int(value or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


class PledgeItemForm(BootstrapForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Target item"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("Weight"), min_value=Decimal("0.01"), max_value=Decimal("999.99"), max_digits=5, decimal_places=2
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=64, required=False)
    evidence_required = forms.CharField(label=_("Evidence required"), max_length=500, required=False)

    def to_data(self) -> PledgeItemData:
        data = self.cleaned_data
        return PledgeItemData(
            id=data.get("id"),
            title=data["title"],
            description=data["description"],
            weight=data["weight"],
            due_on=data["due_on"],
            responsible_person=data["responsible_person"],
            evidence_required=data["evidence_required"],
        )


# The amendment edits the whole item list at once: one blank row to add an item,
# a "remove" box on each existing one.
PledgeItemFormSet = forms.formset_factory(PledgeItemForm, extra=1, can_delete=True, max_num=50, validate_max=True)


def item_initial(item) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "weight": item.weight,
        "due_on": item.due_on,
        "responsible_person": item.responsible_person,
        "evidence_required": item.evidence_required,
    }


def amended_items(formset) -> list[PledgeItemData]:
    """The items the amendment keeps or adds."""
    items = []
    for form in formset.forms:
        # An untouched blank row has no cleaned data; a ticked "remove" drops the item.
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        items.append(form.to_data())
    return items


class PledgeAmendForm(BootstrapForm):
    reason = forms.CharField(label=_("Why is the pledge amended?"), max_length=500)


class PledgeSignForm(BootstrapForm):
    confirm = forms.BooleanField(
        label=_("I have read this pledge and sign it on behalf of my unit."),
        error_messages={"required": _("Tick the box to confirm that you sign the pledge.")},
    )


class PledgeItemCompleteForm(BootstrapForm):
    evidence = forms.CharField(
        label=_("What was done, and the evidence"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssueFromTemplateForm(BootstrapForm):
    template = forms.ModelChoiceField(label=_("Template"), queryset=None)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class PledgeAssessForm(BootstrapForm):
    """A score and a note per item; the fields are named after the items."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"score_{item.pk}"] = forms.DecimalField(
                label=_("Score for “%(item)s” (0 to %(weight)s)") % {"item": item.title, "weight": item.weight},
                min_value=Decimal("0"),
                max_value=item.weight,
                max_digits=5,
                decimal_places=2,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note on “%(item)s”") % {"item": item.title}, max_length=500, required=False
            )

        self.style()

    def rows(self):
        return [(item, self[f"score_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def scores(self) -> dict[int, ItemScore]:
        data = self.cleaned_data
        return {item.pk: ItemScore(score=data[f"score_{item.pk}"], note=data[f"note_{item.pk}"]) for item in self.items}
