"""
Joint (sup-t) bands against pointwise bands
===========================================

Two 90% bands around the same response of BTC to a liquidity shock, from the same 500 bootstrap replications.
The pointwise band (orange) covers the true response at each horizon separately, 90% of the time; the joint
(sup-t) band (blue) covers the whole path at once, 90% of the time, so it is wider. Read a path's shape (a peak,
a sign change) only against the joint band.
"""

import matplotlib.pyplot as plt

import causalmacro as cm

spec = cm.load_spec("models/demo.toml")
panel = cm.build_panel(spec, cm.open_source(spec))
order = list(spec.var.order)
res = cm.SVAR(panel.data[order], order=order, lags=2).fit(rng=0)
draws = res.bootstrap(500, rng=0)  # one bootstrap, shared by both bands

units = {name: column.units for name, column in panel.columns.items()}
fig, ax = plt.subplots(figsize=(7, 4.2))
for joint, colour in [(True, "C0"), (False, "C1")]:
    irf = res.irf(24, bands=draws, level=0.9, joint=joint)
    cm.plot_irf(irf, responses=["btc"], shocks=["net_liquidity"], axes=[[ax]], color=colour, units=units,
                horizon_unit="months", synthetic=panel.synthetic,
                title="BTC's response to a one-s.d. net_liquidity shock: joint and pointwise 90% bands")
ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.3) for c in ("C0", "C1")],
          labels=["90% joint (sup-t) band", "90% pointwise band"], loc="upper right")
