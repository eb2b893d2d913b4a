"""/api/v1/complaints/ (API.md): the staff list and the public filing on one path, intake, details, actions.

The petitioner's other calls (categories, tracking) are complaints.api_public; both read
requests and answer refusals through complaints.api.errors.
"""
