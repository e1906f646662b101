"""E-mail notifications: stored for the platform's pages, sent by a task on commit."""
