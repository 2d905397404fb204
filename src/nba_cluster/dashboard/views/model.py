"""The model: the champion, its parameters and metrics, and its training run's leaderboard."""

from __future__ import annotations

import pandas as pd
from dash import html

from nba_cluster.dashboard.components import Links, card
from nba_cluster.dashboard.snapshot import Snapshot
from nba_cluster.model_registry import MODEL_NAME

TIMES = "\u00d7"  # in the selection rule's formula

METRIC_LABELS = {
    "silhouette": ("Silhouette", "-1..1, higher: tighter, better separated clusters"),
    "stability": ("Stability", "mean adjusted Rand index of refits on subsamples (1 = identical)"),
    "n_clusters": ("Archetypes", "clusters found"),
    "noise_share": ("Noise share", "player-seasons left unclustered at training"),
    "calinski_harabasz": ("Calinski-Harabasz", "between/within dispersion, higher is better"),
    "davies_bouldin": ("Davies-Bouldin", "lower is better"),
}


def layout(snapshot: Snapshot, links: Links) -> html.Div:
    champion = snapshot.champion
    metrics = []
    for key, (label, help_text) in METRIC_LABELS.items():
        if key in champion.metrics:
            value = champion.metrics[key]
            shown = (
                f"{value:.0f}"
                if key == "n_clusters"
                else (f"{100 * value:.1f}%" if key == "noise_share" else f"{value:,.3f}")
            )
            metrics.append(
                html.Div(
                    [
                        html.Span(shown, className="stat-value"),
                        html.Span(label, className="stat-label"),
                    ],
                    className="stat",
                    title=help_text,
                )
            )
    params = {k: v for k, v in sorted(champion.params.items())}
    registered = (
        champion.registered_at.strftime("%Y-%m-%d %H:%M UTC") if champion.registered_at else "?"
    )
    decision = champion.parent_tags.get("registry_decision")
    run_links = [
        html.A(
            "Champion run in MLflow",
            target="_blank",
            className="button",
            href=links.run(champion.experiment_id, champion.run_id),
        )
    ]
    if champion.parent_run_id:
        run_links.append(
            html.A(
                "Training run",
                target="_blank",
                className="button secondary",
                href=links.run(champion.experiment_id, champion.parent_run_id),
            )
        )
    run_links += [
        html.A(
            "Registered model",
            href=links.model_version(champion.version),
            target="_blank",
            className="button secondary",
        ),
        html.A(
            "Pipelines in Kedro-Viz",
            href=links.kedro_viz,
            target="_blank",
            className="button secondary",
        ),
    ]
    return html.Div(
        [
            html.Div(
                className="two-columns",
                children=[
                    card(
                        html.H2(f"Champion: {MODEL_NAME} v{champion.version}", id="champion-title"),
                        html.P(
                            [
                                html.B(champion.family or "?"),
                                f" · candidate {champion.run_name}",
                                f" · registered {registered}",
                            ],
                            className="muted",
                        ),
                        html.Div(metrics, className="metrics"),
                        html.Div(run_links, className="button-row"),
                        html.P(_decision_text(champion, decision), className="hint"),
                    ),
                    card(
                        html.H2("Parameters"),
                        html.Table(
                            [
                                html.Tbody(
                                    [html.Tr([html.Th(k), html.Td(v)]) for k, v in params.items()]
                                )
                            ],
                            className="table params-table",
                        ),
                    ),
                ],
            ),
            card(
                html.H2("Leaderboard of the champion's training run"),
                html.P(selection_rule_text(champion), className="hint"),
                leaderboard_table(champion.leaderboard),
            ),
        ]
    )


def _decision_text(champion, decision: str | None) -> str:
    best = champion.parent_tags.get("best_candidate")
    if not decision:
        return ""
    return (
        f"That training run's best candidate ({best}) was registered as {decision}."
        if best
        else f"Registry decision of that training run: {decision}."
    )


def selection_rule_text(champion) -> str:
    """The selection rule the champion's training run used, as it logged it."""
    rule = champion.selection
    if not rule:
        return "Candidates by silhouette."
    ranges = rule["cluster_count_range"]
    if isinstance(ranges, dict):
        counts = ", ".join(f"{axis} {low}-{high}" for axis, (low, high) in ranges.items())
    else:
        counts = "{}-{}".format(*ranges)
    terms = [
        name if weight == 1 else f"{weight:g} {TIMES} {name}"
        for name, weight in rule["weights"].items()
        if weight
    ]
    text = (
        f"Eligible: {counts} clusters and at most {100 * rule['max_noise_share']:.0f}% "
        f"noise. Score = {' + '.join(terms)}; the best eligible candidate "
        + ("of each axis is registered" if isinstance(ranges, dict) else "is registered")
    )
    margin = rule.get("incumbent_margin")
    if margin:
        text += f", unless the champion's own candidate scores within {margin:g} of it"
    return text + "."


LEADERBOARD_COLUMNS = [
    ("axis", "Axis", None),
    ("candidate", "Candidate", None),
    ("model_family", "Family", None),
    ("n_clusters", "Clusters", "{:.0f}"),
    ("silhouette", "Silhouette", "{:.3f}"),
    ("stability", "Stability", "{:.3f}"),
    ("noise_share", "Noise", "{:.1%}"),
    ("davies_bouldin", "Davies-Bouldin", "{:.2f}"),
    ("score", "Score", "{:.3f}"),
    ("eligible", "Eligible", None),
]


def leaderboard_table(table: pd.DataFrame):
    """Every candidate of the training run, in the order the selection rule ranks them."""
    if table.empty:
        return html.P("No candidate runs found for the champion's training run.", className="hint")
    columns = [(c, label, fmt) for c, label, fmt in LEADERBOARD_COLUMNS if c in table]

    def cell(value, fmt):
        if isinstance(value, bool):
            return "yes" if value else "no"
        if fmt is None or value is None or pd.isna(value):
            return "" if value is None or (fmt and pd.isna(value)) else str(value)
        if abs(value) >= 1e300:  # MLflow stores an infinite metric as the largest float
            return "\u221e"
        if abs(value) >= 1e4:
            return f"{value:.2g}"
        return fmt.format(value)

    head = html.Thead(
        html.Tr(
            [html.Th("#", className="num")]
            + [html.Th(label, className="num" if fmt else None) for _, label, fmt in columns]
        )
    )
    rows = [
        html.Tr(
            [html.Td(str(record.get("rank", rank)), className="num muted")]
            + [
                html.Td(cell(record[c], fmt), className="num" if fmt else None)
                for c, _, fmt in columns
            ],
            className="champion-row" if record.get("is_champion") else None,
            title="the champion" if record.get("is_champion") else None,
        )
        for rank, record in enumerate(table.to_dict("records"), start=1)
    ]
    return html.Div(
        html.Table([head, html.Tbody(rows)], className="table leaderboard", id="leaderboard"),
        className="table-scroll",
    )
