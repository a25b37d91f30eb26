from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("start/<int:person_pk>/", views.plan_start, name="start"),
    path("panel/", views.panel_meetings, name="panel"),
    path("panel/<int:meeting_pk>/", views.panel_meeting, name="meeting"),
    path(
        "panel/<int:meeting_pk>/referrals/<int:referral_pk>/attendance/",
        views.panel_attendance,
        name="attendance",
    ),
    path(
        "panel/<int:meeting_pk>/invitations/<int:invitation_pk>/",
        views.invitation_sent,
        name="invitation-sent",
    ),
    path("reviews/", views.reviews_list, name="reviews"),
    path("refusals/", views.refusal_list, name="refusals"),
    path("refusals/new/<int:person_pk>/", views.refusal_add, name="refusal-add"),
    path("refusals/<int:refusal_pk>/follow-up/", views.refusal_follow_up, name="refusal-follow-up"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/plan.pdf", views.plan_pdf, name="pdf"),
    path("<int:pk>/about/", views.plan_about, name="about"),
    path("<int:pk>/outcomes/", views.plan_outcomes, name="outcomes"),
    path("<int:pk>/outcomes/<int:outcome_pk>/", views.plan_outcomes, name="outcome-edit"),
    path("<int:pk>/outcomes/<int:outcome_pk>/delete/", views.outcome_delete, name="outcome-delete"),
    path("<int:pk>/spending/", views.plan_lines, name="lines"),
    path("<int:pk>/spending/<int:line_pk>/", views.plan_lines, name="line-edit"),
    path("<int:pk>/spending/<int:line_pk>/delete/", views.line_delete, name="line-delete"),
    path("<int:pk>/money/", views.plan_money, name="money"),
    path("<int:pk>/risks/", views.plan_risks, name="risks"),
    path("<int:pk>/duration/", views.plan_duration, name="duration"),
    path("<int:pk>/review/", views.plan_review, name="review"),
    path("<int:pk>/visits/", views.plan_visits, name="visits"),
    path("<int:pk>/visits/<int:visit_pk>/", views.visit_record, name="visit"),
    path("<int:pk>/invitations/<int:invitation_pk>/", views.invitation_letter, name="invitation"),
    path("<int:pk>/steps/<slug:action>/", views.plan_transition, name="transition"),
]
