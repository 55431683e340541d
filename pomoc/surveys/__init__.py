"""Surveys: CSAT and CES after resolution, NPS campaigns; answers given once through signed links."""
