"""
Asset spectrum
==============

The Bayesian hierarchical asset model's answer: each asset's cumulative response to a one-standard-deviation
net-liquidity shock, in standard deviations of its own monthly return, with its posterior interval, coloured by
asset class (the classes pool the assets' responses). An interval that includes zero is an asset the data do
not place on either side; on the synthetic demo most do, and credit (its spread change flipped, so that a loss
reads negative) lies below zero.
"""

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
run = cm.fit_spec(spec, panel, rng=0, reps=200)  # with [assets]: the asset model, sampled to its convergence gate

cm.plot_spectrum(run.asset_tables.spectra["net_liquidity"], synthetic=run.synthetic,
                 title="Asset spectrum: cumulative response to a one-s.d. net_liquidity shock")
