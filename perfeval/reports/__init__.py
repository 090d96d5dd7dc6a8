"""Standardized evaluation reports: parameterized notebooks rendered to offline HTML.

Report notebooks (``notebooks/<category>.ipynb``) show their content through the blocks of this package
(:func:`heading`, :func:`paragraph`, :func:`key_figures`, :func:`table`, :func:`figure`, :func:`notice`): each
carries escaped HTML for the page and a structured form for the Word and PDF exports.
"""
from __future__ import annotations

from ._engine import Prepared, ReportResult, list_reports, prepare, render, report_parameters, slug
from ._params import Parameter
from .batch import BatchResult, ReportRun, render_annual, render_batch
from ._blocks import (BLOCK_MIMETYPE, FACTS_MIMETYPE, Block, Facts, facts, Figure, Heading, KeyFigures, Notice, Paragraph, Table, figure,
                      heading, key_figures, notice, paragraph, table)

__all__ = ["render_batch", "render_annual", "BatchResult", "ReportRun", "render", "list_reports", "report_parameters", "ReportResult", "Prepared", "prepare", "Parameter",
           "slug", "BLOCK_MIMETYPE", "FACTS_MIMETYPE", "Block", "Facts", "facts", "Figure", "Heading", "KeyFigures", "Notice", "Paragraph", "Table", "figure",
           "heading", "key_figures", "notice", "paragraph", "table"]
