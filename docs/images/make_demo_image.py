"""Regenerate docs/images/demo.png, the README's picture of the demo's charts (run from the repository root)."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import perfeval as pe  # noqa: E402
from perfeval.pipeline import analyse  # noqa: E402
from perfeval.plotting import plot_context  # noqa: E402  (the CJK font context the plot functions use)

warnings.simplefilter("ignore")
analysis = analyse(pe.load_sample(), draws=2000)
with plot_context("zh"):
    fig, axes = plt.subplots(1, 3, figsize=(19, 7.5), gridspec_kw={"width_ratios": [1.35, 1.1, 0.8]})
    fig.suptitle("perfeval demo: 示例省 (synthetic) — grade probabilities under uncertain weights, self vs "
                 "re-check agreement, dual-monitoring lights", fontsize=12)
pe.plotting.grade_probability_plot(analysis.sensitivity, ax=axes[0], max_units=20)
pe.plotting.recheck_bland_altman_plot(analysis.recheck, ax=axes[1])
pe.plotting.lights_plot(analysis.monitoring, ax=axes[2], max_units=20)
fig.tight_layout()
fig.savefig("docs/images/demo.png", dpi=72)
