"""
Impulse responses
=================

The demo chain's structural VAR, identified recursively in the spec's order: the response of each variable
(rows) to a one-standard-deviation shock in each (columns), over 24 months, with the run's 90% bootstrap bands.
Read a column down to follow one shock along the chain; a band that excludes zero marks a response the data pin
down at that horizon.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)  # reps: bootstrap replications (the spec says 1000)

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_irf(run.irf, units=units, horizon_unit="months", synthetic=run.synthetic)
