"""Disclosure: quality-credit grades and recall notices, published to everyone."""
