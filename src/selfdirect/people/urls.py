from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("import/", views.import_csv, name="import"),
    path("export.csv", views.export_csv, name="export"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_pk>/", views.team_detail, name="team"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/delete/", views.person_delete, name="delete"),
    path("<int:pk>/allocate/", views.person_allocate, name="allocate"),
    path("<int:pk>/history/", views.person_history, name="history"),
    path("<int:pk>/contacts/", views.contact_list, name="contacts"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact-add"),
    path("<int:pk>/representatives/new/", views.representative_edit, name="rep-add"),
    path("<int:pk>/representatives/<int:rep_pk>/", views.representative_edit, name="rep-edit"),
    path("<int:pk>/representatives/<int:rep_pk>/delete/", views.representative_delete, name="rep-delete"),
]
