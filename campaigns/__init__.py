"""Campaign and assessment reporting: campaign windows, their figures, exports and pages.

Reads cases (complaints) and enterprises, grades and recalls (disclosure) to report on
them; changes none of them. Services here use no web framework; the HTTP routes are in
``campaigns.web``.

May import: infra, nlp, disclosure and complaints service modules (never their ``web``).
"""
