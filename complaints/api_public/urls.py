from django.urls import path

from . import categories, track

# Included under /api/v1/ (jiufeng.api_urls, namespace "api").
urlpatterns = [
    path("categories/", categories.CategoryListView.as_view(), name="category-list"),
    path("track/<str:code>/", track.TrackView.as_view(), name="track"),
    path("track/<str:code>/messages/", track.TrackMessageView.as_view(), name="track-messages"),
    path("track/<str:code>/rating/", track.TrackRatingView.as_view(), name="track-rating"),
    path("track/<str:code>/review/", track.TrackReviewView.as_view(), name="track-review"),
]
