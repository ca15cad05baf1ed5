from __future__ import annotations

from django.urls import path

from port2port.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    path("accounts/profile/", views.profile, name="profile"),
    path("map/", views.map_page, name="map"),
    path("map/features.geojson", views.map_features, name="map-features"),
    path("ports/", views.port_list, name="port-list"),
    path("ports/<str:locode>/", views.port_detail, name="port-detail"),
    path("facilities/", views.facility_list, name="facility-list"),
    path("facilities/<int:pk>/", views.facility_detail, name="facility-detail"),
    path("access-points/", views.access_point_list, name="access-point-list"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path(
        "organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"
    ),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("vehicles/", views.vehicle_list, name="vehicle-list"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/export.jsonl", views.audit_export, name="audit-export"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
