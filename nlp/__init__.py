"""Pure language processing for Zhixin: normalisation, routing, enterprise lookup.

Nothing in this package touches a database, the network or a web framework;
it takes data (the department registry, labelled examples, enterprise names)
and returns plain results, so it is tested fast and reused by every channel.
"""
