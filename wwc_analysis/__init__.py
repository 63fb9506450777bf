"""wwc_analysis: the What Works Cities Certification public record, exact scoring, cohorts and simulation."""
