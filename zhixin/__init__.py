"""Zhixin (质信): the composition root of the service.

Quality-credit grades, recall notices and quality complaints. This package only puts
the floors together: the app factory mounting each web package (``app``, ``mounts``),
the OpenAPI document collected from their fragments (``openapi``), the command line
(``cli``), the demo data set (``demo``), the table list and migrations for Alembic
(``models``, ``migrations``), and the page shell (``templates/base.html``, ``static``).

May import: every project package. Nothing imports it but the entry points (``zhixin``,
``python -m zhixin``), the tests and the Alembic environment.
"""

__version__ = "0.1.0"
