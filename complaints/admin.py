from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Category


@admin.register(Category)
class CategoryAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Category)
    list_display = ("name", "code", "is_active")
    search_fields = ("name", "code")
