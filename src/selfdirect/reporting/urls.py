from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("people/<slug:cohort>/", views.people, name="people"),
    path("indicator/<slug:key>/", views.indicator, name="indicator"),
    path("packs/", views.packs, name="packs"),
    path("packs/<int:pk>/", views.pack, name="pack"),
    path("packs/<int:pk>.pdf", views.pack_pdf, name="pack-pdf"),
    path("move-ons/", views.move_ons, name="move-ons"),
    path("offers/", views.review_offers, name="offers"),
    path("offers/<int:pk>/answer/", views.answer_offer, name="offer-answer"),
    path("open-data.csv", views.open_data, name="open-data"),
    path("export/<slug:key>.<str:fmt>", views.export, name="export"),
]
