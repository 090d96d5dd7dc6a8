"""Standardized evaluation reports: parameterized notebooks rendered to offline HTML.

Report notebooks (``notebooks/<category>.ipynb``) show their content through the blocks of this package
(:func:`heading`, :func:`paragraph`, :func:`key_figures`, :func:`table`, :func:`figure`, :func:`notice`): each
carries escaped HTML for the page and a structured form for the Word and PDF exports.
"""
from __future__ import annotations

from ._blocks import (BLOCK_MIMETYPE, FACTS_MIMETYPE, Block, Facts, facts, Figure, Heading, KeyFigures, Notice, Paragraph, Table, figure,
                      heading, key_figures, notice, paragraph, table)

__all__ = ["BLOCK_MIMETYPE", "FACTS_MIMETYPE", "Block", "Facts", "facts", "Figure", "Heading", "KeyFigures", "Notice", "Paragraph", "Table", "figure",
           "heading", "key_figures", "notice", "paragraph", "table"]
