from django.urls import path

from . import categories, stats, track

# Included under /api/v1/ (jiufeng.api_urls, namespace "api").
urlpatterns = [
    path("categories/", categories.CategoryListView.as_view(), name="category-list"),
    path("public/stats/", stats.PublicStatsView.as_view(), name="public-stats"),
    # The code in the X-Tracking-Code header (or a POST's body), out of every access log.
    path("track/", track.TrackView.as_view(), name="track-by-header"),
    path("track/messages/", track.TrackMessageView.as_view(), name="track-messages-by-header"),
    path("track/rating/", track.TrackRatingView.as_view(), name="track-rating-by-header"),
    path("track/review/", track.TrackReviewView.as_view(), name="track-review-by-header"),
    # Deprecated: the code in the path (API.md's first form), kept for existing clients.
    path("track/<str:code>/", track.TrackByPathView.as_view(), name="track"),
    path("track/<str:code>/messages/", track.TrackMessageByPathView.as_view(), name="track-messages"),
    path("track/<str:code>/rating/", track.TrackRatingByPathView.as_view(), name="track-rating"),
    path("track/<str:code>/review/", track.TrackReviewByPathView.as_view(), name="track-review"),
]
