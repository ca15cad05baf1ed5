from django.urls import path

from port2port.detection import views

app_name = "detection"

urlpatterns = [
    path("", views.control_room, name="control-room"),
    path("map.json", views.map_data, name="map"),
    path("stream/", views.stream, name="stream"),
    path("replay/", views.replay, name="replay"),
    path("replay.json", views.replay_data, name="replay-data"),
    path(
        "alerts/<int:pk>/<str:action>/",
        views.alert_action,
        name="alert-action",
    ),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("broadcasts/", views.broadcast_list, name="broadcasts"),
    path("exercise/", views.exercise_report, name="exercise"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="broadcast"),
]
