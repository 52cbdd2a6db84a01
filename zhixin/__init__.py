"""Zhixin (质信): quality-credit grades, recall notices and quality complaints."""

__version__ = "0.1.0"
