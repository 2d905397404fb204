"""One module per tab, named by the tab's id: its ``layout(snapshot, links)``, its figures and,
where it has any, its callbacks (``register(app, store)``).

The tabs, in the order the page shows them: their one home (the page's tabs and the URL's
``tab=`` both read it).
"""

TABS = {
    "map": "Archetype map",
    "archetypes": "Archetypes",
    "eras": "Eras",
    "explorer": "Player explorer",
    "model": "Model",
}
DEFAULT_TAB = "map"
