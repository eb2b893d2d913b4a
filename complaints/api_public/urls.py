from django.urls import path

from . import categories, filing, track

# Included under /api/v1/ (jiufeng.api_urls, namespace "api").
urlpatterns = [
    path("categories/", categories.CategoryListView.as_view(), name="category-list"),
    # GET on the same path is the staff list (complaints' staff API); the lead routes POST here.
    path("complaints/", filing.ComplaintFileView.as_view(), name="complaint-file"),
    path("track/<str:code>/", track.TrackView.as_view(), name="track"),
    path("track/<str:code>/messages/", track.TrackMessageView.as_view(), name="track-messages"),
    path("track/<str:code>/rating/", track.TrackRatingView.as_view(), name="track-rating"),
    path("track/<str:code>/review/", track.TrackReviewView.as_view(), name="track-review"),
]
