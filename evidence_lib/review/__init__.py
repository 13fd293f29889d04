"""Review layer: judgments built on the data and the engine.

Claim checks (``checks``), clinical relevance and the one threshold policy (``relevance``),
the one direction convention (``direction``), GRADE (``grading``), the Summary of Findings
(``sof``), views of the data (``views``, ``ledger``), reproduction of published pools
(``reproduce``), and the applied network and Bayesian analyses (``network``, ``bayes``).
Submodules are imported on use, so that ``import evidence_lib.review`` stays light.
"""
