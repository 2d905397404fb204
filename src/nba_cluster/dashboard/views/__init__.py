"""One module per tab: its layout, its figures and its callbacks (``register(app, store)``)."""
