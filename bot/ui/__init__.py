"""The web pages under ``/ui/``: Sign in with Slack, the incidents, follow-up and insights.

An adapter like bot/slack: HTTP, the signed session and the templates live here; what the
pages show is read through bot/services; the one Slack conversation (signing in, the channel
lists) goes through bot/slack/signin.py.
"""
