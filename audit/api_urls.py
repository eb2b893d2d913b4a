from django.urls import path

from .api import HistorySearchView

urlpatterns = [path("history/", HistorySearchView.as_view(), name="history-search")]
