"""
Specification curve
===================

How much the liquidity -> BTC response depends on choices the analyst makes: the chain refitted over six orderings
of its middle links and one or two lags, each specification's peak response with its band, sorted (upper panel),
and the choices behind each (lower panel). On the demo every estimate is positive, and the bands that exclude zero
are mostly the one-lag specifications, at the upper end: a result that needs a particular choice shows as a
cluster of that choice at one end.
"""

import itertools

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
orderings = [["inflation", *middle, "btc"]
             for middle in itertools.permutations(["real_rate", "net_liquidity", "hy_spread"])]
g = cm.grid(spec, panel, orderings=orderings, lags=[1, 2], reps=100, workers=1)  # 12 VARs, in this process

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_spec_curve(g.curve("net_liquidity", "btc", at="peak"), units=units, synthetic=panel.synthetic)
