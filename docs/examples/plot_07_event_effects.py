"""
Event effects
=============

The spec's events (the March 2020 crash, Terra, FTX) enter the VAR as exogenous dummies; this is the response of
each variable to each event over the following months, with bands. On the synthetic demo the events carry no
effect by construction, so bands that straddle zero are the right answer here.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

units = {name: column.units for name, column in panel.columns.items()}
titles = {name: spec.event_title(name) for name in spec.events}
cm.plot_event_effects(run.event_effects, titles=titles, units=units, horizon_unit="months",
                      synthetic=run.synthetic)
