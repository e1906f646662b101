from django.apps import apps
from django.contrib import admin

for model in apps.get_app_config(__package__.rsplit(".", 1)[-1]).get_models():
    admin.site.register(model)
