"""Staff pages under /officer: reviews, consultations, themes, forums, panels, petitions."""
