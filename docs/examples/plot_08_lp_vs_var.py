"""
Local projections against the VAR
=================================

Each consecutive link of the chain estimated twice (top row): by the VAR (solid line) and by local projections, one
regression per horizon (dashed), each with its 90% joint band; the bottom row splits the local projections by the
liquidity regime before the shock. Local projections impose less structure and so are noisier; where the VAR's path
stays inside their band, its dynamics are not an artefact of its lag length.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_lp(run.irf, dict(run.lp), lp_state=dict(run.lp_state), state_name="liquidity", units=units,
           horizon_unit="months", synthetic=run.synthetic)
