"""
Dependency graph
================

The chain as a directed graph built from the structural VAR's responses, its causality tests and the asset model:
a chain link is drawn only where its whole response path differs from zero (a Holm-adjusted sup-t test), with that
response in a lettered panel, and each asset hangs off the shock it answers with its posterior sign probability.
The notes under the graph state the rules; on the demo one link of twenty passes.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_graph(run.graph, units=units, synthetic=run.synthetic)
