"""
Forecast-error variance decomposition
=====================================

The share of BTC's forecast-error variance that each structural shock explains, 1 to 12 months ahead, from the
demo run; the shares sum to one at every horizon. BTC's own shock explains most of it; the chain's shocks together
take a growing share as the horizon lengthens, from under a tenth one month ahead to under a fifth at a year.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

cm.plot_fevd(run.fevd, "btc", horizon_unit="months", synthetic=run.synthetic)
