"""The web platform: Django project settings, URLs and the shared page layout."""
