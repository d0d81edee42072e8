"""Pure monitoring rules: rate formulas, KPI math, subsidy engine, anomaly rules (no Django)."""
