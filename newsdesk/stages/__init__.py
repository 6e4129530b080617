"""The built-in analysis stages, one package each (``stage.py``, ``tables.py``, algorithms).

They are registered through the entry-point group ``newsdesk.stages`` like any plugin (see
:mod:`newsdesk.registry`); importing this package registers nothing.
"""
