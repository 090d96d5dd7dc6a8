"""Agreement statistics: how consistent are raters, and how far apart are two measurements of the same units?

One function per statistic, each returning a frozen result object (scipy style): the estimates are
attributes, ``confidence_interval(confidence_level)`` gives the interval at any level, ``to_frame()`` a tidy
frame and ``_repr_html_`` shows it in JupyterLab. Long data are one row per rating with the columns
``unit_id, rater_id, rating`` (change them with ``targets=``/``units=``, ``raters=``, ``ratings=``); turn a
wide matrix into that format with :func:`to_long`, saying which way round it is.

=====================  =====================================================================================
function               statistic
=====================  =====================================================================================
:func:`icc`            the six intraclass correlations (Shrout-Fleiss / McGraw-Wong), F tests, CIs
:func:`cohen_kappa`    Cohen's kappa, unweighted or weighted (statsmodels' disagreement-weight convention)
:func:`fleiss_kappa`   Fleiss' kappa (or Randolph's free-marginal kappa) with per-category kappas
:func:`krippendorff_alpha`  Krippendorff's alpha, nominal / ordinal / interval / ratio, missing ratings
:func:`gwet_ac`        Gwet's AC1 / AC2
:func:`lin_ccc`        Lin's concordance correlation coefficient
:func:`bland_altman`   Bland-Altman bias and limits of agreement with exact CIs, proportional bias
:func:`kendall_w`      Kendall's coefficient of concordance
:func:`stuart_maxwell` marginal homogeneity of a square table (systematic grade shift); :func:`bhapkar`
=====================  =====================================================================================

Conventions are chosen once and stated in each docstring: which df the F tests use, normal versus t
intervals, one- versus two-sided p-values, n versus n-1 divisors, the multiplier of the limits of agreement,
and the declared category scale (weighted kappa and AC1 depend on it, Krippendorff's alpha does not).
"""
from __future__ import annotations

from ._alpha import AlphaResult, krippendorff_alpha
from ._continuous import BlandAltmanResult, CCCResult, bland_altman, lin_ccc
from ._gwet import GwetResult, gwet_ac
from ._icc import ICC_FORMS, ICCResult, icc
from ._kappa import FleissKappaResult, KappaResult, cohen_kappa, fleiss_kappa
from ._ranks import KendallWResult, MarginalHomogeneityResult, bhapkar, kendall_w, stuart_maxwell
from ._results import ConfidenceInterval
from ._util import to_long

__all__ = [
    "icc", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac", "lin_ccc", "bland_altman",
    "kendall_w", "stuart_maxwell", "bhapkar", "to_long",
    "ICCResult", "KappaResult", "FleissKappaResult", "AlphaResult", "GwetResult", "CCCResult",
    "BlandAltmanResult", "KendallWResult", "MarginalHomogeneityResult", "ConfidenceInterval", "ICC_FORMS",
]
