"""Quality credit beyond disclosure: the enterprise quality archive (one timeline of an
enterprise's grades, recalls, verified cases, penalties and objections) and grade
proposals computed from the indicator rules in ``credit/data/grade_rules.toml``.

A domain beside ``campaigns``: it reads ``disclosure`` and ``complaints``; its HTTP
routes live in ``credit.web``.
"""
