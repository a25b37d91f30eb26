from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.home, name="home"),
    path("budgets/", views.budget_list, name="budgets"),
    path("budgets/new/", views.budget_new, name="budget-new"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget"),
    path("budgets/<int:pk>/statement.csv", views.statement_csv, name="statement-csv"),
    path("budgets/<int:pk>/statement.pdf", views.statement_pdf, name="statement-pdf"),
    path("budgets/<int:pk>/agree/", views.budget_agree, name="agree"),
    path("budgets/<int:pk>/reassess/", views.budget_reassess, name="reassess"),
    path("budgets/<int:pk>/invoices/", views.invoice_add, name="invoice"),
    path("budgets/<int:pk>/clawback/", views.clawback, name="clawback"),
    path("budgets/<int:pk>/spending/", views.spend_add, name="spend"),
    path("budgets/<int:pk>/spending/upload/", views.spend_upload, name="spend-upload"),
    path("runs/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/payments.csv", views.run_file, name="run-file"),
    path("runs/<int:pk>/remittances/", views.run_remittances, name="remittances"),
    path("periods/<str:label>/close/", views.period_close, name="close"),
    path("trial-balance/", views.trial_balance, name="trial-balance"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("people/<int:person_pk>/charging/", views.charging, name="charging"),
    path("people/<int:person_pk>/budgets/new/", views.budget_new, name="budget-new-for"),
    path("people/<int:person_pk>/charging/assess/", views.charge_assess, name="charge-assess"),
    path("people/<int:person_pk>/charging/receipts/", views.receipt_add, name="receipt"),
    path("people/<int:person_pk>/disputes/new/", views.dispute_new, name="dispute-new"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute-decide"),
]
