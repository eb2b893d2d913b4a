"""The staff side of /api/v1/complaints/ (API.md): lists, details, intake, transitions and records.

The petitioner's side (filing, tracking, categories) is complaints.api_public.
"""
