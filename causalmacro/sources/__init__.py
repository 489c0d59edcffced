"""Data sources: FRED API, FRED CSV folders, user data, the embedded demo."""
