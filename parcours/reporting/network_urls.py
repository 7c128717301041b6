"""The network's report URLs under /reseau/ (network accounts only)."""

from .views import network

app_name = "reporting_network"

urlpatterns = [*network.urlpatterns]
