"""What-if scoring: scenarios, paths to a higher tier, tier probabilities and threshold sweeps.

Everything here is built on :mod:`wwc_analysis.rules.scoring`: a tier is always decided by
:func:`~wwc_analysis.rules.scoring.threshold_tiers` /
:func:`~wwc_analysis.rules.scoring.score_matrix` (the exact integer rule ``met * 100 >= pct *
total``), never re-implemented. Every function takes the
:class:`~wwc_analysis.rules.standards.Standard` it scores under (``get_standard(name, data)``) and
the assessments or Dataset it uses: nothing here reads the project's data by itself.

``scenarios``
    Immutable changes (:class:`MarkMet`, :class:`MarkUnmet`, :class:`SetThresholds`,
    :class:`UseStandard`, :class:`SetGates`, :class:`OutcomeMet`) composed into a :class:`Scenario`
    and applied in order by :func:`apply` (frames, AssessmentMatrix) or :func:`apply_arrays`.
``compare``
    :func:`compare`: each city's tier before and after, and the transition matrix
    (:class:`Comparison`); :func:`rule_scenarios` compares two rule changes at once.
``paths``
    :func:`path_to_tier` / :func:`paths_to_higher_tiers`: the fewest further criteria that reach a
    tier, the missing core criteria first, the rest by peer prevalence (:func:`peer_prevalence`) or
    by effort weights (cheapest set, exact); :func:`city_whatif` for one city.
``probabilities``
    :func:`tier_probabilities`: the exact probability of each tier when criteria are uncertain
    (a Poisson-binomial dynamic programme vectorised over cities).
``sweep``
    :func:`threshold_sweep`: tier counts as each threshold sweeps 0..100 %, from the histogram of
    criteria met (its chart: :func:`wwc_analysis.figures.whatif.plot_threshold_sweep`).
``scenario_file``
    :func:`load_scenario_file` / :func:`parse_scenario` (``wwc whatif --file``, see
    ``docs/whatif-cookbook.md``) and :func:`city_from_file` (one city's self-assessment file).
``uncertain_inputs``, ``tier_engine``, ``uncertainty``
    How robust are the tiers? :class:`UncertainInputs` declares uncertain rule inputs (cut-offs,
    core gates, the outcome requirement, criteria kept); :func:`uncertainty` scores a population
    under thousands of seeded quasi-random runs of the rules at once (one matrix product per block
    of cities): each city's tier shares and flip rate, the distribution of the tier counts.
``sensitivity``
    :func:`sensitivity`: first-order and total-effect Sobol' indices of each input on the tier
    counts (Saltelli / Jansen estimators, bootstrap intervals).
``loo``
    :func:`leave_one_out` / :func:`add_one`: each criterion left out of the standard, or met by
    every city, and the cities that change tier, ranked.
``stability``
    :func:`city_stability`: one city's tier distribution under the declared uncertainty and the
    criteria whose status most often decides its tier.
``robustness_spec``, ``robustness``
    Robustness spec files (``wwc robustness --file``) and :func:`run_robustness`, which runs all of
    the above for a spec.
``example``
    :func:`choose_city`: the city the what-if notebook scores (a list of codes, a self-assessment
    file, or by default the median simulated applicant of the year, :func:`median_applicant`);
    :func:`criteria_codes` reads a list parameter given as a list or as ``"DM1,LC1"``.
``checklist``
    The ipywidgets checklist (imported on its own: ``from wwc_analysis.whatif.checklist import
    checklist``, so the engine does not need ipywidgets).

Prose for notebook readers (and :func:`~wwc_analysis.text.whatif.format_probability`) is in
:mod:`wwc_analysis.text.whatif`; charts in :mod:`wwc_analysis.figures.whatif`.
"""

from wwc_analysis.whatif.compare import Comparison, RuleScenarios, compare, rule_scenarios
from wwc_analysis.whatif.example import (
    ExampleCity,
    choose_city,
    criteria_codes,
    median_applicant,
)
from wwc_analysis.whatif.loo import CriterionImpacts, add_one, leave_one_out
from wwc_analysis.whatif.paths import (
    CityWhatIf,
    TierPath,
    city_whatif,
    criteria_met_by_area,
    criterion_names,
    met_criteria,
    path_table,
    path_to_tier,
    paths_to_higher_tiers,
    peer_prevalence,
)
from wwc_analysis.whatif.probabilities import (
    city_tier_probabilities,
    count_distribution,
    tier_probabilities,
    tier_probability_frame,
)
from wwc_analysis.whatif.robustness import RobustnessReport, run_robustness, select_assessments
from wwc_analysis.whatif.robustness_spec import (
    RobustnessSpec,
    RobustnessSpecError,
    load_robustness_spec,
    parse_robustness_spec,
)
from wwc_analysis.whatif.scenario_file import (
    ScenarioFile,
    SelfAssessment,
    city_from_file,
    load_scenario_file,
    parse_scenario,
)
from wwc_analysis.whatif.scenarios import (
    Change,
    MarkMet,
    MarkUnmet,
    OutcomeMet,
    Scenario,
    ScenarioError,
    SetGates,
    SetThresholds,
    UseStandard,
    apply,
    apply_arrays,
    check_criteria,
)
from wwc_analysis.whatif.sensitivity import SensitivityResult, sensitivity
from wwc_analysis.whatif.stability import CityStability, city_stability
from wwc_analysis.whatif.sweep import sweep_standard, threshold_sweep
from wwc_analysis.whatif.tier_engine import evaluate
from wwc_analysis.whatif.uncertain_inputs import Design, UncertainInputs
from wwc_analysis.whatif.uncertainty import UncertaintyResult, uncertainty

__all__ = [
    "Change",
    "CityStability",
    "CityWhatIf",
    "Comparison",
    "CriterionImpacts",
    "ExampleCity",
    "Design",
    "MarkMet",
    "MarkUnmet",
    "OutcomeMet",
    "RobustnessReport",
    "RobustnessSpec",
    "RobustnessSpecError",
    "RuleScenarios",
    "Scenario",
    "ScenarioError",
    "ScenarioFile",
    "SelfAssessment",
    "SensitivityResult",
    "SetGates",
    "SetThresholds",
    "TierPath",
    "UncertainInputs",
    "UncertaintyResult",
    "UseStandard",
    "add_one",
    "apply",
    "apply_arrays",
    "check_criteria",
    "choose_city",
    "city_from_file",
    "city_stability",
    "criteria_codes",
    "city_tier_probabilities",
    "city_whatif",
    "compare",
    "count_distribution",
    "criteria_met_by_area",
    "criterion_names",
    "evaluate",
    "leave_one_out",
    "load_robustness_spec",
    "load_scenario_file",
    "median_applicant",
    "met_criteria",
    "parse_robustness_spec",
    "parse_scenario",
    "path_table",
    "path_to_tier",
    "paths_to_higher_tiers",
    "peer_prevalence",
    "rule_scenarios",
    "run_robustness",
    "select_assessments",
    "sensitivity",
    "sweep_standard",
    "threshold_sweep",
    "tier_probabilities",
    "tier_probability_frame",
    "uncertainty",
]
