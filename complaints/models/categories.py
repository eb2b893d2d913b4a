from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from jiufeng.history import HistoricalRecords


class Category(MP_Node):
    """A kind of problem (问题类别), in a tree: 乱收费 > 教育乱收费."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=96, blank=True)
    # Plain-language help shown to petitioners next to the choice, and its English (shown to
    # readers who chose English; blank: the Chinese hint). Both are data administrators keep,
    # like the names, so both languages are stored rather than translated through gettext.
    hint = models.CharField(_("hint"), max_length=200, blank=True)
    hint_en = models.CharField(_("English hint"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Time limits for this kind of problem, in days; blank: the parent's, else the settings' default
    # (DOMAIN.md: 15 to accept, 60 to resolve, 30 to decide a review).
    accept_days = models.PositiveSmallIntegerField(_("days to accept"), null=True, blank=True)
    resolve_days = models.PositiveSmallIntegerField(_("days to resolve"), null=True, blank=True)
    review_days = models.PositiveSmallIntegerField(_("days to decide a review"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def inherited_time_limits(self) -> dict[str, int | None]:
        """The time limits this category inherits: per field, its nearest ancestor's, else None.

        At most one query, read once per instance: a filing asks for the acceptance limit for its
        deadline and again for the promise in its SMS (complaints.time_limits).
        """
        fields = ("accept_days", "resolve_days", "review_days")
        step = self.steplen
        ancestors = [self.path[:end] for end in range(step, len(self.path), step)]
        if not ancestors:
            return dict.fromkeys(fields)
        rows = list(Category.objects.filter(path__in=ancestors).order_by("-depth").values_list(*fields))
        return {field: next((row[i] for row in rows if row[i] is not None), None) for i, field in enumerate(fields)}

    def refresh_from_db(self, *args, **kwargs) -> None:
        # Read again with the row: an ancestor's limit may have changed too.
        self.__dict__.pop("inherited_time_limits", None)
        super().refresh_from_db(*args, **kwargs)


class RoutingRule(models.Model):
    """Which unit handles a kind of problem about a part of the tree, when not its supervising department.

    Maintained by administrators. The most specific rule wins: the deepest matching
    category, then the deepest matching subject unit (a blank subject unit matches all).
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    # Blank: complaints of this category about any unit.
    subject_unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("about units under"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    handling_unit = models.ForeignKey(
        "responsibility.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "subject_unit"], name="routingrule_unique"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(subject_unit__isnull=True), name="routingrule_unique_any_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.handling_unit}"
