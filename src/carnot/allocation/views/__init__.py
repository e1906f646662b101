"""Pages of the allocation, one module per area (each lists its own ``urlpatterns``)."""
