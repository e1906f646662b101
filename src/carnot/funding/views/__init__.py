"""Pages of funding, one module per area (each lists its own ``urlpatterns``)."""
