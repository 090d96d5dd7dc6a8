"""Satisfaction surveys (满意度调查): questionnaire answers turned into 满意度 indicator values with their precision.

The 满意度指标 of a project's framework (服务对象满意度 and the like) are scored from a survey of its service
recipients. This module takes the answers as written on Chinese questionnaires and computes, by a convention the
caller names (the two in use give different numbers for the same answers):

- :func:`satisfaction` with ``method="share"``: satisfied answers over valid answers (满意人数 / 有效样本数), the
  satisfied set a parameter (default 非常满意 + 满意 + 比较满意); with ``method="score"``: the mean of level
  scores (100 / 80 / 60 / 40 / 20 on a five-level scale, configurable); per question, per indicator (questions
  mapped to 满意度 rows), per respondent group, with design weights; blank and 不清楚 answers counted and left
  out of the base; every bad answer a located problem;
- precision: :func:`wilson_interval` for rates, :func:`t_interval` for scores, Kish's
  :func:`effective_sample_size` under weights, and :func:`sample_size` to plan the questionnaires before fieldwork;
- :meth:`SurveyResult.to_observations` and :func:`merge_observations`: the rates as the ``actual`` of the
  observation rows, so that :func:`perfeval.score` scores the 满意度 rows from the survey.

Examples
--------
>>> import perfeval as pe
>>> pe.survey.sample_size(1000)            # questionnaires for ±5 points at 95 % among 1,000 recipients
278
"""
from __future__ import annotations

from ._answers import ANSWER_ALIASES, SCALES, UNKNOWN_ANSWERS, Scale, read_answers
from ._precision import SAMPLE_SIZE_METHODS, effective_sample_size, sample_size, t_interval, wilson_interval
from ._rates import METHODS, SurveyResult, merge_observations, satisfaction

__all__ = ["ANSWER_ALIASES", "METHODS", "SAMPLE_SIZE_METHODS", "SCALES", "Scale", "SurveyResult", "UNKNOWN_ANSWERS",
           "effective_sample_size", "merge_observations", "read_answers", "sample_size", "satisfaction",
           "t_interval", "wilson_interval"]
