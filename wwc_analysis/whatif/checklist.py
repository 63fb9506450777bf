"""An interactive checklist of a standard's criteria: tick what a city meets, see its tier live.

``checklist(standard, met=(), population=None)`` returns a :class:`Checklist`, an ipywidgets
``VBox`` holding one checkbox per criterion grouped by practice area (an ``Accordion`` whose titles
count the criteria met), an outcome-requirement checkbox and a live panel with the share, the tier,
the reasons it is not higher and the path to the next tier (ranked by peer prevalence when a
population is given, see :func:`wwc_analysis.whatif.path_to_tier`). ``names`` (``{code: name}``,
e.g. from :func:`wwc_analysis.whatif.criterion_names`) labels the checkboxes; without it they show
codes.

All scoring goes through :func:`wwc_analysis.rules.scoring.score_city` and
:mod:`wwc_analysis.whatif`. The widget can be built and driven headless (no kernel or browser
needed), which is how the tests use it; notebooks display it only in an interactive session.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import ipywidgets as widgets
import pandas as pd

from wwc_analysis.rules.scoring import CityScore, score_city
from wwc_analysis.rules.standards import Standard, require_standard
from wwc_analysis.whatif.paths import TierPath, paths_to_higher_tiers, peer_prevalence
from wwc_analysis.whatif.scenarios import check_criteria

__all__ = ["Checklist", "checklist"]


class Checklist(widgets.VBox):
    """The checklist widget. Attributes for programmatic use (and tests):

    ``checkboxes`` (code -> Checkbox), ``outcome`` (Checkbox), ``accordion``, ``panel`` (HTML),
    ``standard``; :meth:`met` the ticked codes, :meth:`score` the current :class:`CityScore`,
    :meth:`next_path` the path to the next tier, :meth:`summary` the panel as plain text.
    """

    def __init__(
        self,
        standard: Standard,
        met: Iterable[str] = (),
        population=None,
        *,
        outcome_met: bool = True,
        weights: Mapping[str, float] | None = None,
        names: Mapping[str, str] | None = None,
    ):
        std = require_standard(standard, "checklist")
        if not std.has_criteria:
            raise ValueError(
                f"standard {std.name} lists no criterion codes: a checklist needs them"
            )
        met = [met] if isinstance(met, str) else [c.strip() for c in met]
        check_criteria(met, std, "checklist met")
        self.standard = std
        self.weights = dict(weights) if weights is not None else None
        self.prevalence: pd.DataFrame | None = (
            peer_prevalence(population, std) if population is not None else None
        )
        names = dict(names) if names is not None else {}
        core = set(std.core) if std.core_required else set()
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self._areas = std.criteria_by_area()
        boxes = []
        for codes in self._areas.values():
            items = []
            for code in codes:
                label = f"{code} {names.get(code, '')}".strip()
                label += " (core)" if code in core else ""
                cb = widgets.Checkbox(
                    value=code in met,
                    description=label,
                    indent=False,
                    layout=widgets.Layout(width="auto"),
                )
                cb.observe(self._changed, names="value")
                self.checkboxes[code] = cb
                items.append(cb)
            boxes.append(widgets.VBox(items))
        self.accordion = widgets.Accordion(children=boxes)
        self.outcome = widgets.Checkbox(
            value=bool(outcome_met),
            description=(
                "Outcome requirement met (internationally recognised standard on at "
                "least one outcome)"
            ),
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.outcome.observe(self._changed, names="value")
        self.panel = widgets.HTML()
        header = widgets.HTML(f"<b>{html.escape(std.describe())}</b>")
        super().__init__([header, self.accordion, self.outcome, self.panel])
        self._refresh()

    # --- state -----------------------------------------------------------------------------------
    def met(self) -> tuple[str, ...]:
        """Codes of the ticked criteria, in the standard's order."""
        return tuple(c for c, cb in self.checkboxes.items() if cb.value)

    def score(self) -> CityScore:
        return score_city(self.met(), self.standard, self.outcome.value)

    def next_path(self) -> TierPath | None:
        """Path to the next tier above the current one (``None`` at Platinum)."""
        default = max(self.weights.values(), default=0.0) if self.weights else None
        paths = paths_to_higher_tiers(
            self.met(),
            self.standard,
            outcome_met=self.outcome.value,
            prevalence=self.prevalence,
            weights=self.weights,
            default_weight=default,
        )
        return paths[0] if paths else None

    def set_met(self, codes: Iterable[str]) -> None:
        """Tick exactly ``codes`` (one refresh at the end)."""
        codes = list(codes)
        check_criteria(codes, self.standard, "checklist met")
        self._hold = True
        try:
            for c, cb in self.checkboxes.items():
                cb.value = c in codes
        finally:
            self._hold = False
        self._refresh()

    # --- display ---------------------------------------------------------------------------------
    def summary(self) -> str:
        """The panel's content as plain text."""
        s = self.score()
        lines = [f"{s.met} of {s.total} criteria met ({s.share:.1%}): {s.tier}"]
        lines += [f"- {r}" for r in s.reasons]
        path = self.next_path()
        lines.append(path.explain() if path is not None else "Platinum: the highest tier.")
        simulated = self.prevalence is not None and self.prevalence.attrs.get("simulated")
        if path is not None and path.ranking == "prevalence" and simulated:
            lines.append("(Peer shares from SIMULATED assessments of fictional cities.)")
        return "\n".join(lines)

    _hold = False

    def _changed(self, change) -> None:
        if not self._hold:
            self._refresh()

    def _refresh(self) -> None:
        met = set(self.met())
        self.accordion.titles = tuple(
            f"{area} — {sum(c in met for c in codes)}/{len(codes)}"
            for area, codes in self._areas.items()
        )
        head, *rest = self.summary().split("\n")
        items = "".join(
            f"<li>{html.escape(line[2:])}</li>" for line in rest if line.startswith("- ")
        )
        other = "".join(f"<p>{html.escape(line)}</p>" for line in rest if not line.startswith("- "))
        listed = f"<ul>{items}</ul>" if items else ""
        self.panel.value = f"<p><b>{html.escape(head)}</b></p>" + listed + other


def checklist(
    standard: Standard,
    met: Iterable[str] = (),
    population=None,
    *,
    outcome_met: bool = True,
    weights: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
) -> Checklist:
    """The interactive checklist for ``standard``, pre-ticked with ``met``.

    ``population`` (assessments of ``standard`` in any form :func:`wwc_analysis.whatif.apply` takes)
    ranks the suggested criteria by how common they are among cities at the next tier; ``weights``
    (effort per criterion) ranks them by effort instead (a criterion without a weight is assumed to
    cost as much as the costliest one given, so it is never preferred to a known cheap one).
    ``names`` labels the checkboxes (``{code: name}``; codes alone without it).
    """
    return Checklist(
        standard, met, population, outcome_met=outcome_met, weights=weights, names=names
    )
