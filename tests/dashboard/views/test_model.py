"""The model view: the selection rule as the champion's training run logged it."""

from __future__ import annotations

import dataclasses

from nba_cluster.dashboard.views.model import selection_rule_text
from tests.dashboard import fakes


def test_the_rule_names_only_the_weighted_scores_and_the_incumbent_margin():
    rule = {"cluster_count_range": [6, 14], "max_noise_share": 0.15,
            "weights": {"silhouette": 0.0, "stability": 1.0}, "incumbent_margin": 0.1}  # fmt: skip
    text = selection_rule_text(dataclasses.replace(fakes.champion(), selection=rule))
    assert text == (
        "Eligible: 6-14 clusters and at most 15% noise. Score = stability; the best eligible "
        "candidate is registered, unless the champion's own candidate scores within 0.1 of it."
    )


def test_a_run_logged_before_the_margin_reads_as_a_weighted_score():
    text = selection_rule_text(fakes.champion())
    assert text.endswith(
        "Score = silhouette + 0.2 \u00d7 stability; the best eligible candidate is registered."
    )


def test_a_two_axis_run_names_each_axis_range():
    rule = {"cluster_count_range": {"offense": [6, 12], "defense": [3, 8]},
            "max_noise_share": 0.15, "weights": {"silhouette": 0.0, "stability": 1.0}}  # fmt: skip
    text = selection_rule_text(dataclasses.replace(fakes.champion(), selection=rule))
    assert text == (
        "Eligible: offense 6-12, defense 3-8 clusters and at most 15% noise. Score = stability; "
        "the best eligible candidate of each axis is registered."
    )
