"""GET /api/v1/categories/: the active kinds of problem a petitioner may choose."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils import translation
from rest_framework import generics, permissions, serializers

from ..models import Category


def category_list_public() -> QuerySet[Category]:
    """Active categories in tree order, annotated with their parent's id and names (one query)."""
    parent = Category.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Category.steplen)
    ).order_by()
    return (
        Category.objects.filter(is_active=True)
        .annotate(
            parent_id=Subquery(parent.values("pk")[:1]),
            parent_name=Subquery(parent.values("name")[:1]),
            parent_name_en=Subquery(parent.values("name_en")[:1]),
        )
        .order_by("path")
    )


def localised(text: str, text_en: str | None) -> str:
    """A category's English text (name, hint) for a request in English when there is one; else its Chinese."""
    if text_en and (translation.get_language() or "").startswith("en"):
        return text_en
    return text


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent"]

    def get_name(self, category) -> str:
        return localised(category.name, category.name_en)


class CategoryListView(generics.ListAPIView):
    """Active complaint categories in tree order; names in the request's language."""

    serializer_class = CategorySerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return category_list_public()
