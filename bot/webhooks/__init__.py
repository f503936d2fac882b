"""The webhook adapter: paging and alerting tools' HTTP deliveries, authenticated, translated into
``AlertEvent`` values and handed to one use case (bot/services/alert_intake.py).

HTTP and payload translation only: which secrets apply is decided by bot/services/webhook_endpoints.py,
signing rules live in bot/core/webhook_signatures.py.
"""
