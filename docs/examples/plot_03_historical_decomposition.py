"""
Historical decomposition
========================

BTC's monthly return over the last three years of the demo, split into the contribution of each structural shock
plus the deterministic part and the event dummies; the parts add up to the data (the line). A month whose bar is
mostly one colour was driven by that shock.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_historical_decomposition(run.historical_decomposition, "btc", last=36, units=units,
                                 synthetic=run.synthetic)
