"""The dashboard: what the pipelines found, for basketball readers and ML engineers.

``app.py`` creates the Dash app (``server`` for gunicorn), ``layout.py`` and ``figures.py``
draw it, ``callbacks.py`` wires it, ``state.py`` keeps the view in the URL and ``data.py``
reads the Kedro catalog and the MLflow registry. See docs/dashboard.md.
"""
