from django.urls import path

from carnot.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("langue/", views.language_choose, name="language"),
    path("envoyees/", views.sent_list, name="sent"),
]
