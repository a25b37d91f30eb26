from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("people/<int:person_pk>/", views.person_assessments, name="person"),
    path("people/<int:person_pk>/self/", views.start, name="start"),
    path("<int:pk>/questions/<slug:qid>/", views.question, name="question"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/assessor/", views.assessor_answers, name="assessor"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
]
