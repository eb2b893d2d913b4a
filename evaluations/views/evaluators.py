"""PLACEHOLDER"""

urlpatterns = []
