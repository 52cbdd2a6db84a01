"""Disclosure: quality-credit grades, recall notices and grade objections, published to all.

Enterprises and grades (``grades``, ``service``, ``cache``), recall notices
(``recalls``, ``feed``), objections (``objections``), the CSV/XLSX import
(``importer``, ``columns``, ``import_kinds``) and a synthetic register for the demo
(``namegen``). Services here use no web framework; the JSON API and pages are in
``disclosure.web``.

May import: infra and nlp.
"""
