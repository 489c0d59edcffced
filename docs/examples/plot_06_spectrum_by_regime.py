"""
Asset spectrum by regime
========================

The same spectrum estimated separately in each liquidity regime of the spec (``[assets] regime = "liquidity"``:
contracting or expanding net liquidity over the last three months): a filled marker for one regime, an open one for
the other. Where the two intervals of an asset part, it answers the liquidity shock differently depending on the
state the chain is in; where they overlap, as for most assets on the demo, the data do not tell the regimes apart.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)

by_regime = dict(run.asset_tables.spectra_by_regime["net_liquidity"])
cm.plot_spectrum_by_regime(by_regime, synthetic=run.synthetic,
                           title="Asset spectrum by liquidity regime: one-s.d. net_liquidity shock")
