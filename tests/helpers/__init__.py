"""What the tests share: local stand-ins for the services the bot talks to (the portal, Slack,
web sites, a faulty server), old databases to migrate, and calls stored as a run leaves them.

Imported as `helpers.<module>` (pytest puts tests/ on the path); no test module imports another.
"""
