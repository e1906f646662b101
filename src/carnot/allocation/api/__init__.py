"""The allocation's JSON API, one router per area (added in ``carnot.web.api``)."""
