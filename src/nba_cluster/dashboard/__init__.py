"""The dashboard: what the pipelines found, for basketball readers and ML engineers.

``app.py`` creates the Dash app (``server`` for gunicorn). ``layout.py`` is the page's shell
and keeps the URL in sync with the controls (``state.py``: the view's state); ``views/`` holds
one module per tab, each with its layout, figures and callbacks; ``components.py`` what they
share. The data side: ``sources.py`` reads the Kedro catalog and MLflow, ``snapshot.py`` holds
one version of the data, ``store.py`` decides when to read it again, ``search.py`` finds
players by name. See docs/dashboard.md.
"""
