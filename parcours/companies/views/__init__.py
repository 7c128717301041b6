"""Company and internship views, one module per area (each lists its own ``urlpatterns``)."""
