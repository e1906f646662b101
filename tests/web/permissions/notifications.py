"""Expectations for the notification pages (``src/carnot/notifications/urls.py``).

Every signed-in user reads their own notifications and chooses the language of their e-mails
(the choice redirects back to the list); only administrators read the list of every e-mail the
platform wrote (403 for the other roles).
"""

from __future__ import annotations

from tests.web.permissions.core import Expect, statuses

EXPECTATIONS = [
    Expect("notifications:list", statuses(anonymous=302, default=200)),
    Expect("notifications:language", statuses(default=302), method="POST",
           data=lambda w: {"language": "en"}),
    Expect("notifications:sent", statuses(anonymous=302, administrator=200, default=403)),
]
