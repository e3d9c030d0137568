from django.urls import path

from core.views import HistoryView, ProtectedFileView, export_view

from . import views
from .models import Answer, Assessment, Criterion, Finding, Standard

app_name = "assessments"

urlpatterns = [
    path("", views.AssessmentListView.as_view(), name="list"),
    path("export.xlsx", export_view(views.AssessmentListView).as_view(), name="export"),
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("review/export.xlsx", export_view(views.ReviewQueueView).as_view(), name="review_export"),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/export.xlsx", export_view(views.FindingListView).as_view(), name="finding_export"),
    path("new/", views.AssessmentCreateView.as_view(), name="create"),
    path("<int:pk>/", views.AssessmentDetailView.as_view(), name="detail"),
    path("<int:pk>/answers/", views.AnswersEditView.as_view(), name="answers"),
    path("<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path(
        "<int:pk>/questionnaire.xlsx",
        views.QuestionnaireDownloadView.as_view(),
        name="questionnaire_download",
    ),
    path("<int:pk>/questionnaire/", views.QuestionnaireUploadView.as_view(), name="questionnaire_upload"),
    path("<int:pk>/history/", HistoryView.as_view(model=Assessment), name="history"),
    path("<int:pk>/findings/new/", views.FindingCreateView.as_view(), name="finding_create"),
    path(
        "answers/<int:pk>/evidence/",
        ProtectedFileView.as_view(model=Answer, file_field="evidence"),
        name="evidence",
    ),
    path("answers/<int:pk>/history/", HistoryView.as_view(model=Answer), name="answer_history"),
    path("findings/<int:pk>/edit/", views.FindingUpdateView.as_view(), name="finding_edit"),
    path("findings/<int:pk>/history/", HistoryView.as_view(model=Finding), name="finding_history"),
    path("standards/", views.StandardListView.as_view(), name="standard_list"),
    path("standards/export.xlsx", export_view(views.StandardListView).as_view(), name="standard_export"),
    path("standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("standards/<int:pk>/edit/", views.StandardUpdateView.as_view(), name="standard_edit"),
    path("standards/<int:pk>/copy/", views.StandardCopyView.as_view(), name="standard_copy"),
    path("standards/<int:pk>/publish/", views.StandardPublishView.as_view(), name="standard_publish"),
    path("standards/<int:pk>/history/", HistoryView.as_view(model=Standard), name="standard_history"),
    path("standards/<int:pk>/criteria/new/", views.CriterionCreateView.as_view(), name="criterion_create"),
    path("criteria/<int:pk>/edit/", views.CriterionUpdateView.as_view(), name="criterion_edit"),
    path("criteria/<int:pk>/history/", HistoryView.as_view(model=Criterion), name="criterion_history"),
]
