from django.urls import path

from . import views

app_name = "allocation"
urlpatterns = [
    path("people/<int:person_pk>/budget/", views.budget, name="budget"),
    path("<int:pk>/", views.detail, name="detail"),
    path("assessments/<int:assessment_pk>/allocate/", views.allocate, name="allocate"),
    path("assessments/<int:assessment_pk>/send/", views.send_assessment, name="send"),
    path("policies/", views.policies, name="policies"),
    path("policies/upload/", views.policy_upload, name="policy-upload"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("policies/<int:pk>/recalculate/", views.recalculate, name="recalculate"),
    path("price-per-point/", views.price_per_point, name="price-per-point"),
    path("what-if/", views.what_ifs, name="what-ifs"),
    path("what-if/<int:pk>/", views.what_if, name="what-if"),
    path("what-if/<int:pk>/what-if.csv", views.what_if_csv, name="what-if-csv"),
]
