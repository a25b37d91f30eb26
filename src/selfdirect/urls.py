from django.contrib.auth import views as auth_views
from django.urls import include, path

from selfdirect.accounts import oidc
from selfdirect.accounts import views as account_views
from selfdirect.api.api import api
from selfdirect.core import rules_pages
from selfdirect.core import views as core_views

handler400 = "selfdirect.core.views.error_400"
handler403 = "selfdirect.core.views.error_403"
handler404 = "selfdirect.core.views.error_404"
handler500 = "selfdirect.core.views.error_500"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sign-in/", core_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/forgotten/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("sign-in/council/callback/", oidc.SignInCallback.as_view(), name="oidc_authentication_callback"),
    path("sign-in/council/<slug:slug>/", oidc.SignInStart.as_view(), name="oidc-start"),
    path(
        "sign-in/forgotten/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "sign-in/reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "sign-in/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_complete",
    ),
    path("accounts/", include("selfdirect.accounts.urls")),
    path("authority/", core_views.switch_authority, name="switch-authority"),
    path("audit/", core_views.audit_log, name="audit"),
    path("council/", core_views.council, name="council"),
    path("council/logo/", core_views.logo_edit, name="council-logo-edit"),
    path("council/sign-in/", core_views.council_sign_in, name="council-sign-in"),
    path("council/<slug:slug>/logo/", core_views.logo_image, name="council-logo"),
    path("rules/", rules_pages.home, name="rules"),
    path("rules/<str:key>/upload/", rules_pages.upload, name="rules-upload"),
    path("rules/versions/<int:pk>/", rules_pages.version, name="rules-version"),
    path("rules/versions/<int:pk>/compare/<int:other>/", rules_pages.compare, name="rules-compare"),
    path("about/<str:kind>/", core_views.info_page, name="info"),
    path("about/<str:kind>/edit/", core_views.info_page_edit, name="info-edit"),
    path("people/", include("selfdirect.people.urls")),
    path("money/", include("selfdirect.ledger.urls")),
    path("assessment/", include("selfdirect.assessment.urls")),
    path("allocation/", include("selfdirect.allocation.urls")),
    path("", include("selfdirect.market.urls")),
    path("extracare/", include("selfdirect.extracare.urls")),
    path("plans/", include("selfdirect.plans.urls")),
    path("reports/", include("selfdirect.reporting.urls")),
    path("api/v1/", api.urls),
]
