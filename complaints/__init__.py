"""Complaints and tips: intake, routing glue, the desk workflow, deadlines and the outbox.

Filing (``intake``, ``intake_store``, ``intake_queue``, ``duplicates``), what citizens
see (``service``), what staff do (``casework``, ``workflow``, ``deadlines``,
``overdue``), what the router learns from transfers (``lessons``), the notices for
other channels (``outbox``), and the process's services (``runtime``). Services here
use no web framework; the HTTP handlers and pages are in ``complaints.web``.

May import: infra, nlp and disclosure service modules (never ``disclosure.web``).
"""
