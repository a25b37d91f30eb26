from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path("invite/person/<int:person_pk>/", views.invite_person, name="invite-person"),
    path("invite/person/<int:person_pk>/representative/<int:rep_pk>/", views.invite_person, name="invite-rep"),
    path("invitations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("invitation/<str:link>/", views.accept, name="accept"),
    path("<int:user_pk>/", views.account, name="account"),
    path("<int:user_pk>/switch-off/", views.switch_off, name="switch-off"),
    path("me/", views.me, name="me"),
    path("identity-provider/", views.identity_provider, name="identity-provider"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("<int:user_pk>/second-factor/reset/", views.reset_second_factor, name="reset-second-factor"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("me/tokens/new/", views.token_new, name="token-new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
