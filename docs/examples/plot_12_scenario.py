"""
Scenario against the baseline
=============================

The spec's ``[scenarios.tga_rebuild]``: the Treasury rebuilds its account, so net liquidity falls by $250bn in
each of the next two months, and only the liquidity shock may move. Each panel is one variable's path under the
scenario (with its band) against the baseline forecast; the gap between them is the scenario's effect.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

units = {name: column.units for name, column in panel.columns.items()}
stage = run.scenarios
cm.plot_scenario(stage.scenarios["tga_rebuild"], stage.baseline, ["net_liquidity", "hy_spread", "btc"],
                 units=units, synthetic=run.synthetic)
