from django.urls import path

from . import views

app_name = "extracare"
urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("new/", views.scheme_create, name="create"),
    path("new/from-seed/", views.scheme_from_seed, name="from-seed"),
    path("<int:pk>/", views.scheme_detail, name="detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="edit"),
    path("<int:pk>/delete/", views.scheme_delete, name="delete"),
    path("<int:pk>/models/", views.scheme_models, name="models"),
    path("<int:pk>/models/<str:key>/", views.scheme_model_edit, name="model-edit"),
    path("<int:pk>/viability/", views.scheme_viability, name="viability"),
    path("<int:pk>/simulate/", views.scheme_simulate, name="simulate"),
    path("<int:pk>/rota/", views.scheme_rota, name="rota"),
    path("<int:pk>/runs/<int:run_pk>/", views.run_detail, name="run"),
    path("<int:pk>/runs/<int:run_pk>/rota.csv", views.run_csv, name="run-csv"),
]
