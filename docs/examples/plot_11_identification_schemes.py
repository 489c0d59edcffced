"""
Identification schemes side by side
===================================

The same reduced-form VAR, three ways to name its shocks: the recursive ordering of the spec, long-run
restrictions, and sign restrictions (a rise in the real rate widens the HY spread; a liquidity injection narrows
it). BTC's responses to the liquidity and risk (HY spread) shocks are drawn over one another, with 90% bands
(the bootstrap for the first two, the identified set for the sign restrictions). Where the schemes agree, the
answer does not hinge on the identifying assumption.
"""

import xarray as xr

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
data, order = panel.data[list(spec.var.order)], list(spec.var.order)

signs = cm.SignRestrictions(signs={"real_rate": {"real_rate": 1, "hy_spread": 1},
                                   "net_liquidity": {"net_liquidity": 1, "hy_spread": -1}},
                            horizons=2, draws=5000)
layers = {}
for name, scheme, bands in [("recursive", "recursive", "block"), ("long_run", "long_run", "block"),
                            ("sign", signs, "set")]:
    res = cm.SVAR(data, order=order, lags=2, identification=scheme).fit(rng=0)
    layers[name] = res.irf(24, bands=bands, reps=200, level=0.9)
irf = xr.concat([da.expand_dims(identification=[name]) for name, da in layers.items()], dim="identification",
                combine_attrs="drop_conflicts")

units = {name: column.units for name, column in panel.columns.items()}
cm.plot_irf(irf, responses=["btc"], shocks=["net_liquidity", "hy_spread"], units=units, horizon_unit="months",
            synthetic=panel.synthetic)
