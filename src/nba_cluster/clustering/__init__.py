"""From player features to archetypes: the candidate clusterers, the registered model, how
archetypes are named, how the champion is chosen, and which player-seasons are alike."""
