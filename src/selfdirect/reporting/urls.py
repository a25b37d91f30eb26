from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("people/<slug:cohort>/", views.people, name="people"),
    path("open-data.csv", views.open_data, name="open-data"),
    path("export/<slug:key>.<str:fmt>", views.export, name="export"),
]
