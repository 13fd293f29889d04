"""Every URL the report writes passes through :func:`safe_url`: http and https only.

The data package's descriptor may give ``url`` columns a pattern, but the report does not
rely on it (a descriptor edited without the pattern must not turn ``javascript:`` text into
a live link). A URL that fails the check is dropped and its text shown without a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from evidence_lib.output.cells import cell_text

#: Schemes a link or a JSON-LD ``url`` may have.
ALLOWED_SCHEMES = ("http", "https")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def safe_url(url) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None.

    Parameters
    ----------
    url : object
        The candidate (text from a table or the descriptor; anything else gives None).

    Returns
    -------
    str or None
        The URL with surrounding whitespace removed, or None when the scheme is not
        ``http``/``https`` (in any letter case), there is no host, or the URL holds a
        control character or whitespace inside it (browsers drop tabs and newlines inside
        a URL, so ``"java\\tscript:"`` would otherwise pass as a scheme of its own).

    Examples
    --------
    >>> safe_url(" HTTPS://doi.org/10.1/x ")
    'HTTPS://doi.org/10.1/x'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if not isinstance(url, str):
        return None
    url = url.strip(" \t\n\r\f\v\x00")
    if not url or _CONTROL_OR_SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.netloc:
        return None
    return url


def doi_url(doi) -> str | None:
    """``https://doi.org/<doi>`` for a DOI, checked by :func:`safe_url`.

    Parameters
    ----------
    doi : str or None
        A bare DOI (``10.xxxx/...``).

    Returns
    -------
    str or None
        None for a missing DOI or one that cannot be part of a URL.
    """
    return safe_url(f"https://doi.org/{doi}") if isinstance(doi, str) and doi else None


def pubmed_url(pmid) -> str | None:
    """``https://pubmed.ncbi.nlm.nih.gov/<pmid>/``, checked by :func:`safe_url`.

    Parameters
    ----------
    pmid : str or int or None

    Returns
    -------
    str or None
        None for a missing PMID.
    """
    text = cell_text(pmid)
    return safe_url(f"https://pubmed.ncbi.nlm.nih.gov/{text}/") if text else None


def card_id(claim_id: str) -> str:
    """The HTML id of a claim's card.

    Parameters
    ----------
    claim_id : str

    Returns
    -------
    str
        ``'claim-C01'`` for ``'C01'``.
    """
    return f"claim-{claim_id}"
