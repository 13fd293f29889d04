"""Profile plot of the (restricted) log-likelihood of tau2 (metafor ``profile.rma.uni``).

References
----------
Viechtbauer W (2005) Bias and efficiency of meta-analytic variance estimators in the
random-effects model. J Educ Behav Stat 30:261-293 (eqs. 5, 7).
"""

from __future__ import annotations

from evidence_lib.plotting._style import OKABE_ITO, _axes


def profile_plot(tau2, loglik, *, tau2_hat=None, xlabel="Heterogeneity variance tau\u00b2",
                 ylabel="Restricted log-likelihood", title=None, ax=None):
    """Draw a log-likelihood profile over tau2 and mark its maximum.

    Parameters
    ----------
    tau2, loglik : array_like
        Grid of tau2 values and the log-likelihood there (e.g. the columns of
        ``evidence_lib.meta.profile(...).to_frame()``).
    tau2_hat : float, optional
        The estimate to mark (default: the grid value with the largest log-likelihood).
    xlabel, ylabel : str
        Axis labels (use "Log-likelihood" for ML).
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import numpy as np

    t = np.asarray(tau2, dtype=float)
    ll = np.asarray(loglik, dtype=float)
    if t.shape != ll.shape or t.ndim != 1 or t.size == 0:
        raise ValueError(f"tau2 and loglik must be 1-D arrays of the same length; got {t.shape} and {ll.shape}")
    ax = _axes(ax, (5.5, 4.0))
    order = np.argsort(t)
    ax.plot(t[order], ll[order], color=OKABE_ITO[0], lw=1.6)
    j = int(np.argmax(ll)) if tau2_hat is None else int(np.argmin(np.abs(t - tau2_hat)))
    ax.axvline(t[j], color="0.45", ls="--", lw=1)
    ax.plot([t[j]], [ll[j]], "o", color=OKABE_ITO[5], ms=6, zorder=3)
    ax.annotate(f"maximum at {t[j]:.4g}", (t[j], ll[j]), xytext=(6, -14), textcoords="offset points",
                fontsize=9, color="0.25")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax
