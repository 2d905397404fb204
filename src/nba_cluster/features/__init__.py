"""What a player-season is described by: the feature table (``table.py``), read by feature
engineering, training, naming, the dashboard and the model card alike. Light: pandas only."""
